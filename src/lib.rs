//! # oxidc
//!
//! An OpenID Connect / OAuth 2.0 client for single-page apps: the browser ("user-agent", public client)
//! profile. Authorization Code flow with PKCE (S256), the redirect callback, tokens held in memory only,
//! and renewal with refresh tokens. Built in Rust, compiled to WebAssembly, usable from JavaScript
//! (the npm package) and from Rust.
//!
//! ## Layers
//! - [`core`]: the protocol rules, pure and deterministic (no browser types; time and randomness are
//!   inputs). It builds requests and checks responses; it never performs I/O.
//! - [`driver`]: runs the core against a [`driver::Platform`], keeps the session in memory, makes
//!   renewal single-flight and emits [`driver::AuthEvent`]s.
//! - `browser` (wasm32 only): the platform for a browser page — `fetch`, WebCrypto randomness,
//!   `JSON.parse`, `sessionStorage` for the login transaction, `history.replaceState`.
//! - `js` (wasm32, feature `js`): the JavaScript API of the npm package.
//! - `facade` (wasm32, features `yew` and `leptos`): the npm package's page facade for Rust apps; the
//!   engine runs in the package's worker, out of the page's reach.
//! - `yew` and `leptos` (wasm32, features `yew` and `leptos`): components and hooks for Yew 0.23 and
//!   Leptos 0.8 on that facade, sharing the state model and start-up sequence of `ui`.
//!
//! ```text
//!  login()  ──► authorization URL ──► provider ──► /callback?code&state&iss
//!                 (tx in sessionStorage)              │ scrub URL, take tx, check state/iss/error
//!                                                     ▼
//!  getAccessToken() ◄── tokens in memory ◄── token endpoint (code + PKCE verifier), ID token checks
//!        │ near expiry: one refresh for all callers (rotation: the new refresh token replaces the old)
//! ```
// Unsafe code is refused everywhere except the npm build's wiping allocator (`wipe_alloc`).
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod core;
pub mod driver;

#[cfg(target_arch = "wasm32")]
pub mod browser;

#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod js;

#[cfg(all(target_arch = "wasm32", any(feature = "yew", feature = "leptos")))]
pub mod facade;

#[cfg(all(target_arch = "wasm32", any(feature = "yew", feature = "leptos")))]
pub mod ui;

#[cfg(all(target_arch = "wasm32", feature = "yew"))]
pub mod yew;

#[cfg(all(target_arch = "wasm32", feature = "leptos"))]
pub mod leptos;

#[cfg(all(target_arch = "wasm32", feature = "js"))]
mod wipe_alloc;

#[cfg(any(all(target_arch = "wasm32", feature = "js"), test))]
mod table;

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
