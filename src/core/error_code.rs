//! Stable machine-readable codes and accessors for [`Error`].

use super::error::{
    Error, ErrorOrigin, IdTokenProblem, InvalidResponse, LoginRequiredReason, Misuse, OAuthError,
    Platform, SessionError, Transport, Unsupported,
};

impl IdTokenProblem {
    /// Stable snake_case name of the problem, e.g. `"nonce"` or `"refresh_mismatch:sub"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::Alg => "alg",
            Self::Signature => "signature",
            Self::KeySelection => "key_selection",
            Self::KeyFetch => "key_fetch",
            Self::Iss => "iss",
            Self::Tid => "tid",
            Self::Aud => "aud",
            Self::Azp => "azp",
            Self::Exp => "exp",
            Self::Nbf => "nbf",
            Self::Iat => "iat",
            Self::Nonce => "nonce",
            Self::Sub => "sub",
            Self::AuthTime => "auth_time",
            Self::Acr => "acr",
            Self::AtHash => "at_hash",
            Self::Typ => "typ",
            Self::Crit => "crit",
            Self::RefreshMismatch(field) => match *field {
                "iss" => "refresh_mismatch:iss",
                "sub" => "refresh_mismatch:sub",
                "aud" => "refresh_mismatch:aud",
                "azp" => "refresh_mismatch:azp",
                "auth_time" => "refresh_mismatch:auth_time",
                "nonce" => "refresh_mismatch:nonce",
                _ => "refresh_mismatch",
            },
        }
    }
}

impl OAuthError {
    /// A token-endpoint error that asks for client authentication (a client secret or assertion)
    /// that a public browser client cannot give: the client is registered as confidential, or the
    /// provider (Google) has no public web clients. Told apart by the `error_description` of
    /// `invalid_client`, `invalid_request` or `unauthorized_client`.
    pub fn demands_client_secret(&self) -> bool {
        const SIGNS: [&str; 4] = [
            "client_secret",
            "client secret",
            "client_assertion",
            "client authentication",
        ];
        self.origin == ErrorOrigin::TokenEndpoint
            && matches!(
                self.error.as_str(),
                "invalid_client" | "invalid_request" | "unauthorized_client"
            )
            && self.error_description.as_deref().is_some_and(|d| {
                let d = d.to_ascii_lowercase();
                SIGNS.iter().any(|sign| d.contains(sign))
            })
    }

    /// Microsoft Entra ID refuses a cross-origin token request because the redirect URI is not
    /// registered as a single-page application (`AADSTS9002326` in `error_description`).
    pub fn needs_spa_registration(&self) -> bool {
        self.origin == ErrorOrigin::TokenEndpoint
            && self
                .error_description
                .as_deref()
                .is_some_and(|d| d.contains("AADSTS9002326"))
    }
}

impl LoginRequiredReason {
    /// Stable snake_case name of the reason.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::NoSession => "no_session",
            Self::RefreshRejected => "refresh_rejected",
            Self::Expired => "expired",
            Self::LoggedOut => "logged_out",
            Self::OtherTab => "other_tab",
        }
    }
}

impl Error {
    /// Stable snake_case code for programs (never changes between releases).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Server(e) => match e.origin {
                ErrorOrigin::Redirect => "authorization_error",
                ErrorOrigin::PushedAuthorization => "par_error",
                _ if e.needs_spa_registration() => "spa_registration_required",
                _ if e.demands_client_secret() => "confidential_client_required",
                ErrorOrigin::TokenEndpoint | ErrorOrigin::Other => "token_error",
            },
            Self::InvalidResponse(e) => invalid_response_code(e),
            Self::Unsupported(Unsupported::PkceS256) => "pkce_s256_unsupported",
            Self::Unsupported(Unsupported::ResponseTypeCode) => "response_type_unsupported",
            Self::Unsupported(Unsupported::Userinfo) => "userinfo_unsupported",
            Self::Unsupported(Unsupported::Revocation) => "revocation_unsupported",
            Self::Unsupported(Unsupported::PushedAuthorization) => "par_unsupported",
            Self::Unsupported(Unsupported::Dpop) => "dpop_unsupported",
            Self::Misuse(e) => match e {
                Misuse::NoPendingLogin => "no_pending_login",
                Misuse::TransactionExpired => "login_expired",
                Misuse::InvalidConfig { .. } => "invalid_config",
                Misuse::InvalidReturnTo => "invalid_return_to",
                Misuse::DuplicateIssuer => "duplicate_issuer",
                Misuse::NotInBrowser => "not_in_browser",
                Misuse::ApiOriginNotAllowed => "api_origin_not_allowed",
            },
            Self::Transport(e) => match e {
                Transport::Network => "network",
                Transport::Timeout => "timeout",
                Transport::Offline => "offline",
                Transport::Cors => "cors",
            },
            Self::Platform(e) => match e {
                Platform::StorageUnavailable => "storage_unavailable",
                Platform::CryptoUnavailable => "crypto_unavailable",
                Platform::Other { .. } => "platform",
            },
            Self::Session(SessionError::LoginRequired { .. }) => "login_required",
        }
    }

    /// The non-secret sub-reason where one exists: the ID-token problem, the parameter or
    /// field name, the OAuth `error` code, or the login-required reason.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Self::Server(e) => Some(e.error.as_str()),
            Self::InvalidResponse(e) => match e {
                InvalidResponse::DuplicateParameter { name }
                | InvalidResponse::UnexpectedParameter { name } => Some(name.as_str()),
                InvalidResponse::InsecureEndpoint { field }
                | InvalidResponse::MetadataInvalid { field }
                | InvalidResponse::InvalidTokenResponse { field }
                | InvalidResponse::InvalidParResponse { field } => Some(field),
                InvalidResponse::IdToken(p) => Some(p.as_str()),
                _ => None,
            },
            Self::Misuse(Misuse::InvalidConfig { field, .. }) => Some(field),
            Self::Platform(Platform::Other { what }) => Some(what),
            Self::Session(SessionError::LoginRequired { reason }) => Some(reason.as_str()),
            _ => None,
        }
    }

    /// This error with every occurrence of the `secrets` (the code, verifier or refresh token of the
    /// request that was answered) cut out of the provider's error text: a provider or gateway that
    /// echoes the request in `error_description` must not put a live secret in an error message.
    pub fn without_secrets(self, secrets: &[&str]) -> Self {
        match self {
            Self::Server(mut e) => {
                let scrub = |text: &mut String| {
                    for secret in secrets.iter().filter(|s| !s.is_empty()) {
                        if text.contains(*secret) {
                            *text = text.replace(*secret, "[redacted]");
                        }
                    }
                };
                scrub(&mut e.error);
                if let Some(d) = e.error_description.as_mut() {
                    scrub(d);
                }
                if let Some(u) = e.error_uri.as_mut() {
                    scrub(u);
                }
                Self::Server(e)
            }
            other => other,
        }
    }

    /// The HTTP status of the response behind this error: the provider's OAuth error response, or an
    /// unexpected status (`http_status`, e.g. 401 from the userinfo endpoint).
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Server(e) => e.status,
            Self::InvalidResponse(InvalidResponse::HttpStatus { status }) => Some(*status),
            _ => None,
        }
    }

    /// The OAuth error response, when the provider sent one.
    pub fn oauth(&self) -> Option<&OAuthError> {
        match self {
            Self::Server(e) => Some(e),
            _ => None,
        }
    }

    /// Shorthand for `Error::InvalidResponse(InvalidResponse::IdToken(problem))`.
    pub fn id_token(problem: IdTokenProblem) -> Self {
        Self::InvalidResponse(InvalidResponse::IdToken(problem))
    }

    /// Shorthand for `Error::Session(SessionError::LoginRequired { reason })`.
    pub fn login_required(reason: LoginRequiredReason) -> Self {
        Self::Session(SessionError::LoginRequired { reason })
    }

    /// Shorthand for `Error::Misuse(Misuse::InvalidConfig { field, reason })`.
    pub fn invalid_config(field: &'static str, reason: &'static str) -> Self {
        Self::Misuse(Misuse::InvalidConfig { field, reason })
    }

    /// Shorthand for `Error::InvalidResponse(InvalidResponse::InvalidTokenResponse { field })`.
    pub fn invalid_token_response(field: &'static str) -> Self {
        Self::InvalidResponse(InvalidResponse::InvalidTokenResponse { field })
    }

    /// Shorthand for `Error::InvalidResponse(InvalidResponse::MetadataInvalid { field })`.
    pub fn metadata_invalid(field: &'static str) -> Self {
        Self::InvalidResponse(InvalidResponse::MetadataInvalid { field })
    }
}

fn invalid_response_code(e: &InvalidResponse) -> &'static str {
    match e {
        InvalidResponse::StateMissing => "state_missing",
        InvalidResponse::StateMismatch => "state_mismatch",
        InvalidResponse::DuplicateParameter { .. } => "duplicate_parameter",
        InvalidResponse::UnexpectedParameter { .. } => "unexpected_parameter",
        InvalidResponse::AmbiguousResponse => "ambiguous_response",
        InvalidResponse::IssuerMissing => "issuer_missing",
        InvalidResponse::IssuerMismatch => "issuer_mismatch",
        InvalidResponse::MissingCode => "missing_code",
        InvalidResponse::DiscoveryIssuerMismatch => "discovery_issuer_mismatch",
        InvalidResponse::InsecureEndpoint { .. } => "insecure_endpoint",
        InvalidResponse::MetadataInvalid { .. } => "metadata_invalid",
        InvalidResponse::HttpStatus { .. } => "http_status",
        InvalidResponse::UnexpectedContentType => "unexpected_content_type",
        InvalidResponse::BodyTooLarge => "body_too_large",
        InvalidResponse::JsonParse => "json_parse",
        InvalidResponse::NotAJsonObject => "not_a_json_object",
        InvalidResponse::UnexpectedRedirect => "unexpected_redirect",
        InvalidResponse::InvalidTokenResponse { .. } => "invalid_token_response",
        InvalidResponse::UnsupportedTokenType => "unsupported_token_type",
        InvalidResponse::TokenTypeDowngrade => "token_type_downgrade",
        InvalidResponse::DpopNonceRetryExhausted => "dpop_nonce_retry_exhausted",
        InvalidResponse::UserInfoSubMismatch => "userinfo_sub_mismatch",
        InvalidResponse::RevocationIncomplete => "revocation_incomplete",
        InvalidResponse::LogoutStateMismatch => "logout_state_mismatch",
        InvalidResponse::InvalidParResponse { .. } => "invalid_par_response",
        InvalidResponse::IdToken(_) => "id_token_invalid",
    }
}
