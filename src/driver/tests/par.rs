//! Pushed authorization requests (RFC 9126, A08, A09) against the simulated provider: the push, the
//! navigation that carries only `client_id` and `request_uri`, and every way a push fails (typed,
//! no navigation, no record left behind, never a front-channel request instead).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Waker};

use super::test_support::*;

use crate::core::{ClientConfig, ProviderMetadata, Transport};
use crate::driver::{Client, LoginOptions};

fn par_client(
    option: bool,
    metadata: ProviderMetadata,
) -> (Client<Rc<FakePlatform>>, Rc<FakePlatform>) {
    let p = FakePlatform::new();
    let mut cfg: ClientConfig = config();
    cfg.pushed_authorization_requests = option;
    cfg.extra_auth_params = vec![("audience".into(), "https://api.example".into())];
    let c = Client::with_metadata(Rc::clone(&p), cfg, metadata).expect("client");
    (c, p)
}

fn pushed_form(p: &FakePlatform) -> std::collections::BTreeMap<String, String> {
    let op = p.op.borrow();
    assert_eq!(op.pushed.len(), 1, "one push");
    op.pushed.values().next().cloned().unwrap()
}

#[test]
fn a08_push_then_navigate_with_only_client_id_and_request_uri() {
    let (c, p) = par_client(true, metadata_with_par(false));
    let options = LoginOptions::return_to("/orders")
        .with_prompt("login")
        .with_login_hint("alice")
        .with_max_age(120)
        .with_ui_locales("fr en")
        .with_acr_values(["urn:acr:gold"], true);
    // The record is stored before the push leaves.
    {
        let mut login = pin!(c.login(&options));
        // Polled until the push leaves (the challenge's digest comes first).
        for _ in 0..8 {
            let poll = login.as_mut().poll(&mut Context::from_waker(Waker::noop()));
            assert!(poll.is_pending(), "waiting for the push");
            if !p.requests.borrow().is_empty() {
                break;
            }
        }
        assert_eq!(p.requests.borrow().len(), 1);
        assert_eq!(p.storage.borrow().len(), 1, "record stored before the push");
        assert!(p.navigations.borrow().is_empty());
        block_on(login).expect("login");
    }
    let requests = p.requests.borrow().clone();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].url, PAR_ENDPOINT);
    let form = pushed_form(&p);
    for name in [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "max_age",
        "prompt",
        "login_hint",
        "ui_locales",
        "acr_values",
        "claims",
        "audience",
    ] {
        assert!(form.contains_key(name), "{name} pushed");
    }
    assert!(!form.contains_key("code_verifier"));
    let url = p.navigations.borrow().last().cloned().unwrap();
    assert!(url.starts_with(&format!("{ISSUER}/authorize?")));
    let q = query(&url);
    assert_eq!(q.keys().collect::<Vec<_>>(), ["client_id", "request_uri"]);
    assert_eq!(q["client_id"], CLIENT_ID);
    assert!(!url.contains(&form["state"]) && !url.contains(&form["nonce"]));
    // The provider answers as for any login; ID tokens with auth_time and the asked acr pass.
    {
        let mut op = p.op.borrow_mut();
        op.auth_time_ago = Some(5);
        op.acr = Some("urn:acr:gold".into());
    }
    let outcome = block_on(c.handle_callback(&callback_for(&p), &[])).expect("callback");
    assert_eq!(outcome.return_to.as_deref(), Some("/orders"));
    assert!(c.is_authenticated());
}

#[test]
fn a08_a_provider_that_requires_pushed_requests_gets_them_without_the_option() {
    let (c, p) = par_client(false, metadata_with_par(true));
    block_on(c.login(&LoginOptions::default())).expect("login");
    assert_eq!(p.requests.borrow()[0].url, PAR_ENDPOINT);
    let url = p.navigations.borrow().last().cloned().unwrap();
    assert_eq!(query(&url).len(), 2);
    block_on(c.handle_callback(&callback_for(&p), &[])).expect("callback");
    assert!(c.is_authenticated());
    // An advertised endpoint alone changes nothing: no option, not required, no push.
    let (c, p) = par_client(false, metadata_with_par(false));
    block_on(c.login(&LoginOptions::default())).expect("login");
    assert!(p.requests.borrow().is_empty());
    assert!(query(&p.navigations.borrow()[0]).contains_key("state"));
}

#[test]
fn a08_the_option_without_an_advertised_endpoint_is_par_unsupported_and_sends_nothing() {
    let (c, p) = par_client(true, metadata());
    let err = block_on(c.login(&LoginOptions::return_to("/x"))).unwrap_err();
    assert_eq!(err.code(), "par_unsupported");
    assert!(p.requests.borrow().is_empty(), "no request");
    assert!(
        p.navigations.borrow().is_empty(),
        "no front-channel request"
    );
    assert!(p.storage.borrow().is_empty(), "no record");
    // So does a silent restore.
    let err = block_on(c.restore_silently(None)).unwrap_err();
    assert_eq!(err.code(), "par_unsupported");
    assert!(p.navigations.borrow().is_empty());
}

#[test]
fn a09_a_push_error_is_par_error_with_no_navigation_and_no_record_left() {
    let (c, p) = par_client(true, metadata_with_par(false));
    // A gateway that echoes the request in its error text.
    let echo = Rc::clone(&p);
    let failing = async {
        let options = LoginOptions::default();
        let mut login = pin!(c.login(&options));
        let mut cx = Context::from_waker(Waker::noop());
        for _ in 0..8 {
            assert!(login.as_mut().poll(&mut cx).is_pending());
            if !echo.requests.borrow().is_empty() {
                break;
            }
        }
        let body = echo.requests.borrow()[0].body.clone().unwrap();
        let state = body
            .split('&')
            .find_map(|kv| kv.strip_prefix("state="))
            .unwrap()
            .to_owned();
        echo.op.borrow_mut().next.push(Next::Respond(
            400,
            format!(
                r#"{{"error":"invalid_request","error_description":"bad request state={state}"}}"#
            ),
        ));
        (login.await, state)
    };
    // The answer is queued after the push left, and before it is read.
    let (result, state) = block_on(failing);
    let err = result.unwrap_err();
    assert_eq!(err.code(), "par_error");
    assert_eq!(err.detail(), Some("invalid_request"));
    assert_eq!(err.status(), Some(400));
    let description = err.oauth().unwrap().error_description.clone().unwrap();
    assert_eq!(description, "bad request state=[redacted]");
    assert!(!format!("{err} {err:?}").contains(&state));
    assert!(p.navigations.borrow().is_empty(), "no navigation");
    assert!(p.storage.borrow().is_empty(), "no record left");
    assert_eq!(p.requests.borrow().len(), 1, "no other request");
}

#[test]
fn a09_a_malformed_201_or_a_lost_push_leaves_nothing_and_never_falls_back() {
    for (next, code) in [
        (Next::Respond(201, "{}".into()), "invalid_par_response"),
        (
            Next::Respond(201, r#"{"request_uri":"urn:x:1","expires_in":0}"#.into()),
            "invalid_par_response",
        ),
        (
            Next::Respond(200, r#"{"request_uri":"urn:x:1","expires_in":60}"#.into()),
            "http_status",
        ),
        (Next::Respond(503, "{}".into()), "http_status"),
        (Next::Fail(Transport::Network), "network"),
        (Next::Lost(Transport::Timeout), "timeout"),
    ] {
        let (c, p) = par_client(true, metadata_with_par(false));
        p.op.borrow_mut().next.push(next);
        let err = block_on(c.login(&LoginOptions::default())).unwrap_err();
        assert_eq!(err.code(), code);
        assert!(p.navigations.borrow().is_empty(), "{code}: no navigation");
        assert!(p.storage.borrow().is_empty(), "{code}: no record");
        assert_eq!(p.requests.borrow().len(), 1, "{code}: the push only, once");
    }
}

#[test]
fn g12_a08_silent_restore_is_pushed_too() {
    let (c, p) = par_client(false, metadata_with_par(true));
    assert!(block_on(c.restore_silently(Some("/here"))).expect("restore"));
    assert_eq!(
        pushed_form(&p).get("prompt").map(String::as_str),
        Some("none")
    );
    let url = p.navigations.borrow().last().cloned().unwrap();
    assert_eq!(
        query(&url).keys().collect::<Vec<_>>(),
        ["client_id", "request_uri"]
    );
    let outcome = block_on(c.handle_callback(&callback_for(&p), &[])).expect("callback");
    assert!(outcome.signed_in);
    assert_eq!(outcome.return_to.as_deref(), Some("/here"));
}
