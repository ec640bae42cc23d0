//! The calling page's storage and address bar, for one call into the engine.
//!
//! The engine runs in a worker, which has neither `sessionStorage` nor `location`, and one engine
//! serves every tab of the app. So the page that makes a call hands over the transaction records it
//! took out of its own `sessionStorage` for that call, and the engine answers with what to write back
//! and where to navigate. The driver reaches these through [`EnginePlatform`], whose storage and
//! navigation act on the [`Front`] of the call being handled. One slot serves every call in turn:
//! each call of the engine runs in [`in_front`], which puts its front in the slot for each poll, so
//! storage work after an `await` (a login, whose record goes again when its push fails) acts on
//! its own page too; the few calls that do their storage work outside a future (the start of a
//! logout, see `Client::logout_url`) run in [`with_front`].

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use wasm_bindgen::JsValue;

use crate::browser::BrowserPlatform;
use crate::core::{Error, HttpRequest, HttpResponse, JsonParser, Platform as PlatformError, Sha};
use crate::driver::Platform;

/// The answer of one call, to come.
pub(crate) type Call = std::pin::Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// What one call read from and does to its page: records supplied, storage writes, navigation.
#[derive(Default)]
pub(crate) struct Front {
    /// The records the page took out of its storage for this call (key, value).
    supplied: RefCell<Vec<(String, String)>>,
    /// Storage operations for the page to apply, in order: `(key, Some(value))` writes a record,
    /// `(prefix, None)` removes every record under the prefix.
    ops: RefCell<Vec<(String, Option<String>)>>,
    navigate: RefCell<Option<String>>,
}

impl Front {
    /// A front with the records the page supplied.
    pub(crate) fn with_records(records: Vec<(String, String)>) -> Rc<Self> {
        Rc::new(Front {
            supplied: RefCell::new(records),
            ..Front::default()
        })
    }

    /// The answer's `store` list and `navigate` URL: every supplied record the call did not take is
    /// written back first (a callback refused before its state was looked up leaves its record).
    pub(crate) fn finish(&self) -> (js_sys::Array, Option<String>) {
        let out = js_sys::Array::new();
        let back = self.supplied.take();
        let ops = self.ops.take();
        let ops = back.into_iter().map(|(k, v)| (k, Some(v))).chain(ops);
        for (key, value) in ops {
            let op = js_sys::Array::new();
            op.push(&JsValue::from_str(&key));
            if let Some(v) = value {
                op.push(&JsValue::from_str(&v));
            }
            out.push(&op);
        }
        (out, self.navigate.borrow_mut().take())
    }
}

/// The platform of the engine: the browser platform of the worker (fetch, WebCrypto, timers), with
/// the page's storage and navigation taken from the [`Front`] of the current call.
#[derive(Clone)]
pub(crate) struct EnginePlatform {
    browser: BrowserPlatform,
    front: Rc<RefCell<Option<Rc<Front>>>>,
}

impl EnginePlatform {
    pub(crate) fn new(browser: BrowserPlatform) -> Self {
        EnginePlatform {
            browser,
            front: Rc::default(),
        }
    }

    /// Runs `f` with `front` as the page of the call.
    pub(crate) fn with_front<T>(&self, front: &Rc<Front>, f: impl FnOnce() -> T) -> T {
        let previous = self.front.replace(Some(Rc::clone(front)));
        let out = f();
        *self.front.borrow_mut() = previous;
        out
    }

    /// `future`, with `front` as the page of the call at each poll: its storage calls and
    /// navigation act on that page even after an `await`.
    pub(crate) fn in_front(&self, front: &Rc<Front>, mut future: Call) -> Call {
        let (platform, front) = (self.clone(), Rc::clone(front));
        Box::pin(std::future::poll_fn(move |cx| {
            platform.with_front(&front, || future.as_mut().poll(cx))
        }))
    }

    fn front(&self) -> Result<Rc<Front>, Error> {
        self.front
            .borrow()
            .clone()
            .ok_or(Error::Platform(PlatformError::StorageUnavailable))
    }
}

impl Platform for EnginePlatform {
    type DpopKey = JsValue;

    async fn dpop_key(&self) -> Result<(JsValue, crate::core::dpop::DpopPublicKey), Error> {
        self.browser.dpop_key().await
    }

    async fn dpop_sign(&self, key: &JsValue, input: &[u8]) -> Result<Vec<u8>, Error> {
        self.browser.dpop_sign(key, input).await
    }

    fn now(&self) -> u64 {
        self.browser.now()
    }

    fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error> {
        self.browser.fill_random(buf)
    }

    async fn fetch(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        self.browser.fetch(request).await
    }

    async fn sleep_ms(&self, ms: u64) {
        self.browser.sleep_ms(ms).await
    }

    fn spawn(&self, task: Pin<Box<dyn Future<Output = ()>>>) {
        self.browser.spawn(task)
    }

    fn json(&self) -> &dyn JsonParser {
        self.browser.json()
    }

    fn transaction_put(&self, key: &str, value: &str) -> Result<(), Error> {
        let front = self.front()?;
        front
            .ops
            .borrow_mut()
            .push((key.to_owned(), Some(value.to_owned())));
        Ok(())
    }

    fn transaction_take(&self, key: &str) -> Result<Option<String>, Error> {
        let Ok(front) = self.front() else {
            return Ok(None);
        };
        let mut supplied = front.supplied.borrow_mut();
        Ok(supplied
            .iter()
            .position(|(k, _)| k == key)
            .map(|i| supplied.remove(i).1))
    }

    fn transaction_clear(&self, prefix: &str) {
        if let Ok(front) = self.front() {
            front
                .supplied
                .borrow_mut()
                .retain(|(k, _)| !k.starts_with(prefix));
            front.ops.borrow_mut().push((prefix.to_owned(), None));
        }
    }

    fn navigate(&self, url: &str) -> Result<(), Error> {
        *self.front()?.navigate.borrow_mut() = Some(url.to_owned());
        Ok(())
    }

    async fn digest(&self, sha: Sha, data: &[u8]) -> Result<Vec<u8>, Error> {
        self.browser.digest(sha, data).await
    }

    async fn verify_signature(
        &self,
        alg: &str,
        jwk: &str,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<bool, Error> {
        self.browser
            .verify_signature(alg, jwk, signing_input, signature)
            .await
    }
}
