//! Hooks: the state, access tokens, login and logout.

use ::yew::prelude::*;

use super::AccessTokenSource;
use super::provider::AuthContext;
use crate::browser::BrowserPlatform;
use crate::core::Error;
use crate::driver::{Client, LoginOptions};
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

/// A handle that gets access tokens: [`AccessTokenSource::get`] calls `client.access_token(false)`
/// (renewing with the refresh token when the token is about to expire; concurrent callers share one
/// renewal).
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

/// A callback that starts a login: it stores the short-lived transaction and navigates to the provider
/// (`client.login`). `LoginOptions::return_to` is the same-origin path to come back to.
///
/// Its error (for example `invalid_return_to`, `storage_unavailable`) is returned; `invalid_config`
/// outside a provider or while it is starting.
#[hook]
pub fn use_login() -> Callback<LoginOptions, Result<(), Error>> {
    let session = use_context::<AuthContext>().map(|c| c.session);
    Callback::from(move |options: LoginOptions| match &session {
        Some(session) => session.login(&options),
        None => crate::ui::missing_session(),
    })
}

/// A callback that ends the session: the tokens are cleared from memory (the state becomes
/// `SignedOut`), then the browser goes to the provider's logout endpoint when it has one.
#[hook]
pub fn use_logout() -> Callback<(), Result<(), Error>> {
    let session = use_context::<AuthContext>().map(|c| c.session);
    Callback::from(move |()| match &session {
        Some(session) => session.logout(),
        None => crate::ui::missing_session(),
    })
}

/// The driver client itself, once discovery has succeeded (for what the hooks do not cover, such as
/// [`Client::subscribe`]). `None` while starting, after a failed discovery, or outside a provider.
#[hook]
pub fn use_auth_client() -> Option<Client<BrowserPlatform>> {
    use_context::<AuthContext>().and_then(|c| c.session.client())
}
