//! The browser adapter: the only code that touches `web-sys` and `js-sys`.
//!
//! It implements [`Platform`] with `fetch` (redirects not followed, no credentials, a deadline and a
//! body-size cap), WebCrypto (randomness, and ID-token signatures in `webcrypto.rs`), `JSON.parse`,
//! `sessionStorage` for the login transaction only, and `location`/`history` for the redirect. Globals are bound directly (not through `window`) so the
//! same code can later run in a dedicated Web Worker.

mod fetch;
mod globals;
mod json;
mod lifecycle;
mod location;
mod storage;
mod webcrypto;

pub use json::{BrowserJson, to_js};
pub use lifecycle::{Lifecycle, install as install_lifecycle, install_timer};
pub use location::{
    UrlParams, callback_pairs, current_url, is_callback_url, path_of, replace_url, scrub_url,
};

use crate::core::{Error, HttpRequest, HttpResponse, JsonParser, Platform as PlatformError, Sha};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use wasm_bindgen::JsValue;

use crate::driver::Platform;

/// Default deadline for one HTTP exchange, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// [`Platform`] for a browser page or worker.
#[derive(Debug, Clone)]
pub struct BrowserPlatform {
    json: BrowserJson,
    timeout_ms: u32,
    /// A request already on its way (see [`fetch::Early`]), until the driver sends that request.
    early: Rc<RefCell<Option<fetch::Early>>>,
}

impl Default for BrowserPlatform {
    fn default() -> Self {
        BrowserPlatform {
            json: BrowserJson,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            early: Rc::default(),
        }
    }
}

impl BrowserPlatform {
    /// A platform whose HTTP exchanges time out after `timeout_ms` milliseconds.
    pub fn with_timeout(timeout_ms: u32) -> Self {
        BrowserPlatform {
            timeout_ms,
            ..Self::default()
        }
    }

    /// Takes over a request already started with the same policy (the engine's loop starts the
    /// discovery request while the WebAssembly module loads): `early` is `{ url, headers, response,
    /// controller }` (a `[name, value]` list, the `fetch` promise and its `AbortController`). The
    /// first request is answered by it when it has that method (GET), URL and headers; otherwise it
    /// is dropped.
    pub fn with_early(self, early: &JsValue) -> Self {
        *self.early.borrow_mut() = fetch::Early::from_js(early);
        self
    }
}

impl Platform for BrowserPlatform {
    type DpopKey = JsValue;

    async fn dpop_key(&self) -> Result<(JsValue, crate::core::dpop::DpopPublicKey), Error> {
        webcrypto::dpop_key().await
    }

    async fn dpop_sign(&self, key: &JsValue, input: &[u8]) -> Result<Vec<u8>, Error> {
        webcrypto::dpop_sign(key, input).await
    }

    fn now(&self) -> u64 {
        let ms = js_sys::Date::now();
        if ms.is_finite() && ms > 0.0 {
            (ms / 1000.0) as u64
        } else {
            0
        }
    }

    fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error> {
        globals::get_random_values(buf)
            .map_err(|_| Error::Platform(PlatformError::CryptoUnavailable))
    }

    async fn fetch(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        // Only the first request may use it; afterwards the slot is empty.
        let early = self
            .early
            .borrow_mut()
            .take()
            .filter(|e| e.answers(request));
        fetch::fetch(request, self.timeout_ms, early).await
    }

    async fn sleep_ms(&self, ms: u64) {
        let ms = ms.min(i32::MAX as u64) as i32;
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            let _ = globals::set_timeout(&resolve, ms);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    fn spawn(&self, task: Pin<Box<dyn Future<Output = ()>>>) {
        wasm_bindgen_futures::spawn_local(task);
    }

    fn json(&self) -> &dyn JsonParser {
        &self.json
    }

    fn transaction_put(&self, key: &str, value: &str) -> Result<(), Error> {
        storage::put(key, value)
    }

    fn transaction_take(&self, key: &str) -> Result<Option<String>, Error> {
        storage::take(key)
    }

    fn transaction_clear(&self, prefix: &str) {
        storage::clear(prefix)
    }

    fn navigate(&self, url: &str) -> Result<(), Error> {
        location::navigate(url)
    }

    async fn digest(&self, sha: Sha, data: &[u8]) -> Result<Vec<u8>, Error> {
        webcrypto::digest(sha, data).await
    }

    async fn verify_signature(
        &self,
        alg: &str,
        jwk: &str,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<bool, Error> {
        webcrypto::verify_signature(alg, jwk, signing_input, signature).await
    }
}
