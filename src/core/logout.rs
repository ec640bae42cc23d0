//! Ending a session at the provider: refresh-token revocation (RFC 7009) and RP-initiated logout
//! (OpenID Connect RP-Initiated Logout 1.0), with the `state` of the logout checked on return.

use super::config::LogoutEndpoint;
use super::discovery::ProviderMetadata;
use super::endpoint::{append_query, form_urlencode};
use super::error::{Error, InvalidResponse, Unsupported};
use super::http::{HttpRequest, HttpResponse, Method, is_json_content_type};
use super::json::JsonParser;
use super::secret::{IdToken, RefreshToken, constant_time_eq};

/// The revocation request for a refresh token (RFC 7009 §2.1): `token`,
/// `token_type_hint=refresh_token` and `client_id` (a public client). None when the provider has no
/// `revocation_endpoint`.
pub fn revocation_request(
    metadata: &ProviderMetadata,
    client_id: &str,
    refresh_token: &RefreshToken,
) -> Option<HttpRequest> {
    let url = metadata.revocation_endpoint.clone()?;
    let body = form_urlencode(&[
        ("token", refresh_token.secret()),
        ("token_type_hint", "refresh_token"),
        ("client_id", client_id),
    ]);
    Some(HttpRequest {
        method: Method::Post,
        url,
        headers: vec![(
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        )],
        body: Some(body),
    })
}

/// What a revocation response means (RFC 7009 §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revocation {
    /// Revoked, or already invalid (both are 200, J05a).
    Done,
    /// A transient failure (429 or 5xx): the token may still be valid, the request may be retried.
    Retry,
}

/// Reads a revocation response: 200 is done; 429 and 5xx may be retried (J04); a 400
/// `unsupported_token_type` is `revocation_unsupported` (J05b); anything else is
/// `revocation_incomplete`.
pub fn revocation_outcome(
    response: &HttpResponse,
    parser: &dyn JsonParser,
) -> Result<Revocation, Error> {
    match response.status {
        200 => Ok(Revocation::Done),
        429 | 500..=599 => Ok(Revocation::Retry),
        400 if is_json_content_type(response.content_type.as_deref())
            && parser
                .parse(&response.body)
                .and_then(|j| j.get("error").and_then(|e| e.as_str().map(str::to_owned)))
                .as_deref()
                == Some("unsupported_token_type") =>
        {
            Err(Error::Unsupported(Unsupported::Revocation))
        }
        _ => Err(InvalidResponse::RevocationIncomplete.into()),
    }
}

/// The RP-initiated logout URL: `client_id`, a fresh `state`, `id_token_hint` when there is an ID
/// token and the configured `post_logout_redirect_uri`. None when the provider has no
/// `end_session_endpoint`.
pub fn end_session_url(
    metadata: &ProviderMetadata,
    client_id: &str,
    state: &str,
    id_token: Option<&IdToken>,
    post_logout_redirect_uri: Option<&str>,
) -> Option<String> {
    let endpoint = metadata.end_session_endpoint.as_deref()?;
    let mut params: Vec<(&str, &str)> = vec![("client_id", client_id), ("state", state)];
    if let Some(t) = id_token {
        params.push(("id_token_hint", t.secret()));
    }
    if let Some(uri) = post_logout_redirect_uri {
        params.push(("post_logout_redirect_uri", uri));
    }
    Some(append_query(endpoint, &params))
}

/// The logout URL of a configured endpoint (for providers without `end_session_endpoint`): the
/// client id, the last ID token and the `post_logout_redirect_uri`, each under the parameter name
/// the endpoint takes (and left out when that name is not configured). No `state`: such endpoints
/// do not return one.
pub fn configured_logout_url(
    endpoint: &LogoutEndpoint,
    client_id: &str,
    id_token: Option<&IdToken>,
    post_logout_redirect_uri: Option<&str>,
) -> String {
    let mut params: Vec<(&str, &str)> = Vec::new();
    if let Some(name) = &endpoint.client_id_param {
        params.push((name, client_id));
    }
    if let (Some(name), Some(t)) = (&endpoint.id_token_hint_param, id_token) {
        params.push((name, t.secret()));
    }
    if let Some(uri) = post_logout_redirect_uri {
        params.push((&endpoint.redirect_param, uri));
    }
    append_query(&endpoint.url, &params)
}

/// Checks the `state` the provider sent back after logout against the one sent (J02, J03).
pub fn check_logout_state(sent: &str, returned: Option<&str>) -> Result<(), Error> {
    match returned {
        Some(r) if constant_time_eq(r.as_bytes(), sent.as_bytes()) => Ok(()),
        _ => Err(InvalidResponse::LogoutStateMismatch.into()),
    }
}

#[cfg(test)]
#[path = "tests/logout.rs"]
mod tests;
