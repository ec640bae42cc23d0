//! Leptos example app for oxidc (feature `leptos`): log in at the provider, show the ID token's
//! claims, call an API with an access token from `use_access_token()`, log out.
//!
//! Built for wasm32 by `make examples` (see `app.rs` for the application itself); served with
//! `index.html` and `boot.js` by `www-example/serve.mjs`, which also writes the provider's issuer to
//! `/config.js`.

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
#[path = "../page.rs"]
mod page;

fn main() {
    #[cfg(target_arch = "wasm32")]
    leptos::mount::mount_to_body(app::App);
}
