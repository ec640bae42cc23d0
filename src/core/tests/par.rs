#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::authorize::authorization_request;
use crate::core::http::Method;
use crate::core::login_options::LoginOptions;
use crate::core::support::{
    NOW, SerdeJson, config, from_value, json_response, metadata_json, random,
};

const PAR: &str = "https://op.example.com/par";

fn metadata(endpoint: Option<&str>, required: bool) -> ProviderMetadata {
    let mut v = metadata_json();
    if let Some(e) = endpoint {
        v["pushed_authorization_request_endpoint"] = e.into();
    }
    v["require_pushed_authorization_requests"] = required.into();
    ProviderMetadata::from_json(&config(), &from_value(v)).expect("metadata")
}

fn read(status: u16, body: &str) -> Result<PushedRequest, Error> {
    PushedRequest::from_response(&json_response(status, body), &SerdeJson)
}

#[test]
fn a08_logins_are_pushed_when_asked_or_required_and_never_without_an_endpoint() {
    let mut asked = config();
    asked.pushed_authorization_requests = true;
    let plain = config();
    assert_eq!(
        pushed_endpoint(&plain, &metadata(Some(PAR), false)),
        Ok(None)
    );
    assert_eq!(pushed_endpoint(&plain, &metadata(None, false)), Ok(None));
    assert_eq!(
        pushed_endpoint(&asked, &metadata(Some(PAR), false)),
        Ok(Some(PAR))
    );
    assert_eq!(
        pushed_endpoint(&plain, &metadata(Some(PAR), true)),
        Ok(Some(PAR))
    );
    for (c, m) in [
        (&asked, metadata(None, false)),
        (&plain, metadata(None, true)),
    ] {
        let err = pushed_endpoint(c, &m).unwrap_err();
        assert_eq!(err.code(), "par_unsupported");
    }
}

#[test]
fn a08_the_push_posts_every_authorization_parameter_as_a_form() {
    let options = LoginOptions::default()
        .with_prompt("login")
        .with_acr_values(["urn:acr:gold"], true);
    let m = metadata(Some(PAR), false);
    let req = authorization_request(&config(), &m, &random(0), &options, NOW).unwrap();
    let push = par_request(PAR, &req);
    assert_eq!(push.method, Method::Post);
    assert_eq!(push.url, PAR);
    assert!(push.headers.contains(&(
        "Content-Type".to_owned(),
        "application/x-www-form-urlencoded".to_owned()
    )));
    let body = push.body.as_deref().unwrap();
    assert_eq!(body, req.params);
    for name in [
        "response_type=code",
        "client_id=",
        "redirect_uri=",
        "scope=",
        "state=",
        "nonce=",
        "code_challenge=",
        "code_challenge_method=S256",
        "prompt=login",
        "acr_values=",
        "claims=",
    ] {
        assert!(body.contains(name), "{name} pushed");
    }
    assert!(!body.contains(req.pending.verifier.secret()));
    assert!(!format!("{push:?}").contains(req.pending.state.secret()));
}

#[test]
fn a08_a_pushed_request_is_referred_to_by_client_id_and_request_uri_only() {
    let url = pushed_authorization_url(
        &metadata(Some(PAR), false),
        "spa-client",
        "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c",
    );
    assert_eq!(
        url,
        "https://op.example.com/authorize?client_id=spa-client&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A6esc_11ACC5bwc014ltc14eY22c"
    );
}

#[test]
fn a08_a_201_with_request_uri_and_expires_in_is_read() {
    assert_eq!(
        read(
            201,
            r#"{"request_uri":"urn:x:1","expires_in":60,"other":true}"#
        ),
        Ok(PushedRequest {
            request_uri: "urn:x:1".into(),
            expires_in: 60,
        })
    );
}

#[test]
fn a09_a_malformed_201_is_invalid_par_response_naming_the_member() {
    let long = format!(
        r#"{{"request_uri":"{}","expires_in":60}}"#,
        "u".repeat(4097)
    );
    for (body, field) in [
        (r#"{"expires_in":60}"#, "request_uri"),
        (r#"{"request_uri":"","expires_in":60}"#, "request_uri"),
        (r#"{"request_uri":7,"expires_in":60}"#, "request_uri"),
        (
            r#"{"request_uri":"urn:x y","expires_in":60}"#,
            "request_uri",
        ),
        (long.as_str(), "request_uri"),
        (r#"{"request_uri":"urn:x:1"}"#, "expires_in"),
        (r#"{"request_uri":"urn:x:1","expires_in":0}"#, "expires_in"),
        (
            r#"{"request_uri":"urn:x:1","expires_in":-60}"#,
            "expires_in",
        ),
        (
            r#"{"request_uri":"urn:x:1","expires_in":1.5}"#,
            "expires_in",
        ),
        (
            r#"{"request_uri":"urn:x:1","expires_in":"60"}"#,
            "expires_in",
        ),
    ] {
        let err = read(201, body).unwrap_err();
        assert_eq!(
            (err.code(), err.detail()),
            ("invalid_par_response", Some(field)),
            "{body}"
        );
    }
    assert_eq!(read(201, "[]").unwrap_err().code(), "not_a_json_object");
    assert_eq!(read(201, "{").unwrap_err().code(), "json_parse");
    let html = HttpResponse {
        content_type: Some("text/html".into()),
        ..json_response(201, "<html>")
    };
    assert_eq!(
        PushedRequest::from_response(&html, &SerdeJson)
            .unwrap_err()
            .code(),
        "unexpected_content_type"
    );
}

#[test]
fn a09_an_oauth_error_from_the_push_is_par_error_with_the_providers_code() {
    let err = read(
        400,
        r#"{"error":"invalid_request","error_description":"unknown acr"}"#,
    )
    .unwrap_err();
    assert_eq!(err.code(), "par_error");
    assert_eq!(err.detail(), Some("invalid_request"));
    assert_eq!(err.status(), Some(400));
    let oauth = err.oauth().unwrap();
    assert_eq!(oauth.origin, ErrorOrigin::PushedAuthorization);
    assert_eq!(oauth.error_description.as_deref(), Some("unknown acr"));
    assert!(
        err.to_string()
            .contains("pushed authorization request endpoint")
    );
    assert!(!err.to_string().contains("unknown acr"));
    // Not an OAuth error body, or another status: the status; a redirect is never followed.
    assert_eq!(read(500, "{}").unwrap_err().code(), "http_status");
    assert_eq!(
        read(200, r#"{"request_uri":"urn:x:1","expires_in":60}"#)
            .unwrap_err()
            .code(),
        "http_status"
    );
    assert_eq!(read(302, "").unwrap_err().code(), "unexpected_redirect");
}
