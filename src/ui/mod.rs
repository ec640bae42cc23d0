//! What the Yew and Leptos integrations share (features `yew`, `leptos`): the configuration of the
//! provider component, the session state model, the start-up sequence and the handles that event
//! handlers use. Both integrations are thin wiring of these pieces into their framework's lifecycle,
//! on the [page facade](crate::facade) that the JavaScript API also uses: the engine (sessions,
//! refresh tokens, every request to the provider) runs in the package's worker, out of the page's
//! reach, and the page's WebAssembly memory never holds a refresh token.
//!
//! Start-up, run once per provider component (the JavaScript facade's own sequence):
//! 1. [`OidcClient::create`](crate::facade::OidcClient::create) with the [`AuthConfig`]: the engine
//!    starts (or is joined, when another tab of the app runs it), fetches the discovery document and,
//!    with [`Restore::Silent`], restores the session; the facade re-checks the session when the page
//!    wakes up (and the engine renews on a timer with [`AuthConfig::auto_refresh`]);
//! 2. when the page's address is the configured redirect URI and carries an authorization response,
//!    [`handle_redirect_callback`](crate::facade::OidcClient::handle_redirect_callback) completes the
//!    login (the address is scrubbed first), then the address is replaced with the path the login
//!    started from; when it is the post-logout redirect URI with the logout `state`,
//!    [`handle_logout_callback`](crate::facade::OidcClient::handle_logout_callback) checks it and
//!    removes it;
//! 3. the state follows the engine's session events from then on
//!    ([`subscribe`](crate::facade::OidcClient::subscribe)).

mod config;
mod session;
mod state;

pub use config::{AuthConfig, LogoutEndpoint, Restore, Tenants};
pub use state::AuthState;

pub(crate) use session::{Session, missing_session};
