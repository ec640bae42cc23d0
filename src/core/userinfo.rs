//! The userinfo request and response (OpenID Connect Core §5.3).
//!
//! The access token goes only in the `Authorization` header (RFC 6750 §2.1), never in the query or a
//! form body. A response is used only when its `sub` equals the ID token's (Core §5.3.2).

use super::discovery::ProviderMetadata;
use super::error::{Error, InvalidResponse, Unsupported};
use super::http::{HttpRequest, HttpResponse, Method, json_object, status_error};
use super::json::{Json, JsonParser};
use super::secret::{AccessToken, constant_time_eq};

/// The userinfo GET with the access token as a Bearer credential; `userinfo_unsupported` when the
/// provider has no userinfo endpoint.
pub fn userinfo_request(
    metadata: &ProviderMetadata,
    access_token: &AccessToken,
) -> Result<HttpRequest, Error> {
    userinfo_request_as(metadata, access_token, false)
}

/// [`userinfo_request`] with the `DPoP` authorization scheme when `dpop` (RFC 9449 §7.1); the
/// caller adds the proof.
pub fn userinfo_request_as(
    metadata: &ProviderMetadata,
    access_token: &AccessToken,
    dpop: bool,
) -> Result<HttpRequest, Error> {
    let url = metadata
        .userinfo_endpoint
        .clone()
        .ok_or(Error::Unsupported(Unsupported::Userinfo))?;
    Ok(HttpRequest {
        method: Method::Get,
        url,
        headers: vec![
            (
                "Authorization".to_owned(),
                authorization(access_token, dpop),
            ),
            ("Accept".to_owned(), "application/json".to_owned()),
        ],
        body: None,
    })
}

/// The `Authorization` header value for `access_token`: `Bearer <token>` (RFC 6750 §2.1), or
/// `DPoP <token>` (RFC 9449 §7.1) when `dpop`.
pub fn authorization(access_token: &AccessToken, dpop: bool) -> String {
    let scheme = if dpop { "DPoP " } else { "Bearer " };
    let mut value = String::with_capacity(scheme.len() + access_token.secret().len());
    value.push_str(scheme);
    value.push_str(access_token.secret());
    value
}

/// The claims of a userinfo response: 200, a JSON object (signed or encrypted userinfo is not
/// supported), whose `sub` is a string equal to `expected_sub` (F01). Other statuses are
/// `http_status` (a 401 means the access token was refused).
pub fn userinfo_claims(
    response: &HttpResponse,
    parser: &dyn JsonParser,
    expected_sub: &str,
) -> Result<Json, Error> {
    if response.status != 200 {
        return Err(status_error(response.status));
    }
    let json = json_object(response, parser)?;
    if json.has_duplicate_names() {
        return Err(InvalidResponse::UserInfoSubMismatch.into());
    }
    match json.get("sub") {
        Some(Json::String(sub)) if constant_time_eq(sub.as_bytes(), expected_sub.as_bytes()) => {
            Ok(json)
        }
        _ => Err(InvalidResponse::UserInfoSubMismatch.into()),
    }
}

#[cfg(test)]
#[path = "tests/userinfo.rs"]
mod tests;
