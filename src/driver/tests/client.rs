//! Driver tests against the simulated provider, with a virtual clock.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::rc::Rc;

use super::test_support::*;

use crate::core::{Error, Transport};
use crate::driver::{AuthEvent, LoginOptions, SignedOutReason, TRANSACTION_PREFIX};

fn code_of(r: Result<impl Sized, Error>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn b01_login_and_callback_sign_in_with_one_code_exchange() {
    let (c, p) = client();
    let log = events(&c);
    block_on(c.login(&LoginOptions::return_to("/orders?page=2"))).unwrap();
    let params = callback_for(&p);
    let outcome = block_on(c.handle_callback(&params, &[])).unwrap();
    assert_eq!(outcome.return_to.as_deref(), Some("/orders?page=2"));
    assert!(c.is_authenticated());
    assert_eq!(p.grants("authorization_code"), 1);
    assert!(
        p.storage.borrow().is_empty(),
        "transaction deleted after the callback"
    );
    assert_eq!(*log.borrow(), vec![AuthEvent::SignedIn]);
    let claims = c.claims().unwrap();
    assert_eq!(claims.get("sub").and_then(|s| s.as_str()), Some("alice"));
    assert_eq!(block_on(c.access_token(false)).unwrap().secret(), "at-1");
}

#[test]
fn a07_one_transaction_record_and_no_token_in_it() {
    let (c, p) = client();
    block_on(c.login(&LoginOptions::default())).unwrap();
    block_on(c.login(&LoginOptions::default())).unwrap();
    let storage = p.storage.borrow();
    assert_eq!(
        storage.len(),
        1,
        "an abandoned login is forgotten: at most one record"
    );
    let (key, value) = storage.iter().next().unwrap();
    assert!(key.starts_with(TRANSACTION_PREFIX));
    assert!(!value.contains("access_token") && !value.contains("at-"));
}

#[test]
fn a01_token_request_carries_the_verifier_matching_the_challenge() {
    // The simulated provider recomputes S256(code_verifier) and refuses a mismatch.
    let (c, p) = client();
    block_on(c.login(&LoginOptions::default())).unwrap();
    let url = p.navigations.borrow()[0].clone();
    let q = query(&url);
    assert_eq!(
        q.get("code_challenge_method").map(String::as_str),
        Some("S256")
    );
    assert_eq!(q.get("code_challenge").map(String::len), Some(43));
    let params = callback_for(&p);
    block_on(c.handle_callback(&params, &[])).unwrap();
    let body = p.requests.borrow()[0].body.clone().unwrap();
    assert!(body.contains("code_verifier="));
    assert!(!url.contains("code_verifier"));
}

#[test]
fn b05_replayed_callback_gets_no_pending_login_and_session_survives() {
    let (c, p) = signed_in();
    // Reload of the callback URL: the same parameters again.
    let url = p.navigations.borrow().last().cloned().unwrap();
    let state = query(&url).get("state").cloned().unwrap();
    let replay = vec![
        ("code".into(), "code-x".into()),
        ("state".into(), state),
        ("iss".into(), ISSUER.into()),
    ];
    assert_eq!(
        code_of(block_on(c.handle_callback(&replay, &[]))),
        "no_pending_login"
    );
    assert_eq!(
        p.grants("authorization_code"),
        1,
        "the code is exchanged exactly once"
    );
    assert!(c.is_authenticated(), "the first session keeps working");
}

#[test]
fn b06_double_callback_in_the_same_tick_exchanges_once() {
    let (c, p) = client();
    block_on(c.login(&LoginOptions::default())).unwrap();
    let params = callback_for(&p);
    let results = join_all(vec![
        Box::pin(c.handle_callback(&params, &[])),
        Box::pin(c.handle_callback(&params, &[])),
    ]);
    let codes: Vec<_> = results.into_iter().map(code_of).collect();
    assert_eq!(codes, vec!["ok", "no_pending_login"]);
    assert_eq!(p.grants("authorization_code"), 1);
}

#[test]
fn b02_missing_state_leaves_the_transaction_untouched() {
    let (c, p) = client();
    block_on(c.login(&LoginOptions::default())).unwrap();
    let params: Vec<_> = callback_for(&p)
        .into_iter()
        .filter(|(k, _)| k != "state")
        .collect();
    assert_eq!(
        code_of(block_on(c.handle_callback(&params, &[]))),
        "state_missing"
    );
    assert_eq!(p.storage.borrow().len(), 1);
    assert!(p.requests.borrow().is_empty(), "no token request");
}

#[test]
fn b03_foreign_state_leaves_the_genuine_login_which_still_completes() {
    let (c, p) = client();
    block_on(c.login(&LoginOptions::default())).unwrap();
    let genuine = callback_for(&p);
    let mut forged = genuine.clone();
    forged[1].1 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into();
    assert_eq!(
        code_of(block_on(c.handle_callback(&forged, &[]))),
        "no_pending_login"
    );
    assert!(p.requests.borrow().is_empty());
    block_on(c.handle_callback(&genuine, &[])).unwrap();
    assert!(c.is_authenticated());
}

#[test]
fn b04_callback_without_any_login_is_refused() {
    let (c, p) = client();
    let params = vec![
        ("code".into(), "attacker-code".into()),
        ("state".into(), "attacker-state".into()),
        ("iss".into(), ISSUER.into()),
    ];
    assert_eq!(
        code_of(block_on(c.handle_callback(&params, &[]))),
        "no_pending_login"
    );
    assert!(p.requests.borrow().is_empty());
    assert!(!c.is_authenticated());
}

#[test]
fn b11_error_from_wrong_issuer_is_issuer_mismatch_and_consumes_the_login() {
    let (c, p) = client();
    block_on(c.login(&LoginOptions::default())).unwrap();
    let mut params = callback_for(&p);
    params[0] = ("error".into(), "login_required".into());
    params[2].1 = "https://evil.example".into();
    assert_eq!(
        code_of(block_on(c.handle_callback(&params, &[]))),
        "issuer_mismatch"
    );
    assert!(
        p.storage.borrow().is_empty(),
        "a callback with a matching state consumes the login (P6)"
    );
    assert!(p.requests.borrow().is_empty());
}

#[test]
fn b16_expired_transaction_is_refused_without_a_token_request() {
    let (c, p) = client();
    block_on(c.login(&LoginOptions::default())).unwrap();
    let params = callback_for(&p);
    p.advance(11 * 60);
    assert_eq!(
        code_of(block_on(c.handle_callback(&params, &[]))),
        "login_expired"
    );
    assert!(p.requests.borrow().is_empty());
    assert!(p.storage.borrow().is_empty());
}

#[test]
fn b18_injected_code_fails_at_the_provider_because_of_pkce() {
    let (c, p) = client();
    block_on(c.login(&LoginOptions::default())).unwrap();
    let mut params = callback_for(&p);
    // A code bound to another verifier (issued for another browser's flow).
    p.op.borrow_mut().codes.insert(
        "code-x".into(),
        ("other-challenge".into(), "n".into(), REDIRECT.into()),
    );
    params[0].1 = "code-x".into();
    let err = block_on(c.handle_callback(&params, &[])).unwrap_err();
    assert_eq!(err.code(), "token_error");
    assert_eq!(err.oauth().map(|o| o.error.as_str()), Some("invalid_grant"));
    assert!(!c.is_authenticated());
}

#[test]
fn e14_id_token_with_wrong_nonce_is_rejected_and_tokens_discarded() {
    let (c, p) = client();
    block_on(c.login(&LoginOptions::default())).unwrap();
    let params = callback_for(&p);
    let body = serde_json::json!({
        "access_token": "at-evil", "token_type": "Bearer", "expires_in": 300, "refresh_token": "rt-evil",
        "id_token": jwt(serde_json::json!({"iss": ISSUER, "sub": "alice", "aud": CLIENT_ID,
            "exp": p.now.get() + 600, "iat": p.now.get(), "nonce": "012345678"})),
    });
    p.op.borrow_mut()
        .next
        .push(Next::Respond(200, body.to_string()));
    let err = block_on(c.handle_callback(&params, &[])).unwrap_err();
    assert_eq!(
        (err.code(), err.detail()),
        ("id_token_invalid", Some("nonce"))
    );
    assert!(!c.is_authenticated());
    assert_eq!(code_of(block_on(c.access_token(false))), "login_required");
}

#[test]
fn g01_fifty_concurrent_calls_after_expiry_make_one_refresh() {
    let (c, p) = signed_in();
    p.advance(301);
    let calls = (0..50)
        .map(|_| {
            Box::pin(c.access_token(false))
                as std::pin::Pin<Box<dyn std::future::Future<Output = _>>>
        })
        .collect();
    let tokens: Vec<String> = join_all::<Result<crate::core::AccessToken, Error>>(calls)
        .into_iter()
        .map(|t| t.unwrap().secret().to_string())
        .collect();
    assert_eq!(p.grants("refresh_token"), 1);
    assert!(
        tokens.iter().all(|t| t == "at-2"),
        "all 50 get the same new token"
    );
}

#[test]
fn g02_invalid_grant_ends_the_session_once_for_all_callers() {
    let (c, p) = signed_in();
    let log = events(&c);
    p.advance(301);
    p.op.borrow_mut().revoked = true;
    let calls = (0..50)
        .map(|_| {
            Box::pin(c.access_token(false))
                as std::pin::Pin<Box<dyn std::future::Future<Output = _>>>
        })
        .collect();
    let codes: Vec<_> = join_all::<Result<crate::core::AccessToken, Error>>(calls)
        .into_iter()
        .map(code_of)
        .collect();
    assert!(codes.iter().all(|c| *c == "login_required"));
    assert_eq!(p.grants("refresh_token"), 1);
    assert_eq!(
        *log.borrow(),
        vec![AuthEvent::SignedOut(SignedOutReason::RefreshRejected)]
    );
    let before = p.requests.borrow().len();
    assert_eq!(code_of(block_on(c.access_token(false))), "login_required");
    assert_eq!(
        p.requests.borrow().len(),
        before,
        "no further request once signed out"
    );
}

#[test]
fn g03_token_inside_the_margin_is_renewed_first() {
    let (c, p) = signed_in();
    p.advance(300 - 20); // 20 s left, margin 45 s
    assert_eq!(block_on(c.access_token(false)).unwrap().secret(), "at-2");
    assert_eq!(p.grants("refresh_token"), 1);
    // A fresh token is returned without a request.
    assert_eq!(block_on(c.access_token(false)).unwrap().secret(), "at-2");
    assert_eq!(p.grants("refresh_token"), 1);
}

#[test]
fn fresh_until_is_the_renewal_time_of_the_token_held() {
    let (c, p) = signed_in();
    let now = p.now.get();
    let token = block_on(c.access_token(false)).unwrap();
    // 300 s tokens, 45 s margin: fresh until 255 s after receipt, inclusive.
    let until = c.fresh_until(&token).expect("a fresh token is held");
    assert_eq!(until, now + 300 - 45);
    p.advance(until - now);
    assert_eq!(
        c.fresh_until(&token),
        Some(until),
        "still fresh at the last second"
    );
    assert_eq!(p.grants("refresh_token"), 0, "handed out without renewing");
    p.advance(1);
    assert_eq!(
        c.fresh_until(&token),
        None,
        "inside the margin: a call would renew"
    );
    let renewed = block_on(c.access_token(false)).unwrap();
    assert_ne!(renewed.secret(), token.secret());
    assert_eq!(c.fresh_until(&token), None, "not for the token it replaced");
    assert_eq!(
        c.fresh_until(&renewed),
        Some(p.now.get() + 300 - 45),
        "fresh again after the refresh"
    );
    block_on(c.logout()).unwrap();
    assert_eq!(c.fresh_until(&renewed), None, "nothing once signed out");
}

#[test]
fn g04_rotation_uses_the_new_refresh_token_and_drops_the_old() {
    let (c, p) = signed_in();
    block_on(c.access_token(true)).unwrap();
    block_on(c.access_token(true)).unwrap();
    let bodies: Vec<String> = p
        .requests
        .borrow()
        .iter()
        .filter_map(|r| r.body.clone())
        .filter(|b| b.contains("grant_type=refresh_token"))
        .collect();
    assert!(bodies[0].contains("refresh_token=rt-1"));
    assert!(bodies[1].contains("refresh_token=rt-2"));
    assert!(
        !p.op.borrow().revoked,
        "no refresh token was ever sent twice"
    );
}

#[test]
fn g05_refresh_without_a_new_refresh_token_keeps_the_old_one() {
    let (c, p) = signed_in();
    p.op.borrow_mut().rotate = false;
    block_on(c.access_token(true)).unwrap();
    block_on(c.access_token(true)).unwrap();
    let bodies: Vec<String> = p
        .requests
        .borrow()
        .iter()
        .filter_map(|r| r.body.clone())
        .filter(|b| b.contains("grant_type=refresh_token"))
        .collect();
    assert_eq!(bodies.len(), 2);
    assert!(bodies.iter().all(|b| b.contains("refresh_token=rt-1")));
    assert!(
        c.claims().is_some(),
        "the ID token claims are kept when the refresh returns none"
    );
}

#[test]
fn g06_stolen_refresh_token_used_elsewhere_ends_the_session() {
    let (c, p) = signed_in();
    let log = events(&c);
    // The thief redeems rt-1 first: the provider rotates it, so the client's copy is now a reuse.
    p.op.borrow_mut().used_refresh.push("rt-1".into());
    assert_eq!(code_of(block_on(c.access_token(true))), "login_required");
    assert!(p.op.borrow().revoked, "the provider revoked the grant");
    assert_eq!(
        *log.borrow(),
        vec![AuthEvent::SignedOut(SignedOutReason::RefreshRejected)]
    );
    assert!(!c.is_authenticated());
}

#[test]
fn g08_refresh_request_is_a_public_client_refresh_grant() {
    let (c, p) = signed_in();
    block_on(c.access_token(true)).unwrap();
    let req = p.requests.borrow().last().cloned().unwrap();
    let body = req.body.unwrap();
    assert!(body.contains("grant_type=refresh_token") && body.contains("client_id=spa"));
    assert!(!body.contains("client_secret"));
    assert_eq!(req.url, format!("{ISSUER}/token"));
}

#[test]
fn h03_server_errors_are_retried_with_backoff_and_the_session_is_kept() {
    let (c, p) = signed_in();
    let log = events(&c);
    p.op.borrow_mut().next.extend([
        Next::Respond(503, "{}".into()),
        Next::Respond(502, "{}".into()),
    ]);
    assert_eq!(block_on(c.access_token(true)).unwrap().secret(), "at-2");
    assert_eq!(p.grants("refresh_token"), 3, "two retries, then success");
    assert_eq!(p.slept.get(), 1000 + 2000, "backoff 1 s, then 2 s");
    assert_eq!(*log.borrow(), vec![AuthEvent::Refreshed]);
}

#[test]
fn h03_j01_logout_during_the_retry_wait_stops_the_refresh_token_being_sent_again() {
    use std::future::Future;
    use std::task::{Context, Waker};
    let (c, p) = signed_in();
    p.op.borrow_mut().next.push(Next::Respond(503, "{}".into()));
    let mut refresh = Box::pin(c.access_token(true));
    let mut cx = Context::from_waker(Waker::noop());
    // Run the first attempt until the retry wait has begun.
    while p.slept.get() == 0 {
        assert!(
            refresh.as_mut().poll(&mut cx).is_pending(),
            "still retrying"
        );
    }
    drop(c.logout());
    assert_eq!(code_of(block_on(refresh)), "login_required");
    assert_eq!(
        p.grants("refresh_token"),
        1,
        "no second refresh request after logout"
    );
    assert!(!c.is_authenticated());
}

#[test]
fn h03_retry_after_is_honoured() {
    let (c, p) = signed_in();
    p.op.borrow_mut().next.push(Next::RetryAfter(429, 7));
    assert_eq!(block_on(c.access_token(true)).unwrap().secret(), "at-2");
    assert_eq!(p.slept.get(), 7000);
}

#[test]
fn h03_retries_are_bounded_and_the_session_survives() {
    let (c, p) = signed_in();
    let log = events(&c);
    p.op.borrow_mut()
        .next
        .extend((0..3).map(|_| Next::Respond(503, "{}".into())));
    assert_eq!(code_of(block_on(c.access_token(true))), "http_status");
    assert_eq!(
        p.grants("refresh_token"),
        3,
        "one attempt and two retries, no more"
    );
    assert!(c.is_authenticated());
    assert_eq!(*log.borrow(), vec![AuthEvent::Error("http_status")]);
    assert_eq!(
        block_on(c.access_token(true)).unwrap().secret(),
        "at-2",
        "the same refresh token still works"
    );
}

#[test]
fn h03_a_retry_after_beyond_the_cap_gives_up_at_once() {
    let (c, p) = signed_in();
    p.op.borrow_mut().next.push(Next::RetryAfter(503, 3600));
    assert_eq!(code_of(block_on(c.access_token(true))), "http_status");
    assert_eq!(p.grants("refresh_token"), 1);
    assert_eq!(p.slept.get(), 0);
}

#[test]
fn h08_offline_refresh_is_retried_and_keeps_the_session() {
    let (c, p) = signed_in();
    p.op.borrow_mut().next.push(Next::Fail(Transport::Offline));
    assert_eq!(block_on(c.access_token(true)).unwrap().secret(), "at-2");
    p.op.borrow_mut()
        .next
        .extend((0..3).map(|_| Next::Fail(Transport::Offline)));
    assert_eq!(code_of(block_on(c.access_token(true))), "offline");
    assert!(c.is_authenticated());
}

#[test]
fn oauth_errors_are_never_retried() {
    let (c, p) = signed_in();
    p.op.borrow_mut()
        .next
        .push(Next::Respond(400, r#"{"error":"invalid_request"}"#.into()));
    assert_eq!(code_of(block_on(c.access_token(true))), "token_error");
    assert_eq!(p.grants("refresh_token"), 1);
}

#[test]
fn logout_clears_tokens_before_navigating_to_end_session() {
    let (c, p) = signed_in();
    let log = events(&c);
    block_on(c.logout()).unwrap();
    assert!(!c.is_authenticated());
    assert_eq!(code_of(block_on(c.access_token(false))), "login_required");
    let url = p.navigations.borrow().last().cloned().unwrap();
    assert!(url.starts_with(&format!("{ISSUER}/logout?")));
    let q = query(&url);
    assert_eq!(q.get("client_id").map(String::as_str), Some(CLIENT_ID));
    assert_eq!(
        q.get("post_logout_redirect_uri").map(String::as_str),
        Some("https://app.example/")
    );
    assert!(
        q.get("id_token_hint")
            .is_some_and(|t| t.split('.').count() == 3)
    );
    assert_eq!(
        q.get("state").map(String::len),
        Some(43),
        "a fresh 256-bit state"
    );
    assert_eq!(
        *log.borrow(),
        vec![AuthEvent::SignedOut(SignedOutReason::LoggedOut)]
    );
}

#[test]
fn logout_during_a_refresh_is_not_undone_by_the_late_response() {
    let (c, p) = signed_in();
    let refresh = c.access_token(true);
    let logout = async {
        block_on(c.logout()).unwrap();
    };
    let results = join_all(vec![
        Box::pin(async { code_of(refresh.await) }),
        Box::pin(async {
            logout.await;
            "ok"
        }),
    ]);
    assert_eq!(results, vec!["login_required", "ok"]);
    assert!(
        !c.is_authenticated(),
        "the late refresh result did not resurrect the session"
    );
    let _ = p;
}

#[test]
fn expired_token_without_refresh_token_ends_the_session() {
    let (c, p) = client();
    let mut cfg = config();
    cfg.scope = "openid".into();
    let c2 = crate::driver::Client::with_metadata(Rc::clone(&p), cfg, metadata()).unwrap();
    drop(c);
    block_on(c2.login(&LoginOptions::default())).unwrap();
    let params = callback_for(&p);
    // The provider issues no refresh token for this exchange.
    p.op.borrow_mut().next.push(Next::Respond(200, serde_json::json!({
        "access_token": "at-x", "token_type": "Bearer", "expires_in": 60,
        "id_token": jwt(serde_json::json!({"iss": ISSUER, "sub": "alice", "aud": CLIENT_ID, "exp": p.now.get() + 600,
            "iat": p.now.get(), "nonce": query(&p.navigations.borrow()[0]).get("nonce").cloned().unwrap()})),
    }).to_string()));
    block_on(c2.handle_callback(&params, &[])).unwrap();
    assert_eq!(block_on(c2.access_token(false)).unwrap().secret(), "at-x");
    p.advance(61);
    assert_eq!(code_of(block_on(c2.access_token(false))), "login_required");
    assert!(!c2.is_authenticated());
}

#[test]
fn g07_refreshed_id_token_nonce_rules_of_core_12_2() {
    // Echoing the original nonce (what oidc-provider does) and omitting it are both fine.
    let (c, p) = signed_in();
    block_on(c.access_token(true)).unwrap();
    p.op.borrow_mut().refresh_nonce = Some(None);
    block_on(c.access_token(true)).unwrap();
    // A different nonce is refused: the refreshed tokens are discarded and, since the provider has
    // already rotated the refresh token, the session ends rather than replaying the old one later.
    let log = events(&c);
    p.op.borrow_mut().refresh_nonce = Some(Some("012345678".into()));
    let err = block_on(c.access_token(true)).unwrap_err();
    assert_eq!(
        (err.code(), err.detail()),
        ("id_token_invalid", Some("refresh_mismatch:nonce"))
    );
    assert_eq!(
        *log.borrow(),
        vec![AuthEvent::SignedOut(SignedOutReason::RefreshRejected)]
    );
    let sent = p.requests.borrow().len();
    assert_eq!(code_of(block_on(c.access_token(false))), "login_required");
    assert_eq!(p.requests.borrow().len(), sent);
    assert!(!p.op.borrow().revoked, "no refresh token was replayed");
}

#[test]
fn g03_revalidate_after_sleep_renews_before_handing_out_a_token() {
    let (c, p) = signed_in();
    let log = events(&c);
    assert_eq!(c.next_refresh_at(), Some(p.now.get() + 300 - 45));
    block_on(c.revalidate());
    assert_eq!(p.grants("refresh_token"), 0, "a fresh token is left alone");
    p.advance(3 * 3600); // the laptop slept for three hours
    block_on(c.revalidate());
    assert_eq!(p.grants("refresh_token"), 1);
    assert_eq!(*log.borrow(), vec![AuthEvent::Refreshed]);
    assert_eq!(block_on(c.access_token(false)).unwrap().secret(), "at-2");
    assert_eq!(p.grants("refresh_token"), 1);
}

#[test]
fn g13_revalidate_ends_an_expired_session_without_refresh_token() {
    let (_, p) = client();
    let mut cfg = config();
    cfg.scope = "openid".into();
    let c = crate::driver::Client::with_metadata(Rc::clone(&p), cfg, metadata()).unwrap();
    block_on(c.login(&LoginOptions::default())).unwrap();
    let params = callback_for(&p);
    let nonce = query(&p.navigations.borrow()[0])
        .get("nonce")
        .cloned()
        .unwrap();
    p.op.borrow_mut().next.push(Next::Respond(
        200,
        serde_json::json!({"access_token": "at-x", "token_type": "Bearer", "expires_in": 60,
            "id_token": jwt(serde_json::json!({"iss": ISSUER, "sub": "alice", "aud": CLIENT_ID,
                "exp": p.now.get() + 600, "iat": p.now.get(), "nonce": nonce}))})
        .to_string(),
    ));
    block_on(c.handle_callback(&params, &[])).unwrap();
    let log = events(&c);
    assert_eq!(c.next_refresh_at(), None, "nothing to renew with");
    p.advance(61);
    block_on(c.revalidate());
    assert!(!c.is_authenticated());
    assert_eq!(
        *log.borrow(),
        vec![AuthEvent::SignedOut(SignedOutReason::Expired)]
    );
}

#[test]
fn g03_tokens_shorter_than_the_margin_are_not_refreshed_on_every_call() {
    let (c, p) = client();
    p.op.borrow_mut().at_ttl = 8; // shorter than the 45 s margin
    block_on(c.login(&LoginOptions::default())).unwrap();
    let params = callback_for(&p);
    block_on(c.handle_callback(&params, &[])).unwrap();
    for _ in 0..10 {
        block_on(c.access_token(false)).unwrap();
    }
    assert_eq!(
        p.grants("refresh_token"),
        0,
        "half the lifetime is the margin"
    );
    assert_eq!(c.next_refresh_at(), Some(p.now.get() + 4));
    p.advance(5);
    assert_eq!(block_on(c.access_token(false)).unwrap().secret(), "at-2");
    assert_eq!(p.grants("refresh_token"), 1);
}

#[test]
fn a07_a_record_for_another_client_or_redirect_uri_is_no_pending_login_and_sends_nothing() {
    for (field, forged) in [
        ("client_id", "other-client"),
        ("redirect_uri", "https://evil.example/cb"),
    ] {
        let (c, p) = client();
        block_on(c.login(&LoginOptions::default())).unwrap();
        {
            let mut storage = p.storage.borrow_mut();
            let value = storage.values_mut().next().unwrap();
            let mut json: serde_json::Value = serde_json::from_str(value).unwrap();
            json[field] = serde_json::Value::String(forged.into());
            *value = json.to_string();
        }
        let params = callback_for(&p);
        let err = block_on(c.handle_callback(&params, &[])).unwrap_err();
        assert_eq!(err.code(), "no_pending_login", "{field}");
        assert!(p.requests.borrow().is_empty(), "{field}: no token request");
    }
}

#[test]
fn e22_a_record_without_max_age_keeps_the_configured_max_age() {
    let mut cfg = crate::driver::test_support::config();
    cfg.max_age = Some(60);
    let p = crate::driver::test_support::FakePlatform::new();
    let c = crate::driver::Client::with_metadata(
        std::rc::Rc::clone(&p),
        cfg,
        crate::driver::test_support::metadata(),
    )
    .unwrap();
    block_on(c.login(&LoginOptions::default())).unwrap();
    {
        let mut storage = p.storage.borrow_mut();
        let value = storage.values_mut().next().unwrap();
        let mut json: serde_json::Value = serde_json::from_str(value).unwrap();
        json["max_age"] = serde_json::Value::Null;
        *value = json.to_string();
    }
    // The simulated provider's ID tokens carry no auth_time, which max_age requires.
    let params = callback_for(&p);
    let err = block_on(c.handle_callback(&params, &[])).unwrap_err();
    assert_eq!(err.code(), "id_token_invalid");
    assert_eq!(err.detail(), Some("auth_time"));
}

#[test]
fn i02_provider_error_text_echoing_the_refresh_token_or_code_is_redacted() {
    let (c, p) = signed_in();
    let rt = "rt-1";
    p.op.borrow_mut().next.push(Next::Respond(
        400,
        format!(r#"{{"error":"invalid_request","error_description":"Invalid refresh token: {rt}","error_uri":"https://op.example/e?t={rt}"}}"#),
    ));
    let err = block_on(c.access_token(true)).unwrap_err();
    let oauth = err.oauth().expect("the provider's error");
    assert_eq!(
        oauth.error_description.as_deref(),
        Some("Invalid refresh token: [redacted]")
    );
    assert!(!oauth.error_uri.as_deref().unwrap_or("").contains(rt));
    assert!(!err.to_string().contains(rt));

    let (c, p) = client();
    block_on(c.login(&LoginOptions::default())).unwrap();
    let params = callback_for(&p);
    let code = params.iter().find(|(k, _)| k == "code").unwrap().1.clone();
    p.op.borrow_mut().next.push(Next::Respond(
        400,
        format!(
            r#"{{"error":"invalid_grant","error_description":"code {code} was already used"}}"#
        ),
    ));
    let err = block_on(c.handle_callback(&params, &[])).unwrap_err();
    let described = err
        .oauth()
        .and_then(|o| o.error_description.clone())
        .unwrap();
    assert!(!described.contains(&code), "{described}");
}
