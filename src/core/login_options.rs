//! The options of one login: where to come back to, and the typed authorization request parameters
//! of OpenID Connect Core §3.1.2.1 (`prompt`, `login_hint`, `max_age`, `ui_locales`, `acr_values`,
//! and an essential `acr` through the `claims` parameter, §5.5.1.1), with their bounds.
//!
//! Field names in errors use the JavaScript spelling of `login()`'s options.

use super::authorize::check_return_to;
use super::error::Error;
use super::json::Json;

/// The `prompt` values a login may ask for (OIDC Core §3.1.2.1; `create` from Initiating User
/// Registration via OpenID Connect 1.0).
pub const PROMPT_VALUES: &[&str] = &["none", "login", "consent", "select_account", "create"];

/// Longest accepted `login_hint`, in bytes.
pub const MAX_LOGIN_HINT_LEN: usize = 512;

/// Most language tags accepted in `ui_locales`.
pub const MAX_UI_LOCALES: usize = 16;

/// Longest accepted language tag (BCP 47 tags in practice stay well below this).
const MAX_LOCALE_LEN: usize = 35;

/// Most `acr` values a login may ask for.
pub const MAX_ACR_VALUES: usize = 16;

/// Longest accepted `acr` value, in bytes.
pub const MAX_ACR_LEN: usize = 256;

/// The options of one login ([`crate::driver::Client::login`]). Every field is optional; the
/// authorization request carries a parameter only for a field that is set, and a set field wins over
/// an `extra_auth_params` entry of the same name (a parameter is never sent twice).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoginOptions {
    /// Same-origin path to return to after the callback (for example `/orders?page=2`).
    pub return_to: Option<String>,
    /// `prompt`: space-separated values among `none`, `login`, `consent`, `select_account` and
    /// `create`, each at most once; `none` only alone.
    pub prompt: Option<String>,
    /// `login_hint`: the user's identifier at the provider (an email address, a user name), at
    /// most 512 bytes.
    pub login_hint: Option<String>,
    /// `max_age` in seconds for this login. The smaller of this and the configured
    /// [`ClientConfig::max_age`](super::config::ClientConfig::max_age) is sent, and the ID token's
    /// `auth_time` is checked against it.
    pub max_age: Option<u64>,
    /// `ui_locales`: space-separated BCP 47 language tags, preferred first (at most 16).
    pub ui_locales: Option<String>,
    /// `acr_values`: the authentication context classes asked for, preferred first (at most 16,
    /// each at most 256 bytes, without spaces). Voluntary unless [`Self::acr_essential`].
    pub acr_values: Vec<String>,
    /// Asks for one of [`Self::acr_values`] as an essential claim (OIDC Core §5.5.1.1, through the
    /// `claims` parameter): the login fails with `id_token_invalid` (detail `acr`) unless the ID
    /// token's `acr` is one of them. Requires `acr_values`.
    pub acr_essential: bool,
    /// `dpop_jkt` (RFC 9449 §10): the thumbprint of the DPoP key the code is to be bound to. Set
    /// by the driver for a login whose key outlives it (a popup login), never by the application.
    pub(crate) dpop_jkt: Option<String>,
}

impl LoginOptions {
    /// Options that return to `path` after login.
    pub fn return_to(path: impl Into<String>) -> Self {
        LoginOptions {
            return_to: Some(path.into()),
            ..Self::default()
        }
    }

    /// Sets [`Self::prompt`].
    pub fn with_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.prompt = Some(prompt.into());
        self
    }

    /// Sets [`Self::login_hint`].
    pub fn with_login_hint(mut self, hint: impl Into<String>) -> Self {
        self.login_hint = Some(hint.into());
        self
    }

    /// Sets [`Self::max_age`], in seconds.
    pub fn with_max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Sets [`Self::ui_locales`].
    pub fn with_ui_locales(mut self, locales: impl Into<String>) -> Self {
        self.ui_locales = Some(locales.into());
        self
    }

    /// Sets [`Self::acr_values`] and whether one of them is essential ([`Self::acr_essential`]).
    pub fn with_acr_values<S: Into<String>>(
        mut self,
        values: impl IntoIterator<Item = S>,
        essential: bool,
    ) -> Self {
        self.acr_values = values.into_iter().map(Into::into).collect();
        self.acr_essential = essential;
        self
    }

    /// Checks every field; the first failure is `invalid_config` naming the option.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(path) = &self.return_to {
            check_return_to(path)?;
        }
        if self.prompt.as_deref().is_some_and(|p| !is_valid_prompt(p)) {
            return Err(Error::invalid_config(
                "prompt",
                "must be values among none, login, consent, select_account and create, each once, none alone",
            ));
        }
        let bad_hint = |h: &String| {
            h.is_empty() || h.len() > MAX_LOGIN_HINT_LEN || h.chars().any(char::is_control)
        };
        if self.login_hint.as_ref().is_some_and(bad_hint) {
            return Err(Error::invalid_config(
                "loginHint",
                "must be 1 to 512 bytes, no control characters",
            ));
        }
        if self
            .ui_locales
            .as_deref()
            .is_some_and(|l| !is_valid_ui_locales(l))
        {
            return Err(Error::invalid_config(
                "uiLocales",
                "must be 1 to 16 language tags separated by spaces",
            ));
        }
        if !is_valid_acr_list(&self.acr_values) {
            return Err(Error::invalid_config(
                "acrValues",
                "must be at most 16 distinct values of 1 to 256 visible ASCII characters",
            ));
        }
        if self.acr_essential && self.acr_values.is_empty() {
            return Err(Error::invalid_config("acrEssential", "requires acrValues"));
        }
        Ok(())
    }
}

/// OIDC Core §3.1.2.1 `prompt`: known values, single spaces, no repeats, `none` alone.
fn is_valid_prompt(prompt: &str) -> bool {
    let mut seen = 0u32;
    for value in prompt.split(' ') {
        let Some(i) = PROMPT_VALUES.iter().position(|p| *p == value) else {
            return false;
        };
        if seen & (1 << i) != 0 {
            return false;
        }
        seen |= 1 << i;
    }
    // `none` (bit 0) only alone.
    seen == 1 || seen & 1 == 0
}

/// `ui_locales`: 1 to 16 tags of ASCII letters, digits and `-`, separated by single spaces.
fn is_valid_ui_locales(locales: &str) -> bool {
    locales.split(' ').count() <= MAX_UI_LOCALES
        && locales.split(' ').all(|tag| {
            !tag.is_empty()
                && tag.len() <= MAX_LOCALE_LEN
                && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// An `acr` value: 1 to 256 bytes of printable ASCII without spaces (values are space-separated in
/// `acr_values`), such as `urn:mace:incommon:iap:silver` or `phr`.
pub(crate) fn is_valid_acr(value: &str) -> bool {
    !value.is_empty() && value.len() <= MAX_ACR_LEN && value.bytes().all(|b| b.is_ascii_graphic())
}

/// A list of `acr` values: at most 16, each valid, none repeated.
pub(crate) fn is_valid_acr_list(values: &[String]) -> bool {
    values.len() <= MAX_ACR_VALUES
        && values
            .iter()
            .enumerate()
            .all(|(i, v)| is_valid_acr(v) && !values[..i].contains(v))
}

/// The `claims` parameter that asks for an essential `acr` among `values` in the ID token (OIDC Core
/// §5.5.1.1): `{"id_token":{"acr":{"essential":true,"values":[…]}}}`.
pub(crate) fn essential_acr_claims(values: &[String]) -> String {
    let member = |name: &str, value: Json| Json::Object(vec![(name.to_owned(), value)]);
    let acr = Json::Object(vec![
        ("essential".to_owned(), Json::Bool(true)),
        (
            "values".to_owned(),
            Json::Array(values.iter().cloned().map(Json::String).collect()),
        ),
    ]);
    member("id_token", member("acr", acr)).to_json_string()
}

#[cfg(test)]
#[path = "tests/login_options.rs"]
mod tests;
