#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

fn server(origin: ErrorOrigin, error: &str, description: Option<&str>) -> Error {
    Error::Server(OAuthError {
        error: error.to_owned(),
        error_description: description.map(str::to_owned),
        error_uri: None,
        status: if origin == ErrorOrigin::Redirect {
            None
        } else {
            Some(400)
        },
        origin,
    })
}

fn every_error() -> Vec<(Error, &'static str)> {
    use IdTokenProblem as P;
    use InvalidResponse as R;
    let ir = |r: R| Error::InvalidResponse(r);
    vec![
        (
            server(ErrorOrigin::Redirect, "access_denied", None),
            "authorization_error",
        ),
        (
            server(ErrorOrigin::TokenEndpoint, "invalid_grant", None),
            "token_error",
        ),
        (
            server(ErrorOrigin::Other, "invalid_token", None),
            "token_error",
        ),
        (
            server(
                ErrorOrigin::TokenEndpoint,
                "invalid_request",
                Some("client_secret is missing."),
            ),
            "confidential_client_required",
        ),
        (
            server(
                ErrorOrigin::TokenEndpoint,
                "invalid_request",
                Some(
                    "AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.",
                ),
            ),
            "spa_registration_required",
        ),
        (ir(R::StateMissing), "state_missing"),
        (ir(R::StateMismatch), "state_mismatch"),
        (
            ir(R::DuplicateParameter {
                name: "code".into(),
            }),
            "duplicate_parameter",
        ),
        (
            ir(R::UnexpectedParameter {
                name: "access_token".into(),
            }),
            "unexpected_parameter",
        ),
        (ir(R::AmbiguousResponse), "ambiguous_response"),
        (ir(R::IssuerMissing), "issuer_missing"),
        (ir(R::IssuerMismatch), "issuer_mismatch"),
        (ir(R::MissingCode), "missing_code"),
        (ir(R::DiscoveryIssuerMismatch), "discovery_issuer_mismatch"),
        (
            ir(R::InsecureEndpoint {
                field: "token_endpoint",
            }),
            "insecure_endpoint",
        ),
        (
            ir(R::MetadataInvalid { field: "jwks_uri" }),
            "metadata_invalid",
        ),
        (ir(R::HttpStatus { status: 503 }), "http_status"),
        (ir(R::UnexpectedContentType), "unexpected_content_type"),
        (ir(R::BodyTooLarge), "body_too_large"),
        (ir(R::JsonParse), "json_parse"),
        (ir(R::NotAJsonObject), "not_a_json_object"),
        (ir(R::UnexpectedRedirect), "unexpected_redirect"),
        (
            ir(R::InvalidTokenResponse {
                field: "access_token",
            }),
            "invalid_token_response",
        ),
        (ir(R::UnsupportedTokenType), "unsupported_token_type"),
        (ir(R::UserInfoSubMismatch), "userinfo_sub_mismatch"),
        (ir(R::RevocationIncomplete), "revocation_incomplete"),
        (ir(R::LogoutStateMismatch), "logout_state_mismatch"),
        (
            server(ErrorOrigin::PushedAuthorization, "invalid_request", None),
            "par_error",
        ),
        (
            ir(R::InvalidParResponse {
                field: "request_uri",
            }),
            "invalid_par_response",
        ),
        (Error::id_token(P::Malformed), "id_token_invalid"),
        (Error::id_token(P::Alg), "id_token_invalid"),
        (Error::id_token(P::Signature), "id_token_invalid"),
        (Error::id_token(P::KeySelection), "id_token_invalid"),
        (Error::id_token(P::KeyFetch), "id_token_invalid"),
        (Error::id_token(P::Iss), "id_token_invalid"),
        (Error::id_token(P::Aud), "id_token_invalid"),
        (Error::id_token(P::Azp), "id_token_invalid"),
        (Error::id_token(P::Exp), "id_token_invalid"),
        (Error::id_token(P::Nbf), "id_token_invalid"),
        (Error::id_token(P::Iat), "id_token_invalid"),
        (Error::id_token(P::Nonce), "id_token_invalid"),
        (Error::id_token(P::Sub), "id_token_invalid"),
        (Error::id_token(P::AuthTime), "id_token_invalid"),
        (Error::id_token(P::Acr), "id_token_invalid"),
        (Error::id_token(P::AtHash), "id_token_invalid"),
        (Error::id_token(P::Typ), "id_token_invalid"),
        (Error::id_token(P::Crit), "id_token_invalid"),
        (
            Error::id_token(P::RefreshMismatch("sub")),
            "id_token_invalid",
        ),
        (
            Error::Unsupported(Unsupported::PkceS256),
            "pkce_s256_unsupported",
        ),
        (
            Error::Unsupported(Unsupported::ResponseTypeCode),
            "response_type_unsupported",
        ),
        (
            Error::Unsupported(Unsupported::Userinfo),
            "userinfo_unsupported",
        ),
        (
            Error::Unsupported(Unsupported::Revocation),
            "revocation_unsupported",
        ),
        (
            Error::Unsupported(Unsupported::PushedAuthorization),
            "par_unsupported",
        ),
        (Error::Misuse(Misuse::NoPendingLogin), "no_pending_login"),
        (Error::Misuse(Misuse::TransactionExpired), "login_expired"),
        (Error::invalid_config("scope", "bad"), "invalid_config"),
        (Error::Misuse(Misuse::InvalidReturnTo), "invalid_return_to"),
        (Error::Misuse(Misuse::DuplicateIssuer), "duplicate_issuer"),
        (Error::Misuse(Misuse::NotInBrowser), "not_in_browser"),
        (Error::Transport(Transport::Network), "network"),
        (Error::Transport(Transport::Timeout), "timeout"),
        (Error::Transport(Transport::Offline), "offline"),
        (Error::Transport(Transport::Cors), "cors"),
        (
            Error::Platform(Platform::StorageUnavailable),
            "storage_unavailable",
        ),
        (
            Error::Platform(Platform::CryptoUnavailable),
            "crypto_unavailable",
        ),
        (
            Error::Platform(Platform::Other { what: "locks" }),
            "platform",
        ),
        (
            Error::login_required(LoginRequiredReason::NoSession),
            "login_required",
        ),
        (
            Error::login_required(LoginRequiredReason::RefreshRejected),
            "login_required",
        ),
        (
            Error::login_required(LoginRequiredReason::Expired),
            "login_required",
        ),
        (
            Error::login_required(LoginRequiredReason::LoggedOut),
            "login_required",
        ),
        (
            Error::login_required(LoginRequiredReason::OtherTab),
            "login_required",
        ),
    ]
}

#[test]
fn codes_are_the_stable_contract_strings() {
    for (error, code) in every_error() {
        assert_eq!(error.code(), code, "{error:?}");
    }
}

#[test]
fn every_error_has_a_sentence_and_a_hint() {
    for (error, _) in every_error() {
        let text = error.to_string();
        assert!(!text.is_empty() && !text.contains('\n'), "{error:?}");
        let hint = error.hint();
        assert!(hint.len() > 20 && hint.ends_with('.'), "{error:?}: {hint}");
    }
}

#[test]
fn hints_are_distinct_for_distinct_codes() {
    let errors = every_error();
    for (a, code_a) in &errors {
        for (b, code_b) in &errors {
            if code_a != code_b && !matches!(code_a, &"token_error" | &"authorization_error") {
                assert_ne!(a.hint(), b.hint(), "{code_a} vs {code_b}");
            }
        }
    }
}

#[test]
fn detail_gives_the_sub_reason() {
    assert_eq!(
        Error::id_token(IdTokenProblem::Nonce).detail(),
        Some("nonce")
    );
    assert_eq!(
        Error::id_token(IdTokenProblem::AuthTime).detail(),
        Some("auth_time")
    );
    assert_eq!(Error::id_token(IdTokenProblem::Acr).detail(), Some("acr"));
    assert_eq!(
        Error::InvalidResponse(InvalidResponse::InvalidParResponse {
            field: "expires_in"
        })
        .detail(),
        Some("expires_in")
    );
    assert_eq!(
        Error::id_token(IdTokenProblem::RefreshMismatch("sub")).detail(),
        Some("refresh_mismatch:sub")
    );
    assert_eq!(
        Error::id_token(IdTokenProblem::RefreshMismatch("auth_time")).detail(),
        Some("refresh_mismatch:auth_time")
    );
    let dup = Error::InvalidResponse(InvalidResponse::DuplicateParameter {
        name: "state".into(),
    });
    assert_eq!(dup.detail(), Some("state"));
    assert_eq!(
        Error::invalid_token_response("scope").detail(),
        Some("scope")
    );
    assert_eq!(
        Error::invalid_config("clientId", "x").detail(),
        Some("clientId")
    );
    assert_eq!(
        Error::login_required(LoginRequiredReason::OtherTab).detail(),
        Some("other_tab")
    );
    assert_eq!(
        server(ErrorOrigin::TokenEndpoint, "invalid_grant", None).detail(),
        Some("invalid_grant")
    );
    assert_eq!(
        Error::InvalidResponse(InvalidResponse::StateMismatch).detail(),
        None
    );
    assert_eq!(Error::Transport(Transport::Timeout).detail(), None);
}

#[test]
fn oauth_accessor() {
    let e = server(ErrorOrigin::TokenEndpoint, "invalid_grant", Some("expired"));
    assert_eq!(e.oauth().map(|o| o.error.as_str()), Some("invalid_grant"));
    assert!(Error::Misuse(Misuse::NoPendingLogin).oauth().is_none());
}

#[test]
fn b10_display_never_includes_the_description() {
    let e = server(
        ErrorOrigin::Redirect,
        "access_denied",
        Some("<img src=x onerror=alert(1)>"),
    );
    let text = e.to_string();
    assert!(text.contains("access_denied"));
    assert!(!text.contains("img") && !text.contains('<'));
    assert!(!format!("{e}").contains("onerror"));
}

#[test]
fn malformed_error_codes_are_not_echoed() {
    let e = server(ErrorOrigin::Redirect, "x\"<script>\n", None);
    assert!(!e.to_string().contains("script"));
    assert!(e.to_string().contains("malformed error code"));
    let long = "a".repeat(65);
    assert!(
        !server(ErrorOrigin::Redirect, &long, None)
            .to_string()
            .contains(&long)
    );
    assert!(
        server(ErrorOrigin::Redirect, &long[..64], None)
            .to_string()
            .contains(&long[..64])
    );
}

#[test]
fn display_names_the_non_secret_detail() {
    let e = Error::InvalidResponse(InvalidResponse::UnexpectedParameter {
        name: "access_token".into(),
    });
    assert!(e.to_string().contains("access_token"));
    assert!(
        Error::InvalidResponse(InvalidResponse::HttpStatus { status: 503 })
            .to_string()
            .contains("503")
    );
    assert!(
        Error::invalid_config("scope", "must not be empty")
            .to_string()
            .contains("scope")
    );
    let e = server(ErrorOrigin::TokenEndpoint, "invalid_grant", None);
    assert!(e.to_string().contains("HTTP 400"));
    assert!(
        Error::id_token(IdTokenProblem::RefreshMismatch("azp"))
            .to_string()
            .contains("azp")
    );
}

#[test]
fn message_is_the_display_text() {
    for (error, _) in every_error() {
        assert_eq!(error.message(), error.to_string(), "{error:?}");
    }
}

#[test]
fn sentences_with_a_detail_read_exactly() {
    let status = |origin, status| {
        Error::Server(OAuthError {
            error: "invalid_grant".to_owned(),
            error_description: None,
            error_uri: None,
            status,
            origin,
        })
    };
    let ir = Error::InvalidResponse;
    let cases = [
        (
            server(ErrorOrigin::Redirect, "access_denied", None),
            "the authorization server returned the error \"access_denied\"",
        ),
        (
            server(ErrorOrigin::PushedAuthorization, "invalid_request", None),
            "the pushed authorization request endpoint returned the error \"invalid_request\"",
        ),
        (
            status(ErrorOrigin::TokenEndpoint, Some(0)),
            "the token endpoint returned the error \"invalid_grant\" (HTTP 0)",
        ),
        (
            status(ErrorOrigin::Other, Some(65535)),
            "the token endpoint returned the error \"invalid_grant\" (HTTP 65535)",
        ),
        (
            status(ErrorOrigin::TokenEndpoint, None),
            "the provider returned the error \"invalid_grant\"",
        ),
        (
            server(ErrorOrigin::Redirect, "bad\"code", None),
            "the authorization server returned the error \"<malformed error code>\"",
        ),
        (
            ir(InvalidResponse::DuplicateParameter {
                name: "code".into(),
            }),
            "the authorization response repeats the parameter \"code\"",
        ),
        (
            ir(InvalidResponse::UnexpectedParameter {
                name: "access_token".into(),
            }),
            "the callback URL carries the forbidden parameter \"access_token\"",
        ),
        (
            ir(InvalidResponse::InsecureEndpoint {
                field: "token_endpoint",
            }),
            "the endpoint \"token_endpoint\" is not an https URL",
        ),
        (
            ir(InvalidResponse::MetadataInvalid { field: "jwks_uri" }),
            "the provider metadata member \"jwks_uri\" is missing or invalid",
        ),
        (
            ir(InvalidResponse::HttpStatus { status: 503 }),
            "unexpected HTTP status 503",
        ),
        (
            ir(InvalidResponse::InvalidTokenResponse {
                field: "access_token",
            }),
            "the token response member \"access_token\" is missing or invalid",
        ),
        (
            ir(InvalidResponse::InvalidParResponse {
                field: "request_uri",
            }),
            "the pushed authorization response member \"request_uri\" is missing or invalid",
        ),
        (
            Error::id_token(IdTokenProblem::RefreshMismatch("sub")),
            "the ID token is invalid: the refreshed ID token differs from the original in \"sub\"",
        ),
        (
            Error::id_token(IdTokenProblem::Nonce),
            "the ID token is invalid: its nonce claim is missing or does not match the login",
        ),
        (
            Error::invalid_config("scope", "must not be empty"),
            "invalid configuration: scope: must not be empty",
        ),
        (
            Error::Platform(Platform::Other { what: "locks" }),
            "platform facility unavailable: locks",
        ),
        (
            Error::login_required(LoginRequiredReason::OtherTab),
            "login required (other_tab)",
        ),
    ];
    for (error, text) in cases {
        assert_eq!(error.to_string(), text);
        assert_eq!(error.message(), text);
    }
}

#[test]
fn provider_errors_that_name_a_registration_problem_get_their_own_code() {
    let token = |error: &str, description: &str| {
        server(ErrorOrigin::TokenEndpoint, error, Some(description)).code()
    };
    // Google, Entra (web platform), Okta (web app), Keycloak (confidential client).
    assert_eq!(
        token("invalid_request", "client_secret is missing."),
        "confidential_client_required"
    );
    assert_eq!(
        token(
            "invalid_client",
            "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
        ),
        "confidential_client_required"
    );
    assert_eq!(
        token(
            "invalid_client",
            "Client authentication failed. Either the client or the client credentials are invalid."
        ),
        "confidential_client_required"
    );
    assert_eq!(
        token(
            "unauthorized_client",
            "Client secret not provided in request"
        ),
        "confidential_client_required"
    );
    // Other errors, or the same words in another error or from the redirect, keep their codes.
    assert_eq!(
        token("invalid_grant", "client secret rotated"),
        "token_error"
    );
    assert_eq!(token("invalid_client", "unknown client"), "token_error");
    assert_eq!(
        server(
            ErrorOrigin::Redirect,
            "invalid_request",
            Some("client_secret is missing.")
        )
        .code(),
        "authorization_error"
    );
    assert_eq!(
        server(
            ErrorOrigin::Redirect,
            "invalid_request",
            Some("AADSTS9002326")
        )
        .code(),
        "authorization_error"
    );
    let e = server(
        ErrorOrigin::TokenEndpoint,
        "invalid_request",
        Some("client_secret is missing."),
    );
    assert!(e.hint().contains("backend-for-frontend"));
    assert_eq!(e.detail(), Some("invalid_request"));
    let e = server(
        ErrorOrigin::TokenEndpoint,
        "invalid_request",
        Some("AADSTS9002326: x"),
    );
    assert!(e.hint().contains("Single-page application"));
}

#[test]
fn no_pending_login_hint_explains_the_cases() {
    let hint = Error::Misuse(Misuse::NoPendingLogin).hint();
    assert!(hint.contains("another tab") && hint.contains("start a new login"));
}

#[test]
fn errors_are_std_errors() {
    fn takes(_: &dyn std::error::Error) {}
    takes(&Error::Misuse(Misuse::NoPendingLogin));
}

#[test]
fn readme_documents_every_error_code() {
    let readme = include_str!("../../../README.md");
    for (_, code) in every_error() {
        assert!(
            readme.contains(&format!("| `{code}` |")),
            "README.md has no row for error code `{code}`"
        );
    }
}

#[test]
fn status_is_given_for_provider_errors_and_unexpected_statuses() {
    assert_eq!(
        server(ErrorOrigin::TokenEndpoint, "invalid_grant", None).status(),
        Some(400)
    );
    let unauthorized = Error::InvalidResponse(InvalidResponse::HttpStatus { status: 401 });
    assert_eq!(unauthorized.status(), Some(401));
    assert_eq!(Error::Transport(Transport::Network).status(), None);
}
