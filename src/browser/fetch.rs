//! HTTP for the protocol: `fetch` with redirects not followed, no cookies or credentials, no caching,
//! no referrer (all set in `http.js`, shared with the package entry), an overall deadline, and a cap
//! on the response body.

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Response, ResponseType};

use super::globals;
use crate::core::{
    Error, HttpRequest, HttpResponse, InvalidResponse, MAX_BODY_BYTES, Method, Transport,
};

#[wasm_bindgen(module = "/src/browser/http.js")]
extern "C" {
    /// `fetch` with the library's request policy.
    #[wasm_bindgen(catch)]
    fn send(
        method: &str,
        url: &str,
        headers: &Array,
        body: Option<&str>,
        signal: &AbortSignal,
    ) -> Result<Promise, JsValue>;
}

/// A GET the package entry started (with `send`) before the WebAssembly module was ready: the
/// discovery request, so that it overlaps with loading the module. Used only for a request with the
/// same method, URL and headers; its answer gets the same checks as any other.
pub(crate) struct Early {
    url: String,
    headers: Vec<(String, String)>,
    response: Promise,
    controller: AbortController,
}

impl std::fmt::Debug for Early {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Early").field("url", &self.url).finish()
    }
}

impl Early {
    /// Reads `{ url, headers, response, controller }` as made by the package entry; `None` for
    /// anything else.
    pub(crate) fn from_js(value: &JsValue) -> Option<Early> {
        let get = |k: &str| Reflect::get(value, &JsValue::from_str(k)).ok();
        let mut headers = Vec::new();
        for pair in get("headers")?.dyn_into::<Array>().ok()?.iter() {
            let pair = pair.dyn_into::<Array>().ok()?;
            headers.push((pair.get(0).as_string()?, pair.get(1).as_string()?));
        }
        Some(Early {
            url: get("url")?.as_string()?,
            headers,
            response: get("response")?.dyn_into().ok()?,
            controller: get("controller")?.dyn_into().ok()?,
        })
    }

    /// Whether this is the request the driver is about to send.
    pub(crate) fn answers(&self, request: &HttpRequest) -> bool {
        request.method == Method::Get
            && request.body.is_none()
            && request.url == self.url
            && request.headers == self.headers
    }
}

/// Clears the deadline timer when the exchange ends, however it ends.
struct Deadline {
    id: JsValue,
    _abort: Closure<dyn FnMut()>,
}

impl Drop for Deadline {
    fn drop(&mut self) {
        globals::clear_timeout(&self.id);
    }
}

/// Sends `request` (or takes the answer of `early`, the same request already sent) and reads the
/// whole response within `timeout_ms`.
pub(crate) async fn fetch(
    request: &HttpRequest,
    timeout_ms: u32,
    early: Option<Early>,
) -> Result<HttpResponse, Error> {
    // `offline` says the request cannot have left the browser (the driver may then send it again):
    // only when the browser was offline before sending and still is when it fails. Once it may have
    // been sent, a failure is `network` (or `timeout`), and once response headers came, always so.
    let offline_before = !globals::online();
    let network = |_| {
        Error::Transport(if offline_before && !globals::online() {
            Transport::Offline
        } else {
            Transport::Network
        })
    };
    let (controller, sent) = match early {
        Some(early) => (early.controller, Ok(early.response)),
        None => {
            let controller = AbortController::new().map_err(network)?;
            let headers: Array = request
                .headers
                .iter()
                .map(|(k, v)| Array::of2(&JsValue::from_str(k), &JsValue::from_str(v)))
                .collect();
            let method = match request.method {
                Method::Get => "GET",
                Method::Post => "POST",
            };
            let sent = send(
                method,
                &request.url,
                &headers,
                request.body.as_deref(),
                &controller.signal(),
            );
            (controller, sent)
        }
    };
    let signal = controller.signal();
    let abort = Closure::<dyn FnMut()>::new(move || controller.abort());
    let id = globals::set_timeout(
        abort.as_ref().unchecked_ref(),
        timeout_ms.min(i32::MAX as u32) as i32,
    )
    .map_err(network)?;
    let _deadline = Deadline { id, _abort: abort };
    let timed_out = || signal.aborted();
    let fail = |_| {
        if timed_out() {
            Error::Transport(Transport::Timeout)
        } else {
            network(JsValue::NULL)
        }
    };

    let response: Response = JsFuture::from(sent.map_err(network)?)
        .await
        .map_err(fail)?
        .dyn_into()
        .map_err(|_| Error::Transport(Transport::Network))?;
    // The request reached a server: a failure from here on is never `offline`.
    let cut = |_| {
        Error::Transport(if timed_out() {
            Transport::Timeout
        } else {
            Transport::Network
        })
    };
    if response.type_() == ResponseType::Opaqueredirect || (300..400).contains(&response.status()) {
        return Err(Error::InvalidResponse(InvalidResponse::UnexpectedRedirect));
    }
    if response.status() == 0 {
        return Err(Error::Transport(Transport::Network));
    }
    let header = |name: &str| response.headers().get(name).ok().flatten();
    if let Some(len) = header("content-length").and_then(|v| v.trim().parse::<u64>().ok()) {
        if len > MAX_BODY_BYTES as u64 {
            return Err(Error::InvalidResponse(InvalidResponse::BodyTooLarge));
        }
    }
    let text = JsFuture::from(response.text().map_err(cut)?)
        .await
        .map_err(cut)?;
    let body = text.as_string().unwrap_or_default();
    if body.len() > MAX_BODY_BYTES {
        return Err(Error::InvalidResponse(InvalidResponse::BodyTooLarge));
    }
    let retry_after = header("retry-after").and_then(|v| retry_after_secs(&v));
    Ok(HttpResponse {
        status: response.status(),
        content_type: header("content-type"),
        body,
        retry_after,
        dpop_nonce: header("dpop-nonce"),
        www_authenticate: header("www-authenticate"),
    })
}

/// `Retry-After` as seconds from now: delay-seconds, or an HTTP-date parsed by the browser's `Date`.
fn retry_after_secs(value: &str) -> Option<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs);
    }
    let at = js_sys::Date::parse(value);
    let now = js_sys::Date::now();
    (at.is_finite() && at > now).then(|| ((at - now) / 1000.0).ceil() as u64)
}
