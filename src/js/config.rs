//! Reading the `createClient` options object (camelCase) into a [`ClientConfig`].
//!
//! Options are read with `Reflect` rather than a serde layer: it is smaller, and an unknown option is
//! an error that names it, so a typo such as `clientID` cannot silently do nothing.

use wasm_bindgen::{JsCast, JsValue};

use super::error::invalid_option;
use crate::core::{ClientConfig, LogoutEndpoint, Tenants};

const KNOWN: &[&str] = &[
    "issuer",
    "clientId",
    "redirectUri",
    "postLogoutRedirectUri",
    "scope",
    "extraAuthParams",
    "allowLoopbackHttp",
    "refreshMarginSeconds",
    "leewaySeconds",
    "maxAge",
    "idTokenSigningAlgs",
    "timeoutMs",
    "autoRefresh",
    "restore",
    "allowedTenants",
    "logoutEndpoint",
    "revocationEndpoint",
    "pushedAuthorizationRequests",
    "dpop",
    "apiOrigins",
];

const LOGOUT_ENDPOINT_KEYS: &[&str] =
    &["url", "redirectParam", "clientIdParam", "idTokenHintParam"];

fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
    js_sys::Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn string(obj: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    match get(obj, key) {
        None => Ok(None),
        Some(v) => v
            .as_string()
            .map(Some)
            .ok_or_else(|| invalid_option(key, "expected a string")),
    }
}

/// The keys of a plain options object; an unknown one is an error naming `field.key`.
fn check_keys(obj: &JsValue, field: &str, known: &[&str]) -> Result<(), JsValue> {
    for key in js_sys::Object::keys(obj.unchecked_ref::<js_sys::Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            let mut name = String::from(field);
            if !field.is_empty() {
                name.push('.');
            }
            name.push_str(&key);
            return Err(invalid_option(&name, "unknown option"));
        }
    }
    Ok(())
}

/// `allowedTenants`: `"any"` or an array of tenant ids.
fn tenants(v: &JsValue) -> Result<Tenants, JsValue> {
    const FIELD: &str = "allowedTenants";
    if v.as_string().as_deref() == Some("any") {
        return Ok(Tenants::Any);
    }
    if !js_sys::Array::is_array(v) {
        return Err(invalid_option(
            FIELD,
            "expected \"any\" or an array of tenant ids",
        ));
    }
    let list: Option<Vec<String>> = js_sys::Array::from(v)
        .iter()
        .map(|t| t.as_string())
        .collect();
    list.map(Tenants::List)
        .ok_or_else(|| invalid_option(FIELD, "expected \"any\" or an array of tenant ids"))
}

/// `logoutEndpoint`: `{ url, redirectParam?, clientIdParam?, idTokenHintParam? }`; a parameter name
/// of `null` leaves that parameter out.
fn logout_endpoint(v: &JsValue) -> Result<LogoutEndpoint, JsValue> {
    const FIELD: &str = "logoutEndpoint";
    if !v.is_object() {
        return Err(invalid_option(FIELD, "expected an object with a url"));
    }
    check_keys(v, FIELD, LOGOUT_ENDPOINT_KEYS)?;
    let mut endpoint = LogoutEndpoint::new(
        string(v, "url")?.ok_or_else(|| invalid_option(FIELD, "url is required"))?,
    );
    if let Some(name) = string(v, "redirectParam")? {
        endpoint.redirect_param = name;
    }
    let optional_name = |key: &str, default: Option<String>| -> Result<Option<String>, JsValue> {
        let raw = js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
        if raw.is_undefined() {
            Ok(default)
        } else if raw.is_null() {
            Ok(None)
        } else {
            raw.as_string()
                .map(Some)
                .ok_or_else(|| invalid_option(FIELD, "parameter names are strings or null"))
        }
    };
    endpoint.client_id_param = optional_name("clientIdParam", endpoint.client_id_param.take())?;
    endpoint.id_token_hint_param = optional_name("idTokenHintParam", None)?;
    Ok(endpoint)
}

fn required(obj: &JsValue, key: &str) -> Result<String, JsValue> {
    string(obj, key)?.ok_or_else(|| invalid_option(key, "required"))
}

fn seconds(obj: &JsValue, key: &str) -> Result<Option<u64>, JsValue> {
    match get(obj, key) {
        None => Ok(None),
        Some(v) => match v.as_f64() {
            Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 1e9 => {
                Ok(Some(n as u64))
            }
            _ => Err(invalid_option(key, "expected a whole number of seconds")),
        },
    }
}

/// The parsed options: the core configuration plus the adapter's HTTP deadline.
pub(crate) struct Options {
    pub(crate) config: ClientConfig,
    pub(crate) timeout_ms: Option<u32>,
    pub(crate) auto_refresh: bool,
    pub(crate) silent_restore: bool,
}

fn boolean(obj: &JsValue, key: &str, default: bool) -> Result<bool, JsValue> {
    match get(obj, key) {
        None => Ok(default),
        Some(v) => v
            .as_bool()
            .ok_or_else(|| invalid_option(key, "expected a boolean")),
    }
}

/// Reads the options object. Every problem becomes an `OidcError` with code `invalid_config`.
pub(crate) fn read(obj: &JsValue) -> Result<Options, JsValue> {
    if !obj.is_object() {
        return Err(invalid_option("options", "expected an object"));
    }
    check_keys(obj, "", KNOWN)?;
    let mut config = ClientConfig::new(
        required(obj, "issuer")?,
        required(obj, "clientId")?,
        required(obj, "redirectUri")?,
    );
    config.post_logout_redirect_uri = string(obj, "postLogoutRedirectUri")?;
    if let Some(scope) = string(obj, "scope")? {
        config.scope = scope;
    }
    if let Some(params) = get(obj, "extraAuthParams") {
        if !params.is_object() {
            return Err(invalid_option(
                "extraAuthParams",
                "expected an object of strings",
            ));
        }
        for entry in js_sys::Object::entries(params.unchecked_ref::<js_sys::Object>()).iter() {
            let pair = js_sys::Array::from(&entry);
            match (pair.get(0).as_string(), pair.get(1).as_string()) {
                (Some(k), Some(v)) => config.extra_auth_params.push((k, v)),
                _ => {
                    return Err(invalid_option(
                        "extraAuthParams",
                        "expected an object of strings",
                    ));
                }
            }
        }
    }
    if let Some(v) = get(obj, "allowLoopbackHttp") {
        config.allow_loopback_http = v
            .as_bool()
            .ok_or_else(|| invalid_option("allowLoopbackHttp", "expected a boolean"))?;
    }
    if let Some(v) = seconds(obj, "refreshMarginSeconds")? {
        config.refresh_margin_secs = v;
    }
    if let Some(v) = seconds(obj, "leewaySeconds")? {
        config.leeway_secs = v;
    }
    config.max_age = seconds(obj, "maxAge")?;
    if let Some(v) = get(obj, "idTokenSigningAlgs") {
        if !js_sys::Array::is_array(&v) {
            return Err(invalid_option(
                "idTokenSigningAlgs",
                "expected an array of strings",
            ));
        }
        let arr: js_sys::Array = v.unchecked_into();
        let algs: Option<Vec<String>> = arr.iter().map(|a| a.as_string()).collect();
        config.id_token_signing_algs = algs
            .ok_or_else(|| invalid_option("idTokenSigningAlgs", "expected an array of strings"))?;
    }
    config.allowed_tenants = get(obj, "allowedTenants")
        .map(|v| tenants(&v))
        .transpose()?;
    config.logout_endpoint = get(obj, "logoutEndpoint")
        .map(|v| logout_endpoint(&v))
        .transpose()?;
    config.revocation_endpoint = string(obj, "revocationEndpoint")?;
    config.pushed_authorization_requests = boolean(obj, "pushedAuthorizationRequests", false)?;
    config.dpop = boolean(obj, "dpop", false)?;
    if let Some(v) = get(obj, "apiOrigins") {
        const REASON: &str = "expected an array of origins";
        if !js_sys::Array::is_array(&v) {
            return Err(invalid_option("apiOrigins", REASON));
        }
        let list: Option<Vec<String>> = js_sys::Array::from(&v)
            .iter()
            .map(|o| o.as_string())
            .collect();
        config.api_origins = list.ok_or_else(|| invalid_option("apiOrigins", REASON))?;
    }
    let timeout_ms = seconds(obj, "timeoutMs")?.map(|ms| ms.min(u32::MAX as u64) as u32);
    let silent_restore = match string(obj, "restore")?.as_deref() {
        None | Some("none") => false,
        Some("silent") => true,
        Some(_) => return Err(invalid_option("restore", "expected \"none\" or \"silent\"")),
    };
    Ok(Options {
        config,
        timeout_ms,
        auto_refresh: boolean(obj, "autoRefresh", false)?,
        silent_restore,
    })
}
