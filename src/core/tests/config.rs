#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::support::config;

fn field_of(c: &ClientConfig) -> Option<&'static str> {
    match c.validate() {
        Ok(()) => None,
        Err(Error::Misuse(Misuse::InvalidConfig { field, .. })) => Some(field),
        Err(other) => panic!("unexpected {other:?}"),
    }
}

#[test]
fn defaults() {
    let c = config();
    assert_eq!(c.scope, "openid");
    assert!(!c.allow_loopback_http);
    assert_eq!(c.leeway_secs, 60);
    assert_eq!(c.max_iat_age_secs, 600);
    assert_eq!(c.id_token_signing_algs, ["RS256", "PS256", "ES256"]);
    assert_eq!(c.max_age, None);
    assert_eq!(c.transaction_ttl_secs, 600);
    assert_eq!(c.refresh_margin_secs, 45);
    assert!(c.extra_auth_params.is_empty() && c.post_logout_redirect_uri.is_none());
    assert_eq!(c.validate(), Ok(()));
}

#[test]
fn a06_issuer_and_redirect_must_be_https() {
    let mut c = config();
    c.issuer = "http://op.example.com".into();
    assert_eq!(field_of(&c), Some("issuer"));
    let mut c = config();
    c.redirect_uri = "http://app.example.com/cb".into();
    assert_eq!(field_of(&c), Some("redirectUri"));
    let mut c = config();
    c.post_logout_redirect_uri = Some("http://app.example.com/".into());
    assert_eq!(field_of(&c), Some("postLogoutRedirectUri"));
    c.post_logout_redirect_uri = Some("https://app.example.com/".into());
    assert_eq!(field_of(&c), None);
}

#[test]
fn a06_loopback_http_allowed_only_with_flag() {
    let mut c = ClientConfig::new(
        "http://127.0.0.1:9000".into(),
        CLIENT.into(),
        "http://localhost:8080/cb".into(),
    );
    assert_eq!(field_of(&c), Some("issuer"));
    c.allow_loopback_http = true;
    assert_eq!(field_of(&c), None);
}

const CLIENT: &str = "spa-client";

#[test]
fn issuer_without_query_or_fragment() {
    let mut c = config();
    c.issuer = "https://op.example.com/?tenant=a".into();
    assert_eq!(field_of(&c), Some("issuer"));
    c.issuer = "https://op.example.com/#x".into();
    assert_eq!(field_of(&c), Some("issuer"));
    c.issuer = "https://op.example.com/tenant/a/".into();
    assert_eq!(field_of(&c), None);
}

#[test]
fn redirect_uri_without_fragment_query_allowed() {
    let mut c = config();
    c.redirect_uri = "https://app.example.com/cb#x".into();
    assert_eq!(field_of(&c), Some("redirectUri"));
    c.redirect_uri = "https://app.example.com/cb?from=login".into();
    assert_eq!(field_of(&c), None);
}

#[test]
fn client_id_non_empty_printable() {
    let mut c = config();
    c.client_id = String::new();
    assert_eq!(field_of(&c), Some("clientId"));
    c.client_id = "a\nb".into();
    assert_eq!(field_of(&c), Some("clientId"));
    c.client_id = "my client:1".into();
    assert_eq!(field_of(&c), None);
}

#[test]
fn scope_syntax() {
    for good in [
        "openid",
        "openid profile email offline_access",
        "api://x/read",
        "a!#[]~",
    ] {
        let mut c = config();
        c.scope = good.into();
        assert_eq!(field_of(&c), None, "{good}");
    }
    for bad in [
        "",
        " ",
        "openid ",
        " openid",
        "openid  profile",
        "openid\tprofile",
        "a\"b",
        "a\\b",
        "é",
    ] {
        let mut c = config();
        c.scope = bad.into();
        assert_eq!(field_of(&c), Some("scope"), "{bad:?}");
    }
}

#[test]
fn wants_openid_matches_the_token_only() {
    let mut c = config();
    assert!(c.wants_openid());
    c.scope = "profile openid".into();
    assert!(c.wants_openid());
    c.scope = "openidx profile".into();
    assert!(!c.wants_openid());
    c.scope = "api.read".into();
    assert!(!c.wants_openid());
}

#[test]
fn extra_auth_params_cannot_override_reserved_names() {
    for name in RESERVED_AUTH_PARAMS {
        let mut c = config();
        c.extra_auth_params = vec![((*name).to_owned(), "x".to_owned())];
        assert_eq!(field_of(&c), Some("extraAuthParams"), "{name}");
    }
    let mut c = config();
    c.extra_auth_params = vec![(String::new(), "x".into())];
    assert_eq!(field_of(&c), Some("extraAuthParams"));
    c.extra_auth_params = vec![
        ("prompt".into(), "consent".into()),
        ("ui_locales".into(), "de".into()),
    ];
    assert_eq!(field_of(&c), None);
}

#[test]
fn e06_signing_alg_allow_list() {
    for alg in SUPPORTED_ID_TOKEN_ALGS {
        let mut c = config();
        c.id_token_signing_algs = vec![(*alg).to_owned()];
        assert_eq!(field_of(&c), None, "{alg}");
    }
    for alg in ["none", "HS256", "HS512", "rs256", "", "RSA-OAEP"] {
        let mut c = config();
        c.id_token_signing_algs = vec!["RS256".into(), alg.into()];
        assert_eq!(field_of(&c), Some("idTokenSigningAlgs"), "{alg}");
    }
    let mut c = config();
    c.id_token_signing_algs.clear();
    assert_eq!(field_of(&c), Some("idTokenSigningAlgs"));
}

#[test]
fn leeway_and_ttl_bounds() {
    let mut c = config();
    c.leeway_secs = 300;
    assert_eq!(field_of(&c), None);
    c.leeway_secs = 301;
    assert_eq!(field_of(&c), Some("leewaySecs"));
    let mut c = config();
    c.transaction_ttl_secs = 0;
    assert_eq!(field_of(&c), Some("transactionTtlSecs"));
    c.transaction_ttl_secs = 3601;
    assert_eq!(field_of(&c), Some("transactionTtlSecs"));
    c.transaction_ttl_secs = 3600;
    assert_eq!(field_of(&c), None);
}

#[test]
fn c07_two_providers_with_the_same_issuer_refused() {
    let a = config();
    let mut b = ClientConfig::new(
        "https://other.example.com".into(),
        "c2".into(),
        "https://app.example.com/cb".into(),
    );
    assert_eq!(check_distinct_issuers(&[a.clone(), b.clone()]), Ok(()));
    assert_eq!(check_distinct_issuers(&[]), Ok(()));
    assert_eq!(check_distinct_issuers(std::slice::from_ref(&a)), Ok(()));
    b.issuer = a.issuer.clone();
    assert_eq!(
        check_distinct_issuers(&[a.clone(), b.clone()]),
        Err(Error::Misuse(Misuse::DuplicateIssuer))
    );
    b.issuer = format!("{}/", a.issuer.to_ascii_uppercase());
    assert_eq!(
        check_distinct_issuers(&[b, a]).unwrap_err().code(),
        "duplicate_issuer"
    );
}
