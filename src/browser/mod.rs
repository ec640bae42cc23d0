//! The browser adapter: the only code that touches `web-sys` and `js-sys`.
//!
//! It implements [`Platform`] with `fetch` (redirects not followed, no credentials, a deadline and a
//! body-size cap), WebCrypto (randomness, and ID-token signatures in `webcrypto.rs`), `JSON.parse`,
//! `sessionStorage` for the login transaction only, and `location`/`history` for the redirect. Globals are bound directly (not through `window`) so the
//! same code can later run in a dedicated Web Worker.

mod fetch;
mod globals;
mod json;
mod lifecycle;
mod location;
mod storage;
mod tabs;
mod webcrypto;

pub use json::{BrowserJson, to_js};
pub use lifecycle::{Lifecycle, install as install_lifecycle, install_timer};
pub use location::{
    UrlParams, callback_pairs, current_url, is_callback_url, path_of, replace_url, scrub_url,
};

use crate::core::{
    ClientConfig, Error, HttpRequest, HttpResponse, JsonParser, Platform as PlatformError, Sha,
};
use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsValue;

use crate::driver::{Platform, TabNames, Tabs};

/// Default deadline for one HTTP exchange, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// [`Platform`] for a browser page.
#[derive(Debug, Clone)]
pub struct BrowserPlatform {
    json: BrowserJson,
    timeout_ms: u32,
    tabs: Option<Rc<tabs::BrowserTabs>>,
    /// A request already on its way (see [`fetch::Early`]), until the driver sends that request.
    early: Rc<RefCell<Option<fetch::Early>>>,
}

impl Default for BrowserPlatform {
    fn default() -> Self {
        BrowserPlatform {
            json: BrowserJson,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            tabs: None,
            early: Rc::default(),
        }
    }
}

impl BrowserPlatform {
    /// A platform whose HTTP exchanges time out after `timeout_ms` milliseconds.
    pub fn with_timeout(timeout_ms: u32) -> Self {
        BrowserPlatform {
            timeout_ms,
            ..Self::default()
        }
    }

    /// The platform of one client of `config`: HTTP deadline `timeout_ms` (default
    /// [`DEFAULT_TIMEOUT_MS`]), and the session shared with the app's other tabs when `share_tabs`
    /// (see [`Self::sharing_tabs`]). The npm package's engine starts from it (without sharing: one
    /// engine in a `SharedWorker` serves every tab).
    pub fn for_client(config: &ClientConfig, timeout_ms: Option<u32>, share_tabs: bool) -> Self {
        let platform = match timeout_ms {
            Some(ms) => Self::with_timeout(ms),
            None => Self::default(),
        };
        if share_tabs {
            platform.sharing_tabs(&config.issuer, &config.client_id)
        } else {
            platform
        }
    }

    /// Takes over a request already started with the same policy (the npm package's entry starts the
    /// discovery request while the WebAssembly module loads): `early` is `{ url, headers, response,
    /// controller }` (a `[name, value]` list, the `fetch` promise and its `AbortController`). The
    /// first request is answered by it when it has that method (GET), URL and headers; otherwise it
    /// is dropped (the package entry aborts it once `createClient` settles).
    pub fn with_early(self, early: &JsValue) -> Self {
        *self.early.borrow_mut() = fetch::Early::from_js(early);
        self
    }

    /// Shares the session with the other tabs of this origin that use the same issuer and client id
    /// (`BroadcastChannel` and Web Locks; see [`crate::driver::tabs`]). Where the browser lacks either,
    /// nothing changes: this tab keeps its own session.
    pub fn sharing_tabs(mut self, issuer: &str, client_id: &str) -> Self {
        self.tabs = tabs::BrowserTabs::open(&TabNames::new(issuer, client_id));
        self
    }

    /// True when this platform shares the session with other tabs.
    pub fn shares_tabs(&self) -> bool {
        self.tabs.is_some()
    }

    /// The channel other tabs post to, when sharing.
    pub(crate) fn tab_channel(&self) -> Option<&web_sys::BroadcastChannel> {
        self.tabs.as_deref().map(tabs::BrowserTabs::channel)
    }
}

impl Platform for BrowserPlatform {
    fn now(&self) -> u64 {
        let ms = js_sys::Date::now();
        if ms.is_finite() && ms > 0.0 {
            (ms / 1000.0) as u64
        } else {
            0
        }
    }

    fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error> {
        globals::get_random_values(buf)
            .map_err(|_| Error::Platform(PlatformError::CryptoUnavailable))
    }

    async fn fetch(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        // Only the first request may use it; afterwards the slot is empty.
        let early = self
            .early
            .borrow_mut()
            .take()
            .filter(|e| e.answers(request));
        fetch::fetch(request, self.timeout_ms, early).await
    }

    async fn sleep_ms(&self, ms: u64) {
        let ms = ms.min(i32::MAX as u64) as i32;
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            let _ = globals::set_timeout(&resolve, ms);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    fn json(&self) -> &dyn JsonParser {
        &self.json
    }

    fn transaction_put(&self, key: &str, value: &str) -> Result<(), Error> {
        storage::put(key, value)
    }

    fn transaction_take(&self, key: &str) -> Result<Option<String>, Error> {
        storage::take(key)
    }

    fn transaction_clear(&self, prefix: &str) {
        storage::clear(prefix)
    }

    fn navigate(&self, url: &str) -> Result<(), Error> {
        location::navigate(url)
    }

    fn tabs(&self) -> Option<&dyn Tabs> {
        self.tabs.as_ref().map(|t| t as &dyn Tabs)
    }

    async fn digest(&self, sha: Sha, data: &[u8]) -> Result<Vec<u8>, Error> {
        webcrypto::digest(sha, data).await
    }

    async fn verify_signature(
        &self,
        alg: &str,
        jwk: &str,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<bool, Error> {
        webcrypto::verify_signature(alg, jwk, signing_input, signature).await
    }
}

pub(crate) use tabs::decode as decode_tab_message;
