#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::support::{SerdeJson, json_response, metadata};

fn with_revocation() -> ProviderMetadata {
    let mut m = metadata();
    m.revocation_endpoint = Some("https://op.example.com/revoke".into());
    m
}

#[test]
fn j01_revocation_request_carries_the_token_its_type_and_the_client() {
    let rt = RefreshToken::new("RT-1/2+3".into());
    let req = revocation_request(&with_revocation(), "spa", &rt).expect("request");
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "https://op.example.com/revoke");
    assert_eq!(
        req.body.as_deref(),
        Some("token=RT-1%2F2%2B3&token_type_hint=refresh_token&client_id=spa")
    );
    assert!(
        revocation_request(&metadata(), "spa", &rt).is_none(),
        "no endpoint, no request"
    );
}

#[test]
fn j04_j05_revocation_outcomes() {
    let outcome =
        |status: u16, body: &str| revocation_outcome(&json_response(status, body), &SerdeJson);
    assert_eq!(
        outcome(200, ""),
        Ok(Revocation::Done),
        "J05a: 200 even for an invalid token"
    );
    assert_eq!(outcome(503, "{}"), Ok(Revocation::Retry));
    assert_eq!(outcome(429, "{}"), Ok(Revocation::Retry));
    assert_eq!(
        outcome(400, r#"{"error":"unsupported_token_type"}"#)
            .unwrap_err()
            .code(),
        "revocation_unsupported"
    );
    assert_eq!(
        outcome(400, r#"{"error":"invalid_request"}"#)
            .unwrap_err()
            .code(),
        "revocation_incomplete"
    );
    assert_eq!(
        outcome(302, "").unwrap_err().code(),
        "revocation_incomplete"
    );
}

#[test]
fn j01_end_session_url_has_hint_client_uri_and_state() {
    let idt = IdToken::new("h.p.s".into());
    let url = end_session_url(
        &metadata(),
        "spa",
        "st4te",
        Some(&idt),
        Some("https://app.example/"),
    )
    .expect("url");
    assert!(url.starts_with("https://op.example.com/logout?"));
    for part in [
        "client_id=spa",
        "state=st4te",
        "id_token_hint=h.p.s",
        "post_logout_redirect_uri=https%3A%2F%2Fapp.example%2F",
    ] {
        assert!(url.contains(part), "{part} in {url}");
    }
    let mut m = metadata();
    m.end_session_endpoint = None;
    assert!(end_session_url(&m, "spa", "s", None, None).is_none());
}

#[test]
fn j02_j03_logout_state_must_come_back_unchanged() {
    assert!(check_logout_state("abc", Some("abc")).is_ok());
    assert_eq!(
        check_logout_state("abc", Some("RandomString"))
            .unwrap_err()
            .code(),
        "logout_state_mismatch"
    );
    assert_eq!(
        check_logout_state("abc", None).unwrap_err().code(),
        "logout_state_mismatch"
    );
    assert_eq!(
        check_logout_state("abc", Some("")).unwrap_err().code(),
        "logout_state_mismatch"
    );
}

#[test]
fn configured_logout_endpoint_takes_the_named_parameters_and_no_state() {
    use crate::core::LogoutEndpoint;
    let idt = IdToken::new("h.p.s".into());
    // Auth0's legacy endpoint: client_id and returnTo.
    let auth0 = LogoutEndpoint::new("https://tenant.example/v2/logout".into())
        .with_redirect_param("returnTo");
    let url = configured_logout_url(&auth0, "spa", Some(&idt), Some("https://app.example/"));
    assert_eq!(
        url,
        "https://tenant.example/v2/logout?client_id=spa&returnTo=https%3A%2F%2Fapp.example%2F"
    );
    // The ID token only under a configured name; the client id can be left out.
    let hinted = LogoutEndpoint::new("https://op.example/logout?x=1".into())
        .with_client_id_param(None)
        .with_id_token_hint_param(Some("id_token_hint".into()));
    let url = configured_logout_url(&hinted, "spa", Some(&idt), None);
    assert_eq!(url, "https://op.example/logout?x=1&id_token_hint=h.p.s");
    assert!(!url.contains("state="));
}

#[test]
fn logout_endpoint_option_is_validated() {
    use crate::core::{ClientConfig, LogoutEndpoint};
    let check = |endpoint: LogoutEndpoint| {
        let mut c = ClientConfig::new(
            "https://op.example".into(),
            "spa".into(),
            "https://app.example/cb".into(),
        );
        c.logout_endpoint = Some(endpoint);
        c.validate().map_err(|e| e.detail().map(str::to_owned))
    };
    assert!(check(LogoutEndpoint::new("https://op.example/v2/logout".into())).is_ok());
    let refused = Err(Some("logoutEndpoint".to_owned()));
    assert_eq!(
        check(LogoutEndpoint::new("http://op.example/logout".into())),
        refused
    );
    assert_eq!(
        check(LogoutEndpoint::new("https://op.example/l".into()).with_redirect_param("")),
        refused
    );
    assert_eq!(
        check(
            LogoutEndpoint::new("https://op.example/l".into())
                .with_id_token_hint_param(Some(String::new()))
        ),
        refused
    );
}

#[test]
fn revocation_endpoint_option_is_validated() {
    let mut c = crate::core::ClientConfig::new(
        "https://op.example".into(),
        "spa".into(),
        "https://app.example/cb".into(),
    );
    c.revocation_endpoint = Some("https://op.example/oauth2/revoke".into());
    assert!(c.validate().is_ok());
    c.revocation_endpoint = Some("http://op.example/oauth2/revoke".into());
    assert_eq!(
        c.validate().unwrap_err().detail(),
        Some("revocationEndpoint")
    );
}
