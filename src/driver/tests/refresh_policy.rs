//! What a failed refresh may send again, against the simulated provider (which rotates refresh
//! tokens and revokes the whole grant when a used one comes back).
//!
//! An answer of 429 or 5xx, and `offline` (nothing left the browser), say the refresh token was not
//! used: retried as before. A timeout or a network error leaves it unknown whether the provider
//! rotated the token: the same token is sent once more, no more.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::test_support::*;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Waker};

use crate::core::{AccessToken, Error, Transport};
use crate::driver::Client;
use crate::driver::{AuthEvent, SignedOutReason};

fn code_of(r: Result<impl Sized, Error>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

const UNKNOWN: [Transport; 3] = [Transport::Timeout, Transport::Network, Transport::Cors];

#[test]
fn h01_timeout_then_success_resends_the_same_refresh_token_once() {
    let (c, p) = signed_in();
    let log = events(&c);
    p.op.borrow_mut().next.push(Next::Fail(Transport::Timeout));
    assert_eq!(block_on(c.access_token(true)).unwrap().secret(), "at-2");
    assert_eq!(
        p.refresh_tokens_sent(),
        ["rt-1", "rt-1"],
        "the first attempt and one resend"
    );
    assert_eq!(p.slept.get(), 1000, "after the usual 1 s");
    assert_eq!(*log.borrow(), vec![AuthEvent::Refreshed]);
    assert!(!p.op.borrow().revoked);
    // The renewed session: a fresh token needs no request, the next renewal uses the rotated token,
    // and that token may again be resent once after a timeout.
    assert_eq!(block_on(c.access_token(false)).unwrap().secret(), "at-2");
    assert_eq!(p.grants("refresh_token"), 2);
    p.op.borrow_mut().next.push(Next::Fail(Transport::Timeout));
    assert_eq!(block_on(c.access_token(true)).unwrap().secret(), "at-3");
    assert_eq!(p.refresh_tokens_sent(), ["rt-1", "rt-1", "rt-2", "rt-2"]);
}

#[test]
fn h02_answer_lost_after_rotation_then_invalid_grant_ends_the_session() {
    for lost in [Transport::Network, Transport::Timeout] {
        let (c, p) = signed_in();
        let log = events(&c);
        // The provider rotates rt-1 into rt-2, but the answer never arrives.
        p.op.borrow_mut().next.push(Next::Lost(lost.clone()));
        p.advance(301);
        let err = block_on(c.access_token(false)).unwrap_err();
        assert_eq!(
            (err.code(), err.detail()),
            ("login_required", Some("refresh_rejected")),
            "{lost:?}"
        );
        assert_eq!(
            p.refresh_tokens_sent(),
            ["rt-1", "rt-1"],
            "{lost:?}: one resend"
        );
        assert!(p.op.borrow().revoked, "the provider saw rt-1 again");
        assert_eq!(
            *log.borrow(),
            vec![AuthEvent::SignedOut(SignedOutReason::RefreshRejected)]
        );
        assert!(!c.is_authenticated());
        let sent = p.requests.borrow().len();
        assert_eq!(code_of(block_on(c.access_token(false))), "login_required");
        assert_eq!(code_of(block_on(c.access_token(true))), "login_required");
        p.advance(3600);
        block_on(c.revalidate());
        assert_eq!(p.requests.borrow().len(), sent, "nothing is sent again");
        assert_eq!(log.borrow().len(), 1, "one signed_out event");
    }
}

#[test]
fn h01_two_unknown_outcomes_in_a_row_stop_and_keep_the_session() {
    let (c, p) = signed_in();
    let log = events(&c);
    p.op.borrow_mut().next.extend([
        Next::Fail(Transport::Timeout),
        Next::Fail(Transport::Network),
        Next::Fail(Transport::Timeout),
    ]);
    assert_eq!(code_of(block_on(c.access_token(true))), "network");
    assert_eq!(p.refresh_tokens_sent(), ["rt-1", "rt-1"], "no third send");
    assert_eq!(p.slept.get(), 1000);
    assert!(c.is_authenticated(), "kept: the refresh token may be valid");
    assert_eq!(*log.borrow(), vec![AuthEvent::Error("network")]);
    // Renewals nobody asked for (timer, page shown again, back online) no longer send it.
    p.advance(3600);
    block_on(c.revalidate());
    assert_eq!(p.grants("refresh_token"), 2, "no automatic send");
    // A call of the application does, once: after a third unknown outcome, no resend.
    assert_eq!(code_of(block_on(c.access_token(false))), "timeout");
    assert_eq!(p.grants("refresh_token"), 3);
    // The provider answers again: renewed, and automatic renewals resume with the new token.
    assert_eq!(block_on(c.access_token(false)).unwrap().secret(), "at-2");
    assert_eq!(p.refresh_tokens_sent(), ["rt-1"; 4]);
    p.advance(3600);
    block_on(c.revalidate());
    assert_eq!(
        p.refresh_tokens_sent().last().map(String::as_str),
        Some("rt-2")
    );
    assert_eq!(
        *log.borrow(),
        vec![
            AuthEvent::Error("network"),
            AuthEvent::Error("timeout"),
            AuthEvent::Refreshed,
            AuthEvent::Refreshed,
        ]
    );
}

#[test]
fn h01_every_unknown_outcome_allows_one_resend_only() {
    for first in UNKNOWN {
        for second in UNKNOWN {
            let (c, p) = signed_in();
            p.op.borrow_mut().next.extend([
                Next::Fail(first.clone()),
                Next::Fail(second.clone()),
                Next::Respond(200, "{}".into()),
            ]);
            let r = block_on(c.access_token(true));
            assert_eq!(
                r.unwrap_err(),
                Error::Transport(second.clone()),
                "{first:?}, {second:?}"
            );
            assert_eq!(p.grants("refresh_token"), 2, "{first:?}, {second:?}");
            assert!(c.is_authenticated());
        }
    }
}

#[test]
fn h01_after_an_unknown_outcome_the_resend_is_the_last_attempt() {
    // A 503 to the resend does not tell whether the first request rotated the token.
    let (c, p) = signed_in();
    p.op.borrow_mut().next.extend([
        Next::Fail(Transport::Timeout),
        Next::Respond(503, "{}".into()),
    ]);
    assert_eq!(code_of(block_on(c.access_token(true))), "http_status");
    assert_eq!(p.grants("refresh_token"), 2);
    assert!(c.is_authenticated());
    // One unknown outcome so far: a later renewal, automatic or not, may send the token.
    p.advance(3600);
    block_on(c.revalidate());
    assert_eq!(p.grants("refresh_token"), 3);
    assert_eq!(block_on(c.access_token(false)).unwrap().secret(), "at-2");
    assert_eq!(p.grants("refresh_token"), 3);
}

#[test]
fn h03_answered_429_and_5xx_are_retried_as_before_and_bounded() {
    let (c, p) = signed_in();
    let log = events(&c);
    p.op.borrow_mut().next.extend([
        Next::Respond(503, "{}".into()),
        Next::RetryAfter(429, 3),
        Next::Respond(
            500,
            r#"{"error":"server_error","error_description":"down"}"#.into(),
        ),
        Next::Respond(503, "{}".into()),
    ]);
    assert_eq!(code_of(block_on(c.access_token(true))), "token_error");
    assert_eq!(
        p.grants("refresh_token"),
        3,
        "one attempt and two retries, no more"
    );
    assert_eq!(p.slept.get(), 1000 + 3000, "1 s, then the Retry-After");
    assert!(c.is_authenticated());
    assert_eq!(*log.borrow(), vec![AuthEvent::Error("token_error")]);
    // Answered failures do not hold back later renewals, automatic ones included.
    p.op.borrow_mut().next.clear();
    p.op.borrow_mut().next.extend([
        Next::Respond(503, "{}".into()),
        Next::Respond(502, "{}".into()),
    ]);
    p.advance(3600);
    block_on(c.revalidate());
    assert_eq!(p.refresh_tokens_sent(), ["rt-1"; 6]);
    assert_eq!(block_on(c.access_token(false)).unwrap().secret(), "at-2");
    assert!(!p.op.borrow().revoked);
}

#[test]
fn h08_offline_is_retried_as_before_and_does_not_count_as_unknown() {
    let (c, p) = signed_in();
    p.op.borrow_mut().next.extend([
        Next::Fail(Transport::Offline),
        Next::Fail(Transport::Offline),
        Next::Fail(Transport::Offline),
    ]);
    assert_eq!(code_of(block_on(c.access_token(true))), "offline");
    assert_eq!(p.grants("refresh_token"), 3);
    // Offline, then a timeout: the timeout still allows its one resend.
    p.op.borrow_mut().next.extend([
        Next::Fail(Transport::Offline),
        Next::Fail(Transport::Timeout),
    ]);
    assert_eq!(block_on(c.access_token(true)).unwrap().secret(), "at-2");
    assert_eq!(p.refresh_tokens_sent(), ["rt-1"; 6]);
}

#[test]
fn d_a_refresh_answered_200_that_cannot_be_checked_ends_the_session() {
    let (c, p) = signed_in();
    let log = events(&c);
    // The provider rotates rt-1 and answers 200; the ID token cannot be checked (no WebCrypto).
    p.crypto_down.set(true);
    let err = block_on(c.access_token(true)).unwrap_err();
    assert_eq!(err.code(), "crypto_unavailable");
    assert!(
        !c.is_authenticated(),
        "fail closed: rt-1 was most likely rotated"
    );
    assert_eq!(
        *log.borrow(),
        vec![AuthEvent::SignedOut(SignedOutReason::RefreshRejected)]
    );
    p.crypto_down.set(false);
    assert_eq!(code_of(block_on(c.access_token(true))), "login_required");
    assert_eq!(p.refresh_tokens_sent(), ["rt-1"], "never sent again");
}

/// Polls `calls` until the simulated provider has seen `n` refresh requests (each call at most 8
/// times).
fn poll_until_refreshes(calls: &mut [TokenCall<'_>], p: &FakePlatform, n: usize) {
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..8 {
        if p.refresh_tokens_sent().len() >= n {
            return;
        }
        for call in calls.iter_mut() {
            assert!(call.as_mut().poll(&mut cx).is_pending(), "finished early");
        }
    }
    assert_eq!(p.refresh_tokens_sent().len(), n, "never sent");
}

#[test]
fn a_call_dropped_while_it_checks_a_200_refresh_leaves_the_new_tokens_in_place() {
    let (c, p) = signed_in();
    let log = events(&c);
    let other = c.clone();
    let mut calls: Vec<TokenCall<'_>> = vec![Box::pin(c.access_token(true))];
    let mut second = Box::pin(other.access_token(true));
    // Poll until the provider has answered the refresh (rotating rt-1), while the first call
    // checks the answer.
    let rotated = || p.op.borrow().used_refresh.len() == 1;
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..8 {
        assert!(calls[0].as_mut().poll(&mut cx).is_pending());
        assert!(second.as_mut().poll(&mut cx).is_pending());
        if rotated() {
            break;
        }
    }
    assert!(rotated());
    drop(calls);
    // The checks go on without the call: the other call gets the new token.
    assert_eq!(poll_to_end(second.as_mut()).unwrap().secret(), "at-2");
    assert_eq!(spawned(), 0);
    assert!(c.is_authenticated());
    assert_eq!(*log.borrow(), vec![AuthEvent::Refreshed]);
    assert_eq!(p.refresh_tokens_sent(), ["rt-1"], "sent once");
}

#[test]
fn a_lone_call_dropped_mid_send_does_not_lose_the_rotated_refresh_token() {
    let (c, p) = signed_in();
    let mut calls: Vec<TokenCall<'_>> = vec![Box::pin(c.access_token(true))];
    // The request is out; the provider has not answered yet.
    poll_until_refreshes(&mut calls, &p, 1);
    assert!(p.op.borrow().used_refresh.is_empty());
    drop(calls);
    // The exchange goes on as its own task: the provider rotates rt-1 and the answer is kept.
    while poll_spawned() > 0 {}
    assert_eq!(p.op.borrow().used_refresh.len(), 1);
    assert!(c.is_authenticated());
    assert_eq!(block_on(c.access_token(false)).unwrap().secret(), "at-2");
    assert_eq!(
        p.refresh_tokens_sent(),
        ["rt-1"],
        "the rotated token is not sent again"
    );
    assert!(!p.op.borrow().revoked);
}

/// Two forced calls; the first, which runs the renewal, is dropped once its request is out. Returns
/// the second.
fn second_of_two_calls_after_the_first_is_dropped_mid_send<'a>(
    c: &'a Client<Rc<FakePlatform>>,
    p: &FakePlatform,
) -> TokenCall<'a> {
    let mut calls: Vec<TokenCall<'a>> = vec![
        Box::pin(c.access_token(true)),
        Box::pin(c.access_token(true)),
    ];
    poll_until_refreshes(&mut calls, p, 1);
    let second = calls.pop().expect("two calls");
    drop(calls);
    second
}

#[test]
fn a_call_dropped_mid_send_leaves_its_exchange_to_the_calls_still_waiting() {
    let (c, p) = signed_in();
    let second = second_of_two_calls_after_the_first_is_dropped_mid_send(&c, &p);
    // The waiting call does not send again: it gets the dropped call's answer.
    assert_eq!(block_on(second).unwrap().secret(), "at-2");
    assert_eq!(p.refresh_tokens_sent(), ["rt-1"]);
    assert_eq!(spawned(), 0);
}

#[test]
fn a_call_dropped_mid_send_whose_answer_is_lost_allows_the_one_resend_only() {
    let (c, p) = signed_in();
    // The provider rotates rt-1 but its answer is lost, and so is the resend's.
    p.op.borrow_mut().next.extend([
        Next::Lost(Transport::Timeout),
        Next::Lost(Transport::Timeout),
    ]);
    let second = second_of_two_calls_after_the_first_is_dropped_mid_send(&c, &p);
    // The unknown outcome is counted once, by the exchange itself: one resend, by the call left.
    assert_eq!(code_of(block_on(second)), "timeout");
    assert_eq!(p.refresh_tokens_sent(), ["rt-1", "rt-1"]);
    assert_eq!(spawned(), 0);
}

#[test]
fn an_exchange_dropped_unfinished_by_its_platform_leaves_no_call_waiting() {
    // Mid-send: the request reached the provider (which rotated rt-1), its answer never came in.
    let (c, p) = signed_in();
    let mut calls: Vec<TokenCall<'_>> = vec![Box::pin(c.access_token(true))];
    poll_until_refreshes(&mut calls, &p, 1);
    drop(calls);
    assert_eq!(spawned(), 1);
    drop_spawned();
    assert_eq!(p.op.borrow().used_refresh.len(), 1);
    // An unknown outcome, as for any send that never reported: one resend, which the provider
    // refuses as a reuse, and the session ends. Nobody waits for ever.
    assert_eq!(code_of(block_on(c.access_token(true))), "login_required");
    assert_eq!(p.refresh_tokens_sent(), ["rt-1", "rt-1"]);
    assert!(!c.is_authenticated());

    // While checking a 2xx answer: the session ends at once, and the token is not sent again.
    let (c, p) = signed_in();
    let mut calls: Vec<TokenCall<'_>> = vec![Box::pin(c.access_token(true))];
    poll_until_refreshes(&mut calls, &p, 1);
    drop(calls);
    poll_spawned();
    assert_eq!(p.op.borrow().used_refresh.len(), 1, "answered");
    assert_eq!(spawned(), 1, "still checking the answer");
    drop_spawned();
    assert!(!c.is_authenticated(), "fail closed: rt-1 was rotated");
    assert_eq!(code_of(block_on(c.access_token(true))), "login_required");
    assert_eq!(p.refresh_tokens_sent(), ["rt-1"]);
}

#[test]
fn g01_calls_waiting_for_a_renewal_are_woken_by_it() {
    use std::future::Future;
    use std::pin::Pin;
    type Token = Result<crate::core::AccessToken, Error>;
    let (c, p) = signed_in();
    p.advance(301);
    // The first send meets a 503 and a wait: the waiting calls are woken when it ends.
    p.op.borrow_mut().next.push(Next::RetryAfter(503, 1));
    let calls: Vec<Pin<Box<dyn Future<Output = Token> + '_>>> = (0..20)
        .map(|_| Box::pin(c.access_token(false)) as _)
        .collect();
    let tokens: Vec<String> = run_woken(calls)
        .into_iter()
        .map(|r| r.unwrap().secret().to_owned())
        .collect();
    assert!(tokens.iter().all(|t| *t == tokens[0]), "{tokens:?}");
    assert_eq!(p.refresh_tokens_sent(), ["rt-1", "rt-1"]);
    // And a logout among waiting calls wakes them with its answer.
    p.advance(301);
    p.op.borrow_mut().next.push(Next::RetryAfter(503, 1));
    let mut calls: Vec<Pin<Box<dyn Future<Output = String> + '_>>> = (0..5)
        .map(|_| Box::pin(async { code_of(c.access_token(false).await).to_owned() }) as _)
        .collect();
    calls.push(Box::pin(async {
        let _ = c.logout_url().await;
        String::from("logout")
    }));
    let out = run_woken(calls);
    assert!(out[..5].iter().all(|o| o == "login_required"), "{out:?}");
}

/// A call of `access_token`, boxed.
type TokenCall<'a> = Pin<Box<dyn Future<Output = Result<AccessToken, Error>> + 'a>>;

/// `n` calls of a signed-in client whose renewal met `status` with a `Retry-After` of `secs`,
/// polled until the call running it sleeps before its retry.
fn calls_waiting_for_a_retry<'a>(
    c: &'a Client<Rc<FakePlatform>>,
    p: &FakePlatform,
    n: usize,
    status: u16,
    secs: u64,
) -> Vec<TokenCall<'a>> {
    p.advance(301);
    p.op.borrow_mut().next.push(Next::RetryAfter(status, secs));
    let mut calls: Vec<TokenCall<'a>> = (0..n)
        .map(|_| Box::pin(c.access_token(false)) as _)
        .collect();
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..8 {
        for call in &mut calls {
            assert!(call.as_mut().poll(&mut cx).is_pending());
        }
        if p.slept.get() > 0 {
            break;
        }
    }
    assert!(p.slept.get() > 0, "the renewal waits before its retry");
    calls
}

#[test]
fn a_login_during_a_renewal_gives_its_waiting_calls_the_new_sessions_token() {
    let (c, p) = signed_in();
    // The renewal meets a 503 and waits before its retry...
    let mut calls = calls_waiting_for_a_retry(&c, &p, 3, 503, 1);
    assert_eq!(p.refresh_tokens_sent(), ["rt-1"]);
    // ...while the user signs in again (in another page of the same engine).
    sign_in_again(&c, &p);
    let new = p.op.borrow().live_access.clone().expect("issued");
    for call in &mut calls {
        let token =
            poll_to_end(call.as_mut()).expect("the new session's token, not login_required");
        assert_eq!(token.secret(), new);
    }
    assert_eq!(
        p.refresh_tokens_sent(),
        ["rt-1"],
        "the old renewal is not retried after the login"
    );
}

#[test]
fn calls_asked_again_after_a_slow_login_get_a_live_token_from_a_free_call() {
    let (c, p) = signed_in();
    // The renewal meets a 503 and waits a long Retry-After before its retry...
    let mut calls = calls_waiting_for_a_retry(&c, &p, 3, 503, 20);
    // ...while a login completes whose checks take longer than its tokens live (300 s).
    p.verify_lag.set(400);
    sign_in_again(&c, &p);
    p.verify_lag.set(0);
    let expired = p.op.borrow().live_access.clone().expect("issued");
    // The calls do not get the token that expired during the checks: one of the calls that was
    // not busy renews the new session at once, without waiting for the first call's wait to end.
    let mut token = |i: usize| {
        let r = poll_to_end(calls[i].as_mut());
        r.expect("a renewed token").secret().to_owned()
    };
    let tokens = [token(1), token(2)];
    assert!(
        tokens.iter().all(|t| *t != expired && *t == tokens[0]),
        "{tokens:?}"
    );
    assert_eq!(
        p.refresh_tokens_sent().len(),
        2,
        "the old token once, the new one once"
    );
    assert_eq!(token(0), tokens[0]);
    assert_eq!(p.refresh_tokens_sent().len(), 2, "no more sends");
}

#[test]
fn a_call_busy_in_a_long_wait_during_a_login_does_not_return_a_token_that_went_stale_meanwhile() {
    let (c, p) = signed_in();
    // The renewal meets a 429 and its call sleeps 30 s before the retry...
    let mut calls = calls_waiting_for_a_retry(&c, &p, 1, 429, 30);
    // ...while the same user signs in again in another page, with tokens of 20 s...
    p.op.borrow_mut().at_ttl = 20;
    sign_in_again(&c, &p);
    let stale = p.op.borrow().live_access.clone().expect("issued");
    // ...which are inside their renewal margin (10 s) when the sleeping call wakes up.
    p.advance(15);
    let token = poll_to_end(calls[0].as_mut()).expect("a token");
    assert_ne!(
        token.secret(),
        stale,
        "not the token that went stale during the wait"
    );
    assert!(
        c.fresh_until(&token).is_some(),
        "a token with the margin left"
    );
}

/// Native only: a panic unwinds here; the wasm builds abort on panic.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn a_panic_elsewhere_leaves_a_dropped_calls_exchange_running_and_a_panicking_one_is_not_run_again()
{
    use std::panic::{AssertUnwindSafe, catch_unwind};
    // A panic of the app while a call is mid-send drops the call during the unwinding: its
    // exchange still goes on, and the rotated token is not sent again.
    let (c, p) = signed_in();
    let mut calls: Vec<TokenCall<'_>> = vec![Box::pin(c.access_token(true))];
    poll_until_refreshes(&mut calls, &p, 1);
    let unwound = catch_unwind(AssertUnwindSafe(move || {
        let _calls = calls;
        panic!("the app's own panic");
    }));
    assert!(unwound.is_err());
    assert_eq!(spawned(), 1);
    while poll_spawned() > 0 {}
    assert_eq!(block_on(c.access_token(false)).unwrap().secret(), "at-2");
    assert_eq!(p.refresh_tokens_sent(), ["rt-1"]);

    // A listener that panics inside the exchange: the half-run exchange is not spawned (it would
    // panic again when polled); the renewal it reported stands, and nobody waits for ever.
    let (c, p) = signed_in();
    let armed = std::cell::Cell::new(true);
    c.subscribe(move |e| {
        if *e == AuthEvent::Refreshed && armed.replace(false) {
            panic!("a listener's panic");
        }
    });
    let mut call: TokenCall<'_> = Box::pin(c.access_token(true));
    let mut cx = Context::from_waker(Waker::noop());
    let mut panicked = false;
    for _ in 0..8 {
        match catch_unwind(AssertUnwindSafe(|| call.as_mut().poll(&mut cx))) {
            Err(_) => {
                panicked = true;
                break;
            }
            Ok(poll) => assert!(poll.is_pending()),
        }
    }
    assert!(panicked);
    drop(call);
    assert_eq!(spawned(), 0, "not run again");
    assert_eq!(block_on(c.access_token(false)).unwrap().secret(), "at-2");
    assert_eq!(p.refresh_tokens_sent(), ["rt-1"]);
}
