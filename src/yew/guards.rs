//! Guard components: render their children only in some states.

use ::yew::prelude::*;

use super::use_auth;

/// Properties of the guard components.
#[derive(Properties, PartialEq)]
pub struct GuardProps {
    /// What to render when the guard's condition holds.
    #[prop_or_default]
    pub children: Html,
}

/// Renders its children only when signed in ([`AuthState::SignedIn`](crate::ui::AuthState::SignedIn)).
///
/// ```no_run
/// use oxidc::yew::Authenticated;
/// use yew::prelude::*;
///
/// #[component]
/// fn Menu() -> Html {
///     html! { <Authenticated><a href="/orders">{ "My orders" }</a></Authenticated> }
/// }
/// ```
#[component]
pub fn Authenticated(props: &GuardProps) -> Html {
    if use_auth().is_signed_in() {
        props.children.clone()
    } else {
        Html::default()
    }
}

/// Renders its children only when nobody is signed in and start-up is over: signed out, or failed
/// (so that a login can be started again after a failed one). Nothing while loading.
///
/// ```no_run
/// use oxidc::driver::LoginOptions;
/// use oxidc::yew::{Unauthenticated, use_login};
/// use yew::prelude::*;
///
/// #[component]
/// fn LoginLink() -> Html {
///     let login = use_login();
///     let onclick = move |_| { let _ = login.emit(LoginOptions::default()); };
///     html! { <Unauthenticated><button {onclick}>{ "Log in" }</button></Unauthenticated> }
/// }
/// ```
#[component]
pub fn Unauthenticated(props: &GuardProps) -> Html {
    if use_auth().is_signed_out() {
        props.children.clone()
    } else {
        Html::default()
    }
}
