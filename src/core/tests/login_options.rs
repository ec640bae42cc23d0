#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::support::SerdeJson;
use crate::core::{JsonParser, Misuse};

fn field_of(options: &LoginOptions) -> Option<&'static str> {
    match options.validate() {
        Ok(()) => None,
        Err(Error::Misuse(Misuse::InvalidConfig { field, .. })) => Some(field),
        Err(e) => panic!("unexpected {e:?}"),
    }
}

#[test]
fn every_typed_option_is_accepted_within_its_bounds() {
    let options = LoginOptions::return_to("/orders")
        .with_prompt("login consent")
        .with_login_hint("alice@example.com")
        .with_max_age(0)
        .with_ui_locales("fr-CA fr en")
        .with_acr_values(["urn:mace:incommon:iap:silver", "phr"], true);
    assert_eq!(options.validate(), Ok(()));
    assert_eq!(LoginOptions::default().validate(), Ok(()));
    for prompt in PROMPT_VALUES {
        assert_eq!(
            LoginOptions::default().with_prompt(*prompt).validate(),
            Ok(())
        );
    }
    let longest = LoginOptions::default()
        .with_login_hint("h".repeat(MAX_LOGIN_HINT_LEN))
        .with_ui_locales(["de"; MAX_UI_LOCALES].join(" "));
    assert_eq!(field_of(&longest), None);
    let values: Vec<String> = (0..MAX_ACR_VALUES).map(|i| format!("acr-{i}")).collect();
    assert_eq!(
        field_of(&LoginOptions::default().with_acr_values(values, false)),
        None
    );
}

#[test]
fn a_bad_prompt_is_invalid_config_naming_it() {
    for prompt in [
        "",
        "none login",
        "login none",
        "login login",
        "login  consent",
        " login",
        "Login",
        "select-account",
        "consent\n",
    ] {
        let options = LoginOptions::default().with_prompt(prompt);
        assert_eq!(field_of(&options), Some("prompt"), "{prompt:?}");
    }
}

#[test]
fn a_bad_login_hint_ui_locales_or_return_to_is_refused() {
    let hint = |h: &str| field_of(&LoginOptions::default().with_login_hint(h));
    assert_eq!(hint(""), Some("loginHint"));
    assert_eq!(hint("alice\r\nX-Injected: 1"), Some("loginHint"));
    assert_eq!(hint(&"h".repeat(MAX_LOGIN_HINT_LEN + 1)), Some("loginHint"));
    let locales = |l: &str| field_of(&LoginOptions::default().with_ui_locales(l));
    for bad in [
        "",
        "en  fr",
        "en_US",
        "fr;q=1",
        " en",
        &["en"; 17].join(" "),
    ] {
        assert_eq!(locales(bad), Some("uiLocales"), "{bad:?}");
    }
    assert_eq!(locales(&"a".repeat(36)), Some("uiLocales"));
    assert_eq!(
        LoginOptions::return_to("//evil.example").validate(),
        Err(Error::Misuse(Misuse::InvalidReturnTo))
    );
}

#[test]
fn bad_acr_values_and_essential_without_values_are_refused() {
    let acr = |values: Vec<&str>, essential| {
        field_of(&LoginOptions::default().with_acr_values(values, essential))
    };
    assert_eq!(acr(vec![""], false), Some("acrValues"));
    assert_eq!(acr(vec!["two words"], false), Some("acrValues"));
    assert_eq!(acr(vec!["é"], false), Some("acrValues"));
    assert_eq!(acr(vec!["a", "a"], false), Some("acrValues"));
    let long = "a".repeat(MAX_ACR_LEN + 1);
    assert_eq!(acr(vec![long.as_str()], true), Some("acrValues"));
    let many: Vec<String> = (0..=MAX_ACR_VALUES).map(|i| format!("v{i}")).collect();
    assert_eq!(
        field_of(&LoginOptions::default().with_acr_values(many, false)),
        Some("acrValues")
    );
    assert_eq!(acr(vec![], true), Some("acrEssential"));
    assert_eq!(acr(vec![], false), None);
}

#[test]
fn the_essential_acr_claims_request_is_json_with_the_values_in_order() {
    let values = vec!["urn:a".to_owned(), "b\"\\c".to_owned()];
    let text = essential_acr_claims(&values);
    assert_eq!(
        text,
        r#"{"id_token":{"acr":{"essential":true,"values":["urn:a","b\"\\c"]}}}"#
    );
    let parsed = SerdeJson.parse(&text).expect("JSON");
    let acr = parsed.get("id_token").and_then(|t| t.get("acr")).unwrap();
    assert_eq!(acr.get("essential"), Some(&Json::Bool(true)));
    assert_eq!(
        acr.get("values")
            .and_then(Json::as_array)
            .map(<[Json]>::len),
        Some(2)
    );
}
