//! A refresh exchange that outlives the call running it.
//!
//! A call of `access_token` runs the renewal the session machine hands it. Once its request is
//! out, the provider may take (and rotate) the refresh token whether or not anybody still waits
//! for the answer. So when the call is dropped mid-exchange (a Rust app drops futures: a component
//! unmounted, a `select!` lost), the exchange is not dropped with it: it goes on as its own task,
//! reports its outcome to the machine as if the call were there, and only then tells the machine
//! that the call is gone. The refresh token is never resent because a caller lost interest.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::Platform;
use super::hub::Hub;
use super::machine::Caller;

/// A boxed task for [`Platform::spawn`].
pub(crate) type Task = Pin<Box<dyn Future<Output = ()>>>;

/// What a call shares with the exchange it runs.
#[derive(Default)]
pub(crate) struct Running {
    /// An exchange of this call is out: its end, not the call's drop, reports to the machine.
    out: Cell<bool>,
    /// The call was dropped while its exchange was out.
    orphaned: Cell<bool>,
}

impl Running {
    /// Marks an exchange as out.
    pub(crate) fn start(&self) {
        self.out.set(true);
        self.orphaned.set(false);
    }

    /// Marks the exchange as ended; whether its call was dropped meanwhile (and so must now be
    /// reported gone).
    fn end(&self) -> bool {
        self.out.set(false);
        self.orphaned.replace(false)
    }

    /// For the call's drop: whether an exchange is out, in which case the exchange reports the
    /// call gone when it ends.
    pub(crate) fn orphan(&self) -> bool {
        if self.out.get() {
            self.orphaned.set(true);
        }
        self.out.get()
    }
}

/// Held by an exchange's task: when the task ends, having reported its outcome or not (a platform
/// that dropped it), reports its call gone if the call was dropped meanwhile. The machine then
/// treats a send that never reported as it treats any runner gone mid-send: an unknown outcome, or
/// the end of the session after a 2xx answer (`Machine::gone`). No call waits for ever.
pub(crate) struct Ending<'a> {
    pub(crate) running: Rc<Running>,
    pub(crate) hub: &'a Hub,
    pub(crate) caller: Caller,
}

impl Drop for Ending<'_> {
    fn drop(&mut self) {
        if self.running.end() {
            let caller = self.caller;
            self.hub.step(|m| m.gone(caller));
        }
    }
}

/// Polls `task` in place; if dropped before it ends, hands the rest of it to `platform.spawn`,
/// unless the task itself panicked (a half-run task is not run again; its `Ending` reports).
pub(crate) struct Outlive<'a, P: Platform> {
    task: Option<Task>,
    platform: &'a P,
    /// Set while the task is polled in place: still set when it is dropped, the poll panicked.
    polling: bool,
}

impl<'a, P: Platform> Outlive<'a, P> {
    pub(crate) fn new(task: Task, platform: &'a P) -> Self {
        Outlive {
            task: Some(task),
            platform,
            polling: false,
        }
    }
}

impl<P: Platform> Future for Outlive<'_, P> {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let Some(task) = this.task.as_mut() else {
            return Poll::Ready(());
        };
        this.polling = true;
        let poll = task.as_mut().poll(cx);
        this.polling = false;
        if poll.is_ready() {
            self.task = None;
        }
        poll
    }
}

impl<P: Platform> Drop for Outlive<'_, P> {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            if !self.polling {
                self.platform.spawn(task);
            }
        }
    }
}
