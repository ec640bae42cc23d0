//! The driver: runs the protocol core against a [`Platform`], holds the session in memory, and keeps
//! renewal single-flight. The JavaScript API, and the Yew and Leptos integrations, all sit on this one
//! driver; none of them drives the core directly.
//!
//! Method kinds follow the core's split: commands (`login`, `handle_callback`, `logout`), queries
//! (`is_authenticated`, `claims`), and `access_token`, which renews when it must.

mod events;
mod flight;
mod platform;
mod session;

pub use events::{AuthEvent, SignedOutReason};
pub use platform::Platform;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::core::{
    AccessToken, CallbackParams, ClientConfig, Error, IdTokenClaims, IdTokenExpectations, Json,
    Jws, LoginRandom, LoginRequiredReason, Misuse, PendingLogin, ProviderMetadata, TokenResponse,
    authorization_request, code_request, discovery_url, refresh_request, validate_id_token,
    validate_refreshed_id_token,
};
use crate::core::{HttpRequest, HttpResponse, Method, OAuthError};
use flight::SingleFlight;
use session::Session;

/// Prefix of the tab-scoped storage keys that hold pending login transactions: `oxidc.tx.<state>`.
pub const TRANSACTION_PREFIX: &str = "oxidc.tx.";

/// Options for [`Client::login`].
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct LoginOptions {
    /// Same-origin path to return to after the callback (for example `/orders?page=2`).
    pub return_to: Option<String>,
}

impl LoginOptions {
    /// Options that return to `path` after login.
    pub fn return_to(path: impl Into<String>) -> Self {
        LoginOptions {
            return_to: Some(path.into()),
        }
    }
}

/// What a successful callback yields.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallbackOutcome {
    /// The path given to `login`, already checked to be same-origin.
    pub return_to: Option<String>,
}

type Listener = Rc<dyn Fn(&AuthEvent)>;

/// An OpenID Connect client session for one provider, generic over where it runs.
///
/// Cheap to clone: clones share the same session.
pub struct Client<P: Platform> {
    inner: Rc<Inner<P>>,
}

impl<P: Platform> Clone for Client<P> {
    fn clone(&self) -> Self {
        Client {
            inner: Rc::clone(&self.inner),
        }
    }
}

struct Inner<P: Platform> {
    platform: P,
    config: ClientConfig,
    metadata: ProviderMetadata,
    session: RefCell<Option<Session>>,
    refresh: SingleFlight<Result<AccessToken, Error>>,
    /// Bumped whenever the session is replaced or cleared, so a late refresh result cannot resurrect it.
    epoch: Cell<u64>,
    listeners: RefCell<Vec<(u64, Listener)>>,
    next_listener: Cell<u64>,
}

impl<P: Platform> Client<P> {
    /// Fetches the provider's discovery document, checks it, and returns a client.
    ///
    /// Fails before any navigation when the metadata is unusable (issuer mismatch, insecure endpoints,
    /// no S256 PKCE): OpenID Connect Discovery 1.0 §4.3, RFC 8414 §3.3.
    pub async fn discover(platform: P, config: ClientConfig) -> Result<Self, Error> {
        config.validate()?;
        let request = HttpRequest {
            method: Method::Get,
            url: discovery_url(&config.issuer),
            headers: vec![("Accept".into(), "application/json".into())],
            body: None,
        };
        let response = platform.fetch(&request).await?;
        let metadata = ProviderMetadata::from_response(&config, &response, platform.json())?;
        Self::with_metadata(platform, config, metadata)
    }

    /// A client from metadata obtained elsewhere (for example a cached copy).
    pub fn with_metadata(
        platform: P,
        config: ClientConfig,
        metadata: ProviderMetadata,
    ) -> Result<Self, Error> {
        config.validate()?;
        Ok(Client {
            inner: Rc::new(Inner {
                platform,
                config,
                metadata,
                session: RefCell::new(None),
                refresh: SingleFlight::new(),
                epoch: Cell::new(0),
                listeners: RefCell::new(Vec::new()),
                next_listener: Cell::new(1),
            }),
        })
    }

    /// The configuration this client was made with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The provider metadata in use.
    pub fn metadata(&self) -> &ProviderMetadata {
        &self.inner.metadata
    }

    /// The platform this client runs on.
    pub fn platform(&self) -> &P {
        &self.inner.platform
    }

    /// Prepares a login: stores the transaction record and returns the authorization URL, without navigating.
    pub fn authorization_url(&self, options: &LoginOptions) -> Result<String, Error> {
        let p = &self.inner.platform;
        let mut random = LoginRandom {
            state: [0; 32],
            nonce: [0; 32],
            verifier: [0; 32],
        };
        p.fill_random(&mut random.state)?;
        p.fill_random(&mut random.nonce)?;
        p.fill_random(&mut random.verifier)?;
        let request = authorization_request(
            &self.inner.config,
            &self.inner.metadata,
            &random,
            options.return_to.as_deref(),
            p.now(),
        )?;
        // At most one pending login per tab: an abandoned earlier attempt is forgotten.
        p.transaction_clear(TRANSACTION_PREFIX);
        let key = transaction_key(request.pending.state.secret());
        p.transaction_put(&key, &request.pending.to_storage_string())?;
        Ok(request.url)
    }

    /// Starts a login: stores the transaction record and navigates the page to the provider.
    pub fn login(&self, options: &LoginOptions) -> Result<(), Error> {
        let url = self.authorization_url(options)?;
        self.inner.platform.navigate(&url)
    }

    /// Completes a login from the decoded query and fragment parameters of the redirect URL.
    ///
    /// The transaction record is taken (deleted) from storage before any network request, so a second
    /// call for the same response, in the same tick or after a reload, gets `no_pending_login` and the
    /// code is exchanged exactly once (RFC 6749 §4.1.2). A failed exchange is never retried.
    pub async fn handle_callback(
        &self,
        query: &[(String, String)],
        fragment: &[(String, String)],
    ) -> Result<CallbackOutcome, Error> {
        let inner = &self.inner;
        let p = &inner.platform;
        let params = CallbackParams::from_pairs(query, fragment)?;
        let Some(state) = params.state() else {
            return Err(Error::InvalidResponse(
                crate::core::InvalidResponse::StateMissing,
            ));
        };
        let record = p.transaction_take(&transaction_key(state))?;
        let Some(record) = record else {
            return Err(Error::Misuse(Misuse::NoPendingLogin));
        };
        let pending = PendingLogin::from_storage_string(&record, p.json())?;
        let now = p.now();
        let code = params.validate(
            &pending,
            &inner.metadata,
            inner.config.transaction_ttl_secs,
            now,
        )?;
        let request = code_request(&inner.metadata, &pending, code);
        let response = p.fetch(&request).await?;
        let tokens = TokenResponse::from_response(&response, p.json())?;
        let received = p.now();
        let claims = if inner.config.wants_openid() {
            let id_token = tokens.require_id_token()?;
            let jws = Jws::parse(id_token.secret(), p.json())?;
            Some(self.check_id_token(&jws, &tokens.access_token, Some(&pending), received)?)
        } else {
            None
        };
        self.replace_session(Some(Session::new(tokens, claims, received)));
        self.emit(&AuthEvent::SignedIn);
        Ok(CallbackOutcome {
            return_to: pending.return_to,
        })
    }

    /// Checks an ID token's claims (OIDC Core §3.1.3.7). Signatures are verified by a separate step.
    fn check_id_token(
        &self,
        jws: &Jws,
        access_token: &AccessToken,
        pending: Option<&PendingLogin>,
        now: u64,
    ) -> Result<IdTokenClaims, Error> {
        let cfg = &self.inner.config;
        let allowed: Vec<String> = cfg
            .id_token_signing_algs
            .iter()
            .filter(|a| self.inner.metadata.id_token_signing_algs.contains(a))
            .cloned()
            .collect();
        let expect = IdTokenExpectations {
            issuer: &cfg.issuer,
            client_id: &cfg.client_id,
            nonce: pending.map(|p| &p.nonce),
            max_age: pending.and_then(|p| p.max_age),
            allowed_algs: &allowed,
            leeway_secs: cfg.leeway_secs,
            max_iat_age_secs: cfg.max_iat_age_secs,
            access_token: Some(access_token),
        };
        validate_id_token(jws, &expect, now)
    }

    /// Returns an access token with at least the configured margin of life left, renewing it first
    /// with the refresh token when needed. Concurrent calls share one refresh request.
    pub async fn access_token(&self, force_refresh: bool) -> Result<AccessToken, Error> {
        let now = self.inner.platform.now();
        let margin = self.inner.config.refresh_margin_secs;
        let (has_refresh, expired) = match &*self.inner.session.borrow() {
            None => return Err(Error::login_required(LoginRequiredReason::NoSession)),
            Some(s) => {
                if !force_refresh && s.is_fresh(now, margin) {
                    return Ok(s.access_token.clone());
                }
                (s.refresh_token.is_some(), s.is_expired(now))
            }
        };
        if !has_refresh {
            if expired {
                self.end_session(SignedOutReason::Expired);
                return Err(Error::login_required(LoginRequiredReason::Expired));
            }
            // Nothing to renew with: the current token is still valid, hand it out.
            return self.current_token();
        }
        let this = self.clone();
        self.inner
            .refresh
            .run(move || async move { this.refresh_now().await })
            .await
    }

    fn current_token(&self) -> Result<AccessToken, Error> {
        self.inner
            .session
            .borrow()
            .as_ref()
            .map(|s| s.access_token.clone())
            .ok_or_else(|| Error::login_required(LoginRequiredReason::NoSession))
    }

    /// One refresh-token grant (RFC 6749 §6). Runs inside the single-flight.
    async fn refresh_now(&self) -> Result<AccessToken, Error> {
        let inner = &self.inner;
        let epoch = inner.epoch.get();
        let (request, original) = {
            let guard = inner.session.borrow();
            let Some(session) = guard.as_ref() else {
                return Err(Error::login_required(LoginRequiredReason::NoSession));
            };
            let Some(rt) = session.refresh_token.as_ref() else {
                return Err(Error::login_required(LoginRequiredReason::NoSession));
            };
            (
                refresh_request(&inner.metadata, &inner.config.client_id, rt, None),
                session.clone(),
            )
        };
        let mut attempt = 0;
        let result = loop {
            let (result, retry_after) = self.exchange_refresh(&request, &original).await;
            match retry_delay(&result, retry_after, attempt) {
                Some(delay) if inner.epoch.get() == epoch => {
                    attempt += 1;
                    inner.platform.sleep(delay).await;
                }
                _ => break result,
            }
        };
        if inner.epoch.get() != epoch {
            // Logged out (or signed in anew) while the request was in flight: drop the result.
            return Err(Error::login_required(LoginRequiredReason::LoggedOut));
        }
        match result {
            Ok(session) => {
                let token = session.access_token.clone();
                self.replace_session(Some(session));
                self.emit(&AuthEvent::Refreshed);
                Ok(token)
            }
            Err(err) if is_terminal_refresh_error(&err) => {
                self.end_session(SignedOutReason::RefreshRejected);
                Err(Error::login_required(LoginRequiredReason::RefreshRejected))
            }
            Err(err @ Error::InvalidResponse(_)) if response_was_accepted(&err) => {
                // The provider answered 200 but the tokens failed validation: they are discarded
                // (RFC 9700 §4.5.3.2), and the old refresh token has most likely been rotated away, so
                // using it again would be a replay. The session ends here.
                self.end_session(SignedOutReason::RefreshRejected);
                Err(err)
            }
            Err(err) => {
                self.emit(&AuthEvent::Error(err.code()));
                Err(err)
            }
        }
    }

    /// One refresh exchange; also returns the response's `Retry-After`, for the retry policy.
    async fn exchange_refresh(
        &self,
        request: &HttpRequest,
        original: &Session,
    ) -> (Result<Session, Error>, Option<u64>) {
        match self.inner.platform.fetch(request).await {
            Err(e) => (Err(e), None),
            Ok(response) => (
                self.process_refresh(&response, original),
                response.retry_after,
            ),
        }
    }

    fn process_refresh(
        &self,
        response: &HttpResponse,
        original: &Session,
    ) -> Result<Session, Error> {
        let p = &self.inner.platform;
        let tokens = TokenResponse::from_response(response, p.json())?;
        let now = p.now();
        let claims = match &tokens.id_token {
            None => None,
            Some(new_token) => {
                let new_jws = Jws::parse(new_token.secret(), p.json())?;
                let claims = self.check_id_token(&new_jws, &tokens.access_token, None, now)?;
                if let (Some(orig_claims), Some(orig_jws)) =
                    (&original.claims, original.id_jws(p.json()))
                {
                    validate_refreshed_id_token(&claims, &new_jws, orig_claims, &orig_jws?)?;
                }
                Some(claims)
            }
        };
        Ok(original.renewed(tokens, claims, now))
    }

    /// Re-checks the session against the clock, for when the page wakes up (tab shown again, restored from
    /// the back-forward cache, back online, a timer fired): renews a token that is inside the refresh margin
    /// (failures are reported as events, not returned), and ends a session whose token expired with no
    /// refresh token to renew it. A laptop waking from sleep thus never keeps handing out an expired token.
    pub async fn revalidate(&self) {
        let now = self.inner.platform.now();
        let margin = self.inner.config.refresh_margin_secs;
        let (fresh, expired, renewable) = match &*self.inner.session.borrow() {
            None => return,
            Some(s) => (
                s.is_fresh(now, margin),
                s.is_expired(now),
                s.refresh_token.is_some(),
            ),
        };
        if fresh {
            return;
        }
        if renewable {
            let _ = self.access_token(false).await;
        } else if expired {
            self.end_session(SignedOutReason::Expired);
        }
    }

    /// When the access token should next be renewed (Unix seconds): its expiry minus the refresh margin.
    /// None when there is no session, no refresh token, or no known expiry. A driver timer can call
    /// [`Client::revalidate`] then; calling it early or twice is harmless.
    pub fn next_refresh_at(&self) -> Option<u64> {
        let margin = self.inner.config.refresh_margin_secs;
        self.inner.session.borrow().as_ref().and_then(|s| {
            s.refresh_token.as_ref()?;
            s.renew_at(margin)
        })
    }

    /// A key for the current session while its access token is fresh (`access_token(false)` would
    /// return it without renewing); `None` otherwise. The key changes whenever the session is replaced
    /// or cleared, so a caller may reuse the token it got under a key for as long as this returns the
    /// same key.
    pub fn fresh_session_key(&self) -> Option<u64> {
        let now = self.inner.platform.now();
        let margin = self.inner.config.refresh_margin_secs;
        self.inner
            .session
            .borrow()
            .as_ref()
            .filter(|s| s.is_fresh(now, margin))
            .map(|_| self.inner.epoch.get())
    }

    /// True when tokens are held in memory and the access token has not expired (or can be renewed).
    pub fn is_authenticated(&self) -> bool {
        let now = self.inner.platform.now();
        self.inner
            .session
            .borrow()
            .as_ref()
            .is_some_and(|s| !s.is_expired(now) || s.refresh_token.is_some())
    }

    /// The ID token's claims (its payload), when signed in with an ID token.
    pub fn claims(&self) -> Option<Json> {
        self.inner
            .session
            .borrow()
            .as_ref()
            .and_then(|s| s.claims_json().cloned())
    }

    /// Ends the session: clears the tokens from memory first, then navigates to the provider's
    /// `end_session_endpoint` (OpenID Connect RP-Initiated Logout 1.0 §2) when it has one.
    pub fn logout(&self) -> Result<(), Error> {
        let id_token = self
            .inner
            .session
            .borrow()
            .as_ref()
            .and_then(|s| s.id_token.clone());
        self.end_session(SignedOutReason::LoggedOut);
        let cfg = &self.inner.config;
        let Some(endpoint) = self.inner.metadata.end_session_endpoint.as_deref() else {
            return Ok(());
        };
        // A fresh, unguessable state for the logout round trip (RP-Initiated Logout 1.0 §2).
        let mut random = [0u8; 32];
        self.inner.platform.fill_random(&mut random)?;
        let state = crate::core::random_value(&random);
        let mut params: Vec<(&str, &str)> = vec![("client_id", &cfg.client_id), ("state", &state)];
        if let Some(t) = id_token.as_ref() {
            params.push(("id_token_hint", t.secret()));
        }
        if let Some(uri) = cfg.post_logout_redirect_uri.as_deref() {
            params.push(("post_logout_redirect_uri", uri));
        }
        let url = crate::core::append_query(endpoint, &params);
        self.inner.platform.navigate(&url)
    }

    /// Registers `listener` for session events; returns an id for [`Client::unsubscribe`].
    pub fn subscribe(&self, listener: impl Fn(&AuthEvent) + 'static) -> u64 {
        let id = self.inner.next_listener.get();
        self.inner.next_listener.set(id.wrapping_add(1));
        self.inner
            .listeners
            .borrow_mut()
            .push((id, Rc::new(listener)));
        id
    }

    /// Removes a listener registered with [`Client::subscribe`].
    pub fn unsubscribe(&self, id: u64) {
        self.inner.listeners.borrow_mut().retain(|(i, _)| *i != id);
    }

    fn replace_session(&self, session: Option<Session>) {
        self.inner.epoch.set(self.inner.epoch.get().wrapping_add(1));
        *self.inner.session.borrow_mut() = session;
    }

    fn end_session(&self, reason: SignedOutReason) {
        let had = self.inner.session.borrow().is_some();
        self.replace_session(None);
        if had {
            self.emit(&AuthEvent::SignedOut(reason));
        }
    }

    fn emit(&self, event: &AuthEvent) {
        // Clone the list first: a listener may subscribe or unsubscribe while we iterate.
        let listeners: Vec<Listener> = self
            .inner
            .listeners
            .borrow()
            .iter()
            .map(|(_, l)| Rc::clone(l))
            .collect();
        for l in listeners {
            l(event);
        }
    }
}

/// The storage key of the transaction record for `state`.
pub fn transaction_key(state: &str) -> String {
    let mut key = String::with_capacity(TRANSACTION_PREFIX.len() + state.len());
    key.push_str(TRANSACTION_PREFIX);
    key.push_str(state);
    key
}

/// Refresh attempts after the first one, for transient failures.
const MAX_REFRESH_RETRIES: u32 = 2;
/// The longest `Retry-After` honoured, in seconds; a longer one gives up at once.
const MAX_RETRY_AFTER_SECS: u64 = 30;

/// How long to wait before retrying a refresh, or None to stop: only transient failures (network,
/// timeout, offline, 429 and 5xx) are retried, at most [`MAX_REFRESH_RETRIES`] times, honouring
/// `Retry-After` (RFC 9110 §10.2.3) and otherwise backing off 1 s, then 2 s. OAuth errors are final
/// (RFC 6749 §5.2).
fn retry_delay(
    result: &Result<Session, Error>,
    retry_after: Option<u64>,
    attempt: u32,
) -> Option<u64> {
    use crate::core::InvalidResponse as I;
    if attempt >= MAX_REFRESH_RETRIES {
        return None;
    }
    let backoff = 1u64 << attempt;
    match result {
        Err(Error::Transport(_)) => Some(backoff),
        Err(Error::Server(OAuthError {
            status: Some(s), ..
        }))
        | Err(Error::InvalidResponse(I::HttpStatus { status: s }))
            if *s == 429 || *s >= 500 =>
        {
            match retry_after {
                Some(secs) if secs > MAX_RETRY_AFTER_SECS => None,
                Some(secs) => Some(secs),
                None => Some(backoff),
            }
        }
        _ => None,
    }
}

/// True for failures of a 200 token response's content (as opposed to an HTTP or transport failure).
fn response_was_accepted(err: &Error) -> bool {
    use crate::core::InvalidResponse as I;
    matches!(
        err,
        Error::InvalidResponse(
            I::IdToken(_) | I::InvalidTokenResponse { .. } | I::UnsupportedTokenType
        )
    )
}

/// OAuth errors from the token endpoint that mean the refresh token is dead (RFC 6749 §5.2).
fn is_terminal_refresh_error(err: &Error) -> bool {
    matches!(err.oauth(), Some(OAuthError { error, .. }) if error == "invalid_grant" || error == "invalid_client" || error == "unauthorized_client")
}

#[cfg(test)]
#[path = "tests/client.rs"]
mod tests;
