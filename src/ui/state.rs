//! The session state the components render from.

use crate::core::{Error, Json};
use crate::driver::SignedOutReason;
use crate::facade::{OidcClient, OidcError, SessionChange, SessionEvent};

/// Where the session stands: a small closed set of states, updated from the engine's session events.
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
    /// The engine holds a session (its tokens stay in the engine).
    SignedIn {
        /// The ID token's claims (`sub`, `name`, ...); `None` without the `openid` scope.
        claims: Option<Json>,
    },
    /// Start-up failed (the options, the engine's worker, discovery, or completing the login or the
    /// logout on the redirect page), a login or logout failed after its callback had returned, or
    /// there is no provider component above the one asking. Nobody is signed in; a new login may be
    /// started unless start-up failed.
    Failed {
        /// What went wrong: `error.code()`, `error.hint()` and its `Display` never contain a secret.
        error: OidcError,
    },
}

impl AuthState {
    /// True while the provider component is starting.
    pub fn is_loading(&self) -> bool {
        matches!(self, AuthState::Loading)
    }

    /// True when the engine holds a session.
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

    /// The error when start-up (or a login or logout) failed.
    pub fn error(&self) -> Option<&OidcError> {
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

    /// The state after `change`; `None` when it does not change it (an `error` event means the
    /// session was kept).
    pub(crate) fn after_change(change: &SessionChange) -> Option<Self> {
        match &change.event {
            Some(SessionEvent::Error(_)) => None,
            Some(SessionEvent::SignedOut(reason)) => Some(AuthState::SignedOut { reason: *reason }),
            _ if change.signed_in => Some(AuthState::SignedIn {
                claims: change.claims.clone(),
            }),
            _ => Some(AuthState::SignedOut { reason: None }),
        }
    }

    /// The state of `client` as it stands (no event: a signed-out state has no reason).
    pub(crate) fn of(client: &OidcClient) -> Self {
        if client.is_authenticated() {
            AuthState::SignedIn {
                claims: client.claims(),
            }
        } else {
            AuthState::SignedOut { reason: None }
        }
    }
}

/// The error of a hook or action used outside a provider component.
pub(crate) fn no_provider_error() -> OidcError {
    Error::invalid_config(
        "AuthProvider",
        "no AuthProvider component above this one: wrap the application in <AuthProvider>",
    )
    .into()
}
