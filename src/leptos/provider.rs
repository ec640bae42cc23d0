//! The provider component: owns the client and publishes the state through a Leptos context.

use std::rc::Rc;

use ::leptos::callback::{Callable, Callback};
use ::leptos::prelude::*;

use crate::driver::CallbackOutcome;
use crate::ui::{AuthConfig, AuthState, Session};

/// What the provider puts in the context: the state signal, and the session the hooks act on (kept
/// in local storage: the client is not `Send`).
#[derive(Clone, Copy)]
pub(crate) struct AuthContext {
    pub(crate) state: RwSignal<AuthState>,
    pub(crate) session: StoredValue<Rc<Session>, LocalStorage>,
}

/// Owns the OpenID Connect client and exposes it to the hooks below it.
///
/// When created it starts (or joins) the engine in the package's worker, which runs discovery; when
/// the page is the redirect URI with an authorization response it completes the login (the address
/// is scrubbed first), and when it is the post-logout redirect URI it checks the provider's answer.
/// The state is [`AuthState::Loading`] until then, and follows the engine's session events
/// afterwards. Children are always rendered; use the guard components or
/// [`use_auth`](super::use_auth) to choose what to show. The configuration is read once. When the
/// provider is removed the page disconnects from the engine; the session goes on for the app's
/// other tabs.
///
/// ```no_run
/// use leptos::prelude::*;
/// use oxidc::leptos::{AuthConfig, AuthProvider};
///
/// #[component]
/// fn Root() -> impl IntoView {
///     let config = AuthConfig::new("https://login.example.com", "my-spa", "https://app.example.com/callback")
///         .with_worker_url("/oxidc/worker.js");
///     view! { <AuthProvider config=config><p>"the application"</p></AuthProvider> }
/// }
/// ```
#[component]
pub fn AuthProvider(
    /// The client configuration.
    config: AuthConfig,
    /// Called after a login completed on the redirect page, with the path the login started from.
    /// Without it the provider replaces the address with that path (or `/`) using
    /// `history.replaceState`; give it to let a router navigate instead.
    #[prop(optional, into)]
    on_login: Option<Callback<CallbackOutcome>>,
    /// The application.
    children: Children,
) -> impl IntoView {
    let state = RwSignal::new(AuthState::Loading);
    let session = Session::new();
    let context = AuthContext {
        state,
        session: StoredValue::new_local(Rc::clone(&session)),
    };
    provide_context(context);
    let publish: Rc<dyn Fn(AuthState)> = Rc::new(move |s| {
        // A no-op once the provider is gone.
        let _ = state.try_set(s);
    });
    let after_login = on_login
        .map(|cb| Box::new(move |outcome| cb.run(outcome)) as Box<dyn FnOnce(CallbackOutcome)>);
    ::leptos::task::spawn_local(session.start(config, publish, after_login));
    on_cleanup(move || {
        context.session.try_with_value(|s| s.stop());
    });
    children()
}
