//! Property tests for the protocol core: no parser panics on arbitrary input, and the JSON
//! serializer round-trips through an independent parser (serde_json).
//!
//! They double as the fuzzing of the URL/callback, JSON, JWT, JWKS and discovery parsers: the case
//! count is proptest's default (256) inside `make test`, and `make fuzz` runs them with
//! `PROPTEST_CASES` in the hundreds of thousands. A failing case is saved by proptest in
//! `tests/core_props.proptest-regressions` and re-run first from then on; crashes found that way
//! also get a named regression test in the unit tests of the module concerned.
#![cfg(not(target_arch = "wasm32"))]

use oxidc::core::endpoint::check_config_url;
use oxidc::core::{
    CallbackParams, ClientConfig, HttpResponse, IdTokenExpectations, Json, JsonParser, JwkSet, Jws,
    LoginOptions, LoginRandom, Nonce, PendingLogin, ProviderMetadata, TokenResponse,
    authorization_request, check_endpoint, check_return_to, form_urlencode, validate_id_token,
    validate_refreshed_id_token,
};
use proptest::prelude::*;

const ISSUER: &str = "https://op.example.com";
const CLIENT_ID: &str = "spa-client";
const NOW: u64 = 1_700_000_000;

struct SerdeJson;

fn from_value(v: serde_json::Value) -> Json {
    match v {
        serde_json::Value::Null => Json::Null,
        serde_json::Value::Bool(b) => Json::Bool(b),
        serde_json::Value::Number(n) => Json::Number(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Json::String(s),
        serde_json::Value::Array(a) => Json::Array(a.into_iter().map(from_value).collect()),
        serde_json::Value::Object(o) => {
            Json::Object(o.into_iter().map(|(k, v)| (k, from_value(v))).collect())
        }
    }
}

impl JsonParser for SerdeJson {
    fn parse(&self, text: &str) -> Option<Json> {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .map(from_value)
    }
}

/// A parser that returns a fixed value, to feed shapes serde_json cannot produce.
struct Fixed(Json);

impl JsonParser for Fixed {
    fn parse(&self, _: &str) -> Option<Json> {
        Some(self.0.clone())
    }
}

const HEADER: &str = "{\"alg\":\"RS256\"}";

/// Parses the fixed header with serde_json and returns `payload` for anything else.
struct HeaderThen {
    payload: Json,
}

impl JsonParser for HeaderThen {
    fn parse(&self, text: &str) -> Option<Json> {
        if text == HEADER {
            SerdeJson.parse(text)
        } else {
            Some(self.payload.clone())
        }
    }
}

fn config() -> ClientConfig {
    ClientConfig::new(
        ISSUER.into(),
        CLIENT_ID.into(),
        "https://app.example.com/cb".into(),
    )
}

fn metadata() -> ProviderMetadata {
    let v = serde_json::json!({
        "issuer": ISSUER,
        "authorization_endpoint": "https://op.example.com/authorize",
        "token_endpoint": "https://op.example.com/token",
        "jwks_uri": "https://op.example.com/jwks",
        "authorization_response_iss_parameter_supported": true
    });
    ProviderMetadata::from_json(&config(), &from_value(v)).expect("fixture")
}

fn pending() -> PendingLogin {
    let random = LoginRandom {
        state: [1; 32],
        nonce: [2; 32],
        verifier: [3; 32],
    };
    authorization_request(
        &config(),
        &metadata(),
        &random,
        &LoginOptions::default(),
        NOW,
    )
    .expect("fixture")
    .pending
}

/// Arbitrary JSON, including repeated object names and non-finite numbers.
fn any_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<f64>().prop_map(Json::Number),
        (-10_000_000_000i64..10_000_000_000).prop_map(|n| Json::Number(n as f64)),
        (NOW - 1000..NOW + 1000).prop_map(|n| Json::Number(n as f64)),
        ".{0,12}".prop_map(Json::String),
        prop_oneof![
            Just("RS256"),
            Just("none"),
            Just(ISSUER),
            Just(CLIENT_ID),
            Just("S256"),
            Just("code")
        ]
        .prop_map(|s| Json::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::vec((key(), inner), 0..8).prop_map(Json::Object),
        ]
    })
}

/// A JWS `alg`: mostly ones the core knows, sometimes arbitrary.
fn jws_alg() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
            "EdDSA", "HS256", "none",
        ])
        .prop_map(str::to_owned),
        "[A-Za-z0-9]{0,6}",
    ]
}

/// A usable public key (RSA 2048/4096, EC P-256/384/521, Ed25519) with an optional `kid`, `alg`
/// and `use`, and whether one member was then mutated: dropped, replaced by arbitrary JSON, or
/// its base64 shortened or lengthened.
fn near_valid_key() -> impl Strategy<Value = (Json, bool)> {
    let base = prop_oneof![
        prop::sample::select(vec![2048usize, 4096]).prop_map(|bits| {
            let mut n = vec![0xA5u8; bits / 8];
            n[0] = 0xC1;
            vec![
                ("kty", "RSA".to_owned()),
                ("n", b64(&n)),
                ("e", "AQAB".to_owned()),
            ]
        }),
        prop::sample::select(vec![("P-256", 32usize), ("P-384", 48), ("P-521", 66)]).prop_map(
            |(crv, len)| {
                vec![
                    ("kty", "EC".to_owned()),
                    ("crv", crv.to_owned()),
                    ("x", b64(&vec![1; len])),
                    ("y", b64(&vec![2; len])),
                ]
            }
        ),
        Just(vec![
            ("kty", "OKP".to_owned()),
            ("crv", "Ed25519".to_owned()),
            ("x", b64(&[3; 32]))
        ]),
    ];
    let extras = (
        proptest::option::of(prop::sample::select(vec!["k0", "k1", "k2"])),
        proptest::option::of(jws_alg()),
        proptest::option::of(prop::sample::select(vec!["sig", "enc"])),
    );
    let mutation = proptest::option::of((0usize..8, 0u8..3, any_json(), 0usize..8));
    (base, extras, mutation).prop_map(|(base, (kid, alg, use_), mutation)| {
        let mut members: Vec<(String, Json)> = base
            .into_iter()
            .map(|(k, v)| (k.to_owned(), Json::String(v)))
            .collect();
        if let Some(kid) = kid {
            members.push(("kid".into(), Json::String(kid.into())));
        }
        // An `alg` or `use: enc` may make a key unusable, so they count as changes.
        let mut changed = false;
        if let Some(alg) = alg {
            members.push(("alg".into(), Json::String(alg)));
            changed = true;
        }
        if let Some(use_) = use_ {
            members.push(("use".into(), Json::String(use_.into())));
            changed |= use_ != "sig";
        }
        if let Some((at, how, value, cut)) = mutation {
            let at = at % members.len();
            match how {
                0 => drop(members.remove(at)),
                1 => members[at].1 = value,
                _ => {
                    if let Json::String(s) = &mut members[at].1 {
                        if cut % 2 == 0 {
                            s.truncate(s.len().saturating_sub(cut + 1));
                        } else {
                            s.push_str(&"A".repeat(cut));
                        }
                    }
                }
            }
            changed = true;
        }
        (Json::Object(members), changed)
    })
}

/// Member names: mostly ones the core reads, sometimes arbitrary.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "iss",
            "sub",
            "aud",
            "azp",
            "exp",
            "iat",
            "nbf",
            "nonce",
            "auth_time",
            "at_hash",
            "alg",
            "kid",
            "typ",
            "crit",
            "access_token",
            "token_type",
            "expires_in",
            "refresh_token",
            "scope",
            "id_token",
            "error",
            "error_description",
            "issuer",
            "authorization_endpoint",
            "token_endpoint",
            "jwks_uri",
            "keys",
            "kty",
            "use",
            "crv",
            "n",
            "e",
            "x",
            "y",
            "code_challenge_methods_supported",
            "response_types_supported",
            "v",
            "state",
            "verifier",
            "created_at",
            "return_to",
            "max_age",
        ])
        .prop_map(str::to_owned),
        ".{0,6}",
    ]
}

/// JSON that serde_json reproduces exactly: finite numbers with short exact decimal forms.
fn exact_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        (-(1i64 << 40)..(1i64 << 40)).prop_map(|n| Json::Number(n as f64 / 4.0)),
        any::<String>().prop_map(Json::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::vec((any::<String>(), inner), 0..6).prop_map(Json::Object),
        ]
    })
}

/// Last-wins, key-sorted objects: the semantics serde_json's map gives repeated names.
fn normalize(j: &Json) -> Json {
    match j {
        Json::Array(a) => Json::Array(a.iter().map(normalize).collect()),
        Json::Object(members) => {
            let mut map = std::collections::BTreeMap::new();
            for (k, v) in members {
                map.insert(k.clone(), normalize(v));
            }
            Json::Object(map.into_iter().collect())
        }
        Json::Number(n) if !n.is_finite() => Json::Null,
        other => other.clone(),
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn pair_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "code",
            "state",
            "iss",
            "error",
            "error_description",
            "error_uri",
            "session_state",
            "access_token",
            "id_token",
            "token_type",
            "expires_in",
            "refresh_token",
        ])
        .prop_map(str::to_owned),
        ".{0,8}",
    ]
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (pair_name(), prop_oneof![".{0,16}", Just(ISSUER.to_owned())]),
        0..8,
    )
}

proptest! {
    #[test]
    fn callback_pairs_never_panic(query in pairs(), fragment in pairs(), now in any::<u64>(), ttl in any::<u64>()) {
        if let Ok(params) = CallbackParams::from_pairs(&query, &fragment) {
            let _ = params.state();
            let _ = format!("{params:?}");
            let _ = params.validate(&pending(), &metadata(), ttl, now);
        }
    }

    #[test]
    fn token_response_never_panics_on_text(status in any::<u16>(), ct in proptest::option::of(".{0,40}"), body in ".{0,200}") {
        let resp = HttpResponse { status, content_type: ct, body, retry_after: None, dpop_nonce: None, www_authenticate: None };
        if let Err(e) = TokenResponse::from_response(&resp, &SerdeJson) {
            let _ = (e.to_string(), e.code(), e.detail(), e.hint());
        }
    }

    #[test]
    fn token_response_never_panics_on_json(status in prop_oneof![Just(200u16), Just(400), any::<u16>()], json in any_json()) {
        let resp = HttpResponse { status, content_type: Some("application/json".into()), body: String::new(), retry_after: None, dpop_nonce: None, www_authenticate: None };
        if let Ok(t) = TokenResponse::from_response(&resp, &Fixed(json)) {
            let _ = t.require_id_token();
        }
    }

    #[test]
    fn discovery_never_panics(json in any_json(), body in ".{0,100}", status in any::<u16>()) {
        let _ = ProviderMetadata::from_json(&config(), &json);
        let resp = HttpResponse { status, content_type: Some("application/json".into()), body, retry_after: None, dpop_nonce: None, www_authenticate: None };
        let _ = ProviderMetadata::from_response(&config(), &resp, &SerdeJson);
    }

    #[test]
    fn e18_jwks_never_panics(keys in prop::collection::vec(near_valid_key(), 0..6), junk in prop::collection::vec(any_json(), 0..3),
                             json in any_json(), body in ".{0,100}", status in any::<u16>(), alg in jws_alg(),
                             kid in proptest::option::of(prop::sample::select(vec!["k0", "k1", "k2", ""]))) {
        let intact = keys.iter().filter(|(_, mutated)| !mutated).count();
        let members = keys.into_iter().map(|(k, _)| k).chain(junk).collect();
        let set = JwkSet::from_json(&Json::Object(vec![("keys".into(), Json::Array(members))]));
        let set = set.expect("a keys array is a key set");
        // The generator makes usable keys: every key left intact is kept.
        prop_assert!(set.keys.len() >= intact, "{} kept of {} intact", set.keys.len(), intact);
        let _ = set.select(&alg, kid);
        for k in &set.keys {
            let _ = (k.public_jwk(), k.signature_len(), k.can_verify(&alg));
        }
        let _ = JwkSet::from_json(&json);
        let resp = HttpResponse { status, content_type: Some("application/json".into()), body, retry_after: None, dpop_nonce: None, www_authenticate: None };
        let _ = JwkSet::from_response(&resp, &SerdeJson);
    }

    #[test]
    fn jwt_parse_never_panics_on_text(s in "[A-Za-z0-9_\\-.=+/ ]{0,120}", t in ".{0,60}") {
        let _ = Jws::parse(&s, &SerdeJson);
        let _ = Jws::parse(&t, &SerdeJson);
    }

    #[test]
    fn jwt_and_id_token_never_panic(header in any_json(), payload in any_json(), sig in prop::collection::vec(any::<u8>(), 0..8),
                                    now in any::<u64>(), leeway in any::<u64>(), max_age in proptest::option::of(any::<u64>())) {
        let compact = format!("{}.{}.{}", b64(header.to_json_string().as_bytes()), b64(payload.to_json_string().as_bytes()), b64(&sig));
        let _ = Jws::parse(&compact, &Fixed(payload.clone()));
        if let Ok(jws) = Jws::parse(&compact, &SerdeJson) {
            let nonce = Nonce::new("n".into());
            let algs = vec!["RS256".to_owned(), "none".to_owned()];
            let expect = IdTokenExpectations {
                issuer: ISSUER, tenants: None, client_id: CLIENT_ID, nonce: Some(&nonce), max_age, essential_acr: None, allowed_algs: &algs,
                leeway_secs: leeway, max_iat_age_secs: leeway, access_token_digest: Some(&sig),
            };
            if let Ok(claims) = validate_id_token(&jws, &expect, now) {
                let _ = validate_refreshed_id_token(&claims, &jws, &claims, &jws);
            }
        }
    }

    #[test]
    fn id_token_claims_never_panic(members in prop::collection::vec((key(), any_json()), 0..12), now in any::<u64>()) {
        let payload = normalize(&Json::Object(members));
        let parser = HeaderThen { payload };
        let compact = format!("{}.{}.", b64(HEADER.as_bytes()), b64(b"{}"));
        let jws = Jws::parse(&compact, &parser).expect("fixture header");
        let algs = vec!["RS256".to_owned()];
        let expect = IdTokenExpectations {
            issuer: ISSUER, tenants: None, client_id: CLIENT_ID, nonce: None, max_age: Some(60), essential_acr: None, allowed_algs: &algs,
            leeway_secs: 60, max_iat_age_secs: 600, access_token_digest: None,
        };
        let _ = validate_id_token(&jws, &expect, now);
    }

    #[test]
    fn pending_login_storage_never_panics(s in ".{0,200}", json in any_json()) {
        let _ = PendingLogin::from_storage_string(&s, &SerdeJson);
        let _ = PendingLogin::from_storage_string("", &Fixed(json));
    }

    #[test]
    fn pending_login_storage_round_trips(state in any::<[u8; 32]>(), created_at in 0u64..(1 << 53), return_to in "/([a-z0-9?=&][a-z0-9/?=&]{0,30})?") {
        let random = LoginRandom { state, nonce: [2; 32], verifier: [3; 32] };
        prop_assume!(state != [2; 32] && state != [3; 32] && state != [0; 32]);
        let p = authorization_request(&config(), &metadata(), &random, &LoginOptions::return_to(return_to), created_at).expect("valid").pending;
        prop_assert_eq!(PendingLogin::from_storage_string(&p.to_storage_string(), &SerdeJson), Ok(p));
    }

    #[test]
    fn json_serializer_round_trips_through_serde_json(json in exact_json()) {
        let text = json.to_json_string();
        let parsed = SerdeJson.parse(&text);
        prop_assert_eq!(parsed.as_ref().map(normalize), Some(normalize(&json)), "{}", text);
    }

    #[test]
    fn json_serializer_output_always_parses(json in any_json()) {
        let text = json.to_json_string();
        prop_assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok(), "{}", text);
    }
}

/// URL-like strings: a scheme prefix (in any case, or a near miss), an authority with the characters
/// that confuse URL parsers, then a path, query and fragment of the same mix.
fn url_like() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![
        2 => prop::sample::select(vec!["https://", "http://"]),
        1 => prop::sample::select(vec![
            "HTTPS://", "HtTp://", "https:/", "https:\\\\", "https:", "//", "javascript:", "data:", "",
            " https://", "https://\u{0}",
        ]),
    ];
    let host = prop_oneof![
        2 => prop::sample::select(vec!["op.example.com", "127.0.0.1", "[::1]", "localhost", "op.example.com:443"]),
        1 => prop::sample::select(vec![
            "localhost.evil.com", "127.0.0.1.nip.io", "user@op.example.com", "op.example.com@evil.com", "[::1",
            "", "0x7f.1", "LOCALHOST", "xn--80ak6aa92e.com", "оp.example.com", "localhost:99999",
        ]),
    ];
    // Mostly printable ASCII (so the later checks are reached), sometimes anything.
    let tail = prop_oneof![
        3 => "[/?][/?#@:\\\\a-z0-9%.]{0,24}",
        1 => "[/?#@:\\\\a-z0-9%.]{0,24}",
        1 => "[/?#@:\\\\a-z0-9%. \t\u{7f}é]{0,24}",
    ];
    (scheme, host, tail).prop_map(|(s, h, t)| format!("{s}{h}{t}"))
}

/// A genuine compact JWT and random edits of it: (position, replacement) pairs and a cut.
fn jwt_edits() -> impl Strategy<Value = (Vec<(usize, char)>, usize)> {
    (
        prop::collection::vec(
            (
                any::<usize>(),
                prop::sample::select(vec!['.', '=', '+', '/', 'A', '_', '-', '\u{0}', 'é', ' ']),
            ),
            0..4,
        ),
        any::<usize>(),
    )
}

proptest! {
    #[test]
    fn endpoint_rule_never_panics_and_only_passes_plain_https(url in url_like(), loopback in any::<bool>()) {
        let strict = check_endpoint(&url, false, "token_endpoint");
        let loose = check_endpoint(&url, loopback, "token_endpoint");
        prop_assert_eq!(check_config_url(&url, loopback, "issuer").is_ok(), loose.is_ok());
        if strict.is_ok() {
            // Plain https, ASCII, no fragment, backslash or userinfo.
            prop_assert!(url.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("https://")), "{}", url);
            prop_assert!(url.bytes().all(|b| b.is_ascii_graphic()), "{}", url);
            prop_assert!(!url.contains('#') && !url.contains('\\'), "{}", url);
            let authority = url[8..].split(['/', '?']).next().unwrap_or("");
            prop_assert!(!authority.contains('@') && !authority.is_empty(), "{}", url);
            // Allowing loopback http never refuses an https URL.
            prop_assert!(loose.is_ok());
        }
        if loose.is_ok() && strict.is_err() {
            prop_assert!(url.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("http://")), "{}", url);
            let host = url[7..].split(['/', '?']).next().unwrap_or("");
            let host = host.rsplit_once(':').filter(|(h, p)| !h.ends_with(':') && p.bytes().all(|b| b.is_ascii_digit())).map_or(host, |(h, _)| h);
            prop_assert!(["127.0.0.1", "[::1]", "localhost"].contains(&host.to_ascii_lowercase().as_str()), "{}", url);
        }
    }

    #[test]
    fn return_to_is_a_same_origin_path(
        head in prop::sample::select(vec!["/", "//", "/\\", "\\", "", "https:", "/%2F", "/\t"]),
        tail in "[/\\\\a-z.:@?#%\t]{0,12}",
    ) {
        let path = format!("{head}{tail}");
        if check_return_to(&path).is_ok() {
            prop_assert!(path.starts_with('/') && !path.starts_with("//") && !path.contains('\\'), "{}", path);
            prop_assert!(!path.chars().any(char::is_control));
        }
    }

    #[test]
    fn form_urlencode_output_is_plain_and_decodes_back(pairs in prop::collection::vec((".{0,12}", ".{0,12}"), 0..5)) {
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let out = form_urlencode(&borrowed);
        prop_assert!(out.bytes().all(|b| b.is_ascii_alphanumeric() || b"*-._+%&=".contains(&b)), "{}", out);
        let decode = |s: &str| -> String {
            let bytes = s.as_bytes();
            let mut v = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                match bytes[i] {
                    b'+' => v.push(b' '),
                    b'%' => {
                        v.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("hex"));
                        i += 2;
                    }
                    b => v.push(b),
                }
                i += 1;
            }
            String::from_utf8(v).expect("utf8")
        };
        let back: Vec<(String, String)> = if out.is_empty() {
            Vec::new()
        } else {
            out.split('&').map(|p| {
                let (k, v) = p.split_once('=').expect("name=value");
                (decode(k), decode(v))
            }).collect()
        };
        prop_assert_eq!(back, pairs);
    }

    #[test]
    fn callback_accepts_only_one_matching_state_and_the_issuer(extra in pairs(), dup in any::<bool>(), iss in prop_oneof![Just(ISSUER.to_owned()), ".{0,12}"]) {
        let p = pending();
        let state = p.state.secret().to_owned();
        let mut query = vec![("code".to_owned(), "c0de".to_owned()), ("state".to_owned(), state.clone()), ("iss".to_owned(), iss.clone())];
        if dup {
            query.push(("state".to_owned(), state.clone()));
        }
        query.extend(extra);
        if let Ok(params) = CallbackParams::from_pairs(&query, &[]) {
            if params.validate(&p, &metadata(), 600, NOW).is_ok() {
                let count = |n: &str| query.iter().filter(|(k, _)| k == n).count();
                prop_assert_eq!(count("state"), 1);
                prop_assert_eq!(count("iss"), 1);
                prop_assert!(query.iter().any(|(k, v)| k == "iss" && v == ISSUER));
                prop_assert!(query.iter().all(|(k, _)| !["access_token", "id_token", "error"].contains(&k.as_str())));
            }
        }
    }

    #[test]
    fn jwt_edits_never_panic(edits in jwt_edits()) {
        let payload = format!(r#"{{"iss":"{ISSUER}","sub":"alice","aud":"{CLIENT_ID}","exp":{},"iat":{},"nonce":"n"}}"#, NOW + 600, NOW);
        let mut chars: Vec<char> = format!("{}.{}.{}", b64(HEADER.as_bytes()), b64(payload.as_bytes()), b64(&[7; 256])).chars().collect();
        for (pos, c) in &edits.0 {
            let at = pos % (chars.len() + 1);
            if pos % 2 == 0 && at < chars.len() {
                chars[at] = *c;
            } else {
                chars.insert(at, *c);
            }
        }
        chars.truncate(chars.len() - edits.1 % 3);
        let edited: String = chars.into_iter().collect();
        if let Ok(jws) = Jws::parse(&edited, &SerdeJson) {
            let nonce = Nonce::new("n".into());
            let algs = vec!["RS256".to_owned()];
            let expect = IdTokenExpectations {
                issuer: ISSUER, tenants: None, client_id: CLIENT_ID, nonce: Some(&nonce), max_age: None, essential_acr: None, allowed_algs: &algs,
                leeway_secs: 60, max_iat_age_secs: 600, access_token_digest: None,
            };
            // The claims may still pass (an edit of `sub` or of the signature part); the
            // signature is checked afterwards, by WebCrypto. What matters here: no panic.
            if let Err(e) = validate_id_token(&jws, &expect, NOW) {
                let _ = (e.to_string(), e.code(), e.detail());
            }
        }
    }
}
