//! Reading the options of a `login` message (`returnTo` and the typed authorization parameters)
//! into [`LoginOptions`]. Types and sizes are checked here, before anything is copied out of the
//! message; the rules of each parameter are the core's ([`LoginOptions::validate`], which the login
//! applies). A bad option is an `invalid_config` error naming it.

use wasm_bindgen::{JsCast, JsValue};

use super::wire::{bounded_string, get};
use crate::core::login_options::{MAX_ACR_LEN, MAX_ACR_VALUES, MAX_LOGIN_HINT_LEN};
use crate::core::{Error, LoginOptions};

/// The longest `prompt` and `uiLocales` strings read, in UTF-16 units.
const MAX_TOKENS_CHARS: u32 = 640;

fn invalid(field: &'static str, reason: &'static str) -> JsValue {
    super::error::to_js(&Error::invalid_config(field, reason))
}

/// `msg[key]`: absent is `None`, a string of at most `max` UTF-16 units is `Some`, anything else an
/// error naming `key`.
fn text(msg: &JsValue, key: &'static str, max: u32) -> Result<Option<String>, JsValue> {
    if get(msg, key).is_none() {
        return Ok(None);
    }
    bounded_string(msg, key, max)
        .map(Some)
        .ok_or_else(|| invalid(key, "expected a string of bounded length"))
}

/// The options of the `login` message `msg`; `max_url` bounds `returnTo`.
#[inline(never)]
pub(crate) fn read(msg: &JsValue, max_url: u32) -> Result<LoginOptions, JsValue> {
    let mut options = LoginOptions {
        return_to: bounded_string(msg, "returnTo", max_url),
        prompt: text(msg, "prompt", MAX_TOKENS_CHARS)?,
        login_hint: text(msg, "loginHint", MAX_LOGIN_HINT_LEN as u32)?,
        ui_locales: text(msg, "uiLocales", MAX_TOKENS_CHARS)?,
        ..LoginOptions::default()
    };
    if let Some(v) = get(msg, "maxAge") {
        options.max_age = match v.as_f64() {
            Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 1e9 => Some(n as u64),
            _ => return Err(invalid("maxAge", "expected a whole number of seconds")),
        };
    }
    if let Some(v) = get(msg, "acrValues") {
        const REASON: &str = "expected an array of at most 16 strings";
        if !js_sys::Array::is_array(&v) {
            return Err(invalid("acrValues", REASON));
        }
        let list: js_sys::Array = v.unchecked_into();
        if list.length() > MAX_ACR_VALUES as u32 {
            return Err(invalid("acrValues", REASON));
        }
        for item in list.iter() {
            let value = item
                .dyn_ref::<js_sys::JsString>()
                .filter(|s| s.length() <= MAX_ACR_LEN as u32)
                .and_then(|s| s.as_string())
                .ok_or_else(|| invalid("acrValues", REASON))?;
            options.acr_values.push(value);
        }
    }
    if let Some(v) = get(msg, "acrEssential") {
        options.acr_essential = v
            .as_bool()
            .ok_or_else(|| invalid("acrEssential", "expected a boolean"))?;
    }
    Ok(options)
}
