//! Property tests of the engine's policy against the simulated provider, in virtual time: random
//! orders of concurrent token calls, clock jumps (a laptop waking up), renewals nobody asked for,
//! lost, failed, refused and malformed token responses, logouts in the middle of a renewal, and
//! calls dropped in the middle of one.
//!
//! After every step: nothing panicked; the calls of one batch shared one outcome (single flight);
//! one batch sent at most one renewal and its bounded retries; every token handed out was issued by
//! the provider and had not expired; a session ends at the first answer that says the provider
//! revoked its grant (fail closed); once the session is over, calls send nothing and say
//! `login_required`; a dropped call's renewal ran to its end; and a refresh token the provider
//! already used is sent again only after the provider lost an answer.

use std::future::Future;
use std::pin::Pin;

use proptest::prelude::*;

use super::test_support::*;

use crate::core::Transport;

#[derive(Clone, Debug)]
enum Fault {
    Offline,
    Timeout,
    Network,
    /// The provider handled the request (a refresh rotated the token), the answer was lost.
    Lost(bool),
    Busy(u64),
    InvalidGrant,
    Garbage,
}

impl Fault {
    fn next(&self) -> Next {
        match self {
            Fault::Offline => Next::Fail(Transport::Offline),
            Fault::Timeout => Next::Fail(Transport::Timeout),
            Fault::Network => Next::Fail(Transport::Network),
            Fault::Lost(timeout) => Next::Lost(if *timeout {
                Transport::Timeout
            } else {
                Transport::Network
            }),
            Fault::Busy(secs) => Next::RetryAfter(503, *secs),
            Fault::InvalidGrant => Next::Respond(400, r#"{"error":"invalid_grant"}"#.into()),
            Fault::Garbage => Next::Respond(200, r#"{"token_type":"Bearer"}"#.into()),
        }
    }
}

#[derive(Clone, Debug)]
enum Step {
    /// `n` concurrent `access_token(force)` calls.
    Calls { n: usize, force: bool },
    /// The clock jumps ahead.
    Advance(u64),
    /// The provider's next answer.
    Fault(Fault),
    /// A renewal nobody asked for (the page became visible, a timer fired).
    Revalidate,
    /// `n` concurrent calls and a logout among them.
    LogoutDuring { n: usize },
    /// `n` concurrent calls polled `polls` times, then the first `dropped` of them dropped (a Rust
    /// app drops futures); the rest run to their end.
    DropDuring {
        n: usize,
        polls: usize,
        dropped: usize,
    },
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        Just(Fault::Offline),
        Just(Fault::Timeout),
        Just(Fault::Network),
        any::<bool>().prop_map(Fault::Lost),
        (0u64..60).prop_map(Fault::Busy),
        Just(Fault::InvalidGrant),
        Just(Fault::Garbage),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (1usize..8, any::<bool>()).prop_map(|(n, force)| Step::Calls { n, force }),
        3 => prop_oneof![0u64..120, 200u64..400, 1000u64..100_000].prop_map(Step::Advance),
        3 => fault().prop_map(Step::Fault),
        1 => Just(Step::Revalidate),
        1 => (0usize..4).prop_map(|n| Step::LogoutDuring { n }),
        2 => (1usize..5, 0usize..6, 1usize..5).prop_map(|(n, polls, dropped)| Step::DropDuring {
            n,
            polls,
            dropped: dropped.min(n),
        }),
    ]
}

/// Requests to the token endpoint so far.
fn token_requests(p: &FakePlatform) -> usize {
    let url = format!("{ISSUER}/token");
    p.requests.borrow().iter().filter(|r| r.url == url).count()
}

fn outcome<T>(r: &Result<T, crate::core::Error>, secret: impl Fn(&T) -> String) -> String {
    match r {
        Ok(v) => format!("ok:{}", secret(v)),
        Err(e) => format!("err:{}", e.code()),
    }
}

fn run(steps: &[Step]) -> Result<(), TestCaseError> {
    let (c, p) = signed_in();
    let ttl = p.op.borrow().at_ttl;
    // Answers lost after the provider used a refresh token: each allows one resend of it.
    let mut lost = 0usize;
    for (i, step) in steps.iter().enumerate() {
        let ended_before = !c.is_authenticated();
        let requests_before = token_requests(&p);
        // The provider revoked the grant (a rotated refresh token came back) and will answer the
        // next request as it is: the client learns it at its next request.
        let revoked_and_answering = {
            let op = p.op.borrow();
            op.revoked && op.next.is_empty()
        };
        let mut results: Vec<String> = Vec::new();
        match step {
            Step::Calls { n, force } => {
                type Token = Result<crate::core::AccessToken, crate::core::Error>;
                let calls: Vec<Pin<Box<dyn Future<Output = Token> + '_>>> = (0..*n)
                    .map(|_| Box::pin(c.access_token(*force)) as _)
                    .collect();
                for r in join_all(calls) {
                    if let Ok(token) = &r {
                        let issued = p.op.borrow().issued_at.get(token.secret()).copied();
                        prop_assert!(issued.is_some(), "step {i}: a token the provider issued");
                        prop_assert!(
                            p.now.get() < issued.unwrap_or(0) + ttl,
                            "step {i}: an expired token was handed out"
                        );
                    }
                    results.push(outcome(&r, |t| t.secret().to_owned()));
                }
                prop_assert!(
                    results.windows(2).all(|w| w[0] == w[1]),
                    "step {i}: one outcome for the batch: {results:?}"
                );
                let sent = token_requests(&p) - requests_before;
                prop_assert!(sent <= 4, "step {i}: {sent} token requests for one batch");
            }
            Step::Advance(secs) => p.advance(*secs),
            Step::Fault(f) => {
                lost += usize::from(matches!(f, Fault::Lost(_)));
                p.op.borrow_mut().next.push(f.next());
            }
            Step::Revalidate => block_on(c.revalidate()),
            Step::LogoutDuring { n } => {
                let mut futures: Vec<Pin<Box<dyn Future<Output = String> + '_>>> = (0..*n)
                    .map(|_| {
                        Box::pin(async {
                            outcome(&c.access_token(false).await, |t| t.secret().to_owned())
                        }) as _
                    })
                    .collect();
                futures.insert(
                    n / 2,
                    Box::pin(async { outcome(&c.logout_url().await, |_| String::new()) }),
                );
                join_all(futures);
                prop_assert!(!c.is_authenticated(), "step {i}: logged out");
            }
            Step::DropDuring { n, polls, dropped } => {
                type Token = Result<crate::core::AccessToken, crate::core::Error>;
                let mut calls: Vec<Pin<Box<dyn Future<Output = Token> + '_>>> = (0..*n)
                    .map(|_| Box::pin(c.access_token(false)) as _)
                    .collect();
                let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
                let mut done = vec![false; *n];
                for _ in 0..*polls {
                    for (call, done) in calls.iter_mut().zip(done.iter_mut()) {
                        *done = *done || call.as_mut().poll(&mut cx).is_ready();
                    }
                }
                let rest: Vec<_> = calls
                    .into_iter()
                    .zip(done)
                    .skip(*dropped)
                    .filter(|(_, done)| !done)
                    .map(|(call, _)| call)
                    .collect();
                for r in join_all(rest) {
                    results.push(outcome(&r, |t| t.secret().to_owned()));
                }
                for _ in 0..100 {
                    poll_spawned();
                }
                prop_assert_eq!(spawned(), 0, "step {}: a dropped call's exchange ended", i);
                prop_assert!(
                    results.windows(2).all(|w| w[0] == w[1]),
                    "step {i}: one outcome for the calls left: {results:?}"
                );
            }
        }
        prop_assert!(
            p.op.borrow().reuses <= lost,
            "step {i}: a refresh token was sent again after the provider used it"
        );
        if ended_before {
            prop_assert_eq!(
                token_requests(&p),
                requests_before,
                "step {}: nothing sent once the session is over",
                i
            );
            for r in &results {
                prop_assert_eq!(r.as_str(), "err:login_required", "step {}", i);
            }
        }
        if revoked_and_answering && token_requests(&p) > requests_before {
            prop_assert!(
                !c.is_authenticated(),
                "step {i}: the provider answered that it revoked the grant and the session goes on"
            );
        }
        // What the page and the timer read never panics.
        let _ = (c.next_refresh_at(), c.claims(), c.is_authenticated());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn g01_h01_h02_engine_invariants_hold_for_random_steps(steps in prop::collection::vec(step(), 1..24)) {
        run(&steps)?;
    }
}
