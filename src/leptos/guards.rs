//! Guard components: render their children only in some states.

use ::leptos::prelude::*;

use super::use_auth;
use crate::ui::AuthState;

/// Renders its children only when signed in ([`AuthState::SignedIn`]); otherwise the `fallback`
/// (nothing by default). The children are built again only when the condition flips, not on every
/// renewal.
///
/// ```no_run
/// use leptos::prelude::*;
/// use oxidc::leptos::Authenticated;
///
/// #[component]
/// fn Menu() -> impl IntoView {
///     view! { <Authenticated fallback=|| "Please log in"><a href="/orders">"My orders"</a></Authenticated> }
/// }
/// ```
#[component]
pub fn Authenticated(
    /// What to render when signed in.
    children: ChildrenFn,
    /// What to render otherwise.
    #[prop(optional, into)]
    fallback: ViewFn,
) -> impl IntoView {
    let state = use_auth();
    view! {
        <Show when=move || state.with(AuthState::is_signed_in) fallback=fallback>
            {children()}
        </Show>
    }
}

/// Renders its children only when nobody is signed in and start-up is over: signed out, or failed
/// (so that a login can be started again after a failed one). Nothing while loading.
///
/// ```no_run
/// use leptos::prelude::*;
/// use oxidc::driver::LoginOptions;
/// use oxidc::leptos::{Unauthenticated, use_login};
///
/// #[component]
/// fn LoginLink() -> impl IntoView {
///     let login = use_login();
///     view! {
///         <Unauthenticated>
///             <button on:click=move |_| { let _ = login.run(LoginOptions::default()); }>"Log in"</button>
///         </Unauthenticated>
///     }
/// }
/// ```
#[component]
pub fn Unauthenticated(
    /// What to render when signed out.
    children: ChildrenFn,
) -> impl IntoView {
    let state = use_auth();
    view! {
        <Show when=move || state.with(AuthState::is_signed_out)>
            {children()}
        </Show>
    }
}
