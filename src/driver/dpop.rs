//! DPoP in the driver (RFC 9449): the session's key, proofs on the requests that carry or redeem
//! tokens, the servers' nonces, and the proofs of authenticated requests to the app's APIs.
//!
//! The key pair is made by the platform at first use (a non-extractable WebCrypto key in browsers)
//! and lives in memory with the session; only its public half and signatures ever leave the
//! platform. A logout drops it, so the next session gets a new one.

use std::cell::RefCell;

use super::{Client, Platform};
use crate::core::dpop::{
    DpopPublicKey, ProofClaims, finish_proof, jkt, origin_allowed, origin_of, proof_signing_input,
    valid_nonce,
};
use crate::core::{AccessToken, Error, HttpRequest, HttpResponse, Json, Method, Misuse, Sha};

/// The session's DPoP key: the platform's handle to the private key, and the public key.
pub(crate) type Key<P> = (<P as Platform>::DpopKey, DpopPublicKey);

/// Most origins whose `DPoP-Nonce` is remembered (the provider's and the app's APIs).
const MAX_NONCE_ORIGINS: usize = 16;

/// Longest HTTP method accepted for an authenticated request's `htm`.
const MAX_METHOD_LEN: usize = 16;

impl<P: Platform> Client<P> {
    /// The session's DPoP key, made at first use; `None` when the client does not use DPoP.
    pub(crate) async fn dpop_key(&self) -> Result<Option<Key<P>>, Error> {
        if !self.inner.config.dpop {
            return Ok(None);
        }
        if let Some(key) = self.existing_dpop_key() {
            return Ok(Some(key));
        }
        let made = self.inner.platform.dpop_key().await?;
        // Another call may have made one meanwhile: the first one stays.
        let mut slot = self.inner.dpop_key.borrow_mut();
        Ok(Some(slot.get_or_insert(made).clone()))
    }

    /// `dpop_jkt` for the session's key (made now if needed), `None` without DPoP.
    pub(crate) async fn dpop_jkt(&self) -> Result<Option<String>, Error> {
        let Some((_, public)) = self.dpop_key().await? else {
            return Ok(None);
        };
        let digest = self
            .inner
            .platform
            .digest(Sha::Sha256, public.jwk().as_bytes())
            .await?;
        Ok(Some(jkt(&digest)))
    }

    /// The session's DPoP key if it has one; never a new one (see [`Client::dpop_key`]).
    pub(crate) fn existing_dpop_key(&self) -> Option<Key<P>> {
        self.inner.dpop_key.borrow().clone()
    }

    /// A proof for `method` and `url` signed with `key`, with `nonce`, and `ath` for `token` when
    /// the request carries one.
    async fn proof(
        &self,
        key: &Key<P>,
        method: &str,
        url: &str,
        token: Option<&AccessToken>,
        nonce: Option<String>,
    ) -> Result<String, Error> {
        let p = &self.inner.platform;
        let ath = match token {
            Some(t) => Some(p.digest(Sha::Sha256, t.secret().as_bytes()).await?),
            None => None,
        };
        let mut jti = [0u8; 16];
        p.fill_random(&mut jti)?;
        let input = proof_signing_input(
            &key.1,
            &ProofClaims {
                htm: method,
                url,
                iat: p.now(),
                jti: &jti,
                nonce: nonce.as_deref(),
                access_token_digest: ath.as_deref(),
            },
        );
        let signature = p.dpop_sign(&key.0, input.as_bytes()).await?;
        Ok(finish_proof(input, &signature))
    }

    /// Keeps `nonce` in `nonces` as the one to send to `url`'s origin; true when it is new for
    /// that origin.
    fn note_nonce(nonces: &RefCell<Nonces>, url: &str, nonce: Option<&str>) -> bool {
        let (Some(origin), Some(nonce)) = (origin_of(url), nonce.filter(|n| valid_nonce(n))) else {
            return false;
        };
        let mut nonces = nonces.borrow_mut();
        match nonces.iter_mut().find(|(k, _)| k == origin) {
            Some((_, n)) if n == nonce => false,
            Some((_, n)) => {
                nonce.clone_into(n);
                true
            }
            None => {
                if nonces.len() >= MAX_NONCE_ORIGINS {
                    nonces.remove(0);
                }
                nonces.push((origin.to_owned(), nonce.to_owned()));
                true
            }
        }
    }

    /// Sends `request` to the provider, with a proof made with `key` when there is one (`token`:
    /// the access token the request carries, for `ath`). An answer that asks for a nonce
    /// (`use_dpop_nonce`, RFC 9449 §8) and brings a new one is followed by exactly one more send
    /// with it (the server refused the first one, so nothing was used); a second such answer is
    /// `dpop_nonce_retry_exhausted`. A nonce on any answer is used for the next request.
    pub(crate) async fn send(
        &self,
        request: &HttpRequest,
        key: Option<&Key<P>>,
        token: Option<&AccessToken>,
    ) -> Result<HttpResponse, Error> {
        let p = &self.inner.platform;
        let Some(key) = key else {
            return p.fetch(request).await;
        };
        let method = match request.method {
            Method::Get => "GET",
            Method::Post => "POST",
        };
        let mut again = true;
        loop {
            let mut signed = request.clone();
            let nonce = nonce_for(&self.inner.nonces, &request.url);
            let proof = self.proof(key, method, &request.url, token, nonce).await?;
            signed.headers.push(("DPoP".to_owned(), proof));
            let response = p.fetch(&signed).await?;
            let nonce = response.dpop_nonce.as_deref();
            let fresh = Self::note_nonce(&self.inner.nonces, &request.url, nonce);
            if !asks_for_nonce(&response, p) {
                return Ok(response);
            }
            if !again {
                return Err(crate::core::InvalidResponse::DpopNonceRetryExhausted.into());
            }
            if !fresh {
                // Asked for a nonce without giving a new one: nothing to retry with.
                return Ok(response);
            }
            again = false;
        }
    }

    /// The access token and, with DPoP, a proof for one request of the application to `url` with
    /// `method` (RFC 9449 §7: `htm`, `htu`, `ath`, and the origin's last nonce). `url` must be
    /// absolute and on one of the configured `api_origins`, and not one of the provider's grant
    /// endpoints (token, pushed authorization, revocation), else `api_origin_not_allowed` before
    /// anything else happens. `nonce` is a `DPoP-Nonce` the API sent (kept for its origin, apart
    /// from the provider's). `refused` is an access token the API refused: the token is renewed
    /// first when it is still the session's, and not again when it was already replaced.
    pub async fn authorize_request(
        &self,
        method: &str,
        url: &str,
        nonce: Option<&str>,
        refused: Option<&str>,
    ) -> Result<(AccessToken, Option<String>), Error> {
        let m = &self.inner.metadata;
        let grant_endpoints = [
            Some(&m.token_endpoint),
            m.pushed_authorization_request_endpoint.as_ref(),
            m.revocation_endpoint.as_ref(),
        ];
        if !origin_allowed(url, &self.inner.config.api_origins)
            || grant_endpoints
                .iter()
                .flatten()
                .any(|e| crate::core::dpop::may_name_endpoint(url, e))
        {
            return Err(Error::Misuse(Misuse::ApiOriginNotAllowed));
        }
        let method_ok = !method.is_empty()
            && method.len() <= MAX_METHOD_LEN
            && method.bytes().all(|b| b.is_ascii_alphabetic());
        if !method_ok {
            return Err(Error::invalid_config("method", "must be an HTTP method"));
        }
        Self::note_nonce(&self.inner.api_nonces, url, nonce);
        let current = self.access_token(false).await?;
        let token = if refused.is_some_and(|r| r == current.secret()) {
            self.access_token(true).await?
        } else {
            current
        };
        if !self.inner.config.dpop {
            return Ok((token, None));
        }
        // The key the session's tokens are bound to; never a new one (K04).
        let Some(key) = self.existing_dpop_key() else {
            return Err(self.lost_dpop_key());
        };
        let nonce = nonce_for(&self.inner.api_nonces, url);
        let proof = self.proof(&key, method, url, Some(&token), nonce).await?;
        Ok((token, Some(proof)))
    }

    /// Ends a session whose DPoP key is gone: its tokens cannot be used or renewed with another
    /// key (RFC 9449 §5), so none is made for them (K04).
    pub(crate) fn lost_dpop_key(&self) -> Error {
        self.end_session(super::SignedOutReason::RefreshRejected);
        Error::login_required(crate::core::LoginRequiredReason::RefreshRejected)
    }
}

/// The nonces last given by each origin (origin, nonce).
pub(crate) type Nonces = Vec<(String, String)>;

/// The nonce last given by `url`'s origin, if any.
fn nonce_for(nonces: &RefCell<Nonces>, url: &str) -> Option<String> {
    let origin = origin_of(url)?;
    let nonces = nonces.borrow();
    nonces
        .iter()
        .find(|(k, _)| k == origin)
        .map(|(_, n)| n.clone())
}

/// Whether a refused request asks for a DPoP nonce: a 400 or 401 whose JSON `error` is
/// `use_dpop_nonce` (the token endpoint, RFC 9449 §8), or a 401 whose `WWW-Authenticate` says
/// `error="use_dpop_nonce"` (a resource server such as userinfo, §9).
fn asks_for_nonce<P: Platform>(response: &HttpResponse, p: &P) -> bool {
    if response.status != 400 && response.status != 401 {
        return false;
    }
    let challenged = response.status == 401
        && response.www_authenticate.as_deref().is_some_and(|w| {
            // `error` as a quoted string or a token, with optional whitespace (RFC 9110 §11.2),
            // and nothing more of the value after it.
            let w: String = w
                .to_ascii_lowercase()
                .chars()
                .filter(|c| !matches!(c, '"' | ' ' | '\t'))
                .collect();
            w.match_indices("error=use_dpop_nonce").any(|(i, m)| {
                w.get(i + m.len()..)
                    .is_none_or(|rest| rest.is_empty() || rest.starts_with(','))
            })
        });
    challenged
        || p.json()
            .parse(&response.body)
            .is_some_and(|j| j.get("error").and_then(Json::as_str) == Some("use_dpop_nonce"))
}
