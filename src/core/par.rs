//! Pushed authorization requests (RFC 9126): whether a login is pushed, the push, its answer, and
//! the authorization URL that then carries only `client_id` and `request_uri`.

use super::authorize::AuthorizationRequest;
use super::config::ClientConfig;
use super::discovery::ProviderMetadata;
use super::endpoint::append_query;
use super::error::{Error, ErrorOrigin, InvalidResponse, Unsupported};
use super::http::{HttpRequest, HttpResponse, json_object};
use super::json::{Json, JsonParser};
use super::token::{error_response, form_post};

/// Longest accepted `request_uri`, in bytes.
pub const MAX_REQUEST_URI_LEN: usize = 4096;

/// The endpoint to push logins to, or `None` for a front-channel request: logins are pushed when the
/// provider requires it (`require_pushed_authorization_requests`) or the client asks for it
/// ([`ClientConfig::pushed_authorization_requests`]). Pushing without an advertised endpoint is
/// `par_unsupported`: a login never falls back to the front channel.
pub fn pushed_endpoint<'a>(
    config: &ClientConfig,
    metadata: &'a ProviderMetadata,
) -> Result<Option<&'a str>, Error> {
    if !config.pushed_authorization_requests && !metadata.require_pushed_authorization_requests {
        return Ok(None);
    }
    match &metadata.pushed_authorization_request_endpoint {
        Some(endpoint) => Ok(Some(endpoint)),
        None => Err(Unsupported::PushedAuthorization.into()),
    }
}

/// The push (RFC 9126 §2.1): a form POST of every parameter of the authorization request to
/// `endpoint`. Its body holds `state` and `nonce`.
pub fn par_request(endpoint: &str, request: &AuthorizationRequest) -> HttpRequest {
    form_post(endpoint, request.params.clone())
}

/// A successful push (RFC 9126 §2.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushedRequest {
    /// The reference to the pushed request, for the authorization endpoint.
    pub request_uri: String,
    /// Its lifetime, in seconds.
    pub expires_in: u64,
}

impl PushedRequest {
    /// Reads the push's answer: 201 with a JSON object holding a non-empty `request_uri` (printable
    /// ASCII, at most 4096 bytes) and a positive integer `expires_in`, else
    /// `invalid_par_response` naming the member; an OAuth error body (RFC 9126 §2.3) is
    /// `par_error`; any other status `http_status` (a redirect `unexpected_redirect`).
    pub fn from_response(resp: &HttpResponse, parser: &dyn JsonParser) -> Result<Self, Error> {
        if resp.status != 201 {
            return Err(error_response(
                resp,
                parser,
                ErrorOrigin::PushedAuthorization,
            ));
        }
        let json = json_object(resp, parser)?;
        let invalid = |field| Error::InvalidResponse(InvalidResponse::InvalidParResponse { field });
        let request_uri = match json.get("request_uri") {
            Some(Json::String(uri))
                if !uri.is_empty()
                    && uri.len() <= MAX_REQUEST_URI_LEN
                    && uri.bytes().all(|b| b.is_ascii_graphic()) =>
            {
                uri.clone()
            }
            _ => return Err(invalid("request_uri")),
        };
        let expires_in = json
            .get("expires_in")
            .and_then(Json::as_u64)
            .filter(|n| *n > 0)
            .ok_or(invalid("expires_in"))?;
        Ok(Self {
            request_uri,
            expires_in,
        })
    }
}

/// The authorization URL of a pushed request (RFC 9126 §4): only `client_id` and `request_uri`.
pub fn pushed_authorization_url(
    metadata: &ProviderMetadata,
    client_id: &str,
    request_uri: &str,
) -> String {
    append_query(
        &metadata.authorization_endpoint,
        &[("client_id", client_id), ("request_uri", request_uri)],
    )
}

#[cfg(test)]
#[path = "tests/par.rs"]
mod tests;
