//! The application: an `AuthProvider` around a status line, login and logout buttons, the claims and
//! an API call. Element ids match the JavaScript example so that the same browser tests drive both.

use crate::page::{
    Shown, api_url, auth_config, call_api, call_api_through, library_fetch, login_options,
    page_config,
};
use leptos::prelude::*;
use oxidc::leptos::{
    AuthProvider, AuthState, Authenticated, Unauthenticated, use_access_token, use_auth, use_login,
    use_login_with_popup, use_logout,
};

/// The root: the provider around the page.
#[component]
pub fn App() -> impl IntoView {
    // The isolated engine: the package's worker files are served at /oxidc/ (see page.rs).
    let config = auth_config();
    view! {
        <AuthProvider config=config>
            <Page />
        </AuthProvider>
    }
}

/// Status, actions, claims and the API result.
#[component]
fn Page() -> impl IntoView {
    let state = use_auth();
    let error = RwSignal::new(None::<Shown>);
    // How many calls have finished, and the last one's HTTP status (0: no response) and body.
    let api = RwSignal::new((0u32, None::<(u16, String)>));

    // Tell the tests (and screen readers) when start-up is over.
    Effect::new(move |_| {
        let ready = !state.with(AuthState::is_loading);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-ready", if ready { "true" } else { "false" });
        }
    });

    let login = use_login();
    let on_login = move |_| {
        if let Err(e) = login.run(login_options()) {
            error.set(Some(Shown::from(&e)));
        }
    };
    let login_popup = use_login_with_popup();
    let on_login_popup = move |_| {
        if let Err(e) = login_popup.run(login_options()) {
            error.set(Some(Shown::from(&e)));
        }
    };
    let logout = use_logout();
    let on_logout = move |_| {
        if let Err(e) = logout.run(()) {
            error.set(Some(Shown::from(&e)));
        }
    };
    let tokens = use_access_token();
    let on_call_api = move |_| {
        let (_, issuer) = page_config();
        let url = api_url(&issuer);
        leptos::task::spawn_local(async move {
            if library_fetch() {
                let request = web_sys::Request::new_with_str(&url);
                let result = match request {
                    Ok(request) => call_api_through(tokens.fetch(&request)).await,
                    Err(_) => Err("request".to_owned()),
                };
                api.update(|(calls, last)| {
                    *calls += 1;
                    *last = Some(result.unwrap_or_else(|e| (0, e)));
                });
                return;
            }
            let result = match tokens.get().await {
                Ok(token) => call_api(&url, token.secret()).await,
                Err(e) => {
                    error.set(Some(Shown::from(&e)));
                    Err(e.code().to_owned())
                }
            };
            api.update(|(calls, last)| {
                *calls += 1;
                *last = Some(result.unwrap_or_else(|e| (0, e)));
            });
        });
    };

    let status = move || {
        state.with(|s| match s {
            AuthState::Loading => "loading",
            AuthState::SignedOut { .. } => "signed_out",
            AuthState::SignedIn { .. } => "signed_in",
            AuthState::Failed { .. } => "error",
        })
    };
    let label = move || {
        state.with(|s| match s {
            AuthState::Loading => "Loading…".to_owned(),
            AuthState::SignedOut { reason: None } => "Signed out".to_owned(),
            AuthState::SignedOut {
                reason: Some(reason),
            } => format!("Signed out ({})", reason.as_str()),
            AuthState::SignedIn { claims } => {
                let who = claims
                    .as_ref()
                    .and_then(|c| c.get("preferred_username").or_else(|| c.get("sub")))
                    .and_then(|v| v.as_str())
                    .unwrap_or("?");
                format!("Signed in as {who}")
            }
            AuthState::Failed { .. } => "Error".to_owned(),
        })
    };
    // A start-up failure, or the last action's error.
    let shown = move || {
        state
            .with(|s| s.error().map(Shown::from))
            .or_else(|| error.get())
    };
    let claims = move || {
        state.with(|s| {
            s.claims()
                .map(|c| c.to_json_string())
                .unwrap_or_else(|| "(signed out)".to_owned())
        })
    };

    view! {
        <h1>"oxidc Leptos example"</h1>
        <p id="status" data-status=status>{label}</p>
        <Unauthenticated>
            <button id="login" type="button" on:click=on_login>"Log in"</button>
            <button id="login-popup" type="button" on:click=on_login_popup>"Log in in a popup"</button>
        </Unauthenticated>
        <Authenticated>
            <button id="call-api" type="button" on:click=on_call_api>"Call API"</button>
            <button id="logout" type="button" on:click=on_logout>"Log out"</button>
        </Authenticated>
        <pre id="error" role="alert" data-code=move || shown().map(|s| s.code)
            hidden=move || shown().is_none()>{move || shown().map(|s| s.text).unwrap_or_default()}</pre>
        <h2>"ID token claims"</h2>
        <pre id="claims">{claims}</pre>
        <h2>"API result"</h2>
        <pre id="api-result" data-calls=move || api.with(|a| a.0.to_string())
            data-status=move || api.with(|a| a.1.as_ref().map(|(s, _)| s.to_string()))>
            {move || api.with(|a| a.1.as_ref().map(|(_, body)| body.clone()).unwrap_or_else(|| "(not called)".to_owned()))}
        </pre>
    }
}
