//! The revocation machine alone: its retries (J04) and out-of-turn reports, then a property test
//! over random outcomes, repeated and out-of-turn reports.

use proptest::prelude::*;

use super::*;

fn transient(retry_after: Option<u64>) -> Revoked {
    Revoked::Transient { retry_after }
}

fn incomplete() -> Next {
    Next::Done(Err(InvalidResponse::RevocationIncomplete.into()))
}

#[test]
fn j04_transient_failures_are_retried_twice_after_the_backoff_then_stop() {
    let mut r = Revoker::new();
    assert_eq!(r.sent(transient(None)), Some(Next::Wait(1000)));
    assert_eq!(r.waited(), Some(Next::Send));
    assert_eq!(
        r.sent(transient(Some(3))),
        Some(Next::Wait(3000)),
        "Retry-After"
    );
    assert_eq!(r.waited(), Some(Next::Send));
    assert_eq!(
        r.sent(transient(None)),
        Some(incomplete()),
        "two retries at most"
    );
    assert_eq!(r.sent(Revoked::Done), None, "over");
}

#[test]
fn j04_a_retry_after_over_five_seconds_stops_at_once() {
    let mut r = Revoker::new();
    assert_eq!(r.sent(transient(Some(6))), Some(incomplete()));
}

#[test]
fn j05_an_answer_settles_it() {
    let mut r = Revoker::new();
    assert_eq!(r.sent(Revoked::Done), Some(Next::Done(Ok(()))));
    let mut r = Revoker::new();
    let unsupported = Error::Unsupported(crate::core::Unsupported::Revocation);
    assert_eq!(
        r.sent(Revoked::Failed(unsupported.clone())),
        Some(Next::Done(Err(unsupported)))
    );
}

#[test]
fn reports_out_of_turn_change_nothing() {
    let mut r = Revoker::new();
    assert_eq!(r.waited(), None, "no wait out");
    assert_eq!(r.sent(transient(None)), Some(Next::Wait(1000)));
    assert_eq!(r.sent(Revoked::Done), None, "a send's result while waiting");
    assert_eq!(r.waited(), Some(Next::Send));
    assert_eq!(r.waited(), None, "the same wait twice");
    assert_eq!(r.sent(Revoked::Done), Some(Next::Done(Ok(()))));
}

#[derive(Clone, Debug)]
enum Report {
    Sent(Revoked),
    Waited,
}

fn report() -> impl Strategy<Value = Report> {
    prop_oneof![
        Just(Report::Sent(Revoked::Done)),
        proptest::option::of(0u64..10).prop_map(|r| Report::Sent(transient(r))),
        Just(Report::Sent(Revoked::Failed(
            InvalidResponse::RevocationIncomplete.into()
        ))),
        Just(Report::Waited),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        crate::driver::test_support::proptest_cases()
    ))]

    /// Whatever the order of reports: at most three sends, each after a wait of 5 s or less but the
    /// first; one result; nothing after it.
    #[test]
    fn j04_revocation_invariants_hold_for_random_reports(
        reports in prop::collection::vec(report(), 0..24)
    ) {
        let mut r = Revoker::new();
        let mut sends = 1u32;
        let mut waiting = false;
        let mut done = 0;
        for report in reports {
            let next = match report {
                Report::Sent(outcome) => r.sent(outcome),
                Report::Waited => r.waited(),
            };
            match next {
                None => {}
                Some(Next::Send) => {
                    prop_assert!(waiting, "a send again only after a wait");
                    waiting = false;
                    sends += 1;
                }
                Some(Next::Wait(ms)) => {
                    prop_assert!(!waiting && done == 0);
                    prop_assert!(ms <= 5000, "a wait of {} ms", ms);
                    waiting = true;
                }
                Some(Next::Done(_)) => {
                    prop_assert!(!waiting);
                    done += 1;
                }
            }
            prop_assert!(sends <= 3, "at most two retries");
            prop_assert!(done <= 1, "one result");
        }
    }
}
