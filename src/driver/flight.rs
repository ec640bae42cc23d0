//! Single-flight: concurrent callers of one operation share a single run and its result.
//!
//! The key cache uses it, so that pages and calls that need the provider's key set at the same time
//! cause one request for it. (Renewals have their own single flight, in the session machine.)

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Shares one in-flight run of an async operation among all callers that arrive while it runs.
pub(crate) struct SingleFlight<T: Clone> {
    slot: RefCell<Slot<T>>,
}

struct Slot<T> {
    running: bool,
    round: u64,
    last: Option<(u64, T)>,
    wakers: Vec<Waker>,
}

impl<T: Clone> SingleFlight<T> {
    pub(crate) fn new() -> Self {
        SingleFlight {
            slot: RefCell::new(Slot {
                running: false,
                round: 0,
                last: None,
                wakers: Vec::new(),
            }),
        }
    }

    /// Runs `make()` unless a run is already in flight, in which case waits for that run's result.
    /// If the leading caller is dropped mid-run, a waiting caller takes over.
    pub(crate) async fn run<F, M>(&self, make: M) -> T
    where
        M: FnOnce() -> F,
        F: Future<Output = T>,
    {
        let mut make = Some(make);
        loop {
            let (running, round) = {
                let s = self.slot.borrow();
                (s.running, s.round)
            };
            if !running {
                if let Some(make) = make.take() {
                    self.slot.borrow_mut().running = true;
                    let guard = Finish { flight: self };
                    let value = make().await;
                    guard.complete(round, value.clone());
                    return value;
                }
            }
            Wait {
                flight: self,
                round,
            }
            .await;
            let s = self.slot.borrow();
            if let Some((r, v)) = &s.last {
                if *r == round {
                    return v.clone();
                }
            }
            // The leader was dropped before it finished: go round again and lead.
        }
    }
}

/// Ends a round: records the result (or, when dropped early, the cancellation) and wakes the waiters.
struct Finish<'a, T: Clone> {
    flight: &'a SingleFlight<T>,
}

impl<T: Clone> Finish<'_, T> {
    fn complete(self, round: u64, value: T) {
        self.flight.slot.borrow_mut().last = Some((round, value));
        // Drop runs the common end-of-round bookkeeping.
    }
}

impl<T: Clone> Drop for Finish<'_, T> {
    fn drop(&mut self) {
        let wakers = {
            let mut s = self.flight.slot.borrow_mut();
            s.running = false;
            s.round = s.round.wrapping_add(1);
            std::mem::take(&mut s.wakers)
        };
        for w in wakers {
            w.wake();
        }
    }
}

/// Resolves once the round it was created in has ended.
struct Wait<'a, T: Clone> {
    flight: &'a SingleFlight<T>,
    round: u64,
}

impl<T: Clone> Future for Wait<'_, T> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut s = self.flight.slot.borrow_mut();
        if s.round != self.round || !s.running {
            Poll::Ready(())
        } else {
            s.wakers.push(cx.waker().clone());
            Poll::Pending
        }
    }
}

#[cfg(test)]
#[path = "tests/flight.rs"]
mod tests;
