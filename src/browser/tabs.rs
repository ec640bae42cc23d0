//! Cross-tab primitives for the driver's [`Tabs`]: a `BroadcastChannel` per client and Web Locks
//! (`navigator.locks`). Both must exist; where either is missing, sharing is off and every tab keeps its
//! own session (the documented fallback).
//!
//! Messages are plain objects (structured clone), versioned, and read defensively: anything malformed is
//! ignored.

use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::globals;
use crate::core::{AccessToken, Error, IdToken, Platform as PlatformError, RefreshToken};
use crate::driver::tabs::LocalFuture;
use crate::driver::{LockGuard, SharedSession, SignedOutReason, TabMessage, TabNames, Tabs};

/// Format version of the messages.
const VERSION: f64 = 1.0;

/// The channel and lock manager of one client.
#[derive(Debug)]
pub(crate) struct BrowserTabs {
    channel: web_sys::BroadcastChannel,
    locks: JsValue,
}

impl BrowserTabs {
    /// The primitives for `names`, when this browser has both `BroadcastChannel` and Web Locks.
    pub(crate) fn open(names: &TabNames) -> Option<Rc<Self>> {
        let locks = globals::global_property("navigator")
            .and_then(|n| Reflect::get(&n, &JsValue::from_str("locks")).ok())
            .filter(|l| l.is_object())?;
        globals::global_property("BroadcastChannel")?;
        let channel = web_sys::BroadcastChannel::new(names.channel()).ok()?;
        Some(Rc::new(BrowserTabs { channel, locks }))
    }

    /// The channel, to listen on.
    pub(crate) fn channel(&self) -> &web_sys::BroadcastChannel {
        &self.channel
    }

    async fn request(&self, name: &str, shared: bool) -> Result<LockGuard, Error> {
        let failed = || Error::Platform(PlatformError::Other { what: "web_locks" });
        let request: Function = Reflect::get(&self.locks, &JsValue::from_str("request"))
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or_else(failed)?;
        // `granted` settles when the lock is ours; `hold` keeps it until the guard is dropped.
        let mut granted_fns: Option<(Function, Function)> = None;
        let granted = Promise::new(&mut |resolve, reject| granted_fns = Some((resolve, reject)));
        let mut release: Option<Function> = None;
        let hold = Promise::new(&mut |resolve, _| release = Some(resolve));
        let (Some((on_grant, on_fail)), Some(release)) = (granted_fns, release) else {
            return Err(failed());
        };
        // The guard exists before the wait: if this future is dropped before the lock is granted, the
        // hold promise is already resolved, so the lock is released the moment it is granted.
        let guard = LockGuard::new(Release(release));
        let held = hold.clone();
        let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
            let _ = on_grant.call0(&JsValue::NULL);
            held.into()
        });
        let options = Object::new();
        let mode = if shared { "shared" } else { "exclusive" };
        let _ = Reflect::set(&options, &"mode".into(), &mode.into());
        let args = Array::of3(&JsValue::from_str(name), &options, &callback);
        let pending: Promise = Reflect::apply(&request, &self.locks, &args)
            .ok()
            .and_then(|p| p.dyn_into().ok())
            .ok_or_else(failed)?;
        // A failed request (for example an opaque origin) rejects `granted` instead of hanging.
        if let Some(catch) = Reflect::get(&pending, &JsValue::from_str("catch"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        {
            let _ = catch.call1(&pending, &on_fail);
        }
        JsFuture::from(granted).await.map_err(|_| failed())?;
        Ok(guard)
    }

    async fn held_names(&self, prefix: &str) -> Result<Vec<String>, Error> {
        let failed = || Error::Platform(PlatformError::Other { what: "web_locks" });
        let query: Function = Reflect::get(&self.locks, &JsValue::from_str("query"))
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or_else(failed)?;
        let snapshot: Promise = query
            .call0(&self.locks)
            .ok()
            .and_then(|p| p.dyn_into().ok())
            .ok_or_else(failed)?;
        let snapshot = JsFuture::from(snapshot).await.map_err(|_| failed())?;
        let held = Reflect::get(&snapshot, &JsValue::from_str("held")).map_err(|_| failed())?;
        let mut names = Vec::new();
        if let Some(held) = held.dyn_ref::<Array>() {
            for info in held.iter() {
                if let Some(name) = Reflect::get(&info, &JsValue::from_str("name"))
                    .ok()
                    .and_then(|n| n.as_string())
                {
                    if name.starts_with(prefix) {
                        names.push(name);
                    }
                }
            }
        }
        Ok(names)
    }
}

impl Drop for BrowserTabs {
    fn drop(&mut self) {
        self.channel.close();
    }
}

/// Releases a Web Lock when dropped (resolves the promise its callback returned).
struct Release(Function);

impl Drop for Release {
    fn drop(&mut self) {
        let _ = self.0.call0(&JsValue::NULL);
    }
}

impl Tabs for Rc<BrowserTabs> {
    fn lock(&self, name: &str) -> LocalFuture<'_, Result<LockGuard, Error>> {
        let name = name.to_owned();
        Box::pin(async move { self.request(&name, false).await })
    }

    fn hold_shared(&self, name: &str) -> LocalFuture<'_, Result<LockGuard, Error>> {
        let name = name.to_owned();
        Box::pin(async move { self.request(&name, true).await })
    }

    fn held(&self, prefix: &str) -> LocalFuture<'_, Result<Vec<String>, Error>> {
        let prefix = prefix.to_owned();
        Box::pin(async move { self.held_names(&prefix).await })
    }

    fn post(&self, message: &TabMessage) {
        let _ = self.channel.post_message(&encode(message));
    }
}

fn set(obj: &Object, key: &str, value: JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value);
}

fn set_opt_str(obj: &Object, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        set(obj, key, JsValue::from_str(v));
    }
}

fn set_opt_num(obj: &Object, key: &str, value: Option<u64>) {
    if let Some(v) = value {
        set(obj, key, JsValue::from_f64(v as f64));
    }
}

/// The message as a plain object.
pub(crate) fn encode(message: &TabMessage) -> JsValue {
    let obj = Object::new();
    set(&obj, "v", JsValue::from_f64(VERSION));
    match message {
        TabMessage::Hello => set(&obj, "t", "hello".into()),
        TabMessage::Ended { sid, reason } => {
            set(&obj, "t", "ended".into());
            set(&obj, "sid", JsValue::from_str(sid));
            set(&obj, "reason", JsValue::from_str(reason.as_str()));
        }
        TabMessage::Session(s) => {
            set(&obj, "t", "session".into());
            set(&obj, "sid", JsValue::from_str(&s.sid));
            set_opt_num(&obj, "gen", Some(s.generation));
            set_opt_num(&obj, "loginAt", Some(s.login_at));
            set(&obj, "at", JsValue::from_str(s.access_token.secret()));
            set_opt_num(&obj, "exp", s.expires_at);
            set_opt_num(&obj, "life", s.lifetime);
            set_opt_str(&obj, "rt", s.refresh_token.as_ref().map(|t| t.secret()));
            set_opt_str(&obj, "idt", s.id_token.as_ref().map(|t| t.secret()));
            set_opt_str(&obj, "scope", s.scope.as_deref());
        }
    }
    obj.into()
}

fn get_str(obj: &JsValue, key: &str) -> Option<String> {
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
}

/// A non-negative integer below 2^53, or None.
fn get_u64(obj: &JsValue, key: &str) -> Option<u64> {
    let v = Reflect::get(obj, &JsValue::from_str(key)).ok()?.as_f64()?;
    (v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 9_007_199_254_740_992.0)
        .then_some(v as u64)
}

/// Reads a message; None for anything that is not a well-formed message of this version.
pub(crate) fn decode(data: &JsValue) -> Option<TabMessage> {
    if !data.is_object() || Reflect::get(data, &"v".into()).ok()?.as_f64() != Some(VERSION) {
        return None;
    }
    match get_str(data, "t")?.as_str() {
        "hello" => Some(TabMessage::Hello),
        "ended" => {
            let reason = match get_str(data, "reason")?.as_str() {
                "logged_out" => SignedOutReason::LoggedOut,
                "refresh_rejected" => SignedOutReason::RefreshRejected,
                "expired" => SignedOutReason::Expired,
                "other_tab" => SignedOutReason::OtherTab,
                _ => return None,
            };
            Some(TabMessage::Ended {
                sid: get_str(data, "sid")?,
                reason,
            })
        }
        "session" => {
            let access_token = get_str(data, "at").filter(|t| !t.is_empty())?;
            Some(TabMessage::Session(Box::new(SharedSession {
                sid: get_str(data, "sid").filter(|s| !s.is_empty())?,
                generation: get_u64(data, "gen")?,
                login_at: get_u64(data, "loginAt")?,
                access_token: AccessToken::new(access_token),
                expires_at: get_u64(data, "exp"),
                lifetime: get_u64(data, "life"),
                refresh_token: get_str(data, "rt").map(RefreshToken::new),
                id_token: get_str(data, "idt").map(IdToken::new),
                scope: get_str(data, "scope"),
            })))
        }
        _ => None,
    }
}
