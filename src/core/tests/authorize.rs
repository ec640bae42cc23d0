#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::LoginOptions;
use crate::core::support::{Fixed, NOW, SerdeJson, config, metadata, random};

/// Decoded query pairs of a URL (test-only decoder for form encoding).
fn query_pairs(url: &str) -> Vec<(String, String)> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn request() -> AuthorizationRequest {
    authorization_request(
        &config(),
        &metadata(),
        &random(0),
        &LoginOptions::return_to("/after?x=1"),
        NOW,
    )
    .unwrap()
}

#[test]
fn a01_a04_authorization_url_parameters_in_order() {
    let mut c = config();
    c.scope = "openid profile".into();
    c.max_age = Some(300);
    c.extra_auth_params = vec![("prompt".into(), "consent".into())];
    let req =
        authorization_request(&c, &metadata(), &random(0), &LoginOptions::default(), NOW).unwrap();
    assert!(
        req.url.starts_with(
            "https://op.example.com/authorize?response_type=code&client_id=spa-client&"
        )
    );
    let pairs = query_pairs(&req.url);
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method",
            "max_age",
            "prompt"
        ]
    );
    let get = |n: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(get("redirect_uri"), "https://app.example.com/callback");
    assert_eq!(get("scope"), "openid profile");
    assert_eq!(get("state"), req.pending.state.secret());
    assert_eq!(get("nonce"), req.pending.nonce.secret());
    assert_eq!(get("code_challenge"), s256_challenge(&req.pending.verifier));
    assert_eq!(get("code_challenge").len(), 43);
    assert_eq!(get("code_challenge_method"), "S256");
    assert_eq!(get("max_age"), "300");
    assert_eq!(get("prompt"), "consent");
    assert!(
        !req.url.contains(req.pending.verifier.secret()),
        "verifier must never be in the URL"
    );
}

#[test]
fn a04_nonce_sent_even_without_openid_and_no_max_age_by_default() {
    let mut c = config();
    c.scope = "api.read".into();
    let req =
        authorization_request(&c, &metadata(), &random(0), &LoginOptions::default(), NOW).unwrap();
    let pairs = query_pairs(&req.url);
    assert!(pairs.iter().any(|(k, _)| k == "nonce"));
    assert!(!pairs.iter().any(|(k, _)| k == "max_age"));
}

#[test]
fn pending_login_records_the_transaction() {
    let req = request();
    let p = &req.pending;
    assert_eq!(p.issuer, "https://op.example.com");
    assert_eq!(p.client_id, "spa-client");
    assert_eq!(p.redirect_uri, "https://app.example.com/callback");
    assert_eq!(p.return_to.as_deref(), Some("/after?x=1"));
    assert_eq!(p.created_at, NOW);
    assert_eq!(p.max_age, None);
    assert_eq!(p.state.secret(), random_value(&random(0).state));
    let debug = format!("{req:?}");
    for secret in [p.state.secret(), p.nonce.secret(), p.verifier.secret()] {
        assert!(!debug.contains(secret), "Debug leaks a secret");
    }
}

#[test]
fn a03_random_values_distinct() {
    let a = authorization_request(
        &config(),
        &metadata(),
        &random(0),
        &LoginOptions::default(),
        NOW,
    )
    .unwrap()
    .pending;
    let b = authorization_request(
        &config(),
        &metadata(),
        &random(10),
        &LoginOptions::default(),
        NOW,
    )
    .unwrap()
    .pending;
    assert_ne!(a.state.secret(), a.nonce.secret());
    assert_ne!(a.state.secret(), a.verifier.secret());
    assert_ne!(a.state, b.state);
    assert_ne!(a.nonce, b.nonce);
    assert_ne!(a.verifier, b.verifier);
    assert_eq!(a.state.secret().len(), 43);
}

#[test]
fn a03_broken_rng_refused() {
    let mut r = random(0);
    r.nonce = r.state;
    let err = authorization_request(&config(), &metadata(), &r, &LoginOptions::default(), NOW)
        .unwrap_err();
    assert_eq!(err, Error::Platform(Platform::CryptoUnavailable));
    let mut r = random(0);
    r.verifier = r.nonce;
    assert_eq!(
        authorization_request(&config(), &metadata(), &r, &LoginOptions::default(), NOW)
            .unwrap_err()
            .code(),
        "crypto_unavailable"
    );
    let mut r = random(0);
    r.verifier = r.state;
    assert!(
        authorization_request(&config(), &metadata(), &r, &LoginOptions::default(), NOW).is_err()
    );
    let mut r = random(0);
    r.state = [0; 32];
    assert_eq!(
        authorization_request(&config(), &metadata(), &r, &LoginOptions::default(), NOW)
            .unwrap_err()
            .code(),
        "crypto_unavailable"
    );
    assert_eq!(format!("{r:?}"), "LoginRandom([redacted])");
}

#[test]
fn invalid_config_or_foreign_metadata_refused() {
    let mut c = config();
    c.redirect_uri = "http://evil.example.com/cb".into();
    assert_eq!(
        authorization_request(&c, &metadata(), &random(0), &LoginOptions::default(), NOW)
            .unwrap_err()
            .code(),
        "invalid_config"
    );
    let mut c = config();
    c.issuer = "https://other.example.com".into();
    let err = authorization_request(&c, &metadata(), &random(0), &LoginOptions::default(), NOW)
        .unwrap_err();
    assert_eq!(err, InvalidResponse::DiscoveryIssuerMismatch.into());
}

#[test]
fn return_to_same_origin_path_only() {
    for good in ["/", "/account", "/a/b?c=d#e", "/é", "/%2F%2Fevil.com"] {
        assert_eq!(check_return_to(good), Ok(()), "{good}");
    }
    let too_long = format!("/{}", "a".repeat(MAX_RETURN_TO_LEN));
    for bad in [
        "",
        "account",
        "//evil.com",
        "/\\evil.com",
        "/a\\b",
        "https://evil.com",
        "javascript:alert(1)",
        "/\t/evil.com",
        "/\n/evil.com",
        "/a\u{0}",
        "/a\u{85}",
        " /a",
        &too_long,
    ] {
        assert_eq!(
            check_return_to(bad),
            Err(Error::Misuse(Misuse::InvalidReturnTo)),
            "{bad:?}"
        );
    }
    assert_eq!(check_return_to(&too_long[..MAX_RETURN_TO_LEN]), Ok(()));
    let err = authorization_request(
        &config(),
        &metadata(),
        &random(0),
        &LoginOptions::return_to("//evil.com"),
        NOW,
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid_return_to");
}

#[test]
fn b16_expired_transaction() {
    let p = request().pending;
    assert!(!p.is_expired(NOW, 600));
    assert!(!p.is_expired(NOW + 600, 600));
    assert!(p.is_expired(NOW + 601, 600));
    assert!(p.is_expired(NOW + 660, 600));
    assert!(!p.is_expired(NOW - 600, 600));
    assert!(
        p.is_expired(NOW - 601, 600),
        "a record from the far future is not trusted"
    );
    assert!(p.is_expired(u64::MAX, 600));
    assert!(p.is_expired(0, 600));
}

#[test]
fn a07_storage_round_trip_without_tokens() {
    let mut c = config();
    c.max_age = Some(120);
    let p = authorization_request(
        &c,
        &metadata(),
        &random(3),
        &LoginOptions::return_to("/x"),
        NOW,
    )
    .unwrap()
    .pending;
    let s = p.to_storage_string();
    assert!(s.starts_with("{\"v\":1,"));
    assert!(!s.contains("token"));
    let back = PendingLogin::from_storage_string(&s, &SerdeJson).unwrap();
    assert_eq!(back, p);
    let q = request().pending;
    let mut q2 = q.clone();
    q2.return_to = None;
    assert_eq!(
        PendingLogin::from_storage_string(&q2.to_storage_string(), &SerdeJson),
        Ok(q2)
    );
}

#[test]
fn corrupt_storage_is_no_pending_login() {
    let good = request().pending.to_storage_string();
    let no = Err(Error::Misuse(Misuse::NoPendingLogin));
    let edits: Vec<String> = vec![
        String::new(),
        "null".into(),
        "[]".into(),
        "{".into(),
        good.replace("\"v\":1", "\"v\":2"),
        good.replace("\"v\":1,", ""),
        good.replace("\"state\":", "\"s\":"),
        good.replace("\"issuer\":\"https://op.example.com\"", "\"issuer\":\"\""),
        good.replace("\"created_at\":1700000000", "\"created_at\":\"1700000000\""),
        good.replace("\"created_at\":1700000000", "\"created_at\":1.5"),
        good.replace(
            "\"return_to\":\"/after?x=1\"",
            "\"return_to\":\"//evil.com\"",
        ),
        good.replace("\"return_to\":\"/after?x=1\"", "\"return_to\":7"),
        good.replace("\"max_age\":null", "\"max_age\":-1"),
        good.replace("\"verifier\":\"", "\"verifier\":\"+"),
        format!("{good:<20000}"),
    ];
    for s in &edits {
        assert_eq!(PendingLogin::from_storage_string(s, &SerdeJson), no, "{s}");
    }
    // A record with a repeated member is refused rather than resolved.
    let parsed = SerdeJson.parse(&good).unwrap();
    let mut members = parsed.as_object().unwrap().to_vec();
    members.push(("state".into(), Json::String("other".into())));
    assert_eq!(
        PendingLogin::from_storage_string("x", &Fixed(Json::Object(members))),
        no
    );
}

fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn typed() -> LoginOptions {
    LoginOptions::return_to("/r")
        .with_prompt("login")
        .with_login_hint("alice@example.com")
        .with_max_age(90)
        .with_ui_locales("fr-CA en")
        .with_acr_values(["urn:acr:gold", "urn:acr:silver"], false)
}

#[test]
fn typed_options_are_sent_after_the_protocol_parameters() {
    let req = authorization_request(&config(), &metadata(), &random(0), &typed(), NOW).unwrap();
    let pairs = query_pairs(&req.url);
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names[8..],
        [
            "max_age",
            "prompt",
            "login_hint",
            "ui_locales",
            "acr_values"
        ]
    );
    assert_eq!(get(&pairs, "max_age"), Some("90"));
    assert_eq!(get(&pairs, "prompt"), Some("login"));
    assert_eq!(get(&pairs, "login_hint"), Some("alice@example.com"));
    assert_eq!(get(&pairs, "ui_locales"), Some("fr-CA en"));
    assert_eq!(
        get(&pairs, "acr_values"),
        Some("urn:acr:gold urn:acr:silver")
    );
    assert_eq!(
        get(&pairs, "claims"),
        None,
        "a voluntary acr needs no claims"
    );
    let p = &req.pending;
    assert_eq!(p.max_age, Some(90));
    assert_eq!(p.acr_values, ["urn:acr:gold", "urn:acr:silver"]);
    assert!(!p.acr_essential);
    assert_eq!(p.return_to.as_deref(), Some("/r"));
    // The pushed form is exactly the query the URL got.
    assert_eq!(
        req.url,
        format!("https://op.example.com/authorize?{}", req.params)
    );
}

#[test]
fn e24_an_essential_acr_adds_the_claims_parameter_and_is_recorded() {
    let options = typed().with_acr_values(["urn:acr:gold"], true);
    let req = authorization_request(&config(), &metadata(), &random(0), &options, NOW).unwrap();
    let pairs = query_pairs(&req.url);
    assert_eq!(get(&pairs, "acr_values"), Some("urn:acr:gold"));
    assert_eq!(
        get(&pairs, "claims"),
        Some(r#"{"id_token":{"acr":{"essential":true,"values":["urn:acr:gold"]}}}"#)
    );
    assert!(req.pending.acr_essential);
    assert_eq!(req.pending.acr_values, ["urn:acr:gold"]);
}

#[test]
fn a_typed_option_wins_over_an_extra_parameter_of_the_same_name() {
    let mut c = config();
    c.extra_auth_params = vec![
        ("prompt".into(), "consent".into()),
        ("audience".into(), "https://api.example.com".into()),
        ("login_hint".into(), "bob".into()),
        ("claims".into(), "{}".into()),
        ("ui_locales".into(), "de".into()),
        ("acr_values".into(), "x".into()),
    ];
    let options = typed().with_acr_values(["urn:acr:gold"], true);
    let req = authorization_request(&c, &metadata(), &random(0), &options, NOW).unwrap();
    let pairs = query_pairs(&req.url);
    for name in [
        "prompt",
        "login_hint",
        "claims",
        "ui_locales",
        "acr_values",
        "max_age",
        "audience",
    ] {
        let count = pairs.iter().filter(|(k, _)| k == name).count();
        assert_eq!(count, 1, "{name} sent once");
    }
    assert_eq!(get(&pairs, "prompt"), Some("login"));
    assert_eq!(get(&pairs, "login_hint"), Some("alice@example.com"));
    assert_eq!(get(&pairs, "ui_locales"), Some("fr-CA en"));
    assert_eq!(get(&pairs, "acr_values"), Some("urn:acr:gold"));
    assert_ne!(get(&pairs, "claims"), Some("{}"));
    // Extra parameters no typed option names still go, last.
    assert_eq!(pairs.last().map(|(k, _)| k.as_str()), Some("audience"));
    // Without typed options, the extra parameters stand.
    let req =
        authorization_request(&c, &metadata(), &random(0), &LoginOptions::default(), NOW).unwrap();
    let pairs = query_pairs(&req.url);
    assert_eq!(get(&pairs, "prompt"), Some("consent"));
    assert_eq!(get(&pairs, "login_hint"), Some("bob"));
}

#[test]
fn e22_per_login_max_age_combines_with_the_configured_one_to_the_smaller() {
    for (configured, asked, expected) in [
        (None, Some(30), Some(30)),
        (Some(300), Some(30), Some(30)),
        (Some(30), Some(300), Some(30)),
        (Some(30), None, Some(30)),
        (None, None, None),
        (Some(30), Some(0), Some(0)),
    ] {
        let mut c = config();
        c.max_age = configured;
        let options = LoginOptions {
            max_age: asked,
            ..LoginOptions::default()
        };
        let req = authorization_request(&c, &metadata(), &random(0), &options, NOW).unwrap();
        let sent = get(&query_pairs(&req.url), "max_age").map(str::to_owned);
        assert_eq!(sent, expected.map(|m: u64| m.to_string()));
        assert_eq!(req.pending.max_age, expected, "{configured:?} {asked:?}");
    }
}

#[test]
fn a_bad_login_option_is_invalid_config_naming_it() {
    let bad = LoginOptions::default().with_prompt("none login");
    let err = authorization_request(&config(), &metadata(), &random(0), &bad, NOW).unwrap_err();
    assert_eq!(
        (err.code(), err.detail()),
        ("invalid_config", Some("prompt"))
    );
    let bad = LoginOptions::default().with_acr_values(Vec::<String>::new(), true);
    let err = authorization_request(&config(), &metadata(), &random(0), &bad, NOW).unwrap_err();
    assert_eq!(err.detail(), Some("acrEssential"));
}

#[test]
fn g12_silent_request_sends_prompt_none_alone_and_no_other_typed_option() {
    let mut c = config();
    c.extra_auth_params = vec![("prompt".into(), "consent".into())];
    let req = silent_authorization_request(&c, &metadata(), &random(0), &typed(), NOW).unwrap();
    let pairs = query_pairs(&req.url);
    assert_eq!(pairs.iter().filter(|(k, _)| k == "prompt").count(), 1);
    assert_eq!(get(&pairs, "prompt"), Some("none"));
    for name in ["login_hint", "ui_locales", "acr_values", "max_age"] {
        assert_eq!(get(&pairs, name), None, "{name}");
    }
    assert!(req.pending.silent);
    assert_eq!(req.pending.return_to.as_deref(), Some("/r"));
}

#[test]
fn e24_asked_acr_round_trips_through_storage() {
    let options = typed().with_acr_values(["urn:acr:gold", "phr"], true);
    let p = authorization_request(&config(), &metadata(), &random(0), &options, NOW)
        .unwrap()
        .pending;
    let s = p.to_storage_string();
    assert!(s.contains(r#""acr":["urn:acr:gold","phr"],"acr_essential":true"#));
    assert_eq!(PendingLogin::from_storage_string(&s, &SerdeJson), Ok(p));
    // A record of the earlier format, without the acr members, asked for none.
    let old = request()
        .pending
        .to_storage_string()
        .replace(r#","acr":[],"acr_essential":false"#, "");
    let back = PendingLogin::from_storage_string(&old, &SerdeJson).unwrap();
    assert!(back.acr_values.is_empty() && !back.acr_essential);
}

#[test]
fn e24_hostile_acr_members_of_a_record_are_no_pending_login() {
    let options = typed().with_acr_values(["urn:acr:gold"], true);
    let good = authorization_request(&config(), &metadata(), &random(0), &options, NOW)
        .unwrap()
        .pending
        .to_storage_string();
    let asked = r#""acr":["urn:acr:gold"],"acr_essential":true"#;
    assert!(good.contains(asked));
    let many: Vec<String> = (0..17).map(|i| format!("\"v{i}\"")).collect();
    let edits = [
        r#""acr":"urn:acr:gold","acr_essential":true"#.to_owned(),
        r#""acr":null,"acr_essential":true"#.to_owned(),
        r#""acr":[7],"acr_essential":true"#.to_owned(),
        r#""acr":["two words"],"acr_essential":true"#.to_owned(),
        r#""acr":[""],"acr_essential":false"#.to_owned(),
        r#""acr":["a","a"],"acr_essential":false"#.to_owned(),
        format!(r#""acr":["{}"],"acr_essential":true"#, "a".repeat(257)),
        format!(r#""acr":[{}],"acr_essential":false"#, many.join(",")),
        r#""acr":[],"acr_essential":true"#.to_owned(),
        r#""acr":["urn:acr:gold"],"acr_essential":"yes""#.to_owned(),
        r#""acr":["urn:acr:gold"],"acr_essential":1"#.to_owned(),
    ];
    for edit in &edits {
        let s = good.replace(asked, edit);
        assert_eq!(
            PendingLogin::from_storage_string(&s, &SerdeJson),
            Err(Error::Misuse(Misuse::NoPendingLogin)),
            "{s}"
        );
    }
}

#[test]
fn a01_a_digest_computed_elsewhere_gives_the_same_request() {
    use sha2::Digest as _;
    let r = random(7);
    let verifier = CodeVerifier::from_random(&r.verifier);
    let digest: [u8; 32] = sha2::Sha256::digest(verifier.secret().as_bytes()).into();
    let options = LoginOptions::return_to("/x");
    let plain = authorization_request(&config(), &metadata(), &r, &options, NOW).unwrap();
    let with =
        authorization_request_with_digest(&config(), &metadata(), &r, &digest, &options, NOW)
            .unwrap();
    assert_eq!(plain.url, with.url);
    assert_eq!(plain.params, with.params);
    let silent = silent_authorization_request(&config(), &metadata(), &r, &options, NOW).unwrap();
    let silent_with = silent_authorization_request_with_digest(
        &config(),
        &metadata(),
        &r,
        &digest,
        &options,
        NOW,
    )
    .unwrap();
    assert_eq!(silent.url, silent_with.url);
    assert!(silent_with.pending.silent);
    // Another digest is another challenge: the caller's digest is what is sent.
    let other =
        authorization_request_with_digest(&config(), &metadata(), &r, &[9; 32], &options, NOW)
            .unwrap();
    assert_ne!(plain.url, other.url);
}
