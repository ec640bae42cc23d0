//! DPoP (RFC 9449, K01–K06, I04) against the simulated provider, which checks every proof the way
//! a provider does (signature over the exact signing input with the header's key, `htm`, `htu`,
//! `iat`, unique `jti`, `ath`, nonce) and binds the grant's tokens to the key of the first proof.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::rc::Rc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::test_support::*;

use crate::core::{ClientConfig, Json, ProviderMetadata};
use crate::driver::{Client, LoginOptions, Platform};

const API: &str = "https://api.example";

fn metadata_with_dpop(algs: &[&str]) -> ProviderMetadata {
    let mut m = metadata().to_json();
    if let Json::Object(members) = &mut m {
        members.push((
            "dpop_signing_alg_values_supported".into(),
            Json::Array(algs.iter().map(|a| Json::String((*a).into())).collect()),
        ));
    }
    ProviderMetadata::from_json(&config(), &m).expect("metadata")
}

fn dpop_config() -> ClientConfig {
    let mut cfg = config();
    cfg.dpop = true;
    cfg.api_origins = vec![API.into()];
    cfg
}

fn dpop_client() -> (Client<Rc<FakePlatform>>, Rc<FakePlatform>) {
    let p = FakePlatform::new();
    let c = Client::with_metadata(Rc::clone(&p), dpop_config(), metadata_with_dpop(&["ES256"]))
        .expect("client");
    (c, p)
}

fn dpop_signed_in() -> (Client<Rc<FakePlatform>>, Rc<FakePlatform>) {
    let (c, p) = dpop_client();
    block_on(c.login(&LoginOptions::return_to("/home"))).expect("login");
    let params = callback_for(&p);
    block_on(c.handle_callback(&params, &[])).expect("callback");
    (c, p)
}

fn header<'a>(req: &'a crate::core::HttpRequest, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn token_posts(p: &FakePlatform) -> Vec<crate::core::HttpRequest> {
    p.requests
        .borrow()
        .iter()
        .filter(|r| r.url == format!("{ISSUER}/token"))
        .cloned()
        .collect()
}

fn payload(proof: &str) -> serde_json::Value {
    let part = proof.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("b64")).expect("json")
}

#[test]
fn k01_dpop_client_needs_a_provider_that_takes_es256_proofs() {
    for metadata in [metadata(), metadata_with_dpop(&["EdDSA", "RS256"])] {
        let err = Client::with_metadata(FakePlatform::new(), dpop_config(), metadata)
            .err()
            .expect("refused");
        assert_eq!(err.code(), "dpop_unsupported");
    }
}

#[test]
fn k01_code_and_refresh_requests_carry_proofs_and_the_tokens_are_dpop_bound() {
    let (c, p) = dpop_signed_in();
    let posts = token_posts(&p);
    assert_eq!(posts.len(), 1);
    let proof = header(&posts[0], "DPoP").expect("a proof on the code request");
    let claims = payload(proof);
    assert_eq!(claims["htm"], "POST");
    assert_eq!(claims["htu"], format!("{ISSUER}/token"));
    assert!(
        claims.get("ath").is_none(),
        "no access token on a token request"
    );
    assert!(
        p.op.borrow().dpop_jwk.is_some(),
        "the grant is bound to the proof's key"
    );
    assert!(c.is_authenticated());
    // A refresh proves possession of the same key (the provider refuses any other).
    let before = block_on(c.access_token(false)).expect("token");
    let after = block_on(c.access_token(true)).expect("refreshed");
    assert_ne!(before.secret(), after.secret());
    let posts = token_posts(&p);
    assert_eq!(posts.len(), 2);
    assert!(header(&posts[1], "DPoP").is_some());
    assert_eq!(p.dpop_keys_made.get(), 1, "one key for the session");
    assert_eq!(p.op.borrow().dpop_refused, None);
}

#[test]
fn k01_a_redirect_login_sends_no_dpop_jkt_and_a_bound_login_sends_the_keys_thumbprint() {
    let (c, p) = dpop_client();
    block_on(c.login(&LoginOptions::default())).expect("login");
    let url = p.navigations.borrow().last().cloned().unwrap();
    assert!(!p.authorization_params(&url).contains_key("dpop_jkt"));
    let url = block_on(c.bound_authorization_url(&LoginOptions::default())).expect("url");
    let jkt = p
        .authorization_params(&url)
        .get("dpop_jkt")
        .cloned()
        .expect("dpop_jkt");
    // The thumbprint of the key that then signs the code request.
    p.navigate(&url).unwrap();
    let params = callback_for(&p);
    block_on(c.handle_callback(&params, &[])).expect("callback");
    let bound = p.op.borrow().dpop_jwk.clone().expect("bound");
    use sha2::Digest as _;
    assert_eq!(
        jkt,
        URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(bound.as_bytes()))
    );
}

#[test]
fn k02_use_dpop_nonce_gets_exactly_one_retry_with_the_nonce() {
    let (c, p) = dpop_client();
    p.op.borrow_mut().dpop_nonce = Some("n-1".into());
    block_on(c.login(&LoginOptions::default())).expect("login");
    let params = callback_for(&p);
    block_on(c.handle_callback(&params, &[])).expect("callback after one nonce retry");
    let posts = token_posts(&p);
    assert_eq!(posts.len(), 2, "the refused request, then one retry");
    assert!(
        payload(header(&posts[0], "DPoP").unwrap())
            .get("nonce")
            .is_none()
    );
    assert_eq!(payload(header(&posts[1], "DPoP").unwrap())["nonce"], "n-1");
    // The nonce is kept for the next request: the refresh needs no retry.
    block_on(c.access_token(true)).expect("refreshed");
    let posts = token_posts(&p);
    assert_eq!(posts.len(), 3);
    assert_eq!(payload(header(&posts[2], "DPoP").unwrap())["nonce"], "n-1");
    // A newer nonce on a successful answer is used for the next request: announced with a 200
    // while n-1 is still taken, then required, with no refusal in between.
    p.op.borrow_mut().dpop_announce = Some("n-2".into());
    block_on(c.access_token(true)).expect("refreshed with n-1");
    {
        let mut op = p.op.borrow_mut();
        op.dpop_announce = None;
        op.dpop_nonce = Some("n-2".into());
    }
    block_on(c.access_token(true)).expect("refreshed with n-2 at once");
    let posts = token_posts(&p);
    assert_eq!(posts.len(), 5, "no use_dpop_nonce refusal");
    assert_eq!(payload(header(&posts[3], "DPoP").unwrap())["nonce"], "n-1");
    assert_eq!(payload(header(&posts[4], "DPoP").unwrap())["nonce"], "n-2");
}

#[test]
fn k02_a_second_use_dpop_nonce_is_dpop_nonce_retry_exhausted() {
    let (c, p) = dpop_client();
    block_on(c.login(&LoginOptions::default())).expect("login");
    let params = callback_for(&p);
    // A provider that asks for a new nonce every time.
    p.op.borrow_mut().dpop_rotate = true;
    let err = block_on(c.handle_callback(&params, &[])).expect_err("refused");
    assert_eq!(err.code(), "dpop_nonce_retry_exhausted");
    assert_eq!(token_posts(&p).len(), 2, "one retry, not a third request");
    assert!(!c.is_authenticated());
}

#[test]
fn k02_use_dpop_nonce_without_a_nonce_is_not_retried() {
    let (c, p) = dpop_client();
    block_on(c.login(&LoginOptions::default())).expect("login");
    let params = callback_for(&p);
    // The answer asks for a nonce but gives none: there is nothing to retry with.
    p.op.borrow_mut().next = vec![Next::Respond(400, r#"{"error":"use_dpop_nonce"}"#.into())];
    let err = block_on(c.handle_callback(&params, &[])).expect_err("refused");
    assert_eq!(err.code(), "token_error");
    assert_eq!(token_posts(&p).len(), 1);
}

#[test]
fn k03_a_bearer_token_after_a_proof_is_a_downgrade_and_never_used() {
    let (c, p) = dpop_client();
    p.op.borrow_mut().dpop_downgrade = true;
    block_on(c.login(&LoginOptions::default())).expect("login");
    let params = callback_for(&p);
    let err = block_on(c.handle_callback(&params, &[])).expect_err("refused");
    assert_eq!(err.code(), "token_type_downgrade");
    assert!(!c.is_authenticated());
    assert_eq!(
        block_on(c.access_token(false)).unwrap_err().code(),
        "login_required"
    );
}

#[test]
fn k03_a_downgrade_on_refresh_ends_the_session() {
    let (c, p) = dpop_signed_in();
    p.op.borrow_mut().dpop_downgrade = true;
    let err = block_on(c.access_token(true)).expect_err("refused");
    assert_eq!(err.code(), "token_type_downgrade");
    assert!(!c.is_authenticated());
}

#[test]
fn k04_no_refresh_with_another_key() {
    let (c, p) = dpop_signed_in();
    // The key is gone (as after a reload, or forced here).
    c.inner.dpop_key.borrow_mut().take();
    let err = block_on(c.access_token(true)).expect_err("refused");
    assert_eq!(err.code(), "login_required");
    assert_eq!(token_posts(&p).len(), 1, "no refresh request was sent");
    assert!(!c.is_authenticated());
}

#[test]
fn k05_userinfo_carries_the_token_as_dpop_with_ath_and_answers_a_nonce_challenge_once() {
    let (c, p) = dpop_signed_in();
    p.op.borrow_mut().dpop_nonce = Some("rs-nonce".into());
    let claims = block_on(c.user_info(false)).expect("userinfo");
    assert_eq!(claims.get("sub").and_then(Json::as_str), Some("alice"));
    let calls: Vec<_> = p
        .requests
        .borrow()
        .iter()
        .filter(|r| r.url.ends_with("/userinfo"))
        .cloned()
        .collect();
    assert_eq!(calls.len(), 2, "the nonce challenge, then one retry");
    let token = block_on(c.access_token(false)).unwrap();
    for call in &calls {
        assert_eq!(
            header(call, "Authorization"),
            Some(format!("DPoP {}", token.secret()).as_str())
        );
        let claims = payload(header(call, "DPoP").unwrap());
        use sha2::Digest as _;
        assert_eq!(
            claims["ath"],
            URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(token.secret().as_bytes()))
        );
        assert_eq!(claims["htm"], "GET");
    }
}

#[test]
fn i04_an_api_request_outside_the_listed_origins_is_refused_before_anything_happens() {
    let (c, p) = dpop_signed_in();
    p.advance(10_000); // the token is stale: anything but a refusal would renew it
    let sent = p.requests.borrow().len();
    for url in [
        "https://evil.example/x",
        "https://api.example.evil/x",
        "https://api.example@evil.example/x",
        "http://api.example/x",
        "/relative",
    ] {
        let err = block_on(c.authorize_request("GET", url, None, None)).expect_err(url);
        assert_eq!(err.code(), "api_origin_not_allowed", "{url}");
    }
    assert_eq!(
        p.requests.borrow().len(),
        sent,
        "nothing was sent, not even a refresh"
    );
}

#[test]
fn k05_k06_api_proofs_are_bound_to_method_url_token_and_nonce_and_never_repeat_a_jti() {
    let (c, p) = dpop_signed_in();
    let mut jtis = std::collections::BTreeSet::new();
    for i in 0..100 {
        let nonce = (i == 50).then_some("api-nonce");
        let (token, proof) =
            block_on(c.authorize_request("PUT", &format!("{API}/v1/items/{i}?q=1#f"), nonce, None))
                .expect("authorized");
        let proof = proof.expect("a proof");
        // The provider-side checks, applied to the API's request.
        let mut op = p.op.borrow_mut();
        let checked = check_proof(
            &mut op,
            &proof,
            "PUT",
            &format!("{API}/v1/items/{i}"),
            Some(token.secret()),
            p.now.get(),
        );
        assert!(checked.is_ok(), "{checked:?}");
        let claims = payload(&proof);
        assert!(jtis.insert(claims["jti"].as_str().unwrap().to_owned()));
        if i >= 50 {
            assert_eq!(
                claims["nonce"], "api-nonce",
                "the API's nonce is kept for its origin"
            );
        } else {
            assert!(claims.get("nonce").is_none());
        }
    }
    assert_eq!(jtis.len(), 100);
}

#[test]
fn k01_logout_revokes_with_a_proof_and_drops_the_key() {
    let (c, p) = dpop_signed_in();
    block_on(c.logout()).expect("logout");
    let revocation = p
        .requests
        .borrow()
        .iter()
        .find(|r| r.url.ends_with("/revoke"))
        .cloned()
        .expect("revoked");
    assert!(header(&revocation, "DPoP").is_some());
    assert!(c.inner.dpop_key.borrow().is_none());
    // The next session gets a new key.
    p.op.borrow_mut().dpop_jwk = None;
    block_on(c.login(&LoginOptions::default())).expect("login");
    let params = callback_for(&p);
    block_on(c.handle_callback(&params, &[])).expect("callback");
    assert_eq!(p.dpop_keys_made.get(), 2);
}

#[test]
fn without_dpop_no_request_carries_a_proof() {
    let (c, p) = signed_in();
    let _ = block_on(c.access_token(true));
    let _ = block_on(c.user_info(false));
    block_on(c.logout()).expect("logout");
    assert!(
        p.requests
            .borrow()
            .iter()
            .all(|r| header(r, "DPoP").is_none())
    );
    assert_eq!(p.dpop_keys_made.get(), 0);
}

#[test]
fn k04_no_new_key_for_an_existing_session() {
    let (c, p) = dpop_signed_in();
    c.inner.dpop_key.borrow_mut().take();
    let err =
        block_on(c.authorize_request("GET", &format!("{API}/x"), None, None)).expect_err("refused");
    assert_eq!(err.code(), "login_required");
    assert!(!c.is_authenticated(), "the session ends with its key");
    assert_eq!(
        p.dpop_keys_made.get(),
        1,
        "no key was made for tokens bound to another"
    );
    let (c, p) = dpop_signed_in();
    c.inner.dpop_key.borrow_mut().take();
    let err = block_on(c.user_info(false)).expect_err("refused");
    assert_eq!(err.code(), "login_required");
    assert_eq!(p.dpop_keys_made.get(), 1);
}

#[test]
fn k04_the_key_of_the_code_exchange_stays_the_sessions_after_a_logout_meanwhile() {
    let (c, p) = dpop_client();
    block_on(c.login(&LoginOptions::default())).expect("login");
    let params = callback_for(&p);
    // A logout (another tab) while the exchange is in flight drops the key; the session that
    // the exchange then installs keeps the key its tokens are bound to.
    let outputs = join_all(vec![
        Box::pin(async { c.handle_callback(&params, &[]).await.map(drop) }),
        Box::pin(async {
            // Once the code request has left (its proof made with the key).
            while token_posts(&p).is_empty() {
                p.sleep_ms(0).await;
            }
            let _ = c.logout_url().await;
            Ok(())
        }),
    ]);
    assert!(outputs[0].is_ok(), "{:?}", outputs[0]);
    let (_, proof) =
        block_on(c.authorize_request("GET", &format!("{API}/x"), None, None)).expect("authorized");
    assert!(proof.is_some());
    assert_eq!(p.dpop_keys_made.get(), 1, "no second key");
    block_on(c.access_token(true)).expect("the refresh proves the bound key");
    assert_eq!(p.op.borrow().dpop_refused, None);
}

#[test]
fn i04_a_refused_token_is_renewed_once_however_many_calls_report_it() {
    let (c, p) = dpop_signed_in();
    let (refused, _) =
        block_on(c.authorize_request("GET", &format!("{API}/x"), None, None)).expect("authorized");
    let before = token_posts(&p).len();
    // Three calls were refused with the same token: one renewal in all.
    for _ in 0..3 {
        let (token, _) =
            block_on(c.authorize_request("GET", &format!("{API}/x"), None, Some(refused.secret())))
                .expect("authorized");
        assert_ne!(token.secret(), refused.secret());
    }
    assert_eq!(token_posts(&p).len(), before + 1);
}

#[test]
fn i04_the_providers_grant_endpoints_and_nonce_are_out_of_the_pages_reach() {
    let p = FakePlatform::new();
    let mut cfg = dpop_config();
    cfg.api_origins = vec![ISSUER.into(), API.into()];
    let c =
        Client::with_metadata(Rc::clone(&p), cfg, metadata_with_dpop(&["ES256"])).expect("client");
    block_on(c.login(&LoginOptions::default())).expect("login");
    let params = callback_for(&p);
    block_on(c.handle_callback(&params, &[])).expect("callback");
    for endpoint in [
        "/token",
        "/revoke",
        "/token?x=1",
        "/token/",
        "/%74oken",
        "/./token",
        "//token",
        "/a/../token",
        "/TOKEN",
    ] {
        let err = block_on(c.authorize_request("POST", &format!("{ISSUER}{endpoint}"), None, None))
            .expect_err(endpoint);
        assert_eq!(err.code(), "api_origin_not_allowed", "{endpoint}");
    }
    // A nonce the page reports for the provider's origin is not used for the provider's requests.
    p.op.borrow_mut().dpop_nonce = Some("op-nonce".into());
    let (_, proof) =
        block_on(c.authorize_request("GET", &format!("{ISSUER}/api/x"), Some("page-nonce"), None))
            .expect("authorized");
    assert_eq!(payload(&proof.unwrap())["nonce"], "page-nonce");
    let before = token_posts(&p).len();
    block_on(c.access_token(true)).expect("refreshed");
    let posts = token_posts(&p);
    assert_eq!(
        posts.len(),
        before + 2,
        "the provider's own nonce dance, untouched"
    );
    assert!(
        payload(header(&posts[before], "DPoP").unwrap())
            .get("nonce")
            .is_none()
    );
    assert_eq!(
        payload(header(&posts[before + 1], "DPoP").unwrap())["nonce"],
        "op-nonce"
    );
}
