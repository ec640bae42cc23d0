//! The access-token handle returned by `use_access_token()`.

use std::rc::Rc;

use ::leptos::prelude::*;

use crate::core::AccessToken;
use crate::facade::OidcError;
use crate::ui::{Session, missing_session};

/// Gets access tokens from the provider component's client, for event handlers and tasks.
///
/// Returned by [`use_access_token`](super::use_access_token). `Copy`, `Send` and `Sync` like Leptos's
/// own handles, so it can be moved into views and callbacks; it resolves the client when used, so a
/// handle taken while the provider was still starting works once start-up is over.
/// [`get`](Self::get) is `client.access_token(false)`: the last token the engine handed out when it
/// has enough life left, otherwise one renewal by the engine with the refresh token, shared by every
/// concurrent caller. Send the token only in an `Authorization` header; never log, display or store
/// it.
#[derive(Clone, Copy)]
pub struct AccessTokenSource {
    session: Option<StoredValue<Rc<Session>, LocalStorage>>,
}

impl AccessTokenSource {
    pub(crate) fn new(session: Option<StoredValue<Rc<Session>, LocalStorage>>) -> Self {
        AccessTokenSource { session }
    }

    fn session(&self) -> Option<Rc<Session>> {
        self.session.and_then(|s| s.try_get_value())
    }

    /// An access token with at least the configured margin of life left, renewed first when needed.
    ///
    /// Errors: `login_required` when nobody is signed in (or start-up is not over), the renewal's
    /// error otherwise; `invalid_config` outside a provider component (or after it was removed).
    pub async fn get(&self) -> Result<AccessToken, OidcError> {
        match self.session() {
            Some(session) => session.access_token(false).await,
            None => missing_session(),
        }
    }

    /// Renews the access token now with the refresh token (`client.access_token(true)`), and returns it.
    pub async fn refresh(&self) -> Result<AccessToken, OidcError> {
        match self.session() {
            Some(session) => session.access_token(true).await,
            None => missing_session(),
        }
    }

    /// Sends `request` with the access token through
    /// [`OidcClient::fetch`](crate::facade::OidcClient::fetch): only to the configured API origins
    /// ([`AuthConfig::with_api_origins`](crate::ui::AuthConfig::with_api_origins)), as `Bearer`, or
    /// as `DPoP` with a proof the engine signs
    /// ([`AuthConfig::with_dpop`](crate::ui::AuthConfig::with_dpop)); a refused token is renewed and
    /// the request retried once. `login_required` while starting or signed out.
    pub async fn fetch(&self, request: &web_sys::Request) -> Result<web_sys::Response, OidcError> {
        match self.session() {
            Some(session) => session.fetch(request).await,
            None => missing_session(),
        }
    }
}

impl std::fmt::Debug for AccessTokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessTokenSource")
    }
}
