#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::support::{ISSUER, NOW, metadata, pending};

pub(super) const TTL: u64 = 600;

pub(super) fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

pub(super) fn from_query(list: &[(&str, &str)]) -> Result<CallbackParams, Error> {
    CallbackParams::from_pairs(&pairs(list), &[])
}

pub(super) fn validate(
    list: &[(&str, &str)],
    pending: &PendingLogin,
    metadata: &ProviderMetadata,
) -> Result<ValidatedCallback, Error> {
    from_query(list)?.validate(pending, metadata, TTL, NOW)
}

#[test]
fn b01_valid_callback_accepted() {
    let p = pending();
    let v = validate(
        &[
            ("code", "the-code"),
            ("state", p.state.secret()),
            ("iss", ISSUER),
        ],
        &p,
        &metadata(),
    )
    .unwrap();
    assert_eq!(v.code.secret(), "the-code");
    let params = from_query(&[
        ("code", "c"),
        ("state", "s"),
        ("session_state", "x"),
        ("other", "y"),
    ])
    .unwrap();
    assert_eq!(params.state(), Some("s"));
    assert!(params.has_code());
}

#[test]
fn b02_missing_state_is_rejected_and_tx_untouched() {
    let p = pending();
    let before = p.clone();
    let err = validate(&[("code", "c"), ("iss", ISSUER)], &p, &metadata()).unwrap_err();
    assert_eq!(err, InvalidResponse::StateMissing.into());
    let err = validate(
        &[("code", "c"), ("state", ""), ("iss", ISSUER)],
        &p,
        &metadata(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        InvalidResponse::StateMissing.into(),
        "empty state counts as absent"
    );
    assert_eq!(p, before);
    // The genuine callback still completes afterwards.
    assert!(
        validate(
            &[("code", "c"), ("state", p.state.secret()), ("iss", ISSUER)],
            &p,
            &metadata()
        )
        .is_ok()
    );
}

#[test]
fn b03_state_mismatch() {
    let p = pending();
    let mut wrong = p.state.secret().to_owned();
    wrong.replace_range(0..1, if wrong.starts_with('A') { "B" } else { "A" });
    for state in [wrong.as_str(), "random", &p.state.secret()[..42]] {
        let err = validate(
            &[("code", "c"), ("state", state), ("iss", ISSUER)],
            &p,
            &metadata(),
        )
        .unwrap_err();
        assert_eq!(err, InvalidResponse::StateMismatch.into(), "{state}");
    }
}

#[test]
fn b03_state_checked_before_error_and_issuer() {
    let p = pending();
    let err = validate(
        &[
            ("error", "access_denied"),
            ("state", "forged"),
            ("iss", "https://evil"),
        ],
        &p,
        &metadata(),
    )
    .unwrap_err();
    assert_eq!(err, InvalidResponse::StateMismatch.into());
}

#[test]
fn b09_access_token_in_url_refused() {
    for name in [
        "access_token",
        "id_token",
        "token_type",
        "expires_in",
        "refresh_token",
    ] {
        let err =
            CallbackParams::from_pairs(&pairs(&[("code", "c"), ("state", "s"), (name, "x")]), &[])
                .unwrap_err();
        assert_eq!(
            err,
            InvalidResponse::UnexpectedParameter { name: name.into() }.into()
        );
        let err = CallbackParams::from_pairs(
            &pairs(&[("code", "c"), ("state", "s")]),
            &pairs(&[(name, "x")]),
        )
        .unwrap_err();
        assert_eq!(
            err,
            InvalidResponse::UnexpectedParameter { name: name.into() }.into(),
            "fragment {name}"
        );
        assert!(!err.to_string().contains("\"x\""));
    }
}

#[test]
fn response_parameters_in_the_fragment_are_ambiguous() {
    for name in [
        "code",
        "state",
        "iss",
        "error",
        "error_description",
        "error_uri",
    ] {
        let err = CallbackParams::from_pairs(
            &pairs(&[("code", "c"), ("state", "s")]),
            &pairs(&[(name, "x")]),
        )
        .unwrap_err();
        assert_eq!(err, InvalidResponse::AmbiguousResponse.into(), "{name}");
    }
    let ok = CallbackParams::from_pairs(
        &pairs(&[("code", "c"), ("state", "s")]),
        &pairs(&[("/route", ""), ("tab", "2")]),
    );
    assert!(ok.is_ok(), "application fragments are left alone");
}

#[test]
fn duplicate_parameters_refused() {
    for name in [
        "code",
        "state",
        "iss",
        "error",
        "error_description",
        "error_uri",
    ] {
        let err =
            from_query(&[("code", "c"), ("state", "s"), (name, "a"), (name, "a")]).unwrap_err();
        assert_eq!(
            err,
            InvalidResponse::DuplicateParameter { name: name.into() }.into(),
            "{name}"
        );
    }
    assert!(
        from_query(&[
            ("code", "c"),
            ("state", "s"),
            ("other", "1"),
            ("other", "2")
        ])
        .is_ok()
    );
}

#[test]
fn b10_error_after_state_and_iss() {
    let p = pending();
    let description = "<img src=x onerror=alert(1)>";
    let err = validate(
        &[
            ("error", "access_denied"),
            ("error_description", description),
            ("error_uri", "https://op/e"),
            ("state", p.state.secret()),
            ("iss", ISSUER),
        ],
        &p,
        &metadata(),
    )
    .unwrap_err();
    let oauth = err.oauth().unwrap();
    assert_eq!(oauth.error, "access_denied");
    assert_eq!(
        oauth.error_description.as_deref(),
        Some(description),
        "kept as plain text, unmodified"
    );
    assert_eq!(oauth.error_uri.as_deref(), Some("https://op/e"));
    assert_eq!(oauth.status, None);
    assert_eq!(oauth.origin, ErrorOrigin::Redirect);
    assert_eq!(err.code(), "authorization_error");
    assert!(!err.to_string().contains("img"));
}

#[test]
fn b10_error_wins_over_code() {
    let p = pending();
    let err = validate(
        &[
            ("error", "server_error"),
            ("code", "c"),
            ("state", p.state.secret()),
            ("iss", ISSUER),
        ],
        &p,
        &metadata(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "authorization_error");
    let err = validate(
        &[
            ("error", ""),
            ("code", "c"),
            ("state", p.state.secret()),
            ("iss", ISSUER),
        ],
        &p,
        &metadata(),
    )
    .unwrap_err();
    assert_eq!(
        err.code(),
        "authorization_error",
        "an empty error parameter still fails closed"
    );
}

#[test]
fn b12_missing_code() {
    let p = pending();
    for list in [
        vec![("state", p.state.secret()), ("iss", ISSUER)],
        vec![("state", p.state.secret()), ("iss", ISSUER), ("code", "")],
    ] {
        let err = validate(&list, &p, &metadata()).unwrap_err();
        assert_eq!(err, InvalidResponse::MissingCode.into());
    }
}

#[test]
fn b16_expired_transaction() {
    let p = pending();
    let params =
        from_query(&[("code", "c"), ("state", p.state.secret()), ("iss", ISSUER)]).unwrap();
    let err = params
        .clone()
        .validate(&p, &metadata(), TTL, NOW + 11 * 60)
        .unwrap_err();
    assert_eq!(err, Error::Misuse(Misuse::TransactionExpired));
    assert!(params.validate(&p, &metadata(), TTL, NOW + 9 * 60).is_ok());
}

#[test]
fn debug_redacts_code_and_state() {
    let params = from_query(&[
        ("code", "SECRET-CODE"),
        ("state", "SECRET-STATE"),
        ("iss", ISSUER),
    ])
    .unwrap();
    let d = format!("{params:?}");
    assert!(!d.contains("SECRET-CODE") && !d.contains("SECRET-STATE") && d.contains(ISSUER));
    let p = pending();
    let v = validate(
        &[
            ("code", "SECRET-CODE"),
            ("state", p.state.secret()),
            ("iss", ISSUER),
        ],
        &p,
        &metadata(),
    )
    .unwrap();
    assert!(!format!("{v:?}").contains("SECRET-CODE"));
}

#[test]
fn response_params_list_covers_scrubbing() {
    for name in [
        "code",
        "state",
        "iss",
        "error",
        "error_description",
        "error_uri",
        "session_state",
    ] {
        assert!(RESPONSE_PARAMS.contains(&name));
    }
}
