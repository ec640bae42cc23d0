//! The session machine on its own, in virtual time, with no driver, platform or provider: its
//! answers, jobs and events for calls, results, waits and dropped calls, then property tests with
//! random event orders, clock jumps, and lost, duplicated and late results.

use proptest::prelude::*;

use super::*;
use crate::core::{OAuthError, RefreshToken, TokenResponse, Transport};

const MARGIN: u64 = 30;
/// The issuer of the test sessions.
const ISS: &str = "https://op.example";

fn session(name: &str, now: u64, ttl: u64, refresh: bool) -> Session {
    session_of("alice", name, now, ttl, refresh)
}

/// A session of user `sub`, whose tokens are named after `name`.
fn session_of(sub: &str, name: &str, now: u64, ttl: u64, refresh: bool) -> Session {
    let claims = crate::core::IdTokenClaims {
        iss: ISS.into(),
        sub: sub.into(),
        aud: vec!["client".into()],
        azp: None,
        exp: now + ttl,
        iat: now,
        nbf: None,
        auth_time: None,
        nonce_present: false,
        at_hash: None,
        payload: crate::core::Json::Object(Vec::new()),
    };
    Session::new(
        TokenResponse {
            access_token: AccessToken::new(format!("at-{name}")),
            token_type: "Bearer".into(),
            expires_in: Some(ttl),
            refresh_token: refresh.then(|| RefreshToken::new(format!("rt-{name}"))),
            scope: None,
            id_token: Some(IdToken::new(format!("id-{name}"))),
        },
        Some(claims),
        now,
    )
}

fn signed_in(now: u64) -> Machine {
    let mut m = Machine::new(MARGIN);
    m.replace(session("a", now, 300, true), now);
    m
}

fn answer(m: &mut Machine, caller: Caller) -> Result<String, String> {
    match m.take(caller) {
        Some(Step::Answer(r)) => r
            .map(|t| t.secret().to_owned())
            .map_err(|e| e.code().into()),
        other => panic!("caller {caller}: expected an answer, got {other:?}"),
    }
}

fn exchange(m: &mut Machine, caller: Caller) -> u64 {
    match m.take(caller) {
        Some(Step::Job(Job::Exchange { flight, .. })) => flight,
        other => panic!("caller {caller}: expected an exchange, got {other:?}"),
    }
}

fn wait(m: &mut Machine, caller: Caller) -> (u64, u64) {
    match m.take(caller) {
        Some(Step::Job(Job::Wait { flight, ms })) => (flight, ms),
        other => panic!("caller {caller}: expected a wait, got {other:?}"),
    }
}

fn oauth(error: &str) -> Error {
    Error::Server(OAuthError {
        error: error.into(),
        error_description: None,
        error_uri: None,
        status: Some(400),
        origin: crate::core::ErrorOrigin::TokenEndpoint,
    })
}

fn invalid_grant() -> Error {
    oauth("invalid_grant")
}

#[test]
fn j01_a_logout_clears_the_tokens_and_hands_over_the_hint_and_the_token_to_revoke_once() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    exchange(&mut m, 1);
    let (hint, refresh) = m.logout();
    assert!(
        m.session().is_none(),
        "the tokens are gone from memory first"
    );
    assert_eq!(answer(&mut m, 1), Err("login_required".into()));
    assert_eq!(hint.as_ref().map(|t| t.secret()), Some("id-a"));
    assert_eq!(refresh.as_ref().map(|t| t.secret()), Some("rt-a"));
    assert_eq!(
        m.take_events(),
        vec![AuthEvent::SignedOut(SignedOutReason::LoggedOut)]
    );
    let (hint, refresh) = m.logout();
    assert!(
        hint.is_none() && refresh.is_none(),
        "a second logout gets neither"
    );
    assert!(m.take_events().is_empty());
}

#[test]
fn a_token_of_a_second_or_less_is_never_handed_out_at_its_expiry() {
    // `expires_in: 1`, asked at its expiry: renewed, not handed out.
    let mut m = Machine::new(MARGIN);
    m.replace(session("a", 1000, 1, true), 1000);
    m.ask(1, false, 1000);
    assert_eq!(answer(&mut m, 1), Ok("at-a".into()), "a second left");
    m.ask(2, false, 1001);
    exchange(&mut m, 2);
    // `expires_in: 0` (which the core refuses) and nothing to renew it with: the session ends.
    let mut m = Machine::new(MARGIN);
    m.replace(session("z", 1000, 0, false), 1000);
    m.ask(1, false, 1000);
    assert_eq!(answer(&mut m, 1), Err("login_required".into()));
    assert!(m.session().is_none());
}

#[test]
fn a_fresh_token_is_answered_at_once_and_a_forced_call_renews() {
    let mut m = signed_in(1000);
    m.ask(1, false, 1000);
    assert_eq!(answer(&mut m, 1), Ok("at-a".into()));
    m.ask(2, true, 1000);
    let flight = exchange(&mut m, 2);
    m.sent(flight, Ok(session("b", 1001, 300, true)), Sent::Answered);
    assert_eq!(answer(&mut m, 2), Ok("at-b".into()));
    assert_eq!(m.take_events(), vec![AuthEvent::Refreshed]);
}

#[test]
fn g01_calls_during_a_renewal_share_its_one_send_and_its_outcome() {
    let mut m = signed_in(1000);
    for caller in 1..=50 {
        m.ask(caller, false, 1290);
    }
    let flight = exchange(&mut m, 1);
    for caller in 2..=50 {
        assert!(
            m.take(caller).is_none(),
            "caller {caller} waits, no second send"
        );
    }
    m.sent(flight, Ok(session("b", 1291, 300, true)), Sent::Answered);
    for caller in 1..=50 {
        assert_eq!(answer(&mut m, caller), Ok("at-b".into()));
    }
}

#[test]
fn h01_an_unused_token_is_retried_after_the_backoff_at_most_twice() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    let mut flight = exchange(&mut m, 1);
    let busy = || Err(Error::Transport(Transport::Offline));
    for expected_ms in [1000, 2000] {
        m.sent(flight, busy(), Sent::Unused { retry_after: None });
        let (f, ms) = wait(&mut m, 1);
        assert_eq!(ms, expected_ms);
        m.waited(f);
        flight = exchange(&mut m, 1);
    }
    m.sent(flight, busy(), Sent::Unused { retry_after: None });
    assert_eq!(answer(&mut m, 1), Err("offline".into()));
    assert_eq!(m.take_events(), vec![AuthEvent::Error("offline")]);
    assert!(m.session().is_some(), "an unused token keeps the session");
}

#[test]
fn h02_an_unknown_outcome_is_resent_once_and_a_second_is_held_back() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    let flight = exchange(&mut m, 1);
    let lost = || Err(Error::Transport(Transport::Timeout));
    m.sent(flight, lost(), Sent::Unknown);
    let (f, _) = wait(&mut m, 1);
    m.waited(f);
    let flight = exchange(&mut m, 1);
    m.sent(flight, lost(), Sent::Unknown);
    assert_eq!(answer(&mut m, 1), Err("timeout".into()));
    assert!(
        m.held_back(),
        "two unknown outcomes: background renewals leave it alone"
    );
}

#[test]
fn h02_a_rejected_resend_ends_the_session_fail_closed() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    let flight = exchange(&mut m, 1);
    m.sent(flight, Err(invalid_grant()), Sent::Answered);
    assert_eq!(answer(&mut m, 1), Err("login_required".into()));
    assert!(m.session().is_none());
    assert_eq!(
        m.take_events(),
        vec![AuthEvent::SignedOut(SignedOutReason::RefreshRejected)]
    );
    // The ended session's ID token stays only as a later logout's hint.
    let (hint, refresh) = m.logout();
    assert_eq!(hint.as_ref().map(|t| t.secret()), Some("id-a"));
    assert!(refresh.is_none(), "nothing to revoke");
    m.ask(2, true, 1000);
    assert_eq!(answer(&mut m, 2), Err("login_required".into()));
}

#[test]
fn d_tokens_that_fail_their_checks_end_the_session() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    let flight = exchange(&mut m, 1);
    let bad = crate::core::InvalidResponse::TokenTypeDowngrade.into();
    m.sent(flight, Err(bad), Sent::Answered);
    assert_eq!(answer(&mut m, 1), Err("token_type_downgrade".into()));
    assert!(m.session().is_none());
}

#[test]
fn k04_a_lost_dpop_key_ends_the_session() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    let flight = exchange(&mut m, 1);
    let lost = Error::login_required(LoginRequiredReason::RefreshRejected);
    m.sent(flight, Err(lost), Sent::Answered);
    assert_eq!(answer(&mut m, 1), Err("login_required".into()));
    assert!(m.session().is_none());
}

#[test]
fn a_result_after_a_logout_is_dropped_and_a_late_or_repeated_one_is_ignored() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    m.ask(2, false, 1000);
    assert_eq!(answer(&mut m, 2), Ok("at-a".into()), "fresh: not held up");
    m.ask(3, true, 1000);
    let flight = exchange(&mut m, 1);
    m.end(SignedOutReason::LoggedOut);
    m.sent(flight, Ok(session("b", 1001, 300, true)), Sent::Answered);
    assert!(
        m.session().is_none(),
        "a late renewal does not bring the session back"
    );
    assert_eq!(answer(&mut m, 1), Err("login_required".into()));
    assert_eq!(answer(&mut m, 3), Err("login_required".into()));
    let before = format!("{m:?}");
    m.sent(flight, Ok(session("c", 1002, 300, true)), Sent::Answered);
    m.waited(flight);
    assert_eq!(
        format!("{m:?}"),
        before,
        "a repeated result changes nothing"
    );
}

#[test]
fn a_login_during_a_renewal_ends_it_and_its_calls_get_the_new_sessions_token() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    let old = exchange(&mut m, 1);
    m.ask(2, true, 1000);
    // A new login completes (another tab) while the old session's refresh request is out: the
    // calls of the old renewal are asked again of the new session, whose token is fresh.
    m.replace(session("n", 1001, 300, true), 1001);
    assert_eq!(answer(&mut m, 2), Ok("at-n".into()), "told at once");
    assert_eq!(answer(&mut m, 1), Ok("at-n".into()), "the runner too");
    // The old renewal's answer comes and is dropped.
    m.sent(old, Ok(session("stale", 1002, 300, true)), Sent::Answered);
    assert_eq!(
        m.session().as_ref().map(|s| s.access_token.secret()),
        Some("at-n")
    );
    assert!(m.take(1).is_none(), "nothing more for the runner");
    // A renewal of the new session sends the new session's refresh token, never the old one.
    m.ask(3, true, 1001);
    let new = match m.take(3) {
        Some(Step::Job(Job::Exchange { flight, original })) => {
            let rt = original
                .refresh_token
                .as_ref()
                .map(|t| t.secret().to_owned());
            assert_eq!(
                rt.as_deref(),
                Some("rt-n"),
                "the new session's refresh token"
            );
            flight
        }
        other => panic!("expected an exchange, got {other:?}"),
    };
    assert_ne!(old, new);
    m.sent(new, Ok(session("n2", 1002, 300, true)), Sent::Answered);
    assert_eq!(answer(&mut m, 3), Ok("at-n2".into()));
}

#[test]
fn calls_of_a_renewal_cut_short_by_a_login_join_the_new_sessions_renewal_when_it_needs_one() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    let old = exchange(&mut m, 1);
    m.ask(2, true, 1000);
    // The new session's token is already inside the renewal margin when it is put in place.
    m.replace(session("n", 1001, 300, true), 1300);
    // Call 1 is still busy with the old renewal's send: the new one goes to call 2.
    let new = match m.take(2) {
        Some(Step::Job(Job::Exchange { flight, original })) => {
            assert_eq!(
                original.refresh_token.as_ref().map(|t| t.secret()),
                Some("rt-n")
            );
            flight
        }
        other => panic!("expected an exchange for the new session, got {other:?}"),
    };
    assert_ne!(old, new);
    assert!(m.take(1).is_none(), "call 1 joined the new renewal");
    m.sent(new, Ok(session("n2", 1302, 300, true)), Sent::Answered);
    assert_eq!(answer(&mut m, 1), Ok("at-n2".into()));
    assert_eq!(answer(&mut m, 2), Ok("at-n2".into()));
}

#[test]
fn a_new_renewal_goes_to_a_call_free_to_run_it_after_a_login_and_after_a_drop() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    exchange(&mut m, 1); // call 1 is busy with the old renewal's send
    m.ask(3, true, 1000);
    // A login whose token needs renewing at once: call 3, which is free, runs its renewal.
    m.replace(session("n", 1000, 300, true), 1300);
    exchange(&mut m, 3);
    assert!(m.take(1).is_none(), "call 1 joined it");
    m.ask(4, false, 1300);
    // Call 3 is dropped during its send: the renewal goes on with call 4, not the busy call 1.
    m.gone(3);
    assert!(
        matches!(m.take(4), Some(Step::Job(Job::Wait { .. }))),
        "call 4 waits, then resends"
    );
    assert!(m.take(1).is_none());
}

#[test]
fn a_login_of_another_user_during_a_renewal_ends_its_calls_with_login_required() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    let old = exchange(&mut m, 1);
    m.ask(2, true, 1000);
    m.replace(session_of("bob", "b", 1001, 300, true), 1001);
    assert_eq!(answer(&mut m, 1), Err("login_required".into()));
    assert_eq!(answer(&mut m, 2), Err("login_required".into()));
    m.sent(old, Ok(session("stale", 1002, 300, true)), Sent::Answered);
    assert_eq!(
        m.session().as_ref().map(|s| s.access_token.secret()),
        Some("at-b"),
        "the late result is dropped"
    );
}

#[test]
fn a_token_not_yet_taken_at_a_login_is_the_new_sessions_for_the_same_user_only() {
    // The same user: the call gets the new session's token.
    let mut m = signed_in(1000);
    m.ask(1, false, 1000);
    m.replace(session("n", 1001, 300, true), 1001);
    assert_eq!(answer(&mut m, 1), Ok("at-n".into()));
    // Another user: no token of either user.
    let mut m = signed_in(1000);
    m.ask(1, false, 1000);
    m.replace(session_of("bob", "b", 1001, 300, true), 1001);
    assert_eq!(answer(&mut m, 1), Err("login_required".into()));
    // The same `sub` at another issuer (another tenant) is another user.
    let mut m = signed_in(1000);
    m.ask(1, false, 1000);
    let mut elsewhere = session("e", 1001, 300, true);
    if let Some(c) = elsewhere.claims.as_mut() {
        c.iss = "https://other.example".into();
    }
    m.replace(elsewhere, 1001);
    assert_eq!(answer(&mut m, 1), Err("login_required".into()));
    // A session with no ID token cannot tell whose it is: no token either.
    let mut m = signed_in(1000);
    m.ask(1, false, 1000);
    let mut anonymous = session("n", 1001, 300, true);
    anonymous.claims = None;
    m.replace(anonymous, 1001);
    assert_eq!(answer(&mut m, 1), Err("login_required".into()));
}

#[test]
fn a_call_dropped_before_it_took_its_job_hands_it_over_and_counts_no_send() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    m.ask(2, true, 1000);
    // Call 1 is dropped before it took the job the machine handed it: nothing was sent.
    m.gone(1);
    let flight = exchange(&mut m, 2);
    assert_eq!(
        m.session().as_ref().map(|s| s.unknown_outcomes),
        Some(0),
        "no unknown outcome counted"
    );
    m.sent(flight, Ok(session("b", 1001, 300, true)), Sent::Answered);
    assert_eq!(answer(&mut m, 2), Ok("at-b".into()));
    // Alone, its renewal ends without a send and the next call starts one afresh.
    m.ask(3, true, 1001);
    m.gone(3);
    assert!(m.flight.is_none(), "no renewal left without a call");
    assert_eq!(m.session().as_ref().map(|s| s.unknown_outcomes), Some(0));
    m.ask(4, true, 1001);
    exchange(&mut m, 4);
}

#[test]
fn a_dropped_runner_after_a_2xx_answer_ends_the_session_and_sends_nothing_again() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    m.ask(2, true, 1000);
    let flight = exchange(&mut m, 1);
    // The provider answered 200 (and rotated the token); the call checking it is dropped.
    m.answered(flight);
    m.gone(1);
    assert!(
        m.session().is_none(),
        "fail closed: the new tokens are gone"
    );
    assert_eq!(answer(&mut m, 2), Err("login_required".into()));
    assert!(m.take(2).is_none(), "no resend of the rotated token");
    assert_eq!(
        m.take_events(),
        vec![AuthEvent::SignedOut(SignedOutReason::RefreshRejected)]
    );
}

#[test]
fn d_a_2xx_answer_that_cannot_be_checked_ends_the_session() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    let flight = exchange(&mut m, 1);
    let unchecked = Error::Platform(crate::core::Platform::CryptoUnavailable);
    m.sent(flight, Err(unchecked), Sent::Accepted);
    assert_eq!(answer(&mut m, 1), Err("crypto_unavailable".into()));
    assert!(m.session().is_none());
}

#[test]
fn a_call_that_joins_a_renewal_wakes_nobody() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    assert!(m.take_given(), "the runner gets its job");
    m.ask(2, true, 1000);
    assert!(!m.take_given(), "a call that joins gives nobody anything");
    let flight = exchange(&mut m, 1);
    m.sent(flight, Ok(session("b", 1001, 300, true)), Sent::Answered);
    assert!(m.take_given());
}

#[test]
fn a_logout_turns_tokens_not_yet_taken_into_login_required() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    m.ask(2, true, 1000);
    let flight = exchange(&mut m, 1);
    m.sent(flight, Ok(session("b", 1001, 300, true)), Sent::Answered);
    assert_eq!(answer(&mut m, 1), Ok("at-b".into()));
    // Another tab logs out before call 2 takes its answer.
    m.end(SignedOutReason::LoggedOut);
    assert_eq!(answer(&mut m, 2), Err("login_required".into()));
}

#[test]
fn a_wait_handed_over_is_dropped_when_its_renewal_ends() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    m.ask(2, true, 1000);
    let flight = exchange(&mut m, 1);
    m.sent(
        flight,
        Err(Error::Transport(Transport::Offline)),
        Sent::Unused {
            retry_after: Some(30),
        },
    );
    let _ = wait(&mut m, 1);
    m.gone(1);
    // Call 2 has the wait now; a logout comes first.
    m.end(SignedOutReason::LoggedOut);
    assert_eq!(
        answer(&mut m, 2),
        Err("login_required".into()),
        "no 30 s wait first"
    );
    assert!(m.take(2).is_none());
}

#[test]
fn d_a_refresh_answer_too_large_to_read_ends_the_session() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    let flight = exchange(&mut m, 1);
    let big = crate::core::InvalidResponse::BodyTooLarge.into();
    m.sent(flight, Err(big), Sent::Answered);
    assert_eq!(answer(&mut m, 1), Err("body_too_large".into()));
    assert!(m.session().is_none());
}

#[test]
fn a_dropped_runner_counts_as_an_unknown_outcome_and_a_waiting_call_takes_over() {
    let mut m = signed_in(1000);
    m.ask(1, true, 1000);
    m.ask(2, true, 1000);
    let flight = exchange(&mut m, 1);
    m.gone(1);
    let (f, ms) = wait(&mut m, 2);
    assert_eq!((f, ms), (flight, 1000));
    assert_eq!(m.session().as_ref().map(|s| s.unknown_outcomes), Some(1));
    m.waited(f);
    let flight = exchange(&mut m, 2);
    m.sent(flight, Ok(session("b", 1001, 300, true)), Sent::Answered);
    assert_eq!(answer(&mut m, 2), Ok("at-b".into()));
    assert!(m.take(1).is_none(), "nothing for a call that went");
}

#[test]
fn an_expired_token_without_refresh_token_ends_the_session() {
    let mut m = Machine::new(MARGIN);
    m.replace(session("a", 1000, 300, false), 1000);
    m.ask(1, false, 1290);
    assert_eq!(
        answer(&mut m, 1),
        Ok("at-a".into()),
        "inside the margin, still valid"
    );
    m.ask(2, false, 1300);
    assert_eq!(answer(&mut m, 2), Err("login_required".into()));
    assert_eq!(
        m.take_events(),
        vec![AuthEvent::SignedOut(SignedOutReason::Expired)]
    );
}

#[test]
fn background_renewals_wait_longer_after_failures_in_a_row() {
    let mut m = signed_in(1000);
    // Renew at expiry (1300) minus the margin (30), one second past it.
    assert_eq!(m.renew_in_secs(1000), Some(271));
    let floors = [30, 60, 120, 240, 480, 900, 900];
    for floor in floors {
        m.note_event(&AuthEvent::Error("network"));
        assert_eq!(m.renew_in_secs(1271), Some(floor));
    }
    m.note_event(&AuthEvent::Refreshed);
    assert_eq!(m.renew_in_secs(1271), Some(0));
    m.end(SignedOutReason::LoggedOut);
    assert_eq!(m.renew_in_secs(1271), None);
}

/// What the provider's answer to one send comes to, in the property tests.
#[derive(Clone, Debug)]
enum Outcome {
    Renewed {
        ttl: u64,
        rotate: bool,
    },
    Busy(Option<u64>),
    Offline,
    Lost,
    Rejected,
    Invalid,
    ServerError,
    KeyLost,
    /// A 2xx answer whose checks could not run.
    Unchecked,
}

#[derive(Clone, Debug)]
enum Op {
    Ask {
        force: bool,
    },
    Advance(u64),
    /// Runs one of the jobs out (if any) with this outcome.
    Resolve(usize, Outcome),
    /// A result that was already reported comes again.
    Repeat(usize),
    /// The send of one of the jobs out gets a 2xx answer, still to be checked.
    Answered(usize),
    /// A call stops waiting.
    Drop(usize),
    Logout,
    /// A login completes, `lag` seconds after its tokens were issued (slow checks), with tokens of
    /// `ttl` seconds, with or without a refresh token.
    Login {
        who: Who,
        ttl: u64,
        refresh: bool,
        lag: u64,
    },
    /// One of the waiting calls takes nothing from the machine for this many steps, so that its
    /// step is still queued when the next ones come (a login, a logout, its drop).
    Hold(usize, u8),
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        // `expires_in: 0` never gets here: the core refuses it.
        4 => (prop_oneof![1 => 1u64..3, 4 => 1u64..600], any::<bool>())
            .prop_map(|(ttl, rotate)| Outcome::Renewed { ttl, rotate }),
        1 => prop::option::of(0u64..60).prop_map(Outcome::Busy),
        1 => Just(Outcome::Offline),
        2 => Just(Outcome::Lost),
        1 => Just(Outcome::Rejected),
        1 => Just(Outcome::Invalid),
        1 => Just(Outcome::ServerError),
        1 => Just(Outcome::KeyLost),
        1 => Just(Outcome::Unchecked),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => any::<bool>().prop_map(|force| Op::Ask { force }),
        2 => prop_oneof![0u64..60, 200u64..400, 1000u64..100_000].prop_map(Op::Advance),
        5 => (0usize..4, outcome()).prop_map(|(i, o)| Op::Resolve(i, o)),
        1 => (0usize..8).prop_map(Op::Repeat),
        1 => (0usize..4).prop_map(Op::Answered),
        1 => (0usize..8).prop_map(Op::Drop),
        1 => Just(Op::Logout),
        1 => (
            prop_oneof![
                2 => Just(Who::SameUser),
                1 => Just(Who::OtherUser),
                1 => Just(Who::OtherIssuer)
            ],
            prop_oneof![3 => Just(300u64), 1 => 1u64..40],
            prop_oneof![3 => Just(true), 1 => Just(false)],
            prop_oneof![3 => Just(0u64), 1 => 0u64..400],
        )
            .prop_map(|(who, ttl, refresh, lag)| Op::Login {
                who,
                ttl,
                refresh,
                lag
            }),
        2 => (0usize..8, 2u8..8).prop_map(|(i, n)| Op::Hold(i, n)),
    ]
}

/// A reported result, kept to be sent again.
#[derive(Clone, Debug)]
enum Report {
    /// A send's outcome, and the user (`iss sub`) of the session it renewed.
    Sent(u64, Outcome, String),
    Waited(u64),
}

/// Who a login signs in.
#[derive(Clone, Debug)]
enum Who {
    SameUser,
    /// Another `sub`.
    OtherUser,
    /// The same `sub` at another issuer (another tenant).
    OtherIssuer,
}

/// `iss sub` of a session, as the harness names users.
fn user_of(s: &Session) -> String {
    s.claims
        .as_ref()
        .map_or_else(String::new, |c| format!("{} {}", c.iss, c.sub))
}

struct Harness {
    m: Machine,
    now: u64,
    next_caller: Caller,
    /// Calls that wait for an answer.
    waiting: Vec<Caller>,
    /// The job out, and whom it was handed to.
    /// The jobs out, oldest first, and whom each was handed to. A renewal of a session that was
    /// replaced may still have its job out while the new session's renewal has one.
    jobs: Vec<(Caller, Job)>,
    reports: Vec<Report>,
    /// Flights whose send got a 2xx answer (reported with `answered`).
    answered: Vec<u64>,
    /// Expiry of every access token issued, by token.
    /// Expiry and user of every access token issued, by token.
    expiry: Vec<(String, u64, String)>,
    /// The user signed in (or last signed in), and the user each call asked as.
    user: String,
    asked_as: Vec<(Caller, String)>,
    /// Calls that take nothing from the machine for this many more steps.
    held: Vec<(Caller, u8)>,
    issued: u64,
    /// Sends per flight.
    sends: Vec<(u64, u32)>,
    /// The flight each waiting call joined, and the outcome of each flight's calls.
    joined: Vec<(Caller, Option<u64>)>,
    outcomes: Vec<(u64, Result<String, String>)>,
    /// The answers collected after the last step.
    answers: Vec<(Caller, Result<String, String>)>,
}

impl Harness {
    fn new() -> Self {
        let mut h = Harness {
            m: Machine::new(MARGIN),
            now: 1000,
            next_caller: 0,
            waiting: Vec::new(),
            jobs: Vec::new(),
            reports: Vec::new(),
            answered: Vec::new(),
            expiry: Vec::new(),
            user: format!("{ISS} alice"),
            asked_as: Vec::new(),
            held: Vec::new(),
            issued: 0,
            sends: Vec::new(),
            joined: Vec::new(),
            outcomes: Vec::new(),
            answers: Vec::new(),
        };
        let user = h.user.clone();
        let s = h.issue(&user, 300, true);
        h.m.replace(s, 1000);
        h
    }

    /// Tokens for `user` (`iss sub`).
    fn issue(&mut self, user: &str, ttl: u64, refresh: bool) -> Session {
        self.issued += 1;
        let name = self.issued.to_string();
        self.expiry
            .push((format!("at-{name}"), self.now + ttl, user.to_owned()));
        let (iss, sub) = user.split_once(' ').unwrap_or_default();
        let mut s = session_of(sub, &name, self.now, ttl, refresh);
        if let Some(c) = s.claims.as_mut() {
            c.iss = iss.into();
        }
        s
    }

    fn result_of(&mut self, o: &Outcome, user: &str) -> (Result<Session, Error>, Sent) {
        match o {
            Outcome::Renewed { ttl, rotate } => {
                (Ok(self.issue(user, *ttl, *rotate)), Sent::Answered)
            }
            Outcome::Busy(retry_after) => (
                Err(Error::Transport(Transport::Offline)),
                Sent::Unused {
                    retry_after: *retry_after,
                },
            ),
            Outcome::Offline => (
                Err(Error::Transport(Transport::Offline)),
                Sent::Unused { retry_after: None },
            ),
            Outcome::Lost => (Err(Error::Transport(Transport::Timeout)), Sent::Unknown),
            Outcome::Rejected => (Err(invalid_grant()), Sent::Answered),
            Outcome::Invalid => (
                Err(crate::core::InvalidResponse::UnsupportedTokenType.into()),
                Sent::Answered,
            ),
            Outcome::ServerError => (Err(oauth("temporarily_unavailable")), Sent::Answered),
            Outcome::Unchecked => (
                Err(Error::Platform(crate::core::Platform::CryptoUnavailable)),
                Sent::Accepted,
            ),
            Outcome::KeyLost => (
                Err(Error::login_required(LoginRequiredReason::RefreshRejected)),
                Sent::Answered,
            ),
        }
    }

    /// Collects what the machine has for every waiting call, checking it.
    fn collect(&mut self) -> Result<(), TestCaseError> {
        for (caller, _) in &self.m.outbox {
            let queued = self.m.outbox.iter().filter(|(c, _)| c == caller).count();
            prop_assert!(
                queued == 1,
                "one step queued per call at most (`gone` relies on it)"
            );
        }
        for caller in self.waiting.clone() {
            if self.held.iter().any(|(c, _)| *c == caller) {
                continue;
            }
            let Some(step) = self.m.take(caller) else {
                continue;
            };
            match step {
                Step::Answer(r) => {
                    if let Ok(token) = &r {
                        let exp = self.expiry.iter().find(|(t, ..)| t == token.secret());
                        prop_assert!(exp.is_some(), "a token that was issued");
                        prop_assert!(
                            self.now < exp.map_or(0, |e| e.1),
                            "an expired token was handed out"
                        );
                        let asked_as = self.asked_as.iter().find(|(c, _)| *c == caller);
                        prop_assert_eq!(
                            exp.map(|e| &e.2),
                            asked_as.map(|a| &a.1),
                            "a call got another user's token"
                        );
                    }
                    let r = r
                        .map(|t| t.secret().to_owned())
                        .map_err(|e| e.code().to_owned());
                    self.waiting.retain(|c| *c != caller);
                    self.answers.push((caller, r.clone()));
                    if let Some((_, Some(flight))) = self.joined.iter().find(|(c, _)| *c == caller)
                    {
                        match self.outcomes.iter().find(|(f, _)| f == flight) {
                            Some((_, first)) => {
                                prop_assert_eq!(first, &r, "one outcome per flight")
                            }
                            None => self.outcomes.push((*flight, r)),
                        }
                    }
                }
                Step::Job(job) => {
                    let flight_of = |j: &Job| match j {
                        Job::Exchange { flight, .. } | Job::Wait { flight, .. } => *flight,
                    };
                    let id = flight_of(&job);
                    prop_assert!(
                        !self.jobs.iter().any(|(_, j)| flight_of(j) == id),
                        "one job out per renewal: single flight"
                    );
                    let token = |j: &Job| match j {
                        Job::Exchange { original, .. } => original
                            .refresh_token
                            .as_ref()
                            .map(|t| t.secret().to_owned()),
                        Job::Wait { .. } => None,
                    };
                    if let Some(rt) = token(&job) {
                        prop_assert!(
                            !self
                                .jobs
                                .iter()
                                .any(|(_, j)| token(j).as_ref() == Some(&rt)),
                            "a refresh token out in two sends at once"
                        );
                    }
                    if let Job::Exchange { flight, .. } = &job {
                        match self.sends.iter_mut().find(|(f, _)| f == flight) {
                            Some((_, n)) => *n += 1,
                            None => self.sends.push((*flight, 1)),
                        }
                        let n = self.sends.iter().find(|(f, _)| f == flight).map(|s| s.1);
                        prop_assert!(n <= Some(3), "at most two retries per renewal");
                        prop_assert!(self.m.session().is_some(), "nothing sent without a session");
                    }
                    self.jobs.push((caller, job));
                }
            }
        }
        Ok(())
    }

    /// Held calls take what they have before the clock moves, as woken calls run before a
    /// timer's: an answer is checked at the time it was given.
    fn release(&mut self) -> Result<(), TestCaseError> {
        self.held.clear();
        self.collect()
    }

    fn report(&mut self, report: &Report) {
        match report {
            Report::Sent(flight, o, user) => {
                let (result, sent) = self.result_of(o, user);
                self.m.sent(*flight, result, sent);
            }
            Report::Waited(flight) => self.m.waited(*flight),
        }
    }

    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        let before = self.m.session().is_some();
        let mut login = None;
        // Tokens given but not taken yet: when the session ends or is replaced before they are,
        // they become `login_required` (or the new session's), no longer their renewal's outcome.
        let untaken: Vec<Caller> = self
            .m
            .outbox
            .iter()
            .filter(|(_, step)| matches!(step, Step::Answer(Ok(_))))
            .map(|(c, _)| *c)
            .collect();
        let token_before = self.m.session().as_ref().map(|s| s.access_token.clone());
        match op {
            Op::Ask { force } => {
                let caller = self.next_caller;
                self.next_caller += 1;
                self.waiting.push(caller);
                self.asked_as.push((caller, self.user.clone()));
                self.m.ask(caller, *force, self.now);
                let flight = self.m.flight.as_ref().map(|f| f.id);
                let joined = self
                    .m
                    .flight
                    .as_ref()
                    .is_some_and(|f| f.callers.contains(&caller));
                self.joined
                    .push((caller, joined.then_some(flight).flatten()));
                if !before {
                    let r = self.m.take(caller);
                    prop_assert!(
                        matches!(&r, Some(Step::Answer(Err(e))) if e.code() == "login_required"),
                        "no session: login_required at once"
                    );
                    self.waiting.retain(|c| *c != caller);
                }
            }
            Op::Advance(secs) => {
                self.release()?;
                self.now += secs;
            }
            Op::Resolve(i, o) => {
                if !self.jobs.is_empty() {
                    let (_, job) = self.jobs.remove(i % self.jobs.len());
                    // The renewal is for the session in place (no logout or new login since).
                    let current = self.m.flight.as_ref().is_some_and(
                        |f| matches!(&job, Job::Exchange { flight, .. } if *flight == f.id),
                    );
                    let report = match job {
                        Job::Exchange { flight, original } => {
                            // That send is over: a later send of the flight starts unanswered.
                            self.answered.retain(|f| *f != flight);
                            // The provider renews the session it was sent, whoever is signed in.
                            Report::Sent(flight, o.clone(), user_of(&original))
                        }
                        Job::Wait { flight, ms } => {
                            self.release()?;
                            self.now += ms / 1000;
                            Report::Waited(flight)
                        }
                    };
                    self.report(&report);
                    if let Report::Sent(
                        _,
                        Outcome::Rejected
                        | Outcome::Invalid
                        | Outcome::KeyLost
                        | Outcome::Unchecked,
                        _,
                    ) = &report
                    {
                        if current && self.m.flight.is_none() {
                            prop_assert!(self.m.session().is_none(), "fail closed");
                        }
                    }
                    self.reports.push(report);
                }
            }
            Op::Repeat(i) => {
                if let Some(report) = self.reports.get(*i % self.reports.len().max(1)).cloned() {
                    // Results whose flight is over, or that do not fit its stage (a send's result
                    // while it waits, a wait's end while a send is out): they must change nothing.
                    let flight = self.m.flight.as_ref();
                    let stale = match &report {
                        Report::Sent(f, ..) => {
                            flight.is_none_or(|cur| cur.id != *f || cur.waiting.is_some())
                        }
                        Report::Waited(f) => {
                            flight.is_none_or(|cur| cur.id != *f || cur.waiting.is_none())
                        }
                    };
                    if stale {
                        let before = format!("{:?}", self.m);
                        let token = self.m.session().as_ref().map(|s| s.access_token.clone());
                        self.report(&report);
                        prop_assert_eq!(format!("{:?}", self.m), before, "a repeated result");
                        prop_assert_eq!(
                            self.m.session().as_ref().map(|s| s.access_token.clone()),
                            token
                        );
                    }
                }
            }
            Op::Answered(i) => {
                if let Some((_, Job::Exchange { flight, .. })) =
                    self.jobs.get(i % self.jobs.len().max(1))
                {
                    self.m.answered(*flight);
                    self.answered.push(*flight);
                }
            }
            Op::Drop(i) => {
                if !self.waiting.is_empty() {
                    let caller = self.waiting[*i % self.waiting.len()];
                    // Dropping the call that checks a 2xx answer of the current renewal.
                    let checking = self.jobs.iter().any(|(c, j)| {
                        *c == caller
                            && matches!(j, Job::Exchange { flight, .. }
                            if self.answered.contains(flight)
                                && self.m.flight.as_ref().is_some_and(|f| {
                                    f.id == *flight
                                }))
                    });
                    self.waiting.retain(|c| *c != caller);
                    self.jobs.retain(|(c, _)| *c != caller);
                    self.m.gone(caller);
                    if checking {
                        prop_assert!(
                            self.m.session().is_none(),
                            "tokens lost after a 2xx: the session ends"
                        );
                    }
                }
            }
            Op::Logout => {
                let _ = self.m.logout();
            }
            Op::Login {
                who,
                ttl,
                refresh,
                lag,
            } => {
                let (iss, sub) = self.user.split_once(' ').unwrap_or_default();
                let user = match who {
                    Who::SameUser => self.user.clone(),
                    Who::OtherUser => format!("{iss} user-{}", self.issued),
                    Who::OtherIssuer if iss == ISS => format!("{ISS}/tenant {sub}"),
                    Who::OtherIssuer => format!("{ISS} {sub}"),
                };
                let same_user = user == self.user;
                self.user = user;
                // The calls the login cuts short: those of the renewal, and those whose token is
                // not taken yet.
                let mut cut: Vec<Caller> = self
                    .m
                    .flight
                    .as_ref()
                    .map_or_else(Vec::new, |f| f.callers.clone());
                cut.extend(
                    self.m
                        .outbox
                        .iter()
                        .filter(|(_, step)| matches!(step, Step::Answer(Ok(_))))
                        .map(|(c, _)| *c),
                );
                let user = self.user.clone();
                let s = self.issue(&user, *ttl, *refresh);
                // The checks of the login take `lag` seconds.
                if *lag > 0 {
                    self.release()?;
                    self.now += lag;
                }
                self.m.replace(s, self.now);
                // Their outcome is no longer their renewal's.
                let flight = self.m.flight.as_ref();
                for (c, joined) in &mut self.joined {
                    if cut.contains(c) {
                        *joined = flight.filter(|f| f.callers.contains(c)).map(|f| f.id);
                    }
                }
                login = Some((cut, same_user));
            }
            Op::Hold(i, n) => {
                if !self.waiting.is_empty() {
                    let caller = self.waiting[*i % self.waiting.len()];
                    self.held.push((caller, *n));
                }
            }
        }
        let _ = self.m.take_events();
        let ended = self.m.session().is_none() && token_before.is_some();
        if ended || matches!(op, Op::Login { .. }) {
            for (c, joined) in &mut self.joined {
                if untaken.contains(c) {
                    *joined = None;
                }
            }
        }
        self.answers.clear();
        self.collect()?;
        if let Op::Logout = op {
            prop_assert!(
                self.answers.iter().all(|(_, r)| r.is_err()),
                "no token after a logout: {:?}",
                self.answers
            );
        }
        // Calls busy with a job are calls still waiting, once each.
        for (i, c) in self.m.busy.iter().enumerate() {
            prop_assert!(self.waiting.contains(c), "busy call {} is gone", c);
            prop_assert!(!self.m.busy[..i].contains(c), "busy call {} twice", c);
        }
        if let Some((cut, same_user)) = login {
            for (c, r) in &self.answers {
                if cut.contains(c) {
                    // The same user's calls get the new session's token, unless that session
                    // ended at once (expired, nothing to renew it with); another user's never do.
                    let ended = self.m.session().is_none();
                    prop_assert!(
                        if same_user {
                            r.is_ok() || ended
                        } else {
                            r.is_err()
                        },
                        "a login gives the calls it cuts short the new session's token, for the \
                         same user only: {:?}",
                        r
                    );
                }
            }
        }
        for (_, steps) in &mut self.held {
            *steps -= 1;
        }
        self.held.retain(|(_, steps)| *steps > 0);
        let _ = (self.m.renew_in_secs(self.now), self.m.held_back());
        Ok(())
    }

    /// Answers every remaining job with a renewal: every call still waiting gets its answer.
    fn settle(&mut self) -> Result<(), TestCaseError> {
        self.held.clear();
        self.collect()?;
        for _ in 0..64 {
            if self.jobs.is_empty() {
                break;
            }
            let renewed = Outcome::Renewed {
                ttl: 300,
                rotate: true,
            };
            self.step(&Op::Resolve(0, renewed))?;
        }
        prop_assert!(self.jobs.is_empty(), "the jobs come to an end");
        prop_assert!(self.m.busy.is_empty(), "no call left busy");
        prop_assert!(
            self.waiting.is_empty(),
            "every call is answered: {:?}",
            self.waiting
        );
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        crate::driver::test_support::proptest_cases()
    ))]

    #[test]
    fn g01_h01_h02_machine_invariants_hold_for_random_event_orders(
        ops in prop::collection::vec(op(), 1..40)
    ) {
        let mut h = Harness::new();
        for op in &ops {
            h.step(op)?;
        }
        h.settle()?;
    }
}
