//! The JavaScript API (feature `js`): `createClient` and the `OidcClient` class, exported with
//! wasm-bindgen. Every async method returns a `Promise` that rejects with an `OidcError`.
//!
//! This is a thin facade over [`crate::driver::Client`]; the Yew and Leptos integrations use the same
//! driver. No method returns or exposes the refresh token.

mod config;
mod error;

use std::future::Future;
use std::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::browser::{self, BrowserPlatform};
use crate::driver::{AuthEvent, Client, LoginOptions};

type Driver = Client<BrowserPlatform>;

/// Creates a client: reads the options, fetches and checks the provider's discovery document.
/// `early` is the discovery request the package entry may have started already (internal).
#[wasm_bindgen(js_name = createClient, unchecked_return_type = "Promise<OidcClient>")]
pub fn create_client(options: JsValue, early: JsValue) -> js_sys::Promise {
    future_to_promise(async move {
        let opts = config::read(&options)?;
        let platform = BrowserPlatform::for_client(&opts.config, opts.timeout_ms, opts.share_tabs)
            .with_early(&early);
        let driver = Client::discover(platform, opts.config)
            .await
            .map_err(|e| error::to_js(&e))?;
        let lifecycle = browser::install_lifecycle(&driver, opts.auto_refresh);
        let url = browser::current_url().unwrap_or_default();
        if !browser::is_callback_url(&url) && !driver.join().await && opts.silent_restore {
            let here = browser::path_of(&url);
            if driver
                .restore_silently(here.as_deref())
                .map_err(|e| error::to_js(&e))?
            {
                // The page is navigating to the provider: the promise stays pending.
                return Ok(js_sys::Promise::new(&mut |_, _| {}).into());
            }
        }
        Ok(OidcClient {
            driver,
            _lifecycle: lifecycle,
        }
        .into())
    })
}

/// A signed-in (or signed-out) session with one OpenID provider. Tokens live only in this object's memory.
#[wasm_bindgen]
pub struct OidcClient {
    driver: Driver,
    /// Page-lifecycle hooks (removed when the client is freed).
    _lifecycle: browser::Lifecycle,
}

fn status(driver: &Driver) -> &'static str {
    if driver.is_authenticated() {
        "signed_in"
    } else {
        "signed_out"
    }
}

fn user_value(driver: &Driver) -> JsValue {
    driver
        .claims()
        .map(|c| browser::to_js(&c))
        .unwrap_or(JsValue::NULL)
}

/// True when the call's options object has `name: true`.
fn flag(options: &JsValue, name: &str) -> bool {
    options.is_object()
        && js_sys::Reflect::get(options, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_bool())
            == Some(true)
}

fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

#[wasm_bindgen]
impl OidcClient {
    /// Starts a login: stores the short-lived transaction in sessionStorage and navigates to the provider.
    /// `options.returnTo` is a same-origin path to come back to.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn login(&self, options: JsValue) -> js_sys::Promise {
        let driver = self.driver.clone();
        future_to_promise(async move {
            let return_to = if options.is_object() {
                js_sys::Reflect::get(&options, &"returnTo".into())
                    .ok()
                    .and_then(|v| v.as_string())
            } else {
                None
            };
            let opts = LoginOptions {
                return_to,
                ..Default::default()
            };
            driver.login(&opts).map_err(|e| error::to_js(&e))?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// True when `url` (default: the current address) carries an authorization response.
    #[wasm_bindgen(js_name = isCallback)]
    pub fn is_callback(&self, url: Option<String>) -> bool {
        url.or_else(|| browser::current_url().ok())
            .is_some_and(|u| browser::is_callback_url(&u))
    }

    /// Completes the login from the redirect (`url` defaults to the current address). The address bar is
    /// scrubbed of `code`, `state` and `iss` before anything else happens, whatever the outcome.
    /// Resolves to `{ returnTo, signedIn }`; `signedIn` is false only when a silent restore came back
    /// needing the user (nobody is signed in; show the login).
    #[wasm_bindgen(js_name = handleRedirectCallback, unchecked_return_type = "Promise<{ returnTo: string | null; signedIn: boolean }>")]
    pub fn handle_redirect_callback(&self, url: Option<String>) -> js_sys::Promise {
        let driver = self.driver.clone();
        future_to_promise(async move {
            let outcome = browser::handle_redirect(&driver, url.as_deref())
                .await
                .map_err(|e| error::to_js(&e))?;
            let result = js_sys::Object::new();
            set(
                &result,
                "returnTo",
                &outcome
                    .return_to
                    .map(JsValue::from)
                    .unwrap_or(JsValue::NULL),
            );
            set(&result, "signedIn", &JsValue::from_bool(outcome.signed_in));
            Ok(result.into())
        })
    }

    /// Resolves to an access token with at least the configured margin of life left, renewing it with the
    /// refresh token first when needed. Concurrent calls share one renewal. `{ forceRefresh: true }` renews now.
    #[wasm_bindgen(js_name = getAccessToken, unchecked_return_type = "Promise<string>")]
    pub fn get_access_token(&self, options: JsValue) -> js_sys::Promise {
        let driver = self.driver.clone();
        let force = flag(&options, "forceRefresh");
        let mut call = Box::pin(async move {
            driver
                .access_token(force)
                .await
                .map_err(|e| error::to_js(&e))
        });
        // Hot path: with a fresh token held, the driver answers without awaiting anything. Poll once
        // here and settle the promise at once, without spawning a task. Otherwise the same future (a
        // renewal may have started) goes on as a task; every future inside keeps the waker of its
        // latest poll, so the no-op waker of this first poll is never the one left to wake.
        match call.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(Ok(token)) => js_sys::Promise::resolve(&JsValue::from_str(token.secret())),
            Poll::Ready(Err(err)) => js_sys::Promise::reject(&err),
            Poll::Pending => future_to_promise(async move {
                call.await.map(|token| JsValue::from_str(token.secret()))
            }),
        }
    }

    /// Internal (used by the package's `getAccessToken` wrapper): a number (0 or more) that stays the
    /// same while the same fresh access token would be returned, or -1 when a call would have to renew
    /// or fail. A plain number rather than an option: this is on the hot path.
    #[wasm_bindgen(js_name = _freshKey)]
    pub fn fresh_key(&self) -> f64 {
        self.driver.fresh_session_key().map_or(-1.0, |k| k as f64)
    }

    /// True while tokens are held and usable (or renewable).
    #[wasm_bindgen(js_name = isAuthenticated)]
    pub fn is_authenticated(&self) -> bool {
        self.driver.is_authenticated()
    }

    /// The ID token's claims, or `null` when signed out.
    #[wasm_bindgen(unchecked_return_type = "Record<string, unknown> | null")]
    pub fn user(&self) -> JsValue {
        user_value(&self.driver)
    }

    /// Calls `listener({ status, event, reason, user })` on every session change; returns an unsubscribe function.
    #[wasm_bindgen(unchecked_return_type = "() => void")]
    pub fn subscribe(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(state: AuthState) => void")]
        listener: js_sys::Function,
    ) -> JsValue {
        let driver = self.driver.clone();
        let id = self.driver.subscribe(move |event: &AuthEvent| {
            let state = js_sys::Object::new();
            set(&state, "status", &JsValue::from_str(status(&driver)));
            set(&state, "event", &JsValue::from_str(event.kind()));
            let reason = match event {
                AuthEvent::SignedOut(r) => JsValue::from_str(r.as_str()),
                AuthEvent::Error(code) => JsValue::from_str(code),
                _ => JsValue::NULL,
            };
            set(&state, "reason", &reason);
            set(&state, "user", &user_value(&driver));
            let _ = listener.call1(&JsValue::NULL, &state);
        });
        let driver = self.driver.clone();
        Closure::once_into_js(move || driver.unsubscribe(id))
    }

    /// Ends the session: clears the tokens from memory (in every tab sharing the session), revokes the
    /// refresh token when the provider can, then navigates to the provider's logout endpoint.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn logout(&self) -> js_sys::Promise {
        // Cleared now, before the promise machinery runs anything.
        let logout = self.driver.logout();
        future_to_promise(async move {
            logout.await.map_err(|e| error::to_js(&e))?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// On the page the provider sends the browser back to after logout: checks the returned `state`
    /// and removes it from the address bar. Resolves to true when it matches the logout this tab
    /// started, false when no logout was pending; rejects with `logout_state_mismatch` otherwise (the
    /// user is logged out locally either way).
    #[wasm_bindgen(js_name = handleLogoutCallback, unchecked_return_type = "Promise<boolean>")]
    pub fn handle_logout_callback(&self, url: Option<String>) -> js_sys::Promise {
        match browser::handle_logout_return(&self.driver, url.as_deref()) {
            Ok(done) => js_sys::Promise::resolve(&JsValue::from_bool(done)),
            Err(e) => js_sys::Promise::reject(&error::to_js(&e)),
        }
    }

    /// The user's claims from the provider's userinfo endpoint, fetched once per session and cached
    /// (`{ refresh: true }` fetches them again). They are used only when their `sub` equals the ID
    /// token's; otherwise the promise rejects with `userinfo_sub_mismatch`.
    #[wasm_bindgen(js_name = getUser, unchecked_return_type = "Promise<Record<string, unknown>>")]
    pub fn get_user(&self, options: JsValue) -> js_sys::Promise {
        let driver = self.driver.clone();
        let refresh = flag(&options, "refresh");
        future_to_promise(async move {
            let claims = driver
                .user_info(refresh)
                .await
                .map_err(|e| error::to_js(&e))?;
            Ok(browser::to_js(&claims))
        })
    }
}
