//! Refresh rules (OIDC Core §12.2).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::tests::{Ctx, check, claims, token};
use super::*;
use crate::core::support::{CLIENT_ID, NOW};

fn refreshed(edit_fn: impl FnOnce(&mut serde_json::Value)) -> (IdTokenClaims, Jws) {
    let mut p = claims();
    p["iat"] = (NOW + 100).into();
    edit_fn(&mut p);
    let t = token(&p);
    let ctx = Ctx::new();
    let mut e = ctx.expect();
    e.nonce = None;
    e.access_token_digest = None;
    (validate_id_token(&t, &e, NOW + 100).unwrap(), t)
}

fn original() -> (IdTokenClaims, Jws) {
    let t = token(&claims());
    (check(&claims()).unwrap(), t)
}

fn refresh_check(edit_fn: impl FnOnce(&mut serde_json::Value)) -> Result<(), Error> {
    let (o, oj) = original();
    let (n, nj) = refreshed(edit_fn);
    validate_refreshed_id_token(&n, &nj, &o, &oj)
}

fn mismatch(field: &'static str) -> Result<(), Error> {
    Err(Error::id_token(IdTokenProblem::RefreshMismatch(field)))
}

#[test]
fn g07_refreshed_id_token_same_identity_accepted() {
    assert_eq!(
        refresh_check(|_| {}),
        Ok(()),
        "same nonce echoed (oidc-provider behaviour)"
    );
    assert_eq!(
        refresh_check(|p| {
            p.as_object_mut().unwrap().remove("nonce");
        }),
        Ok(()),
        "no nonce"
    );
    assert_eq!(
        refresh_check(|p| {
            p.as_object_mut().unwrap().remove("auth_time");
        }),
        Ok(())
    );
}

#[test]
fn g07_refreshed_id_token_mismatches() {
    assert_eq!(
        refresh_check(|p| p["sub"] = "user-2".into()),
        mismatch("sub")
    );
    assert_eq!(
        refresh_check(|p| p["nonce"] = "other".into()),
        mismatch("nonce")
    );
    assert_eq!(
        refresh_check(|p| p["auth_time"] = (NOW - 5).into()),
        mismatch("auth_time")
    );
    assert_eq!(
        refresh_check(|p| p["azp"] = CLIENT_ID.into()),
        mismatch("azp")
    );
    assert_eq!(
        refresh_check(|p| {
            p["aud"] = serde_json::json!([CLIENT_ID, "api"]);
            p["azp"] = CLIENT_ID.into();
        }),
        mismatch("aud")
    );
    // iss: the refreshed token validates against another issuer expectation only in a
    // misconfigured driver; the rule still catches it.
    let (o, oj) = original();
    let (mut n, nj) = refreshed(|_| {});
    n.iss = "https://other.example.com".into();
    assert_eq!(
        validate_refreshed_id_token(&n, &nj, &o, &oj),
        mismatch("iss")
    );
    // A nonce on the refreshed token when the original had none.
    let (o2, oj2) = refreshed(|p| {
        p.as_object_mut().unwrap().remove("nonce");
    });
    let (n2, nj2) = refreshed(|_| {});
    assert_eq!(
        validate_refreshed_id_token(&n2, &nj2, &o2, &oj2),
        mismatch("nonce")
    );
    assert_eq!(
        mismatch("nonce").unwrap_err().detail(),
        Some("refresh_mismatch:nonce")
    );
}

#[test]
fn g07_audience_order_does_not_matter() {
    let (o, oj) = refreshed(|p| {
        p["aud"] = serde_json::json!([CLIENT_ID, "api"]);
        p["azp"] = CLIENT_ID.into();
    });
    let (n, nj) = refreshed(|p| {
        p["aud"] = serde_json::json!(["api", CLIENT_ID]);
        p["azp"] = CLIENT_ID.into();
    });
    assert_eq!(validate_refreshed_id_token(&n, &nj, &o, &oj), Ok(()));
}
