#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::error::Misuse;

fn ok(url: &str, loopback: bool) -> bool {
    check_endpoint(url, loopback, "token_endpoint").is_ok()
}

#[test]
fn a06_https_endpoints_accepted() {
    for url in [
        "https://op.example.com",
        "https://op.example.com/",
        "https://op.example.com/oauth2/token",
        "https://op.example.com:8443/token?tenant=1",
        "HTTPS://OP.EXAMPLE.COM/token",
        "https://[2001:db8::1]/token",
        "https://10.0.0.1/token",
        "https://my_host.internal/x",
    ] {
        assert!(ok(url, false), "{url}");
    }
}

#[test]
fn a06_http_endpoint_rejected() {
    let err = check_endpoint("http://op.example.com/token", false, "token_endpoint").unwrap_err();
    assert_eq!(
        err,
        Error::InvalidResponse(InvalidResponse::InsecureEndpoint {
            field: "token_endpoint"
        })
    );
    assert_eq!(err.detail(), Some("token_endpoint"));
    // Even with the development flag, http is only for loopback hosts.
    for url in [
        "http://op.example.com/token",
        "http://127.0.0.2/",
        "http://localhost.evil.com/",
        "http://0.0.0.0/",
    ] {
        assert!(!ok(url, true), "{url}");
    }
}

#[test]
fn a06_loopback_http_only_with_the_flag() {
    for url in [
        "http://127.0.0.1/token",
        "http://127.0.0.1:3000/token",
        "http://localhost:8080/cb",
        "HTTP://LocalHost/cb",
        "http://[::1]:9000/",
    ] {
        assert!(ok(url, true), "{url}");
        assert!(!ok(url, false), "{url}");
    }
}

#[test]
fn a06_tricky_urls_rejected() {
    for url in [
        "",
        "https://",
        "https:///path",
        "https:op.example.com",
        "https://user@op.example.com/",
        "https://op.example.com@evil.com/",
        "https://op.example.com\\@evil.com/",
        "https://op.example.com/a#frag",
        "https://op.example.com /",
        "https://op.example.com/\t",
        "https://op.ex\u{0}ample.com/",
        "https://op.exämple.com/",
        "https://op.example.com:/",
        "https://op.example.com:99999/",
        "https://op.example.com:8a/",
        "https://[::1/",
        "https://[]/",
        "https://[::1]x/",
        "https://.example.com/",
        "https://a..b/",
        "https://%65vil.com/",
        "javascript:alert(1)",
        "ftp://op.example.com/",
        "//op.example.com/",
    ] {
        assert!(!ok(url, true), "{url:?}");
    }
}

#[test]
fn config_url_check_reports_invalid_config_with_reason() {
    let err = check_config_url("http://app.example.com/cb", false, "redirectUri").unwrap_err();
    match err {
        Error::Misuse(Misuse::InvalidConfig { field, reason }) => {
            assert_eq!(field, "redirectUri");
            assert!(reason.contains("https"));
        }
        other => panic!("{other:?}"),
    }
    assert!(check_config_url("https://app.example.com/cb", false, "redirectUri").is_ok());
}

#[test]
fn rejection_reasons_are_specific() {
    let reason = |url: &str| match check_config_url(url, true, "issuer") {
        Err(Error::Misuse(Misuse::InvalidConfig { reason, .. })) => reason,
        other => panic!("{url}: {other:?}"),
    };
    assert!(reason("https://user:pw@op.example.com/").contains("userinfo"));
    assert!(reason("https://op.example.com/a\\b").contains("backslash"));
    assert!(reason("https://op.example.com/a#b").contains("fragment"));
    assert!(reason("https://op.example.com/a b").contains("whitespace"));
    assert!(reason("https://op.example.com:0x1/").contains("port"));
    assert!(reason("https:///x").contains("host"));
    assert!(reason("http://example.com/").contains("loopback"));
    assert!(!ok("https://op.example.com/a\\b", true));
    assert!(
        ok("https://op.example.com/@user", false),
        "an @ in the path is not userinfo"
    );
}

#[test]
fn form_urlencode_follows_whatwg() {
    assert_eq!(form_urlencode(&[("a", "b")]), "a=b");
    assert_eq!(
        form_urlencode(&[("sp ace", "x y"), ("k", "")]),
        "sp+ace=x+y&k="
    );
    assert_eq!(
        form_urlencode(&[("s", "*-._~!'()+&=/?#%")]),
        "s=*-._%7E%21%27%28%29%2B%26%3D%2F%3F%23%25"
    );
    assert_eq!(form_urlencode(&[("u", "é😀\n")]), "u=%C3%A9%F0%9F%98%80%0A");
    assert_eq!(form_urlencode(&[]), "");
    assert_eq!(
        form_urlencode(&[("redirect_uri", "https://app.example.com/cb?x=1")]),
        "redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb%3Fx%3D1"
    );
}

#[test]
fn append_query_picks_the_separator() {
    assert_eq!(
        append_query("https://op/authorize", &[("a", "1")]),
        "https://op/authorize?a=1"
    );
    assert_eq!(
        append_query("https://op/authorize?t=x", &[("a", "1")]),
        "https://op/authorize?t=x&a=1"
    );
    assert_eq!(
        append_query("https://op/authorize?", &[("a", "1")]),
        "https://op/authorize?a=1"
    );
    assert_eq!(
        append_query("https://op/authorize?t=x&", &[("a", "1")]),
        "https://op/authorize?t=x&a=1"
    );
    assert_eq!(
        append_query("https://op/authorize", &[]),
        "https://op/authorize"
    );
}
