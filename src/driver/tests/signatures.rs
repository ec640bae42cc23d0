//! ID-token signatures and the provider's key set, against the simulated provider (whose fake
//! signature scheme the test platform verifies).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::rc::Rc;

use super::test_support::*;
use crate::core::Error;
use crate::driver::{CallbackOutcome, Client, LoginOptions, REFETCH_COOLDOWN_SECS};

type C = Client<Rc<FakePlatform>>;

fn login(c: &C, p: &FakePlatform) -> Result<CallbackOutcome, Error> {
    block_on(c.login(&LoginOptions::default()))?;
    let params = callback_for(p);
    block_on(c.handle_callback(&params, &[]))
}

fn detail(r: Result<impl Sized, Error>) -> (String, Option<String>) {
    match r {
        Ok(_) => ("ok".into(), None),
        Err(e) => (e.code().into(), e.detail().map(str::to_owned)),
    }
}

fn id_token_err(problem: &str) -> (String, Option<String>) {
    ("id_token_invalid".into(), Some(problem.into()))
}

fn sign_with(p: &FakePlatform, header: serde_json::Value, key: serde_json::Value) {
    p.op.borrow_mut().signer = Some((header, key));
}

/// P1: nothing kept after a rejection.
fn assert_no_session(c: &C) {
    assert!(!c.is_authenticated());
    assert!(c.claims().is_none());
    assert_eq!(
        block_on(c.access_token(false)).unwrap_err().code(),
        "login_required"
    );
}

#[test]
fn e21_at_hash_is_checked_against_the_platform_digest_at_login_and_refresh() {
    let (c, p) = client();
    p.op.borrow_mut().at_hash = Some(true);
    login(&c, &p).unwrap();
    assert!(c.claims().is_some_and(|cl| cl.get("at_hash").is_some()));
    block_on(c.access_token(true)).expect("refreshed ID token with a right at_hash");
    // A wrong at_hash in a refreshed ID token: the response is discarded.
    p.op.borrow_mut().at_hash = Some(false);
    assert_eq!(
        detail(block_on(c.access_token(true))),
        id_token_err("at_hash")
    );
    // And at login: nothing is kept.
    let (c, p) = client();
    p.op.borrow_mut().at_hash = Some(false);
    assert_eq!(detail(login(&c, &p)), id_token_err("at_hash"));
    assert_no_session(&c);
}

#[test]
fn e01_c08_signed_token_accepted_with_keys_from_the_metadata_jwks_uri_fetched_once() {
    let (c, p) = client();
    login(&c, &p).unwrap();
    assert!(c.is_authenticated());
    assert_eq!(p.jwks_fetches(), 1);
    let jwks = p
        .requests
        .borrow()
        .iter()
        .find(|r| r.url == JWKS_URI)
        .cloned()
        .unwrap();
    assert_eq!(jwks.method, crate::core::Method::Get);
    assert!(jwks.body.is_none());
    // Cached for the next login and for refreshes.
    login(&c, &p).unwrap();
    p.advance(301);
    block_on(c.access_token(false)).unwrap();
    assert_eq!(p.jwks_fetches(), 1);
}

#[test]
fn e02_signature_by_another_key_or_altered_bytes_is_rejected_and_tokens_discarded() {
    let (c, p) = client();
    // Same kid, other key material: the signature does not verify with the published key.
    sign_with(
        &p,
        serde_json::json!({"alg": "RS256", "kid": "k1"}),
        fake_key("k1", 0x11),
    );
    assert_eq!(detail(login(&c, &p)), id_token_err("signature"));
    assert_no_session(&c);
    // A truncated signature never reaches the platform's verification.
    p.op.borrow_mut().signer = None;
    block_on(c.login(&LoginOptions::default())).unwrap();
    let params = callback_for(&p);
    let good = jwt(serde_json::json!({}));
    let (input, sig) = good.rsplit_once('.').unwrap();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut sig = b64.decode(sig).unwrap();
    sig.truncate(200);
    let short = format!("{input}.{}", b64.encode(sig));
    let body =
        serde_json::json!({"access_token": "at-x", "token_type": "Bearer", "id_token": short});
    p.op.borrow_mut()
        .next
        .push(Next::Respond(200, body.to_string()));
    assert_eq!(
        detail(block_on(c.handle_callback(&params, &[]))),
        id_token_err("signature")
    );
    assert_no_session(&c);
    // P7: a fresh login in the same client still works.
    login(&c, &p).unwrap();
    assert!(c.is_authenticated());
}

#[test]
fn e04_e06_disallowed_algorithms_are_refused_before_any_key_fetch() {
    for alg in ["none", "HS256", "PS256", "ES256", "RS384"] {
        let (c, p) = client();
        sign_with(
            &p,
            serde_json::json!({"alg": alg, "kid": "k1"}),
            fake_key("k1", 0xA5),
        );
        assert_eq!(detail(login(&c, &p)), id_token_err("alg"), "{alg}");
        assert_eq!(p.jwks_fetches(), 0, "{alg}");
        assert_no_session(&c);
    }
}

#[test]
fn e06_key_alg_must_match_the_header() {
    let (c, p) = client();
    let mut k = fake_key("k1", 0xA5);
    k["alg"] = "PS256".into();
    p.op.borrow_mut().jwks = Some(serde_json::json!([k]));
    assert_eq!(detail(login(&c, &p)), id_token_err("alg"));
    assert_no_session(&c);
}

#[test]
fn e15_no_kid_and_a_single_key_is_accepted_but_two_candidates_are_ambiguous() {
    let (c, p) = client();
    sign_with(
        &p,
        serde_json::json!({"alg": "RS256"}),
        fake_key("k1", 0xA5),
    );
    login(&c, &p).unwrap();
    let (c, p) = client();
    p.op.borrow_mut().jwks = Some(serde_json::json!([
        fake_key("k1", 0xA5),
        fake_key("k2", 0x22)
    ]));
    sign_with(
        &p,
        serde_json::json!({"alg": "RS256"}),
        fake_key("k1", 0xA5),
    );
    assert_eq!(detail(login(&c, &p)), id_token_err("key_selection"));
}

#[test]
fn e17_rotation_refetches_once_then_accepts() {
    let (c, p) = client();
    login(&c, &p).unwrap();
    // (a) the provider rotates to k2, published only in the new key set.
    p.op.borrow_mut().jwks = Some(serde_json::json!([fake_key("k2", 0x22)]));
    sign_with(
        &p,
        serde_json::json!({"alg": "RS256", "kid": "k2"}),
        fake_key("k2", 0x22),
    );
    login(&c, &p).unwrap();
    assert_eq!(p.jwks_fetches(), 2);
    // The refresh path validates the refreshed ID token with the same keys.
    p.advance(301);
    block_on(c.access_token(false)).unwrap();
    assert_eq!(p.jwks_fetches(), 2);
    // (b) after the cool-down, a further rotation is picked up too.
    p.advance(REFETCH_COOLDOWN_SECS);
    p.op.borrow_mut().jwks = Some(serde_json::json!([fake_key("k3", 0x33)]));
    sign_with(
        &p,
        serde_json::json!({"alg": "RS256", "kid": "k3"}),
        fake_key("k3", 0x33),
    );
    login(&c, &p).unwrap();
    assert_eq!(p.jwks_fetches(), 3);
}

#[test]
fn e17_fifty_unknown_kids_cause_at_most_one_refetch_per_cool_down() {
    let (c, p) = client();
    login(&c, &p).unwrap();
    for i in 0..50 {
        let kid = format!("unknown-{i}");
        sign_with(
            &p,
            serde_json::json!({"alg": "RS256", "kid": kid}),
            fake_key(&kid, 0x44),
        );
        assert_eq!(detail(login(&c, &p)), id_token_err("key_selection"));
        p.advance(1);
    }
    assert_eq!(p.jwks_fetches(), 2);
    p.advance(REFETCH_COOLDOWN_SECS);
    assert_eq!(detail(login(&c, &p)), id_token_err("key_selection"));
    assert_eq!(p.jwks_fetches(), 3);
}

/// A 1024-bit RSA key.
fn weak_key() -> serde_json::Value {
    use base64::Engine;
    let mut k = fake_key("weak", 0x55);
    k["n"] = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode([0xC1; 128])
        .into();
    k
}

#[test]
fn e18_junk_keys_are_ignored_and_weak_or_encryption_keys_never_used() {
    let mut enc = fake_key("enc", 0x66);
    enc["use"] = "enc".into();
    let mut mismatch = fake_key("mismatch", 0x77);
    mismatch["alg"] = "ES256".into();
    let jwks = serde_json::json!([
        {"kty": "AKP", "kid": "akp", "alg": "ML-DSA-65", "pub": "AAAA"},
        {"kty": "made-up", "kid": "x"},
        weak_key(), enc, mismatch,
        fake_key("k1", 0xA5),
    ]);
    let (c, p) = client();
    p.op.borrow_mut().jwks = Some(jwks.clone());
    login(&c, &p).unwrap();
    assert_eq!(p.jwks_fetches(), 1);
    for (kid, key) in [("weak", weak_key()), ("enc", fake_key("enc", 0x66))] {
        let (c, p) = client();
        p.op.borrow_mut().jwks = Some(jwks.clone());
        sign_with(&p, serde_json::json!({"alg": "RS256", "kid": kid}), key);
        assert_eq!(
            detail(login(&c, &p)),
            id_token_err("key_selection"),
            "{kid}"
        );
        assert_no_session(&c);
    }
}

#[test]
fn e23_key_set_unavailable_is_key_fetch_and_the_tokens_are_discarded() {
    let (c, p) = client();
    p.op.borrow_mut().jwks_status = 500;
    assert_eq!(detail(login(&c, &p)), id_token_err("key_fetch"));
    assert_no_session(&c);
    assert_eq!(p.grants("authorization_code"), 1);
    // Not cached as empty, and no cool-down for the first fetch: once it is back, login works.
    p.op.borrow_mut().jwks_status = 0;
    login(&c, &p).unwrap();
    assert!(c.is_authenticated());
}

#[test]
fn g07_refreshed_id_token_with_a_bad_signature_ends_the_session() {
    let (c, p) = signed_in();
    sign_with(
        &p,
        serde_json::json!({"alg": "RS256", "kid": "k1"}),
        fake_key("k1", 0x11),
    );
    p.advance(301);
    assert_eq!(
        detail(block_on(c.access_token(false))),
        id_token_err("signature")
    );
    assert_no_session(&c);
    assert_eq!(p.grants("refresh_token"), 1);
}
