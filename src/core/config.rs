//! Client configuration and its validation. Field names in errors use the JavaScript spelling.

use super::endpoint::check_config_url;
use super::error::{Error, Misuse};

/// ID-token signing algorithms a client may allow (asymmetric only: never `none` or HS*,
/// RFC 8725 §3.1, OIDC Core §10.1).
pub const SUPPORTED_ID_TOKEN_ALGS: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
];

/// Authorization request parameters the library sets itself; `extra_auth_params` may not.
pub const RESERVED_AUTH_PARAMS: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "max_age",
    "response_mode",
    "request",
    "request_uri",
];

/// Largest accepted clock leeway in seconds.
pub const MAX_LEEWAY_SECS: u64 = 300;

/// Largest accepted pending-login time-to-live in seconds.
pub const MAX_TRANSACTION_TTL_SECS: u64 = 3600;

/// Configuration of one public client at one provider (RFC 6749 §2.1, OIDC Core §3.1.2.1).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The issuer identifier, compared byte for byte (OIDC Discovery §4.3).
    pub issuer: String,
    /// The client identifier (RFC 6749 §2.2).
    pub client_id: String,
    /// The exact registered redirect URI (RFC 9700 §2.1).
    pub redirect_uri: String,
    /// Where the provider returns after logout (RP-Initiated Logout §2).
    pub post_logout_redirect_uri: Option<String>,
    /// Space-separated scopes (RFC 6749 §3.3); default `"openid"`.
    pub scope: String,
    /// Extra authorization request parameters (e.g. `prompt`); reserved names are refused.
    pub extra_auth_params: Vec<(String, String)>,
    /// Allow `http` to loopback hosts, for development only; default false.
    pub allow_loopback_http: bool,
    /// Clock tolerance for `exp`, `iat`, `nbf` and `auth_time`; default 60, at most 300.
    pub leeway_secs: u64,
    /// How old an ID token's `iat` may be (plus leeway); default 600.
    pub max_iat_age_secs: u64,
    /// Client allow-list of ID-token `alg` values; default RS256, PS256, ES256.
    pub id_token_signing_algs: Vec<String>,
    /// OIDC `max_age` (Core §3.1.2.1), sent when set.
    pub max_age: Option<u64>,
    /// Lifetime of a pending login; default 600, at most 3600.
    pub transaction_ttl_secs: u64,
    /// Refresh this many seconds before the access token expires; default 45.
    pub refresh_margin_secs: u64,
}

impl ClientConfig {
    /// A configuration with the documented defaults.
    pub fn new(issuer: String, client_id: String, redirect_uri: String) -> Self {
        Self {
            issuer,
            client_id,
            redirect_uri,
            post_logout_redirect_uri: None,
            scope: "openid".to_owned(),
            extra_auth_params: Vec::new(),
            allow_loopback_http: false,
            leeway_secs: 60,
            max_iat_age_secs: 600,
            id_token_signing_algs: vec!["RS256".to_owned(), "PS256".to_owned(), "ES256".to_owned()],
            max_age: None,
            transaction_ttl_secs: 600,
            refresh_margin_secs: 45,
        }
    }

    /// Whether the scope contains the token `openid` (OIDC Core §3.1.2.1).
    pub fn wants_openid(&self) -> bool {
        self.scope.split(' ').any(|s| s == "openid")
    }

    /// Checks every field; the first failure is `Misuse::InvalidConfig { field, reason }`.
    pub fn validate(&self) -> Result<(), Error> {
        let loopback = self.allow_loopback_http;
        check_config_url(&self.issuer, loopback, "issuer")?;
        if self.issuer.contains('?') {
            return Err(Error::invalid_config("issuer", "must not contain a query"));
        }
        if self.client_id.is_empty() || !self.client_id.bytes().all(|b| (0x20..=0x7E).contains(&b))
        {
            return Err(Error::invalid_config(
                "clientId",
                "must be non-empty printable ASCII",
            ));
        }
        check_config_url(&self.redirect_uri, loopback, "redirectUri")?;
        if let Some(uri) = &self.post_logout_redirect_uri {
            check_config_url(uri, loopback, "postLogoutRedirectUri")?;
        }
        if !is_valid_scope(&self.scope) {
            return Err(Error::invalid_config(
                "scope",
                "must be space-separated printable ASCII tokens without '\"' or '\\'",
            ));
        }
        self.validate_extra_params()?;
        if self.id_token_signing_algs.is_empty() {
            return Err(Error::invalid_config(
                "idTokenSigningAlgs",
                "must not be empty",
            ));
        }
        if !self
            .id_token_signing_algs
            .iter()
            .all(|a| SUPPORTED_ID_TOKEN_ALGS.contains(&a.as_str()))
        {
            return Err(Error::invalid_config(
                "idTokenSigningAlgs",
                "only RS*, PS*, ES* and EdDSA are allowed (never none or HS*)",
            ));
        }
        if self.leeway_secs > MAX_LEEWAY_SECS {
            return Err(Error::invalid_config("leewaySecs", "must be at most 300"));
        }
        if self.transaction_ttl_secs == 0 || self.transaction_ttl_secs > MAX_TRANSACTION_TTL_SECS {
            return Err(Error::invalid_config(
                "transactionTtlSecs",
                "must be between 1 and 3600",
            ));
        }
        Ok(())
    }

    fn validate_extra_params(&self) -> Result<(), Error> {
        for (name, _) in &self.extra_auth_params {
            if name.is_empty() {
                return Err(Error::invalid_config(
                    "extraAuthParams",
                    "parameter name is empty",
                ));
            }
            if RESERVED_AUTH_PARAMS.contains(&name.as_str()) {
                return Err(Error::invalid_config(
                    "extraAuthParams",
                    "sets a parameter the library controls",
                ));
            }
        }
        Ok(())
    }
}

/// RFC 6749 §3.3 scope syntax: tokens of %x21 / %x23-5B / %x5D-7E separated by single spaces.
pub(crate) fn is_valid_scope(scope: &str) -> bool {
    !scope.is_empty()
        && scope.split(' ').all(|token| {
            !token.is_empty()
                && token
                    .bytes()
                    .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
        })
}

/// Refuses configurations in which two providers share an issuer (RFC 9207 §4, mix-up
/// defence). Issuers are compared ignoring ASCII case and one trailing `/`, so near-duplicates
/// that resolve to the same discovery document are refused too.
pub fn check_distinct_issuers(configs: &[ClientConfig]) -> Result<(), Error> {
    fn key(issuer: &str) -> String {
        issuer
            .strip_suffix('/')
            .unwrap_or(issuer)
            .to_ascii_lowercase()
    }
    for (i, a) in configs.iter().enumerate() {
        let ka = key(&a.issuer);
        if configs
            .iter()
            .skip(i.saturating_add(1))
            .any(|b| key(&b.issuer) == ka)
        {
            return Err(Error::Misuse(Misuse::DuplicateIssuer));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "tests/config.rs"]
mod tests;
