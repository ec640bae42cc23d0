//! Hooks: the state, access tokens, login and logout.

use std::rc::Rc;

use ::leptos::callback::Callback;
use ::leptos::prelude::*;

use super::AccessTokenSource;
use super::provider::AuthContext;
use crate::driver::LoginOptions;
use crate::facade::{OidcClient, OidcError};
use crate::ui::{AuthState, Session, missing_session};

/// The provider's session handle (`Copy`, `Send`, `Sync`), when there is a provider.
fn stored_session() -> Option<StoredValue<Rc<Session>, LocalStorage>> {
    use_context::<AuthContext>().map(|c| c.session)
}

/// Calls `f` with the session behind `stored`; the no-provider error when there is none (any more).
fn with_session<T>(
    stored: Option<StoredValue<Rc<Session>, LocalStorage>>,
    f: impl FnOnce(&Rc<Session>) -> Result<T, OidcError>,
) -> Result<T, OidcError> {
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

/// A handle that gets access tokens: [`AccessTokenSource::get`] asks the engine for one
/// (`client.access_token(false)`: the engine renews it with the refresh token when it is about to
/// expire; concurrent callers share one renewal).
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

/// A callback that starts a login: the engine prepares it, the page stores the short-lived
/// transaction and navigates to the provider (`client.login`). `LoginOptions::return_to` is the
/// same-origin path to come back to. Call it with `.run(options)`; it is `Copy`, so it can be moved
/// into views.
///
/// What can be checked at once is returned: `invalid_return_to`, `invalid_config` outside a provider
/// or while it is starting, the start-up failure after one. A failure after the call has returned
/// (rare: the engine's worker stopped, sessionStorage refused the transaction) becomes
/// `AuthState::Failed` when nobody is signed in.
pub fn use_login() -> Callback<LoginOptions, Result<(), OidcError>> {
    let stored = stored_session();
    Callback::new(move |options: LoginOptions| with_session(stored, |s| s.login(&options)))
}

/// A callback that logs in in a popup, without leaving the page (`client.loginWithPopup`). Call it
/// with `.run(options)` directly in a click handler: the popup opens during the call (browsers block
/// it otherwise). The popup's redirect page is the app at the redirect URI, whose provider hands the
/// response back. It is `Copy`.
///
/// What can be checked at once is returned, as for [`use_login`]. A failure after that
/// (`popup_blocked`, `popup_closed`, `popup_timeout`, or one of the callback's) becomes
/// `AuthState::Failed` when nobody is signed in; a second call while the popup is open is ignored;
/// success shows as `AuthState::SignedIn`.
pub fn use_login_with_popup() -> Callback<LoginOptions, Result<(), OidcError>> {
    let stored = stored_session();
    Callback::new(move |options: LoginOptions| {
        with_session(stored, |s| s.login_with_popup(&options))
    })
}

/// A callback that ends the session: the state becomes `SignedOut` at once, the engine clears the
/// tokens for every tab of the session and revokes the refresh token, then the browser goes to the
/// provider's logout endpoint when it has one. A failure of that part becomes `AuthState::Failed`.
/// Call it with `.run(())`; it is `Copy`.
pub fn use_logout() -> Callback<(), Result<(), OidcError>> {
    let stored = stored_session();
    Callback::new(move |()| with_session(stored, Session::logout))
}

/// The facade client itself, once the engine has started (for what the hooks do not cover, such as
/// [`OidcClient::user_info`] or [`OidcClient::subscribe`]). `None` while starting, after a failed
/// start-up, or outside a provider. Not reactive: read it when you need it.
pub fn use_auth_client() -> Option<OidcClient> {
    stored_session()
        .and_then(|s| s.try_get_value())
        .and_then(|s| s.client())
}
