//! Token endpoint requests (RFC 6749 §4.1.3, §6; RFC 7636 §4.5) and response validation
//! (RFC 6749 §5.1, §5.2; OIDC Core §3.1.3.3).

use super::authorize::PendingLogin;
use super::callback::ValidatedCallback;
use super::config::is_valid_scope;
use super::discovery::ProviderMetadata;
use super::endpoint::form_urlencode;
use super::error::{Error, ErrorOrigin, InvalidResponse, OAuthError};
use super::http::MAX_BODY_BYTES;
use super::http::{
    HttpRequest, HttpResponse, Method, is_json_content_type, json_object, status_error,
};
use super::json::{Json, JsonParser};
use super::secret::{AccessToken, IdToken, RefreshToken};

/// Largest accepted `expires_in`: ten years, in seconds.
pub const MAX_EXPIRES_IN: u64 = 10 * 366 * 24 * 3600;

fn token_request(metadata: &ProviderMetadata, body: String) -> HttpRequest {
    form_post(&metadata.token_endpoint, body)
}

/// A form POST that asks for JSON (the token and pushed authorization request endpoints).
pub(crate) fn form_post(url: &str, body: String) -> HttpRequest {
    HttpRequest {
        method: Method::Post,
        url: url.to_owned(),
        headers: vec![
            (
                "Content-Type".to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            ),
            ("Accept".to_owned(), "application/json".to_owned()),
        ],
        body: Some(body),
    }
}

/// The authorization code grant request (RFC 6749 §4.1.3, RFC 7636 §4.5): the code, the
/// exact `redirect_uri` of the authorization request, `client_id` and `code_verifier`.
/// Consumes the validated callback, so one callback gives at most one exchange.
pub fn code_request(
    metadata: &ProviderMetadata,
    pending: &PendingLogin,
    callback: ValidatedCallback,
) -> HttpRequest {
    let body = form_urlencode(&[
        ("grant_type", "authorization_code"),
        ("code", callback.code.secret()),
        ("redirect_uri", &pending.redirect_uri),
        ("client_id", &pending.client_id),
        ("code_verifier", pending.verifier.secret()),
    ]);
    token_request(metadata, body)
}

/// The refresh token grant request (RFC 6749 §6): `grant_type`, `refresh_token`,
/// `client_id`, and `scope` when narrowing.
pub fn refresh_request(
    metadata: &ProviderMetadata,
    client_id: &str,
    refresh_token: &RefreshToken,
    scope: Option<&str>,
) -> HttpRequest {
    let mut pairs = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.secret()),
        ("client_id", client_id),
    ];
    if let Some(scope) = scope {
        pairs.push(("scope", scope));
    }
    token_request(metadata, form_urlencode(&pairs))
}

/// A validated successful token response (RFC 6749 §5.1). `Debug` redacts the tokens.
#[derive(Clone, Debug)]
pub struct TokenResponse {
    /// `access_token`.
    pub access_token: AccessToken,
    /// `token_type`, normalized to `"Bearer"` (or `"DPoP"` from [`Self::from_response_bound`]).
    pub token_type: String,
    /// `expires_in`, seconds.
    pub expires_in: Option<u64>,
    /// `refresh_token`.
    pub refresh_token: Option<RefreshToken>,
    /// `scope` as granted (RFC 6749 §3.3; may be narrower than requested).
    pub scope: Option<String>,
    /// `id_token` (OIDC Core §3.1.3.3), not yet validated.
    pub id_token: Option<IdToken>,
}

impl TokenResponse {
    /// Validates a token endpoint response: 200 with a JSON object (D01–D03), a non-empty
    /// `access_token` (D05), `token_type` Bearer in any case (D06), well-typed optional
    /// members (D08), unknown members ignored (D10); OAuth error bodies become
    /// `Error::Server` (D12), redirects `UnexpectedRedirect`.
    pub fn from_response(resp: &HttpResponse, parser: &dyn JsonParser) -> Result<Self, Error> {
        Self::from_response_bound(resp, parser, false)
    }

    /// [`Self::from_response`] for a request sent with a DPoP proof when `dpop`: the `token_type`
    /// must then be `DPoP` (RFC 9449 §5), and `Bearer` is a downgrade (`token_type_downgrade`).
    pub fn from_response_bound(
        resp: &HttpResponse,
        parser: &dyn JsonParser,
        dpop: bool,
    ) -> Result<Self, Error> {
        if resp.status != 200 {
            return Err(error_response(resp, parser, ErrorOrigin::TokenEndpoint));
        }
        let json = json_object(resp, parser)?;
        let access_token = match json.get("access_token") {
            Some(Json::String(s)) if is_vschar_token(s) => AccessToken::new(s.clone()),
            _ => return Err(Error::invalid_token_response("access_token")),
        };
        let token_type = match json.get("token_type") {
            Some(Json::String(t)) if !dpop && t.eq_ignore_ascii_case("bearer") => {
                "Bearer".to_owned()
            }
            Some(Json::String(t)) if dpop && t.eq_ignore_ascii_case("dpop") => "DPoP".to_owned(),
            Some(Json::String(t)) if dpop && t.eq_ignore_ascii_case("bearer") => {
                return Err(InvalidResponse::TokenTypeDowngrade.into());
            }
            Some(Json::String(_)) => return Err(InvalidResponse::UnsupportedTokenType.into()),
            _ => return Err(Error::invalid_token_response("token_type")),
        };
        let expires_in = match json.get("expires_in") {
            None => None,
            Some(v) => {
                Some(parse_expires_in(v).ok_or(Error::invalid_token_response("expires_in"))?)
            }
        };
        let refresh_token =
            optional_string(&json, "refresh_token", is_vschar_token)?.map(RefreshToken::new);
        let scope = optional_string(&json, "scope", is_valid_scope)?;
        let id_token = optional_string(&json, "id_token", is_jws_charset)?.map(IdToken::new);
        Ok(Self {
            access_token,
            token_type,
            expires_in,
            refresh_token,
            scope,
            id_token,
        })
    }

    /// The ID token, required when `openid` was requested (OIDC Core §3.1.3.3, D09).
    pub fn require_id_token(&self) -> Result<&IdToken, Error> {
        self.id_token
            .as_ref()
            .ok_or(Error::invalid_token_response("id_token"))
    }
}

/// An unsuccessful response: a JSON `error` body is the provider's OAuth error (RFC 6749 §5.2),
/// received at `origin`; anything else the status.
pub(crate) fn error_response(
    resp: &HttpResponse,
    parser: &dyn JsonParser,
    origin: ErrorOrigin,
) -> Error {
    if (300..400).contains(&resp.status) {
        return status_error(resp.status);
    }
    if resp.body.len() <= MAX_BODY_BYTES && is_json_content_type(resp.content_type.as_deref()) {
        if let Some(json) = parser.parse(&resp.body) {
            if let Some(Json::String(error)) = json.get("error") {
                if !error.is_empty() {
                    let text = |k: &str| json.get(k).and_then(Json::as_str).map(str::to_owned);
                    return Error::Server(OAuthError {
                        error: error.clone(),
                        error_description: text("error_description"),
                        error_uri: text("error_uri"),
                        status: Some(resp.status),
                        origin,
                    });
                }
            }
        }
    }
    status_error(resp.status)
}

/// `expires_in`: a positive integral number, or a string of ASCII digits, at most ten years. Zero
/// is refused: an access token that is expired when it arrives cannot be used, and accepting it
/// would hand out an expired token or renew in a loop.
fn parse_expires_in(v: &Json) -> Option<u64> {
    let n = match v {
        Json::Number(_) => v.as_u64()?,
        Json::String(s)
            if !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.parse::<u64>().ok()?
        }
        _ => return None,
    };
    (n > 0 && n <= MAX_EXPIRES_IN).then_some(n)
}

/// An optional string member: absent or `null` is `None`; a non-empty string passing
/// `valid` is `Some`; anything else is `InvalidTokenResponse { field }` (D08).
fn optional_string(
    json: &Json,
    field: &'static str,
    valid: fn(&str) -> bool,
) -> Result<Option<String>, Error> {
    match json.get(field) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) if !s.is_empty() && valid(s) => Ok(Some(s.clone())),
        Some(_) => Err(Error::invalid_token_response(field)),
    }
}

/// RFC 6749 Appendix A.12/A.17: `1*VSCHAR` (%x20-7E); this also keeps CR/LF out of headers.
fn is_vschar_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| (0x20..=0x7E).contains(&b))
}

/// Characters of a compact JWS/JWE: base64url and `.`.
fn is_jws_charset(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
#[path = "tests/token.rs"]
mod tests;
