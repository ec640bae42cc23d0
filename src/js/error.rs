//! Errors as JavaScript `OidcError` objects (a real `Error` subclass with a stable `code`).

use wasm_bindgen::prelude::*;

use crate::core::Error;

#[wasm_bindgen(module = "/src/js/error.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeOidcError)]
    fn make_oidc_error(
        code: &str,
        message: &str,
        detail: Option<String>,
        hint: &str,
        error: Option<String>,
        error_description: Option<String>,
        status: Option<u16>,
    ) -> JsValue;
}

/// Converts a core error into an `OidcError`. The message never holds a secret (the core guarantees it).
pub(crate) fn to_js(err: &Error) -> JsValue {
    let oauth = err.oauth();
    make_oidc_error(
        err.code(),
        &err.to_string(),
        err.detail().map(str::to_owned),
        err.hint(),
        oauth.map(|o| o.error.clone()),
        oauth.and_then(|o| o.error_description.clone()),
        oauth.and_then(|o| o.status),
    )
}

/// An `invalid_config` error naming the offending option (option names are not secrets).
pub(crate) fn invalid_option(name: &str, problem: &str) -> JsValue {
    make_oidc_error(
        "invalid_config",
        &format!("Invalid option `{name}`: {problem}."),
        Some(name.to_owned()),
        "Fix the configuration passed to createClient (see the README for the options).",
        None,
        None,
        None,
    )
}
