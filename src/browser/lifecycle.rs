//! Page lifecycle: re-check the session when the page wakes up, and optionally renew in the background.
//!
//! Timers are unreliable across sleep and in background tabs, so the session is re-checked on
//! `visibilitychange`, `pageshow` (including back-forward cache restores) and `online`. With
//! background refresh on, a timer also fires at the driver's [`next_refresh_at`](Client::next_refresh_at).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::{BrowserPlatform, globals};
use crate::driver::{Client, Platform};

const EVENTS: [&str; 3] = ["visibilitychange", "pageshow", "online"];

/// A JavaScript callback kept alive while it is registered.
type Callback = Closure<dyn FnMut()>;
type Timer = Rc<RefCell<Option<(JsValue, Callback)>>>;

/// Installed lifecycle hooks; dropping it removes them.
pub struct Lifecycle<P: Platform + 'static = BrowserPlatform> {
    client: Client<P>,
    listeners: Vec<(&'static str, Callback)>,
    timer: Timer,
    subscription: Option<u64>,
}

impl<P: Platform + 'static> std::fmt::Debug for Lifecycle<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lifecycle").finish_non_exhaustive()
    }
}

fn revalidate_later<P: Platform + 'static>(client: &Client<P>) {
    let client = client.clone();
    wasm_bindgen_futures::spawn_local(async move { client.revalidate().await });
}

fn schedule<P: Platform + 'static>(client: &Client<P>, timer: &Timer) {
    if let Some((id, _)) = timer.borrow_mut().take() {
        globals::clear_timeout(&id);
    }
    // When the session machine says the next renewal is due (later after failures in a row).
    let Some(secs) = client.renew_in_secs() else {
        return;
    };
    let delay_ms = secs.saturating_mul(1000).min(i32::MAX as u64) as i32;
    let c = client.clone();
    let callback = Closure::<dyn FnMut()>::new(move || revalidate_later(&c));
    if let Ok(id) = globals::set_timeout(callback.as_ref().unchecked_ref(), delay_ms) {
        *timer.borrow_mut() = Some((id, callback));
    }
}

/// Hooks `client` to the page lifecycle; with `background_refresh`, also renews shortly before expiry.
pub fn install(client: &Client<BrowserPlatform>, background_refresh: bool) -> Lifecycle {
    let mut lifecycle = install_timer(client, background_refresh);
    if let Some(window) = web_sys::window() {
        for name in EVENTS {
            let c = client.clone();
            let callback = Closure::<dyn FnMut()>::new(move || revalidate_later(&c));
            if window
                .add_event_listener_with_callback(name, callback.as_ref().unchecked_ref())
                .is_ok()
            {
                lifecycle.listeners.push((name, callback));
            }
        }
    }
    lifecycle
}

/// The background renewal alone (no page events): with `background_refresh`, a timer renews shortly
/// before expiry, and waits 30 s doubling up to 15 min after failures. For an engine in a worker,
/// which the page tells when it wakes up.
pub fn install_timer<P: Platform + 'static>(
    client: &Client<P>,
    background_refresh: bool,
) -> Lifecycle<P> {
    let timer: Timer = Rc::new(RefCell::new(None));
    let subscription = background_refresh.then(|| {
        schedule(client, &timer);
        let (c, t) = (client.clone(), Rc::clone(&timer));
        client.subscribe(move |_| schedule(&c, &t))
    });
    Lifecycle {
        client: client.clone(),
        listeners: Vec::new(),
        timer,
        subscription,
    }
}

impl<P: Platform + 'static> Drop for Lifecycle<P> {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            for (name, callback) in &self.listeners {
                let _ = window
                    .remove_event_listener_with_callback(name, callback.as_ref().unchecked_ref());
            }
        }
        if let Some((id, _)) = self.timer.borrow_mut().take() {
            globals::clear_timeout(&id);
        }
        if let Some(id) = self.subscription {
            self.client.unsubscribe(id);
        }
    }
}
