//! What the Yew and Leptos integrations share (features `yew`, `leptos`): the configuration of the
//! provider component, the session state model, the start-up sequence and the handles that event
//! handlers use. Both integrations are thin wiring of these pieces into their framework's lifecycle,
//! on the one [`driver::Client`](crate::driver::Client) that the JavaScript API also uses.
//!
//! Start-up, run once per provider component:
//! 1. [`Client::discover`](crate::driver::Client::discover) with [`AuthConfig::client_config`], then
//!    [`browser::install_lifecycle`](crate::browser::install_lifecycle) (re-checks on wake-up, and
//!    [`AuthConfig::background_refresh`]), kept until the component goes away;
//! 2. when the page's address is the configured redirect URI and carries an authorization response,
//!    [`browser::handle_redirect`](crate::browser::handle_redirect) completes the login (the address is
//!    scrubbed first), then the address is replaced with the path the login started from; when it is
//!    the post-logout redirect URI with the logout `state`, that parameter is removed;
//! 3. the state follows the driver's [`AuthEvent`](crate::driver::AuthEvent)s from then on.

mod config;
mod session;
mod state;

pub use config::AuthConfig;
pub use state::AuthState;

pub(crate) use session::{Session, missing_session};
