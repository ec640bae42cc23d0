//! The URL rule for issuers and endpoints (https only; loopback http only in development) and
//! `application/x-www-form-urlencoded` serialization.
//!
//! The rule is deliberately stricter than the WHATWG URL parser: anything the browser might
//! interpret differently from this check (backslashes, whitespace, non-ASCII, userinfo,
//! missing `//`) is refused instead of normalized (RFC 6749 §10.9, RFC 9700 §2.6).

use super::error::{Error, InvalidResponse};
use super::text::push_hex;

/// Checks a provider endpoint (RFC 6749 §10.9, RFC 9700 §2.6): `https://host…`, or
/// `http://` to `127.0.0.1`, `[::1]` or `localhost` when `allow_loopback_http`;
/// no userinfo, fragment, whitespace, control or non-ASCII characters.
/// Failure: `InvalidResponse::InsecureEndpoint { field }`.
pub fn check_endpoint(
    url: &str,
    allow_loopback_http: bool,
    field: &'static str,
) -> Result<(), Error> {
    match endpoint_problem(url, allow_loopback_http) {
        None => Ok(()),
        Some(_) => Err(Error::InvalidResponse(InvalidResponse::InsecureEndpoint {
            field,
        })),
    }
}

/// The same rule as [`check_endpoint`] for a configuration value.
/// Failure: `Misuse::InvalidConfig { field, reason }`.
pub fn check_config_url(
    url: &str,
    allow_loopback_http: bool,
    field: &'static str,
) -> Result<(), Error> {
    match endpoint_problem(url, allow_loopback_http) {
        None => Ok(()),
        Some(reason) => Err(Error::invalid_config(field, reason)),
    }
}

/// Why `url` fails the endpoint rule, or `None` when it passes.
fn endpoint_problem(url: &str, allow_loopback_http: bool) -> Option<&'static str> {
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Some("must be ASCII without whitespace or control characters");
    }
    if url.contains('\\') {
        return Some("must not contain a backslash");
    }
    if url.contains('#') {
        return Some("must not contain a fragment");
    }
    let (is_https, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
        (true, rest)
    } else if let Some(rest) = strip_prefix_ignore_case(url, "http://") {
        (false, rest)
    } else {
        return Some("must be an https URL");
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = rest.get(..authority_end).unwrap_or("");
    if authority.contains('@') {
        return Some("must not contain userinfo");
    }
    let Some((host, port)) = split_host_port(authority) else {
        return Some("has a missing or invalid host");
    };
    if let Some(port) = port {
        let valid_port = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| p <= 65_535);
        if !valid_port {
            return Some("has an invalid port");
        }
    }
    if !host_is_valid(host) {
        return Some("has a missing or invalid host");
    }
    if is_https {
        return None;
    }
    if !allow_loopback_http {
        return Some("must be an https URL (http only for loopback with allowLoopbackHttp)");
    }
    let loopback = host == "127.0.0.1" || host == "[::1]" || host.eq_ignore_ascii_case("localhost");
    if loopback {
        None
    } else {
        Some("http is allowed only for loopback hosts")
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// Splits `host[:port]` or `[v6][:port]`; `None` when the brackets are malformed.
fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.starts_with('[') {
        let close = authority.find(']')?;
        let host = authority.get(..=close)?;
        let after = authority.get(close.checked_add(1)?..)?;
        if after.is_empty() {
            return Some((host, None));
        }
        return Some((host, Some(after.strip_prefix(':')?)));
    }
    match authority.split_once(':') {
        Some((host, port)) => Some((host, Some(port))),
        None => Some((authority, None)),
    }
}

fn host_is_valid(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.len() >= 2
            && inner.contains(':')
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    }
    !host.is_empty()
        && !host.starts_with('.')
        && !host.contains("..")
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
}

/// Serializes name/value pairs as `application/x-www-form-urlencoded` (WHATWG URL §5.2):
/// ALPHA, DIGIT and `*-._` kept, space as `+`, every other UTF-8 byte as uppercase `%XX`.
pub fn form_urlencode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_component(name, &mut out);
        out.push('=');
        encode_component(value, &mut out);
    }
    out
}

fn encode_component(s: &str, out: &mut String) {
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                push_hex(out, b.into(), 2, true);
            }
        }
    }
}

/// Appends form-encoded `pairs` to `endpoint` as query parameters, after `?` or, when the
/// endpoint already has a query (RFC 6749 §3.1 allows one), after `&`.
pub fn append_query(endpoint: &str, pairs: &[(&str, &str)]) -> String {
    append_encoded(endpoint, &form_urlencode(pairs))
}

/// Appends an already form-encoded query to `endpoint`, like [`append_query`].
pub fn append_encoded(endpoint: &str, encoded: &str) -> String {
    let mut url = endpoint.to_owned();
    if encoded.is_empty() {
        return url;
    }
    if !url.contains('?') {
        url.push('?');
    } else if !url.ends_with('?') && !url.ends_with('&') {
        url.push('&');
    }
    url.push_str(encoded);
    url
}

#[cfg(test)]
#[path = "tests/endpoint.rs"]
mod tests;
