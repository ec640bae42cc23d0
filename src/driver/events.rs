//! What the driver tells the application: the session state and the events that change it.
//!
//! No state or event ever carries a token; the ID token's claims are the only identity data exposed.

/// Why a session ended (or never started).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignedOutReason {
    /// The application called logout.
    LoggedOut,
    /// The provider rejected the refresh token (`invalid_grant`): the grant was revoked or expired.
    RefreshRejected,
    /// The access token expired and there was no refresh token to renew it.
    Expired,
    /// The user logged out in another tab of this application.
    OtherTab,
}

impl SignedOutReason {
    /// Stable snake_case name, as used by the JavaScript API.
    pub fn as_str(self) -> &'static str {
        match self {
            SignedOutReason::LoggedOut => "logged_out",
            SignedOutReason::RefreshRejected => "refresh_rejected",
            SignedOutReason::Expired => "expired",
            SignedOutReason::OtherTab => "other_tab",
        }
    }
}

/// A change of the session, delivered to subscribers.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthEvent {
    /// A login completed: tokens are in memory.
    SignedIn,
    /// The tokens were renewed with the refresh token.
    Refreshed,
    /// The session ended; tokens were cleared from memory.
    SignedOut(SignedOutReason),
    /// An operation failed without ending the session (for example a refresh hit a network error).
    /// Carries the error's stable code.
    Error(&'static str),
}

impl AuthEvent {
    /// Stable snake_case name of the event kind, as used by the JavaScript API.
    pub fn kind(&self) -> &'static str {
        match self {
            AuthEvent::SignedIn => "signed_in",
            AuthEvent::Refreshed => "refreshed",
            AuthEvent::SignedOut(_) => "signed_out",
            AuthEvent::Error(_) => "error",
        }
    }
}
