//! The single error type of the protocol core and its stable, machine-readable codes.
//!
//! Every variant is plain data. No variant ever holds a token, an authorization code, a
//! PKCE verifier, a `state` or a `nonce`, so `Display` and `Debug` are safe to log.
//! Codes and accessors live in `error_code.rs`, human-readable text (`Display`,
//! [`Error::hint`]) in `error_text.rs`.

/// Every failure the core (and the browser driver built on it) can report.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The provider answered with an OAuth error (RFC 6749 §4.1.2.1, §5.2).
    Server(OAuthError),
    /// The provider (or whoever answered) broke the protocol.
    InvalidResponse(InvalidResponse),
    /// The provider lacks a feature this client requires.
    Unsupported(Unsupported),
    /// The application called something wrongly, or there is nothing to do.
    Misuse(Misuse),
    /// Network-level failure (reported by the browser driver).
    Transport(Transport),
    /// Storage or crypto is unavailable (reported by the browser driver).
    Platform(Platform),
    /// There is no usable session.
    Session(SessionError),
}

/// An OAuth error response (RFC 6749 §4.1.2.1 for redirects, §5.2 for the token endpoint).
///
/// `error_description` and `error_uri` are provider (possibly attacker) supplied text: show
/// them only as plain text, never as HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    /// The `error` code, e.g. `invalid_grant`.
    pub error: String,
    /// The `error_description` text, untrusted plain text.
    pub error_description: Option<String>,
    /// The `error_uri`, untrusted; never follow it automatically.
    pub error_uri: Option<String>,
    /// HTTP status of the response when it came from an HTTP endpoint.
    pub status: Option<u16>,
    /// Where the error came from.
    pub origin: ErrorOrigin,
}

/// Where an [`OAuthError`] was received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorOrigin {
    /// In the authorization response on the redirect URI (RFC 6749 §4.1.2.1).
    Redirect,
    /// In a token endpoint response (RFC 6749 §5.2).
    TokenEndpoint,
    /// In a pushed authorization request endpoint response (RFC 9126 §2.3).
    PushedAuthorization,
    /// From another endpoint.
    Other,
}

/// A protocol violation by the provider or by whoever produced the response.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvalidResponse {
    /// The authorization response has no `state` (RFC 6749 §4.1.2, §10.12).
    StateMissing,
    /// The `state` does not match the pending login (RFC 6749 §10.12).
    StateMismatch,
    /// A response parameter appears more than once (RFC 6749 §3.1).
    DuplicateParameter {
        /// The repeated parameter name.
        name: String,
    },
    /// A parameter that must never appear in the callback URL, e.g. `access_token` (RFC 9700 §2.1.2).
    UnexpectedParameter {
        /// The offending parameter name.
        name: String,
    },
    /// Response parameters appear in the fragment although `response_mode=query` was used.
    AmbiguousResponse,
    /// The provider advertises `iss` in authorization responses but none was sent (RFC 9207 §2.4).
    IssuerMissing,
    /// The `iss` of the authorization response is not the expected issuer (RFC 9207 §2.4).
    IssuerMismatch,
    /// The authorization response has neither `code` nor `error` (RFC 6749 §4.1.2).
    MissingCode,
    /// The discovery document names another issuer (OIDC Discovery §4.3, RFC 8414 §3.3).
    DiscoveryIssuerMismatch,
    /// An endpoint is not `https` (or loopback `http` in development) (RFC 6749 §10.9).
    InsecureEndpoint {
        /// The metadata member holding the endpoint.
        field: &'static str,
    },
    /// A provider metadata member is missing or has the wrong type (RFC 8414 §2).
    MetadataInvalid {
        /// The metadata member.
        field: &'static str,
    },
    /// An unexpected HTTP status code.
    HttpStatus {
        /// The status received.
        status: u16,
    },
    /// The response is not `application/json` (RFC 6749 §5.1).
    UnexpectedContentType,
    /// The response body exceeds the size cap.
    BodyTooLarge,
    /// The response body is not valid JSON.
    JsonParse,
    /// The JSON body is not a top-level object (RFC 6749 §5.1).
    NotAJsonObject,
    /// An endpoint answered with a redirect (RFC 9700 §4.12).
    UnexpectedRedirect,
    /// A token response member is missing or malformed (RFC 6749 §5.1).
    InvalidTokenResponse {
        /// The member name.
        field: &'static str,
    },
    /// The `token_type` is not `Bearer` (RFC 6749 §7.1), or not `DPoP` when DPoP was used.
    UnsupportedTokenType,
    /// DPoP was used but the provider issued a Bearer token (`token_type` `Bearer`, RFC 9449 §5):
    /// a downgrade, refused.
    TokenTypeDowngrade,
    /// A server asked for a DPoP nonce again after the one retry with the nonce it gave
    /// (RFC 9449 §8): the request is not sent a third time.
    DpopNonceRetryExhausted,
    /// The userinfo response's `sub` differs from the ID token's (OIDC Core §5.3.2): the claims are
    /// not used.
    UserInfoSubMismatch,
    /// The refresh token could not be revoked (the provider or the network failed, after retries).
    /// The local session is gone regardless.
    RevocationIncomplete,
    /// The provider's answer to a logout carried a `state` other than the one sent, or none.
    LogoutStateMismatch,
    /// The pushed authorization request endpoint answered 201 without a usable member (RFC 9126
    /// §2.2: a non-empty `request_uri`, a positive integer `expires_in`).
    InvalidParResponse {
        /// The member name.
        field: &'static str,
    },
    /// The ID token failed validation (OIDC Core §3.1.3.7).
    IdToken(IdTokenProblem),
}

/// Why an ID token was rejected (OIDC Core §3.1.3.7, §12.2).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdTokenProblem {
    /// Not a well-formed compact JWS (RFC 7515 §7.1), including duplicate member names.
    Malformed,
    /// The `alg` is not allowed (RFC 8725 §3.1).
    Alg,
    /// The signature does not verify.
    Signature,
    /// No suitable key was found.
    KeySelection,
    /// The key set could not be fetched.
    KeyFetch,
    /// Wrong `iss`.
    Iss,
    /// Multi-tenant mode: `tid` missing, malformed or not an accepted tenant.
    Tid,
    /// Wrong or missing `aud`.
    Aud,
    /// Wrong or missing `azp`.
    Azp,
    /// Expired or bad `exp`.
    Exp,
    /// `nbf` in the future or bad.
    Nbf,
    /// `iat` missing, in the future or too old.
    Iat,
    /// `nonce` missing or different.
    Nonce,
    /// `sub` missing or invalid.
    Sub,
    /// `auth_time` missing, bad or too old for `max_age`.
    AuthTime,
    /// `acr` missing or not one of the values asked as essential (OIDC Core §5.5.1.1).
    Acr,
    /// `at_hash` does not match the access token.
    AtHash,
    /// The JWS `typ` says this is not an ID token (RFC 8725 §3.11).
    Typ,
    /// The JWS carries a `crit` header (RFC 7515 §4.1.11).
    Crit,
    /// A refreshed ID token differs from the original in the named claim (OIDC Core §12.2).
    RefreshMismatch(&'static str),
}

/// A feature the provider lacks.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unsupported {
    /// `code_challenge_methods_supported` lacks `S256` (RFC 7636 §4.2, §7.2).
    PkceS256,
    /// `response_types_supported` lacks `code` (OIDC Discovery §3).
    ResponseTypeCode,
    /// The provider has no `userinfo_endpoint`.
    Userinfo,
    /// The provider refused to revoke the refresh token (`unsupported_token_type`, RFC 7009 §2.2.1).
    Revocation,
    /// Pushed authorization requests (RFC 9126) are asked for (by the client option, or by the
    /// provider's `require_pushed_authorization_requests`) but the provider advertises no
    /// `pushed_authorization_request_endpoint`.
    PushedAuthorization,
    /// DPoP (RFC 9449) is asked for, but the provider does not advertise ES256 in
    /// `dpop_signing_alg_values_supported`, or this browser cannot make an ES256 key.
    Dpop,
}

/// The application used the library wrongly, or there is nothing to do.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Misuse {
    /// No pending login matches this callback (RFC 9700 §4.2.4).
    NoPendingLogin,
    /// The pending login is older than its time-to-live.
    TransactionExpired,
    /// A configuration value is invalid.
    InvalidConfig {
        /// The configuration field (JavaScript spelling).
        field: &'static str,
        /// Why it is invalid.
        reason: &'static str,
    },
    /// The return-to path is not a same-origin path (RFC 9700 §4.11.1).
    InvalidReturnTo,
    /// Two providers share one issuer identifier (RFC 9207 §4).
    DuplicateIssuer,
    /// A browser-only operation was called outside a browser.
    NotInBrowser,
    /// An authenticated request was asked for a URL whose origin is not one of the configured
    /// `apiOrigins`: nothing was sent.
    ApiOriginNotAllowed,
}

/// A network-level failure.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transport {
    /// The request failed (connection reset, DNS, TLS).
    Network,
    /// The request exceeded its deadline.
    Timeout,
    /// The browser is offline.
    Offline,
    /// The request was blocked by CORS.
    Cors,
}

/// A platform facility is unavailable.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Platform {
    /// `sessionStorage` is unavailable.
    StorageUnavailable,
    /// Secure randomness or WebCrypto is unavailable (or produced suspicious output).
    CryptoUnavailable,
    /// Another platform facility is missing.
    Other {
        /// What is missing.
        what: &'static str,
    },
}

/// There is no usable session.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionError {
    /// The user must log in (again).
    LoginRequired {
        /// Why.
        reason: LoginRequiredReason,
    },
}

/// Why a login is required.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginRequiredReason {
    /// Nobody has logged in in this page.
    NoSession,
    /// The provider rejected the refresh token.
    RefreshRejected,
    /// The session expired and cannot be renewed.
    Expired,
    /// The user logged out.
    LoggedOut,
    /// Another tab ended the session.
    OtherTab,
}

impl From<InvalidResponse> for Error {
    fn from(e: InvalidResponse) -> Self {
        Self::InvalidResponse(e)
    }
}

impl From<Misuse> for Error {
    fn from(e: Misuse) -> Self {
        Self::Misuse(e)
    }
}

impl From<Unsupported> for Error {
    fn from(e: Unsupported) -> Self {
        Self::Unsupported(e)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
#[path = "tests/error.rs"]
mod tests;
