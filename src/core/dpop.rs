//! DPoP (RFC 9449): proofs that the sender of a request holds the private key its tokens are bound
//! to. The key is an ES256 (P-256) key pair made and held by the platform (a non-extractable
//! WebCrypto key in browsers); this module builds the proof's JWT around the platform's signature,
//! the `dpop_jkt` thumbprint, and the origin rule for authenticated requests.

use super::base64url;
use super::json::Json;
use super::text::push_u64;

/// The only DPoP signing algorithm used: ECDSA P-256 with SHA-256.
pub const DPOP_ALG: &str = "ES256";

/// Longest `DPoP-Nonce` value kept, in bytes (a longer one is ignored).
const MAX_NONCE_LEN: usize = 1024;

/// The public half of a DPoP key: the P-256 point's coordinates, base64url (RFC 7518 §6.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DpopPublicKey {
    x: String,
    y: String,
}

impl DpopPublicKey {
    /// A P-256 public key from its base64url coordinates; `None` unless each is 32 bytes.
    pub fn new(x: &str, y: &str) -> Option<Self> {
        let coordinate = |c: &str| base64url::decode(c).is_some_and(|b| b.len() == 32);
        (coordinate(x) && coordinate(y)).then(|| DpopPublicKey {
            x: x.to_owned(),
            y: y.to_owned(),
        })
    }

    /// The public JWK with only its required members in lexicographic order, without whitespace:
    /// both the proof header's `jwk` and the input of its thumbprint (RFC 7638 §3.2).
    pub fn jwk(&self) -> String {
        let mut out = String::with_capacity(40 + self.x.len() + self.y.len());
        out.push_str(r#"{"crv":"P-256","kty":"EC","x":""#);
        out.push_str(&self.x);
        out.push_str(r#"","y":""#);
        out.push_str(&self.y);
        out.push_str(r#""}"#);
        out
    }
}

/// The claims of one proof (RFC 9449 §4.2).
#[derive(Clone, Copy, Debug)]
pub struct ProofClaims<'a> {
    /// `htm`: the request's method.
    pub htm: &'a str,
    /// The request's URL; `htu` is this without query and fragment.
    pub url: &'a str,
    /// `iat`, Unix seconds.
    pub iat: u64,
    /// Random bytes for `jti` (at least 16).
    pub jti: &'a [u8],
    /// `nonce`, when the server gave one.
    pub nonce: Option<&'a str>,
    /// The SHA-256 digest of the access token the request carries, for `ath`.
    pub access_token_digest: Option<&'a [u8]>,
}

/// `htu`: `url` without its query and fragment (RFC 9449 §4.2).
pub fn htu(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    url.get(..end).unwrap_or(url)
}

/// The proof's signing input, `base64url(header) . base64url(payload)`, for the platform to sign
/// with the private key of `key`.
pub fn proof_signing_input(key: &DpopPublicKey, claims: &ProofClaims<'_>) -> String {
    let mut header = String::from(r#"{"typ":"dpop+jwt","alg":"ES256","jwk":"#);
    header.push_str(&key.jwk());
    header.push('}');
    let text = |s: &str| Json::String(s.to_owned()).to_json_string();
    let mut payload = String::from(r#"{"jti":"#);
    payload.push_str(&text(&base64url::encode(claims.jti)));
    payload.push_str(r#","htm":"#);
    payload.push_str(&text(claims.htm));
    payload.push_str(r#","htu":"#);
    payload.push_str(&text(htu(claims.url)));
    payload.push_str(r#","iat":"#);
    push_u64(&mut payload, claims.iat);
    if let Some(nonce) = claims.nonce {
        payload.push_str(r#","nonce":"#);
        payload.push_str(&text(nonce));
    }
    if let Some(digest) = claims.access_token_digest {
        payload.push_str(r#","ath":"#);
        payload.push_str(&text(&base64url::encode(digest)));
    }
    payload.push('}');
    let mut out = base64url::encode(header.as_bytes());
    out.push('.');
    out.push_str(&base64url::encode(payload.as_bytes()));
    out
}

/// The compact proof: the signing input, `.`, and the base64url signature (`R || S`, 64 bytes for
/// ES256, RFC 7518 §3.4).
pub fn finish_proof(mut signing_input: String, signature: &[u8]) -> String {
    signing_input.push('.');
    signing_input.push_str(&base64url::encode(signature));
    signing_input
}

/// `dpop_jkt` (RFC 9449 §10): the base64url SHA-256 digest of [`DpopPublicKey::jwk`].
pub fn jkt(digest: &[u8]) -> String {
    base64url::encode(digest)
}

/// A `DPoP-Nonce` header value worth keeping: non-empty, at most 1024 bytes of `NQCHAR`
/// (%x21 / %x23-5B / %x5D-7E, RFC 9449 §8.1). Anything else is ignored.
pub fn valid_nonce(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_NONCE_LEN
        && value
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

/// The origin of an absolute URL as written, `scheme://authority`; `None` without `://`.
pub fn origin_of(url: &str) -> Option<&str> {
    let start = url.find("://")?.checked_add(3)?;
    let rest = url.get(start..)?;
    let end = start.checked_add(rest.find(['/', '?', '#']).unwrap_or(rest.len()))?;
    url.get(..end)
}

/// Whether `url` may carry the access token: its origin, as written, is one of `allowed` (exact
/// origins, see [`is_canonical_origin`]). A URL with userinfo or odd spelling never matches.
pub fn origin_allowed(url: &str, allowed: &[String]) -> bool {
    origin_of(url).is_some_and(|o| allowed.iter().any(|a| a == o))
}

/// Whether `url` may name the endpoint `endpoint` (a provider's grant endpoint) however it is
/// spelled: on the same origin (scheme and host in any case, with or without the default port),
/// a path that equals the endpoint's once a trailing `/` is dropped (in any case), or any path a
/// server might normalize in ways this check does not (percent-encoding, `//`, dot segments). So
/// an authenticated request refused on these grounds may be a harmless one on that origin; it is
/// never a grant endpoint under another spelling.
pub fn may_name_endpoint(url: &str, endpoint: &str) -> bool {
    let split = |u: &str| -> Option<(String, String)> {
        let origin = origin_of(u)?;
        let path = htu(u).get(origin.len()..).unwrap_or("");
        let mut origin = origin.to_ascii_lowercase();
        for default in ["https://", "http://"] {
            let port = if default == "https://" { ":443" } else { ":80" };
            if origin.starts_with(default) && origin.ends_with(port) {
                origin.truncate(origin.len() - port.len());
            }
        }
        Some((origin, path.to_owned()))
    };
    let (Some((url_origin, path)), Some((endpoint_origin, endpoint_path))) =
        (split(url), split(endpoint))
    else {
        return false;
    };
    if url_origin != endpoint_origin {
        return false;
    }
    let ambiguous = path.contains('%') || path.contains("//") || path.contains("/.");
    let trim = |p: &str| p.trim_end_matches('/').to_ascii_lowercase();
    ambiguous || trim(&path) == trim(&endpoint_path)
}

/// An origin as the browser serializes it (`URL.origin`): lower-case scheme and host, no path,
/// query, fragment or userinfo, and no default port.
pub fn is_canonical_origin(origin: &str) -> bool {
    let Some(authority) = origin
        .strip_prefix("https://")
        .map(|a| (a, ":443"))
        .or_else(|| origin.strip_prefix("http://").map(|a| (a, ":80")))
    else {
        return false;
    };
    let (authority, default_port) = authority;
    !authority.is_empty()
        && !authority.contains(['/', '?', '#', '@'])
        && !authority.bytes().any(|b| b.is_ascii_uppercase())
        && !authority.ends_with(default_port)
        && !authority.ends_with(':')
}

#[cfg(test)]
#[path = "tests/dpop.rs"]
mod tests;
