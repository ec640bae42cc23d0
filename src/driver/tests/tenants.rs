//! Multi-tenant issuer mode against the simulated provider: the login record must name the
//! configured issuer, and a callback's `iss` and the ID token must name the same tenant.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::rc::Rc;

use super::test_support::*;

use crate::core::{ClientConfig, Json, ProviderMetadata, Tenants};
use crate::driver::{Client, LoginOptions};

const TENANT_A: &str = "8a1b2c3d-0000-4000-8000-00000000e1d0";
const TENANT_B: &str = "0f0f0f0f-1111-4222-8333-444444444444";

fn common() -> String {
    format!("{ISSUER}/common/v2.0")
}

fn tenant_issuer(tid: &str) -> String {
    format!("{ISSUER}/{tid}/v2.0")
}

/// A client of the `common` issuer in multi-tenant mode (any tenant), the provider's discovery
/// naming the `{tenantid}` template.
fn tenant_client() -> (Client<Rc<FakePlatform>>, Rc<FakePlatform>) {
    let mut cfg: ClientConfig = config();
    cfg.issuer = common();
    cfg.allowed_tenants = Some(Tenants::Any);
    let mut doc = metadata().to_json();
    if let Json::Object(members) = &mut doc {
        for (name, value) in members.iter_mut() {
            if name == "issuer" {
                *value = Json::String(format!("{ISSUER}/{{tenantid}}/v2.0"));
            }
        }
    }
    let m = ProviderMetadata::from_json(&cfg, &doc).expect("template metadata");
    let p = FakePlatform::new();
    let c = Client::with_metadata(Rc::clone(&p), cfg, m).expect("client");
    (c, p)
}

/// The callback of the last login with `iss` as its RFC 9207 issuer, the provider's ID token
/// naming tenant `token_tid`.
fn callback(
    c: &Client<Rc<FakePlatform>>,
    p: &FakePlatform,
    iss: &str,
    token_tid: &str,
) -> Result<(), String> {
    p.op.borrow_mut().claims_over = Some(serde_json::json!({
        "iss": tenant_issuer(token_tid),
        "tid": token_tid,
    }));
    let mut params = callback_for(p);
    for (name, value) in &mut params {
        if name == "iss" {
            *value = iss.to_owned();
        }
    }
    block_on(c.handle_callback(&params, &[]))
        .map(drop)
        .map_err(|e| format!("{}/{}", e.code(), e.detail().unwrap_or_default()))
}

#[test]
fn c04_the_callback_iss_and_the_id_token_name_one_tenant() {
    let (c, p) = tenant_client();
    block_on(c.login(&LoginOptions::default())).unwrap();
    assert_eq!(callback(&c, &p, &tenant_issuer(TENANT_A), TENANT_A), Ok(()));
    assert!(c.is_authenticated());

    // Both tenants are allowed, but the response came from A's issuer and the ID token is B's.
    let (c, p) = tenant_client();
    block_on(c.login(&LoginOptions::default())).unwrap();
    assert_eq!(
        callback(&c, &p, &tenant_issuer(TENANT_A), TENANT_B),
        Err("id_token_invalid/iss".to_owned())
    );
    assert!(!c.is_authenticated());
}

#[test]
fn c05_a_record_naming_a_tenant_issuer_is_issuer_mismatch_and_sends_nothing() {
    let (c, p) = tenant_client();
    block_on(c.login(&LoginOptions::default())).unwrap();
    {
        let mut storage = p.storage.borrow_mut();
        let value = storage.values_mut().next().unwrap();
        let mut json: serde_json::Value = serde_json::from_str(value).unwrap();
        json["issuer"] = serde_json::Value::String(tenant_issuer(TENANT_A));
        *value = json.to_string();
    }
    p.requests.borrow_mut().clear();
    let err = callback(&c, &p, &tenant_issuer(TENANT_A), TENANT_A).unwrap_err();
    assert_eq!(err, "issuer_mismatch/");
    assert!(p.requests.borrow().is_empty(), "no token request");
}

#[test]
fn c05_metadata_of_another_issuer_is_refused_when_the_client_is_made() {
    let mut cfg: ClientConfig = config();
    cfg.issuer = "https://elsewhere.example".into();
    let err = Client::with_metadata(FakePlatform::new(), cfg, metadata())
        .err()
        .expect("refused");
    assert_eq!(err.code(), "discovery_issuer_mismatch");
}
