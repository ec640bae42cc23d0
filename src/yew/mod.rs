//! Yew 0.23 integration (feature `yew`, client-side rendering): a provider component that owns the
//! client, hooks for the state and for access tokens, guard components, and login and logout actions.
//!
//! Everything runs on the same [`driver::Client`](crate::driver::Client) as the JavaScript API: the
//! provider calls [`Client::discover`](crate::driver::Client::discover), completes the login on the
//! redirect page with [`browser::handle_redirect`](crate::browser::handle_redirect), and follows the
//! driver's events. Tokens stay in the driver's memory; the state holds only the ID token's claims.
//!
//! | item | what it does |
//! |---|---|
//! | [`AuthProvider`] | owns the client; put it around the application |
//! | [`use_auth`] | the [`AuthState`]: `Loading`, `SignedOut`, `SignedIn { claims }`, `Failed { error }` |
//! | [`use_access_token`] | an [`AccessTokenSource`]: `get().await` is `client.access_token(false)` |
//! | [`use_login`], [`use_logout`] | callbacks that start a login or end the session |
//! | [`Authenticated`], [`Unauthenticated`] | render their children only when signed in / signed out |
//!
//! Hooks used outside an [`AuthProvider`] do not panic: [`use_auth`] reports
//! `AuthState::Failed` with code `invalid_config`, and the actions return that error.
//!
//! ```no_run
//! use oxidc::driver::LoginOptions;
//! use oxidc::yew::{AuthConfig, AuthProvider, Authenticated, Unauthenticated, use_auth, use_login, use_logout};
//! use yew::prelude::*;
//!
//! #[component]
//! fn App() -> Html {
//!     let config = AuthConfig::new("https://login.example.com", "my-spa", "https://app.example.com/callback")
//!         .with_post_logout_redirect_uri("https://app.example.com/")
//!         .with_scope("openid profile offline_access");
//!     html! {
//!         <AuthProvider {config}>
//!             <Unauthenticated><LoginButton /></Unauthenticated>
//!             <Authenticated><Profile /></Authenticated>
//!         </AuthProvider>
//!     }
//! }
//!
//! #[component]
//! fn LoginButton() -> Html {
//!     let login = use_login();
//!     // The error (for example `storage_unavailable`) is returned; show err.code() and err.hint().
//!     let onclick = move |_| {
//!         let _ = login.emit(LoginOptions::return_to("/"));
//!     };
//!     html! { <button {onclick}>{ "Log in" }</button> }
//! }
//!
//! #[component]
//! fn Profile() -> Html {
//!     let state = use_auth();
//!     let logout = use_logout();
//!     let name = state.claims().and_then(|c| c.get("name")).and_then(|n| n.as_str()).unwrap_or("?");
//!     html! {
//!         <p>
//!             { format!("Signed in as {name}") }
//!             <button onclick={move |_| { let _ = logout.emit(()); }}>{ "Log out" }</button>
//!         </p>
//!     }
//! }
//!
//! fn main() {
//!     yew::Renderer::<App>::new().render();
//! }
//! ```

mod guards;
mod hooks;
mod provider;
mod token;

pub use guards::{Authenticated, GuardProps, Unauthenticated};
pub use hooks::{use_access_token, use_auth, use_auth_client, use_login, use_logout};
pub use provider::{AuthProvider, AuthProviderProps};
pub use token::AccessTokenSource;

pub use crate::ui::{AuthConfig, AuthState};
