//! The session state the components render from.

use crate::browser::BrowserPlatform;
use crate::core::{Error, Json};
use crate::driver::{AuthEvent, Client, SignedOutReason};

/// Where the session stands: a small closed set of states, updated from the driver's events.
///
/// It never holds a token: the ID token's claims are the only identity data in it, and an access
/// token is obtained when needed with `use_access_token()`.
#[derive(Clone, Debug, PartialEq)]
pub enum AuthState {
    /// The provider component is starting: discovery, and completing a login on the redirect page.
    Loading,
    /// Nobody is signed in.
    SignedOut {
        /// Why the session ended; `None` when there was none in this page.
        reason: Option<SignedOutReason>,
    },
    /// Tokens are held in memory.
    SignedIn {
        /// The ID token's claims (`sub`, `name`, ...); `None` without the `openid` scope.
        claims: Option<Json>,
    },
    /// Start-up failed (discovery, or completing the login on the redirect page), or there is no
    /// provider component above the one asking. Nobody is signed in; a new login may be started
    /// unless discovery failed.
    Failed {
        /// What went wrong: `error.code()`, `error.hint()` and its `Display` never contain a secret.
        error: Error,
    },
}

impl AuthState {
    /// True while the provider component is starting.
    pub fn is_loading(&self) -> bool {
        matches!(self, AuthState::Loading)
    }

    /// True when tokens are held in memory.
    pub fn is_signed_in(&self) -> bool {
        matches!(self, AuthState::SignedIn { .. })
    }

    /// True when nobody is signed in and start-up is over: signed out or failed.
    pub fn is_signed_out(&self) -> bool {
        matches!(self, AuthState::SignedOut { .. } | AuthState::Failed { .. })
    }

    /// The ID token's claims when signed in.
    pub fn claims(&self) -> Option<&Json> {
        match self {
            AuthState::SignedIn { claims } => claims.as_ref(),
            _ => None,
        }
    }

    /// The error when start-up failed.
    pub fn error(&self) -> Option<&Error> {
        match self {
            AuthState::Failed { error } => Some(error),
            _ => None,
        }
    }

    /// Stable snake_case name: `loading`, `signed_out`, `signed_in` or `failed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            AuthState::Loading => "loading",
            AuthState::SignedOut { .. } => "signed_out",
            AuthState::SignedIn { .. } => "signed_in",
            AuthState::Failed { .. } => "failed",
        }
    }

    /// The state a hook reports when no provider component is above it.
    pub(crate) fn no_provider() -> Self {
        AuthState::Failed {
            error: no_provider_error(),
        }
    }

    /// The state after `event`; `None` when the event does not change it (an `Error` event means the
    /// session was kept).
    pub(crate) fn after_event(client: &Client<BrowserPlatform>, event: &AuthEvent) -> Option<Self> {
        match event {
            AuthEvent::SignedIn | AuthEvent::Refreshed => Some(AuthState::SignedIn {
                claims: client.claims(),
            }),
            AuthEvent::SignedOut(reason) => Some(AuthState::SignedOut {
                reason: Some(*reason),
            }),
            AuthEvent::Error(_) => None,
        }
    }
}

/// The error of a hook or action used outside a provider component.
pub(crate) fn no_provider_error() -> Error {
    Error::invalid_config(
        "AuthProvider",
        "no AuthProvider component above this one: wrap the application in <AuthProvider>",
    )
}
