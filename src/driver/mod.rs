//! The driver: runs the protocol core against a [`Platform`], holds the session in memory, and keeps
//! renewal single-flight. The JavaScript API, and the Yew and Leptos integrations, all sit on this one
//! driver; none of them drives the core directly.
//!
//! Method kinds follow the core's split: commands (`login`, `handle_callback`, `logout`), queries
//! (`is_authenticated`, `claims`), and `access_token`, which renews when it must.

mod dpop;
mod events;
mod flight;
mod hub;
mod id_check;
mod keys;
mod machine;
mod outlive;
mod platform;
mod revocation;
mod session;

pub use crate::core::LoginOptions;
pub use events::{AuthEvent, SignedOutReason};
pub use keys::REFETCH_COOLDOWN_SECS;
pub use platform::Platform;

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use crate::core::{
    AccessToken, AuthorizationRequest, CallbackParams, ClientConfig, Error, IdTokenClaims,
    IdTokenExpectations, Json, Jws, LoginRandom, LoginRequiredReason, Misuse, PendingLogin,
    ProviderMetadata, PushedRequest, Revocation, TokenResponse, authorization_request_with_digest,
    check_logout_state, code_request, configured_logout_url, discovery_url, end_session_url,
    needs_interaction, par_request, pushed_authorization_url, pushed_endpoint, refresh_request,
    revocation_outcome, revocation_request, silent_authorization_request_with_digest,
    userinfo_claims, userinfo_request_as, validate_id_token, validate_refreshed_id_token,
};
use crate::core::{
    CodeVerifier, HttpRequest, HttpResponse, Method, Platform as PlatformError, Sha, Transport,
};
use id_check::{IdCheck, Need};
use machine::{Job, Machine, Sent, Step};
use outlive::{Ending, Outlive};
use revocation::{Next as RevokeNext, Revoked, Revoker};
use session::Session;

/// Prefix of every tab-scoped storage key of the library (cleared together at each login).
pub const TRANSACTION_PREFIX: &str = "oxidc.tx.";

/// Prefix of the keys of pending login records, `oxidc.tx.login.<state>`: the `state` of a callback
/// is attacker-controlled, so its lookups stay out of the markers' keys below.
const LOGIN_PREFIX: &str = "oxidc.tx.login.";

/// Tab-scoped marker (no secret) left when a silent restore came back needing interaction, so that the
/// tab does not try again until the next interactive login (which clears it): no redirect loop.
const RESTORE_FAILED_KEY: &str = "oxidc.tx.restore-failed";

/// Tab-scoped record of the `state` sent with an RP-initiated logout, until the provider sends the
/// browser back (or the next login clears it).
const LOGOUT_KEY: &str = "oxidc.tx.logout";

/// What a successful callback yields.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallbackOutcome {
    /// The path given to `login`, already checked to be same-origin.
    pub return_to: Option<String>,
    /// False when a silent restore came back needing interaction (`login_required` and the like): the
    /// callback ended cleanly, nobody is signed in, and the application shows its login.
    pub signed_in: bool,
}

/// Builds an authorization request (interactive or silent) from the login's randomness.
type BuildLogin = fn(
    &ClientConfig,
    &ProviderMetadata,
    &LoginRandom,
    &[u8; 32],
    &LoginOptions,
    u64,
) -> Result<AuthorizationRequest, Error>;

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
    /// The session and its renewal policy (sans-I/O), the calls waiting for it and the listeners;
    /// this driver runs the machine's jobs.
    hub: hub::Hub,
    keys: keys::KeyCache,
    /// The session's DPoP key (with the `dpop` option), made at first use, dropped at logout.
    dpop_key: RefCell<Option<dpop::Key<P>>>,
    /// The last `DPoP-Nonce` of each of the provider's origins, from its own answers.
    nonces: RefCell<dpop::Nonces>,
    /// The last `DPoP-Nonce` of each of the app's API origins, as the page reported them: kept
    /// apart, so that the page cannot set the nonce of the provider's requests.
    api_nonces: RefCell<dpop::Nonces>,
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
        mut metadata: ProviderMetadata,
    ) -> Result<Self, Error> {
        config.validate()?;
        if !crate::core::discovery::issuer_matches(&config, &metadata.issuer) {
            return Err(crate::core::InvalidResponse::DiscoveryIssuerMismatch.into());
        }
        // DPoP only when the provider takes ES256 proofs: never a silent fall back to Bearer.
        let es256 = |algs: &Vec<String>| algs.iter().any(|a| a == crate::core::dpop::DPOP_ALG);
        if config.dpop && !metadata.dpop_signing_algs.as_ref().is_some_and(es256) {
            return Err(Error::Unsupported(crate::core::Unsupported::Dpop));
        }
        if metadata.revocation_endpoint.is_none() {
            metadata
                .revocation_endpoint
                .clone_from(&config.revocation_endpoint);
        }
        let margin = config.refresh_margin_secs;
        Ok(Client {
            inner: Rc::new(Inner {
                platform,
                config,
                hub: hub::Hub::new(margin),
                metadata,
                keys: keys::KeyCache::new(),
                dpop_key: RefCell::new(None),
                nonces: RefCell::new(Vec::new()),
                api_nonces: RefCell::new(Vec::new()),
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

    /// Prepares a login: stores the transaction record and resolves to the URL to navigate to,
    /// without navigating. When logins are pushed ([`crate::core::pushed_endpoint`]: the provider
    /// requires it, or [`ClientConfig::pushed_authorization_requests`]), the request is pushed first
    /// (RFC 9126) and the URL carries only `client_id` and `request_uri`; a failed push removes the
    /// record again and never falls back to a front-channel request.
    pub async fn authorization_url(&self, options: &LoginOptions) -> Result<String, Error> {
        self.login_url(options, false).await
    }

    /// [`Client::authorization_url`] for a login that completes in this same client (a popup
    /// login): with DPoP, the request carries `dpop_jkt` (RFC 9449 §10), binding the code to the
    /// session's key. A redirect login does not: its page, and with it an engine that holds the key
    /// in memory only, may be gone when the browser comes back, so its code is bound by the token
    /// request's proof instead.
    pub async fn bound_authorization_url(&self, options: &LoginOptions) -> Result<String, Error> {
        self.login_url(options, true).await
    }

    /// [`Client::bound_authorization_url`] when `bound`, else [`Client::authorization_url`]: one
    /// future for both, for the engine's one login message.
    pub(crate) async fn login_url(
        &self,
        options: &LoginOptions,
        bound: bool,
    ) -> Result<String, Error> {
        let mut options = options.clone();
        if bound {
            options.dpop_jkt = self.dpop_jkt().await?;
        }
        self.prepare_login(authorization_request_with_digest, &options)
            .await
    }

    /// Checks whether the login is pushed, draws its randomness, builds the request with `build`,
    /// stores its record (after the challenge's digest, with no `await` between clearing the tab's
    /// earlier records and storing this one), and pushes it when it must.
    async fn prepare_login(
        &self,
        build: BuildLogin,
        options: &LoginOptions,
    ) -> Result<String, Error> {
        let inner = &self.inner;
        let p = &inner.platform;
        let push = pushed_endpoint(&inner.config, &inner.metadata)?;
        let mut random = LoginRandom {
            state: [0; 32],
            nonce: [0; 32],
            verifier: [0; 32],
        };
        p.fill_random(&mut random.state)?;
        p.fill_random(&mut random.nonce)?;
        p.fill_random(&mut random.verifier)?;
        // The S256 challenge's digest through the platform (WebCrypto in browsers): the engine's
        // build carries no SHA-256 code of its own.
        let verifier = CodeVerifier::from_random(&random.verifier);
        let digest: [u8; 32] = p
            .digest(Sha::Sha256, verifier.secret().as_bytes())
            .await?
            .try_into()
            .map_err(|_| Error::Platform(PlatformError::CryptoUnavailable))?;
        drop(verifier);
        let request = build(
            &inner.config,
            &inner.metadata,
            &random,
            &digest,
            options,
            p.now(),
        )?;
        // At most one pending login per tab: an abandoned earlier attempt is forgotten.
        p.transaction_clear(TRANSACTION_PREFIX);
        let key = transaction_key(request.pending.state.secret());
        p.transaction_put(&key, &request.pending.to_storage_string())?;
        let Some(endpoint) = push else {
            return Ok(request.url);
        };
        let pushed = self.push(endpoint, &request).await;
        if pushed.is_err() {
            // No login can complete without its pushed request: its record goes too.
            p.transaction_clear(&key);
        }
        pushed
    }

    /// Pushes `request` (RFC 9126 §2) and returns the authorization URL that refers to it. The
    /// provider's error text loses any echo of the request's `state` or `nonce`.
    async fn push(&self, endpoint: &str, request: &AuthorizationRequest) -> Result<String, Error> {
        let p = &self.inner.platform;
        let response = p.fetch(&par_request(endpoint, request)).await?;
        let pending = &request.pending;
        let pushed = PushedRequest::from_response(&response, p.json())
            .map_err(|e| e.without_secrets(&[pending.state.secret(), pending.nonce.secret()]))?;
        Ok(pushed_authorization_url(
            &self.inner.metadata,
            &self.inner.config.client_id,
            &pushed.request_uri,
        ))
    }

    /// Starts a login: stores the transaction record and navigates the page to the provider (after
    /// pushing the request, see [`Client::authorization_url`]).
    pub async fn login(&self, options: &LoginOptions) -> Result<(), Error> {
        let url = self.authorization_url(options).await?;
        self.inner.platform.navigate(&url)
    }

    /// Restores a session after a reload with no other tab to take it from: a top-level `prompt=none`
    /// redirect (pushed like any login when logins are pushed) that comes back to `return_to` signed
    /// in when the provider still has a session for the user. Resolves to false (and does nothing)
    /// when a silent restore in this tab already came back needing interaction, until the next
    /// interactive login: a restore never loops.
    pub async fn restore_silently(&self, return_to: Option<&str>) -> Result<bool, Error> {
        let p = &self.inner.platform;
        if let Some(marker) = p.transaction_take(RESTORE_FAILED_KEY)? {
            p.transaction_put(RESTORE_FAILED_KEY, &marker)?;
            return Ok(false);
        }
        let options = LoginOptions {
            return_to: return_to.map(str::to_owned),
            ..LoginOptions::default()
        };
        let url = self
            .prepare_login(silent_authorization_request_with_digest, &options)
            .await?;
        p.navigate(&url)?;
        Ok(true)
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
        let mut pending = PendingLogin::from_storage_string(&record, p.json())?;
        // The record comes back from the page, so it is checked against this client: the code is
        // redeemed for this client and redirect URI only, and `max_age` is at least as strict as
        // configured.
        let cfg = &inner.config;
        if pending.client_id != cfg.client_id || pending.redirect_uri != cfg.redirect_uri {
            return Err(Error::Misuse(Misuse::NoPendingLogin));
        }
        // And for this issuer: in multi-tenant mode a record naming one tenant's issuer would
        // otherwise pass for the template's.
        if pending.issuer != cfg.issuer {
            return Err(crate::core::InvalidResponse::IssuerMismatch.into());
        }
        pending.max_age = match (pending.max_age, cfg.max_age) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let now = p.now();
        let code = match params.validate_with_tenants(
            &pending,
            &inner.metadata,
            inner.config.allowed_tenants.as_ref(),
            inner.config.transaction_ttl_secs,
            now,
        ) {
            Ok(code) => code,
            Err(err)
                if pending.silent && err.oauth().is_some_and(|e| needs_interaction(&e.error)) =>
            {
                // The provider needs the user: the silent restore ends here, quietly, and is not
                // tried again in this tab until an interactive login.
                p.transaction_put(RESTORE_FAILED_KEY, "1")?;
                return Ok(CallbackOutcome {
                    return_to: pending.return_to,
                    signed_in: false,
                });
            }
            Err(err) => return Err(err),
        };
        let code_text = code.code.secret().to_owned();
        let callback_iss = code.iss.clone();
        let request = code_request(&inner.metadata, &pending, code);
        let key = self.dpop_key().await?;
        let response = self.send(&request, key.as_ref(), None).await?;
        let tokens = TokenResponse::from_response_bound(&response, p.json(), key.is_some())
            .map_err(|e| e.without_secrets(&[&code_text, pending.verifier.secret()]))?;
        let received = p.now();
        let claims = if inner.config.wants_openid() {
            let id_token = tokens.require_id_token()?;
            let jws = Jws::parse(id_token.secret(), p.json())?;
            let claims = self
                .check_id_token(&jws, &tokens.access_token, Some(&pending), received)
                .await?;
            // The response's `iss` and the ID token's name one issuer (in multi-tenant mode, one
            // tenant); without the mode both already equal the configured issuer.
            if callback_iss.as_ref().is_some_and(|iss| *iss != claims.iss) {
                return Err(Error::id_token(crate::core::IdTokenProblem::Iss));
            }
            Some(claims)
        } else {
            None
        };
        // Calls asked again of the new session are judged at the time it is put in place: the
        // checks above may have taken a while (a key set fetched, a laptop asleep).
        self.replace_session(Session::new(tokens, claims, received), p.now());
        if key.is_some() {
            // The session's tokens are bound to the key of this exchange: it stays the session's
            // key even if a logout dropped it meanwhile.
            *self.inner.dpop_key.borrow_mut() = key;
        }
        self.emit(&AuthEvent::SignedIn);
        Ok(CallbackOutcome {
            return_to: pending.return_to,
            signed_in: true,
        })
    }

    /// Checks an ID token (OIDC Core §3.1.3.7): its signature with the provider's published keys
    /// (never `jku`, `x5u` or an embedded `jwk`), then its claims; `now` is when its response came.
    /// The policy is the machine's (`id_check.rs`); this loop fetches the key set, verifies the
    /// signature and hashes the access token for `at_hash` when it asks.
    async fn check_id_token(
        &self,
        jws: &Jws,
        access_token: &AccessToken,
        pending: Option<&PendingLogin>,
        now: u64,
    ) -> Result<IdTokenClaims, Error> {
        let inner = &self.inner;
        let p = &inner.platform;
        let metadata = &inner.metadata;
        let allowed = self.allowed_id_token_algs();
        let cached = metadata
            .jwks_uri
            .as_deref()
            .and_then(|uri| inner.keys.get(&metadata.issuer, uri));
        let mut check = IdCheck::new(jws, &allowed, metadata.jwks_uri.is_some(), cached);
        let digest = loop {
            match check.next(jws, &inner.keys, p.now()) {
                Need::Keys => check.keys(self.fetch_keys().await),
                Need::Verify(jwk) => check.verified(
                    p.verify_signature(&jws.alg, &jwk, jws.signing_input(), jws.signature())
                        .await,
                ),
                Need::Digest(sha) => {
                    check.digested(p.digest(sha, access_token.secret().as_bytes()).await)
                }
                Need::Claims(digest) => break digest,
                Need::Refused(err) => return Err(err),
            }
        };
        let cfg = &inner.config;
        let expect = IdTokenExpectations {
            // The discovery `issuer`: the configured one, or in multi-tenant mode its template.
            issuer: &metadata.issuer,
            tenants: cfg.allowed_tenants.as_ref(),
            client_id: &cfg.client_id,
            nonce: pending.map(|p| &p.nonce),
            max_age: pending.and_then(|p| p.max_age),
            essential_acr: pending
                .filter(|p| p.acr_essential)
                .map(|p| p.acr_values.as_slice()),
            allowed_algs: &allowed,
            leeway_secs: cfg.leeway_secs,
            max_iat_age_secs: cfg.max_iat_age_secs,
            access_token_digest: digest.as_deref(),
        };
        validate_id_token(jws, &expect, now)
    }

    /// Returns an access token with at least the configured margin of life left, renewing it first
    /// with the refresh token when needed. Concurrent calls share one refresh request.
    ///
    /// The policy is the session machine's (`machine.rs`): this loop only runs the jobs it hands to
    /// this call (send the refresh request, or wait before the next attempt) and reports back.
    ///
    /// A refresh token the provider may already have rotated is not sent again and again (a provider
    /// with reuse detection would revoke the whole grant, RFC 9700 §4.14.2):
    ///
    /// - an answer of 429 or 5xx, or `offline` (nothing was sent), leaves the token unused: retried
    ///   after a backoff (1 s, then 2 s, or the provider's `Retry-After` up to 30 s), at most twice;
    /// - a timeout or a network error leaves it unknown whether the provider used (and rotated) the
    ///   token. After the token's first such outcome it is sent once more, after the same backoff, as
    ///   the last attempt of this renewal; after any later one the renewal stops. When the provider
    ///   answers the resend with `invalid_grant` (it had rotated the token), the session ends as after
    ///   any rejected refresh;
    /// - after two unknown outcomes, renewals nobody asked for ([`Client::revalidate`]) leave the token
    ///   alone: only a call of the application ([`Client::access_token`]) sends it, and without a
    ///   resend after an unknown outcome.
    pub async fn access_token(&self, force_refresh: bool) -> Result<AccessToken, Error> {
        let inner = &self.inner;
        // Until its answer: if this future is dropped, the machine hears of it.
        let call = inner.hub.call();
        let caller = call.caller;
        let now = inner.platform.now();
        self.step(|m| m.ask(caller, force_refresh, now));
        let mut asked_again = false;
        loop {
            match call.next().await {
                Step::Answer(Ok(token)) if !asked_again && !self.is_fresh(&token) => {
                    // Given while this call was still busy (a login came during its wait), or
                    // while the page slept: the token was replaced since, or is inside the margin
                    // now. Asked once more, it gets the session's token now, or a renewal.
                    asked_again = true;
                    call.ask_again(inner.platform.now());
                }
                Step::Answer(result) => return result,
                Step::Job(Job::Exchange { flight, original }) => {
                    // Its own task if this call is dropped before it ends (`outlive.rs`).
                    let this = self.clone();
                    let running = Rc::clone(&call.running);
                    let task = Box::pin(async move {
                        // Out from its first poll (which `Outlive` makes at once) to its end.
                        running.start();
                        let _ending = Ending {
                            running,
                            hub: &this.inner.hub,
                            caller,
                        };
                        let (result, sent) = this.exchange_refresh(flight, &original).await;
                        this.step(|m| m.sent(flight, result, sent));
                    });
                    Outlive::new(task, &inner.platform).await;
                }
                Step::Job(Job::Wait { flight, ms }) => {
                    inner.platform.sleep_ms(ms).await;
                    self.step(|m| m.waited(flight));
                }
            }
        }
    }

    /// Whether `token` is the session's access token and still has the renewal margin left.
    fn is_fresh(&self, token: &AccessToken) -> bool {
        self.fresh_until(token).is_some()
    }

    /// Runs `f` on the session machine, then hands its events to the listeners and wakes the
    /// calls waiting for it.
    fn step<R>(&self, f: impl FnOnce(&mut Machine) -> R) -> R {
        self.inner.hub.step(f)
    }

    /// The session, read-only.
    fn session(&self) -> Ref<'_, Option<Session>> {
        Ref::map(self.inner.hub.machine.borrow(), Machine::session)
    }

    /// One refresh exchange (RFC 6749 §6) with `original`'s refresh token; also returns what it
    /// says about the refresh token, for the machine's retries.
    async fn exchange_refresh(
        &self,
        flight: u64,
        original: &Session,
    ) -> (Result<Session, Error>, Sent) {
        let inner = &self.inner;
        let Some(rt) = original.refresh_token.as_ref() else {
            return (
                Err(Error::login_required(LoginRequiredReason::NoSession)),
                Sent::Answered,
            );
        };
        // The key the refresh token is bound to; never a new one. Without it no refresh is sent
        // and the session ends (K04).
        let key = self.existing_dpop_key();
        if inner.config.dpop && key.is_none() {
            let lost = Error::login_required(LoginRequiredReason::RefreshRejected);
            return (Err(lost), Sent::Answered);
        }
        let request = refresh_request(&inner.metadata, &inner.config.client_id, rt, None);
        match self.send(&request, key.as_ref(), None).await {
            Err(err) => {
                let sent = match &err {
                    Error::Transport(t) => match t {
                        Transport::Offline => Sent::Unused { retry_after: None },
                        Transport::Timeout | Transport::Network | Transport::Cors => Sent::Unknown,
                    },
                    _ => Sent::Answered,
                };
                (Err(err), sent)
            }
            Ok(response) => {
                let sent = match response.status {
                    429 | 500.. => Sent::Unused {
                        retry_after: response.retry_after,
                    },
                    200..=299 => {
                        // Taken by the provider: should this exchange never report (a platform
                        // that drops its task), the machine ends the session rather than send the
                        // token again.
                        self.inner.hub.machine.borrow_mut().answered(flight);
                        Sent::Accepted
                    }
                    _ => Sent::Answered,
                };
                (self.process_refresh(&response, original).await, sent)
            }
        }
    }

    async fn process_refresh(
        &self,
        response: &HttpResponse,
        original: &Session,
    ) -> Result<Session, Error> {
        let p = &self.inner.platform;
        let dpop = self.inner.config.dpop;
        let tokens = TokenResponse::from_response_bound(response, p.json(), dpop).map_err(|e| {
            let rt = original.refresh_token.as_ref().map_or("", |t| t.secret());
            e.without_secrets(&[rt])
        })?;
        let now = p.now();
        let claims = match &tokens.id_token {
            None => None,
            Some(new_token) => {
                let new_jws = Jws::parse(new_token.secret(), p.json())?;
                let claims = self
                    .check_id_token(&new_jws, &tokens.access_token, None, now)
                    .await?;
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
    ///
    /// It does not renew with a refresh token that has had two sends of unknown outcome (timeouts,
    /// network errors: the provider may have rotated it); only a call of the application
    /// ([`Client::access_token`]) sends that token again.
    pub async fn revalidate(&self) {
        let held_back = self.inner.hub.machine.borrow().held_back();
        if held_back {
            return;
        }
        // `access_token(false)` does exactly this: nothing for a fresh token, a renewal inside the
        // margin, and the end of a session that expired with nothing to renew it with.
        let _ = self.access_token(false).await;
    }

    /// When the access token should next be renewed (Unix seconds): its expiry minus the refresh margin.
    /// None when there is no session, no refresh token, or no known expiry. A driver timer can call
    /// [`Client::revalidate`] then; calling it early or twice is harmless.
    pub fn next_refresh_at(&self) -> Option<u64> {
        self.inner.hub.machine.borrow().next_refresh_at()
    }

    /// Seconds until a background renewal is due: one second past [`Client::next_refresh_at`], and
    /// after renewals that failed in a row ([`AuthEvent::Error`]) no sooner than 30 s doubling up
    /// to 15 min, so that a failing provider is not asked again at once. None when there is nothing
    /// to renew.
    pub fn renew_in_secs(&self) -> Option<u64> {
        let now = self.inner.platform.now();
        self.inner.hub.machine.borrow().renew_in_secs(now)
    }

    /// Until when (Unix seconds, inclusive) `token`, the access token [`Client::access_token`] just
    /// returned, stays fresh, so that a caller may hand it out again without asking; `u64::MAX` when
    /// its expiry is unknown; `None` when the session no longer holds that token fresh (renewed,
    /// replaced, ended). Any session event ends it sooner.
    pub fn fresh_until(&self, token: &AccessToken) -> Option<u64> {
        let now = self.inner.platform.now();
        let margin = self.inner.config.refresh_margin_secs;
        self.session()
            .as_ref()
            .filter(|s| s.access_token.secret() == token.secret() && s.is_fresh(now, margin))
            .map(|s| s.renew_at(margin).unwrap_or(u64::MAX))
    }

    /// True when tokens are held in memory and the access token has not expired (or can be renewed).
    pub fn is_authenticated(&self) -> bool {
        let now = self.inner.platform.now();
        self.session()
            .as_ref()
            .is_some_and(|s| !s.is_expired(now) || s.refresh_token.is_some())
    }

    /// The ID token's claims (its payload), when signed in with an ID token.
    pub fn claims(&self) -> Option<Json> {
        self.session()
            .as_ref()
            .and_then(|s| s.claims_json().cloned())
    }

    /// Ends the session, in this order (J01): the tokens are cleared from memory (and so for every
    /// page this client serves) before anything else; the refresh token is revoked (RFC 7009) when the
    /// provider has a `revocation_endpoint`, with bounded retries; then the page navigates to the
    /// provider's `end_session_endpoint` (RP-Initiated Logout 1.0 §2) with `id_token_hint`,
    /// `client_id`, the configured `post_logout_redirect_uri` and a fresh `state`, kept in tab
    /// storage for [`Client::complete_logout`]. A failed revocation does not stop the logout: it is
    /// reported as an [`AuthEvent::Error`] (`revocation_incomplete`, `revocation_unsupported`).
    ///
    /// The tokens are cleared when `logout` is called, not when the returned future is first polled,
    /// so a caller that spawns the future has already ended the session.
    pub fn logout(&self) -> impl std::future::Future<Output = Result<(), Error>> + 'static
    where
        P: 'static,
    {
        let finish = self.logout_url();
        let this = self.clone();
        async move {
            match finish.await? {
                Some(url) => this.inner.platform.navigate(&url),
                None => Ok(()),
            }
        }
    }

    /// [`Client::logout`] without the navigation: clears the tokens and stores the logout `state` at
    /// the call, then revokes, then resolves to the provider's logout URL for the caller to navigate
    /// to (`None` when the provider has no `end_session_endpoint`). For an engine that does not run in
    /// the page: every page-storage operation happens during the call itself, before the future runs.
    pub fn logout_url(
        &self,
    ) -> impl std::future::Future<Output = Result<Option<String>, Error>> + 'static
    where
        P: 'static,
    {
        let (id_token, refresh_token) = self.step(Machine::logout);
        // The session's DPoP key goes with it (the next session gets a new one); the revocation
        // below still proves possession with it.
        let key = self.inner.dpop_key.borrow_mut().take();
        self.inner.nonces.borrow_mut().clear();
        self.inner.api_nonces.borrow_mut().clear();
        let url = self.end_session_redirect(id_token.as_ref());
        let this = self.clone();
        async move {
            let url = url?;
            this.revoke_at_logout(refresh_token, key).await;
            Ok(url)
        }
    }

    /// The provider's logout URL with a fresh `state`, which is stored for [`Client::complete_logout`].
    fn end_session_redirect(
        &self,
        id_token: Option<&crate::core::IdToken>,
    ) -> Result<Option<String>, Error> {
        let p = &self.inner.platform;
        let cfg = &self.inner.config;
        // A fresh, unguessable state for the logout round trip (RP-Initiated Logout 1.0 §2).
        let mut random = [0u8; 32];
        p.fill_random(&mut random)?;
        let state = crate::core::random_value(&random);
        let Some(url) = end_session_url(
            &self.inner.metadata,
            &cfg.client_id,
            &state,
            id_token,
            cfg.post_logout_redirect_uri.as_deref(),
        ) else {
            // No end_session_endpoint: the configured logout endpoint, if any. It takes no state.
            return Ok(cfg.logout_endpoint.as_ref().map(|endpoint| {
                configured_logout_url(
                    endpoint,
                    &cfg.client_id,
                    id_token,
                    cfg.post_logout_redirect_uri.as_deref(),
                )
            }));
        };
        p.transaction_put(LOGOUT_KEY, &state)?;
        Ok(Some(url))
    }

    /// Revokes the refresh token at logout, after the tokens were cleared; a failure is an event.
    async fn revoke_at_logout(
        &self,
        refresh_token: Option<crate::core::RefreshToken>,
        key: Option<dpop::Key<P>>,
    ) {
        let cfg = &self.inner.config;
        if let Some(rt) = refresh_token {
            if let Some(request) = revocation_request(&self.inner.metadata, &cfg.client_id, &rt) {
                drop(rt);
                if let Err(err) = self.revoke(&request, key.as_ref()).await {
                    self.emit(&AuthEvent::Error(err.code()));
                }
            }
        }
    }

    /// One revocation and its retries: the policy is [`Revoker`]'s (`revocation.rs`); this loop
    /// sends, waits and reports.
    async fn revoke(&self, request: &HttpRequest, key: Option<&dpop::Key<P>>) -> Result<(), Error> {
        let p = &self.inner.platform;
        let mut revoker = Revoker::new();
        let mut next = Some(RevokeNext::Send);
        loop {
            next = match next {
                Some(RevokeNext::Send) => {
                    let outcome = match self.send(request, key, None).await {
                        Ok(response) => match revocation_outcome(&response, p.json()) {
                            Ok(Revocation::Done) => Revoked::Done,
                            Ok(Revocation::Retry) => Revoked::Transient {
                                retry_after: response.retry_after,
                            },
                            Err(err) => Revoked::Failed(err),
                        },
                        Err(Error::Transport(_)) => Revoked::Transient { retry_after: None },
                        Err(err) => Revoked::Failed(err),
                    };
                    revoker.sent(outcome)
                }
                Some(RevokeNext::Wait(ms)) => {
                    p.sleep_ms(ms).await;
                    revoker.waited()
                }
                Some(RevokeNext::Done(result)) => return result,
                // Each report above is in turn, so the machine always has a next step.
                None => return Err(crate::core::InvalidResponse::RevocationIncomplete.into()),
            };
        }
    }

    /// Completes a logout on the page the provider sent the browser back to: checks the returned
    /// `state` (from the decoded query parameters) against the one sent (J02, J03). `Ok(true)` when it
    /// matches, `Ok(false)` when no logout from this tab was pending, and `logout_state_mismatch` when
    /// the state is wrong or missing; the user is logged out locally in every case.
    pub fn complete_logout(&self, query: &[(String, String)]) -> Result<bool, Error> {
        let Some(sent) = self.inner.platform.transaction_take(LOGOUT_KEY)? else {
            return Ok(false);
        };
        let mut states = query.iter().filter(|(k, _)| k == "state");
        let returned = states.next().map(|(_, v)| v.as_str());
        if states.next().is_some() {
            return Err(crate::core::InvalidResponse::LogoutStateMismatch.into());
        }
        check_logout_state(&sent, returned).map(|()| true)
    }

    /// The user's claims from the provider's userinfo endpoint (OpenID Connect Core §5.3), fetched
    /// once per session and cached; `refresh` fetches them again. The access token is sent only in the
    /// `Authorization` header (F02); a 401 causes one renewal and one retry, no more (F03). The claims
    /// are used only when their `sub` equals the ID token's (F01), otherwise `userinfo_sub_mismatch`.
    pub async fn user_info(&self, refresh: bool) -> Result<Json, Error> {
        let (iss, sub) = {
            let guard = self.session();
            let Some(session) = guard.as_ref() else {
                return Err(Error::login_required(LoginRequiredReason::NoSession));
            };
            if let (false, Some(cached)) = (refresh, &session.userinfo) {
                return Ok(cached.clone());
            }
            match &session.claims {
                Some(c) => (c.iss.clone(), c.sub.clone()),
                None => return Err(Error::Unsupported(crate::core::Unsupported::Userinfo)),
            }
        };
        // After each wait below, the session in place must still be this user's (another page
        // may have signed in someone else meanwhile): their token and claims are not this call's.
        let still_this_user = || match self.session().as_ref().map(|s| s.claims.as_ref()) {
            Some(Some(c)) if c.iss == iss && c.sub == sub => Ok(()),
            // Signed out meanwhile (a logout, an expiry, a rejected refresh)...
            None => Err(Error::login_required(LoginRequiredReason::NoSession)),
            // ...or someone else signed in.
            Some(_) => Err(Error::login_required(LoginRequiredReason::LoggedOut)),
        };
        let p = &self.inner.platform;
        let token = self.access_token(false).await?;
        // With DPoP the token goes as `DPoP` with a proof carrying `ath` (RFC 9449 §7); a nonce
        // challenge is answered once inside `send`.
        let key = self.existing_dpop_key();
        if self.inner.config.dpop && key.is_none() {
            return Err(self.lost_dpop_key());
        }
        let metadata = &self.inner.metadata;
        let dpop = key.is_some();
        let request = userinfo_request_as(metadata, &token, dpop)?;
        let mut response = self.send(&request, key.as_ref(), Some(&token)).await?;
        if response.status == 401 {
            // One retry, and only with a renewed token: without a refresh token the same one would
            // be refused again.
            still_this_user()?;
            let renewed = self.access_token(true).await?;
            if renewed.secret() != token.secret() {
                let request = userinfo_request_as(metadata, &renewed, dpop)?;
                response = self.send(&request, key.as_ref(), Some(&renewed)).await?;
            }
        }
        let claims = userinfo_claims(&response, p.json(), &sub)?;
        still_this_user()?;
        if let Some(s) = self.inner.hub.machine.borrow_mut().session_mut() {
            s.userinfo = Some(claims.clone());
        }
        Ok(claims)
    }

    /// Registers `listener` for session events; returns an id for [`Client::unsubscribe`].
    pub fn subscribe(&self, listener: impl Fn(&AuthEvent) + 'static) -> u64 {
        self.inner.hub.subscribe(Rc::new(listener))
    }

    /// Removes a listener registered with [`Client::subscribe`].
    pub fn unsubscribe(&self, id: u64) {
        self.inner.hub.unsubscribe(id);
    }

    /// Puts a new session in place at `now`.
    fn replace_session(&self, session: Session, now: u64) {
        self.step(|m| m.replace(session, now));
    }

    fn end_session(&self, reason: SignedOutReason) {
        self.step(|m| m.end(reason));
    }

    fn emit(&self, event: &AuthEvent) {
        self.inner.hub.emit(event);
    }
}

/// The storage key of the transaction record for `state`.
pub fn transaction_key(state: &str) -> String {
    let mut key = String::with_capacity(LOGIN_PREFIX.len() + state.len());
    key.push_str(LOGIN_PREFIX);
    key.push_str(state);
    key
}

#[cfg(test)]
#[path = "tests/support.rs"]
mod test_support;

#[cfg(test)]
#[path = "tests/client.rs"]
mod tests;

#[cfg(test)]
#[path = "tests/restore.rs"]
mod restore_tests;

#[cfg(test)]
#[path = "tests/signatures.rs"]
mod signature_tests;

#[cfg(test)]
#[path = "tests/userinfo_logout.rs"]
mod userinfo_logout_tests;

#[cfg(test)]
#[path = "tests/refresh_policy.rs"]
mod refresh_policy_tests;

#[cfg(test)]
#[path = "tests/par.rs"]
mod par_tests;

#[cfg(test)]
#[path = "tests/login_options.rs"]
mod login_options_tests;

#[cfg(test)]
#[path = "tests/tenants.rs"]
mod tenant_tests;

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "tests/engine_props.rs"]
mod engine_props;

#[cfg(test)]
#[path = "tests/dpop.rs"]
mod dpop_tests;
