//! Tabs of one origin sharing one session, with tokens still only in memory.
//!
//! A tab that signs in or renews posts its session to the others (in the browser over a
//! `BroadcastChannel`); a new or reloaded tab asks for it instead of redirecting. Renewals are
//! serialized across tabs by one exclusive lock (Web Locks in the browser), and every tab holds a
//! shared *generation lock* named after the session id and generation it has. Whoever holds the
//! refresh lock can therefore tell, from the names of the locks held, whether another tab has already
//! renewed (a newer generation exists): it then waits for that session instead of sending its refresh
//! token, which would be a replay. No tab sends a refresh token another tab has renewed with.
//!
//! A platform without these primitives keeps every tab on its own session.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;

use super::SignedOutReason;
use crate::core::{AccessToken, Error, IdToken, RefreshToken};

/// A boxed, single-threaded future (what the [`Tabs`] methods return).
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A lock held until this guard is dropped.
pub struct LockGuard(#[allow(dead_code)] Box<dyn Any>);

impl LockGuard {
    /// Wraps whatever releases the lock when dropped.
    pub fn new(release_on_drop: impl Any) -> Self {
        LockGuard(Box::new(release_on_drop))
    }
}

impl std::fmt::Debug for LockGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LockGuard")
    }
}

/// Cross-tab primitives of a platform: locks visible to every tab of the origin, and a message channel.
pub trait Tabs {
    /// Waits for the exclusive lock `name`.
    fn lock(&self, name: &str) -> LocalFuture<'_, Result<LockGuard, Error>>;
    /// Takes the shared lock `name` (many tabs may hold it at once).
    fn hold_shared(&self, name: &str) -> LocalFuture<'_, Result<LockGuard, Error>>;
    /// The names of the locks currently held by any tab that start with `prefix`.
    fn held(&self, prefix: &str) -> LocalFuture<'_, Result<Vec<String>, Error>>;
    /// Sends `message` to every other tab of this client.
    fn post(&self, message: &TabMessage);
}

/// A session as handed from one tab to another. `Debug` is redacted (it holds the tokens).
#[derive(Clone)]
pub struct SharedSession {
    /// Random identifier of the login this session comes from (not a secret).
    pub sid: String,
    /// How many times this session has been renewed.
    pub generation: u64,
    /// When the login happened (Unix seconds); the newest login wins when tabs disagree.
    pub login_at: u64,
    /// The access token.
    pub access_token: AccessToken,
    /// When the access token expires (Unix seconds, local receipt time plus `expires_in`).
    pub expires_at: Option<u64>,
    /// The access token's lifetime as issued.
    pub lifetime: Option<u64>,
    /// The refresh token.
    pub refresh_token: Option<RefreshToken>,
    /// The ID token (its claims were validated by the tab that received it).
    pub id_token: Option<IdToken>,
    /// The granted scope.
    pub scope: Option<String>,
}

impl std::fmt::Debug for SharedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedSession")
            .field("sid", &self.sid)
            .field("generation", &self.generation)
            .field("login_at", &self.login_at)
            .finish_non_exhaustive()
    }
}

/// A message between tabs.
#[derive(Clone, Debug)]
pub enum TabMessage {
    /// A tab without a session (new, reloaded, or waiting for a renewal) asks for the current one.
    Hello,
    /// A tab's current session: after a login or a renewal, and in answer to [`TabMessage::Hello`].
    Session(Box<SharedSession>),
    /// The session `sid` ended (logout, or the provider rejected its refresh token).
    Ended {
        /// The session that ended.
        sid: String,
        /// Why.
        reason: SignedOutReason,
    },
}

/// Lock and channel names of one client (issuer and client id), so that two clients on one origin
/// never share a session.
#[derive(Clone, Debug)]
pub struct TabNames {
    namespace: String,
}

impl TabNames {
    /// Names for the client `client_id` at `issuer`.
    pub fn new(issuer: &str, client_id: &str) -> Self {
        let mut namespace = String::from("oxidc:");
        namespace.push_str(issuer);
        namespace.push(' ');
        namespace.push_str(client_id);
        TabNames { namespace }
    }

    /// The `BroadcastChannel` name.
    pub fn channel(&self) -> &str {
        &self.namespace
    }

    /// The exclusive lock taken around every renewal.
    pub fn refresh_lock(&self) -> String {
        let mut s = self.namespace.clone();
        s.push_str(" refresh");
        s
    }

    /// The prefix of the generation locks of session `sid`.
    pub fn generation_prefix(&self, sid: &str) -> String {
        let mut s = self.namespace.clone();
        s.push_str(" gen ");
        s.push_str(sid);
        s.push(' ');
        s
    }

    /// The prefix of every generation lock of this client.
    pub fn any_generation_prefix(&self) -> String {
        let mut s = self.namespace.clone();
        s.push_str(" gen ");
        s
    }

    /// The generation lock of session `sid` at `generation`.
    pub fn generation_lock(&self, sid: &str, generation: u64) -> String {
        let mut s = self.generation_prefix(sid);
        s.push_str(&generation.to_string());
        s
    }
}

/// The highest generation of `sid` among held lock `names` (that start with `prefix`).
pub(crate) fn newest_generation(names: &[String], prefix: &str) -> Option<u64> {
    names
        .iter()
        .filter_map(|n| n.strip_prefix(prefix)?.parse::<u64>().ok())
        .max()
}
