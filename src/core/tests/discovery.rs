#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::support::{SerdeJson, config, from_value, json_response, metadata, metadata_json};

fn with(
    edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>),
) -> Result<ProviderMetadata, Error> {
    let mut v = metadata_json();
    if let serde_json::Value::Object(map) = &mut v {
        edit(map);
    }
    ProviderMetadata::from_json(&config(), &from_value(v))
}

#[test]
fn discovery_url_strips_one_trailing_slash() {
    assert_eq!(
        discovery_url("https://op.example.com"),
        "https://op.example.com/.well-known/openid-configuration"
    );
    assert_eq!(
        discovery_url("https://op.example.com/"),
        "https://op.example.com/.well-known/openid-configuration"
    );
    assert_eq!(
        discovery_url("https://op.example.com/t/a/"),
        "https://op.example.com/t/a/.well-known/openid-configuration"
    );
}

#[test]
fn valid_metadata_is_read() {
    let m = metadata();
    assert_eq!(m.issuer, "https://op.example.com");
    assert_eq!(m.authorization_endpoint, "https://op.example.com/authorize");
    assert_eq!(m.token_endpoint, "https://op.example.com/token");
    assert_eq!(
        m.userinfo_endpoint.as_deref(),
        Some("https://op.example.com/userinfo")
    );
    assert_eq!(m.jwks_uri.as_deref(), Some("https://op.example.com/jwks"));
    assert_eq!(
        m.end_session_endpoint.as_deref(),
        Some("https://op.example.com/logout")
    );
    assert_eq!(m.revocation_endpoint, None);
    assert!(m.iss_parameter_supported);
    assert_eq!(m.id_token_signing_algs, ["RS256", "ES256"]);
    assert_eq!(
        m.code_challenge_methods.as_deref(),
        Some(&["S256".to_owned()][..])
    );
    assert_eq!(m.scopes_supported, None);
}

#[test]
fn from_response_checks_status_and_body() {
    let body = metadata_json().to_string();
    assert!(
        ProviderMetadata::from_response(&config(), &json_response(200, &body), &SerdeJson).is_ok()
    );
    let err = ProviderMetadata::from_response(&config(), &json_response(500, &body), &SerdeJson)
        .unwrap_err();
    assert_eq!(err, InvalidResponse::HttpStatus { status: 500 }.into());
    let err = ProviderMetadata::from_response(&config(), &json_response(301, &body), &SerdeJson)
        .unwrap_err();
    assert_eq!(err, InvalidResponse::UnexpectedRedirect.into());
    let html = HttpResponse {
        status: 200,
        content_type: Some("text/html".into()),
        body: body.clone(),
        retry_after: None,
        dpop_nonce: None,
        www_authenticate: None,
    };
    let err = ProviderMetadata::from_response(&config(), &html, &SerdeJson).unwrap_err();
    assert_eq!(err, InvalidResponse::UnexpectedContentType.into());
    let err = ProviderMetadata::from_response(&config(), &json_response(200, "[]"), &SerdeJson)
        .unwrap_err();
    assert_eq!(err, InvalidResponse::NotAJsonObject.into());
    let err = ProviderMetadata::from_json(&config(), &Json::Null).unwrap_err();
    assert_eq!(err, InvalidResponse::NotAJsonObject.into());
}

#[test]
fn c05_discovery_issuer_mismatch() {
    for other in [
        "https://example.com",
        "https://op.example.com/",
        "https://OP.example.com",
        "https://op.example.com ",
    ] {
        let err = with(|m| {
            m.insert("issuer".into(), other.into());
        })
        .unwrap_err();
        assert_eq!(
            err,
            InvalidResponse::DiscoveryIssuerMismatch.into(),
            "{other:?}"
        );
    }
    let err = with(|m| {
        m.remove("issuer");
    })
    .unwrap_err();
    assert_eq!(err, Error::metadata_invalid("issuer"));
}

#[test]
fn a06_http_endpoint_rejected() {
    for field in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
        "revocation_endpoint",
    ] {
        let err = with(|m| {
            m.insert(field.into(), "http://op.example.com/x".into());
        })
        .unwrap_err();
        assert_eq!(
            err,
            InvalidResponse::InsecureEndpoint { field }.into(),
            "{field}"
        );
    }
}

#[test]
fn a06_loopback_metadata_with_dev_flag() {
    let mut c = ClientConfig::new(
        "http://127.0.0.1:4000".into(),
        "c".into(),
        "http://localhost:8080/cb".into(),
    );
    c.allow_loopback_http = true;
    let v = serde_json::json!({
        "issuer": "http://127.0.0.1:4000",
        "authorization_endpoint": "http://127.0.0.1:4000/auth",
        "token_endpoint": "http://127.0.0.1:4000/token",
        "jwks_uri": "http://127.0.0.1:4000/jwks",
    });
    assert!(ProviderMetadata::from_json(&c, &from_value(v.clone())).is_ok());
    c.allow_loopback_http = false;
    let err = ProviderMetadata::from_json(&c, &from_value(v)).unwrap_err();
    assert_eq!(err.code(), "insecure_endpoint");
}

#[test]
fn a06_insecure_issuer_rejected_even_when_it_matches() {
    let c = ClientConfig::new(
        "http://op.example.com".into(),
        "c".into(),
        "https://app.example.com/cb".into(),
    );
    let v = serde_json::json!({
        "issuer": "http://op.example.com",
        "authorization_endpoint": "https://op.example.com/auth",
        "token_endpoint": "https://op.example.com/token",
    });
    let err = ProviderMetadata::from_json(&c, &from_value(v)).unwrap_err();
    assert_eq!(
        err,
        InvalidResponse::InsecureEndpoint { field: "issuer" }.into()
    );
}

#[test]
fn required_endpoints() {
    for field in ["authorization_endpoint", "token_endpoint"] {
        let err = with(|m| {
            m.remove(field);
        })
        .unwrap_err();
        assert_eq!(err.code(), "metadata_invalid");
        assert_eq!(err.detail(), Some(field));
        let err = with(|m| {
            m.insert(field.into(), serde_json::json!(42));
        })
        .unwrap_err();
        assert_eq!(err.detail(), Some(field));
    }
}

#[test]
fn optional_fields_of_the_wrong_type() {
    let cases: [(&str, serde_json::Value); 8] = [
        ("userinfo_endpoint", serde_json::json!(1)),
        ("jwks_uri", serde_json::json!(["https://x"])),
        ("revocation_endpoint", serde_json::json!({})),
        (
            "authorization_response_iss_parameter_supported",
            serde_json::json!("true"),
        ),
        (
            "id_token_signing_alg_values_supported",
            serde_json::json!("RS256"),
        ),
        (
            "id_token_signing_alg_values_supported",
            serde_json::json!([]),
        ),
        (
            "code_challenge_methods_supported",
            serde_json::json!(["S256", 1]),
        ),
        ("scopes_supported", serde_json::json!("openid")),
    ];
    for (field, value) in cases {
        let err = with(|m| {
            m.insert(field.into(), value.clone());
        })
        .unwrap_err();
        assert_eq!(err.code(), "metadata_invalid", "{field} = {value}");
        assert_eq!(err.detail(), Some(field));
    }
    let err = with(|m| {
        m.insert(
            "response_types_supported".into(),
            serde_json::json!({"code": true}),
        );
    })
    .unwrap_err();
    assert_eq!(err.detail(), Some("response_types_supported"));
}

#[test]
fn null_optional_members_count_as_absent() {
    let m = with(|m| {
        m.insert("userinfo_endpoint".into(), serde_json::Value::Null);
        m.insert(
            "authorization_response_iss_parameter_supported".into(),
            serde_json::Value::Null,
        );
    })
    .unwrap();
    assert_eq!(m.userinfo_endpoint, None);
    assert!(!m.iss_parameter_supported);
}

#[test]
fn a02_plain_only_pkce_rejected() {
    let err = with(|m| {
        m.insert(
            "code_challenge_methods_supported".into(),
            serde_json::json!(["plain"]),
        );
    })
    .unwrap_err();
    assert_eq!(err, Unsupported::PkceS256.into());
    assert_eq!(err.code(), "pkce_s256_unsupported");
    let err = with(|m| {
        m.insert(
            "code_challenge_methods_supported".into(),
            serde_json::json!([]),
        );
    })
    .unwrap_err();
    assert_eq!(err, Unsupported::PkceS256.into());
    assert!(
        with(|m| {
            m.insert(
                "code_challenge_methods_supported".into(),
                serde_json::json!(["plain", "S256"]),
            );
        })
        .is_ok()
    );
}

#[test]
fn a02_pkce_methods_absent_is_fine() {
    let m = with(|m| {
        m.remove("code_challenge_methods_supported");
    })
    .unwrap();
    assert_eq!(m.code_challenge_methods, None);
}

#[test]
fn response_type_code_required_when_advertised() {
    let err = with(|m| {
        m.insert(
            "response_types_supported".into(),
            serde_json::json!(["id_token", "code id_token"]),
        );
    })
    .unwrap_err();
    assert_eq!(err, Unsupported::ResponseTypeCode.into());
    assert!(
        with(|m| {
            m.remove("response_types_supported");
        })
        .is_ok()
    );
}

#[test]
fn defaults_for_absent_optional_members() {
    let m = with(|m| {
        m.remove("authorization_response_iss_parameter_supported");
        m.remove("id_token_signing_alg_values_supported");
    })
    .unwrap();
    assert!(!m.iss_parameter_supported);
    assert_eq!(m.id_token_signing_algs, ["RS256"]);
}

#[test]
fn unknown_members_ignored_and_cache_round_trip() {
    let m = with(|m| {
        m.insert(
            "registration_endpoint".into(),
            "http://ignored.example.com".into(),
        );
        m.insert(
            "revocation_endpoint".into(),
            "https://op.example.com/revoke".into(),
        );
        m.insert(
            "scopes_supported".into(),
            serde_json::json!(["openid", "profile"]),
        );
        m.insert("x_vendor".into(), serde_json::json!({"deep": [1, 2, 3]}));
    })
    .unwrap();
    let json = m.to_json();
    assert_eq!(ProviderMetadata::from_json(&config(), &json), Ok(m.clone()));
    let text = json.to_json_string();
    assert_eq!(
        ProviderMetadata::from_json(&config(), &SerdeJson.parse(&text).unwrap()),
        Ok(m)
    );
    let minimal = with(|m| {
        m.retain(|k, _| {
            matches!(
                k.as_str(),
                "issuer" | "authorization_endpoint" | "token_endpoint" | "jwks_uri"
            )
        });
    })
    .unwrap();
    assert_eq!(
        ProviderMetadata::from_json(&config(), &minimal.to_json()),
        Ok(minimal)
    );
}

#[test]
fn c08_jwks_uri_is_required_for_openid_and_checked_like_an_endpoint() {
    let err = with(|m| {
        m.remove("jwks_uri");
    })
    .unwrap_err();
    assert_eq!(err, Error::metadata_invalid("jwks_uri"));
    let err = with(|m| {
        m.insert("jwks_uri".into(), "http://op.example.com/jwks".into());
    })
    .unwrap_err();
    assert_eq!(err.code(), "insecure_endpoint");
    assert_eq!(err.detail(), Some("jwks_uri"));
    // Plain OAuth 2.0 (no `openid` scope) has no ID token and needs no keys.
    let mut c = config();
    c.scope = "api".into();
    let mut v = metadata_json();
    v.as_object_mut().unwrap().remove("jwks_uri");
    let m = ProviderMetadata::from_json(&c, &from_value(v)).unwrap();
    assert_eq!(m.jwks_uri, None);
    assert_eq!(
        metadata().jwks_uri.as_deref(),
        Some("https://op.example.com/jwks")
    );
}

#[test]
fn a08_pushed_authorization_members_are_read_checked_and_cached() {
    let m = with(|m| {
        m.remove("pushed_authorization_request_endpoint");
    })
    .unwrap();
    assert_eq!(m.pushed_authorization_request_endpoint, None);
    assert!(!m.require_pushed_authorization_requests);
    let m = with(|m| {
        m.insert(
            "pushed_authorization_request_endpoint".into(),
            "https://op.example.com/par".into(),
        );
        m.insert("require_pushed_authorization_requests".into(), true.into());
    })
    .unwrap();
    assert_eq!(
        m.pushed_authorization_request_endpoint.as_deref(),
        Some("https://op.example.com/par")
    );
    assert!(m.require_pushed_authorization_requests);
    let text = m.to_json().to_json_string();
    assert_eq!(
        ProviderMetadata::from_json(&config(), &SerdeJson.parse(&text).unwrap()),
        Ok(m)
    );
    let endpoint = |v: serde_json::Value| {
        with(|m| {
            m.insert("pushed_authorization_request_endpoint".into(), v);
        })
    };
    assert_eq!(
        endpoint("http://op.example.com/par".into()).unwrap_err(),
        Error::InvalidResponse(InvalidResponse::InsecureEndpoint {
            field: "pushed_authorization_request_endpoint"
        })
    );
    assert_eq!(
        endpoint(serde_json::json!(7)).unwrap_err(),
        Error::metadata_invalid("pushed_authorization_request_endpoint")
    );
    assert_eq!(
        endpoint(serde_json::Value::Null)
            .unwrap()
            .pushed_authorization_request_endpoint,
        None
    );
    let required = |v: serde_json::Value| {
        with(|m| {
            m.insert("require_pushed_authorization_requests".into(), v);
        })
    };
    assert_eq!(
        required("true".into()).unwrap_err(),
        Error::metadata_invalid("require_pushed_authorization_requests")
    );
    assert!(
        !required(serde_json::Value::Null)
            .unwrap()
            .require_pushed_authorization_requests
    );
}

#[test]
fn k01_dpop_algs_are_read_and_a_malformed_list_only_means_no_dpop() {
    let m = with(|m| {
        m.insert(
            "dpop_signing_alg_values_supported".into(),
            serde_json::json!(["ES256", "EdDSA"]),
        );
    })
    .expect("metadata");
    assert_eq!(
        m.dpop_signing_algs.as_deref(),
        Some(&["ES256".to_owned(), "EdDSA".to_owned()][..])
    );
    // Round trip through the cached form.
    let again = ProviderMetadata::from_json(&config(), &m.to_json()).expect("cached");
    assert_eq!(again.dpop_signing_algs, m.dpop_signing_algs);
    for bad in [
        serde_json::json!("ES256"),
        serde_json::json!([1, 2]),
        serde_json::json!({}),
    ] {
        let m = with(|m| {
            m.insert("dpop_signing_alg_values_supported".into(), bad.clone());
        })
        .expect("discovery still succeeds");
        assert_eq!(m.dpop_signing_algs, None, "{bad}");
    }
}
