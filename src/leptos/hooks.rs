//! Hooks: the state, access tokens, login and logout.

use std::rc::Rc;

use ::leptos::callback::Callback;
use ::leptos::prelude::*;

use super::AccessTokenSource;
use super::provider::AuthContext;
use crate::browser::BrowserPlatform;
use crate::core::Error;
use crate::driver::{Client, LoginOptions};
use crate::ui::{AuthState, Session, missing_session};

/// The provider's session handle (`Copy`, `Send`, `Sync`), when there is a provider.
fn stored_session() -> Option<StoredValue<Rc<Session>, LocalStorage>> {
    use_context::<AuthContext>().map(|c| c.session)
}

/// Calls `f` with the session behind `stored`; the no-provider error when there is none (any more).
fn with_session<T>(
    stored: Option<StoredValue<Rc<Session>, LocalStorage>>,
    f: impl FnOnce(&Session) -> Result<T, Error>,
) -> Result<T, Error> {
    match stored.and_then(|s| s.try_get_value()) {
        Some(session) => f(&session),
        None => missing_session(),
    }
}

/// The session state of the nearest [`AuthProvider`](super::AuthProvider), as a signal.
///
/// Outside a provider: a constant `AuthState::Failed` with code `invalid_config` (never a panic).
///
/// ```no_run
/// use leptos::prelude::*;
/// use oxidc::leptos::{AuthState, use_auth};
///
/// #[component]
/// fn Status() -> impl IntoView {
///     let state = use_auth();
///     move || match state.get() {
///         AuthState::Loading => "…".to_owned(),
///         AuthState::SignedOut { .. } => "Signed out".to_owned(),
///         AuthState::SignedIn { claims } => {
///             let sub = claims.as_ref().and_then(|c| c.get("sub")).and_then(|s| s.as_str()).unwrap_or("?");
///             format!("Signed in as {sub}")
///         }
///         AuthState::Failed { error } => format!("{}: {}", error.code(), error.hint()),
///     }
/// }
/// ```
pub fn use_auth() -> Signal<AuthState> {
    match use_context::<AuthContext>() {
        Some(context) => context.state.into(),
        None => Signal::stored(AuthState::no_provider()),
    }
}

/// A handle that gets access tokens: [`AccessTokenSource::get`] calls `client.access_token(false)`
/// (renewing with the refresh token when the token is about to expire; concurrent callers share one
/// renewal).
///
/// ```no_run
/// use leptos::prelude::*;
/// use oxidc::leptos::use_access_token;
///
/// #[component]
/// fn CallApi() -> impl IntoView {
///     let tokens = use_access_token();
///     let call = move |_| {
///         let tokens = tokens.clone();
///         leptos::task::spawn_local(async move {
///             match tokens.get().await {
///                 // Put token.secret() in an Authorization header; never log it.
///                 Ok(token) => drop(token),
///                 Err(err) => drop(err.code()),
///             }
///         });
///     };
///     view! { <button on:click=call>"Call API"</button> }
/// }
/// ```
pub fn use_access_token() -> AccessTokenSource {
    AccessTokenSource::new(stored_session())
}

/// A callback that starts a login: it stores the short-lived transaction and navigates to the provider
/// (`client.login`). `LoginOptions::return_to` is the same-origin path to come back to. Call it with
/// `.run(options)`; it is `Copy`, so it can be moved into views.
///
/// Its error (for example `invalid_return_to`, `storage_unavailable`) is returned; `invalid_config`
/// outside a provider or while it is starting.
pub fn use_login() -> Callback<LoginOptions, Result<(), Error>> {
    let stored = stored_session();
    Callback::new(move |options: LoginOptions| with_session(stored, |s| s.login(&options)))
}

/// A callback that ends the session: the tokens are cleared from memory (the state becomes
/// `SignedOut`), then the browser goes to the provider's logout endpoint when it has one. Call it with
/// `.run(())`; it is `Copy`.
pub fn use_logout() -> Callback<(), Result<(), Error>> {
    let stored = stored_session();
    Callback::new(move |()| with_session(stored, Session::logout))
}

/// The driver client itself, once discovery has succeeded (for what the hooks do not cover, such as
/// [`Client::subscribe`]). `None` while starting, after a failed discovery, or outside a provider.
/// Not reactive: read it when you need it.
pub fn use_auth_client() -> Option<Client<BrowserPlatform>> {
    stored_session()
        .and_then(|s| s.try_get_value())
        .and_then(|s| s.client())
}
