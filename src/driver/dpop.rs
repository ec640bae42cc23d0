//! DPoP in the driver (RFC 9449): the session's key, proofs on the requests that carry or redeem
//! tokens, the servers' nonces, and the proofs of authenticated requests to the app's APIs.
//!
//! The key pair is made by the platform at first use (a non-extractable WebCrypto key in browsers)
//! and lives in memory with the session; only its public half and signatures ever leave the
//! platform. A logout drops it, so the next session gets a new one.

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
        if let Some(key) = self.inner.dpop_key.borrow().clone() {
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

    /// A proof for `method` and `url` signed with `key`, with the `nonce` last given for the URL's
    /// origin, and `ath` for `token` when the request carries one.
    async fn proof(
        &self,
        key: &Key<P>,
        method: &str,
        url: &str,
        token: Option<&AccessToken>,
    ) -> Result<String, Error> {
        let p = &self.inner.platform;
        let ath = match token {
            Some(t) => Some(p.digest(Sha::Sha256, t.secret().as_bytes()).await?),
            None => None,
        };
        let mut jti = [0u8; 16];
        p.fill_random(&mut jti)?;
        let nonce = origin_of(url).and_then(|o| {
            let nonces = self.inner.nonces.borrow();
            nonces.iter().find(|(k, _)| k == o).map(|(_, n)| n.clone())
        });
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

    /// Keeps `nonce` as the one to send to `url`'s origin; true when it is new for that origin.
    fn note_nonce(&self, url: &str, nonce: Option<&str>) -> bool {
        let (Some(origin), Some(nonce)) = (origin_of(url), nonce.filter(|n| valid_nonce(n))) else {
            return false;
        };
        let mut nonces = self.inner.nonces.borrow_mut();
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
            let proof = self.proof(key, method, &request.url, token).await?;
            signed.headers.push(("DPoP".to_owned(), proof));
            let response = p.fetch(&signed).await?;
            let fresh = self.note_nonce(&request.url, response.dpop_nonce.as_deref());
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
    /// absolute and on one of the configured `api_origins`, else `api_origin_not_allowed` before
    /// anything else happens. `nonce` is a `DPoP-Nonce` the API sent (kept for its origin);
    /// `force` renews the access token first (after the API refused it).
    pub async fn authorize_request(
        &self,
        method: &str,
        url: &str,
        nonce: Option<&str>,
        force: bool,
    ) -> Result<(AccessToken, Option<String>), Error> {
        if !origin_allowed(url, &self.inner.config.api_origins) {
            return Err(Error::Misuse(Misuse::ApiOriginNotAllowed));
        }
        let method_ok = !method.is_empty()
            && method.len() <= MAX_METHOD_LEN
            && method.bytes().all(|b| b.is_ascii_alphabetic());
        if !method_ok {
            return Err(Error::invalid_config("method", "must be an HTTP method"));
        }
        self.note_nonce(url, nonce);
        let token = self.access_token(force).await?;
        let proof = match self.dpop_key().await? {
            Some(key) => Some(self.proof(&key, method, url, Some(&token)).await?),
            None => None,
        };
        Ok((token, proof))
    }
}

/// Whether a refused request asks for a DPoP nonce: a 400 or 401 whose JSON `error` is
/// `use_dpop_nonce` (RFC 9449 §8, §9).
fn asks_for_nonce<P: Platform>(response: &HttpResponse, p: &P) -> bool {
    if response.status != 400 && response.status != 401 {
        return false;
    }
    p.json()
        .parse(&response.body)
        .is_some_and(|j| j.get("error").and_then(Json::as_str) == Some("use_dpop_nonce"))
}
