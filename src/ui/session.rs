//! The provider component's session: start-up, the facade client once it exists, and the
//! subscription that turns the engine's session events into [`AuthState`]s. Shared by the Yew and
//! Leptos providers.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use super::state::no_provider_error;
use super::{AuthConfig, AuthState};
use crate::browser;
use crate::core::{AccessToken, Error, LoginRequiredReason};
use crate::driver::{CallbackOutcome, LoginOptions, SignedOutReason};
use crate::facade::{OidcClient, OidcError, Subscription};

/// Where start-up stands.
enum Slot {
    Starting,
    Ready(OidcClient),
    Failed(OidcError),
}

type Publish = Rc<dyn Fn(AuthState)>;

/// One provider component's session. The component owns it (an `Rc`); hooks and handles hold clones.
pub(crate) struct Session {
    slot: RefCell<Slot>,
    /// Where states go (set by [`Session::start`], dropped by [`Session::stop`]).
    publish: RefCell<Option<Publish>>,
    subscription: RefCell<Option<Subscription>>,
    stopped: Cell<bool>,
}

impl Session {
    pub(crate) fn new() -> Rc<Self> {
        Rc::new(Session {
            slot: RefCell::new(Slot::Starting),
            publish: RefCell::new(None),
            subscription: RefCell::new(None),
            stopped: Cell::new(false),
        })
    }

    /// The facade client, once the engine has started.
    pub(crate) fn client(&self) -> Option<OidcClient> {
        match &*self.slot.borrow() {
            Slot::Ready(client) => Some(client.clone()),
            _ => None,
        }
    }

    /// The client for an action: the start-up failure, or `while_starting`, when there is none.
    fn ready(&self, while_starting: impl FnOnce() -> Error) -> Result<OidcClient, OidcError> {
        match &*self.slot.borrow() {
            Slot::Ready(client) => Ok(client.clone()),
            Slot::Failed(error) => Err(error.clone()),
            Slot::Starting => Err(while_starting().into()),
        }
    }

    /// Publishes `state` unless the component has gone.
    fn publish(&self, state: AuthState) {
        if self.stopped.get() {
            return;
        }
        let publish = self.publish.borrow().clone();
        if let Some(publish) = publish {
            publish(state);
        }
    }

    /// Starts a login (the engine prepares it, then the page navigates to the provider). What can be
    /// checked at once is returned: before start-up is over this is an `invalid_config` error, after a
    /// failed start-up it is that failure, and a `return_to` that is not a same-origin path is
    /// `invalid_return_to`. A failure after that (rare: the engine's worker stopped, sessionStorage
    /// refused the transaction) becomes [`AuthState::Failed`] when nobody is signed in.
    pub(crate) fn login(self: &Rc<Self>, options: &LoginOptions) -> Result<(), OidcError> {
        let client = self.ready(|| {
            Error::invalid_config(
                "AuthProvider",
                "still starting: start a login once the state is no longer Loading",
            )
        })?;
        if let Some(path) = &options.return_to {
            crate::core::check_return_to(path)?;
        }
        let session = Rc::downgrade(self);
        let options = options.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(error) = client.login(&options).await {
                if let Some(session) = session.upgrade() {
                    if !client.is_authenticated() {
                        session.publish(AuthState::Failed { error });
                    }
                }
            }
        });
        Ok(())
    }

    /// Logs in in a popup ([`OidcClient::login_with_popup`]); the page stays. The popup is opened
    /// during this call, so make it in a click handler. What can be checked at once is returned, as
    /// for [`Self::login`]; a failure after that (`popup_blocked`, `popup_closed`, `popup_timeout`,
    /// or one of the callback's) becomes [`AuthState::Failed`] when nobody is signed in, while
    /// `popup_pending` (a second click while the popup is open) is ignored. Success shows as the
    /// engine's session event.
    pub(crate) fn login_with_popup(
        self: &Rc<Self>,
        options: &LoginOptions,
    ) -> Result<(), OidcError> {
        let client = self.ready(|| {
            Error::invalid_config(
                "AuthProvider",
                "still starting: start a login once the state is no longer Loading",
            )
        })?;
        let popup = client.login_with_popup(options);
        let session = Rc::downgrade(self);
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(error) = popup.await {
                // A second click while the popup is open: the first login goes on.
                if error.code() == "popup_pending" {
                    return;
                }
                if let Some(session) = session.upgrade() {
                    if !client.is_authenticated() {
                        session.publish(AuthState::Failed { error });
                    }
                }
            }
        });
        Ok(())
    }

    /// Ends the session: the state becomes `SignedOut` at once; the engine clears the tokens for every
    /// tab of the session, revokes the refresh token and the page goes to the provider's logout
    /// endpoint. A failure of that part becomes [`AuthState::Failed`]. Without a client there is no
    /// session to end.
    pub(crate) fn logout(self: &Rc<Self>) -> Result<(), OidcError> {
        let Some(client) = self.client() else {
            return Ok(());
        };
        self.publish(AuthState::SignedOut {
            reason: Some(SignedOutReason::LoggedOut),
        });
        let session = Rc::downgrade(self);
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(error) = client.logout().await {
                if let Some(session) = session.upgrade() {
                    session.publish(AuthState::Failed { error });
                }
            }
        });
        Ok(())
    }

    /// `client.access_token(force_refresh)`; `login_required` while starting.
    pub(crate) async fn access_token(&self, force_refresh: bool) -> Result<AccessToken, OidcError> {
        let client = self.ready(|| Error::login_required(LoginRequiredReason::NoSession))?;
        client.access_token(force_refresh).await
    }

    /// `client.fetch(request)` (the authenticated fetch); `login_required` while starting.
    pub(crate) async fn fetch(
        &self,
        request: &web_sys::Request,
    ) -> Result<web_sys::Response, OidcError> {
        let client = self.ready(|| Error::login_required(LoginRequiredReason::NoSession))?;
        client.fetch(request).await
    }

    /// Runs start-up, the one of the JavaScript facade: `createClient` (which joins the engine and,
    /// with [`Restore::Silent`](super::Restore::Silent), restores the session), then
    /// `handleRedirectCallback` when the page is the redirect URI with an authorization response, or
    /// `handleLogoutCallback` when it is the post-logout redirect URI with the logout `state`; then
    /// follows the engine's session events. Every state goes to `publish`. After a completed login,
    /// `after_login` gets the outcome; without it the address is replaced with the path the login
    /// started from (or `/`).
    pub(crate) async fn start(
        self: Rc<Self>,
        config: AuthConfig,
        publish: Publish,
        after_login: Option<Box<dyn FnOnce(CallbackOutcome)>>,
    ) {
        *self.publish.borrow_mut() = Some(publish);
        let created = OidcClient::create(&config).await;
        if self.stopped.get() {
            if let Ok(client) = created {
                client.free();
            }
            return;
        }
        let client = match created {
            Ok(client) => client,
            Err(error) => {
                *self.slot.borrow_mut() = Slot::Failed(error.clone());
                self.publish(AuthState::Failed { error });
                return;
            }
        };
        *self.slot.borrow_mut() = Slot::Ready(client.clone());
        // The listener holds the session weakly: dropping the component frees everything.
        let weak: Weak<Session> = Rc::downgrade(&self);
        let subscription = client.subscribe(move |change| {
            if let (Some(session), Some(state)) = (weak.upgrade(), AuthState::after_change(change))
            {
                session.publish(state);
            }
        });
        *self.subscription.borrow_mut() = Some(subscription);

        let url = browser::current_url().unwrap_or_default();
        if is_redirect_page(&client, &url, &config.redirect_uri) {
            match client.handle_redirect_callback(None).await {
                Ok(outcome) if !self.stopped.get() => {
                    self.publish(AuthState::of(&client));
                    match after_login {
                        Some(after) => after(outcome),
                        None => {
                            let _ =
                                browser::replace_url(outcome.return_to.as_deref().unwrap_or("/"));
                        }
                    }
                }
                Ok(_) => {}
                Err(error) => self.publish(AuthState::Failed { error }),
            }
            return;
        }
        let logout_page = config
            .post_logout_redirect_uri
            .as_deref()
            .is_some_and(|uri| is_redirect_page(&client, &url, uri));
        if logout_page {
            // Back from the provider's logout: check its `state` and drop it from the address bar.
            if let Err(error) = client.handle_logout_callback(None).await {
                // Logged out anyway; the provider's answer was not the one requested.
                self.publish(AuthState::Failed { error });
                return;
            }
        }
        self.publish(AuthState::of(&client));
    }

    /// Stops following the engine and disconnects this page from it (the component is going away or
    /// restarting); the session goes on for the app's other tabs. Handles kept past this point get
    /// an `invalid_config` error instead of a call that would never be answered.
    pub(crate) fn stop(&self) {
        self.stopped.set(true);
        drop(self.subscription.borrow_mut().take());
        drop(self.publish.borrow_mut().take());
        let removed = Error::invalid_config(
            "AuthProvider",
            "the AuthProvider component of this handle was removed",
        );
        let slot = self.slot.replace(Slot::Failed(removed.into()));
        if let Slot::Ready(client) = slot {
            client.free();
        }
    }
}

/// True when `url` is `redirect_uri` (same address without query and fragment) and carries
/// response parameters (`code`, `error` or `state`).
fn is_redirect_page(client: &OidcClient, url: &str, redirect_uri: &str) -> bool {
    fn base(u: &str) -> &str {
        u.split(['?', '#']).next().unwrap_or_default()
    }
    !url.is_empty() && base(url) == base(redirect_uri) && client.is_callback(Some(url))
}

/// The session of a handle made outside any provider component.
pub(crate) fn missing_session<T>() -> Result<T, OidcError> {
    Err(no_provider_error())
}
