//! Reading the `createClient` options object (camelCase) into a [`ClientConfig`].
//!
//! Options are read with `Reflect` rather than a serde layer: it is smaller, and an unknown option is
//! an error that names it, so a typo such as `clientID` cannot silently do nothing.

use wasm_bindgen::{JsCast, JsValue};

use super::error::invalid_option;
use crate::core::ClientConfig;

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
];

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
    for key in js_sys::Object::keys(obj.unchecked_ref::<js_sys::Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !KNOWN.contains(&key.as_str()) {
            return Err(invalid_option(&key, "unknown option"));
        }
    }
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
