//! Hooks: the state, access tokens, login and logout.

use ::yew::prelude::*;

use super::AccessTokenSource;
use super::provider::AuthContext;
use crate::driver::LoginOptions;
use crate::facade::{OidcClient, OidcError};
use crate::ui::AuthState;

/// The session state of the nearest [`AuthProvider`](super::AuthProvider); the component re-renders
/// when it changes.
///
/// Outside a provider: `AuthState::Failed` with code `invalid_config` (never a panic).
///
/// ```no_run
/// use oxidc::yew::{AuthState, use_auth};
/// use yew::prelude::*;
///
/// #[component]
/// fn Status() -> Html {
///     match use_auth() {
///         AuthState::Loading => html! { "…" },
///         AuthState::SignedOut { .. } => html! { "Signed out" },
///         AuthState::SignedIn { claims } => {
///             let sub = claims.as_ref().and_then(|c| c.get("sub")).and_then(|s| s.as_str()).unwrap_or("?");
///             html! { format!("Signed in as {sub}") }
///         }
///         AuthState::Failed { error } => html! { format!("{}: {}", error.code(), error.hint()) },
///     }
/// }
/// ```
#[hook]
pub fn use_auth() -> AuthState {
    use_context::<AuthContext>()
        .map(|c| c.state)
        .unwrap_or_else(AuthState::no_provider)
}

/// A handle that gets access tokens: [`AccessTokenSource::get`] asks the engine for one
/// (`client.access_token(false)`: the engine renews it with the refresh token when it is about to
/// expire; concurrent callers share one renewal).
///
/// ```no_run
/// use oxidc::yew::use_access_token;
/// use yew::prelude::*;
///
/// #[component]
/// fn CallApi() -> Html {
///     let tokens = use_access_token();
///     let onclick = move |_| {
///         let tokens = tokens.clone();
///         yew::platform::spawn_local(async move {
///             match tokens.get().await {
///                 // Put token.secret() in an Authorization header; never log it.
///                 Ok(token) => drop(token),
///                 Err(err) => drop(err.code()),
///             }
///         });
///     };
///     html! { <button {onclick}>{ "Call API" }</button> }
/// }
/// ```
#[hook]
pub fn use_access_token() -> AccessTokenSource {
    AccessTokenSource::new(use_context::<AuthContext>().map(|c| c.session))
}

/// A callback that starts a login: the engine prepares it, the page stores the short-lived
/// transaction and navigates to the provider (`client.login`). `LoginOptions::return_to` is the
/// same-origin path to come back to.
///
/// What can be checked at once is returned: `invalid_return_to`, `invalid_config` outside a provider
/// or while it is starting, the start-up failure after one. A failure after the callback has
/// returned (rare: the engine's worker stopped, sessionStorage refused the transaction) becomes
/// `AuthState::Failed` when nobody is signed in.
#[hook]
pub fn use_login() -> Callback<LoginOptions, Result<(), OidcError>> {
    let session = use_context::<AuthContext>().map(|c| c.session);
    Callback::from(move |options: LoginOptions| match &session {
        Some(session) => session.login(&options),
        None => crate::ui::missing_session(),
    })
}

/// A callback that logs in in a popup, without leaving the page (`client.loginWithPopup`). Call it
/// directly in a click handler: the popup opens during the call (browsers block it otherwise). The
/// popup's redirect page is the app at the redirect URI, whose provider hands the response back.
///
/// What can be checked at once is returned, as for [`use_login`]. A failure after that
/// (`popup_blocked`, `popup_closed`, `popup_timeout`, or one of the callback's) becomes
/// `AuthState::Failed` when nobody is signed in; a second call while the popup is open is ignored;
/// success shows as `AuthState::SignedIn`.
#[hook]
pub fn use_login_with_popup() -> Callback<LoginOptions, Result<(), OidcError>> {
    let session = use_context::<AuthContext>().map(|c| c.session);
    Callback::from(move |options: LoginOptions| match &session {
        Some(session) => session.login_with_popup(&options),
        None => crate::ui::missing_session(),
    })
}

/// A callback that ends the session: the state becomes `SignedOut` at once, the engine clears the
/// tokens for every tab of the session and revokes the refresh token, then the browser goes to the
/// provider's logout endpoint when it has one. A failure of that part becomes `AuthState::Failed`.
#[hook]
pub fn use_logout() -> Callback<(), Result<(), OidcError>> {
    let session = use_context::<AuthContext>().map(|c| c.session);
    Callback::from(move |()| match &session {
        Some(session) => session.logout(),
        None => crate::ui::missing_session(),
    })
}

/// The facade client itself, once the engine has started (for what the hooks do not cover, such as
/// [`OidcClient::user_info`] or [`OidcClient::subscribe`]). `None` while starting, after a failed
/// start-up, or outside a provider.
#[hook]
pub fn use_auth_client() -> Option<OidcClient> {
    use_context::<AuthContext>().and_then(|c| c.session.client())
}
