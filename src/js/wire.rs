//! Reading and writing the plain objects the page and the engine exchange.

use wasm_bindgen::JsValue;

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

/// `obj[key]` as a string.
pub(crate) fn string(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).and_then(|v| v.as_string())
}

/// True when `obj[key]` is `true`.
pub(crate) fn flag(obj: &JsValue, key: &str) -> bool {
    get(obj, key).and_then(|v| v.as_bool()) == Some(true)
}

/// `obj[key]` as a list of `[key, value]` string pairs (the transaction records a page supplies);
/// anything else in it is skipped.
pub(crate) fn records(obj: &JsValue, key: &str) -> Vec<(String, String)> {
    let Some(list) = get(obj, key).filter(js_sys::Array::is_array) else {
        return Vec::new();
    };
    js_sys::Array::from(&list)
        .iter()
        .filter(js_sys::Array::is_array)
        .filter_map(|entry| {
            let pair = js_sys::Array::from(&entry);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}
