//! The provider component: owns the client and publishes the state through a Yew context.

use std::rc::Rc;

use ::yew::platform::spawn_local;
use ::yew::prelude::*;

use crate::driver::CallbackOutcome;
use crate::ui::{AuthConfig, AuthState, Session};

/// What the provider puts in the context: the state, and the session the hooks act on.
#[derive(Clone)]
pub(crate) struct AuthContext {
    pub(crate) state: AuthState,
    pub(crate) session: Rc<Session>,
}

impl PartialEq for AuthContext {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state && Rc::ptr_eq(&self.session, &other.session)
    }
}

/// Properties of [`AuthProvider`].
#[derive(Properties, PartialEq)]
pub struct AuthProviderProps {
    /// The client configuration. A different value restarts the provider (a new client, with the
    /// session of the engine for that configuration).
    pub config: AuthConfig,
    /// Called after a login completed on the redirect page, with the path the login started from.
    /// Without it the provider replaces the address with that path (or `/`) using
    /// `history.replaceState`; give it to let a router navigate instead.
    #[prop_or_default]
    pub on_login: Option<Callback<CallbackOutcome>>,
    /// The application.
    #[prop_or_default]
    pub children: Html,
}

/// Owns the OpenID Connect client and exposes it to the hooks below it.
///
/// On mount it starts (or joins) the engine in the package's worker, which runs discovery; when the
/// page is the redirect URI with an authorization response it completes the login (the address is
/// scrubbed first), and when it is the post-logout redirect URI it checks the provider's answer. The
/// state is [`AuthState::Loading`] until then, and follows the engine's session events afterwards.
/// Children are always rendered; use the guard components or [`use_auth`](super::use_auth) to choose
/// what to show. On unmount (or a new configuration) the page disconnects from the engine; the
/// session goes on for the app's other tabs.
///
/// ```no_run
/// use oxidc::yew::{AuthConfig, AuthProvider};
/// use yew::prelude::*;
///
/// #[component]
/// fn Root() -> Html {
///     let config = AuthConfig::new("https://login.example.com", "my-spa", "https://app.example.com/callback")
///         .with_worker_url("/oxidc/worker.js");
///     html! { <AuthProvider {config}><p>{ "the application" }</p></AuthProvider> }
/// }
/// ```
#[component]
pub fn AuthProvider(props: &AuthProviderProps) -> Html {
    let state = use_state_eq(|| AuthState::Loading);
    // One session per configuration, made during render so that hooks get it from the first render.
    let session: Rc<Session> = Rc::clone(&*use_memo(props.config.clone(), |_| Session::new()));
    {
        let state = state.clone();
        let session = Rc::clone(&session);
        let on_login = props.on_login.clone();
        use_effect_with(props.config.clone(), move |config| {
            state.set(AuthState::Loading);
            let setter = state.setter();
            let publish: Rc<dyn Fn(AuthState)> = Rc::new(move |s| setter.set(s));
            let after_login = on_login.map(|cb| {
                Box::new(move |outcome| cb.emit(outcome)) as Box<dyn FnOnce(CallbackOutcome)>
            });
            spawn_local(Rc::clone(&session).start(config.clone(), publish, after_login));
            move || session.stop()
        });
    }
    let context = AuthContext {
        state: (*state).clone(),
        session,
    };
    html! {
        <ContextProvider<AuthContext> {context}>
            { props.children.clone() }
        </ContextProvider<AuthContext>>
    }
}
