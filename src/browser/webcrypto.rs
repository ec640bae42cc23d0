//! JWS signature verification with WebCrypto (`crypto.subtle.importKey("jwk", ...)` + `verify`), the
//! SHA-2 digests for `at_hash` (`crypto.subtle.digest`), and the DPoP key: a P-256 key pair made
//! with `generateKey` whose private key cannot be exported, and its ES256 signatures (`sign`).
//!
//! The browser does the RSA, ECDSA, Ed25519 and SHA-2 arithmetic; nothing of it is reimplemented
//! here. The bindings go through one small extern type, so that only three functions are imported.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::globals::global_property;
use crate::core::dpop::DpopPublicKey;
use crate::core::{Error, IdTokenProblem, Platform as PlatformError, Sha, Unsupported};

#[wasm_bindgen]
extern "C" {
    /// `SubtleCrypto`.
    type Subtle;

    #[wasm_bindgen(method, catch, js_name = importKey)]
    fn import_key(
        this: &Subtle,
        format: &str,
        key_data: &JsValue,
        algorithm: &JsValue,
        extractable: bool,
        usages: &js_sys::Array,
    ) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn digest(this: &Subtle, algorithm: &str, data: &[u8]) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn verify(
        this: &Subtle,
        algorithm: &JsValue,
        key: &JsValue,
        signature: &[u8],
        data: &[u8],
    ) -> Result<js_sys::Promise, JsValue>;
}

/// The WebCrypto parameters of a JWS algorithm (RFC 7518 §3, RFC 8037 §3.1): the import
/// algorithm and the verify algorithm.
fn params(alg: &str) -> Option<(js_sys::Object, js_sys::Object)> {
    let obj = |pairs: &[(&str, JsValue)]| {
        let o = js_sys::Object::new();
        for (k, v) in pairs {
            let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
        }
        o
    };
    let s = |v: &str| JsValue::from_str(v);
    let hash = match alg.get(2..) {
        Some("256") => "SHA-256",
        Some("384") => "SHA-384",
        Some("512") => "SHA-512",
        _ if alg == "EdDSA" => "",
        _ => return None,
    };
    Some(match alg.get(..2) {
        Some("RS") => {
            let a = obj(&[("name", s("RSASSA-PKCS1-v1_5")), ("hash", s(hash))]);
            (a.clone(), a)
        }
        Some("PS") => {
            // The salt is as long as the hash (RFC 7518 §3.5).
            let salt = match hash {
                "SHA-256" => 32,
                "SHA-384" => 48,
                _ => 64,
            };
            (
                obj(&[("name", s("RSA-PSS")), ("hash", s(hash))]),
                obj(&[("name", s("RSA-PSS")), ("saltLength", JsValue::from(salt))]),
            )
        }
        Some("ES") => {
            let curve = match hash {
                "SHA-256" => "P-256",
                "SHA-384" => "P-384",
                _ => "P-521",
            };
            (
                obj(&[("name", s("ECDSA")), ("namedCurve", s(curve))]),
                obj(&[("name", s("ECDSA")), ("hash", s(hash))]),
            )
        }
        Some("Ed") => {
            let a = obj(&[("name", s("Ed25519"))]);
            (a.clone(), a)
        }
        _ => return None,
    })
}

/// Whether a WebCrypto rejection means the algorithm is not available in this browser.
fn not_supported(e: &JsValue) -> bool {
    js_sys::Reflect::get(e, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .is_some_and(|n| n == "NotSupportedError")
}

fn subtle() -> Result<Subtle, Error> {
    global_property("crypto")
        .and_then(|c| js_sys::Reflect::get(&c, &JsValue::from_str("subtle")).ok())
        .filter(|s| s.is_object())
        .map(JsCast::unchecked_into)
        .ok_or(Error::Platform(PlatformError::CryptoUnavailable))
}

/// The `sha` digest of `data`; `Err(CryptoUnavailable)` without WebCrypto.
pub(crate) async fn digest(sha: Sha, data: &[u8]) -> Result<Vec<u8>, Error> {
    let unavailable = || Error::Platform(PlatformError::CryptoUnavailable);
    // WebCrypto copies `data` before `digest` returns its promise.
    let promise = subtle()?
        .digest(sha.name(), data)
        .map_err(|_| unavailable())?;
    let buffer = JsFuture::from(promise).await.map_err(|_| unavailable())?;
    let out = js_sys::Uint8Array::new(&buffer).to_vec();
    if out.len() == sha.output_len() {
        Ok(out)
    } else {
        Err(unavailable())
    }
}

/// Verifies `signature` over `signing_input` with the public JWK `jwk` for JWS algorithm `alg`.
/// `Ok(false)` for a bad signature or an unusable key; `Err(CryptoUnavailable)` without WebCrypto;
/// `Err(IdToken(Alg))` when this browser does not implement the algorithm (e.g. Ed25519).
pub(crate) async fn verify_signature(
    alg: &str,
    jwk: &str,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<bool, Error> {
    let unavailable = || Error::Platform(PlatformError::CryptoUnavailable);
    let subtle = subtle()?;
    let (import_alg, verify_alg) = params(alg).ok_or(Error::id_token(IdTokenProblem::Alg))?;
    let key_data =
        js_sys::JSON::parse(jwk).map_err(|_| Error::id_token(IdTokenProblem::KeySelection))?;
    let usages = js_sys::Array::of1(&JsValue::from_str("verify"));
    let rejected = |e: JsValue| {
        if not_supported(&e) {
            Err(Error::id_token(IdTokenProblem::Alg))
        } else {
            Ok(false)
        }
    };
    let key = match subtle.import_key("jwk", &key_data, &import_alg, false, &usages) {
        Err(_) => return Err(unavailable()),
        Ok(p) => match JsFuture::from(p).await {
            Ok(key) => key,
            Err(e) => return rejected(e),
        },
    };
    // WebCrypto copies `signature` and `data` before `verify` returns its promise.
    match subtle.verify(&verify_alg, &key, signature, signing_input) {
        Err(_) => Err(unavailable()),
        Ok(p) => match JsFuture::from(p).await {
            Ok(v) => Ok(v.as_bool() == Some(true)),
            Err(e) => rejected(e),
        },
    }
}

#[wasm_bindgen(module = "/src/browser/dpop.js")]
extern "C" {
    /// Resolves to `[privateKey, x, y]` of a new, non-extractable P-256 key pair.
    #[wasm_bindgen(js_name = dpopKey)]
    fn dpop_key_js() -> js_sys::Promise;

    /// Resolves to the ES256 signature of `data` with `key`.
    #[wasm_bindgen(js_name = dpopSign)]
    fn dpop_sign_js(key: &JsValue, data: &[u8]) -> js_sys::Promise;
}

/// A new DPoP key pair: the private `CryptoKey` (not extractable: its bytes never leave the
/// browser's crypto) and the public key's coordinates. `Err(Unsupported::Dpop)` when the browser
/// cannot make one.
pub(crate) async fn dpop_key() -> Result<(JsValue, DpopPublicKey), Error> {
    let unsupported = || Error::Unsupported(Unsupported::Dpop);
    let made = JsFuture::from(dpop_key_js())
        .await
        .map_err(|_| unsupported())?;
    let made: js_sys::Array = made.dyn_into().map_err(|_| unsupported())?;
    let (x, y) = (made.get(1).as_string(), made.get(2).as_string());
    let public = match (x, y) {
        (Some(x), Some(y)) => DpopPublicKey::new(&x, &y).ok_or_else(unsupported)?,
        _ => return Err(unsupported()),
    };
    Ok((made.get(0), public))
}

/// The ES256 signature (`R || S`, 64 bytes) of `data` with the private DPoP key `key`.
pub(crate) async fn dpop_sign(key: &JsValue, data: &[u8]) -> Result<Vec<u8>, Error> {
    let unavailable = || Error::Platform(PlatformError::CryptoUnavailable);
    // WebCrypto copies `data` before `sign` returns its promise.
    let signed = JsFuture::from(dpop_sign_js(key, data))
        .await
        .map_err(|_| unavailable())?;
    let out = js_sys::Uint8Array::new(&signed).to_vec();
    if out.len() == 64 {
        Ok(out)
    } else {
        Err(unavailable())
    }
}
