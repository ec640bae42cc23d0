#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::callback::CallbackParams;
use crate::core::support::{ISSUER, NOW, SerdeJson, json_response, metadata, pending};

fn ok(body: serde_json::Value) -> Result<TokenResponse, Error> {
    TokenResponse::from_response(&json_response(200, &body.to_string()), &SerdeJson)
}

fn base() -> serde_json::Value {
    serde_json::json!({"access_token": "AT-123", "token_type": "Bearer"})
}

fn with(key: &str, value: serde_json::Value) -> Result<TokenResponse, Error> {
    let mut v = base();
    v[key] = value;
    ok(v)
}

fn without(key: &str) -> Result<TokenResponse, Error> {
    let mut v = base();
    v.as_object_mut().unwrap().remove(key);
    ok(v)
}

#[test]
fn a05_code_request_carries_verifier_and_exact_redirect_uri() {
    let p = pending();
    let params = CallbackParams::from_pairs(
        &[
            ("code".into(), "code 1/+".into()),
            ("state".into(), p.state.secret().into()),
            ("iss".into(), ISSUER.into()),
        ],
        &[],
    )
    .unwrap();
    let validated = params.validate(&p, &metadata(), 600, NOW).unwrap();
    let req = code_request(&metadata(), &p, validated);
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "https://op.example.com/token");
    assert_eq!(
        req.headers,
        [
            (
                "Content-Type".to_owned(),
                "application/x-www-form-urlencoded".to_owned()
            ),
            ("Accept".to_owned(), "application/json".to_owned())
        ]
    );
    let expected = format!(
        "grant_type=authorization_code&code=code+1%2F%2B&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&client_id=spa-client&code_verifier={}",
        p.verifier.secret()
    );
    assert_eq!(req.body.as_deref(), Some(expected.as_str()));
    assert!(!req.body.as_deref().unwrap().contains("client_secret"));
}

#[test]
fn g08_refresh_request() {
    let rt = RefreshToken::new("rt/+=1".into());
    let req = refresh_request(&metadata(), "spa-client", &rt, None);
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "https://op.example.com/token");
    assert_eq!(
        req.body.as_deref(),
        Some("grant_type=refresh_token&refresh_token=rt%2F%2B%3D1&client_id=spa-client")
    );
    let req = refresh_request(&metadata(), "spa-client", &rt, Some("openid api.read"));
    assert!(
        req.body
            .as_deref()
            .unwrap()
            .ends_with("&scope=openid+api.read")
    );
    assert!(!format!("{req:?}").contains("rt%2F"));
}

#[test]
fn minimal_success() {
    let t = ok(base()).unwrap();
    assert_eq!(t.access_token.secret(), "AT-123");
    assert_eq!(t.token_type, "Bearer");
    assert_eq!(
        (
            t.expires_in,
            t.refresh_token.is_none(),
            t.scope.is_none(),
            t.id_token.is_none()
        ),
        (None, true, true, true)
    );
    assert!(!format!("{t:?}").contains("AT-123"));
}

#[test]
fn d01_html_body() {
    let resp = HttpResponse {
        status: 200,
        content_type: Some("text/html".into()),
        body: "<html>portal</html>".into(),
        retry_after: None,
        dpop_nonce: None,
        www_authenticate: None,
    };
    assert_eq!(
        TokenResponse::from_response(&resp, &SerdeJson).unwrap_err(),
        InvalidResponse::UnexpectedContentType.into()
    );
}

#[test]
fn d02_truncated_json() {
    let err = TokenResponse::from_response(&json_response(200, "{\"access_token\":"), &SerdeJson)
        .unwrap_err();
    assert_eq!(err, InvalidResponse::JsonParse.into());
}

#[test]
fn d03_not_object() {
    for body in ["[]", "\"x\"", "null", "42"] {
        let err = TokenResponse::from_response(&json_response(200, body), &SerdeJson).unwrap_err();
        assert_eq!(err, InvalidResponse::NotAJsonObject.into(), "{body}");
    }
}

#[test]
fn d05_access_token_missing_or_bad() {
    let expected = Error::invalid_token_response("access_token");
    assert_eq!(without("access_token").unwrap_err(), expected);
    for bad in [
        serde_json::json!(""),
        serde_json::json!(123),
        serde_json::Value::Null,
        serde_json::json!(["a"]),
        serde_json::json!("a\r\nX-Evil: 1"),
        serde_json::json!("é"),
    ] {
        assert_eq!(
            with("access_token", bad.clone()).unwrap_err(),
            expected,
            "{bad}"
        );
    }
}

#[test]
fn d06_token_type_case_insensitive_bearer() {
    for tt in ["bearer", "BEARER", "Bearer", "bEaReR"] {
        assert_eq!(
            with("token_type", tt.into()).unwrap().token_type,
            "Bearer",
            "{tt}"
        );
    }
    assert_eq!(
        without("token_type").unwrap_err(),
        Error::invalid_token_response("token_type")
    );
    assert_eq!(
        with("token_type", serde_json::json!(1)).unwrap_err(),
        Error::invalid_token_response("token_type")
    );
    for tt in ["mac", "N_A", "DPoP", "", "bearer "] {
        assert_eq!(
            with("token_type", tt.into()).unwrap_err(),
            InvalidResponse::UnsupportedTokenType.into(),
            "{tt:?}"
        );
    }
}

#[test]
fn expires_in_forms() {
    assert_eq!(
        with("expires_in", serde_json::json!(3600))
            .unwrap()
            .expires_in,
        Some(3600)
    );
    assert_eq!(
        with("expires_in", serde_json::json!(3600.0))
            .unwrap()
            .expires_in,
        Some(3600)
    );
    assert_eq!(
        with("expires_in", serde_json::json!("3600"))
            .unwrap()
            .expires_in,
        Some(3600)
    );
    assert_eq!(
        with("expires_in", serde_json::json!(MAX_EXPIRES_IN))
            .unwrap()
            .expires_in,
        Some(MAX_EXPIRES_IN)
    );
    let expected = Error::invalid_token_response("expires_in");
    for bad in [
        // Expired on arrival: unusable.
        serde_json::json!(0),
        serde_json::json!("0"),
        serde_json::json!(-1),
        serde_json::json!(1.5),
        serde_json::json!(MAX_EXPIRES_IN + 1),
        serde_json::json!(1e300),
        serde_json::json!(""),
        serde_json::json!("+5"),
        serde_json::json!("-5"),
        serde_json::json!("3600s"),
        serde_json::json!(" 3600"),
        serde_json::json!("99999999999"),
        serde_json::Value::Null,
        serde_json::json!(true),
    ] {
        assert_eq!(
            with("expires_in", bad.clone()).unwrap_err(),
            expected,
            "{bad}"
        );
    }
}

#[test]
fn d08_bad_optional_fields() {
    let cases = [
        ("refresh_token", serde_json::json!(42)),
        ("refresh_token", serde_json::json!("")),
        ("refresh_token", serde_json::json!("a\nb")),
        ("scope", serde_json::json!(["a"])),
        ("scope", serde_json::json!("")),
        ("scope", serde_json::json!("a  b")),
        ("id_token", serde_json::json!({})),
        ("id_token", serde_json::json!("")),
        ("id_token", serde_json::json!("a.b.c d")),
    ];
    for (field, value) in cases {
        let err = with(field, value.clone()).unwrap_err();
        assert_eq!(err.code(), "invalid_token_response", "{field}={value}");
        assert_eq!(err.detail(), Some(field));
    }
    let t = ok(serde_json::json!({
        "access_token": "AT", "token_type": "bearer", "expires_in": 60,
        "refresh_token": "RT", "scope": "openid profile", "id_token": "aaa.bbb.ccc"
    }))
    .unwrap();
    assert_eq!(
        t.refresh_token.as_ref().map(RefreshToken::secret),
        Some("RT")
    );
    assert_eq!(
        t.id_token.as_ref().map(IdToken::secret),
        Some("aaa.bbb.ccc")
    );
    let nulls = ok(serde_json::json!({"access_token": "AT", "token_type": "Bearer", "refresh_token": null, "scope": null, "id_token": null})).unwrap();
    assert!(nulls.refresh_token.is_none() && nulls.scope.is_none() && nulls.id_token.is_none());
}

#[test]
fn d09_id_token_required_for_openid() {
    let t = ok(base()).unwrap();
    assert_eq!(
        t.require_id_token().unwrap_err(),
        Error::invalid_token_response("id_token")
    );
    let t = with("id_token", "h.p.s".into()).unwrap();
    assert_eq!(t.require_id_token().map(IdToken::secret), Ok("h.p.s"));
}

#[test]
fn d10_unknown_members_ignored() {
    let mut v = base();
    v["x_vendor"] = serde_json::json!({"nested": "y".repeat(100 * 1024), "list": [1, {"a": null}]});
    v["error"] = serde_json::json!(42);
    assert!(ok(v).is_ok());
}

#[test]
fn d12_oauth_error_body() {
    // (a), (b): OAuth error bodies.
    for (status, code) in [(400, "invalid_grant"), (401, "invalid_client")] {
        let body = serde_json::json!({"error": code, "error_description": "grant request is invalid", "error_uri": "https://op/e"});
        let err =
            TokenResponse::from_response(&json_response(status, &body.to_string()), &SerdeJson)
                .unwrap_err();
        let oauth = err.oauth().unwrap();
        assert_eq!(oauth.error, code);
        assert_eq!(
            oauth.error_description.as_deref(),
            Some("grant request is invalid")
        );
        assert_eq!(oauth.error_uri.as_deref(), Some("https://op/e"));
        assert_eq!(oauth.status, Some(status));
        assert_eq!(oauth.origin, ErrorOrigin::TokenEndpoint);
        assert_eq!(err.code(), "token_error");
    }
    // (c) HTML error page.
    let html = HttpResponse {
        status: 400,
        content_type: Some("text/html".into()),
        body: "{\"error\":\"x\"}".into(),
        retry_after: None,
        dpop_nonce: None,
        www_authenticate: None,
    };
    assert_eq!(
        TokenResponse::from_response(&html, &SerdeJson).unwrap_err(),
        InvalidResponse::HttpStatus { status: 400 }.into()
    );
    // Non-object, missing or non-string error, bad JSON: the status.
    for body in ["[]", "{}", "{\"error\":1}", "{\"error\":\"\"}", "{"] {
        let err = TokenResponse::from_response(&json_response(500, body), &SerdeJson).unwrap_err();
        assert_eq!(
            err,
            InvalidResponse::HttpStatus { status: 500 }.into(),
            "{body}"
        );
    }
    // Wrongly typed description is dropped, not trusted.
    let err = TokenResponse::from_response(
        &json_response(
            400,
            "{\"error\":\"invalid_request\",\"error_description\":5}",
        ),
        &SerdeJson,
    )
    .unwrap_err();
    assert_eq!(err.oauth().unwrap().error_description, None);
    // (d) 200 with an error body and no access token.
    let err = TokenResponse::from_response(
        &json_response(200, "{\"error\":\"server_error\"}"),
        &SerdeJson,
    )
    .unwrap_err();
    assert_eq!(err, Error::invalid_token_response("access_token"));
}

#[test]
fn redirects_and_oversized_errors() {
    let resp = HttpResponse {
        status: 307,
        content_type: Some("application/json".into()),
        body: "{\"error\":\"x\"}".into(),
        retry_after: None,
        dpop_nonce: None,
        www_authenticate: None,
    };
    assert_eq!(
        TokenResponse::from_response(&resp, &SerdeJson).unwrap_err(),
        InvalidResponse::UnexpectedRedirect.into()
    );
    let big = format!(
        "{{\"error\":\"invalid_grant\",\"x\":\"{}\"}}",
        "a".repeat(MAX_BODY_BYTES)
    );
    let err = TokenResponse::from_response(&json_response(400, &big), &SerdeJson).unwrap_err();
    assert_eq!(err, InvalidResponse::HttpStatus { status: 400 }.into());
    let big_ok = format!(
        "{{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"x\":\"{}\"}}",
        "a".repeat(MAX_BODY_BYTES)
    );
    assert_eq!(
        TokenResponse::from_response(&json_response(200, &big_ok), &SerdeJson).unwrap_err(),
        InvalidResponse::BodyTooLarge.into()
    );
}

#[test]
fn d15_narrower_scope_exposed() {
    let t = with("scope", "openid".into()).unwrap();
    assert_eq!(t.scope.as_deref(), Some("openid"));
    let t = with("scope", "openid api:read".into()).unwrap();
    assert_eq!(t.scope.as_deref(), Some("openid api:read"));
}
