//! The page facade for Rust apps (wasm32, features `yew` and `leptos`): the same JavaScript facade
//! as the npm package (`src/facade/client.js`), imported through wasm-bindgen, with a small async
//! Rust API on top.
//!
//! The engine (sessions, refresh tokens, every request to the provider) runs in the package's worker:
//! a `SharedWorker` where the browser has one, else a dedicated `Worker` for the tab. The page, and so
//! the app's own WebAssembly memory, only ever gets access tokens, claims and session events; no
//! message from the engine carries a refresh token or a token response.
//!
//! The app serves the package's worker files from its own origin (`worker.js`, `engine.js`,
//! `oxidc.js`, `oxidc_bg.wasm` and `snippets/`, as built in `pkg/`) and names them with
//! [`AuthConfig::with_worker_url`]. The Yew and Leptos providers use [`OidcClient`]; use it directly
//! for what the hooks do not cover (userinfo, events).
//!
//! ```no_run
//! use oxidc::facade::OidcClient;
//! use oxidc::ui::AuthConfig;
//!
//! async fn start() -> Result<(), oxidc::facade::OidcError> {
//!     let config = AuthConfig::new("https://login.example.com", "my-spa", "https://app.example.com/callback")
//!         .with_scope("openid profile offline_access")
//!         .with_worker_url("/oxidc/worker.js");
//!     let client = OidcClient::create(&config).await?;
//!     if client.is_callback(None) {
//!         let outcome = client.handle_redirect_callback(None).await?;
//!         let _ = outcome.return_to;
//!     }
//!     let token = client.access_token(false).await?;
//!     // Send token.secret() in an Authorization header; never log or store it.
//!     drop(token);
//!     Ok(())
//! }
//! ```

use std::fmt;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::browser::BrowserJson;
use crate::core::{AccessToken, Json, JsonParser};
use crate::driver::{CallbackOutcome, LoginOptions, SignedOutReason};
use crate::ui::AuthConfig;

#[wasm_bindgen(module = "/src/facade/client.js")]
extern "C" {
    #[wasm_bindgen(js_name = createClient, catch)]
    fn js_create_client(options: &JsValue) -> Result<js_sys::Promise, JsValue>;

    /// The JavaScript `OidcClient`.
    #[wasm_bindgen(js_name = OidcClient)]
    #[derive(Clone)]
    type JsClient;

    #[wasm_bindgen(method, catch)]
    fn login(this: &JsClient, options: &JsValue) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = isCallback)]
    fn is_callback(this: &JsClient, url: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = handleRedirectCallback)]
    fn handle_redirect_callback(this: &JsClient, url: &JsValue)
    -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = getAccessToken)]
    fn get_access_token(this: &JsClient, options: &JsValue) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = isAuthenticated)]
    fn is_authenticated(this: &JsClient) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn user(this: &JsClient) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn subscribe(this: &JsClient, listener: &js_sys::Function) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = getUser)]
    fn get_user(this: &JsClient, options: &JsValue) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn logout(this: &JsClient) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = loginWithPopup)]
    fn login_with_popup(this: &JsClient, options: &JsValue) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = handleLogoutCallback)]
    fn handle_logout_callback(this: &JsClient, url: &JsValue) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn free(this: &JsClient) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = fetch)]
    fn api_fetch(this: &JsClient, input: &JsValue) -> Result<js_sys::Promise, JsValue>;

    /// The JavaScript `OidcError` (read only through its fields).
    #[wasm_bindgen(js_name = OidcError)]
    type JsOidcError;

    #[wasm_bindgen(method, getter, structural)]
    fn code(this: &JsOidcError) -> JsValue;

    #[wasm_bindgen(method, getter, structural)]
    fn message(this: &JsOidcError) -> JsValue;

    #[wasm_bindgen(method, getter, structural)]
    fn detail(this: &JsOidcError) -> JsValue;

    #[wasm_bindgen(method, getter, structural)]
    fn hint(this: &JsOidcError) -> JsValue;

    #[wasm_bindgen(method, getter, structural)]
    fn error(this: &JsOidcError) -> JsValue;

    #[wasm_bindgen(method, getter, structural, js_name = errorDescription)]
    fn error_description(this: &JsOidcError) -> JsValue;

    #[wasm_bindgen(method, getter, structural)]
    fn status(this: &JsOidcError) -> JsValue;

    #[wasm_bindgen(method, getter, structural)]
    fn name(this: &JsOidcError) -> JsValue;
}

/// Why an oxidc operation failed: the fields of the JavaScript `OidcError`.
///
/// `code` is stable (see the README's error codes); `hint` says what to do next. None of the fields
/// ever holds a token, code, verifier or nonce, so `Debug` and `Display` (the message) are safe to
/// log. `error_description` is the provider's text: show it as text, never as HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidcError {
    code: String,
    message: String,
    detail: Option<String>,
    hint: String,
    error: Option<String>,
    error_description: Option<String>,
    status: Option<u16>,
}

impl OidcError {
    /// The stable snake_case code, such as `login_required` or `invalid_config`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// A one-line description (also the `Display` text).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Which field, check or option the error is about, when the code has one (for `invalid_config`,
    /// the option's JavaScript name, such as `refreshMarginSeconds`).
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// What to do about it.
    pub fn hint(&self) -> &str {
        &self.hint
    }

    /// The provider's OAuth `error`, for errors the provider sent (such as `invalid_grant`).
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The provider's `error_description`, when it sent one (provider-controlled text).
    pub fn error_description(&self) -> Option<&str> {
        self.error_description.as_deref()
    }

    /// The HTTP status of the provider's error response, or of an unexpected status (`http_status`).
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// A `platform` error for an exception that is not an `OidcError` (the browser refused something).
    fn platform(message: String) -> Self {
        OidcError {
            code: "platform".to_owned(),
            message,
            detail: None,
            hint:
                "Serve the package's worker files from the app's origin and use a current browser."
                    .to_owned(),
            error: None,
            error_description: None,
            status: None,
        }
    }

    /// The error a JavaScript promise rejected with (an `OidcError`, or any other exception).
    pub(crate) fn from_js(value: &JsValue) -> Self {
        if value.is_object() {
            let e: &JsOidcError = value.unchecked_ref();
            let text = |v: JsValue| v.as_string().filter(|s| !s.is_empty());
            if let Some(code) = text(e.code()) {
                return OidcError {
                    code,
                    message: text(e.message()).unwrap_or_default(),
                    detail: text(e.detail()),
                    hint: text(e.hint()).unwrap_or_default(),
                    error: text(e.error()),
                    error_description: text(e.error_description()),
                    status: e
                        .status()
                        .as_f64()
                        .filter(|s| s.fract() == 0.0 && (0.0..=f64::from(u16::MAX)).contains(s))
                        .map(|s| s as u16),
                };
            }
            let name = text(e.name()).unwrap_or_else(|| "Error".to_owned());
            let message = text(e.message()).unwrap_or_default();
            return Self::platform(format!("{name}: {message}"));
        }
        Self::platform(
            value
                .as_string()
                .unwrap_or_else(|| "unknown JavaScript error".to_owned()),
        )
    }
}

impl From<crate::core::Error> for OidcError {
    fn from(e: crate::core::Error) -> Self {
        let oauth = e.oauth();
        OidcError {
            code: e.code().to_owned(),
            message: e.to_string(),
            detail: e.detail().map(str::to_owned),
            hint: e.hint().to_owned(),
            error: oauth.map(|o| o.error.clone()),
            error_description: oauth.and_then(|o| o.error_description.clone()),
            status: e.status(),
        }
    }
}

impl fmt::Display for OidcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for OidcError {}

/// What happened in a [`SessionChange`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionEvent {
    /// A login completed (in this tab or in another one sharing the engine).
    SignedIn,
    /// The tokens were renewed.
    Refreshed,
    /// The session ended; `None` when the engine sent a reason this version does not know.
    SignedOut(Option<SignedOutReason>),
    /// An operation failed without ending the session; carries the error's code.
    Error(String),
}

/// A session change, as [`OidcClient::subscribe`] listeners get it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SessionChange {
    /// True while the engine holds a usable (or renewable) session.
    pub signed_in: bool,
    /// What happened; `None` for an event this version does not know.
    pub event: Option<SessionEvent>,
    /// The ID token's claims when signed in (`None` without the `openid` scope).
    pub claims: Option<Json>,
}

impl SessionChange {
    fn from_js(state: &JsValue) -> Self {
        let field = |name: &str| js_sys::Reflect::get(state, &JsValue::from_str(name)).ok();
        let text = |name: &str| field(name).and_then(|v| v.as_string());
        let reason = text("reason");
        let event = match text("event").as_deref() {
            Some("signed_in") => Some(SessionEvent::SignedIn),
            Some("refreshed") => Some(SessionEvent::Refreshed),
            Some("signed_out") => Some(SessionEvent::SignedOut(
                reason.as_deref().and_then(signed_out_reason),
            )),
            Some("error") => Some(SessionEvent::Error(reason.unwrap_or_default())),
            _ => None,
        };
        SessionChange {
            signed_in: text("status").as_deref() == Some("signed_in"),
            event,
            claims: field("user").and_then(|u| json_of(&u)),
        }
    }
}

fn signed_out_reason(name: &str) -> Option<SignedOutReason> {
    [
        SignedOutReason::LoggedOut,
        SignedOutReason::RefreshRejected,
        SignedOutReason::Expired,
        SignedOutReason::OtherTab,
    ]
    .into_iter()
    .find(|r| r.as_str() == name)
}

/// A JavaScript value (claims) as [`Json`]: `None` for `null`, `undefined` or what JSON cannot hold.
fn json_of(value: &JsValue) -> Option<Json> {
    if value.is_null() || value.is_undefined() {
        return None;
    }
    let text = js_sys::JSON::stringify(value).ok()?.as_string()?;
    BrowserJson.parse(&text)
}

/// A plain object with one member.
fn object_with(key: &str, value: &JsValue) -> JsValue {
    let out = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&out, &JsValue::from_str(key), value);
    out.into()
}

fn url_arg(url: Option<&str>) -> JsValue {
    url.map_or(JsValue::UNDEFINED, JsValue::from_str)
}

/// The JavaScript `login` options for `options` (the engine checks them).
fn login_args(options: &LoginOptions) -> JsValue {
    let out = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&out, &JsValue::from_str(key), &value);
    };
    let text = |v: &Option<String>| v.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str);
    set("returnTo", text(&options.return_to));
    set("prompt", text(&options.prompt));
    set("loginHint", text(&options.login_hint));
    set("uiLocales", text(&options.ui_locales));
    if let Some(age) = options.max_age {
        set("maxAge", JsValue::from_f64(age as f64));
    }
    if !options.acr_values.is_empty() {
        let list: js_sys::Array = options
            .acr_values
            .iter()
            .map(|a| JsValue::from_str(a))
            .collect();
        set("acrValues", list.into());
    }
    if options.acr_essential {
        set("acrEssential", JsValue::TRUE);
    }
    out.into()
}

/// A callback's `{ returnTo, signedIn }`.
fn outcome(out: &JsValue) -> CallbackOutcome {
    let field = |name: &str| js_sys::Reflect::get(out, &JsValue::from_str(name)).ok();
    CallbackOutcome {
        return_to: field("returnTo").and_then(|v| v.as_string()),
        signed_in: field("signedIn").and_then(|v| v.as_bool()).unwrap_or(false),
    }
}

/// Awaits a promise the facade returned (or the exception it threw instead).
async fn settle(promise: Result<js_sys::Promise, JsValue>) -> Result<JsValue, OidcError> {
    let promise = promise.map_err(|e| OidcError::from_js(&e))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| OidcError::from_js(&e))
}

/// A session with one OpenID provider, run by the isolated engine: the Rust side of the JavaScript
/// `OidcClient`. Cheap to clone (clones are the same client).
///
/// Tokens live in the engine; this client gets access tokens ([`access_token`](Self::access_token)),
/// the ID token's claims and session events. The page's lifecycle (re-checks when the page wakes up)
/// is the facade's.
#[derive(Clone)]
pub struct OidcClient {
    client: JsClient,
}

impl fmt::Debug for OidcClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OidcClient")
    }
}

impl PartialEq for OidcClient {
    fn eq(&self, other: &Self) -> bool {
        let (a, b): (&JsValue, &JsValue) = (self.client.as_ref(), other.client.as_ref());
        a == b
    }
}

impl OidcClient {
    /// Starts (or joins) the engine with `config` and waits until it is ready: the engine reads the
    /// options and fetches the provider's discovery document. With [`Restore::Silent`] and nobody
    /// signed in, the page navigates to the provider instead and this never completes.
    ///
    /// Errors: `invalid_config` (an option, named in `detail`), the discovery's errors, or
    /// `worker_unavailable` when the worker files cannot be loaded.
    ///
    /// [`Restore::Silent`]: crate::ui::Restore::Silent
    pub async fn create(config: &AuthConfig) -> Result<OidcClient, OidcError> {
        let options = config.js_options()?;
        let client = settle(js_create_client(&options)).await?;
        Ok(OidcClient {
            client: client.unchecked_into(),
        })
    }

    /// Starts a login: the engine prepares it, the page stores the short-lived transaction and
    /// navigates to the provider. `options.return_to` is the same-origin path to come back to.
    pub async fn login(&self, options: &LoginOptions) -> Result<(), OidcError> {
        settle(self.client.login(&login_args(options)))
            .await
            .map(drop)
    }

    /// Logs in in a popup, without leaving the page; resolves once signed in. The popup is opened
    /// when this is called, not when the future is first polled: call it directly in the handler of a
    /// click (browsers allow popups only then), then await or spawn the future. The popup's redirect
    /// page must run [`handle_redirect_callback`](Self::handle_redirect_callback) (as the redirect page
    /// of a redirect login does), which hands the response back to this page.
    ///
    /// Errors: `popup_blocked`, `popup_closed`, `popup_timeout` (after 300 s), `popup_pending` (another
    /// popup login is in progress), and those of a redirect login's callback.
    pub fn login_with_popup(
        &self,
        options: &LoginOptions,
    ) -> impl std::future::Future<Output = Result<CallbackOutcome, OidcError>> + 'static {
        let promise = self.client.login_with_popup(&login_args(options));
        async move {
            let out = settle(promise).await?;
            Ok(outcome(&out))
        }
    }

    /// True when `url` (default: the page's address) carries an authorization response.
    pub fn is_callback(&self, url: Option<&str>) -> bool {
        self.client
            .is_callback(&url_arg(url))
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// Completes the login from the redirect: `url` defaults to the page's address, which is scrubbed
    /// of the response parameters first, whatever the outcome.
    pub async fn handle_redirect_callback(
        &self,
        url: Option<&str>,
    ) -> Result<CallbackOutcome, OidcError> {
        let out = settle(self.client.handle_redirect_callback(&url_arg(url))).await?;
        Ok(outcome(&out))
    }

    /// An access token with at least the refresh margin of life left, renewed first by the engine when
    /// needed (concurrent callers share one renewal); `force_refresh` renews now. Send it only in an
    /// `Authorization` header; never log, display or store it.
    ///
    /// Errors: `login_required` when nobody is signed in, the renewal's error otherwise.
    pub async fn access_token(&self, force_refresh: bool) -> Result<AccessToken, OidcError> {
        let arg = object_with("forceRefresh", &JsValue::from_bool(force_refresh));
        let token = settle(self.client.get_access_token(&arg)).await?;
        token.as_string().map(AccessToken::new).ok_or_else(|| {
            OidcError::platform("the engine answered without an access token".to_owned())
        })
    }

    /// True while the engine holds a usable (or renewable) session.
    pub fn is_authenticated(&self) -> bool {
        self.client
            .is_authenticated()
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// The ID token's claims; `None` when signed out.
    pub fn claims(&self) -> Option<Json> {
        self.client.user().ok().and_then(|u| json_of(&u))
    }

    /// The ID token's claims as your own type (serde), e.g. a struct with the claims your app reads;
    /// `Ok(None)` when signed out, an `invalid_claims` error when they do not fit `T`.
    ///
    /// ```no_run
    /// # async fn f(client: oxidc::facade::OidcClient) -> Result<(), oxidc::facade::OidcError> {
    /// #[derive(serde::Deserialize)]
    /// struct Claims {
    ///     sub: String,
    ///     email: Option<String>,
    /// }
    /// if let Some(c) = client.claims_as::<Claims>()? {
    ///     println!("{} {:?}", c.sub, c.email);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn claims_as<T: serde::de::DeserializeOwned>(&self) -> Result<Option<T>, OidcError> {
        let Ok(user) = self.client.user() else {
            return Ok(None);
        };
        if user.is_null() || user.is_undefined() {
            return Ok(None);
        }
        serde_wasm_bindgen::from_value(user)
            .map(Some)
            .map_err(|e| OidcError {
                code: "invalid_claims".to_owned(),
                message: format!("The ID token's claims do not fit the requested type: {e}"),
                detail: None,
                hint: "Make the claims a provider may omit Option<_> in your type.".to_owned(),
                error: None,
                error_description: None,
                status: None,
            })
    }

    /// Calls `listener` on every session change, in this tab or in another one sharing the engine,
    /// until the returned [`Subscription`] is dropped.
    pub fn subscribe(&self, listener: impl Fn(&SessionChange) + 'static) -> Subscription {
        let closure = Closure::<dyn Fn(JsValue)>::new(move |state: JsValue| {
            listener(&SessionChange::from_js(&state));
        });
        let unsubscribe = self
            .client
            .subscribe(closure.as_ref().unchecked_ref())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        Subscription {
            unsubscribe,
            _listener: closure,
        }
    }

    /// The user's claims from the provider's userinfo endpoint, fetched once per session and cached
    /// (`refresh` fetches them again); used only when their `sub` equals the ID token's.
    pub async fn user_info(&self, refresh: bool) -> Result<Json, OidcError> {
        let arg = object_with("refresh", &JsValue::from_bool(refresh));
        let claims = settle(self.client.get_user(&arg)).await?;
        json_of(&claims).ok_or_else(|| {
            OidcError::platform("the engine answered without userinfo claims".to_owned())
        })
    }

    /// Sends `request` with the access token, only to an origin listed with
    /// [`AuthConfig::with_api_origins`] (else `api_origin_not_allowed`, before anything is sent):
    /// `Authorization: Bearer`, or with [`AuthConfig::with_dpop`] `Authorization: DPoP` and a proof
    /// the engine signs for this method and URL. Redirects are not followed (the redirect itself is
    /// returned); a 401 with `error="invalid_token"` renews the token and retries once, a DPoP nonce
    /// challenge is retried once. The response is returned as it came, body unread. A request that
    /// got no response (the browser's `fetch` failed) is an error with code `network` and is not
    /// retried.
    pub async fn fetch(&self, request: &web_sys::Request) -> Result<web_sys::Response, OidcError> {
        let response = settle(self.client.api_fetch(request)).await.map_err(|e| {
            if e.code() == "platform" {
                crate::core::Error::Transport(crate::core::Transport::Network).into()
            } else {
                e
            }
        })?;
        response
            .dyn_into::<web_sys::Response>()
            .map_err(|_| OidcError::platform("fetch answered without a Response".to_owned()))
    }

    /// Ends the session: the engine clears the tokens for every tab of the session, revokes the
    /// refresh token when the provider can, then the page navigates to the provider's logout endpoint.
    pub async fn logout(&self) -> Result<(), OidcError> {
        settle(self.client.logout()).await.map(drop)
    }

    /// On the page the provider sends the browser back to after logout (`url` defaults to the page's
    /// address, scrubbed of `state`): true when the returned `state` matches the logout this tab
    /// started, false when none was pending; `logout_state_mismatch` otherwise.
    pub async fn handle_logout_callback(&self, url: Option<&str>) -> Result<bool, OidcError> {
        let done = settle(self.client.handle_logout_callback(&url_arg(url))).await?;
        Ok(done.as_bool().unwrap_or(false))
    }

    /// Disconnects this page from the engine (the session goes on for the app's other tabs). Calls
    /// still pending never settle; do not use the client (or its clones) afterwards.
    pub fn free(&self) {
        let _ = self.client.free();
    }
}

/// A listener registered with [`OidcClient::subscribe`]; dropping it unsubscribes.
pub struct Subscription {
    unsubscribe: Option<js_sys::Function>,
    _listener: Closure<dyn Fn(JsValue)>,
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Subscription")
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(unsubscribe) = self.unsubscribe.take() {
            let _ = unsubscribe.call0(&JsValue::UNDEFINED);
        }
    }
}
