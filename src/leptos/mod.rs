//! Leptos 0.8 integration (feature `leptos`, client-side rendering): a provider component that owns
//! the client, hooks for the state and for access tokens, guard components, and login and logout
//! actions.
//!
//! Everything runs on the same [page facade](crate::facade) and engine as the JavaScript API: the
//! engine (sessions, refresh tokens, every request to the provider) runs in the package's worker,
//! out of the page's reach; the provider starts it with the facade's `createClient`, completes the
//! login on the redirect page with `handleRedirectCallback`, and follows the engine's session
//! events. The page gets access tokens when asked; the state holds only the ID token's claims. The
//! app serves the package's worker files (`worker.js`, `engine.js`, `oxidc.js`, `oxidc_bg.wasm`,
//! `snippets/`) and names `worker.js` with [`AuthConfig::with_worker_url`].
//!
//! | item | what it does |
//! |---|---|
//! | [`AuthProvider`] | owns the client (an [`OidcClient`]); put it around the application |
//! | [`use_auth`] | a `Signal<`[`AuthState`]`>`: `Loading`, `SignedOut`, `SignedIn { claims }`, `Failed { error }` |
//! | [`use_access_token`] | an [`AccessTokenSource`]: `get().await` is an access token from the engine |
//! | [`use_login`], [`use_login_with_popup`], [`use_logout`] | callbacks that start a login (redirect or popup) or end the session |
//! | [`Authenticated`], [`Unauthenticated`] | render their children only when signed in / signed out |
//!
//! Hooks used outside an [`AuthProvider`] do not panic: [`use_auth`] reports
//! `AuthState::Failed` with code `invalid_config`, and the actions return that error. Errors are
//! [`OidcError`]s (`code()`, `hint()`, `detail()`, like the JavaScript `OidcError`).
//!
//! ```no_run
//! use leptos::prelude::*;
//! use oxidc::driver::LoginOptions;
//! use oxidc::leptos::{AuthConfig, AuthProvider, Authenticated, Unauthenticated, use_auth, use_login, use_logout};
//!
//! #[component]
//! fn App() -> impl IntoView {
//!     let config = AuthConfig::new("https://login.example.com", "my-spa", "https://app.example.com/callback")
//!         .with_post_logout_redirect_uri("https://app.example.com/")
//!         .with_scope("openid profile offline_access")
//!         .with_worker_url("/oxidc/worker.js"); // the package's worker files, served by the app
//!     view! {
//!         <AuthProvider config=config>
//!             <Unauthenticated><LoginButton /></Unauthenticated>
//!             <Authenticated><Profile /></Authenticated>
//!         </AuthProvider>
//!     }
//! }
//!
//! #[component]
//! fn LoginButton() -> impl IntoView {
//!     let login = use_login();
//!     // The error (for example `storage_unavailable`) is returned; show err.code() and err.hint().
//!     view! { <button on:click=move |_| { let _ = login.run(LoginOptions::return_to("/")); }>"Log in"</button> }
//! }
//!
//! #[component]
//! fn Profile() -> impl IntoView {
//!     let state = use_auth();
//!     let logout = use_logout();
//!     let name = move || state.with(|s| {
//!         s.claims().and_then(|c| c.get("name")).and_then(|n| n.as_str()).unwrap_or("?").to_owned()
//!     });
//!     view! {
//!         <p>
//!             "Signed in as " {name}
//!             <button on:click=move |_| { let _ = logout.run(()); }>"Log out"</button>
//!         </p>
//!     }
//! }
//!
//! fn main() {
//!     leptos::mount::mount_to_body(App);
//! }
//! ```

mod guards;
mod hooks;
mod provider;
mod token;

pub use guards::{Authenticated, AuthenticatedProps, Unauthenticated, UnauthenticatedProps};
pub use hooks::{
    use_access_token, use_auth, use_auth_client, use_login, use_login_with_popup, use_logout,
};
pub use provider::{AuthProvider, AuthProviderProps};
pub use token::AccessTokenSource;

pub use crate::facade::{OidcClient, OidcError};
pub use crate::ui::{AuthConfig, AuthState, Restore};
