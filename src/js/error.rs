//! Errors as plain objects for the page (`{ code, message, detail, hint, error, errorDescription,
//! status }`): they cross from the engine to the page by `postMessage`, where the facade turns them
//! into `OidcError`s. None of these fields ever holds a secret (the core guarantees it).

use wasm_bindgen::JsValue;

use super::wire::{object, set};
use crate::core::Error;

fn fields(
    code: &str,
    message: &str,
    detail: Option<&str>,
    hint: &str,
    oauth: Option<&crate::core::OAuthError>,
    status: Option<u16>,
) -> JsValue {
    let out = object();
    set(&out, "code", &JsValue::from_str(code));
    set(&out, "message", &JsValue::from_str(message));
    set(
        &out,
        "detail",
        &detail.map_or(JsValue::NULL, JsValue::from_str),
    );
    set(&out, "hint", &JsValue::from_str(hint));
    if let Some(o) = oauth {
        set(&out, "error", &JsValue::from_str(&o.error));
        if let Some(d) = &o.error_description {
            set(&out, "errorDescription", &JsValue::from_str(d));
        }
    }
    if let Some(s) = status {
        set(&out, "status", &JsValue::from(s));
    }
    out.into()
}

/// A core error as the page's error fields.
pub(crate) fn to_js(err: &Error) -> JsValue {
    fields(
        err.code(),
        &err.message(),
        err.detail(),
        err.hint(),
        err.oauth(),
        err.status(),
    )
}

/// An `invalid_config` error naming the offending option (option names are not secrets).
pub(crate) fn invalid_option(name: &str, problem: &str) -> JsValue {
    fields(
        "invalid_config",
        &["Invalid option `", name, "`: ", problem, "."].concat(),
        Some(name),
        "Fix the configuration passed to createClient (see the README for the options).",
        None,
        None,
    )
}

/// A message the engine cannot read (not from the facade, or from another version of it).
pub(crate) fn invalid_message(what: &str) -> JsValue {
    fields(
        "invalid_message",
        &["The engine could not read a message: ", what, "."].concat(),
        Some(what),
        "Load the page facade and the engine of the same oxidc version; do not post to the engine yourself.",
        None,
        None,
    )
}
