//! The part of the driver that does not depend on the platform: the session machine, the calls of
//! `access_token` waiting for it, and the listeners of session events. Kept apart from the generic
//! [`super::Client`] so that the npm build carries one copy of it, whatever the platforms compiled.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::{Poll, Waker};

use super::events::AuthEvent;
use super::machine::{Caller, Machine, Step};
use super::outlive::Running;

type Listener = Rc<dyn Fn(&AuthEvent)>;

/// The session machine and what waits on it.
pub(crate) struct Hub {
    pub(crate) machine: RefCell<Machine>,
    next_caller: Cell<Caller>,
    /// Calls waiting for the machine, woken when it gives any call something.
    wakers: RefCell<Vec<Waker>>,
    listeners: RefCell<Vec<(u64, Listener)>>,
    next_listener: Cell<u64>,
}

impl Hub {
    /// A hub with no session; `margin` is the configured renewal margin in seconds.
    pub(crate) fn new(margin: u64) -> Self {
        Hub {
            machine: RefCell::new(Machine::new(margin)),
            next_caller: Cell::new(0),
            wakers: RefCell::new(Vec::new()),
            listeners: RefCell::new(Vec::new()),
            next_listener: Cell::new(1),
        }
    }

    /// A new call for an access token, numbered for the machine.
    pub(crate) fn call(&self) -> Call<'_> {
        let caller = self.next_caller.get();
        self.next_caller.set(caller.wrapping_add(1));
        Call {
            hub: self,
            caller,
            answered: Cell::new(false),
            running: Rc::default(),
        }
    }

    /// Runs `f` on the session machine, then [`Hub::settle`]; returns what `f` returned.
    pub(crate) fn step<R>(&self, f: impl FnOnce(&mut Machine) -> R) -> R {
        let r = f(&mut self.machine.borrow_mut());
        self.settle();
        r
    }

    /// Hands the machine's events to the listeners and, when it gave a call something, wakes the
    /// waiting calls, outside the machine's borrow (listeners read the session).
    #[inline(never)]
    fn settle(&self) {
        let (events, given) = {
            let mut m = self.machine.borrow_mut();
            (m.take_events(), m.take_given())
        };
        for event in &events {
            self.emit(event);
        }
        if given {
            let wakers = std::mem::take(&mut *self.wakers.borrow_mut());
            for w in wakers {
                w.wake();
            }
        }
    }

    /// Counts `event` in the machine (for the background renewal's wait) and hands it to every
    /// listener.
    pub(crate) fn emit(&self, event: &AuthEvent) {
        self.machine.borrow_mut().note_event(event);
        // Clone the list first: a listener may subscribe or unsubscribe while we iterate.
        let listeners: Vec<Listener> = self
            .listeners
            .borrow()
            .iter()
            .map(|(_, l)| Rc::clone(l))
            .collect();
        for l in listeners {
            l(event);
        }
    }

    /// Registers `listener`; returns an id for [`Hub::unsubscribe`].
    pub(crate) fn subscribe(&self, listener: Listener) -> u64 {
        let id = self.next_listener.get();
        self.next_listener.set(id.wrapping_add(1));
        self.listeners.borrow_mut().push((id, listener));
        id
    }

    /// Removes a listener.
    pub(crate) fn unsubscribe(&self, id: u64) {
        self.listeners.borrow_mut().retain(|(i, _)| *i != id);
    }
}

/// One call of `access_token` waiting for the session machine. Dropping it before its answer
/// tells the machine, which hands a renewal this call was running to another waiting call; while
/// the call's refresh exchange is out, the exchange tells it instead, once it has reported
/// (`outlive.rs`).
pub(crate) struct Call<'a> {
    hub: &'a Hub,
    pub(crate) caller: Caller,
    answered: Cell<bool>,
    /// Shared with the refresh exchange this call runs, if any.
    pub(crate) running: Rc<Running>,
}

impl Call<'_> {
    /// What the machine has for this call, once it has it.
    pub(crate) async fn next(&self) -> Step {
        std::future::poll_fn(|cx| {
            let step = self.hub.machine.borrow_mut().take(self.caller);
            match step {
                Some(step) => {
                    self.answered.set(matches!(step, Step::Answer(_)));
                    Poll::Ready(step)
                }
                None => {
                    let mut wakers = self.hub.wakers.borrow_mut();
                    if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
                        wakers.push(cx.waker().clone());
                    }
                    Poll::Pending
                }
            }
        })
        .await
    }

    /// Asks the machine again for this call at `now` (its answer came too late to be used): it
    /// waits again, and is `gone` if dropped before the new answer.
    pub(crate) fn ask_again(&self, now: u64) {
        self.answered.set(false);
        let caller = self.caller;
        self.hub.step(|m| m.ask(caller, false, now));
    }
}

impl Drop for Call<'_> {
    fn drop(&mut self) {
        if !self.answered.get() && !self.running.orphan() {
            let caller = self.caller;
            self.hub.step(|m| m.gone(caller));
        }
    }
}
