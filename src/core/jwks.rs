//! The provider's JSON Web Key Set (RFC 7517 §5) and the choice of the key that verifies an ID
//! token (OIDC Core §10.1.1, RFC 8725 §3.1).
//!
//! Keys come only from the `jwks_uri` of the provider metadata; key-locating JWS headers (`jku`,
//! `x5u`, `jwk`, `x5c`) are never read. Unusable keys are skipped, not fatal: unknown `kty` or
//! curve, RSA moduli under 2048 bits, `use` other than `sig`, `key_ops` without `verify`, keys
//! that carry private or symmetric material, and malformed members. The signature itself is
//! verified by the platform (WebCrypto in the browser) with [`Jwk::public_jwk`].

use super::base64url;

use super::config::SUPPORTED_ID_TOKEN_ALGS;
use super::error::{Error, IdTokenProblem};
use super::http::HttpResponse;
use super::json::{Json, JsonParser};
use super::jwt::Jws;

/// Smallest accepted RSA modulus, in bits (RFC 7518 §3.3).
pub const MIN_RSA_BITS: usize = 2048;
/// Largest accepted RSA modulus, in bits (bounds the work a hostile key set can cause).
pub const MAX_RSA_BITS: usize = 8192;
/// At most this many keys of a set are considered; the rest are ignored.
pub const MAX_KEYS: usize = 64;

/// The key type and its size or curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA (`kty: "RSA"`) with a modulus of `bytes` bytes.
    Rsa {
        /// Modulus length in bytes (also the signature length).
        bytes: usize,
    },
    /// Elliptic curve (`kty: "EC"`): P-256, P-384 or P-521.
    Ec {
        /// The curve name, e.g. `"P-256"`.
        crv: &'static str,
    },
    /// Ed25519 (`kty: "OKP"`, RFC 8037).
    Ed25519,
}

/// One usable public verification key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jwk {
    /// `kid`, when present.
    pub kid: Option<String>,
    /// `alg`, when present: the key may then only verify that algorithm.
    pub alg: Option<String>,
    /// Key type and size.
    pub kind: KeyKind,
    public_jwk: String,
}

/// What looking up a key for a token found.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyMatch<'a> {
    /// The key to verify with.
    Found(&'a Jwk),
    /// No key with this `kid` (or, without `kid`, no key at all for the algorithm): a refetched key
    /// set may have it (key rotation, OIDC Core §10.1.1).
    Unknown,
}

/// The usable keys of a provider's key set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JwkSet {
    /// The usable keys, in document order.
    pub keys: Vec<Jwk>,
}

fn key_fetch() -> Error {
    Error::id_token(IdTokenProblem::KeyFetch)
}

fn b64(json: &Json, name: &str) -> Option<Vec<u8>> {
    base64url::decode(json.get(name)?.as_str()?)
}

/// Members that only private or symmetric keys have (RFC 7518 §6.2.2, §6.3.2, §6.4).
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

fn optional_str<'a>(json: &'a Json, name: &str) -> Result<Option<&'a str>, ()> {
    match json.get(name) {
        None => Ok(None),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(_) => Err(()),
    }
}

impl Jwk {
    /// Reads one key; `None` when it is unusable for verifying ID tokens (see the module docs).
    pub fn from_json(json: &Json) -> Option<Jwk> {
        if !json.is_object() || PRIVATE_MEMBERS.iter().any(|m| json.get(m).is_some()) {
            return None;
        }
        let kid = optional_str(json, "kid").ok()?.map(str::to_owned);
        let alg = optional_str(json, "alg").ok()?;
        if alg.is_some_and(|a| !SUPPORTED_ID_TOKEN_ALGS.contains(&a)) {
            return None;
        }
        if optional_str(json, "use").ok()?.is_some_and(|u| u != "sig") {
            return None;
        }
        match json.get("key_ops") {
            None => {}
            Some(Json::Array(ops)) if ops.iter().any(|o| o.as_str() == Some("verify")) => {}
            Some(_) => return None,
        }
        let kty = json.get("kty")?.as_str()?;
        let (kind, public_jwk) = match kty {
            "RSA" => {
                let n = b64(json, "n")?;
                let e = b64(json, "e")?;
                let n = strip_leading_zeros(&n);
                let e = strip_leading_zeros(&e);
                let bits = bit_length(n);
                // An even (or empty) or tiny public exponent is not a usable RSA key.
                if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits)
                    || e.len() > 8
                    || e.last().is_none_or(|b| b & 1 == 0)
                    || e == [1]
                {
                    return None;
                }
                let jwk = [
                    r#"{"kty":"RSA","n":""#,
                    &base64url::encode(n),
                    r#"","e":""#,
                    &base64url::encode(e),
                    r#""}"#,
                ]
                .concat();
                (KeyKind::Rsa { bytes: n.len() }, jwk)
            }
            "EC" => {
                let (crv, len) = match json.get("crv")?.as_str()? {
                    "P-256" => ("P-256", 32),
                    "P-384" => ("P-384", 48),
                    "P-521" => ("P-521", 66),
                    _ => return None,
                };
                let x = b64(json, "x")?;
                let y = b64(json, "y")?;
                if x.len() != len || y.len() != len {
                    return None;
                }
                let jwk = [
                    r#"{"kty":"EC","crv":""#,
                    crv,
                    r#"","x":""#,
                    &base64url::encode(&x),
                    r#"","y":""#,
                    &base64url::encode(&y),
                    r#""}"#,
                ]
                .concat();
                (KeyKind::Ec { crv }, jwk)
            }
            "OKP" => {
                if json.get("crv")?.as_str()? != "Ed25519" {
                    return None;
                }
                let x = b64(json, "x")?;
                if x.len() != 32 {
                    return None;
                }
                let jwk = [
                    r#"{"kty":"OKP","crv":"Ed25519","x":""#,
                    &base64url::encode(&x),
                    r#""}"#,
                ]
                .concat();
                (KeyKind::Ed25519, jwk)
            }
            _ => return None,
        };
        // A key whose declared `alg` does not fit its type (RSA with `ES256`) is kept but can
        // verify nothing ([`Jwk::can_verify`]), so that a token naming it is an `alg` failure.
        Some(Jwk {
            kid,
            alg: alg.map(str::to_owned),
            kind,
            public_jwk,
        })
    }

    /// The public key alone as a JWK JSON text (`kty` and key members only, no `alg`, `use`,
    /// `key_ops` or `kid`), ready for WebCrypto `importKey("jwk", ...)`.
    pub fn public_jwk(&self) -> &str {
        &self.public_jwk
    }

    /// Whether the key type and size fit `alg`, ignoring the key's own `alg` member.
    fn suits(&self, alg: &str) -> bool {
        match (self.kind, alg) {
            (KeyKind::Rsa { .. }, a) => a.starts_with("RS") || a.starts_with("PS"),
            (KeyKind::Ec { crv }, a) => {
                matches!(
                    (crv, a),
                    ("P-256", "ES256") | ("P-384", "ES384") | ("P-521", "ES512")
                )
            }
            (KeyKind::Ed25519, a) => a == "EdDSA",
        }
    }

    /// Whether this key may verify a token signed with `alg`: type and size fit, and the key's
    /// `alg`, when present, is `alg` (RFC 7517 §4.4).
    pub fn can_verify(&self, alg: &str) -> bool {
        self.suits(alg) && self.alg.as_deref().is_none_or(|a| a == alg)
    }

    /// The length of a well-formed signature by this key, in bytes: the modulus length for RSA,
    /// twice the coordinate length for ECDSA (`R || S`, RFC 7518 §3.4), 64 for Ed25519.
    pub fn signature_len(&self) -> usize {
        match self.kind {
            KeyKind::Rsa { bytes } => bytes,
            KeyKind::Ec { crv: "P-256" } => 64,
            KeyKind::Ec { crv: "P-384" } => 96,
            KeyKind::Ec { .. } => 132,
            KeyKind::Ed25519 => 64,
        }
    }
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or(&[])
}

fn bit_length(be: &[u8]) -> usize {
    match be.first() {
        None => 0,
        Some(first) => (be.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
    }
}

impl JwkSet {
    /// Reads a key set document (`{"keys": [...]}`), keeping the usable keys. A document that is
    /// not a JSON object with a `keys` array is `IdToken(KeyFetch)`. A set with no usable key is
    /// kept (empty): a token then finds no key and is `IdToken(KeySelection)`.
    pub fn from_json(json: &Json) -> Result<JwkSet, Error> {
        let keys = json
            .get("keys")
            .and_then(Json::as_array)
            .ok_or_else(key_fetch)?;
        Ok(JwkSet {
            keys: keys
                .iter()
                .take(MAX_KEYS)
                .filter_map(Jwk::from_json)
                .collect(),
        })
    }

    /// Validates a `jwks_uri` response: status 200, JSON, then [`JwkSet::from_json`]. Every
    /// failure is `IdToken(KeyFetch)`: without the keys no ID token can be accepted.
    pub fn from_response(resp: &HttpResponse, parser: &dyn JsonParser) -> Result<JwkSet, Error> {
        if resp.status != 200 {
            return Err(key_fetch());
        }
        let json = super::http::json_object(resp, parser).map_err(|_| key_fetch())?;
        Self::from_json(&json)
    }

    /// Finds the key for a token signed with `alg` and carrying `kid`:
    /// - with a `kid`: the key with that `kid`. If that key cannot verify `alg` (another key
    ///   type, or its own `alg` differs), `IdToken(Alg)`: the header and the key disagree.
    /// - without a `kid`: the only key that can verify `alg`; several are `IdToken(KeySelection)`.
    ///
    /// [`KeyMatch::Unknown`] when nothing matches, so that the caller may refetch once.
    pub fn select(&self, alg: &str, kid: Option<&str>) -> Result<KeyMatch<'_>, Error> {
        match kid {
            Some(kid) => {
                let mut same_kid = self.keys.iter().filter(|k| k.kid.as_deref() == Some(kid));
                if same_kid.clone().next().is_none() {
                    return Ok(KeyMatch::Unknown);
                }
                match same_kid.find(|k| k.can_verify(alg)) {
                    Some(key) => Ok(KeyMatch::Found(key)),
                    None => Err(Error::id_token(IdTokenProblem::Alg)),
                }
            }
            None => {
                let mut fitting = self.keys.iter().filter(|k| k.can_verify(alg));
                match (fitting.next(), fitting.next()) {
                    (None, _) => Ok(KeyMatch::Unknown),
                    (Some(key), None) => Ok(KeyMatch::Found(key)),
                    (Some(_), Some(_)) => Err(Error::id_token(IdTokenProblem::KeySelection)),
                }
            }
        }
    }
}

/// The `alg` policy, checked before any key is fetched: the header `alg` must be one this
/// library verifies (asymmetric only: never `none`, never HS*) and in `allowed` (client
/// configuration ∩ provider metadata, RFC 8725 §3.1, OIDC Core §3.1.3.7 step 7).
pub fn check_alg(jws: &Jws, allowed: &[String]) -> Result<(), Error> {
    let alg = jws.alg.as_str();
    if SUPPORTED_ID_TOKEN_ALGS.contains(&alg) && allowed.iter().any(|a| a == alg) {
        Ok(())
    } else {
        Err(Error::id_token(IdTokenProblem::Alg))
    }
}

/// Checks the signature's length against the key before asking the platform to verify, so that
/// a truncated or padded signature is `IdToken(Signature)` without any crypto call.
pub fn check_signature_shape(jws: &Jws, key: &Jwk) -> Result<(), Error> {
    if jws.signature().len() == key.signature_len() {
        Ok(())
    } else {
        Err(Error::id_token(IdTokenProblem::Signature))
    }
}

#[cfg(test)]
#[path = "tests/jwks.rs"]
mod tests;
