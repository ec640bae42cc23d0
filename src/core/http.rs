//! Plain-data HTTP request and response (the browser driver performs them) and the common
//! checks applied to every JSON response.

use std::fmt;

use super::error::{Error, InvalidResponse};
use super::json::{Json, JsonParser};

/// Largest response body the core accepts (RFC 6749 §5.1 sets no size, so a cap is policy).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
}

/// An HTTP request for the driver to send (with redirects disabled, RFC 9700 §4.12).
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// Request headers, in order.
    pub headers: Vec<(String, String)>,
    /// The `application/x-www-form-urlencoded` body; it may hold secrets.
    pub body: Option<String>,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("body", &self.body.as_ref().map(|_| "[redacted]"))
            .finish_non_exhaustive()
    }
}

/// An HTTP response as received by the driver.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body text; it may hold tokens.
    pub body: String,
    /// The `Retry-After` header as a number of seconds from now (RFC 9110 §10.2.3), if any.
    pub retry_after: Option<u64>,
    /// The `DPoP-Nonce` header (RFC 9449 §8), if any.
    pub dpop_nonce: Option<String>,
    /// The `WWW-Authenticate` header of a 401 (RFC 9110 §11.6.1), if any: where a resource server
    /// asks for a DPoP nonce (RFC 9449 §9).
    pub www_authenticate: Option<String>,
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .finish_non_exhaustive()
    }
}

/// Whether the media type is `application/json` or `application/<x>+json` (RFC 6749 §5.1,
/// RFC 6839 §3.1), case-insensitively, parameters allowed.
pub fn is_json_content_type(ct: Option<&str>) -> bool {
    let Some(ct) = ct else { return false };
    let media = ct.split(';').next().unwrap_or("").trim_matches([' ', '\t']);
    let Some((kind, subtype)) = media.split_once('/') else {
        return false;
    };
    if !kind.eq_ignore_ascii_case("application") {
        return false;
    }
    if subtype.eq_ignore_ascii_case("json") {
        return true;
    }
    let len = subtype.len();
    let Some(prefix) = len.checked_sub(5).and_then(|cut| {
        let suffix = subtype.get(cut..)?;
        if suffix.eq_ignore_ascii_case("+json") {
            subtype.get(..cut)
        } else {
            None
        }
    }) else {
        return false;
    };
    !prefix.is_empty() && prefix.bytes().all(is_token_char)
}

/// RFC 9110 §5.6.2 `tchar`.
fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The error for a non-success status: redirects are refused (RFC 9700 §4.12), anything
/// else is reported with its status.
pub(crate) fn status_error(status: u16) -> Error {
    if (300..400).contains(&status) {
        Error::InvalidResponse(InvalidResponse::UnexpectedRedirect)
    } else {
        Error::InvalidResponse(InvalidResponse::HttpStatus { status })
    }
}

/// The body as a JSON object: size cap, then content type, then parse, then top-level type.
pub(crate) fn json_object(resp: &HttpResponse, parser: &dyn JsonParser) -> Result<Json, Error> {
    if resp.body.len() > MAX_BODY_BYTES {
        return Err(InvalidResponse::BodyTooLarge.into());
    }
    if !is_json_content_type(resp.content_type.as_deref()) {
        return Err(InvalidResponse::UnexpectedContentType.into());
    }
    let json = parser.parse(&resp.body).ok_or(InvalidResponse::JsonParse)?;
    if json.is_object() {
        Ok(json)
    } else {
        Err(InvalidResponse::NotAJsonObject.into())
    }
}

#[cfg(test)]
#[path = "tests/http.rs"]
mod tests;
