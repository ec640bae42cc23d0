//! The revocation of the refresh token at logout (RFC 7009) as a sans-I/O machine: the outcome of
//! each send goes in, the next thing to do comes out (send again, wait, or stop with the result).
//!
//! Policy (J04): a 429 or 5xx answer, or a transport failure, is retried at most twice, after 1 s
//! then 2 s, or after the provider's `Retry-After` when it is 5 s or less (logout should not hang on
//! a struggling provider); a longer `Retry-After`, or the third such failure, stops with
//! `revocation_incomplete`. Any other answer settles it. Unlike a refresh, resending is safe: a
//! revocation of a token that is already gone is still a 200 (J05a).

use super::machine::backoff;
use crate::core::{Error, InvalidResponse};

/// The longest `Retry-After` a revocation waits for, in seconds.
const MAX_REVOCATION_WAIT_SECS: u64 = 5;

/// What one send of the revocation request came to.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Revoked {
    /// Revoked, or already invalid.
    Done,
    /// A transient failure (429, 5xx, or the request failed on the way): it may be sent again,
    /// after the provider's `Retry-After` (seconds) if it gave one.
    Transient { retry_after: Option<u64> },
    /// Any other answer: it stops with this error.
    Failed(Error),
}

/// What to do next.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Next {
    /// Send the revocation request (again).
    Send,
    /// Wait this many milliseconds, then report with [`Revoker::waited`].
    Wait(u64),
    /// It is over, with this result.
    Done(Result<(), Error>),
}

/// One revocation and its retries.
#[derive(Debug, Default)]
pub(crate) struct Revoker {
    /// Retries made so far.
    attempt: u32,
    /// Waiting before the next send (a send's result is then out of turn).
    waiting: bool,
    /// Over: every later report is ignored.
    over: bool,
}

impl Revoker {
    /// A revocation whose first send is to be made now ([`Next::Send`]).
    pub(crate) fn new() -> Self {
        Revoker::default()
    }

    /// What the send came to, and what to do next. None for a report out of turn (while waiting,
    /// or after the end), which changes nothing.
    pub(crate) fn sent(&mut self, outcome: Revoked) -> Option<Next> {
        if self.over || self.waiting {
            return None;
        }
        let next = match outcome {
            Revoked::Done => Next::Done(Ok(())),
            Revoked::Failed(err) => Next::Done(Err(err)),
            Revoked::Transient { retry_after } => {
                match backoff(retry_after, self.attempt, MAX_REVOCATION_WAIT_SECS) {
                    Some(secs) => {
                        self.attempt += 1;
                        self.waiting = true;
                        return Some(Next::Wait(secs.saturating_mul(1000)));
                    }
                    None => Next::Done(Err(InvalidResponse::RevocationIncomplete.into())),
                }
            }
        };
        self.over = true;
        Some(next)
    }

    /// The wait is over: send again. None when it was not waiting.
    pub(crate) fn waited(&mut self) -> Option<Next> {
        if self.over || !self.waiting {
            return None;
        }
        self.waiting = false;
        Some(Next::Send)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "tests/revocation.rs"]
mod tests;
