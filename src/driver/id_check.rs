//! The checks of one ID token as a sans-I/O machine: what to do with a token response's ID token.
//!
//! It decides, in order (OIDC Core §3.1.3.7): the `alg` policy, before anything is fetched; which
//! key of the provider's key set verifies the signature, and whether an unknown `kid` may cause one
//! refetch of the set (key rotation, §10.1.1; at most one per [`REFETCH_COOLDOWN_SECS`] for the
//! client); the signature's verification; the digest of the access token for `at_hash`; and then
//! the claims. The driver's loop (`Client::check_id_token`) runs what it asks for (fetch the key
//! set, verify this signature with this key, digest the access token) and feeds the outcomes back.
//! The machine reads no clock and does no I/O; out-of-turn outcomes are ignored.
//!
//! [`REFETCH_COOLDOWN_SECS`]: super::REFETCH_COOLDOWN_SECS

use std::rc::Rc;

use super::keys::{CachedKeys, KeyCache};
use crate::core::{Error, IdTokenProblem, Jws, KeyMatch, Sha, check_alg, check_signature_shape};

/// What the check needs next.
#[derive(Debug, PartialEq)]
pub(crate) enum Need {
    /// The provider's key set, fetched (or fetched again for an unknown `kid`).
    Keys,
    /// The signature verified with this public key (JWK JSON).
    Verify(String),
    /// The digest of the access token, for `at_hash`.
    Digest(Sha),
    /// The signature holds: the claims are checked next, with this digest of the access token
    /// (`None` without `at_hash`; empty for an `alg` without a digest, which the claims refuse).
    Claims(Option<Vec<u8>>),
    /// The token is refused.
    Refused(Error),
}

enum Stage {
    /// A key to pick from the key set held (or the set to fetch).
    Select,
    /// Waiting for the key set.
    Keys,
    /// Waiting for the signature's verification with this key.
    Verifying(String),
    /// The signature holds: the digest, if any, comes next.
    Verified,
    /// Waiting for this digest.
    Digesting(Sha),
    /// The outcome is known: handed out next.
    End(Result<Option<Vec<u8>>, Error>),
    /// The outcome was handed out.
    Done,
}

/// The checks of one ID token.
pub(crate) struct IdCheck {
    stage: Stage,
    /// The key set to pick from.
    keys: Option<Rc<CachedKeys>>,
    /// Whether `keys` was fetched for this token (so an unknown `kid` is final).
    fresh: bool,
}

impl IdCheck {
    /// Starts the checks of `jws`: `allowed` is the client's `alg` allow-list (against the
    /// metadata), `has_jwks_uri` whether the provider publishes its keys, `cached` the key set
    /// the client holds for this provider, if any.
    pub(crate) fn new(
        jws: &Jws,
        allowed: &[String],
        has_jwks_uri: bool,
        cached: Option<Rc<CachedKeys>>,
    ) -> Self {
        let stage = match check_alg(jws, allowed) {
            Err(e) => Stage::End(Err(e)),
            Ok(()) if !has_jwks_uri => Stage::End(Err(Error::metadata_invalid("jwks_uri"))),
            Ok(()) => Stage::Select,
        };
        IdCheck {
            stage,
            keys: cached,
            fresh: false,
        }
    }

    /// What the check needs next; `cache` holds the client's refetch cool-down, `now` is the time
    /// (Unix seconds). While an outcome is awaited, asks for it again; after the end, refuses.
    pub(crate) fn next(&mut self, jws: &Jws, cache: &KeyCache, now: u64) -> Need {
        loop {
            match &self.stage {
                Stage::Keys => return Need::Keys,
                Stage::Verifying(jwk) => return Need::Verify(jwk.clone()),
                Stage::Digesting(sha) => return Need::Digest(*sha),
                Stage::Done => return Need::Refused(Error::id_token(IdTokenProblem::Signature)),
                Stage::End(_) => {
                    return match std::mem::replace(&mut self.stage, Stage::Done) {
                        Stage::End(Ok(digest)) => Need::Claims(digest),
                        Stage::End(Err(e)) => Need::Refused(e),
                        _ => Need::Refused(Error::id_token(IdTokenProblem::Signature)),
                    };
                }
                Stage::Select => self.stage = self.select(jws, cache, now),
                Stage::Verified => {
                    self.stage = match (jws.payload.get("at_hash"), Sha::for_jws_alg(&jws.alg)) {
                        (None, _) => Stage::End(Ok(None)),
                        (Some(_), Some(sha)) => Stage::Digesting(sha),
                        (Some(_), None) => Stage::End(Ok(Some(Vec::new()))),
                    }
                }
            }
        }
    }

    /// Picks the key for `jws` from the key set held: the next stage.
    fn select(&self, jws: &Jws, cache: &KeyCache, now: u64) -> Stage {
        let Some(keys) = &self.keys else {
            return Stage::Keys;
        };
        match keys.set.select(&jws.alg, jws.kid.as_deref()) {
            Err(e) => Stage::End(Err(e)),
            Ok(KeyMatch::Found(key)) => match check_signature_shape(jws, key) {
                Err(e) => Stage::End(Err(e)),
                Ok(()) => Stage::Verifying(key.public_jwk().to_owned()),
            },
            // A set fetched for this token is final; an older one is fetched again, at most once
            // per cool-down for the client.
            Ok(KeyMatch::Unknown) if self.fresh || !cache.take_refetch(now) => {
                Stage::End(Err(Error::id_token(IdTokenProblem::KeySelection)))
            }
            Ok(KeyMatch::Unknown) => Stage::Keys,
        }
    }

    /// The key set asked for, or why it could not be had.
    pub(crate) fn keys(&mut self, result: Result<Rc<CachedKeys>, Error>) {
        if !matches!(self.stage, Stage::Keys) {
            return;
        }
        self.stage = match result {
            Ok(keys) => {
                self.keys = Some(keys);
                self.fresh = true;
                Stage::Select
            }
            Err(e) => Stage::End(Err(e)),
        }
    }

    /// Whether the signature verified (`Err`: verification could not run).
    pub(crate) fn verified(&mut self, result: Result<bool, Error>) {
        if !matches!(self.stage, Stage::Verifying(_)) {
            return;
        }
        self.stage = match result {
            Ok(true) => Stage::Verified,
            Ok(false) => Stage::End(Err(Error::id_token(IdTokenProblem::Signature))),
            Err(e) => Stage::End(Err(e)),
        }
    }

    /// The access token's digest asked for (`Err`: hashing could not run).
    pub(crate) fn digested(&mut self, result: Result<Vec<u8>, Error>) {
        if matches!(self.stage, Stage::Digesting(_)) {
            self.stage = Stage::End(result.map(Some));
        }
    }
}

#[cfg(test)]
#[path = "tests/id_check.rs"]
mod tests;
