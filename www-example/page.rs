//! What both Rust example apps (Yew and Leptos) need besides the framework: the page's configuration,
//! how an error is shown, and the protected-API call.

use oxidc::driver::LoginOptions;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The issuer when `/config.js` does not set one.
pub(crate) const DEFAULT_ISSUER: &str = "http://127.0.0.1:9000";

/// Where `make examples` puts the package's worker files (`worker.js` and what it loads).
pub(crate) const WORKER_URL: &str = "/oxidc/worker.js";

/// The client configuration of both apps. The engine runs in the package's worker, served from
/// [`WORKER_URL`]. Like the JavaScript example, `window.OXIDC_CONFIG` (set before `/config.js` runs)
/// may set `shareTabs: false` (a dedicated worker per tab) and `dangerouslyKeepRefreshTokenInPage:
/// true` (the engine in the page: the tests' control for what that opt-out exposes). It may also
/// carry a provider's settings from the README's Providers table: `clientId`, `scope`,
/// `extraAuthParams`, `allowedTenants`, `logoutEndpoint`, `revocationEndpoint` and
/// `pushedAuthorizationRequests`.
pub(crate) fn auth_config() -> oxidc::ui::AuthConfig {
    let (origin, issuer) = page_config();
    let client_id = config_string("clientId").unwrap_or_else(|| "spa".to_owned());
    let scope =
        config_string("scope").unwrap_or_else(|| "openid profile email offline_access".to_owned());
    let mut config = oxidc::ui::AuthConfig::new(issuer, client_id, format!("{origin}/callback"))
        .with_post_logout_redirect_uri(format!("{origin}/"))
        .with_scope(scope)
        .with_loopback_http(true)
        .with_worker_url(WORKER_URL)
        .with_share_tabs(config_flag("shareTabs").unwrap_or(true))
        .with_dangerously_keep_refresh_token_in_page(
            config_flag("dangerouslyKeepRefreshTokenInPage").unwrap_or(false),
        )
        .with_pushed_authorization_requests(
            config_flag("pushedAuthorizationRequests").unwrap_or(false),
        );
    let params = config_value("extraAuthParams").filter(JsValue::is_object);
    match params {
        Some(params) => {
            for entry in js_sys::Object::entries(params.unchecked_ref()).iter() {
                let pair = js_sys::Array::from(&entry);
                if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                    config = config.with_extra_auth_param(k, v);
                }
            }
        }
        None => config = config.with_extra_auth_param("prompt", "consent"),
    }
    match config_value("allowedTenants") {
        Some(v) if v.as_string().as_deref() == Some("any") => config = config.with_any_tenant(),
        Some(v) if js_sys::Array::is_array(&v) => {
            let list: Vec<String> = js_sys::Array::from(&v)
                .iter()
                .filter_map(|t| t.as_string())
                .collect();
            config = config.with_allowed_tenants(list);
        }
        _ => {}
    }
    if let Some(url) = config_string("revocationEndpoint") {
        config = config.with_revocation_endpoint(url);
    }
    config = config.with_dpop(config_flag("dpop").unwrap_or(false));
    if let Some(list) = config_value("apiOrigins").filter(js_sys::Array::is_array) {
        let origins: Vec<String> = js_sys::Array::from(&list)
            .iter()
            .filter_map(|o| o.as_string())
            .collect();
        config = config.with_api_origins(origins);
    }
    if let Some(endpoint) = config_value("logoutEndpoint").filter(JsValue::is_object) {
        let field = |name: &str| {
            js_sys::Reflect::get(&endpoint, &name.into())
                .ok()
                .and_then(|v| v.as_string())
        };
        if let Some(url) = field("url") {
            let mut logout = oxidc::ui::LogoutEndpoint::new(url);
            if let Some(name) = field("redirectParam") {
                logout = logout.with_redirect_param(name);
            }
            config = config.with_logout_endpoint(logout);
        }
    }
    config
}

/// The options of both login buttons: back to `/` after a redirect login, and the typed
/// authorization options in `window.OXIDC_CONFIG.login` when set (`prompt`, `loginHint`, `maxAge`,
/// `uiLocales`, `acrValues`, `acrEssential`, as in JavaScript).
pub(crate) fn login_options() -> LoginOptions {
    let mut options = LoginOptions::return_to("/");
    let Some(login) = config_value("login").filter(JsValue::is_object) else {
        return options;
    };
    let field = |name: &str| {
        js_sys::Reflect::get(&login, &name.into())
            .ok()
            .filter(|v| !v.is_undefined())
    };
    let text = |name: &str| field(name).and_then(|v| v.as_string());
    options.prompt = text("prompt");
    options.login_hint = text("loginHint");
    options.ui_locales = text("uiLocales");
    options.max_age = field("maxAge").and_then(|v| v.as_f64()).map(|n| n as u64);
    if let Some(list) = field("acrValues").filter(js_sys::Array::is_array) {
        options.acr_values = js_sys::Array::from(&list)
            .iter()
            .filter_map(|v| v.as_string())
            .collect();
    }
    options.acr_essential = field("acrEssential").and_then(|v| v.as_bool()) == Some(true);
    options
}

/// `window.OXIDC_CONFIG[name]`, when set.
fn config_value(name: &str) -> Option<JsValue> {
    let window = web_sys::window()?;
    let config = js_sys::Reflect::get(&window, &"OXIDC_CONFIG".into()).ok()?;
    if !config.is_object() {
        return None;
    }
    js_sys::Reflect::get(&config, &name.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// `window.OXIDC_CONFIG[name]` when it is a string.
fn config_string(name: &str) -> Option<String> {
    config_value(name)?.as_string()
}

/// `window.OXIDC_CONFIG[name]` when it is a boolean.
fn config_flag(name: &str) -> Option<bool> {
    config_value(name)?.as_bool()
}

/// The page's origin, and the issuer from `window.OXIDC_CONFIG.issuer` (set by `/config.js`).
pub(crate) fn page_config() -> (String, String) {
    let Some(window) = web_sys::window() else {
        return (String::new(), DEFAULT_ISSUER.to_owned());
    };
    let origin = window.location().origin().unwrap_or_default();
    let issuer = js_sys::Reflect::get(&window, &"OXIDC_CONFIG".into())
        .and_then(|c| js_sys::Reflect::get(&c, &"issuer".into()))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| DEFAULT_ISSUER.to_owned());
    (origin, issuer)
}

/// An error shown in the `#error` box.
#[derive(Clone, PartialEq)]
pub(crate) struct Shown {
    pub(crate) code: String,
    pub(crate) text: String,
}

impl Shown {
    pub(crate) fn from(error: &oxidc::facade::OidcError) -> Self {
        Shown {
            code: error.code().to_owned(),
            text: format!("{}: {}\nhint: {}", error.code(), error, error.hint()),
        }
    }
}

/// The protected API: `window.OXIDC_CONFIG.apiUrl`, else the dev provider's `/api/hello`.
pub(crate) fn api_url(issuer: &str) -> String {
    config_string("apiUrl").unwrap_or_else(|| format!("{}/api/hello", issuer.trim_end_matches('/')))
}

/// Whether the library attaches the token to API calls (`window.OXIDC_CONFIG.apiOrigins` is set):
/// then [`call_api_through`], else [`call_api`].
pub(crate) fn library_fetch() -> bool {
    config_value("apiOrigins").is_some()
}

/// The answer of the library's authenticated fetch (`use_access_token().fetch`: Bearer, or DPoP
/// with a proof): the HTTP status and the body.
pub(crate) async fn call_api_through(
    fetch: impl std::future::Future<Output = Result<web_sys::Response, oxidc::facade::OidcError>>,
) -> Result<(u16, String), String> {
    let response = fetch.await.map_err(|e| e.code().to_owned())?;
    let body = match response.text() {
        Ok(text) => JsFuture::from(text).await.ok().and_then(|t| t.as_string()),
        Err(_) => None,
    };
    Ok((response.status(), body.unwrap_or_default()))
}

/// GET `url` with the access token in the `Authorization` header; the HTTP status and the body.
pub(crate) async fn call_api(url: &str, token: &str) -> Result<(u16, String), String> {
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    let headers = web_sys::Headers::new().map_err(|_| "headers")?;
    headers
        .set("Authorization", &format!("Bearer {token}"))
        .map_err(|_| "headers")?;
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(|_| "request")?;
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| "network error")?
        .unchecked_into();
    let body = match response.text() {
        Ok(text) => JsFuture::from(text).await.ok().and_then(|t| t.as_string()),
        Err(_) => None,
    };
    Ok((response.status(), body.unwrap_or_default()))
}
