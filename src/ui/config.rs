//! The configuration a provider component takes.

use wasm_bindgen::JsValue;

use crate::core::Error;
pub use crate::core::{LogoutEndpoint, Tenants};
use crate::facade::OidcError;

/// What the engine does on a page that is not a callback when nobody is signed in (the JavaScript
/// `restore`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Restore {
    /// Nothing: the app shows its login (default).
    #[default]
    None,
    /// After a reload with no other tab open, a `prompt=none` round trip to the provider that comes
    /// back signed in when the provider still has a session for the user. It never loops: after one
    /// that came back needing the user, the next interactive login re-arms it.
    Silent,
}

impl Restore {
    /// The JavaScript spelling: `"none"` or `"silent"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Restore::None => "none",
            Restore::Silent => "silent",
        }
    }
}

/// The configuration of the provider component (`AuthProvider` in [`crate::yew`] and
/// [`crate::leptos`]) and of [`OidcClient::create`](crate::facade::OidcClient::create): one public
/// client at one OpenID provider.
///
/// The same options as the JavaScript `createClient`, in Rust spelling (`refresh_margin_seconds` is
/// `refreshMarginSeconds`); an option left unset keeps the engine's default. Values are checked when
/// the provider starts: a bad one ends in [`AuthState::Failed`](super::AuthState::Failed) with code
/// `invalid_config` and the JavaScript name of the option in `detail`.
///
/// The engine runs in the package's worker, which the app serves from its own origin: set
/// [`worker_url`](Self::worker_url) to the package's `worker.js` (with `engine.js`, `oxidc.js`,
/// `oxidc_bg.wasm` and `snippets/` beside it). Without it the provider fails with `invalid_config`.
///
/// ```no_run
/// use oxidc::ui::{AuthConfig, Restore};
///
/// let config = AuthConfig::new("https://login.example.com", "my-spa", "https://app.example.com/callback")
///     .with_post_logout_redirect_uri("https://app.example.com/")
///     .with_scope("openid profile offline_access")
///     .with_extra_auth_param("prompt", "consent")
///     .with_restore(Restore::Silent)
///     .with_worker_url("/oxidc/worker.js");
/// assert_eq!(config.scope, "openid profile offline_access");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthConfig {
    /// The issuer identifier, exactly as in the provider's discovery document.
    pub issuer: String,
    /// The client identifier of a public client with PKCE.
    pub client_id: String,
    /// The registered redirect URI; the provider completes the login when the page is at this address.
    pub redirect_uri: String,
    /// Where the provider sends the browser after logout.
    pub post_logout_redirect_uri: Option<String>,
    /// Space-separated scopes; default `"openid"`. Add `offline_access` to ask for a refresh token.
    pub scope: String,
    /// Extra authorization request parameters, such as `("prompt", "consent")`. Reserved names are
    /// refused; of a repeated name, the last value is sent.
    pub extra_auth_params: Vec<(String, String)>,
    /// Accept `http://` for 127.0.0.1, `[::1]` and localhost. Development only; default false.
    pub allow_loopback_http: bool,
    /// Renew this many seconds before the access token expires; `None` keeps the default (45).
    pub refresh_margin_seconds: Option<u64>,
    /// Clock skew tolerated in the ID token's time checks, in seconds; `None` keeps the default (60).
    pub leeway_seconds: Option<u64>,
    /// The `max_age` authorization parameter (seconds since the user last authenticated), checked
    /// against the ID token's `auth_time`.
    pub max_age: Option<u64>,
    /// The ID-token signature algorithms accepted; `None` keeps the default (`RS256`, `PS256`,
    /// `ES256`). `none` and `HS*` are never accepted.
    pub id_token_signing_algs: Option<Vec<String>>,
    /// The deadline of one HTTP exchange in milliseconds; `None` keeps the default (30000).
    pub timeout_ms: Option<u32>,
    /// Renew the access token shortly before it expires with a timer in the engine, not only when it
    /// is asked for (the JavaScript `autoRefresh`). Default false. Either way the session is
    /// re-checked when the page becomes visible again, is restored from the back-forward cache, or
    /// comes back online.
    pub auto_refresh: bool,
    /// What happens after a reload when nobody is signed in; default [`Restore::None`].
    pub restore: Restore,
    /// Share one engine, and so one session, with the app's other tabs (the JavaScript `shareTabs`):
    /// a `SharedWorker` where the browser has one. Default true; false (or a browser without
    /// `SharedWorker`) runs a dedicated worker for this tab alone.
    pub share_tabs: bool,
    /// The URL of the package's `worker.js` as the app serves it (the JavaScript `workerUrl`), such as
    /// `/oxidc/worker.js`; resolved against the page's address. Required: Rust apps load the facade
    /// from wasm-bindgen's output, not from the package directory. With
    /// [`dangerously_keep_refresh_token_in_page`](Self::dangerously_keep_refresh_token_in_page), the
    /// page loads `engine.js` from beside it instead.
    pub worker_url: Option<String>,
    /// Run the engine in the page instead of a worker (the JavaScript
    /// `dangerouslyKeepRefreshTokenInPage`). Default false.
    ///
    /// What it gives up: the refresh token then lives in the page, readable by any script that runs
    /// in the page (an XSS payload, a compromised dependency): it can watch the page's `fetch` for the
    /// token responses and read the engine's WebAssembly memory, and so keep renewing access tokens
    /// after the user has left. With the default worker, a script in the page can get access tokens
    /// while the page is open, but never the refresh token.
    pub dangerously_keep_refresh_token_in_page: bool,
    /// Multi-tenant issuer mode (the JavaScript `allowedTenants`): for Microsoft Entra ID's `common`
    /// and `organizations` issuers, whose discovery names the issuer `…/{tenantid}/v2.0`. Each ID
    /// token's `tid` must be one of these tenants (or any, with [`Tenants::Any`]). Default `None`:
    /// the issuer is matched exactly.
    pub allowed_tenants: Option<Tenants>,
    /// A logout endpoint for providers whose discovery has no `end_session_endpoint` (the JavaScript
    /// `logoutEndpoint`), such as Auth0's `/v2/logout` (`returnTo`) or Cognito's `/logout`
    /// (`logout_uri`). Used only when discovery has none; it carries no `state`.
    pub logout_endpoint: Option<LogoutEndpoint>,
    /// A revocation endpoint for providers whose discovery has no `revocation_endpoint` (the
    /// JavaScript `revocationEndpoint`), such as Cognito's `/oauth2/revoke`: logout then revokes the
    /// refresh token there. The discovered one wins.
    pub revocation_endpoint: Option<String>,
    /// Push every authorization request to the provider's `pushed_authorization_request_endpoint`
    /// (RFC 9126, the JavaScript `pushedAuthorizationRequests`): the browser is then sent to the
    /// provider with only `client_id` and `request_uri`. Default false; a provider that advertises
    /// `require_pushed_authorization_requests` gets pushed requests without it, and one that
    /// advertises no endpoint makes every login fail with `par_unsupported` when it is set.
    pub pushed_authorization_requests: bool,
    /// Bind the tokens to a DPoP key (RFC 9449, the JavaScript `dpop`): an ES256 key made by the
    /// engine, not extractable, in memory only; every token, refresh, revocation and userinfo
    /// request carries a proof. Default false. The provider must advertise ES256 DPoP proofs
    /// (else `dpop_unsupported`); a Bearer token issued anyway is refused (`token_type_downgrade`).
    pub dpop: bool,
    /// The exact origins to which [`crate::facade::OidcClient::fetch`] sends the access token (the
    /// JavaScript `apiOrigins`, e.g. `https://api.example.com`); any other is refused with
    /// `api_origin_not_allowed`.
    pub api_origins: Vec<String>,
}

impl AuthConfig {
    /// A configuration with scope `openid` and no other options.
    pub fn new(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        AuthConfig {
            issuer: issuer.into(),
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            post_logout_redirect_uri: None,
            scope: "openid".to_owned(),
            extra_auth_params: Vec::new(),
            allow_loopback_http: false,
            refresh_margin_seconds: None,
            leeway_seconds: None,
            max_age: None,
            id_token_signing_algs: None,
            timeout_ms: None,
            auto_refresh: false,
            restore: Restore::None,
            share_tabs: true,
            worker_url: None,
            dangerously_keep_refresh_token_in_page: false,
            allowed_tenants: None,
            logout_endpoint: None,
            revocation_endpoint: None,
            pushed_authorization_requests: false,
            dpop: false,
            api_origins: Vec::new(),
        }
    }

    /// Binds the tokens to a DPoP key (see [`Self::dpop`]), or not (the default).
    pub fn with_dpop(mut self, on: bool) -> Self {
        self.dpop = on;
        self
    }

    /// Sets the exact origins [`crate::facade::OidcClient::fetch`] may send the access token to.
    pub fn with_api_origins<S: Into<String>>(
        mut self,
        origins: impl IntoIterator<Item = S>,
    ) -> Self {
        self.api_origins = origins.into_iter().map(Into::into).collect();
        self
    }

    /// Pushes every authorization request to the provider first (RFC 9126), or not (default: only
    /// when the provider requires it).
    pub fn with_pushed_authorization_requests(mut self, on: bool) -> Self {
        self.pushed_authorization_requests = on;
        self
    }

    /// Sets the revocation endpoint for a provider whose discovery has no `revocation_endpoint`.
    pub fn with_revocation_endpoint(mut self, url: impl Into<String>) -> Self {
        self.revocation_endpoint = Some(url.into());
        self
    }

    /// Multi-tenant issuer mode: accepts users of these tenants only (Entra ID tenant ids).
    pub fn with_allowed_tenants<S: Into<String>>(
        mut self,
        tenants: impl IntoIterator<Item = S>,
    ) -> Self {
        self.allowed_tenants = Some(Tenants::List(tenants.into_iter().map(Into::into).collect()));
        self
    }

    /// Multi-tenant issuer mode: accepts users of any tenant (every organisation's users may sign in).
    pub fn with_any_tenant(mut self) -> Self {
        self.allowed_tenants = Some(Tenants::Any);
        self
    }

    /// Sets the logout endpoint for a provider whose discovery has no `end_session_endpoint`.
    pub fn with_logout_endpoint(mut self, endpoint: LogoutEndpoint) -> Self {
        self.logout_endpoint = Some(endpoint);
        self
    }

    /// Sets where the provider sends the browser after logout.
    pub fn with_post_logout_redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.post_logout_redirect_uri = Some(uri.into());
        self
    }

    /// Sets the space-separated scopes.
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// Adds an extra authorization request parameter.
    pub fn with_extra_auth_param(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.extra_auth_params.push((name.into(), value.into()));
        self
    }

    /// Accepts (or not) `http://` for loopback hosts. Development only.
    pub fn with_loopback_http(mut self, allow: bool) -> Self {
        self.allow_loopback_http = allow;
        self
    }

    /// Sets how many seconds before expiry the access token is renewed.
    pub fn with_refresh_margin_seconds(mut self, seconds: u64) -> Self {
        self.refresh_margin_seconds = Some(seconds);
        self
    }

    /// Sets the clock skew tolerated in the ID token's time checks, in seconds.
    pub fn with_leeway_seconds(mut self, seconds: u64) -> Self {
        self.leeway_seconds = Some(seconds);
        self
    }

    /// Sets the `max_age` authorization parameter, in seconds.
    pub fn with_max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Sets the accepted ID-token signature algorithms.
    pub fn with_id_token_signing_algs<S: Into<String>>(
        mut self,
        algs: impl IntoIterator<Item = S>,
    ) -> Self {
        self.id_token_signing_algs = Some(algs.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the deadline of one HTTP exchange, in milliseconds.
    pub fn with_timeout_ms(mut self, timeout_ms: u32) -> Self {
        self.timeout_ms = Some(timeout_ms);
        self
    }

    /// Renews (or not) the access token with a timer shortly before it expires.
    pub fn with_auto_refresh(mut self, on: bool) -> Self {
        self.auto_refresh = on;
        self
    }

    /// The former name of [`with_auto_refresh`](Self::with_auto_refresh).
    #[deprecated(note = "renamed with_auto_refresh, like the JavaScript autoRefresh")]
    pub fn with_background_refresh(self, on: bool) -> Self {
        self.with_auto_refresh(on)
    }

    /// Sets what happens after a reload when nobody is signed in.
    pub fn with_restore(mut self, restore: Restore) -> Self {
        self.restore = restore;
        self
    }

    /// Shares the engine, and the session, with the app's other tabs, or not (default: shared).
    pub fn with_share_tabs(mut self, share: bool) -> Self {
        self.share_tabs = share;
        self
    }

    /// Sets the URL of the package's `worker.js` as the app serves it, such as `/oxidc/worker.js`.
    pub fn with_worker_url(mut self, url: impl Into<String>) -> Self {
        self.worker_url = Some(url.into());
        self
    }

    /// Runs the engine in the page (true) instead of a worker. Read what this gives up at
    /// [`dangerously_keep_refresh_token_in_page`](Self::dangerously_keep_refresh_token_in_page) first.
    pub fn with_dangerously_keep_refresh_token_in_page(mut self, on: bool) -> Self {
        self.dangerously_keep_refresh_token_in_page = on;
        self
    }

    /// The options object of the facade's `createClient` (camelCase, as in JavaScript), with
    /// `workerUrl` resolved against the page's address.
    pub(crate) fn js_options(&self) -> Result<JsValue, OidcError> {
        let Some(worker_url) = self.worker_url.as_deref() else {
            return Err(Error::invalid_config(
                "workerUrl",
                "required: set AuthConfig::with_worker_url to where the app serves the package's worker.js",
            )
            .into());
        };
        let options = js_sys::Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &value);
        };
        let seconds = |n: u64| JsValue::from_f64(n as f64);
        set("issuer", JsValue::from_str(&self.issuer));
        set("clientId", JsValue::from_str(&self.client_id));
        set("redirectUri", JsValue::from_str(&self.redirect_uri));
        if let Some(uri) = &self.post_logout_redirect_uri {
            set("postLogoutRedirectUri", JsValue::from_str(uri));
        }
        set("scope", JsValue::from_str(&self.scope));
        if !self.extra_auth_params.is_empty() {
            let params = js_sys::Object::new();
            for (name, value) in &self.extra_auth_params {
                let _ = js_sys::Reflect::set(
                    &params,
                    &JsValue::from_str(name),
                    &JsValue::from_str(value),
                );
            }
            set("extraAuthParams", params.into());
        }
        set(
            "allowLoopbackHttp",
            JsValue::from_bool(self.allow_loopback_http),
        );
        if let Some(s) = self.refresh_margin_seconds {
            set("refreshMarginSeconds", seconds(s));
        }
        if let Some(s) = self.leeway_seconds {
            set("leewaySeconds", seconds(s));
        }
        if let Some(s) = self.max_age {
            set("maxAge", seconds(s));
        }
        if let Some(algs) = &self.id_token_signing_algs {
            let list: js_sys::Array = algs.iter().map(|a| JsValue::from_str(a)).collect();
            set("idTokenSigningAlgs", list.into());
        }
        if let Some(ms) = self.timeout_ms {
            set("timeoutMs", JsValue::from(ms));
        }
        set("autoRefresh", JsValue::from_bool(self.auto_refresh));
        set("restore", JsValue::from_str(self.restore.as_str()));
        set("shareTabs", JsValue::from_bool(self.share_tabs));
        set("workerUrl", JsValue::from_str(&resolve(worker_url)?));
        if self.dangerously_keep_refresh_token_in_page {
            set("dangerouslyKeepRefreshTokenInPage", JsValue::TRUE);
        }
        match &self.allowed_tenants {
            None => {}
            Some(Tenants::Any) => set("allowedTenants", JsValue::from_str("any")),
            Some(Tenants::List(list)) => {
                let list: js_sys::Array = list.iter().map(|t| JsValue::from_str(t)).collect();
                set("allowedTenants", list.into());
            }
        }
        if let Some(endpoint) = &self.logout_endpoint {
            let object = js_sys::Object::new();
            let name = |n: &Option<String>| n.as_deref().map_or(JsValue::NULL, JsValue::from_str);
            for (key, value) in [
                ("url", JsValue::from_str(&endpoint.url)),
                ("redirectParam", JsValue::from_str(&endpoint.redirect_param)),
                ("clientIdParam", name(&endpoint.client_id_param)),
                ("idTokenHintParam", name(&endpoint.id_token_hint_param)),
            ] {
                let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &value);
            }
            set("logoutEndpoint", object.into());
        }
        if let Some(url) = &self.revocation_endpoint {
            set("revocationEndpoint", JsValue::from_str(url));
        }
        if self.pushed_authorization_requests {
            set("pushedAuthorizationRequests", JsValue::TRUE);
        }
        if self.dpop {
            set("dpop", JsValue::TRUE);
        }
        if !self.api_origins.is_empty() {
            let list: js_sys::Array = self
                .api_origins
                .iter()
                .map(|o| JsValue::from_str(o))
                .collect();
            set("apiOrigins", list.into());
        }
        Ok(options.into())
    }
}

/// `url` resolved against the page's address (the facade locates `engine.js` beside it).
fn resolve(url: &str) -> Result<String, OidcError> {
    let base = web_sys::window().and_then(|w| w.location().href().ok());
    let parsed = match &base {
        Some(base) => web_sys::Url::new_with_base(url, base),
        None => web_sys::Url::new(url),
    };
    parsed
        .map(|u| u.href())
        .map_err(|_| Error::invalid_config("workerUrl", "not a URL").into())
}
