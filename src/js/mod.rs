//! The engine host of the npm package (feature `js`): the driver, run where the page cannot reach it.
//!
//! The package's worker (`worker.js`: a `SharedWorker` where the browser has one, else a dedicated
//! `Worker`) loads this module and passes every message of every connected page to
//! [`Engine::handle`]. The engine holds the sessions, the refresh tokens and the provider's keys,
//! and sends every request to the provider itself. A page gets back only what the page facade needs:
//! access tokens, ID-token claims, userinfo claims, events, and the storage writes and navigations
//! of its own logins and logouts. No message carries a refresh token or a token response, and no
//! message can install a session: tokens come only from the engine's own token requests.
//!
//! The protocol (version 1), page to engine: `{ id, op, ... }` with `op` one of `init` (`options`,
//! `records`, `here`, `callback`), `login` (`returnTo`, `prompt`, `loginHint`, `maxAge`, `uiLocales`,
//! `acrValues`, `acrEssential`, and `bound` for a popup login, whose code is bound to the session's
//! DPoP key), `callback` (`url`, `records`), `token` (`force`), `authorize` (`method`, `url`,
//! `nonce`, `refused`: the access token and, with DPoP, a proof for one API request, answered as
//! `{ token, proof }`), `userinfo` (`refresh`), `logout`, `logoutReturn` (`url`, `records`),
//! `revalidate`. The DPoP key never leaves the engine; only proofs do.
//! Engine to page: `{ id, ok }` or `{ id, err }`, both with `store` (a list of `[key, value]` writes
//! and `[prefix]` removals for the page's `sessionStorage`) and `navigate` when there is one; and
//! `{ ev: "state", status, event, reason, user, gen }` on every session change, to every page of that
//! session (`gen` counts the session's events; a `token` answer carries it too, with `until`, the
//! time until which that token stays fresh).

mod config;
mod error;
mod front;
mod login;
mod wire;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::*;

use crate::browser::{self, BrowserPlatform, Lifecycle};
use crate::core::Error;
use crate::driver::{AuthEvent, Client, LoginOptions, Platform, SignedOutReason};
use crate::table::Table;
use front::{EnginePlatform, Front};
use wire::{bounded_string, flag, get, object, records, set};

type Driver = Client<EnginePlatform>;

/// The longest callback or logout-return URL the engine reads (a longer one reads as empty).
const MAX_URL_CHARS: u32 = 16 * 1024;

/// One session with one provider, shared by every page that asked for the same options.
struct Hosted {
    driver: Driver,
    silent_restore: bool,
    /// The listener that posts the session's events to its pages.
    subscription: u64,
    /// How many events the session has had: a page keeps a token it was handed only while this has
    /// not moved since (`gen` in events and answers).
    events: Rc<Cell<u64>>,
    _lifecycle: Lifecycle<EnginePlatform>,
}

impl Drop for Hosted {
    fn drop(&mut self) {
        // The listener holds the driver: without this the session would outlive its pages.
        self.driver.unsubscribe(self.subscription);
    }
}

/// A connected page: where to post, and the session it uses once `init` has answered.
struct Port {
    post: JsValue,
    session: Option<String>,
}

#[derive(Default)]
struct State {
    /// Sessions by the options that made them.
    sessions: Table<String, Rc<Hosted>>,
    ports: Table<u32, Port>,
    /// The page whose logout is being handled: the others hear of it as `other_tab`.
    logging_out: Option<u32>,
}

/// The engine: every session of this worker (or, with the in-page opt-out, of this page).
#[wasm_bindgen]
pub struct Engine {
    state: Rc<RefCell<State>>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

fn post(target: &JsValue, message: &JsValue) {
    if let Some(f) = get(target, "postMessage").and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        let _ = f.call1(target, message);
    }
}

fn status(driver: &Driver) -> &'static str {
    if driver.is_authenticated() {
        "signed_in"
    } else {
        "signed_out"
    }
}

fn user(driver: &Driver) -> JsValue {
    driver
        .claims()
        .map(|c| browser::to_js(&c))
        .unwrap_or(JsValue::NULL)
}

/// The session state message for pages; `generation` counts the session's events.
fn state_message(driver: &Driver, event: Option<&AuthEvent>, generation: u64) -> JsValue {
    let msg = object();
    set(&msg, "ev", &JsValue::from_str("state"));
    set(&msg, "gen", &JsValue::from_f64(generation as f64));
    set(&msg, "status", &JsValue::from_str(status(driver)));
    if let Some(event) = event {
        set(&msg, "event", &JsValue::from_str(event.kind()));
        let reason = match event {
            AuthEvent::SignedOut(r) => JsValue::from_str(r.as_str()),
            AuthEvent::Error(code) => JsValue::from_str(code),
            _ => JsValue::NULL,
        };
        set(&msg, "reason", &reason);
    }
    set(&msg, "user", &user(driver));
    msg.into()
}

/// Polls `call` once at once, so that its synchronous start (where the driver reads and writes the
/// page's storage) runs while the call's [`Front`] is in place; the rest runs as a task that answers
/// `reply`.
fn start(call: front::Call, reply: Reply) {
    let mut call = call;
    match call.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => reply.send(result),
        Poll::Pending => wasm_bindgen_futures::spawn_local(async move {
            let result = call.await;
            reply.send(result);
        }),
    }
}

/// Where and how to answer one call.
struct Reply {
    port: JsValue,
    id: JsValue,
    front: Rc<Front>,
}

impl Reply {
    fn send(self, result: Result<JsValue, JsValue>) {
        if self.id.is_undefined() {
            return;
        }
        let msg = object();
        set(&msg, "id", &self.id);
        match result {
            Ok(v) => set(&msg, "ok", &v),
            Err(e) => set(&msg, "err", &e),
        }
        let (store, navigate) = self.front.finish();
        if store.length() > 0 {
            set(&msg, "store", &store);
        }
        if let Some(url) = navigate {
            set(&msg, "navigate", &JsValue::from_str(&url));
        }
        post(&self.port, &msg.into());
    }
}

fn js_err(e: Error) -> JsValue {
    error::to_js(&e)
}

#[wasm_bindgen]
impl Engine {
    /// A new engine with no session.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Engine {
        Engine {
            state: Rc::default(),
        }
    }

    /// Handles one message `msg` from the page connected as `port_id` (`port` is what to post the
    /// answers to). `early` is the discovery request the worker may have started for this message
    /// (internal). Never throws: a message it cannot read is answered with an `invalid_message`
    /// error when it has an `id`, and ignored otherwise.
    pub fn handle(&self, port_id: u32, port: JsValue, msg: JsValue, early: JsValue) {
        let id = get(&msg, "id").unwrap_or(JsValue::UNDEFINED);
        let front = Front::with_records(records(&msg, "records"));
        let reply = Reply {
            port: port.clone(),
            id,
            front: Rc::clone(&front),
        };
        let op = bounded_string(&msg, "op", 16).unwrap_or_default();
        if op == "init" {
            let state = Rc::clone(&self.state);
            return start(
                Box::pin(init(state, port_id, port, msg, early, front)),
                reply,
            );
        }
        let hosted = {
            let st = self.state.borrow();
            st.ports
                .get(&port_id)
                .and_then(|p| p.session.as_ref())
                .and_then(|key| st.sessions.get(key))
                .cloned()
        };
        let Some(hosted) = hosted else {
            return reply.send(Err(error::invalid_message("no init")));
        };
        let driver = hosted.driver.clone();
        let platform = driver.platform().clone();
        let work = match op.as_str() {
            "login" => match login::read(&msg, MAX_URL_CHARS) {
                Ok(options) => Work::Login {
                    options,
                    bound: flag(&msg, "bound"),
                },
                Err(e) => return reply.send(Err(e)),
            },
            "callback" => Work::Callback {
                url: bounded_string(&msg, "url", MAX_URL_CHARS).unwrap_or_default(),
            },
            "token" => Work::Token {
                force: flag(&msg, "force"),
                events: Rc::clone(&hosted.events),
            },
            // An authenticated request of the app: the access token, and with DPoP a proof for
            // this method and URL signed here (the key never leaves the engine).
            "authorize" => Work::Authorize {
                method: bounded_string(&msg, "method", 16).unwrap_or_default(),
                url: bounded_string(&msg, "url", MAX_URL_CHARS).unwrap_or_default(),
                nonce: bounded_string(&msg, "nonce", 1024),
                refused: bounded_string(&msg, "refused", MAX_URL_CHARS),
            },
            "userinfo" => Work::Userinfo {
                refresh: flag(&msg, "refresh"),
            },
            "logout" => {
                // The tokens go and the logout's record is written now, on this page's front.
                self.state.borrow_mut().logging_out = Some(port_id);
                let finish = platform.with_front(&front, || driver.logout_url());
                self.state.borrow_mut().logging_out = None;
                Work::Logout(Box::pin(finish))
            }
            "logoutReturn" => {
                let url = bounded_string(&msg, "url", MAX_URL_CHARS).unwrap_or_default();
                let done = platform.with_front(&front, || {
                    browser::callback_pairs(&url).and_then(|p| driver.complete_logout(&p.query))
                });
                return reply.send(done.map(JsValue::from_bool).map_err(js_err));
            }
            "revalidate" => Work::Revalidate,
            _ => return reply.send(Err(error::invalid_message("unknown op"))),
        };
        // Every call's storage and navigation act on its page: a login may push its request before
        // it navigates, and takes its record back when the push fails, after an `await`.
        start(
            platform.in_front(&front, Box::pin(run(driver, work))),
            reply,
        )
    }

    /// Forgets a page that has gone (its tab closed or navigated away). A session no page uses any
    /// more ends with it: its tokens are dropped and its background renewal stops.
    pub fn disconnect(&self, port_id: u32) {
        let gone = {
            let mut st = self.state.borrow_mut();
            let key = st.ports.remove(&port_id).and_then(|p| p.session);
            key.filter(|k| !st.ports.values().any(|p| p.session.as_ref() == Some(k)))
                .and_then(|k| st.sessions.remove(&k))
        };
        // Dropped outside the borrow: dropping it may run code that reads the state.
        drop(gone);
    }
}

/// What a call does after its synchronous start: one future type for every message.
enum Work {
    Login {
        options: LoginOptions,
        bound: bool,
    },
    Callback {
        url: String,
    },
    Token {
        force: bool,
        events: Rc<Cell<u64>>,
    },
    Authorize {
        method: String,
        url: String,
        nonce: Option<String>,
        refused: Option<String>,
    },
    Userinfo {
        refresh: bool,
    },
    Logout(Pin<Box<dyn Future<Output = Result<Option<String>, Error>>>>),
    Revalidate,
}

/// Runs one call's `work` with `driver` and makes its answer.
async fn run(driver: Driver, work: Work) -> Result<JsValue, JsValue> {
    let out = object();
    match work {
        // A popup login (`bound`) completes in this engine, so with DPoP its code is bound to
        // the session's key.
        Work::Login { options, bound } => {
            let url = driver.login_url(&options, bound).await.map_err(js_err)?;
            driver.platform().navigate(&url).map_err(js_err)?;
            return Ok(JsValue::UNDEFINED);
        }
        Work::Callback { url } => {
            let params = browser::callback_pairs(&url).map_err(js_err)?;
            let outcome = driver
                .handle_callback(&params.query, &params.fragment)
                .await
                .map_err(js_err)?;
            let back = outcome.return_to.map_or(JsValue::NULL, JsValue::from);
            set(&out, "returnTo", &back);
            set(&out, "signedIn", &JsValue::from_bool(outcome.signed_in));
        }
        Work::Token { force, events } => {
            let token = driver.access_token(force).await.map_err(js_err)?;
            set(&out, "token", &JsValue::from_str(token.secret()));
            set(&out, "gen", &JsValue::from_f64(events.get() as f64));
            let until = driver.fresh_until(&token).map_or(-1.0, |t| t as f64);
            set(&out, "until", &JsValue::from_f64(until));
        }
        Work::Authorize {
            method,
            url,
            nonce,
            refused,
        } => {
            let (token, proof) = driver
                .authorize_request(&method, &url, nonce.as_deref(), refused.as_deref())
                .await
                .map_err(js_err)?;
            set(&out, "token", &JsValue::from_str(token.secret()));
            if let Some(proof) = proof {
                set(&out, "proof", &JsValue::from_str(&proof));
            }
        }
        Work::Userinfo { refresh } => {
            let claims = driver.user_info(refresh).await.map_err(js_err)?;
            return Ok(browser::to_js(&claims));
        }
        Work::Logout(finish) => {
            let url = finish.await.map_err(js_err)?;
            return Ok(url.map_or(JsValue::NULL, JsValue::from));
        }
        Work::Revalidate => {
            driver.revalidate().await;
            return Ok(JsValue::UNDEFINED);
        }
    }
    Ok(out.into())
}

/// `init`: attaches the page to the session of its options, creating it (discovery) if this engine
/// has none yet; then, for a page that is not a callback, a silent restore when configured and no
/// one is signed in. Answers `{ status, user, restoring }`.
async fn init(
    state: Rc<RefCell<State>>,
    port_id: u32,
    port: JsValue,
    msg: JsValue,
    early: JsValue,
    front: Rc<Front>,
) -> Result<JsValue, JsValue> {
    let options = get(&msg, "options").unwrap_or(JsValue::UNDEFINED);
    let opts = config::read(&options)?;
    let key = js_sys::JSON::stringify(&options)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    state.borrow_mut().ports.insert(
        port_id,
        Port {
            post: port,
            session: None,
        },
    );
    let existing = state.borrow().sessions.get(&key).cloned();
    let hosted = match existing {
        Some(h) => h,
        None => {
            let browser = opts
                .timeout_ms
                .map_or_else(BrowserPlatform::default, BrowserPlatform::with_timeout)
                .with_early(&early);
            let driver = Client::discover(EnginePlatform::new(browser), opts.config)
                .await
                .map_err(js_err)?;
            // Another page may have created the same session meanwhile: use the first one.
            let existing = state.borrow().sessions.get(&key).cloned();
            match existing {
                Some(h) => h,
                None => {
                    let weak = Rc::downgrade(&state);
                    let (d, k) = (driver.clone(), key.clone());
                    let events = Rc::new(Cell::new(0u64));
                    let counter = Rc::clone(&events);
                    let subscription = driver.subscribe(move |event| {
                        counter.set(counter.get().wrapping_add(1));
                        if let Some(state) = weak.upgrade() {
                            broadcast(&state.borrow(), &k, &d, event, counter.get());
                        }
                    });
                    let hosted = Rc::new(Hosted {
                        _lifecycle: browser::install_timer(&driver, opts.auto_refresh),
                        silent_restore: opts.silent_restore,
                        subscription,
                        events,
                        driver: driver.clone(),
                    });
                    state
                        .borrow_mut()
                        .sessions
                        .insert(key.clone(), Rc::clone(&hosted));
                    hosted
                }
            }
        }
    };
    if let Some(p) = state.borrow_mut().ports.get_mut(&port_id) {
        p.session = Some(key);
    }
    let driver = &hosted.driver;
    let mut restoring = false;
    if hosted.silent_restore && !flag(&msg, "callback") && !driver.is_authenticated() {
        let here = bounded_string(&msg, "here", MAX_URL_CHARS);
        let restore = driver.clone();
        let restored = async move {
            // A path that is no valid return path (`//x`, a backslash) comes back to `/`.
            let mut here = here;
            let done = loop {
                match restore.restore_silently(here.as_deref()).await {
                    Err(Error::Misuse(crate::core::Misuse::InvalidReturnTo)) if here.is_some() => {
                        here = None;
                    }
                    other => break other,
                }
            };
            done.map(JsValue::from_bool).map_err(js_err)
        };
        restoring = driver
            .platform()
            .in_front(&front, Box::pin(restored))
            .await?
            .is_truthy();
    }
    let out = state_message(driver, None, hosted.events.get());
    set(
        out.unchecked_ref(),
        "restoring",
        &JsValue::from_bool(restoring),
    );
    Ok(out)
}

/// Posts `event` to every page attached to the session `key`. A logout is `logged_out` for the
/// page that asked for it and `other_tab` for the others.
fn broadcast(state: &State, key: &str, driver: &Driver, event: &AuthEvent, generation: u64) {
    let message = state_message(driver, Some(event), generation);
    let elsewhere = match (event, state.logging_out) {
        (AuthEvent::SignedOut(SignedOutReason::LoggedOut), Some(_)) => Some(state_message(
            driver,
            Some(&AuthEvent::SignedOut(SignedOutReason::OtherTab)),
            generation,
        )),
        _ => None,
    };
    for (id, port) in state.ports.iter() {
        if port.session.as_deref() == Some(key) {
            match &elsewhere {
                Some(other) if state.logging_out != Some(*id) => post(&port.post, other),
                _ => post(&port.post, &message),
            }
        }
    }
}
