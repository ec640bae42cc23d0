//! Shared test helpers: a `serde_json` parser and fixtures.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::core::authorize::{LoginRandom, PendingLogin, authorization_request};
use crate::core::config::ClientConfig;
use crate::core::discovery::ProviderMetadata;
use crate::core::http::HttpResponse;
use crate::core::json::{Json, JsonParser};
use crate::core::login_options::LoginOptions;

pub(crate) const ISSUER: &str = "https://op.example.com";
pub(crate) const CLIENT_ID: &str = "spa-client";
pub(crate) const REDIRECT_URI: &str = "https://app.example.com/callback";
pub(crate) const NOW: u64 = 1_700_000_000;

/// `JsonParser` backed by `serde_json::Value` (duplicate names collapse, last wins).
pub(crate) struct SerdeJson;

pub(crate) fn from_value(v: serde_json::Value) -> Json {
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

/// A parser that always returns the given value (to feed shapes serde_json cannot produce,
/// such as objects with repeated names).
pub(crate) struct Fixed(pub Json);

impl JsonParser for Fixed {
    fn parse(&self, _text: &str) -> Option<Json> {
        Some(self.0.clone())
    }
}

pub(crate) fn parse(text: &str) -> Json {
    SerdeJson.parse(text).expect("test JSON")
}

pub(crate) fn config() -> ClientConfig {
    ClientConfig::new(ISSUER.into(), CLIENT_ID.into(), REDIRECT_URI.into())
}

pub(crate) fn metadata_json() -> serde_json::Value {
    serde_json::json!({
        "issuer": ISSUER,
        "authorization_endpoint": "https://op.example.com/authorize",
        "token_endpoint": "https://op.example.com/token",
        "userinfo_endpoint": "https://op.example.com/userinfo",
        "jwks_uri": "https://op.example.com/jwks",
        "end_session_endpoint": "https://op.example.com/logout",
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "authorization_response_iss_parameter_supported": true
    })
}

pub(crate) fn metadata() -> ProviderMetadata {
    ProviderMetadata::from_json(&config(), &from_value(metadata_json())).expect("fixture metadata")
}

pub(crate) fn json_response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        content_type: Some("application/json; charset=utf-8".to_owned()),
        body: body.to_owned(),
        retry_after: None,
        dpop_nonce: None,
        www_authenticate: None,
    }
}

pub(crate) fn random(seed: u8) -> LoginRandom {
    LoginRandom {
        state: [seed.wrapping_add(1); 32],
        nonce: [seed.wrapping_add(2); 32],
        verifier: [seed.wrapping_add(3); 32],
    }
}

pub(crate) fn pending() -> PendingLogin {
    authorization_request(
        &config(),
        &metadata(),
        &random(0),
        &LoginOptions::return_to("/home"),
        NOW,
    )
    .expect("fixture login")
    .pending
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact JWS with the given header and payload JSON and a dummy signature.
pub(crate) fn jws(header: &serde_json::Value, payload: &serde_json::Value) -> String {
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes()),
        b64(b"sig")
    )
}
