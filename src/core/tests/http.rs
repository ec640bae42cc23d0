#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::support::SerdeJson;

fn resp(ct: Option<&str>, body: &str) -> HttpResponse {
    HttpResponse {
        status: 200,
        content_type: ct.map(str::to_owned),
        body: body.to_owned(),
        retry_after: None,
        dpop_nonce: None,
        www_authenticate: None,
    }
}

#[test]
fn json_content_types() {
    for ct in [
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        " application/json ",
        "application/jwk-set+json",
        "application/problem+JSON; x=y",
    ] {
        assert!(is_json_content_type(Some(ct)), "{ct}");
    }
    for ct in [
        "",
        "text/html",
        "text/json",
        "application/jsonx",
        "application/+json",
        "application/x json+json",
        "json",
        "application/javascript",
    ] {
        assert!(!is_json_content_type(Some(ct)), "{ct}");
    }
    assert!(!is_json_content_type(None));
}

#[test]
fn d01_html_body() {
    let err = json_object(&resp(Some("text/html"), "<html></html>"), &SerdeJson).unwrap_err();
    assert_eq!(err, InvalidResponse::UnexpectedContentType.into());
    let err = json_object(&resp(None, "{}"), &SerdeJson).unwrap_err();
    assert_eq!(err, InvalidResponse::UnexpectedContentType.into());
}

#[test]
fn d02_truncated_json() {
    let err = json_object(
        &resp(Some("application/json"), "{\"access_token\":"),
        &SerdeJson,
    )
    .unwrap_err();
    assert_eq!(err, InvalidResponse::JsonParse.into());
}

#[test]
fn d03_not_object() {
    for body in ["[]", "\"x\"", "null", "42", "true"] {
        let err = json_object(&resp(Some("application/json"), body), &SerdeJson).unwrap_err();
        assert_eq!(err, InvalidResponse::NotAJsonObject.into(), "{body}");
    }
    assert!(json_object(&resp(Some("application/json"), "{}"), &SerdeJson).is_ok());
}

#[test]
fn body_size_cap() {
    let at_cap = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_BODY_BYTES - 8));
    assert_eq!(at_cap.len(), MAX_BODY_BYTES);
    assert!(json_object(&resp(Some("application/json"), &at_cap), &SerdeJson).is_ok());
    let over = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_BODY_BYTES - 7));
    let err = json_object(&resp(Some("application/json"), &over), &SerdeJson).unwrap_err();
    assert_eq!(err, InvalidResponse::BodyTooLarge.into());
}

#[test]
fn status_errors() {
    assert_eq!(
        status_error(302),
        InvalidResponse::UnexpectedRedirect.into()
    );
    assert_eq!(
        status_error(307),
        InvalidResponse::UnexpectedRedirect.into()
    );
    assert_eq!(
        status_error(500),
        InvalidResponse::HttpStatus { status: 500 }.into()
    );
    assert_eq!(
        status_error(0),
        InvalidResponse::HttpStatus { status: 0 }.into()
    );
}

#[test]
fn debug_never_prints_bodies() {
    let r = resp(Some("application/json"), "{\"access_token\":\"SECRET-AT\"}");
    let d = format!("{r:?}");
    assert!(!d.contains("SECRET-AT") && d.contains("200"));
    let q = HttpRequest {
        method: Method::Post,
        url: "https://op.example.com/token".into(),
        headers: vec![],
        body: Some("code=SECRET-CODE".into()),
    };
    let d = format!("{q:?}");
    assert!(
        !d.contains("SECRET-CODE")
            && d.contains("[redacted]")
            && d.contains("/token")
            && d.contains("Post")
    );
}
