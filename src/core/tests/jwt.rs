#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::support::{Fixed, SerdeJson, b64, jws};

fn header() -> serde_json::Value {
    serde_json::json!({"alg": "RS256", "kid": "k1", "typ": "JWT"})
}

fn payload() -> serde_json::Value {
    serde_json::json!({"iss": "https://op.example.com", "sub": "u"})
}

fn malformed_err() -> Error {
    Error::id_token(IdTokenProblem::Malformed)
}

#[test]
fn parses_a_compact_jws() {
    let compact = jws(&header(), &payload());
    let j = Jws::parse(&compact, &SerdeJson).unwrap();
    assert_eq!(j.alg, "RS256");
    assert_eq!(j.kid.as_deref(), Some("k1"));
    assert_eq!(j.typ.as_deref(), Some("JWT"));
    assert_eq!(j.payload.get("sub").and_then(Json::as_str), Some("u"));
    assert_eq!(j.header.get("alg").and_then(Json::as_str), Some("RS256"));
    let (input, _) = compact.rsplit_once('.').unwrap();
    assert_eq!(j.signing_input(), input.as_bytes());
    assert_eq!(j.signature(), b"sig");
    let d = format!("{j:?}");
    assert!(d.contains("RS256") && d.contains("k1") && !d.contains("op.example.com"));
}

#[test]
fn kid_and_typ_optional() {
    let j = Jws::parse(
        &jws(&serde_json::json!({"alg": "ES256"}), &payload()),
        &SerdeJson,
    )
    .unwrap();
    assert_eq!((j.kid, j.typ), (None, None));
}

#[test]
fn e20_malformed_jwt() {
    let h = b64(header().to_string().as_bytes());
    let p = b64(payload().to_string().as_bytes());
    let cases = vec![
        String::new(),
        "abc".to_owned(),
        format!("{h}.{p}"),
        format!("{h}.{p}.c2ln.extra"),
        format!("{h}.{p}.c2ln.a.b"),
        format!("{h}.{p}.c2ln="),
        format!("{h}=.{p}.c2ln"),
        format!("{h}.{p}.c2l+"),
        format!("{h}.{p}.c2l/"),
        format!("{h}.{p}.c 2ln"),
        format!("{h}.{p}.c2lnA"),
        format!(".{p}.c2ln"),
        format!("{h}..c2ln"),
        format!("{h}.{}.c2ln", b64(b"not json")),
        format!("{h}.{}.c2ln", b64(b"[]")),
        format!("{h}.{}.c2ln", b64(b"\"str\"")),
        format!("{h}.{}.c2ln", b64(&[0xff, 0xfe, b'{', b'}'])),
        format!("{}.{p}.c2ln", b64(b"{}")),
        format!("{}.{p}.c2ln", b64(b"{\"alg\":null}")),
        format!("{}.{p}.c2ln", b64(b"{\"alg\":1}")),
        format!("{}.{p}.c2ln", b64(b"{\"alg\":\"RS256\",\"kid\":1}")),
        format!("{}.{p}.c2ln", b64(b"{\"alg\":\"RS256\",\"typ\":[]}")),
        format!("{}.{p}.c2ln", b64(b"null")),
    ];
    for c in &cases {
        assert_eq!(
            Jws::parse(c, &SerdeJson).unwrap_err(),
            malformed_err(),
            "{c}"
        );
    }
}

#[test]
fn e20_non_canonical_base64_refused() {
    // "c2lnA" has a dangling char; "c2lo" vs "c2ln": trailing bits must be zero.
    let h = b64(header().to_string().as_bytes());
    let p = b64(payload().to_string().as_bytes());
    assert!(
        Jws::parse(&format!("{h}.{p}.AB"), &SerdeJson).is_err(),
        "non-zero trailing bits"
    );
    assert!(Jws::parse(&format!("{h}.{p}.AA"), &SerdeJson).is_ok());
}

#[test]
fn e20_duplicate_claim_names_refused() {
    let dup = Json::Object(vec![
        ("alg".into(), Json::String("RS256".into())),
        ("sub".into(), Json::String("a".into())),
        ("sub".into(), Json::String("b".into())),
    ]);
    let compact = jws(&header(), &payload());
    assert_eq!(
        Jws::parse(&compact, &Fixed(dup)).unwrap_err(),
        malformed_err()
    );
}

#[test]
fn crit_header_refused() {
    let h = serde_json::json!({"alg": "RS256", "crit": ["b64"], "b64": false});
    assert_eq!(
        Jws::parse(&jws(&h, &payload()), &SerdeJson).unwrap_err(),
        Error::id_token(IdTokenProblem::Crit)
    );
    let h = serde_json::json!({"alg": "RS256", "crit": []});
    assert_eq!(
        Jws::parse(&jws(&h, &payload()), &SerdeJson)
            .unwrap_err()
            .detail(),
        Some("crit")
    );
}

#[test]
fn key_location_headers_are_ignored() {
    let h = serde_json::json!({"alg": "RS256", "jku": "https://evil/jwks", "x5u": "https://evil/c", "jwk": {"kty": "RSA"}, "x5c": ["AAAA"]});
    let j = Jws::parse(&jws(&h, &payload()), &SerdeJson).unwrap();
    assert_eq!(j.alg, "RS256");
    assert_eq!(j.kid, None);
}

#[test]
fn e04_alg_none_parses_with_empty_signature() {
    let compact = format!(
        "{}.{}.",
        b64(b"{\"alg\":\"none\"}"),
        b64(payload().to_string().as_bytes())
    );
    let j = Jws::parse(&compact, &SerdeJson).unwrap();
    assert_eq!(j.alg, "none");
    assert!(j.signature().is_empty());
}

#[test]
fn length_cap() {
    let padded_payload = serde_json::json!({"iss": "x", "pad": "y".repeat(MAX_JWS_LEN)});
    let over = jws(&header(), &padded_payload);
    assert!(over.len() > MAX_JWS_LEN);
    assert_eq!(Jws::parse(&over, &SerdeJson).unwrap_err(), malformed_err());
    let near = serde_json::json!({"iss": "x", "pad": "y".repeat(MAX_JWS_LEN / 2)});
    assert!(Jws::parse(&jws(&header(), &near), &SerdeJson).is_ok());
}
