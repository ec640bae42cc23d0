//! ID-token signature verification against the provider's published keys.
//!
//! The key set comes only from the metadata's `jwks_uri` (never from `jku`, `x5u` or an embedded
//! `jwk` header) and is cached per issuer and `jwks_uri` for the client's life. A token whose `kid`
//! is not in the cached set causes one refetch (key rotation, OIDC Core §10.1.1), and at most one
//! such refetch happens per [`REFETCH_COOLDOWN_SECS`], so a stream of tokens with made-up `kid`s
//! cannot turn the client into a fetch storm. Concurrent first fetches share one request. A key set
//! that cannot be fetched is `IdToken(KeyFetch)`, and the token response that needed it is discarded
//! by the caller (RFC 9700 §4.5.3.2).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::flight::SingleFlight;
use super::{Client, Platform};
use crate::core::{Error, HttpRequest, IdTokenProblem, JwkSet, Method};

/// After a refetch caused by an unknown `kid`, the next one waits at least this long (seconds).
pub const REFETCH_COOLDOWN_SECS: u64 = 60;

/// A fetched key set and where it came from.
pub(crate) struct CachedKeys {
    issuer: String,
    jwks_uri: String,
    pub(crate) set: JwkSet,
}

#[cfg(test)]
impl CachedKeys {
    /// A key set as if fetched from the test provider.
    pub(crate) fn for_tests(set: JwkSet) -> Rc<Self> {
        Rc::new(CachedKeys {
            issuer: String::new(),
            jwks_uri: String::new(),
            set,
        })
    }
}

/// The per-client key cache.
pub(crate) struct KeyCache {
    cached: RefCell<Option<Rc<CachedKeys>>>,
    /// When the last refetch for an unknown `kid` started (Unix seconds).
    last_refetch: Cell<Option<u64>>,
    fetch: SingleFlight<Result<Rc<CachedKeys>, Error>>,
}

impl KeyCache {
    pub(crate) fn new() -> Self {
        KeyCache {
            cached: RefCell::new(None),
            last_refetch: Cell::new(None),
            fetch: SingleFlight::new(),
        }
    }

    /// The key set held for `issuer` and `jwks_uri`, if any.
    pub(crate) fn get(&self, issuer: &str, jwks_uri: &str) -> Option<Rc<CachedKeys>> {
        self.cached
            .borrow()
            .as_ref()
            .filter(|c| c.issuer == issuer && c.jwks_uri == jwks_uri)
            .cloned()
    }

    /// Whether a refetch for an unknown `kid` may start at `now`; if so, starts the cool-down.
    pub(crate) fn take_refetch(&self, now: u64) -> bool {
        let allowed = match self.last_refetch.get() {
            None => true,
            // A clock that went backwards does not block rotation for ever.
            Some(last) => now < last || now - last >= REFETCH_COOLDOWN_SECS,
        };
        if allowed {
            self.last_refetch.set(Some(now));
        }
        allowed
    }
}

fn key_fetch() -> Error {
    Error::id_token(IdTokenProblem::KeyFetch)
}

impl<P: Platform> Client<P> {
    /// ID-token `alg` values this client accepts: its configuration ∩ the provider's metadata
    /// (`id_token_signing_alg_values_supported`, RS256 when the metadata is silent).
    pub(crate) fn allowed_id_token_algs(&self) -> Vec<String> {
        let algs = &self.inner.metadata.id_token_signing_algs;
        self.inner
            .config
            .id_token_signing_algs
            .iter()
            .filter(|a| algs.contains(a))
            .cloned()
            .collect()
    }

    /// Fetches the key set from `jwks_uri` and caches it; concurrent callers share one request.
    pub(crate) async fn fetch_keys(&self) -> Result<Rc<CachedKeys>, Error> {
        let this = self.clone();
        self.inner
            .keys
            .fetch
            .run(move || async move {
                let inner = &this.inner;
                let metadata = &inner.metadata;
                let jwks_uri = metadata.jwks_uri.clone().ok_or_else(key_fetch)?;
                let request = HttpRequest {
                    method: Method::Get,
                    url: jwks_uri.clone(),
                    headers: vec![(
                        "Accept".into(),
                        "application/jwk-set+json, application/json".into(),
                    )],
                    body: None,
                };
                let response = inner
                    .platform
                    .fetch(&request)
                    .await
                    .map_err(|_| key_fetch())?;
                let set = JwkSet::from_response(&response, inner.platform.json())?;
                let keys = Rc::new(CachedKeys {
                    issuer: metadata.issuer.clone(),
                    jwks_uri,
                    set,
                });
                *inner.keys.cached.borrow_mut() = Some(Rc::clone(&keys));
                Ok(keys)
            })
            .await
    }
}
