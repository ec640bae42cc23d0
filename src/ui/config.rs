//! The configuration a provider component takes.

use crate::browser::BrowserPlatform;
use crate::core::ClientConfig;

/// The configuration of the provider component (`AuthProvider` in [`crate::yew`] and
/// [`crate::leptos`]): one public client at one OpenID provider.
///
/// The same options as the JavaScript `createClient`; everything else keeps the defaults of
/// [`ClientConfig`]. Values are checked when the provider starts: a bad one ends in
/// [`AuthState::Failed`](super::AuthState::Failed) with code `invalid_config`.
///
/// ```no_run
/// use oxidc::ui::AuthConfig;
///
/// let config = AuthConfig::new("https://login.example.com", "my-spa", "https://app.example.com/callback")
///     .with_post_logout_redirect_uri("https://app.example.com/")
///     .with_scope("openid profile offline_access")
///     .with_extra_auth_param("prompt", "consent");
/// assert_eq!(config.client_config().scope, "openid profile offline_access");
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
    /// Extra authorization request parameters, such as `("prompt", "consent")`. Reserved names are refused.
    pub extra_auth_params: Vec<(String, String)>,
    /// Accept `http://` for 127.0.0.1, `[::1]` and localhost. Development only; default false.
    pub allow_loopback_http: bool,
    /// Renew the access token shortly before it expires with a timer, not only when it is asked for
    /// (the JavaScript `autoRefresh`). Default false. Either way the session is re-checked when the
    /// page becomes visible again, is restored from the back-forward cache, or comes back online.
    pub background_refresh: bool,
    /// The deadline of one HTTP exchange in milliseconds; `None` keeps
    /// [`DEFAULT_TIMEOUT_MS`](crate::browser::DEFAULT_TIMEOUT_MS).
    pub timeout_ms: Option<u32>,
    /// Share the session with the app's other tabs (the JavaScript `shareTabs`): a new tab takes the
    /// session of an open one, renewals are shared, and a logout ends it everywhere. Default true;
    /// without Web Locks or `BroadcastChannel` each tab keeps its own session.
    pub share_tabs: bool,
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
            background_refresh: false,
            timeout_ms: None,
            share_tabs: true,
        }
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

    /// Renews (or not) the access token with a timer shortly before it expires.
    pub fn with_background_refresh(mut self, on: bool) -> Self {
        self.background_refresh = on;
        self
    }

    /// Sets the deadline of one HTTP exchange, in milliseconds.
    pub fn with_timeout_ms(mut self, timeout_ms: u32) -> Self {
        self.timeout_ms = Some(timeout_ms);
        self
    }

    /// Shares the session with the app's other tabs, or not (default: shared).
    pub fn with_share_tabs(mut self, share: bool) -> Self {
        self.share_tabs = share;
        self
    }

    /// The browser platform of this configuration's client.
    pub(crate) fn platform(&self, config: &ClientConfig) -> BrowserPlatform {
        BrowserPlatform::for_client(config, self.timeout_ms, self.share_tabs)
    }

    /// The driver configuration: these options over the defaults of [`ClientConfig::new`].
    pub fn client_config(&self) -> ClientConfig {
        let mut config = ClientConfig::new(
            self.issuer.clone(),
            self.client_id.clone(),
            self.redirect_uri.clone(),
        );
        config.post_logout_redirect_uri = self.post_logout_redirect_uri.clone();
        config.scope = self.scope.clone();
        config.extra_auth_params = self.extra_auth_params.clone();
        config.allow_loopback_http = self.allow_loopback_http;
        config
    }
}
