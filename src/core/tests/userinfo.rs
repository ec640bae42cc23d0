#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::support::{SerdeJson, json_response, metadata};

fn claims(status: u16, body: &str) -> Result<Json, Error> {
    userinfo_claims(&json_response(status, body), &SerdeJson, "alice")
}

#[test]
fn f02_access_token_only_in_the_authorization_header() {
    let at = AccessToken::new("AT-secret".into());
    let req = userinfo_request(&metadata(), &at).expect("request");
    assert_eq!(req.method, Method::Get);
    assert_eq!(req.url, "https://op.example.com/userinfo");
    assert!(!req.url.contains("AT-secret"), "never in the query");
    assert!(req.body.is_none(), "never in a body");
    assert!(
        req.headers
            .iter()
            .any(|(k, v)| k == "Authorization" && v == "Bearer AT-secret")
    );
}

#[test]
fn no_userinfo_endpoint_is_unsupported() {
    let mut m = metadata();
    m.userinfo_endpoint = None;
    let err = userinfo_request(&m, &AccessToken::new("x".into())).expect_err("unsupported");
    assert_eq!(err.code(), "userinfo_unsupported");
}

#[test]
fn f04_claims_with_the_matching_sub_are_used() {
    let json = claims(200, r#"{"sub":"alice","email":"a@example.com"}"#).expect("claims");
    assert_eq!(
        json.get("email").and_then(Json::as_str),
        Some("a@example.com")
    );
}

#[test]
fn f01_another_sub_or_none_is_refused() {
    for body in [
        r#"{"sub":"foobar","email":"x@example.com"}"#,
        r#"{"email":"x@example.com"}"#,
        r#"{"sub":42}"#,
        r#"{"sub":"alice","sub":"mallory"}"#,
        r#"{"sub":"alic"}"#,
    ] {
        assert_eq!(
            claims(200, body).map(|_| ()).unwrap_err().code(),
            "userinfo_sub_mismatch",
            "{body}"
        );
    }
}

#[test]
fn f03_refused_token_and_malformed_answers() {
    assert_eq!(claims(401, "").unwrap_err().code(), "http_status");
    assert_eq!(claims(200, "[]").unwrap_err().code(), "not_a_json_object");
    assert_eq!(claims(200, "{").unwrap_err().code(), "json_parse");
    let mut html = json_response(200, r#"{"sub":"alice"}"#);
    html.content_type = Some("text/html".into());
    assert_eq!(
        userinfo_claims(&html, &SerdeJson, "alice")
            .unwrap_err()
            .code(),
        "unexpected_content_type"
    );
    let mut jwt = json_response(200, "eyJ.eyJ.sig");
    jwt.content_type = Some("application/jwt".into());
    assert_eq!(
        userinfo_claims(&jwt, &SerdeJson, "alice")
            .unwrap_err()
            .code(),
        "unexpected_content_type",
        "signed userinfo is not supported"
    );
}
