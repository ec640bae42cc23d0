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
    "dpop_jkt",
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
    /// Multi-tenant issuer mode (Microsoft Entra ID `common`/`organizations`): which tenants may
    /// sign users in. `None` (the default): the issuer is matched exactly.
    pub allowed_tenants: Option<Tenants>,
    /// A logout endpoint for providers whose discovery document has no `end_session_endpoint`.
    pub logout_endpoint: Option<LogoutEndpoint>,
    /// A revocation endpoint (RFC 7009) for providers whose discovery document has no
    /// `revocation_endpoint` (Cognito's `/oauth2/revoke`); the discovered one wins.
    pub revocation_endpoint: Option<String>,
    /// Push every authorization request to the provider's `pushed_authorization_request_endpoint`
    /// (RFC 9126) and send the browser there with only `client_id` and `request_uri`; default false.
    /// A provider that advertises none makes every login fail with `par_unsupported`. A provider that
    /// requires pushed requests gets them without this option.
    pub pushed_authorization_requests: bool,
    /// Bind the tokens to a key with DPoP (RFC 9449, ES256); default false. The provider must
    /// advertise ES256 in `dpop_signing_alg_values_supported`, or the client is refused with
    /// `dpop_unsupported`; a Bearer token issued in spite of it is refused with `token_type_downgrade`.
    pub dpop: bool,
    /// The exact origins (`https://api.example.com`, no path) to which an authenticated request may
    /// send the access token; any other origin is refused before anything is sent.
    pub api_origins: Vec<String>,
}

/// The tenants a multi-tenant issuer accepts (see [`ClientConfig::allowed_tenants`]).
///
/// With this mode the discovery document's `issuer` may hold the placeholder `{tenantid}` in place
/// of one path segment of the configured issuer (Entra's `common`, `organizations` or
/// `consumers`). Each ID token must then carry a `tid` claim naming an accepted tenant, and its
/// `iss` must be that issuer with `tid` in place of the placeholder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tenants {
    /// Any tenant (explicitly chosen: every organisation's users may sign in).
    Any,
    /// Only these tenant identifiers.
    List(Vec<String>),
}

impl Tenants {
    /// Whether `tid` is an accepted tenant (tenant ids, GUIDs, compared without regard to ASCII
    /// case).
    pub fn allows(&self, tid: &str) -> bool {
        is_tenant_id(tid)
            && match self {
                Self::Any => true,
                Self::List(list) => list.iter().any(|t| t.eq_ignore_ascii_case(tid)),
            }
    }
}

/// The placeholder for the tenant in a multi-tenant discovery `issuer`.
pub const TENANT_PLACEHOLDER: &str = "{tenantid}";

/// A tenant identifier: 1 to 64 ASCII letters, digits, `-`, `.` or `_` (GUIDs and domain names;
/// never `/`, so it cannot change the issuer's path).
pub fn is_tenant_id(tid: &str) -> bool {
    !tid.is_empty()
        && tid.len() <= 64
        && tid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        && tid != "."
        && tid != ".."
}

/// A configured logout endpoint (RP-initiated logout for providers without
/// `end_session_endpoint` in discovery, such as Auth0's `/v2/logout` or Cognito's `/logout`).
/// Such endpoints take no `state`, so the return from them is not checked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogoutEndpoint {
    /// The endpoint URL (https, or loopback http with `allow_loopback_http`).
    pub url: String,
    /// The parameter that carries `post_logout_redirect_uri`; default `post_logout_redirect_uri`.
    pub redirect_param: String,
    /// The parameter that carries the client id; default `client_id`, `None` to leave it out.
    pub client_id_param: Option<String>,
    /// The parameter that carries the last ID token; default `None` (not sent).
    pub id_token_hint_param: Option<String>,
}

impl LogoutEndpoint {
    /// An endpoint with the default parameter names.
    pub fn new(url: String) -> Self {
        Self {
            url,
            redirect_param: "post_logout_redirect_uri".to_owned(),
            client_id_param: Some("client_id".to_owned()),
            id_token_hint_param: None,
        }
    }

    /// Sets the parameter that carries `post_logout_redirect_uri` (Auth0: `returnTo`; Cognito:
    /// `logout_uri`).
    pub fn with_redirect_param(mut self, name: impl Into<String>) -> Self {
        self.redirect_param = name.into();
        self
    }

    /// Sets the parameter that carries the client id; `None` leaves the client id out.
    pub fn with_client_id_param(mut self, name: Option<String>) -> Self {
        self.client_id_param = name;
        self
    }

    /// Sets the parameter that carries the last ID token; `None` (the default) leaves it out.
    pub fn with_id_token_hint_param(mut self, name: Option<String>) -> Self {
        self.id_token_hint_param = name;
        self
    }

    fn validate(&self, loopback: bool) -> Result<(), Error> {
        const FIELD: &str = "logoutEndpoint";
        check_config_url(&self.url, loopback, FIELD)?;
        // The names are percent-encoded into the query like the values, so only emptiness matters.
        let names = [
            Some(&self.redirect_param),
            self.client_id_param.as_ref(),
            self.id_token_hint_param.as_ref(),
        ];
        if names.into_iter().flatten().any(String::is_empty) {
            return Err(Error::invalid_config(
                FIELD,
                "parameter names must not be empty",
            ));
        }
        Ok(())
    }
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
            allowed_tenants: None,
            logout_endpoint: None,
            revocation_endpoint: None,
            pushed_authorization_requests: false,
            dpop: false,
            api_origins: Vec::new(),
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
        if let Some(Tenants::List(list)) = &self.allowed_tenants {
            if list.is_empty() || !list.iter().all(|t| is_tenant_id(t)) {
                return Err(Error::invalid_config(
                    "allowedTenants",
                    "must be \"any\" or a non-empty list of tenant ids (letters, digits, '-', '.', '_')",
                ));
            }
        }
        if let Some(endpoint) = &self.logout_endpoint {
            endpoint.validate(loopback)?;
        }
        if let Some(url) = &self.revocation_endpoint {
            check_config_url(url, loopback, "revocationEndpoint")?;
        }
        for origin in &self.api_origins {
            check_config_url(origin, loopback, "apiOrigins")?;
            if !super::dpop::is_canonical_origin(origin) {
                return Err(Error::invalid_config(
                    "apiOrigins",
                    "each must be an origin only, in lower case and without a default port (https://api.example.com)",
                ));
            }
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

#[cfg(test)]
#[path = "tests/tenants.rs"]
mod tenant_tests;
