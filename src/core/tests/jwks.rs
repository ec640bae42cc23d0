#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::support::{SerdeJson, b64, from_value, json_response, jws};

/// An RSA modulus of `bits` bits (top bit set), base64url.
fn modulus(bits: usize) -> String {
    let mut n = vec![0xA5u8; bits / 8];
    n[0] = 0xC1;
    b64(&n)
}

fn rsa(kid: &str, bits: usize) -> serde_json::Value {
    serde_json::json!({"kty": "RSA", "kid": kid, "n": modulus(bits), "e": "AQAB"})
}

fn ec(kid: &str) -> serde_json::Value {
    serde_json::json!({"kty": "EC", "kid": kid, "crv": "P-256", "x": b64(&[1; 32]), "y": b64(&[2; 32])})
}

fn okp(kid: &str) -> serde_json::Value {
    serde_json::json!({"kty": "OKP", "kid": kid, "crv": "Ed25519", "x": b64(&[3; 32])})
}

fn set(keys: Vec<serde_json::Value>) -> JwkSet {
    JwkSet::from_json(&from_value(serde_json::json!({ "keys": keys }))).unwrap()
}

fn kids(s: &JwkSet) -> Vec<&str> {
    s.keys.iter().filter_map(|k| k.kid.as_deref()).collect()
}

fn token(alg: &str, kid: Option<&str>, sig: &[u8]) -> Jws {
    let mut h = serde_json::json!({ "alg": alg });
    if let Some(kid) = kid {
        h["kid"] = kid.into();
    }
    let compact = jws(&h, &serde_json::json!({"sub": "u"}));
    let (input, _) = compact.rsplit_once('.').unwrap();
    Jws::parse(&format!("{input}.{}", b64(sig)), &SerdeJson).unwrap()
}

fn found<'a>(m: Result<KeyMatch<'a>, Error>) -> &'a Jwk {
    match m {
        Ok(KeyMatch::Found(k)) => k,
        other => panic!("expected a key, got {other:?}"),
    }
}

#[test]
fn reads_rsa_ec_and_okp_keys_as_public_only_jwks() {
    let s = set(vec![rsa("r", 2048), ec("e"), okp("o")]);
    assert_eq!(kids(&s), ["r", "e", "o"]);
    assert_eq!(s.keys[0].kind, KeyKind::Rsa { bytes: 256 });
    assert_eq!(s.keys[1].kind, KeyKind::Ec { crv: "P-256" });
    assert_eq!(s.keys[2].kind, KeyKind::Ed25519);
    assert_eq!(
        s.keys[1].public_jwk(),
        format!(
            r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}"#,
            b64(&[1; 32]),
            b64(&[2; 32])
        )
    );
    assert!(s.keys[0].public_jwk().starts_with(r#"{"kty":"RSA","n":""#));
    assert!(s.keys[0].public_jwk().ends_with(r#","e":"AQAB"}"#));
    assert_eq!(
        (
            s.keys[0].signature_len(),
            s.keys[1].signature_len(),
            s.keys[2].signature_len()
        ),
        (256, 64, 64)
    );
}

#[test]
fn e18_unusable_keys_are_ignored() {
    let mut enc = rsa("enc", 2048);
    enc["use"] = "enc".into();
    let mut wrap = rsa("wrap", 2048);
    wrap["key_ops"] = serde_json::json!(["encrypt"]);
    let mut private = rsa("private", 2048);
    private["d"] = b64(&[9; 256]).into();
    let mut oaep = rsa("oaep", 2048);
    oaep["alg"] = "RSA-OAEP".into();
    let mut even_e = rsa("even-e", 2048);
    even_e["e"] = b64(&[2]).into();
    let mut bad_b64 = rsa("bad-b64", 2048);
    bad_b64["n"] = "++++".into();
    let mut short_ec = ec("short-ec");
    short_ec["x"] = b64(&[1; 31]).into();
    let mut kid_number = ec("kid-number");
    kid_number["kid"] = 7.into();
    let keys = vec![
        serde_json::json!({"kty": "AKP", "kid": "akp", "alg": "ML-DSA-44", "pub": b64(&[1; 40])}),
        serde_json::json!({"kty": "XYZ", "kid": "made-up"}),
        serde_json::json!({"kty": "oct", "kid": "hmac", "k": b64(b"secret")}),
        serde_json::json!({"kid": "no-kty"}),
        serde_json::json!("not an object"),
        serde_json::json!({"kty": "EC", "kid": "secp256k1", "crv": "secp256k1", "x": b64(&[1; 32]), "y": b64(&[2; 32])}),
        serde_json::json!({"kty": "OKP", "kid": "x25519", "crv": "X25519", "x": b64(&[1; 32])}),
        rsa("rsa-1024", 1024),
        rsa("rsa-2047", 2047),
        enc,
        wrap,
        private,
        oaep,
        even_e,
        bad_b64,
        short_ec,
        kid_number,
        rsa("good", 2048),
    ];
    let s = set(keys);
    assert_eq!(kids(&s), ["good"]);
    let t = token("RS256", Some("rsa-1024"), &[0; 128]);
    assert_eq!(s.select(&t.alg, t.kid.as_deref()), Ok(KeyMatch::Unknown));
    let t = token("RS256", None, &[0; 256]);
    assert_eq!(found(s.select(&t.alg, None)).kid.as_deref(), Some("good"));
}

#[test]
fn e18_sig_use_and_verify_ops_are_usable_and_leading_zeros_do_not_count() {
    let mut k = rsa("k", 2048);
    k["use"] = "sig".into();
    k["key_ops"] = serde_json::json!(["verify"]);
    let mut padded = vec![0u8; 1];
    padded.extend(vec![0xA5u8; 255]);
    let mut z = rsa("z", 2048);
    z["n"] = b64(&padded).into(); // 2040 significant bits
    let s = set(vec![k, z]);
    assert_eq!(kids(&s), ["k"]);
}

#[test]
fn e18_a_key_set_that_is_not_a_key_set_is_a_key_fetch_failure() {
    for doc in [
        serde_json::json!({}),
        serde_json::json!({"keys": {}}),
        serde_json::json!([]),
    ] {
        assert_eq!(
            JwkSet::from_json(&from_value(doc)),
            Err(Error::id_token(IdTokenProblem::KeyFetch))
        );
    }
    let ok = json_response(200, r#"{"keys":[]}"#);
    assert_eq!(
        JwkSet::from_response(&ok, &SerdeJson),
        Ok(JwkSet::default())
    );
    let mut jwk_type = json_response(200, r#"{"keys":[]}"#);
    jwk_type.content_type = Some("application/jwk-set+json".into());
    assert!(JwkSet::from_response(&jwk_type, &SerdeJson).is_ok());
    for resp in [
        json_response(500, r#"{"keys":[]}"#),
        json_response(302, ""),
        json_response(200, "{"),
        json_response(200, "[]"),
        HttpResponse {
            content_type: Some("text/html".into()),
            ..json_response(200, r#"{"keys":[]}"#)
        },
    ] {
        assert_eq!(
            JwkSet::from_response(&resp, &SerdeJson),
            Err(Error::id_token(IdTokenProblem::KeyFetch))
        );
    }
}

#[test]
fn key_count_is_capped() {
    let keys: Vec<_> = (0..MAX_KEYS + 10).map(|i| ec(&format!("k{i}"))).collect();
    assert_eq!(set(keys).keys.len(), MAX_KEYS);
}

#[test]
fn selects_by_kid_and_algorithm() {
    let s = set(vec![rsa("r", 2048), ec("e"), okp("o")]);
    assert_eq!(
        found(s.select("RS256", Some("r"))).kid.as_deref(),
        Some("r")
    );
    assert_eq!(
        found(s.select("PS256", Some("r"))).kid.as_deref(),
        Some("r")
    );
    assert_eq!(
        found(s.select("ES256", Some("e"))).kid.as_deref(),
        Some("e")
    );
    assert_eq!(
        found(s.select("EdDSA", Some("o"))).kid.as_deref(),
        Some("o")
    );
    assert_eq!(s.select("RS256", Some("gone")), Ok(KeyMatch::Unknown));
}

#[test]
fn e06_key_and_header_algorithm_must_agree() {
    let mut es_labelled_rsa = rsa("r", 2048);
    es_labelled_rsa["alg"] = "ES256".into();
    let mut rs384 = rsa("r384", 2048);
    rs384["alg"] = "RS384".into();
    let s = set(vec![es_labelled_rsa, rs384, ec("e")]);
    let alg_err = Err(Error::id_token(IdTokenProblem::Alg));
    assert_eq!(s.select("RS256", Some("r")), alg_err);
    assert_eq!(s.select("RS256", Some("r384")), alg_err);
    assert_eq!(s.select("ES256", Some("r384")), alg_err);
    assert_eq!(s.select("RS256", Some("e")), alg_err);
    assert_eq!(s.select("ES384", Some("e")), alg_err);
    assert_eq!(
        found(s.select("RS384", Some("r384"))).kid.as_deref(),
        Some("r384")
    );
}

#[test]
fn e15_without_kid_the_single_fitting_key_is_used() {
    let s = set(vec![rsa("r", 2048), ec("e")]);
    assert_eq!(found(s.select("RS256", None)).kid.as_deref(), Some("r"));
    assert_eq!(found(s.select("ES256", None)).kid.as_deref(), Some("e"));
    assert_eq!(s.select("EdDSA", None), Ok(KeyMatch::Unknown));
    let two = set(vec![rsa("a", 2048), rsa("b", 3072)]);
    assert_eq!(
        two.select("RS256", None),
        Err(Error::id_token(IdTokenProblem::KeySelection))
    );
}

#[test]
fn e04_e06_alg_policy() {
    let allowed = vec!["RS256".to_owned(), "ES256".to_owned()];
    for ok in ["RS256", "ES256"] {
        assert_eq!(check_alg(&token(ok, None, b"s"), &allowed), Ok(()));
    }
    let err = Err(Error::id_token(IdTokenProblem::Alg));
    for bad in ["none", "None", "HS256", "PS256", "EdDSA", "rs256", ""] {
        assert_eq!(check_alg(&token(bad, None, b""), &allowed), err, "{bad}");
    }
    // Even when configured, none and HS* are never accepted.
    let reckless = vec!["none".to_owned(), "HS256".to_owned()];
    assert_eq!(check_alg(&token("none", None, b""), &reckless), err);
    assert_eq!(check_alg(&token("HS256", None, b"s"), &reckless), err);
}

#[test]
fn e02_signature_length_must_fit_the_key() {
    let s = set(vec![rsa("r", 2048), ec("e")]);
    let r = found(s.select("RS256", Some("r")));
    let e = found(s.select("ES256", Some("e")));
    assert_eq!(
        check_signature_shape(&token("RS256", Some("r"), &[7; 256]), r),
        Ok(())
    );
    assert_eq!(
        check_signature_shape(&token("ES256", Some("e"), &[7; 64]), e),
        Ok(())
    );
    let err = Err(Error::id_token(IdTokenProblem::Signature));
    assert_eq!(
        check_signature_shape(&token("RS256", Some("r"), &[7; 255]), r),
        err
    );
    assert_eq!(
        check_signature_shape(&token("RS256", Some("r"), &[]), r),
        err
    );
    // A DER-encoded ECDSA signature (what some libraries emit by mistake) is not R || S.
    assert_eq!(
        check_signature_shape(&token("ES256", Some("e"), &[0x30; 70]), e),
        err
    );
}

#[test]
fn jku_x5u_and_embedded_jwk_headers_are_never_a_key_source() {
    // The header names a key of its own; selection only looks at the provider's set.
    let h = serde_json::json!({
        "alg": "RS256", "kid": "attacker",
        "jku": "https://evil.example/jwks", "x5u": "https://evil.example/cert",
        "jwk": rsa("attacker", 2048),
    });
    let t = Jws::parse(&jws(&h, &serde_json::json!({})), &SerdeJson).unwrap();
    let s = set(vec![rsa("r", 2048)]);
    assert_eq!(s.select(&t.alg, t.kid.as_deref()), Ok(KeyMatch::Unknown));
}
