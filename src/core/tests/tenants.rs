//! Multi-tenant issuer mode (Microsoft Entra ID `common`/`organizations`): the discovery `issuer`
//! template, the RFC 9207 `iss` of the callback and the ID token's `tid`, each refused without the
//! option and accepted with it.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::core::support::{CLIENT_ID, NOW, REDIRECT_URI, SerdeJson, from_value, jws, random};
use crate::core::{
    CallbackParams, ClientConfig, Error, IdTokenExpectations, IdTokenProblem, InvalidResponse, Jws,
    LoginOptions, ProviderMetadata, Tenants, authorization_request, validate_id_token,
};

const COMMON: &str = "https://login.example.com/common/v2.0";
const TEMPLATE: &str = "https://login.example.com/{tenantid}/v2.0";
const TENANT: &str = "8a1b2c3d-0000-4000-8000-00000000e1d0";
const OTHER: &str = "0f0f0f0f-1111-4222-8333-444444444444";

fn config(tenants: Option<Tenants>) -> ClientConfig {
    let mut c = ClientConfig::new(COMMON.into(), CLIENT_ID.into(), REDIRECT_URI.into());
    c.allowed_tenants = tenants;
    c
}

fn listed() -> Option<Tenants> {
    Some(Tenants::List(vec![TENANT.into()]))
}

fn discovery(issuer: &str) -> crate::core::Json {
    from_value(serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": "https://login.example.com/common/oauth2/v2.0/authorize",
        "token_endpoint": "https://login.example.com/common/oauth2/v2.0/token",
        "jwks_uri": "https://login.example.com/common/discovery/v2.0/keys",
        "response_types_supported": ["code", "id_token"],
    }))
}

fn metadata(tenants: Option<Tenants>) -> ProviderMetadata {
    ProviderMetadata::from_json(&config(tenants), &discovery(TEMPLATE)).expect("metadata")
}

#[test]
fn entra_template_issuer_refused_without_allowed_tenants() {
    let err = ProviderMetadata::from_json(&config(None), &discovery(TEMPLATE)).unwrap_err();
    assert_eq!(err, InvalidResponse::DiscoveryIssuerMismatch.into());
}

#[test]
fn entra_template_issuer_accepted_with_allowed_tenants() {
    for tenants in [listed(), Some(Tenants::Any)] {
        let m = ProviderMetadata::from_json(&config(tenants), &discovery(TEMPLATE)).unwrap();
        assert_eq!(m.issuer, TEMPLATE);
    }
}

#[test]
fn template_must_replace_exactly_one_path_segment() {
    for issuer in [
        "https://{tenantid}/common/v2.0",
        "https://login.example.com/{tenantid}/{tenantid}/v2.0",
        "https://login.example.com/{tenantid}v2.0",
        "https://login.example.com/x{tenantid}/v2.0",
        "https://login.example.com/{tenantid}/v3.0",
        "https://other.example.com/{tenantid}/v2.0",
        "https://login.example.com/{tenantid}",
    ] {
        let err = ProviderMetadata::from_json(&config(Some(Tenants::Any)), &discovery(issuer));
        assert_eq!(
            err.unwrap_err(),
            InvalidResponse::DiscoveryIssuerMismatch.into(),
            "{issuer}"
        );
    }
}

#[test]
fn login_starts_with_the_template_metadata() {
    let req = authorization_request(
        &config(listed()),
        &metadata(listed()),
        &random(1),
        &LoginOptions::default(),
        NOW,
    )
    .expect("request");
    assert_eq!(req.pending.issuer, COMMON);
    assert!(
        req.url
            .starts_with("https://login.example.com/common/oauth2/v2.0/authorize?")
    );
}

fn callback(iss: Option<&str>, tenants: Option<Tenants>) -> Result<(), Error> {
    let m = metadata(listed());
    let pending = authorization_request(
        &config(listed()),
        &m,
        &random(2),
        &LoginOptions::default(),
        NOW,
    )
    .unwrap()
    .pending;
    let mut pairs = vec![
        ("code".to_owned(), "c0de".to_owned()),
        ("state".to_owned(), pending.state.secret().to_owned()),
    ];
    if let Some(iss) = iss {
        pairs.push(("iss".to_owned(), iss.to_owned()));
    }
    let params = CallbackParams::from_pairs(&pairs, &[])?;
    params
        .validate_with_tenants(&pending, &m, tenants.as_ref(), 600, NOW)
        .map(|_| ())
}

#[test]
fn c04_callback_iss_of_an_allowed_tenant_accepted_only_in_tenant_mode() {
    let tenant_iss = TEMPLATE.replace("{tenantid}", TENANT);
    assert_eq!(callback(Some(&tenant_iss), listed()), Ok(()));
    assert_eq!(callback(Some(COMMON), listed()), Ok(()));
    assert_eq!(
        callback(None, listed()),
        Ok(()),
        "not advertised: may be absent"
    );
    let refused: Error = InvalidResponse::IssuerMismatch.into();
    assert_eq!(callback(Some(&tenant_iss), None), Err(refused.clone()));
    let other = TEMPLATE.replace("{tenantid}", OTHER);
    assert_eq!(callback(Some(&other), listed()), Err(refused.clone()));
    assert_eq!(callback(Some(TEMPLATE), listed()), Err(refused.clone()));
    let smuggled = "https://login.example.com/a/b/v2.0";
    assert_eq!(
        callback(Some(smuggled), Some(Tenants::Any)),
        Err(refused.clone())
    );
    assert_eq!(callback(Some(&other), Some(Tenants::Any)), Ok(()));
}

fn id_token(claims: serde_json::Value, tenants: Option<&Tenants>) -> Result<(), Error> {
    let jws = Jws::parse(
        &jws(&serde_json::json!({"alg": "RS256", "kid": "k"}), &claims),
        &SerdeJson,
    )
    .unwrap();
    let algs = vec!["RS256".to_owned()];
    let expect = IdTokenExpectations {
        issuer: TEMPLATE,
        tenants,
        client_id: CLIENT_ID,
        nonce: None,
        max_age: None,
        essential_acr: None,
        allowed_algs: &algs,
        leeway_secs: 60,
        max_iat_age_secs: 600,
        access_token_digest: None,
    };
    validate_id_token(&jws, &expect, NOW).map(|_| ())
}

fn claims(tid: &str, iss_tenant: &str) -> serde_json::Value {
    serde_json::json!({
        "iss": TEMPLATE.replace("{tenantid}", iss_tenant), "tid": tid, "sub": "u",
        "aud": CLIENT_ID, "exp": NOW + 300, "iat": NOW - 5,
    })
}

#[test]
fn e07_id_token_iss_must_be_the_template_with_its_own_tid() {
    let list = Tenants::List(vec![TENANT.into()]);
    assert_eq!(id_token(claims(TENANT, TENANT), Some(&list)), Ok(()));
    assert_eq!(id_token(claims(OTHER, OTHER), Some(&Tenants::Any)), Ok(()));
    let iss = Err(Error::id_token(IdTokenProblem::Iss));
    assert_eq!(id_token(claims(TENANT, OTHER), Some(&Tenants::Any)), iss);
    // Without tenant mode the template itself is the expected issuer: a tenant's token is refused.
    assert_eq!(id_token(claims(TENANT, TENANT), None), iss);
}

#[test]
fn id_token_tid_not_allowed_missing_or_malformed_is_refused() {
    let list = Tenants::List(vec![TENANT.into()]);
    let tid = Err(Error::id_token(IdTokenProblem::Tid));
    assert_eq!(id_token(claims(OTHER, OTHER), Some(&list)), tid);
    let mut missing = claims(TENANT, TENANT);
    missing.as_object_mut().unwrap().remove("tid");
    assert_eq!(id_token(missing, Some(&Tenants::Any)), tid);
    for bad in ["a/b", "", "..", "x?y", &"a".repeat(65)] {
        assert_eq!(
            id_token(claims(bad, bad), Some(&Tenants::Any)),
            tid,
            "{bad}"
        );
    }
    let mut number = claims(TENANT, TENANT);
    number["tid"] = serde_json::json!(7);
    assert_eq!(id_token(number, Some(&Tenants::Any)), tid);
}

#[test]
fn allowed_tenants_option_is_validated() {
    let code = |t: Tenants| {
        config(Some(t))
            .validate()
            .map_err(|e| e.detail().map(str::to_owned))
    };
    assert!(code(Tenants::Any).is_ok());
    assert!(code(Tenants::List(vec![TENANT.into(), "contoso.example".into()])).is_ok());
    for bad in [vec![], vec!["".to_owned()], vec!["a/b".to_owned()]] {
        assert_eq!(
            code(Tenants::List(bad)),
            Err(Some("allowedTenants".to_owned()))
        );
    }
}

#[test]
fn listed_tenant_ids_match_whatever_their_ascii_case() {
    let upper = Tenants::List(vec![TENANT.to_ascii_uppercase()]);
    assert!(upper.allows(TENANT));
    assert!(!upper.allows(OTHER));
}
