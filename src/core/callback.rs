//! The authorization response on the redirect URI (RFC 6749 §4.1.2, RFC 9207 §2.4,
//! RFC 9700 §4.7): parameter extraction and validation against the pending login.

use std::fmt;

use super::authorize::PendingLogin;
use super::config::Tenants;
use super::discovery::{ProviderMetadata, tenant_segment};
use super::error::{Error, ErrorOrigin, InvalidResponse, Misuse, OAuthError};
use super::secret::{AuthorizationCode, constant_time_eq};

/// Names whose presence in a URL marks it as an authorization response (used to scrub the address bar).
pub const RESPONSE_PARAMS: &[&str] = &[
    "code",
    "state",
    "iss",
    "error",
    "error_description",
    "error_uri",
    "session_state",
];

/// Parameters of the implicit and hybrid flows; never accepted in a callback (RFC 9700 §2.1.2, §4.6).
pub const FORBIDDEN_CALLBACK_PARAMS: &[&str] = &[
    "access_token",
    "id_token",
    "token_type",
    "expires_in",
    "refresh_token",
];

/// Parameters that must appear at most once and only in the query (response_mode=query).
const SINGLE_PARAMS: &[&str] = &[
    "code",
    "state",
    "iss",
    "error",
    "error_description",
    "error_uri",
];

/// The authorization response parameters (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 §2).
#[derive(Clone, PartialEq)]
pub struct CallbackParams {
    /// `state` (empty counts as absent).
    pub state: Option<String>,
    code: Option<AuthorizationCode>,
    /// `iss` (RFC 9207 §2).
    pub iss: Option<String>,
    /// `error` (RFC 6749 §4.1.2.1).
    pub error: Option<String>,
    /// `error_description`: untrusted plain text.
    pub error_description: Option<String>,
    /// `error_uri`: untrusted.
    pub error_uri: Option<String>,
}

impl fmt::Debug for CallbackParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackParams")
            .field("state", &self.state.as_ref().map(|_| "[redacted]"))
            .field("code", &self.code.as_ref().map(|_| "[redacted]"))
            .field("iss", &self.iss)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

/// A callback that passed every check; only [`CallbackParams::validate`] makes one. It is
/// consumed by the code exchange, so a code is redeemed at most once.
#[derive(Debug)]
pub struct ValidatedCallback {
    pub(crate) code: AuthorizationCode,
    /// The response's RFC 9207 `iss`, when it had one: the ID token must name the same issuer.
    pub iss: Option<String>,
}

impl CallbackParams {
    /// `query` and `fragment` are the DECODED name/value pairs (the browser's URLSearchParams gives them).
    ///
    /// Refuses tokens in the URL (B09: `UnexpectedParameter`), response parameters in the
    /// fragment (`AmbiguousResponse`) and repeated response parameters (`DuplicateParameter`).
    pub fn from_pairs(
        query: &[(String, String)],
        fragment: &[(String, String)],
    ) -> Result<Self, Error> {
        if let Some((name, _)) = query
            .iter()
            .chain(fragment.iter())
            .find(|(name, _)| FORBIDDEN_CALLBACK_PARAMS.contains(&name.as_str()))
        {
            return Err(InvalidResponse::UnexpectedParameter { name: name.clone() }.into());
        }
        if fragment
            .iter()
            .any(|(name, _)| SINGLE_PARAMS.contains(&name.as_str()))
        {
            return Err(InvalidResponse::AmbiguousResponse.into());
        }
        let mut found: [Option<&str>; 6] = [None; 6];
        for (name, value) in query {
            let Some(index) = SINGLE_PARAMS.iter().position(|p| p == name) else {
                continue;
            };
            let Some(slot) = found.get_mut(index) else {
                continue;
            };
            if slot.is_some() {
                return Err(InvalidResponse::DuplicateParameter { name: name.clone() }.into());
            }
            *slot = Some(value.as_str());
        }
        let [code, state, iss, error, error_description, error_uri] = found;
        let non_empty = |v: Option<&str>| v.filter(|s| !s.is_empty()).map(str::to_owned);
        let owned = |v: Option<&str>| v.map(str::to_owned);
        Ok(Self {
            state: non_empty(state),
            code: non_empty(code).map(AuthorizationCode::new),
            iss: owned(iss),
            error: owned(error),
            error_description: owned(error_description),
            error_uri: owned(error_uri),
        })
    }

    /// The `state`, to look up the pending login.
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// Whether a non-empty `code` is present.
    pub fn has_code(&self) -> bool {
        self.code.is_some()
    }

    /// Checks the response against the pending login, in the order RFC 9207 §2.4 requires
    /// (errors are trusted only after `state` and `iss`): state present (B02), state equal,
    /// not expired (B16), issuer (B11, C02, C04), then error (B10), then code (B12).
    pub fn validate(
        self,
        pending: &PendingLogin,
        metadata: &ProviderMetadata,
        ttl_secs: u64,
        now: u64,
    ) -> Result<ValidatedCallback, Error> {
        self.validate_with_tenants(pending, metadata, None, ttl_secs, now)
    }

    /// [`Self::validate`] for a client in multi-tenant mode ([`ClientConfig::allowed_tenants`]):
    /// an `iss` is then also accepted when it is the discovery `issuer` with an accepted tenant in
    /// place of `{tenantid}`.
    ///
    /// [`ClientConfig::allowed_tenants`]: super::config::ClientConfig::allowed_tenants
    pub fn validate_with_tenants(
        self,
        pending: &PendingLogin,
        metadata: &ProviderMetadata,
        tenants: Option<&Tenants>,
        ttl_secs: u64,
        now: u64,
    ) -> Result<ValidatedCallback, Error> {
        let Some(state) = self.state.as_deref() else {
            return Err(InvalidResponse::StateMissing.into());
        };
        if !constant_time_eq(state.as_bytes(), pending.state.secret().as_bytes()) {
            return Err(InvalidResponse::StateMismatch.into());
        }
        if pending.is_expired(now, ttl_secs) {
            return Err(Misuse::TransactionExpired.into());
        }
        // The metadata must belong to the issuer the request went to, or the code would be
        // sent to another provider's token endpoint (mix-up, RFC 9700 §4.4).
        let template = metadata.issuer.as_str();
        if template != pending.issuer && tenant_segment(template, &pending.issuer).is_none() {
            return Err(InvalidResponse::IssuerMismatch.into());
        }
        let tenant_issuer = |iss: &str| {
            tenants.is_some_and(|t| tenant_segment(template, iss).is_some_and(|tid| t.allows(tid)))
        };
        match self.iss.as_deref() {
            Some(iss) if iss != pending.issuer && !tenant_issuer(iss) => {
                return Err(InvalidResponse::IssuerMismatch.into());
            }
            None if metadata.iss_parameter_supported => {
                return Err(InvalidResponse::IssuerMissing.into());
            }
            _ => {}
        }
        if let Some(error) = self.error {
            return Err(Error::Server(OAuthError {
                error,
                error_description: self.error_description,
                error_uri: self.error_uri,
                status: None,
                origin: ErrorOrigin::Redirect,
            }));
        }
        match self.code {
            Some(code) => Ok(ValidatedCallback {
                code,
                iss: self.iss,
            }),
            None => Err(InvalidResponse::MissingCode.into()),
        }
    }
}

#[cfg(test)]
#[path = "tests/callback.rs"]
mod tests;

#[cfg(test)]
#[path = "tests/callback_issuer.rs"]
mod issuer_tests;
