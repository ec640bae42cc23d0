//! Userinfo (F01–F04) and logout with revocation and a checked state (J01–J06), against the
//! simulated provider.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::test_support::*;

use crate::core::Json;
use crate::driver::AuthEvent;

fn code_of<T>(r: Result<T, crate::core::Error>) -> &'static str {
    r.err().map_or("ok", |e| e.code())
}

fn userinfo_calls(p: &FakePlatform) -> Vec<crate::core::HttpRequest> {
    p.requests
        .borrow()
        .iter()
        .filter(|r| r.url.ends_with("/userinfo"))
        .cloned()
        .collect()
}

#[test]
fn f04_userinfo_claims_are_fetched_once_and_cached() {
    let (c, p) = signed_in();
    let claims = block_on(c.user_info(false)).expect("claims");
    assert_eq!(
        claims.get("email").and_then(Json::as_str),
        Some("alice@example.com")
    );
    block_on(c.user_info(false)).expect("cached");
    assert_eq!(userinfo_calls(&p).len(), 1, "cached");
    block_on(c.user_info(true)).expect("refetched");
    assert_eq!(userinfo_calls(&p).len(), 2);
}

#[test]
fn f02_the_access_token_goes_only_in_the_authorization_header() {
    let (c, p) = signed_in();
    block_on(c.user_info(false)).expect("claims");
    let call = &userinfo_calls(&p)[0];
    assert!(!call.url.contains("at-"), "not in the query");
    assert!(call.body.is_none());
    assert!(
        call.headers
            .iter()
            .any(|(k, v)| k == "Authorization" && v.starts_with("Bearer at-"))
    );
}

#[test]
fn f01_a_foreign_sub_is_refused_and_not_cached() {
    let (c, p) = signed_in();
    p.op.borrow_mut().userinfo_sub = Some("foobar".into());
    let err = block_on(c.user_info(false)).expect_err("refused");
    assert_eq!(err.code(), "userinfo_sub_mismatch");
    p.op.borrow_mut().userinfo_sub = None;
    block_on(c.user_info(false)).expect("a later good answer");
    assert_eq!(userinfo_calls(&p).len(), 2, "the bad answer was not cached");
}

#[test]
fn f03_without_a_refresh_token_a_refused_token_is_not_sent_again() {
    let (c, p) = signed_in();
    if let Some(s) = c.inner.hub.machine.borrow_mut().session_mut() {
        s.refresh_token = None;
    }
    p.op.borrow_mut().next.push(Next::Respond(401, "{}".into()));
    let err = block_on(c.user_info(true)).expect_err("refused");
    assert_eq!(err.code(), "http_status");
    assert_eq!(
        userinfo_calls(&p).len(),
        1,
        "no second request with the same token"
    );
    assert_eq!(p.grants("refresh_token"), 0);
}

#[test]
fn f03_a_refused_token_gets_one_renewal_and_one_retry() {
    let (c, p) = signed_in();
    p.op.borrow_mut()
        .next
        .push(Next::Respond(401, r#"{"error":"invalid_token"}"#.into()));
    block_on(c.user_info(false)).expect("after one renewal");
    assert_eq!(p.grants("refresh_token"), 1);
    assert_eq!(userinfo_calls(&p).len(), 2);

    // Refused twice: the error, no loop.
    p.op.borrow_mut().next.push(Next::Respond(401, "{}".into()));
    p.op.borrow_mut().next.push(Next::Normal); // the renewal
    p.op.borrow_mut().next.push(Next::Respond(401, "{}".into()));
    let err = block_on(c.user_info(true)).expect_err("401 twice");
    assert_eq!(err.code(), "http_status");
    assert_eq!(p.grants("refresh_token"), 2);
    assert_eq!(userinfo_calls(&p).len(), 4);
}

#[test]
fn j01_logout_clears_first_then_revokes_then_navigates_with_hint_and_state() {
    let (c, p) = signed_in();
    let rt = p.op.borrow().live_refresh.clone().expect("rt");
    let log = events(&c);
    // The tokens are gone when logout() returns, before its future has sent anything.
    let rest = c.logout();
    assert!(!c.is_authenticated());
    assert_eq!(code_of(block_on(c.access_token(false))), "login_required");
    assert!(p.op.borrow().revoked_tokens.is_empty(), "nothing sent yet");
    block_on(rest).expect("logout");
    assert_eq!(
        p.op.borrow().revoked_tokens,
        vec![rt.clone()],
        "the refresh token was revoked"
    );
    let revoke = p
        .requests
        .borrow()
        .iter()
        .find(|r| r.url.ends_with("/revoke"))
        .cloned()
        .expect("revoke");
    let body = revoke.body.expect("body");
    assert!(body.contains("token_type_hint=refresh_token") && body.contains("client_id=spa"));
    let url = p.navigations.borrow().last().cloned().expect("navigated");
    let q = query(&url);
    assert!(url.starts_with(&format!("{ISSUER}/logout?")));
    assert!(q.contains_key("id_token_hint") && q.contains_key("state"));
    assert_eq!(q.get("client_id").map(String::as_str), Some("spa"));
    assert_eq!(log.borrow().len(), 1, "one signed_out event, no error");
    // Back from the provider with the same state.
    let back = vec![("state".to_owned(), q["state"].clone())];
    assert_eq!(c.complete_logout(&back), Ok(true));
    assert_eq!(c.complete_logout(&back), Ok(false), "the record is gone");
}

#[test]
fn j02_j03_a_wrong_or_missing_logout_state_is_reported() {
    for back in [
        vec![("state".to_owned(), "RandomString".to_owned())],
        vec![],
    ] {
        let (c, _p) = signed_in();
        block_on(c.logout()).expect("logout");
        let err = c.complete_logout(&back).expect_err("mismatch");
        assert_eq!(err.code(), "logout_state_mismatch");
    }
}

#[test]
fn j03_a_login_callback_whose_state_names_a_marker_cannot_take_the_logout_record() {
    let (c, p) = signed_in();
    block_on(c.logout()).expect("logout");
    let url = p.navigations.borrow().last().cloned().expect("navigated");
    let sent = query(&url)["state"].clone();
    // A forged login callback whose state is a marker's name finds no login and takes nothing.
    for state in ["logout", "restore-failed"] {
        let forged = vec![
            ("code".to_owned(), "forged".to_owned()),
            ("state".to_owned(), state.to_owned()),
        ];
        assert_eq!(
            code_of(block_on(c.handle_callback(&forged, &[]))),
            "no_pending_login"
        );
    }
    let back = vec![("state".to_owned(), sent)];
    assert_eq!(
        c.complete_logout(&back),
        Ok(true),
        "the logout record is still there"
    );
}

/// A logout whose revocation meets `faults`, one per attempt: checks that it was sent three times
/// (two retries), that the failure is an `revocation_incomplete` event, that the logout still
/// navigates to the provider and that the tokens are gone; returns the time slept (ms).
fn logout_with_failing_revocation(faults: [Next; 3]) -> u64 {
    let (c, p) = signed_in();
    let log = events(&c);
    p.op.borrow_mut().next.extend(faults);
    block_on(c.logout()).expect("logout");
    let revocations = p
        .requests
        .borrow()
        .iter()
        .filter(|r| r.url.ends_with("/revoke"))
        .count();
    assert_eq!(revocations, 3, "retried, bounded: two retries");
    assert_eq!(
        log.borrow().last(),
        Some(&AuthEvent::Error("revocation_incomplete"))
    );
    assert!(
        p.navigations
            .borrow()
            .last()
            .is_some_and(|u| u.contains("/logout?")),
        "still navigates"
    );
    assert!(!c.is_authenticated());
    p.slept.get()
}

#[test]
fn j04_revocation_failing_with_503_is_retried_then_reported_and_the_logout_goes_on() {
    let slept = logout_with_failing_revocation([
        Next::RetryAfter(503, 1),
        Next::RetryAfter(503, 1),
        Next::RetryAfter(503, 1),
    ]);
    assert_eq!(slept, 2000, "Retry-After honoured");
}

#[test]
fn j04_revocation_failing_on_the_way_is_retried_then_reported_and_the_logout_goes_on() {
    use crate::core::Transport;
    let slept = logout_with_failing_revocation([
        Next::Fail(Transport::Timeout),
        Next::Fail(Transport::Network),
        Next::Fail(Transport::Offline),
    ]);
    assert_eq!(slept, 1000 + 2000, "backoff of 1 s, then 2 s");
}

#[test]
fn j05_unsupported_token_type_is_reported_and_the_logout_is_complete() {
    let (c, p) = signed_in();
    let log = events(&c);
    p.op.borrow_mut().next.push(Next::Respond(
        400,
        r#"{"error":"unsupported_token_type"}"#.into(),
    ));
    block_on(c.logout()).expect("logout");
    assert_eq!(
        log.borrow().last(),
        Some(&AuthEvent::Error("revocation_unsupported"))
    );
    assert!(!c.is_authenticated());
}

#[test]
fn j06_after_logout_userinfo_needs_a_login_and_sends_nothing() {
    let (c, p) = signed_in();
    block_on(c.logout()).expect("logout");
    let before = p.requests.borrow().len();
    let err = block_on(c.user_info(false)).expect_err("no session");
    assert_eq!(err.code(), "login_required");
    assert_eq!(p.requests.borrow().len(), before, "no request");
}

#[test]
fn j01_logout_after_the_session_ended_still_sends_the_last_id_token_hint() {
    // Okta's logout endpoint refuses a request without id_token_hint, so the ID token of a session
    // that ended on its own (here: the refresh token was rejected) is kept for the logout.
    let (c, p) = signed_in();
    p.advance(301);
    p.op.borrow_mut().revoked = true;
    assert_eq!(code_of(block_on(c.access_token(false))), "login_required");
    assert!(!c.is_authenticated());
    block_on(c.logout()).unwrap();
    let url = p.navigations.borrow().last().cloned().unwrap();
    let q = query(&url);
    assert!(
        q.get("id_token_hint")
            .is_some_and(|t| t.split('.').count() == 3),
        "{url}"
    );
    // Used once: a second logout has no session and no hint left.
    block_on(c.logout()).unwrap();
    let url = p.navigations.borrow().last().cloned().unwrap();
    assert!(!query(&url).contains_key("id_token_hint"));
}

fn client_without_end_session(
    endpoint: Option<crate::core::LogoutEndpoint>,
) -> (
    crate::driver::Client<std::rc::Rc<FakePlatform>>,
    std::rc::Rc<FakePlatform>,
) {
    let mut m = metadata();
    m.end_session_endpoint = None;
    let mut cfg = config();
    cfg.logout_endpoint = endpoint;
    let p = FakePlatform::new();
    let c = crate::driver::Client::with_metadata(std::rc::Rc::clone(&p), cfg, m).unwrap();
    block_on(c.login(&crate::driver::LoginOptions::default())).unwrap();
    let params = callback_for(&p);
    block_on(c.handle_callback(&params, &[])).unwrap();
    (c, p)
}

#[test]
fn j01_without_end_session_endpoint_the_configured_logout_endpoint_is_used_without_state() {
    let endpoint = crate::core::LogoutEndpoint::new("https://op.example/v2/logout".into())
        .with_redirect_param("returnTo");
    let (c, p) = client_without_end_session(Some(endpoint));
    let navigations = p.navigations.borrow().len();
    block_on(c.logout()).unwrap();
    assert!(!c.is_authenticated());
    let url = p.navigations.borrow().last().cloned().unwrap();
    assert_eq!(p.navigations.borrow().len(), navigations + 1);
    assert_eq!(
        url,
        "https://op.example/v2/logout?client_id=spa&returnTo=https%3A%2F%2Fapp.example%2F"
    );
    // No state was sent, so none is pending: the return page is not a checked logout.
    assert_eq!(c.complete_logout(&[]), Ok(false));
}

#[test]
fn j01_without_any_logout_endpoint_logout_is_local() {
    let (c, p) = client_without_end_session(None);
    let navigations = p.navigations.borrow().len();
    block_on(c.logout()).unwrap();
    assert!(!c.is_authenticated());
    assert_eq!(p.navigations.borrow().len(), navigations, "no navigation");
}

#[test]
fn j01_a_discovered_end_session_endpoint_wins_over_the_configured_one() {
    let (c, p) = signed_in();
    drop(c);
    let mut cfg = config();
    cfg.logout_endpoint = Some(crate::core::LogoutEndpoint::new(
        "https://op.example/v2/logout".into(),
    ));
    let c = crate::driver::Client::with_metadata(std::rc::Rc::clone(&p), cfg, metadata()).unwrap();
    block_on(c.logout()).unwrap();
    let url = p.navigations.borrow().last().cloned().unwrap();
    assert!(url.starts_with(&format!("{ISSUER}/logout?")), "{url}");
    assert!(query(&url).contains_key("state"));
}

#[test]
fn j01_a_configured_revocation_endpoint_is_used_only_when_discovery_has_none() {
    let revoked = |discovered: bool| {
        let mut m = metadata();
        if !discovered {
            m.revocation_endpoint = None;
        }
        let mut cfg = config();
        cfg.revocation_endpoint = Some("https://op.example/oauth2/revoke".into());
        let p = FakePlatform::new();
        let c = crate::driver::Client::with_metadata(std::rc::Rc::clone(&p), cfg, m).unwrap();
        block_on(c.login(&crate::driver::LoginOptions::default())).unwrap();
        let params = callback_for(&p);
        block_on(c.handle_callback(&params, &[])).unwrap();
        block_on(c.logout()).unwrap();
        let urls: Vec<String> = p.requests.borrow().iter().map(|r| r.url.clone()).collect();
        urls.into_iter()
            .filter(|u| u.ends_with("revoke"))
            .collect::<Vec<_>>()
    };
    assert_eq!(revoked(false), vec!["https://op.example/oauth2/revoke"]);
    assert_eq!(revoked(true), vec![format!("{ISSUER}/revoke")]);
}

#[test]
fn f01_userinfo_of_a_user_signed_out_by_another_users_login_meanwhile_is_not_returned() {
    let (c, p) = signed_in();
    let mut call = Box::pin(c.user_info(false));
    poll_until(call.as_mut(), || !userinfo_calls(&p).is_empty());
    // Meanwhile bob signs in (another page of the same engine).
    p.op.borrow_mut().claims_over = Some(serde_json::json!({ "sub": "bob" }));
    sign_in_again(&c, &p);
    let result = poll_to_end(call.as_mut());
    let err = result.expect_err("alice's claims are not this session's");
    assert_eq!(err.code(), "login_required");
    assert!(
        c.claims()
            .is_some_and(|j| j.get("sub").and_then(Json::as_str) == Some("bob")),
        "bob's session"
    );
    // Nothing of alice's was cached in bob's session: his own request is made.
    p.op.borrow_mut().userinfo_sub = Some("bob".into());
    let bob = block_on(c.user_info(false)).expect("bob's claims");
    assert_eq!(bob.get("sub").and_then(Json::as_str), Some("bob"));
    assert_eq!(userinfo_calls(&p).len(), 2);
}

#[test]
fn f01_userinfo_answered_after_another_users_login_is_neither_returned_nor_cached() {
    let (c, p) = signed_in();
    let alice = p.op.borrow().live_access.clone().expect("alice's token");
    let mut call = Box::pin(c.user_info(false));
    poll_until(call.as_mut(), || !userinfo_calls(&p).is_empty());
    p.op.borrow_mut().claims_over = Some(serde_json::json!({ "sub": "bob" }));
    sign_in_again(&c, &p);
    // The provider still answers alice's request with her claims (200).
    p.op.borrow_mut().live_access = Some(alice);
    let result = poll_to_end(call.as_mut());
    assert_eq!(result.map_err(|e| e.code()), Err("login_required"));
    assert!(
        c.claims()
            .is_some_and(|j| j.get("sub").and_then(Json::as_str) == Some("bob")),
        "bob's session"
    );
    let cached = c
        .inner
        .hub
        .machine
        .borrow()
        .session()
        .as_ref()
        .and_then(|s| s.userinfo.clone());
    assert!(
        cached.is_none(),
        "alice's claims are not cached in bob's session"
    );
}
