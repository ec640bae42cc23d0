//! Issuer identification and check order (RFC 9207 §2.4, RFC 9700 §4.4).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::tests::{TTL, from_query, validate};
use super::*;
use crate::core::support::{ISSUER, NOW, metadata, pending};

#[test]
fn b11_error_with_wrong_iss_is_issuer_mismatch() {
    let p = pending();
    let err = validate(
        &[
            ("error", "login_required"),
            ("state", p.state.secret()),
            ("iss", "https://evil.example"),
        ],
        &p,
        &metadata(),
    )
    .unwrap_err();
    assert_eq!(err, InvalidResponse::IssuerMismatch.into());
}

#[test]
fn validation_order_follows_rfc9207() {
    let p = pending();
    // Expiry is checked before the issuer, the issuer before the error and the code.
    let params = from_query(&[
        ("state", p.state.secret()),
        ("iss", "https://evil.example"),
        ("error", "x"),
    ])
    .unwrap();
    assert_eq!(
        params
            .clone()
            .validate(&p, &metadata(), TTL, NOW + 601)
            .unwrap_err(),
        Error::Misuse(Misuse::TransactionExpired)
    );
    assert_eq!(
        params.validate(&p, &metadata(), TTL, NOW).unwrap_err(),
        InvalidResponse::IssuerMismatch.into()
    );
    let err = validate(&[("state", p.state.secret())], &p, &metadata()).unwrap_err();
    assert_eq!(
        err,
        InvalidResponse::IssuerMissing.into(),
        "issuer before missing code"
    );
}

#[test]
fn c01_metadata_of_another_issuer_refused() {
    let p = pending();
    let mut other = metadata();
    other.issuer = "https://attacker.example".into();
    other.token_endpoint = "https://attacker.example/token".into();
    let err = validate(
        &[("code", "c"), ("state", p.state.secret()), ("iss", ISSUER)],
        &p,
        &other,
    )
    .unwrap_err();
    assert_eq!(err, InvalidResponse::IssuerMismatch.into());
}

#[test]
fn c02_iss_missing_when_advertised() {
    let p = pending();
    let m = metadata();
    assert!(m.iss_parameter_supported);
    let err = validate(&[("code", "c"), ("state", p.state.secret())], &p, &m).unwrap_err();
    assert_eq!(err, InvalidResponse::IssuerMissing.into());
    let err = validate(
        &[("error", "access_denied"), ("state", p.state.secret())],
        &p,
        &m,
    )
    .unwrap_err();
    assert_eq!(err, InvalidResponse::IssuerMissing.into());
}

#[test]
fn c04_iss_optional_when_not_advertised() {
    let p = pending();
    let mut m = metadata();
    m.iss_parameter_supported = false;
    // (a) correct iss accepted
    assert!(
        validate(
            &[("code", "c"), ("state", p.state.secret()), ("iss", ISSUER)],
            &p,
            &m
        )
        .is_ok()
    );
    // (b) a present iss is always compared (exact string)
    for wrong in [
        "https://evil.example",
        "https://op.example.com/",
        "HTTPS://op.example.com",
        "",
    ] {
        let err = validate(
            &[("code", "c"), ("state", p.state.secret()), ("iss", wrong)],
            &p,
            &m,
        )
        .unwrap_err();
        assert_eq!(err, InvalidResponse::IssuerMismatch.into(), "{wrong:?}");
    }
    // (c) absent iss accepted
    assert!(validate(&[("code", "c"), ("state", p.state.secret())], &p, &m).is_ok());
}
