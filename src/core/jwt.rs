//! Compact JWS parsing (RFC 7515 §7.1) for ID tokens. No signature is verified here.
//!
//! The key-locating headers `jku`, `x5u`, `jwk` and `x5c` are ignored on purpose: keys come
//! only from the provider's `jwks_uri` (RFC 8725 §3.10). A `crit` header is refused because
//! this client understands no extension (RFC 7515 §4.1.11).

use std::fmt;

use super::base64url;

use super::error::{Error, IdTokenProblem};
use super::json::{Json, JsonParser};

/// Largest accepted compact serialization, in bytes.
pub const MAX_JWS_LEN: usize = 64 * 1024;

/// A parsed compact JWS whose signature is still to be verified.
pub struct Jws {
    /// The protected header (a JSON object).
    pub header: Json,
    /// The payload (a JSON object).
    pub payload: Json,
    /// The `alg` header.
    pub alg: String,
    /// The `kid` header.
    pub kid: Option<String>,
    /// The `typ` header.
    pub typ: Option<String>,
    signing_input: String,
    signature: Vec<u8>,
}

impl fmt::Debug for Jws {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jws")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn malformed() -> Error {
    Error::id_token(IdTokenProblem::Malformed)
}

/// Strict base64url without padding (RFC 7515 §2): `+`, `/`, `=` and non-canonical
/// trailing bits are refused.
fn decode_segment(segment: &str) -> Result<Vec<u8>, Error> {
    base64url::decode(segment).ok_or_else(malformed)
}

/// A segment that must be a UTF-8 JSON object without repeated member names (RFC 7515
/// §5.2 step 4 allows rejecting duplicates; this client does).
fn decode_object(segment: &str, parser: &dyn JsonParser) -> Result<Json, Error> {
    let bytes = decode_segment(segment)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| malformed())?;
    let json = parser.parse(text).ok_or_else(malformed)?;
    if !json.is_object() || json.has_duplicate_names() {
        return Err(malformed());
    }
    Ok(json)
}

fn optional_header(header: &Json, name: &str) -> Result<Option<String>, Error> {
    match header.get(name) {
        None => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(malformed()),
    }
}

impl Jws {
    /// Parses a compact JWS: exactly three base64url segments (five, a JWE, is refused), a
    /// header and payload that are JSON objects, a string `alg`, no `crit`, optional string
    /// `kid`/`typ`, at most 64 KiB. Failures are `IdToken(Malformed)` or `IdToken(Crit)`.
    pub fn parse(compact: &str, parser: &dyn JsonParser) -> Result<Self, Error> {
        if compact.len() > MAX_JWS_LEN {
            return Err(malformed());
        }
        let mut parts = compact.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        let header = decode_object(header_b64, parser)?;
        if header.get("crit").is_some() {
            return Err(Error::id_token(IdTokenProblem::Crit));
        }
        let alg = match header.get("alg") {
            Some(Json::String(alg)) => alg.clone(),
            _ => return Err(malformed()),
        };
        let kid = optional_header(&header, "kid")?;
        let typ = optional_header(&header, "typ")?;
        let payload = decode_object(payload_b64, parser)?;
        let signature = decode_segment(signature_b64)?;
        let signing_input = [header_b64, ".", payload_b64].concat();
        Ok(Self {
            header,
            payload,
            alg,
            kid,
            typ,
            signing_input,
            signature,
        })
    }

    /// The JWS signing input `BASE64URL(header) "." BASE64URL(payload)` (RFC 7515 §5.2 step 8).
    pub fn signing_input(&self) -> &[u8] {
        self.signing_input.as_bytes()
    }

    /// The decoded signature bytes (empty for `alg: none`, which validation refuses).
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }
}

#[cfg(test)]
#[path = "tests/jwt.rs"]
mod tests;
