//! The application: an `AuthProvider` around a status line, login and logout buttons, the claims and
//! an API call. Element ids match the JavaScript example so that the same browser tests drive both.

use crate::page::{
    Shown, api_url, auth_config, call_api, call_api_through, library_fetch, login_options,
    page_config,
};
use oxidc::yew::{
    AuthProvider, AuthState, Authenticated, Unauthenticated, use_access_token, use_auth,
    use_auth_client, use_login, use_login_with_popup, use_logout,
};
use yew::prelude::*;

/// The root: the provider around the page.
#[component]
pub fn App() -> Html {
    // The isolated engine: the package's worker files are served at /oxidc/ (see page.rs).
    let config = auth_config();
    html! {
        <AuthProvider {config}>
            <Page />
        </AuthProvider>
    }
}

/// The claims this app reads, as its own type.
#[derive(serde::Deserialize)]
struct Profile {
    sub: String,
    email: Option<String>,
}

/// Status, actions, claims and the API result.
#[component]
fn Page() -> Html {
    let state = use_auth();
    let error = use_state_eq(|| None::<Shown>);
    // How many calls have finished, and the last one's HTTP status (0: no response) and body.
    let api = use_state_eq(|| (0u32, None::<(u16, String)>));

    // Tell the tests (and screen readers) when start-up is over.
    {
        let ready = !state.is_loading();
        use_effect_with(ready, |ready| {
            if let Some(root) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
            {
                let _ = root.set_attribute("data-ready", if *ready { "true" } else { "false" });
            }
        });
    }

    let login = use_login();
    let on_login = {
        let error = error.clone();
        move |_| {
            if let Err(e) = login.emit(login_options()) {
                error.set(Some(Shown::from(&e)));
            }
        }
    };
    let login_popup = use_login_with_popup();
    let on_login_popup = {
        let error = error.clone();
        move |_| {
            if let Err(e) = login_popup.emit(login_options()) {
                error.set(Some(Shown::from(&e)));
            }
        }
    };
    let logout = use_logout();
    let on_logout = {
        let error = error.clone();
        move |_| {
            if let Err(e) = logout.emit(()) {
                error.set(Some(Shown::from(&e)));
            }
        }
    };
    let tokens = use_access_token();
    let on_call_api = {
        let (error, api) = (error.clone(), api.clone());
        let (_, issuer) = page_config();
        move |_| {
            let (tokens, error, api) = (tokens.clone(), error.clone(), api.clone());
            let url = api_url(&issuer);
            yew::platform::spawn_local(async move {
                if library_fetch() {
                    let request = web_sys::Request::new_with_str(&url);
                    let result = match request {
                        Ok(request) => call_api_through(tokens.fetch(&request)).await,
                        Err(_) => Err("request".to_owned()),
                    };
                    api.set((api.0 + 1, Some(result.unwrap_or_else(|e| (0, e)))));
                    return;
                }
                let result = match tokens.get().await {
                    Ok(token) => call_api(&url, token.secret()).await,
                    Err(e) => {
                        error.set(Some(Shown::from(&e)));
                        Err(e.code().to_owned())
                    }
                };
                api.set((api.0 + 1, Some(result.unwrap_or_else(|e| (0, e)))));
            });
        }
    };

    let (status, label) = match &state {
        AuthState::Loading => ("loading", "Loading…".to_owned()),
        AuthState::SignedOut { reason: None } => ("signed_out", "Signed out".to_owned()),
        AuthState::SignedOut {
            reason: Some(reason),
        } => ("signed_out", format!("Signed out ({})", reason.as_str())),
        AuthState::SignedIn { claims } => {
            let who = claims
                .as_ref()
                .and_then(|c| c.get("preferred_username").or_else(|| c.get("sub")))
                .and_then(|v| v.as_str())
                .unwrap_or("?");
            ("signed_in", format!("Signed in as {who}"))
        }
        AuthState::Failed { .. } => ("error", "Error".to_owned()),
    };
    // A start-up failure, or the last action's error.
    let shown = state.error().map(Shown::from).or_else(|| (*error).clone());
    let claims = state
        .claims()
        .map(|c| c.to_json_string())
        .unwrap_or_else(|| "(signed out)".to_owned());
    // The same claims as the app's own type (serde), re-read on every session change.
    let profile = use_auth_client()
        .and_then(|c| c.claims_as::<Profile>().ok().flatten())
        .map(|p| format!("{} <{}>", p.sub, p.email.unwrap_or_default()))
        .unwrap_or_default();

    html! {
        <>
            <h1>{ "oxidc Yew example" }</h1>
            <p id="status" data-status={status}>{ label }</p>
            <Unauthenticated>
                <button id="login" type="button" onclick={on_login}>{ "Log in" }</button>
                <button id="login-popup" type="button" onclick={on_login_popup}>{ "Log in in a popup" }</button>
            </Unauthenticated>
            <Authenticated>
                <button id="call-api" type="button" onclick={on_call_api}>{ "Call API" }</button>
                <button id="logout" type="button" onclick={on_logout}>{ "Log out" }</button>
            </Authenticated>
            <pre id="error" role="alert" data-code={shown.as_ref().map(|s| s.code.clone())}
                hidden={shown.is_none()}>{ shown.map(|s| s.text).unwrap_or_default() }</pre>
            <h2>{ "ID token claims" }</h2>
            <pre id="claims">{ claims }</pre>
            <p id="profile">{ profile }</p>
            <h2>{ "API result" }</h2>
            <pre id="api-result" data-calls={api.0.to_string()}
                data-status={api.1.as_ref().map(|(s, _)| s.to_string())}>
                { api.1.as_ref().map(|(_, body)| body.clone()).unwrap_or_else(|| "(not called)".to_owned()) }
            </pre>
        </>
    }
}
