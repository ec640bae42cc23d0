//! The browser adapter, in headless Chromium (wasm-bindgen-test): JSON through `JSON.parse`, the
//! transaction storage, reading and scrubbing the callback URL, WebCrypto randomness and `fetch` errors.
#![cfg(target_arch = "wasm32")]

use oxidc::browser::{
    BrowserJson, BrowserPlatform, callback_pairs, current_url, is_callback_url, scrub_url, to_js,
};
use oxidc::core::{Error, HttpRequest, InvalidResponse, Json, JsonParser, Method, Transport};
use oxidc::driver::Platform;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn json_to_js_keeps_numbers_exactly_and_members_as_own_data() {
    let text = r#"{"score":1.5,"big":12345678901234567890,"tiny":5e-324,"n":[-0.1,1e300],"__proto__":{"polluted":true},"s":"x"}"#;
    let v = BrowserJson.parse(text).unwrap();
    let js = to_js(&v);
    let expected = js_sys::JSON::parse(text).unwrap();
    let get = |o: &wasm_bindgen::JsValue, k: &str| {
        js_sys::Reflect::get(o, &wasm_bindgen::JsValue::from_str(k)).unwrap()
    };
    for k in ["score", "big", "tiny", "s"] {
        assert_eq!(get(&js, k), get(&expected, k), "{k}");
    }
    let n = js_sys::Array::from(&get(&js, "n"));
    assert_eq!(n.get(0).as_f64(), Some(-0.1));
    assert_eq!(n.get(1).as_f64(), Some(1e300));
    // `__proto__` is an own data member, as JSON.parse makes it; the prototype is untouched.
    let own = js_sys::Object::get_own_property_descriptor(
        js.unchecked_ref::<js_sys::Object>(),
        &wasm_bindgen::JsValue::from_str("__proto__"),
    );
    assert!(!own.is_undefined(), "own member");
    assert!(
        get(&js, "polluted").is_undefined(),
        "not inherited through the prototype"
    );
}

#[wasm_bindgen_test]
fn json_parse_maps_every_kind() {
    let v = BrowserJson
        .parse(r#"{"a":[1,2.5,"x",true,null],"b":{"c":"d"},"a2":-3}"#)
        .unwrap();
    assert_eq!(
        v.get("a").and_then(Json::as_array).map(|a| a.len()),
        Some(5)
    );
    assert_eq!(
        v.get("b").and_then(|b| b.get("c")).and_then(Json::as_str),
        Some("d")
    );
    assert_eq!(v.get("a2").and_then(Json::as_f64), Some(-3.0));
}

#[wasm_bindgen_test]
fn d02_json_parse_refuses_broken_and_deep_documents() {
    assert!(BrowserJson.parse(r#"{"access_token":"#).is_none());
    assert!(BrowserJson.parse("").is_none());
    let deep = "[".repeat(100) + &"]".repeat(100);
    assert!(
        BrowserJson.parse(&deep).is_none(),
        "nesting beyond the cap is refused, not recursed into"
    );
}

#[wasm_bindgen_test]
fn transaction_storage_put_take_clear() {
    let p = BrowserPlatform::default();
    p.transaction_put("oxidc.tx.a", "1").unwrap();
    p.transaction_put("oxidc.tx.b", "2").unwrap();
    p.transaction_put("other", "3").unwrap();
    assert_eq!(
        p.transaction_take("oxidc.tx.a").unwrap().as_deref(),
        Some("1")
    );
    assert_eq!(
        p.transaction_take("oxidc.tx.a").unwrap(),
        None,
        "take deletes"
    );
    p.transaction_clear("oxidc.tx.");
    assert_eq!(p.transaction_take("oxidc.tx.b").unwrap(), None);
    assert_eq!(p.transaction_take("other").unwrap().as_deref(), Some("3"));
}

#[wasm_bindgen_test]
fn callback_pairs_are_decoded_by_the_browser() {
    let p = callback_pairs("https://app.example/cb?code=a%2Bb&state=s+t&iss=https%3A%2F%2Fop#x=1")
        .unwrap();
    assert_eq!(
        p.query,
        vec![
            ("code".into(), "a+b".into()),
            ("state".into(), "s t".into()),
            ("iss".into(), "https://op".into())
        ]
    );
    assert_eq!(p.fragment, vec![("x".to_string(), "1".to_string())]);
    assert!(is_callback_url(
        "https://app.example/cb?error=access_denied"
    ));
    assert!(!is_callback_url("https://app.example/cb?page=2"));
}

#[wasm_bindgen_test]
fn b13_scrub_removes_response_parameters_without_a_history_entry() {
    let history = web_sys::window().unwrap().history().unwrap();
    let original = current_url().unwrap();
    let dirty = format!(
        "{}?keep=1&code=c&state=s&iss=i&session_state=x#state=s",
        original.split(['?', '#']).next().unwrap()
    );
    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&dirty))
        .unwrap();
    let before = history.length().unwrap();
    let clean = scrub_url(&current_url().unwrap()).unwrap();
    assert_eq!(
        history.length().unwrap(),
        before,
        "replaceState: no new entry"
    );
    let now = current_url().unwrap();
    assert_eq!(now, clean);
    assert!(now.ends_with("?keep=1"), "{now}");
    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&original))
        .unwrap();
}

#[wasm_bindgen_test]
fn a03_webcrypto_randomness_is_distinct() {
    let p = BrowserPlatform::default();
    let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
    p.fill_random(&mut a).unwrap();
    p.fill_random(&mut b).unwrap();
    assert_ne!(a, b);
    assert_ne!(a, [0u8; 32]);
}

#[wasm_bindgen_test]
async fn fetch_reads_status_content_type_and_body() {
    let p = BrowserPlatform::default();
    let req = HttpRequest {
        method: Method::Get,
        url: "data:application/json,%7B%22a%22%3A1%7D".into(),
        headers: vec![],
        body: None,
    };
    let resp = p.fetch(&req).await.unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.content_type.as_deref(), Some("application/json"));
    assert_eq!(resp.body, r#"{"a":1}"#);
}

#[wasm_bindgen_test]
async fn fetch_caps_the_body() {
    let p = BrowserPlatform::default();
    let big = "a".repeat(oxidc::core::MAX_BODY_BYTES + 1);
    let req = HttpRequest {
        method: Method::Get,
        url: format!("data:text/plain,{big}"),
        headers: vec![],
        body: None,
    };
    assert_eq!(
        p.fetch(&req).await.unwrap_err(),
        Error::InvalidResponse(InvalidResponse::BodyTooLarge)
    );
}

/// A POST to a loopback port where nothing listens (the connection is refused).
fn refused_post() -> HttpRequest {
    HttpRequest {
        method: Method::Post,
        url: "http://127.0.0.1:9/token".into(),
        headers: vec![],
        body: Some("a=b".into()),
    }
}

#[wasm_bindgen_test]
async fn fetch_connection_refused_is_a_network_error() {
    let p = BrowserPlatform::default();
    let req = refused_post();
    assert_eq!(
        p.fetch(&req).await.unwrap_err(),
        Error::Transport(Transport::Network)
    );
}

/// Makes `navigator.onLine` read `online` (`None`: the browser's own value again).
fn force_online(online: Option<bool>) {
    use wasm_bindgen::JsValue;
    let navigator: js_sys::Object = js_sys::Reflect::get(&js_sys::global(), &"navigator".into())
        .unwrap()
        .into();
    let key = JsValue::from_str("onLine");
    match online {
        None => {
            js_sys::Reflect::delete_property(&navigator, &key).unwrap();
        }
        Some(v) => {
            let descriptor = js_sys::Object::new();
            js_sys::Reflect::set(&descriptor, &"value".into(), &JsValue::from_bool(v)).unwrap();
            js_sys::Reflect::set(&descriptor, &"configurable".into(), &JsValue::TRUE).unwrap();
            js_sys::Object::define_property(&navigator, &key, &descriptor);
        }
    }
}

#[wasm_bindgen_test]
async fn h01_fetch_is_offline_only_when_the_request_cannot_have_left() {
    use std::future::Future;
    use std::pin::pin;
    use std::task::Poll;
    let p = BrowserPlatform::default();
    let req = refused_post();
    force_online(Some(false));
    let offline = p.fetch(&req).await;
    // Online when sent, offline when it failed: it may have reached the server.
    force_online(Some(true));
    let mut sending = pin!(p.fetch(&req));
    let first = std::future::poll_fn(|cx| Poll::Ready(sending.as_mut().poll(cx))).await;
    assert!(first.is_pending(), "sent, not failed yet");
    force_online(Some(false));
    let went_offline = sending.await;
    force_online(None);
    assert_eq!(offline.unwrap_err(), Error::Transport(Transport::Offline));
    assert_eq!(
        went_offline.unwrap_err(),
        Error::Transport(Transport::Network)
    );
}
