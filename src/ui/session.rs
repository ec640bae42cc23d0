//! The provider component's session: start-up, the client once it exists, and the subscription that
//! turns driver events into [`AuthState`]s. Shared by the Yew and Leptos providers.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use super::state::no_provider_error;
use super::{AuthConfig, AuthState};
use crate::browser::{self, BrowserPlatform, Lifecycle};
use crate::core::{AccessToken, Error, LoginRequiredReason};
use crate::driver::{CallbackOutcome, Client, LoginOptions};

/// Where start-up stands.
enum Slot {
    Starting,
    Ready(Client<BrowserPlatform>),
    Failed(Error),
}

/// One provider component's session. The component owns it (an `Rc`); hooks and handles hold clones.
pub(crate) struct Session {
    slot: RefCell<Slot>,
    subscription: Cell<Option<u64>>,
    /// The page-lifecycle hooks (wake-up re-checks, optional background refresh); dropped on stop.
    lifecycle: RefCell<Option<Lifecycle>>,
    stopped: Cell<bool>,
}

impl Session {
    pub(crate) fn new() -> Rc<Self> {
        Rc::new(Session {
            slot: RefCell::new(Slot::Starting),
            subscription: Cell::new(None),
            lifecycle: RefCell::new(None),
            stopped: Cell::new(false),
        })
    }

    /// The client, once discovery has succeeded.
    pub(crate) fn client(&self) -> Option<Client<BrowserPlatform>> {
        match &*self.slot.borrow() {
            Slot::Ready(client) => Some(client.clone()),
            _ => None,
        }
    }

    /// Starts a login (navigates to the provider). Before start-up is over this is an `invalid_config`
    /// error; after a failed discovery it is that failure.
    pub(crate) fn login(&self, options: &LoginOptions) -> Result<(), Error> {
        match &*self.slot.borrow() {
            Slot::Ready(client) => client.login(options),
            Slot::Failed(error) => Err(error.clone()),
            Slot::Starting => Err(Error::invalid_config(
                "AuthProvider",
                "still starting: start a login once the state is no longer Loading",
            )),
        }
    }

    /// Ends the session: the tokens are cleared before this returns; the refresh token is then
    /// revoked and the browser sent to the provider's logout endpoint in the background (failures of
    /// that part are `error` events). Without a client there is no session to end.
    pub(crate) fn logout(&self) -> Result<(), Error> {
        if let Some(client) = self.client() {
            let rest = client.logout();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = rest.await;
            });
        }
        Ok(())
    }

    /// `client.access_token(force_refresh)`; `login_required` while there is no client.
    pub(crate) async fn access_token(&self, force_refresh: bool) -> Result<AccessToken, Error> {
        let client = match &*self.slot.borrow() {
            Slot::Ready(client) => client.clone(),
            Slot::Failed(error) => return Err(error.clone()),
            Slot::Starting => return Err(Error::login_required(LoginRequiredReason::NoSession)),
        };
        client.access_token(force_refresh).await
    }

    /// Runs start-up: discovery, then the login completion when the page is the redirect URI, then
    /// follows the driver's events. Every state goes to `publish`. After a completed login,
    /// `after_login` gets the outcome; without it the address is replaced with the path the login
    /// started from (or `/`).
    pub(crate) async fn start(
        self: Rc<Self>,
        config: AuthConfig,
        publish: Rc<dyn Fn(AuthState)>,
        after_login: Option<Box<dyn FnOnce(CallbackOutcome)>>,
    ) {
        let client_config = config.client_config();
        let discovered = Client::discover(config.platform(&client_config), client_config).await;
        if self.stopped.get() {
            return;
        }
        let client = match discovered {
            Ok(client) => client,
            Err(error) => {
                *self.slot.borrow_mut() = Slot::Failed(error.clone());
                publish(AuthState::Failed { error });
                return;
            }
        };
        *self.slot.borrow_mut() = Slot::Ready(client.clone());
        // Like the JavaScript `createClient`: re-check on wake-up, optionally renew on a timer.
        *self.lifecycle.borrow_mut() = Some(browser::install_lifecycle(
            &client,
            config.background_refresh,
        ));
        // The listener holds the session weakly: the client is owned by the session alone, so
        // dropping the component frees everything.
        let weak: Weak<Session> = Rc::downgrade(&self);
        let listener = Rc::clone(&publish);
        let id = client.subscribe(move |event| {
            let Some(session) = weak.upgrade() else {
                return;
            };
            if session.stopped.get() {
                return;
            }
            if let Some(client) = session.client() {
                if let Some(state) = AuthState::after_event(&client, event) {
                    listener(state);
                }
            }
        });
        self.subscription.set(Some(id));

        let url = browser::current_url().unwrap_or_default();
        if !is_redirect_page(&url, &config.redirect_uri) {
            // Back from the provider's logout: check its `state` and drop it from the address bar.
            if config
                .post_logout_redirect_uri
                .as_deref()
                .is_some_and(|uri| is_redirect_page(&url, uri))
            {
                if let Err(error) = browser::handle_logout_return(&client, Some(&url)) {
                    // Logged out locally anyway; the provider's answer was not the one requested.
                    publish(AuthState::Failed { error });
                    return;
                }
            } else if client.join().await {
                // Taken from another open tab; its `signed_in` event has published the state.
                return;
            }
            if !self.stopped.get() {
                publish(AuthState::SignedOut { reason: None });
            }
            return;
        }
        // On success the driver's `signed_in` event has published the new state.
        match browser::handle_redirect(&client, Some(&url)).await {
            Ok(outcome) if !self.stopped.get() => match after_login {
                Some(after) => after(outcome),
                None => {
                    let _ = browser::replace_url(outcome.return_to.as_deref().unwrap_or("/"));
                }
            },
            Ok(_) => {}
            Err(error) => {
                if !self.stopped.get() {
                    publish(AuthState::Failed { error });
                }
            }
        }
    }

    /// Stops following the driver (the component is going away or restarting).
    pub(crate) fn stop(&self) {
        self.stopped.set(true);
        // Removes the page listeners and the timer, and with them their clones of the client.
        drop(self.lifecycle.borrow_mut().take());
        if let (Some(id), Some(client)) = (self.subscription.take(), self.client()) {
            client.unsubscribe(id);
        }
    }
}

/// True when `url` is `redirect_uri` (same address without query and fragment) and carries
/// response parameters (`code`, `error` or `state`).
fn is_redirect_page(url: &str, redirect_uri: &str) -> bool {
    fn base(u: &str) -> &str {
        u.split(['?', '#']).next().unwrap_or_default()
    }
    !url.is_empty() && base(url) == base(redirect_uri) && browser::is_callback_url(url)
}

/// The session of a handle made outside any provider component.
pub(crate) fn missing_session<T>() -> Result<T, Error> {
    Err(no_provider_error())
}
