//! What both Rust example apps (Yew and Leptos) need besides the framework: the page's configuration,
//! how an error is shown, and the protected-API call.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The issuer when `/config.js` does not set one.
pub(crate) const DEFAULT_ISSUER: &str = "http://127.0.0.1:9000";

/// Where `make examples` puts the package's worker files (`worker.js` and what it loads).
pub(crate) const WORKER_URL: &str = "/oxidc/worker.js";

/// The client configuration of both apps. The engine runs in the package's worker, served from
/// [`WORKER_URL`]. Like the JavaScript example, `window.OXIDC_CONFIG` (set before `/config.js` runs)
/// may set `shareTabs: false` (a dedicated worker per tab) and `dangerouslyKeepRefreshTokenInPage:
/// true` (the engine in the page: the tests' control for what that opt-out exposes).
pub(crate) fn auth_config() -> oxidc::ui::AuthConfig {
    let (origin, issuer) = page_config();
    oxidc::ui::AuthConfig::new(issuer, "spa", format!("{origin}/callback"))
        .with_post_logout_redirect_uri(format!("{origin}/"))
        .with_scope("openid profile email offline_access")
        .with_extra_auth_param("prompt", "consent")
        .with_loopback_http(true)
        .with_worker_url(WORKER_URL)
        .with_share_tabs(config_flag("shareTabs").unwrap_or(true))
        .with_dangerously_keep_refresh_token_in_page(
            config_flag("dangerouslyKeepRefreshTokenInPage").unwrap_or(false),
        )
}

/// `window.OXIDC_CONFIG[name]` when it is a boolean.
fn config_flag(name: &str) -> Option<bool> {
    let window = web_sys::window()?;
    let config = js_sys::Reflect::get(&window, &"OXIDC_CONFIG".into()).ok()?;
    if !config.is_object() {
        return None;
    }
    js_sys::Reflect::get(&config, &name.into()).ok()?.as_bool()
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
