//! Silent restore after a reload with no other tab (G12): a top-level `prompt=none` redirect, and a
//! clean end, never a loop, when the provider needs the user.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::rc::Rc;

use super::test_support::*;

use crate::core::ClientConfig;
use crate::driver::{Client, LoginOptions};

fn client_with_consent() -> (Client<Rc<FakePlatform>>, Rc<FakePlatform>) {
    let p = FakePlatform::new();
    let mut cfg: ClientConfig = config();
    cfg.extra_auth_params = vec![("prompt".into(), "consent".into())];
    let c = Client::with_metadata(Rc::clone(&p), cfg, metadata()).expect("client");
    (c, p)
}

fn error_callback(p: &FakePlatform, error: &str) -> Vec<(String, String)> {
    let url = p.navigations.borrow().last().cloned().expect("navigated");
    let q = query(&url);
    vec![
        ("error".into(), error.into()),
        ("state".into(), q.get("state").cloned().expect("state")),
        ("iss".into(), ISSUER.into()),
    ]
}

#[test]
fn g12_silent_restore_sends_prompt_none_and_comes_back_signed_in() {
    let (c, p) = client_with_consent();
    assert!(block_on(c.restore_silently(Some("/orders?page=2"))).expect("restore"));
    let url = p.navigations.borrow().last().cloned().expect("navigated");
    let q = query(&url);
    assert_eq!(
        q.get("prompt").map(String::as_str),
        Some("none"),
        "prompt=consent replaced"
    );
    assert_eq!(url.matches("prompt=").count(), 1);
    let params = callback_for(&p);
    let outcome = block_on(c.handle_callback(&params, &[])).expect("callback");
    assert!(outcome.signed_in);
    assert_eq!(outcome.return_to.as_deref(), Some("/orders?page=2"));
    assert!(c.is_authenticated());
}

#[test]
fn g12_silent_restore_needing_interaction_ends_cleanly_and_is_not_retried() {
    for error in [
        "login_required",
        "interaction_required",
        "consent_required",
        "account_selection_required",
    ] {
        let (c, p) = client_with_consent();
        assert!(block_on(c.restore_silently(Some("/here"))).expect("restore"));
        let outcome =
            block_on(c.handle_callback(&error_callback(&p, error), &[])).expect("ends cleanly");
        assert!(!outcome.signed_in, "{error}");
        assert_eq!(outcome.return_to.as_deref(), Some("/here"));
        assert!(!c.is_authenticated());
        assert_eq!(p.grants("authorization_code"), 0, "no token request");
        let navigations = p.navigations.borrow().len();
        assert!(
            !block_on(c.restore_silently(Some("/here"))).expect("no loop"),
            "not tried again"
        );
        assert!(
            !block_on(c.restore_silently(Some("/here"))).expect("no loop"),
            "still not"
        );
        assert_eq!(p.navigations.borrow().len(), navigations, "no navigation");
        // An interactive login clears the marker; after it, a later reload may restore again.
        block_on(c.login(&LoginOptions::default())).expect("login");
        let params = callback_for(&p);
        block_on(c.handle_callback(&params, &[])).expect("interactive login");
        assert!(block_on(c.restore_silently(None)).expect("restore"));
    }
}

#[test]
fn other_errors_of_a_silent_restore_are_still_errors() {
    let (c, p) = client_with_consent();
    block_on(c.restore_silently(None)).expect("restore");
    let err = block_on(c.handle_callback(&error_callback(&p, "access_denied"), &[]))
        .expect_err("an error");
    assert_eq!(err.oauth().map(|e| e.error.as_str()), Some("access_denied"));
}

#[test]
fn login_required_after_an_interactive_login_is_an_error() {
    let (c, p) = client_with_consent();
    block_on(c.login(&LoginOptions::default())).expect("login");
    let err = block_on(c.handle_callback(&error_callback(&p, "login_required"), &[]))
        .expect_err("an error");
    assert_eq!(
        err.oauth().map(|e| e.error.as_str()),
        Some("login_required")
    );
    assert!(
        block_on(c.restore_silently(None)).expect("restore"),
        "no marker left"
    );
}
