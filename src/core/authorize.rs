//! The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1) and the
//! pending-login record kept in `sessionStorage` between redirect and callback.

use std::fmt;

use super::config::ClientConfig;
use super::discovery::ProviderMetadata;
use super::endpoint::{append_encoded, form_urlencode};
use super::error::{Error, InvalidResponse, Misuse, Platform};
use super::json::{Json, JsonParser};
use super::login_options::{LoginOptions, essential_acr_claims, is_valid_acr_list};
use super::pkce::{challenge_of, is_well_formed_verifier, s256_challenge};
use super::secret::{CodeVerifier, Nonce, State, random_value};
use super::text::push_u64;

/// Largest accepted return-to path, in bytes.
pub const MAX_RETURN_TO_LEN: usize = 2048;

/// Largest accepted storage string, in bytes.
const MAX_STORAGE_LEN: usize = 16 * 1024;

/// Storage format version.
const STORAGE_VERSION: u64 = 1;

/// Caller-supplied randomness for one login: 32 bytes each (RFC 6749 §10.10, RFC 7636 §7.1).
#[derive(Clone)]
pub struct LoginRandom {
    /// Bytes for `state`.
    pub state: [u8; 32],
    /// Bytes for `nonce`.
    pub nonce: [u8; 32],
    /// Bytes for the PKCE `code_verifier`.
    pub verifier: [u8; 32],
}

impl fmt::Debug for LoginRandom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LoginRandom([redacted])")
    }
}

/// The transaction record of one login (RFC 9700 §2.1.1): what the callback is checked
/// against. It holds secrets but never tokens; `Debug` redacts the secrets.
#[derive(Clone, PartialEq, Debug)]
pub struct PendingLogin {
    /// The `state` sent.
    pub state: State,
    /// The `nonce` sent.
    pub nonce: Nonce,
    /// The PKCE verifier.
    pub verifier: CodeVerifier,
    /// The issuer the request went to (RFC 9207 §2.4).
    pub issuer: String,
    /// The client identifier.
    pub client_id: String,
    /// The exact `redirect_uri` sent (RFC 6749 §4.1.3).
    pub redirect_uri: String,
    /// Same-origin path to return to after login.
    pub return_to: Option<String>,
    /// Creation time, Unix seconds.
    pub created_at: u64,
    /// The `max_age` sent, if any (OIDC Core §3.1.2.1).
    pub max_age: Option<u64>,
    /// A silent restore (`prompt=none`): a provider answer that interaction is needed ends it quietly.
    pub silent: bool,
    /// The `acr_values` sent (empty when none).
    pub acr_values: Vec<String>,
    /// Whether one of [`Self::acr_values`] was asked as an essential claim: the ID token's `acr`
    /// must then be one of them.
    pub acr_essential: bool,
}

/// An authorization URL to navigate to, and the record to store before navigating.
/// `Debug` omits the URL's query and the parameters, which carry `state` and `nonce`.
pub struct AuthorizationRequest {
    /// The full authorization URL.
    pub url: String,
    /// The request's parameters, form-encoded (the URL's added query): the body of a pushed
    /// authorization request (RFC 9126 §2.1).
    pub params: String,
    /// The transaction record.
    pub pending: PendingLogin,
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let endpoint = self.url.split('?').next().unwrap_or("");
        f.debug_struct("AuthorizationRequest")
            .field("url", &format_args!("{endpoint}?[redacted]"))
            .field("pending", &self.pending)
            .finish()
    }
}

/// Builds the authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1):
/// `response_type=code`, `client_id`, `redirect_uri`, `scope`, `state`, `nonce`,
/// `code_challenge`, `code_challenge_method=S256`, then the typed options of `options`
/// (`max_age`: the smaller of the login's and the configured one; `prompt`, `login_hint`,
/// `ui_locales`, `acr_values`, and `claims` for an essential `acr`), then the extra parameters
/// whose names no typed option took.
pub fn authorization_request(
    config: &ClientConfig,
    metadata: &ProviderMetadata,
    random: &LoginRandom,
    options: &LoginOptions,
    now: u64,
) -> Result<AuthorizationRequest, Error> {
    let challenge = s256_challenge(&CodeVerifier::from_random(&random.verifier));
    build_request(config, metadata, random, challenge, options, now)
}

/// [`authorization_request`] with the SHA-256 digest of the verifier computed by the caller
/// (`digest` = SHA-256 of [`CodeVerifier::from_random`]`(&random.verifier)`, as WebCrypto's
/// `digest` gives it). The browser engine uses this, so that its build carries no SHA-256 code.
pub fn authorization_request_with_digest(
    config: &ClientConfig,
    metadata: &ProviderMetadata,
    random: &LoginRandom,
    digest: &[u8; 32],
    options: &LoginOptions,
    now: u64,
) -> Result<AuthorizationRequest, Error> {
    build_request(config, metadata, random, challenge_of(digest), options, now)
}

fn build_request(
    config: &ClientConfig,
    metadata: &ProviderMetadata,
    random: &LoginRandom,
    challenge: String,
    options: &LoginOptions,
    now: u64,
) -> Result<AuthorizationRequest, Error> {
    config.validate()?;
    if !super::discovery::issuer_matches(config, &metadata.issuer) {
        return Err(InvalidResponse::DiscoveryIssuerMismatch.into());
    }
    options.validate()?;
    let values = [&random.state, &random.nonce, &random.verifier];
    let broken = values.iter().any(|v| v.iter().all(|b| *b == 0))
        || random.state == random.nonce
        || random.state == random.verifier
        || random.nonce == random.verifier;
    if broken {
        return Err(Error::Platform(Platform::CryptoUnavailable));
    }
    let max_age = match (options.max_age, config.max_age) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let pending = PendingLogin {
        state: State::new(random_value(&random.state)),
        nonce: Nonce::new(random_value(&random.nonce)),
        verifier: CodeVerifier::from_random(&random.verifier),
        issuer: config.issuer.clone(),
        client_id: config.client_id.clone(),
        redirect_uri: config.redirect_uri.clone(),
        return_to: options.return_to.clone(),
        created_at: now,
        max_age,
        silent: false,
        acr_values: options.acr_values.clone(),
        acr_essential: options.acr_essential,
    };
    let max_age = max_age.map(|m| {
        let mut text = String::new();
        push_u64(&mut text, m);
        text
    });
    let mut acr_values = String::new();
    for value in &options.acr_values {
        if !acr_values.is_empty() {
            acr_values.push(' ');
        }
        acr_values.push_str(value);
    }
    let claims = options
        .acr_essential
        .then(|| essential_acr_claims(&options.acr_values));
    let mut pairs: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", &config.client_id),
        ("redirect_uri", &config.redirect_uri),
        ("scope", &config.scope),
        ("state", pending.state.secret()),
        ("nonce", pending.nonce.secret()),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ];
    let typed = [
        ("max_age", max_age.as_deref()),
        ("prompt", options.prompt.as_deref()),
        ("login_hint", options.login_hint.as_deref()),
        ("ui_locales", options.ui_locales.as_deref()),
        (
            "acr_values",
            Some(acr_values.as_str()).filter(|v| !v.is_empty()),
        ),
        ("claims", claims.as_deref()),
        ("dpop_jkt", options.dpop_jkt.as_deref()),
    ];
    for (name, value) in typed {
        if let Some(value) = value {
            pairs.push((name, value));
        }
    }
    for (name, value) in &config.extra_auth_params {
        if !typed
            .iter()
            .any(|(typed, set)| set.is_some() && typed == name)
        {
            pairs.push((name, value));
        }
    }
    let params = form_urlencode(&pairs);
    let url = append_encoded(&metadata.authorization_endpoint, &params);
    Ok(AuthorizationRequest {
        url,
        params,
        pending,
    })
}

/// A silent restore request (OpenID Connect Core §3.1.2.1 `prompt=none`): the login request of
/// [`authorization_request`] with `prompt=none` (in place of any configured `prompt`), its record
/// marked [`PendingLogin::silent`]. Only `return_to` of `options` is used.
pub fn silent_authorization_request(
    config: &ClientConfig,
    metadata: &ProviderMetadata,
    random: &LoginRandom,
    options: &LoginOptions,
    now: u64,
) -> Result<AuthorizationRequest, Error> {
    authorization_request(config, metadata, random, &silent_options(options), now).map(silent)
}

/// [`silent_authorization_request`] with the verifier's SHA-256 digest computed by the caller, as
/// for [`authorization_request_with_digest`].
pub fn silent_authorization_request_with_digest(
    config: &ClientConfig,
    metadata: &ProviderMetadata,
    random: &LoginRandom,
    digest: &[u8; 32],
    options: &LoginOptions,
    now: u64,
) -> Result<AuthorizationRequest, Error> {
    let options = silent_options(options);
    authorization_request_with_digest(config, metadata, random, digest, &options, now).map(silent)
}

/// The options of a silent request: `prompt=none` and `options.return_to`, nothing else.
fn silent_options(options: &LoginOptions) -> LoginOptions {
    LoginOptions {
        return_to: options.return_to.clone(),
        prompt: Some("none".to_owned()),
        ..LoginOptions::default()
    }
}

fn silent(mut request: AuthorizationRequest) -> AuthorizationRequest {
    request.pending.silent = true;
    request
}

/// True for the authorization errors that answer a `prompt=none` request when the user must interact
/// (OpenID Connect Core §3.1.2.6).
pub fn needs_interaction(error: &str) -> bool {
    matches!(
        error,
        "login_required"
            | "interaction_required"
            | "consent_required"
            | "account_selection_required"
    )
}

/// Accepts only a same-origin path (RFC 9700 §4.11.1, no open redirect): starts with one
/// `/` (not `//` or `/\`), no `\`, no control characters, at most 2048 bytes.
pub fn check_return_to(return_to: &str) -> Result<(), Error> {
    let ok = return_to.starts_with('/')
        && !return_to.starts_with("//")
        && !return_to.contains('\\')
        && !return_to.chars().any(char::is_control)
        && return_to.len() <= MAX_RETURN_TO_LEN;
    if ok {
        Ok(())
    } else {
        Err(Misuse::InvalidReturnTo.into())
    }
}

impl PendingLogin {
    /// Whether the record is older than `ttl_secs`, or dated more than `ttl_secs` in the
    /// future (a clock that jumped back).
    pub fn is_expired(&self, now: u64, ttl_secs: u64) -> bool {
        now.saturating_sub(self.created_at) > ttl_secs
            || self.created_at.saturating_sub(now) > ttl_secs
    }

    /// The record as a JSON object with `"v":1`, for `sessionStorage`.
    pub fn to_storage_string(&self) -> String {
        let s = |v: &str| Json::String(v.to_owned());
        let opt_num = |v: Option<u64>| v.map_or(Json::Null, |n| Json::Number(n as f64));
        Json::Object(vec![
            ("v".to_owned(), Json::Number(STORAGE_VERSION as f64)),
            ("state".to_owned(), s(self.state.secret())),
            ("nonce".to_owned(), s(self.nonce.secret())),
            ("verifier".to_owned(), s(self.verifier.secret())),
            ("issuer".to_owned(), s(&self.issuer)),
            ("client_id".to_owned(), s(&self.client_id)),
            ("redirect_uri".to_owned(), s(&self.redirect_uri)),
            (
                "return_to".to_owned(),
                self.return_to.as_deref().map_or(Json::Null, s),
            ),
            (
                "created_at".to_owned(),
                Json::Number(self.created_at as f64),
            ),
            ("max_age".to_owned(), opt_num(self.max_age)),
            ("silent".to_owned(), Json::Bool(self.silent)),
            (
                "acr".to_owned(),
                Json::Array(self.acr_values.iter().map(|v| s(v)).collect()),
            ),
            ("acr_essential".to_owned(), Json::Bool(self.acr_essential)),
        ])
        .to_json_string()
    }

    /// Reads a record written by [`Self::to_storage_string`]. Any defect (corrupt, other
    /// version, bad field) is `Misuse::NoPendingLogin`: a damaged record is no usable login.
    pub fn from_storage_string(s: &str, parser: &dyn JsonParser) -> Result<Self, Error> {
        Self::parse_storage(s, parser).ok_or(Error::Misuse(Misuse::NoPendingLogin))
    }

    fn parse_storage(s: &str, parser: &dyn JsonParser) -> Option<Self> {
        if s.len() > MAX_STORAGE_LEN {
            return None;
        }
        let json = parser.parse(s)?;
        if !json.is_object() || json.has_duplicate_names() {
            return None;
        }
        if json.get("v")?.as_u64()? != STORAGE_VERSION {
            return None;
        }
        let text = |k: &str| {
            json.get(k)
                .and_then(Json::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let opt_num = |k: &str| match json.get(k) {
            None | Some(Json::Null) => Some(None),
            Some(v) => v.as_u64().map(Some),
        };
        let verifier = text("verifier")?;
        if !is_well_formed_verifier(&verifier) {
            return None;
        }
        let return_to = match json.get("return_to") {
            None | Some(Json::Null) => None,
            Some(v) => {
                let path = v.as_str()?;
                check_return_to(path).ok()?;
                Some(path.to_owned())
            }
        };
        let flag = |k: &str| match json.get(k) {
            None => Some(false),
            Some(Json::Bool(b)) => Some(*b),
            Some(_) => None,
        };
        // At most the values a login may ask for, each well formed: the record comes back from
        // the page, so its size and shape are not trusted.
        let mut acr_values = Vec::new();
        if let Some(v) = json.get("acr") {
            let items = v.as_array()?;
            if items.len() > super::login_options::MAX_ACR_VALUES {
                return None;
            }
            for item in items {
                acr_values.push(item.as_str()?.to_owned());
            }
            if !is_valid_acr_list(&acr_values) {
                return None;
            }
        }
        let acr_essential = flag("acr_essential")?;
        if acr_essential && acr_values.is_empty() {
            return None;
        }
        Some(Self {
            state: State::new(text("state")?),
            nonce: Nonce::new(text("nonce")?),
            verifier: CodeVerifier::new(verifier),
            issuer: text("issuer")?,
            client_id: text("client_id")?,
            redirect_uri: text("redirect_uri")?,
            return_to,
            created_at: json.get("created_at")?.as_u64()?,
            max_age: opt_num("max_age")?,
            silent: flag("silent")?,
            acr_values,
            acr_essential,
        })
    }
}

#[cfg(test)]
#[path = "tests/authorize.rs"]
mod tests;
