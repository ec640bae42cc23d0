//! Human-readable text for [`Error`]: `Display` and [`Error::message`] (what went wrong, built
//! with `push_str` and no `core::fmt` for the npm build) and [`Error::hint`] (what to do).
//!
//! The text names only non-secret details (parameter or field names, HTTP status, the OAuth
//! `error` code when it is well formed). Provider-supplied `error_description` is never included.

use std::fmt;

use super::text::push_u64;

use super::error::{
    Error, ErrorOrigin, IdTokenProblem, InvalidResponse, LoginRequiredReason, Misuse, Platform,
    SessionError, Transport, Unsupported,
};

/// The OAuth `error` code if it is well formed (RFC 6749 §5.2: %x20-21 / %x23-5B / %x5D-7E).
fn printable_error_code(code: &str) -> &str {
    let ok = !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E));
    if ok { code } else { "<malformed error code>" }
}

fn id_token_text(p: &IdTokenProblem) -> &'static str {
    match p {
        IdTokenProblem::Malformed => "it is not a well-formed compact JWS",
        IdTokenProblem::Alg => "its signing algorithm is not allowed",
        IdTokenProblem::Signature => "its signature does not verify",
        IdTokenProblem::KeySelection => "no usable provider key matches it",
        IdTokenProblem::KeyFetch => "the provider's key set could not be fetched",
        IdTokenProblem::Iss => "its iss claim is not the expected issuer",
        IdTokenProblem::Tid => "its tid claim is missing or names a tenant that is not allowed",
        IdTokenProblem::Aud => "its aud claim does not contain this client",
        IdTokenProblem::Azp => "its azp claim is missing or names another client",
        IdTokenProblem::Exp => "it has expired or its exp claim is invalid",
        IdTokenProblem::Nbf => "its nbf claim is in the future or invalid",
        IdTokenProblem::Iat => "its iat claim is missing, in the future or too old",
        IdTokenProblem::Nonce => "its nonce claim is missing or does not match the login",
        IdTokenProblem::Sub => "its sub claim is missing or invalid",
        IdTokenProblem::AuthTime => {
            "its auth_time claim is missing, invalid or too old for max_age"
        }
        IdTokenProblem::Acr => "its acr claim is not one of the values asked as essential",
        IdTokenProblem::AtHash => "its at_hash claim does not match the access token",
        IdTokenProblem::Typ => "its typ header says it is not an ID token",
        IdTokenProblem::Crit => "it carries a crit header this client does not understand",
        IdTokenProblem::RefreshMismatch(_) => "the refreshed ID token differs from the original",
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut head = String::new();
        let tail = self.message_head(&mut head);
        f.write_str(&head)?;
        f.write_str(tail)
    }
}

/// Appends every piece of `parts` to `out`.
fn push_all(out: &mut String, parts: &[&str]) {
    for part in parts.iter() {
        out.push_str(part);
    }
}

impl Error {
    /// The sentence `Display` prints, as a `String` built with `push_str` alone: code that keeps
    /// `core::fmt` out of its wasm (the npm package's error objects, checked by
    /// `.ci/check-wasm-fmt.sh`) takes the message from here rather than from `to_string()`.
    pub fn message(&self) -> String {
        let mut out = String::new();
        let tail = self.message_head(&mut out);
        out.push_str(tail);
        out
    }

    /// Appends the sentence but its last piece to `out` and returns that piece: a fixed sentence is
    /// returned whole and appends nothing (`Display` then needs no allocation).
    fn message_head(&self, out: &mut String) -> &'static str {
        match self {
            Self::Server(e) if e.needs_spa_registration() => {
                "the token endpoint refuses cross-origin requests: the redirect URI is not registered as a single-page application"
            }
            Self::Server(e) if e.demands_client_secret() => {
                "the token endpoint demands a client secret, which a browser app cannot hold"
            }
            Self::Server(e) => {
                let code = printable_error_code(&e.error);
                match (e.origin, e.status) {
                    (ErrorOrigin::Redirect, _) => push_all(
                        out,
                        &["the authorization server returned the error \"", code],
                    ),
                    (ErrorOrigin::PushedAuthorization, _) => push_all(
                        out,
                        &[
                            "the pushed authorization request endpoint returned the error \"",
                            code,
                        ],
                    ),
                    (_, Some(status)) => {
                        push_all(
                            out,
                            &[
                                "the token endpoint returned the error \"",
                                code,
                                "\" (HTTP ",
                            ],
                        );
                        push_u64(out, status.into());
                        return ")";
                    }
                    (_, None) => push_all(out, &["the provider returned the error \"", code]),
                }
                "\""
            }
            Self::InvalidResponse(e) => invalid_response_head(e, out),
            Self::Unsupported(Unsupported::PkceS256) => {
                "the provider does not support PKCE with S256"
            }
            Self::Unsupported(Unsupported::ResponseTypeCode) => {
                "the provider does not support response_type=code"
            }
            Self::Unsupported(Unsupported::Userinfo) => "the provider has no userinfo endpoint",
            Self::Unsupported(Unsupported::Revocation) => {
                "the provider does not revoke refresh tokens"
            }
            Self::Unsupported(Unsupported::PushedAuthorization) => {
                "the provider has no pushed authorization request endpoint"
            }
            Self::Unsupported(Unsupported::Dpop) => {
                "DPoP with ES256 is not available with this provider or browser"
            }
            Self::Misuse(e) => match e {
                Misuse::NoPendingLogin => "no pending login matches this callback",
                Misuse::TransactionExpired => "the pending login has expired",
                Misuse::InvalidConfig { field, reason } => {
                    push_all(out, &["invalid configuration: ", field, ": "]);
                    reason
                }
                Misuse::InvalidReturnTo => "the return-to value is not a same-origin path",
                Misuse::DuplicateIssuer => "two providers are configured with the same issuer",
                Misuse::NotInBrowser => "this operation needs a browser window",
                Misuse::ApiOriginNotAllowed => {
                    "the request's origin is not one of the configured apiOrigins"
                }
            },
            Self::Transport(e) => match e {
                Transport::Network => "the network request failed",
                Transport::Timeout => "the network request timed out",
                Transport::Offline => "the browser is offline",
                Transport::Cors => "the request was blocked by CORS",
            },
            Self::Platform(e) => match e {
                Platform::StorageUnavailable => "sessionStorage is unavailable",
                Platform::CryptoUnavailable => "secure randomness or WebCrypto is unavailable",
                Platform::Other { what } => {
                    out.push_str("platform facility unavailable: ");
                    what
                }
            },
            Self::Session(SessionError::LoginRequired { reason }) => {
                push_all(out, &["login required (", reason.as_str()]);
                ")"
            }
        }
    }
}

/// [`Error::message_head`] for [`InvalidResponse`].
fn invalid_response_head(e: &InvalidResponse, out: &mut String) -> &'static str {
    match e {
        InvalidResponse::StateMissing => "the authorization response has no state",
        InvalidResponse::StateMismatch => {
            "the authorization response state does not match the pending login"
        }
        InvalidResponse::DuplicateParameter { name } => {
            push_all(
                out,
                &["the authorization response repeats the parameter \"", name],
            );
            "\""
        }
        InvalidResponse::UnexpectedParameter { name } => {
            push_all(
                out,
                &["the callback URL carries the forbidden parameter \"", name],
            );
            "\""
        }
        InvalidResponse::AmbiguousResponse => {
            "authorization response parameters were found in the URL fragment"
        }
        InvalidResponse::IssuerMissing => {
            "the authorization response has no iss although the provider advertises it"
        }
        InvalidResponse::IssuerMismatch => {
            "the authorization response comes from an unexpected issuer"
        }
        InvalidResponse::MissingCode => "the authorization response has no code",
        InvalidResponse::DiscoveryIssuerMismatch => {
            "the discovery document names a different issuer"
        }
        InvalidResponse::InsecureEndpoint { field } => {
            push_all(out, &["the endpoint \"", field]);
            "\" is not an https URL"
        }
        InvalidResponse::MetadataInvalid { field } => {
            push_all(out, &["the provider metadata member \"", field]);
            "\" is missing or invalid"
        }
        InvalidResponse::HttpStatus { status } => {
            out.push_str("unexpected HTTP status ");
            push_u64(out, (*status).into());
            ""
        }
        InvalidResponse::UnexpectedContentType => "the response is not JSON",
        InvalidResponse::BodyTooLarge => "the response body is too large",
        InvalidResponse::JsonParse => "the response body is not valid JSON",
        InvalidResponse::NotAJsonObject => "the response JSON is not an object",
        InvalidResponse::UnexpectedRedirect => "the endpoint answered with a redirect",
        InvalidResponse::InvalidTokenResponse { field } => {
            push_all(out, &["the token response member \"", field]);
            "\" is missing or invalid"
        }
        InvalidResponse::UnsupportedTokenType => "the token response has an unexpected token_type",
        InvalidResponse::TokenTypeDowngrade => {
            "the provider issued a Bearer token although DPoP was used"
        }
        InvalidResponse::DpopNonceRetryExhausted => {
            "the server asked for a new DPoP nonce again after one retry"
        }
        InvalidResponse::UserInfoSubMismatch => {
            "the userinfo sub does not match the ID token's sub"
        }
        InvalidResponse::RevocationIncomplete => "the refresh token could not be revoked",
        InvalidResponse::LogoutStateMismatch => {
            "the logout response state does not match the logout request"
        }
        InvalidResponse::InvalidParResponse { field } => {
            push_all(out, &["the pushed authorization response member \"", field]);
            "\" is missing or invalid"
        }
        InvalidResponse::IdToken(IdTokenProblem::RefreshMismatch(field)) => {
            push_all(
                out,
                &[
                    "the ID token is invalid: the refreshed ID token differs from the original in \"",
                    field,
                ],
            );
            "\""
        }
        InvalidResponse::IdToken(p) => {
            out.push_str("the ID token is invalid: ");
            id_token_text(p)
        }
    }
}

impl Error {
    /// One sentence telling the application, user or operator what to do next.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Server(e) if e.needs_spa_registration() => {
                "Register the redirect URI under the Single-page application platform of the app registration, not under Web."
            }
            Self::Server(e) if e.demands_client_secret() => {
                "Register the app as a public client (single-page application, no secret); where the provider has none (Google), use a backend-for-frontend. Never put a client secret in browser code."
            }
            Self::Server(e) => match e.origin {
                ErrorOrigin::Redirect => {
                    "The provider refused the login (see the OAuth error code): show it as plain text and let the user try again."
                }
                ErrorOrigin::PushedAuthorization => {
                    "The provider refused the pushed login request (see the OAuth error code): check the login options and the client registration."
                }
                _ => {
                    "The provider refused the token request (see the OAuth error code): for invalid_grant start a new login; otherwise check the client registration."
                }
            },
            Self::InvalidResponse(e) => invalid_response_hint(e),
            Self::Unsupported(Unsupported::PkceS256) => {
                "Enable PKCE with S256 for this client at the provider; this library never downgrades to plain."
            }
            Self::Unsupported(Unsupported::ResponseTypeCode) => {
                "Enable the authorization code flow (response_type=code) for this client at the provider."
            }
            Self::Unsupported(Unsupported::Userinfo) => {
                "Use the ID token's claims (user()), or enable the userinfo endpoint at the provider."
            }
            Self::Unsupported(Unsupported::Revocation) => {
                "The local session has ended; enable refresh-token revocation at the provider so that logout also ends the grant."
            }
            Self::Unsupported(Unsupported::PushedAuthorization) => {
                "Turn off pushedAuthorizationRequests, or enable PAR (RFC 9126) at the provider."
            }
            Self::Unsupported(Unsupported::Dpop) => {
                "Turn off the dpop option, or enable DPoP with ES256 at the provider (and use a browser with WebCrypto ECDSA P-256)."
            }
            Self::Misuse(e) => match e {
                Misuse::NoPendingLogin => {
                    "The callback has no matching login in this tab (reloaded, opened in another tab, or Back was pressed): start a new login."
                }
                Misuse::TransactionExpired => {
                    "The login took too long to complete: start a new login."
                }
                Misuse::InvalidConfig { .. } => {
                    "Fix the named configuration field; the reason says what is wrong with it."
                }
                Misuse::InvalidReturnTo => {
                    "Pass a same-origin path starting with a single '/', such as \"/account\"."
                }
                Misuse::DuplicateIssuer => {
                    "Give each configured provider its own issuer; two providers may never share one (mix-up defence)."
                }
                Misuse::NotInBrowser => {
                    "Call this only in a browser window, not during server-side rendering or in a worker."
                }
                Misuse::ApiOriginNotAllowed => {
                    "Add the API's exact origin (scheme, host and port) to apiOrigins, or send this request without the access token."
                }
            },
            Self::Transport(e) => match e {
                Transport::Network => {
                    "Check the network connection and the provider's availability, then try again. If it always fails while the provider is up, allow this app's origin for the client at the provider (CORS)."
                }
                Transport::Timeout => "The provider did not answer in time: try again later.",
                Transport::Offline => "Reconnect to the network and try again.",
                Transport::Cors => {
                    "Allow this application's origin in the provider's CORS settings for this client."
                }
            },
            Self::Platform(e) => match e {
                Platform::StorageUnavailable => {
                    "Enable sessionStorage (it is blocked, full, or disabled in this browsing mode) and try again."
                }
                Platform::CryptoUnavailable => {
                    "Serve the application over https (a secure context) in a browser with WebCrypto."
                }
                Platform::Other { .. } => {
                    "Use a browser that provides the named platform facility."
                }
            },
            Self::Session(SessionError::LoginRequired { reason }) => match reason {
                LoginRequiredReason::NoSession => {
                    "Nobody is logged in in this page: start a login."
                }
                LoginRequiredReason::RefreshRejected => {
                    "The provider ended the session: start a new login."
                }
                LoginRequiredReason::Expired => "The session expired: start a new login.",
                LoginRequiredReason::LoggedOut => {
                    "The user logged out: start a new login if needed."
                }
                LoginRequiredReason::OtherTab => {
                    "Another tab ended the session: start a new login."
                }
            },
        }
    }
}

fn invalid_response_hint(e: &InvalidResponse) -> &'static str {
    match e {
        InvalidResponse::StateMissing => {
            "The callback did not come from a login started here (possible CSRF): start a new login."
        }
        InvalidResponse::StateMismatch => {
            "The callback belongs to another login (possible CSRF or an old tab): start a new login."
        }
        InvalidResponse::DuplicateParameter { .. } => {
            "The callback URL was tampered with: start a new login and report it if it repeats."
        }
        InvalidResponse::UnexpectedParameter { .. } => {
            "Tokens in the URL are never accepted: configure the provider for the code flow with response_mode=query."
        }
        InvalidResponse::AmbiguousResponse => {
            "Configure the provider to return the authorization response in the query (response_mode=query)."
        }
        InvalidResponse::IssuerMissing => {
            "The response may come from another provider (mix-up attack): start a new login and report it if it repeats."
        }
        InvalidResponse::IssuerMismatch => {
            "The response came from another provider (possible mix-up attack): start a new login with the intended provider."
        }
        InvalidResponse::MissingCode => {
            "The provider sent neither a code nor an error: start a new login and check the provider."
        }
        InvalidResponse::DiscoveryIssuerMismatch => {
            "Set the issuer exactly as the provider's discovery document spells it (including any trailing slash)."
        }
        InvalidResponse::InsecureEndpoint { .. } => {
            "The provider must use https endpoints; http is allowed only for loopback hosts with the development flag."
        }
        InvalidResponse::MetadataInvalid { .. } => {
            "Fix the provider's discovery document: the named member is missing or has the wrong type."
        }
        InvalidResponse::HttpStatus { .. } => {
            "The endpoint failed: check the provider's status and logs, then try again."
        }
        InvalidResponse::UnexpectedContentType => {
            "Something other than the provider answered (captive portal or proxy?): check the network and try again."
        }
        InvalidResponse::BodyTooLarge => {
            "The response exceeds the size cap: check that the URL points at the provider's endpoint."
        }
        InvalidResponse::JsonParse => {
            "The response was cut off or is not JSON: try again and check the provider if it repeats."
        }
        InvalidResponse::NotAJsonObject => {
            "The endpoint did not return a JSON object: check that the URL points at the provider's endpoint."
        }
        InvalidResponse::UnexpectedRedirect => {
            "Configure the endpoint URL exactly so that the provider does not redirect it."
        }
        InvalidResponse::InvalidTokenResponse { .. } => {
            "The provider's token response is not conformant: check the named member at the provider."
        }
        InvalidResponse::UnsupportedTokenType => {
            "Configure the provider to issue Bearer access tokens for this client (or DPoP-bound ones with the dpop option)."
        }
        InvalidResponse::TokenTypeDowngrade => {
            "Enable DPoP-bound tokens for this client at the provider, or turn off the dpop option; the Bearer token was not used."
        }
        InvalidResponse::DpopNonceRetryExhausted => {
            "The server keeps rejecting its own DPoP nonces (check its clock and nonce lifetime); try again later."
        }
        InvalidResponse::UserInfoSubMismatch => {
            "The provider's userinfo answer belongs to another user: report it to the provider's operators; the claims were not used."
        }
        InvalidResponse::RevocationIncomplete => {
            "The local session has ended; the refresh token may stay valid at the provider until it expires. Try logging out again later if it matters."
        }
        InvalidResponse::LogoutStateMismatch => {
            "The user is logged out locally; the provider's logout response was not the one requested, so do not trust any message it carried."
        }
        InvalidResponse::IdToken(
            IdTokenProblem::Exp | IdTokenProblem::Iat | IdTokenProblem::Nbf,
        ) => "Check that the device clock is correct, then start a new login.",
        InvalidResponse::IdToken(IdTokenProblem::Alg) => {
            "Align the client's allowed ID-token algorithms with the provider's signing algorithm."
        }
        InvalidResponse::InvalidParResponse { .. } => {
            "The provider's answer to the pushed login request is not conformant: check the named member at the provider."
        }
        InvalidResponse::IdToken(IdTokenProblem::AuthTime) => {
            "The user must authenticate again because max_age has passed: start a new login."
        }
        InvalidResponse::IdToken(IdTokenProblem::Acr) => {
            "The user was not authenticated as asked (acr): start a new login; check which acr values the provider supports."
        }
        InvalidResponse::IdToken(IdTokenProblem::Tid) => {
            "The user belongs to a tenant (organisation) that allowedTenants does not list: add its tenant id if its users may sign in."
        }
        InvalidResponse::IdToken(IdTokenProblem::RefreshMismatch(_)) => {
            "The provider changed identity on refresh: discard the session and start a new login."
        }
        InvalidResponse::IdToken(_) => {
            "The ID token was rejected and all tokens discarded: start a new login and report it if it repeats."
        }
    }
}
