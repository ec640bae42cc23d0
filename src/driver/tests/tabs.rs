//! Tabs sharing one session (G10, G11, G12 in the driver): simulated tabs with shared locks and a
//! message channel, one provider and one clock.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use super::test_support::*;

use crate::core::{AccessToken, Error};
use crate::driver::{AuthEvent, Client, LoginOptions, SignedOutReason};

type Tab = Client<Rc<FakePlatform>>;

fn open(n: usize) -> (Vec<Tab>, Vec<Rc<FakePlatform>>, Rc<Hub>) {
    let (platforms, hub) = FakePlatform::tabs(n);
    let tabs = platforms
        .iter()
        .map(|p| Client::with_metadata(Rc::clone(p), config(), metadata()).expect("client"))
        .collect();
    (tabs, platforms, hub)
}

/// `n` tabs sharing the session that tab 0 logged in with.
fn sharing(n: usize) -> (Vec<Tab>, Vec<Rc<FakePlatform>>, Rc<Hub>) {
    let (tabs, ps, hub) = open(n);
    log_in(&tabs[0], &ps[0]);
    block_on(hub.deliver(&refs(&tabs)));
    (tabs, ps, hub)
}

fn refs(tabs: &[Tab]) -> Vec<&Tab> {
    tabs.iter().collect()
}

fn log_in(tab: &Tab, p: &FakePlatform) {
    tab.login(&LoginOptions::default()).expect("login");
    let params = callback_for(p);
    block_on(tab.handle_callback(&params, &[])).expect("callback");
}

fn token(r: &Result<AccessToken, Error>) -> String {
    match r {
        Ok(t) => t.secret().to_owned(),
        Err(e) => panic!("expected a token, got {}", e.code()),
    }
}

type Call<'a> = Pin<Box<dyn Future<Output = Result<AccessToken, Error>> + 'a>>;
type Step<'a> = Pin<Box<dyn Future<Output = Option<Result<AccessToken, Error>>> + 'a>>;

/// Runs the calls beside a message pump; returns the calls' results.
fn with_pump<'a>(
    hub: &'a Hub,
    tabs: &'a [&'a Tab],
    calls: Vec<Call<'a>>,
) -> Vec<Result<AccessToken, Error>> {
    let n = calls.len();
    let mut all: Vec<Step<'a>> = calls
        .into_iter()
        .map(|c| Box::pin(async move { Some(c.await) }) as _)
        .collect();
    all.push(Box::pin(async move {
        hub.pump(tabs, 400).await;
        None
    }));
    join_all(all)
        .into_iter()
        .take(n)
        .map(|r| r.expect("call"))
        .collect()
}

#[test]
fn g12_new_tab_takes_the_session_from_an_open_tab_without_a_request() {
    let (tabs, ps, hub) = open(2);
    log_in(&tabs[0], &ps[0]);
    // The second tab opened later: it missed the login broadcast.
    hub.inboxes_clear();
    let requests = ps[0].requests.borrow().len();
    let tab_refs = refs(&tabs);
    let joined = join_all(vec![
        Box::pin(async { Some(tabs[1].join().await) }),
        Box::pin(async {
            hub.pump(&tab_refs, 50).await;
            None
        }),
    ]);
    assert_eq!(joined[0], Some(true));
    assert_eq!(
        ps[0].requests.borrow().len(),
        requests,
        "no request to the provider"
    );
    let a = token(&block_on(tabs[0].access_token(false)));
    let b = token(&block_on(tabs[1].access_token(false)));
    assert_eq!(a, b, "both tabs hold the one session");
    assert_eq!(tabs[1].claims(), tabs[0].claims());
}

#[test]
fn g12_join_returns_at_once_when_no_tab_has_a_session() {
    let (tabs, ps, hub) = open(2);
    assert!(!block_on(tabs[1].join()));
    assert_eq!(
        ps[1].slept.get(),
        0,
        "no waiting when no tab holds a session"
    );
    assert!(hub.posted.borrow().is_empty(), "nobody to ask");
}

#[test]
fn g11_two_tabs_sharing_a_session_refresh_once_and_both_get_the_new_token() {
    let (tabs, ps, hub) = sharing(2);
    let tab_refs = refs(&tabs);
    assert!(
        tabs[1].is_authenticated(),
        "the login reached the other tab"
    );
    ps[0].advance(400);
    let results = with_pump(
        &hub,
        &tab_refs,
        vec![
            Box::pin(tabs[0].access_token(false)),
            Box::pin(tabs[1].access_token(false)),
        ],
    );
    assert_eq!(
        ps[0].grants("refresh_token"),
        1,
        "one refresh for both tabs"
    );
    assert_eq!(token(&results[0]), token(&results[1]));
    assert!(!ps[0].op.borrow().revoked, "no refresh token replay");
}

#[test]
fn g11_a_tab_that_missed_the_renewal_waits_for_it_instead_of_replaying() {
    let (tabs, ps, hub) = sharing(2);
    let tab_refs = refs(&tabs);
    ps[0].advance(400);
    // Tab 0 renews; the channel is slow, so tab 1 still holds the used refresh token.
    hub.hold_messages.set(true);
    let first = token(&block_on(tabs[0].access_token(false)));
    assert_eq!(ps[0].grants("refresh_token"), 1);
    // Tab 1 takes the refresh lock, sees a newer generation held, and waits; the channel catches up.
    let results = join_all(vec![
        Box::pin(async { Some(tabs[1].access_token(false).await) }),
        Box::pin(async {
            for _ in 0..5 {
                support_yield().await;
            }
            hub.hold_messages.set(false);
            hub.pump(&tab_refs, 100).await;
            None
        }),
    ]);
    let second = token(results[0].as_ref().expect("result"));
    assert_eq!(first, second, "tab 1 got tab 0's renewal");
    assert_eq!(
        ps[0].grants("refresh_token"),
        1,
        "the used refresh token was not sent again"
    );
    assert!(!ps[0].op.borrow().revoked);
}

#[test]
fn g11_when_the_renewed_session_never_arrives_the_tab_fails_without_replaying() {
    let (tabs, ps, hub) = sharing(2);
    ps[0].advance(400);
    hub.hold_messages.set(true);
    token(&block_on(tabs[0].access_token(false)));
    hub.inboxes_clear();
    let r = block_on(tabs[1].access_token(false));
    assert_eq!(r.err().map(|e| e.code()), Some("timeout"));
    assert_eq!(
        ps[0].grants("refresh_token"),
        1,
        "never a second use of the refresh token"
    );
    assert!(!ps[0].op.borrow().revoked);
    assert!(
        tabs[1].is_authenticated(),
        "the session is kept for a later try"
    );
}

#[test]
fn logout_in_one_tab_ends_the_session_in_all() {
    let (tabs, _ps, hub) = sharing(3);
    let tab_refs = refs(&tabs);
    let seen = events(&tabs[2]);
    // The session as another tab would have posted it before the logout.
    let late = tabs[1]
        .inner
        .session
        .borrow()
        .as_ref()
        .map(|s| crate::driver::TabMessage::Session(Box::new(s.to_shared())))
        .expect("a session");
    block_on(tabs[1].logout()).expect("logout");
    block_on(hub.deliver(&tab_refs));
    for tab in &tabs {
        assert!(!tab.is_authenticated());
    }
    assert_eq!(
        seen.borrow().as_slice(),
        &[AuthEvent::SignedOut(SignedOutReason::OtherTab)]
    );
    // A late message with the ended session is not adopted.
    block_on(tabs[2].receive(late));
    assert!(!tabs[2].is_authenticated());
}

#[test]
fn g06_a_rejected_refresh_token_ends_the_session_in_every_tab_sharing_it() {
    let (tabs, ps, hub) = sharing(2);
    let tab_refs = refs(&tabs);
    let seen = events(&tabs[1]);
    ps[0]
        .op
        .borrow_mut()
        .next
        .push(Next::Respond(400, r#"{"error":"invalid_grant"}"#.into()));
    let r = block_on(tabs[0].access_token(true));
    assert_eq!(r.err().map(|e| e.code()), Some("login_required"));
    block_on(hub.deliver(&tab_refs));
    assert!(!tabs[1].is_authenticated());
    assert_eq!(
        seen.borrow().as_slice(),
        &[AuthEvent::SignedOut(SignedOutReason::RefreshRejected)]
    );
    let r = block_on(tabs[1].access_token(false));
    assert_eq!(r.err().map(|e| e.code()), Some("login_required"));
    assert_eq!(ps[0].grants("refresh_token"), 1, "no further request");
}

#[test]
fn g10_a_later_login_in_another_tab_replaces_the_session_and_the_old_refresh_token_is_never_used() {
    let (tabs, ps, hub) = open(2);
    log_in(&tabs[0], &ps[0]);
    hub.inboxes_clear(); // tab 1 was not listening yet
    ps[0].advance(5);
    log_in(&tabs[1], &ps[1]);
    let tab_refs = refs(&tabs);
    block_on(hub.deliver(&tab_refs));
    let seen = events(&tabs[0]);
    ps[0].advance(400);
    let results = with_pump(
        &hub,
        &tab_refs,
        vec![
            Box::pin(tabs[0].access_token(false)),
            Box::pin(tabs[1].access_token(false)),
        ],
    );
    assert_eq!(token(&results[0]), token(&results[1]));
    assert_eq!(ps[0].grants("refresh_token"), 1);
    assert!(
        !ps[0].op.borrow().revoked,
        "no refresh token was used twice"
    );
    assert!(seen.borrow().contains(&AuthEvent::Refreshed));
}

#[test]
fn an_older_session_from_another_tab_is_not_adopted() {
    let (tabs, ps, hub) = open(2);
    log_in(&tabs[0], &ps[0]);
    let old = tabs[0].clone();
    hub.inboxes_clear();
    ps[0].advance(5);
    log_in(&tabs[1], &ps[1]);
    hub.inboxes_clear();
    let newer = token(&block_on(tabs[1].access_token(false)));
    // Tab 1 hears tab 0's older login: it keeps its own.
    let tab_refs = refs(&tabs);
    block_on(old.receive(crate::driver::TabMessage::Hello));
    block_on(hub.deliver(&tab_refs));
    assert_eq!(token(&block_on(tabs[1].access_token(false))), newer);
}

#[test]
fn g12_a_frozen_tab_that_holds_a_session_but_never_answers_delays_a_new_tab_by_a_second_at_most() {
    let (tabs, ps, hub) = open(2);
    log_in(&tabs[0], &ps[0]);
    hub.inboxes_clear();
    // Nobody delivers messages: tab 0 is frozen.
    assert!(!block_on(tabs[1].join()));
    assert!(
        ps[1].slept.get() <= 1_000,
        "waited {} ms",
        ps[1].slept.get()
    );
    assert!(ps[1].slept.get() > 0, "it did wait for an answer");
    assert_eq!(ps[0].grants("refresh_token"), 0);
}

#[test]
fn a_renewal_in_another_tab_keeps_this_tabs_userinfo() {
    let (tabs, ps, hub) = sharing(2);
    let userinfo_calls = || {
        ps[0]
            .requests
            .borrow()
            .iter()
            .filter(|r| r.url.ends_with("/userinfo"))
            .count()
    };
    block_on(tabs[1].user_info(false)).expect("userinfo");
    assert_eq!(userinfo_calls(), 1);
    let before = tabs[1].current_token().map(|t| t.secret().to_owned()).ok();
    block_on(tabs[0].access_token(true)).expect("renewed in tab 0");
    block_on(hub.deliver(&refs(&tabs)));
    assert_ne!(
        tabs[1].current_token().map(|t| t.secret().to_owned()).ok(),
        before,
        "tab 1 took the renewal"
    );
    block_on(tabs[1].user_info(false)).expect("userinfo");
    assert_eq!(userinfo_calls(), 1, "answered from the kept userinfo");
}
