//! JSON through the browser's own `JSON.parse`, converted into the core's [`Json`] model.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::core::{Json, JsonParser};

/// Deepest nesting accepted; deeper documents are treated as unparseable (no protocol message nests deeply).
const MAX_DEPTH: usize = 32;

/// [`JsonParser`] backed by `JSON.parse`.
#[derive(Debug, Clone, Copy, Default)]
pub struct BrowserJson;

impl JsonParser for BrowserJson {
    fn parse(&self, text: &str) -> Option<Json> {
        let value = js_sys::JSON::parse(text).ok()?;
        convert(&value, 0)
    }
}

fn convert(v: &JsValue, depth: usize) -> Option<Json> {
    if depth > MAX_DEPTH {
        return None;
    }
    if v.is_null() {
        return Some(Json::Null);
    }
    if let Some(b) = v.as_bool() {
        return Some(Json::Bool(b));
    }
    if let Some(n) = v.as_f64() {
        return Some(Json::Number(n));
    }
    if let Some(s) = v.as_string() {
        return Some(Json::String(s));
    }
    if js_sys::Array::is_array(v) {
        let arr: &js_sys::Array = v.unchecked_ref();
        return arr
            .iter()
            .map(|item| convert(&item, depth + 1))
            .collect::<Option<Vec<_>>>()
            .map(Json::Array);
    }
    if v.is_object() {
        let entries = js_sys::Object::entries(v.unchecked_ref());
        let mut members = Vec::with_capacity(entries.length() as usize);
        for entry in entries.iter() {
            let pair: &js_sys::Array = entry.unchecked_ref();
            let key = pair.get(0).as_string()?;
            members.push((key, convert(&pair.get(1), depth + 1)?));
        }
        return Some(Json::Object(members));
    }
    None
}

/// Turns a core [`Json`] value into a JavaScript value, directly: numbers stay the same doubles (no
/// text in between), and object members become own properties (`Object.fromEntries`, so a member
/// named `__proto__` is data, as with `JSON.parse`). A repeated name keeps its last value.
pub fn to_js(value: &Json) -> JsValue {
    match value {
        Json::Null => JsValue::NULL,
        Json::Bool(b) => JsValue::from_bool(*b),
        Json::Number(n) => JsValue::from_f64(*n),
        Json::String(s) => JsValue::from_str(s),
        Json::Array(items) => items.iter().map(to_js).collect::<js_sys::Array>().into(),
        Json::Object(members) => {
            let entries = members
                .iter()
                .map(|(k, v)| {
                    let pair = js_sys::Array::new();
                    pair.push(&JsValue::from_str(k));
                    pair.push(&to_js(v));
                    pair
                })
                .collect::<js_sys::Array>();
            js_sys::Object::from_entries(&entries)
                .map(JsValue::from)
                .unwrap_or(JsValue::NULL)
        }
    }
}
