//! Bindings to global functions and objects, so that the adapter works in a page and in a worker alike.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The global `setTimeout`.
    #[wasm_bindgen(js_name = setTimeout, catch)]
    pub(crate) fn set_timeout(handler: &js_sys::Function, timeout: i32)
    -> Result<JsValue, JsValue>;

    /// The global `clearTimeout`.
    #[wasm_bindgen(js_name = clearTimeout)]
    pub(crate) fn clear_timeout(id: &JsValue);
}

/// A property of the global object, if present.
pub(crate) fn global_property(name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// Fills `buf` from `crypto.getRandomValues` (WebCrypto), through getrandom.
pub(crate) fn get_random_values(buf: &mut [u8]) -> Result<(), JsValue> {
    getrandom::fill(buf).map_err(|_| JsValue::NULL)
}

/// `navigator.onLine`, or true when unknown.
pub(crate) fn online() -> bool {
    global_property("navigator")
        .and_then(|n| js_sys::Reflect::get(&n, &JsValue::from_str("onLine")).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(true)
}
