//! Typed login options against the simulated provider: what the authorization request carries, and
//! the ID-token checks of what was asked (E22 per-login `max_age`, E24 essential `acr`).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeMap;
use std::rc::Rc;

use super::test_support::*;

use crate::core::ClientConfig;
use crate::driver::{Client, LoginOptions};

fn client_with_max_age(max_age: Option<u64>) -> (Client<Rc<FakePlatform>>, Rc<FakePlatform>) {
    let p = FakePlatform::new();
    let mut cfg: ClientConfig = config();
    cfg.max_age = max_age;
    let c = Client::with_metadata(Rc::clone(&p), cfg, metadata()).expect("client");
    (c, p)
}

/// Logs in with `options`; the provider's ID token has `auth_time` `auth_time_ago` seconds back and
/// the `acr` given. Returns the sent authorization parameters and `ok` or the ID token's problem.
fn login_with(
    c: &Client<Rc<FakePlatform>>,
    p: &FakePlatform,
    options: &LoginOptions,
    auth_time_ago: u64,
    acr: Option<&str>,
) -> (BTreeMap<String, String>, String) {
    {
        let mut op = p.op.borrow_mut();
        op.auth_time_ago = Some(auth_time_ago);
        op.acr = acr.map(str::to_owned);
    }
    block_on(c.login(options)).expect("login");
    let sent = query(&p.navigations.borrow().last().cloned().unwrap());
    let result = match block_on(c.handle_callback(&callback_for(p), &[])) {
        Ok(_) => "ok".to_owned(),
        Err(e) => {
            assert_eq!(e.code(), "id_token_invalid");
            e.detail().unwrap_or("").to_owned()
        }
    };
    (sent, result)
}

#[test]
fn typed_options_reach_the_authorization_request() {
    let (c, p) = client();
    let options = LoginOptions::return_to("/a")
        .with_prompt("select_account")
        .with_login_hint("alice@example.com")
        .with_ui_locales("de-CH de")
        .with_acr_values(["urn:acr:gold", "urn:acr:silver"], false);
    block_on(c.login(&options)).unwrap();
    let q = query(&p.navigations.borrow()[0]);
    assert_eq!(q["prompt"], "select_account");
    assert_eq!(q["login_hint"], "alice@example.com");
    assert_eq!(q["ui_locales"], "de-CH de");
    assert_eq!(q["acr_values"], "urn:acr:gold urn:acr:silver");
    assert!(!q.contains_key("claims") && !q.contains_key("max_age"));
}

#[test]
fn a_bad_login_option_stores_nothing_and_sends_nothing() {
    let (c, p) = client();
    let err = block_on(c.login(&LoginOptions::default().with_ui_locales("en_US"))).unwrap_err();
    assert_eq!(
        (err.code(), err.detail()),
        ("invalid_config", Some("uiLocales"))
    );
    assert!(p.navigations.borrow().is_empty() && p.storage.borrow().is_empty());
}

#[test]
fn e22_a_per_login_max_age_tighter_than_the_configured_one_is_sent_and_checked() {
    let (c, p) = client_with_max_age(Some(300));
    let (sent, result) = login_with(&c, &p, &LoginOptions::default().with_max_age(60), 200, None);
    assert_eq!(sent["max_age"], "60");
    assert_eq!(
        result, "auth_time",
        "200 s ago is past 60 s plus the leeway"
    );
    assert!(!c.is_authenticated());
    let (_, result) = login_with(&c, &p, &LoginOptions::default().with_max_age(60), 5, None);
    assert_eq!(result, "ok");
    // Without a configured max_age, the login's alone.
    let (c, p) = client_with_max_age(None);
    let (sent, result) = login_with(&c, &p, &LoginOptions::default().with_max_age(60), 200, None);
    assert_eq!(
        (sent["max_age"].as_str(), result.as_str()),
        ("60", "auth_time")
    );
}

#[test]
fn e22_a_per_login_max_age_looser_than_the_configured_one_never_loosens_it() {
    let (c, p) = client_with_max_age(Some(60));
    let (sent, result) = login_with(
        &c,
        &p,
        &LoginOptions::default().with_max_age(3600),
        200,
        None,
    );
    assert_eq!(sent["max_age"], "60");
    assert_eq!(result, "auth_time");
}

#[test]
fn e24_an_essential_acr_must_come_back_as_one_of_the_values_asked() {
    let essential =
        LoginOptions::default().with_acr_values(["urn:acr:gold", "urn:acr:silver"], true);
    let (c, p) = client();
    let (sent, result) = login_with(&c, &p, &essential, 5, Some("urn:acr:bronze"));
    assert_eq!(sent["acr_values"], "urn:acr:gold urn:acr:silver");
    assert!(sent["claims"].contains(r#""essential":true"#));
    assert_eq!(result, "acr");
    assert!(!c.is_authenticated(), "tokens discarded");
    let (_, result) = login_with(&c, &p, &essential, 5, None);
    assert_eq!(result, "acr", "no acr at all");
    let (_, result) = login_with(&c, &p, &essential, 5, Some("urn:acr:silver"));
    assert_eq!(result, "ok");
    let claims = c.claims().unwrap();
    assert_eq!(
        claims.get("acr").and_then(|a| a.as_str()),
        Some("urn:acr:silver")
    );
}

#[test]
fn e24_a_voluntary_acr_is_never_refused_and_the_app_sees_the_providers_value() {
    let voluntary = LoginOptions::default().with_acr_values(["urn:acr:gold"], false);
    let (c, p) = client();
    let (sent, result) = login_with(&c, &p, &voluntary, 5, Some("urn:acr:bronze"));
    assert!(!sent.contains_key("claims"));
    assert_eq!(result, "ok");
    let claims = c.claims().unwrap();
    assert_eq!(
        claims.get("acr").and_then(|a| a.as_str()),
        Some("urn:acr:bronze")
    );
}
