//! Single-flight tests.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::SingleFlight;

struct YieldOnce(bool);
impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            Poll::Pending
        }
    }
}

fn poll<F: Future + ?Sized>(f: Pin<&mut F>) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn concurrent_callers_share_one_run() {
    let flight = SingleFlight::new();
    let runs = Cell::new(0);
    let op = || async {
        runs.set(runs.get() + 1);
        YieldOnce(false).await;
        runs.get()
    };
    let mut a = Box::pin(flight.run(op));
    let mut b = Box::pin(flight.run(op));
    assert!(poll(a.as_mut()).is_pending());
    assert!(poll(b.as_mut()).is_pending());
    assert_eq!(poll(a.as_mut()), Poll::Ready(1));
    assert_eq!(poll(b.as_mut()), Poll::Ready(1));
    assert_eq!(runs.get(), 1);
}

#[test]
fn a_later_call_runs_again() {
    let flight = SingleFlight::new();
    let runs = Cell::new(0);
    let op = || async {
        runs.set(runs.get() + 1);
        runs.get()
    };
    assert_eq!(poll(Box::pin(flight.run(op)).as_mut()), Poll::Ready(1));
    assert_eq!(poll(Box::pin(flight.run(op)).as_mut()), Poll::Ready(2));
}

#[test]
fn a_waiter_takes_over_when_the_leader_is_dropped() {
    let flight = SingleFlight::new();
    let runs = Cell::new(0);
    let op = || async {
        runs.set(runs.get() + 1);
        YieldOnce(false).await;
        runs.get()
    };
    let mut a = Box::pin(flight.run(op));
    let mut b = Box::pin(flight.run(op));
    assert!(poll(a.as_mut()).is_pending());
    assert!(poll(b.as_mut()).is_pending());
    drop(a);
    assert!(poll(b.as_mut()).is_pending(), "b leads a new run");
    assert_eq!(poll(b.as_mut()), Poll::Ready(2));
}
