//! HTTP for the protocol: `fetch` with redirects not followed, no cookies or credentials, no caching,
//! no referrer, an overall deadline, and a cap on the response body.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, Headers, ReferrerPolicy, Request, RequestCache, RequestCredentials,
    RequestInit, RequestMode, RequestRedirect, Response, ResponseType,
};

use super::globals;
use crate::core::{
    Error, HttpRequest, HttpResponse, InvalidResponse, MAX_BODY_BYTES, Method, Transport,
};

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

/// Sends `request` and reads the whole response within `timeout_ms`.
pub(crate) async fn fetch(request: &HttpRequest, timeout_ms: u32) -> Result<HttpResponse, Error> {
    let network = |_| {
        Error::Transport(if globals::online() {
            Transport::Network
        } else {
            Transport::Offline
        })
    };
    let init = RequestInit::new();
    init.set_method(match request.method {
        Method::Get => "GET",
        Method::Post => "POST",
    });
    init.set_redirect(RequestRedirect::Manual);
    init.set_credentials(RequestCredentials::Omit);
    init.set_cache(RequestCache::NoStore);
    init.set_mode(RequestMode::Cors);
    init.set_referrer_policy(ReferrerPolicy::NoReferrer);
    let headers = Headers::new().map_err(network)?;
    for (name, value) in &request.headers {
        headers.append(name, value).map_err(network)?;
    }
    init.set_headers(&headers);
    if let Some(body) = &request.body {
        init.set_body(&JsValue::from_str(body));
    }
    let controller = AbortController::new().map_err(network)?;
    let signal = controller.signal();
    init.set_signal(Some(&signal));
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

    let req = Request::new_with_str_and_init(&request.url, &init).map_err(network)?;
    let response: Response = JsFuture::from(globals::fetch_with_request(&req))
        .await
        .map_err(fail)?
        .dyn_into()
        .map_err(network)?;
    if response.type_() == ResponseType::Opaqueredirect || (300..400).contains(&response.status()) {
        return Err(Error::InvalidResponse(InvalidResponse::UnexpectedRedirect));
    }
    if response.status() == 0 {
        return Err(network(JsValue::NULL));
    }
    let header = |name: &str| response.headers().get(name).ok().flatten();
    if let Some(len) = header("content-length").and_then(|v| v.trim().parse::<u64>().ok()) {
        if len > MAX_BODY_BYTES as u64 {
            return Err(Error::InvalidResponse(InvalidResponse::BodyTooLarge));
        }
    }
    let text = JsFuture::from(response.text().map_err(network)?)
        .await
        .map_err(fail)?;
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
