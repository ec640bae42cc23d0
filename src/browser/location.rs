//! The address bar: reading the redirect, scrubbing it, and top-level navigation.

use wasm_bindgen::JsValue;

use crate::core::{Error, Misuse, RESPONSE_PARAMS};

fn window() -> Result<web_sys::Window, Error> {
    web_sys::window().ok_or(Error::Misuse(Misuse::NotInBrowser))
}

/// The page's current URL.
pub fn current_url() -> Result<String, Error> {
    window()?
        .location()
        .href()
        .map_err(|_| Error::Misuse(Misuse::NotInBrowser))
}

/// Sends the page to `url`.
pub(crate) fn navigate(url: &str) -> Result<(), Error> {
    window()?
        .location()
        .assign(url)
        .map_err(|_| Error::Misuse(Misuse::NotInBrowser))
}

fn pairs(params: &web_sys::UrlSearchParams) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in js_sys::try_iter(params)
        .ok()
        .flatten()
        .into_iter()
        .flatten()
        .flatten()
    {
        let pair = js_sys::Array::from(&entry);
        if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            out.push((k, v));
        }
    }
    out
}

/// The decoded parameters of a URL's query and fragment, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UrlParams {
    /// Name/value pairs of the query string.
    pub query: Vec<(String, String)>,
    /// Name/value pairs of the fragment (read as form-encoded).
    pub fragment: Vec<(String, String)>,
}

/// The decoded query and fragment parameters of `url` (parsed by the browser's URL parser).
pub fn callback_pairs(url: &str) -> Result<UrlParams, Error> {
    let parsed = web_sys::Url::new(url).map_err(|_| Error::Misuse(Misuse::NotInBrowser))?;
    let query = pairs(&parsed.search_params());
    let hash = parsed.hash();
    let fragment = match hash.strip_prefix('#') {
        Some(h) if !h.is_empty() => web_sys::UrlSearchParams::new_with_str(h)
            .map(|p| pairs(&p))
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    Ok(UrlParams { query, fragment })
}

/// True when `url` carries authorization-response parameters in its query or fragment.
pub fn is_callback_url(url: &str) -> bool {
    callback_pairs(url)
        .map(|p| {
            p.query
                .iter()
                .chain(p.fragment.iter())
                .any(|(k, _)| k == "code" || k == "error" || k == "state")
        })
        .unwrap_or(false)
}

/// Removes the authorization-response parameters from the address bar with `history.replaceState`
/// (no new history entry), so that the code never stays in history (RFC 9700 §4.3.1).
/// Returns the scrubbed URL.
pub fn scrub_url(url: &str) -> Result<String, Error> {
    let parsed = web_sys::Url::new(url).map_err(|_| Error::Misuse(Misuse::NotInBrowser))?;
    let params = parsed.search_params();
    for name in RESPONSE_PARAMS {
        params.delete(name);
    }
    parsed.set_search(&params.to_string().as_string().unwrap_or_default());
    let hash = parsed.hash();
    if let Some(h) = hash.strip_prefix('#') {
        let frag = web_sys::UrlSearchParams::new_with_str(h).ok();
        if frag.is_some_and(|f| RESPONSE_PARAMS.iter().any(|n| f.has(n))) {
            parsed.set_hash("");
        }
    }
    let clean = parsed.href();
    let w = window()?;
    let history = w
        .history()
        .map_err(|_| Error::Misuse(Misuse::NotInBrowser))?;
    let state = history.state().unwrap_or(JsValue::NULL);
    history
        .replace_state_with_url(&state, "", Some(&clean))
        .map_err(|_| Error::Misuse(Misuse::NotInBrowser))?;
    Ok(clean)
}

/// Replaces the address bar with `url` (a same-origin path or URL) with `history.replaceState`: no new
/// history entry and no page load. Used after a completed login to show the path it started from.
pub fn replace_url(url: &str) -> Result<(), Error> {
    let history = window()?
        .history()
        .map_err(|_| Error::Misuse(Misuse::NotInBrowser))?;
    let state = history.state().unwrap_or(JsValue::NULL);
    history
        .replace_state_with_url(&state, "", Some(url))
        .map_err(|_| Error::Misuse(Misuse::NotInBrowser))
}

/// The path, query and fragment of `url` (a same-origin `returnTo`), or None when it does not parse.
pub fn path_of(url: &str) -> Option<String> {
    let u = web_sys::Url::new(url).ok()?;
    let mut path = u.pathname();
    path.push_str(&u.search());
    path.push_str(&u.hash());
    Some(path)
}
