//! Reading and writing the plain objects the page and the engine exchange.

use wasm_bindgen::{JsCast, JsValue};

/// A new plain object.
pub(crate) fn object() -> js_sys::Object {
    js_sys::Object::new()
}

/// Sets `obj[key] = value`.
pub(crate) fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

/// `obj[key]`, or None when absent, `null` or `undefined` (or `obj` is not an object).
pub(crate) fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
    if !obj.is_object() {
        return None;
    }
    js_sys::Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// True when `obj[key]` is `true`.
pub(crate) fn flag(obj: &JsValue, key: &str) -> bool {
    get(obj, key).and_then(|v| v.as_bool()) == Some(true)
}

/// The most records a call may hand over, and the longest record: a page supplies at most the
/// record of its callback's `state` (or its logout, or the restore marker).
const MAX_RECORDS: u32 = 4;
const MAX_RECORD_CHARS: u32 = 16 * 1024;

/// `obj[key]` as a list of `[key, value]` string pairs (the transaction records a page supplies):
/// only keys of the library (`oxidc.tx.`), at most a few, each of bounded size; anything else in it
/// is skipped, so a page cannot make the engine copy or echo back arbitrary data.
pub(crate) fn records(obj: &JsValue, key: &str) -> Vec<(String, String)> {
    let Some(list) = get(obj, key).filter(js_sys::Array::is_array) else {
        return Vec::new();
    };
    let list = js_sys::Array::from(&list);
    if list.length() > MAX_RECORDS {
        return Vec::new();
    }
    list.iter()
        .filter(js_sys::Array::is_array)
        .filter_map(|entry| {
            let pair = js_sys::Array::from(&entry);
            let (k, v) = (pair.get(0), pair.get(1));
            let small = |v: &JsValue| {
                v.dyn_ref::<js_sys::JsString>()
                    .is_some_and(|s| s.length() <= MAX_RECORD_CHARS)
            };
            if !small(&k) || !small(&v) {
                return None;
            }
            let k = k.as_string()?;
            k.starts_with(crate::driver::TRANSACTION_PREFIX)
                .then_some((k, v.as_string()?))
        })
        .collect()
}

/// `obj[key]` as a string of at most `max` UTF-16 units (a callback URL), else None.
pub(crate) fn bounded_string(obj: &JsValue, key: &str, max: u32) -> Option<String> {
    get(obj, key)?
        .dyn_ref::<js_sys::JsString>()
        .filter(|s| s.length() <= max)?
        .as_string()
}
