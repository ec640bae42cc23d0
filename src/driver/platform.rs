//! The small interface between the driver and its environment.
//!
//! The browser adapter ([`crate::browser`]) implements it with WebCrypto (randomness and signatures), `fetch`, `sessionStorage` and
//! `location`; tests implement it in memory with a virtual clock. Keeping the driver behind this trait is
//! what let it move into the engine's worker without touching the protocol core.

use std::future::Future;
use std::pin::Pin;

use crate::core::dpop::DpopPublicKey;
use crate::core::{Error, HttpRequest, HttpResponse, JsonParser, Sha};

/// Everything the driver needs from the place it runs in.
///
/// Implementations must never panic: every failure is an [`Error`] (usually a `Transport` or `Platform` one).
#[allow(async_fn_in_trait)] // futures here are single-threaded by design (browser event loop)
pub trait Platform: 'static {
    /// A DPoP private key held by the platform (a non-extractable WebCrypto `CryptoKey` in
    /// browsers): the driver only ever holds this handle.
    type DpopKey: Clone;

    /// The current time as Unix seconds.
    fn now(&self) -> u64;
    /// Fills `buf` with cryptographically secure random bytes.
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error>;
    /// Sends one HTTP request: redirects are not followed, no cookies or credentials are sent, and the
    /// response body is capped at [`crate::core::MAX_BODY_BYTES`].
    async fn fetch(&self, request: &HttpRequest) -> Result<HttpResponse, Error>;
    /// Resolves after `ms` milliseconds (between bounded retries, and while waiting for another tab).
    async fn sleep_ms(&self, ms: u64);
    /// Runs `task` to its end on the event loop (`spawn_local` in the browser). The driver hands
    /// over a refresh exchange whose call was dropped mid-way: the request may have reached the
    /// provider, so its answer is still taken in rather than lost. It must run the task to its end
    /// or drop it: a task kept but never polled leaves the renewal it runs unfinished.
    fn spawn(&self, task: Pin<Box<dyn Future<Output = ()>>>);
    /// The JSON parser to use (the browser's `JSON.parse` in the browser).
    fn json(&self) -> &dyn JsonParser;
    /// Stores the short-lived login transaction record under `key` (tab-scoped storage).
    fn transaction_put(&self, key: &str, value: &str) -> Result<(), Error>;
    /// Removes and returns the transaction record stored under `key`.
    fn transaction_take(&self, key: &str) -> Result<Option<String>, Error>;
    /// Removes every transaction record whose key starts with `prefix`.
    fn transaction_clear(&self, prefix: &str);
    /// Sends the whole page to `url` (top-level navigation).
    fn navigate(&self, url: &str) -> Result<(), Error>;
    /// The `sha` digest of `data` (for `at_hash`; WebCrypto's `digest` in the browser). `Err` only
    /// when hashing cannot run at all (no WebCrypto).
    async fn digest(&self, sha: Sha, data: &[u8]) -> Result<Vec<u8>, Error>;
    /// Verifies a JWS signature (RFC 7515 §5.2) with a public key: `alg` is a JWS algorithm
    /// (`RS256`, `PS256`, `ES256`, `EdDSA`, ...), `jwk` the public key as JWK JSON
    /// ([`crate::core::Jwk::public_jwk`]), `signature` the decoded signature (`R || S` for ECDSA).
    /// `Ok(false)` when the signature or the key is bad; `Err` only when verification cannot run
    /// at all (no WebCrypto, or the algorithm is not available here).
    async fn verify_signature(
        &self,
        alg: &str,
        jwk: &str,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<bool, Error>;
    /// Makes a new ES256 (ECDSA P-256) key pair for DPoP whose private key cannot be exported;
    /// `Err(Unsupported::Dpop)` when the platform cannot.
    async fn dpop_key(&self) -> Result<(Self::DpopKey, DpopPublicKey), Error>;
    /// Signs `input` with `key` (ES256, the signature as `R || S`).
    async fn dpop_sign(&self, key: &Self::DpopKey, input: &[u8]) -> Result<Vec<u8>, Error>;
}
