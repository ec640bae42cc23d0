//! The pure protocol core: OAuth 2.0 Authorization Code + PKCE S256 and OpenID Connect for a
//! public browser client, without I/O.
//!
//! Everything here is deterministic: time is passed as `now` (Unix seconds), randomness as
//! caller-supplied bytes, HTTP as plain request/response data and JSON parsing through the
//! [`JsonParser`] trait. The browser driver performs the I/O and WebCrypto signature
//! verification.
//!
//! Flow: [`ProviderMetadata::from_response`] → [`authorization_request`] (store the
//! [`PendingLogin`]; with [`pushed_endpoint`], push it with [`par_request`] and navigate to
//! [`pushed_authorization_url`]) → [`CallbackParams::from_pairs`] → [`CallbackParams::validate`] →
//! [`code_request`] → [`TokenResponse::from_response`] → [`Jws::parse`] → [`check_alg`] →
//! [`JwkSet::select`] → signature verification (driver, WebCrypto) → [`validate_id_token`].
//!
//! Secrets ([`AccessToken`], [`RefreshToken`], [`IdToken`], [`AuthorizationCode`],
//! [`CodeVerifier`], [`State`], [`Nonce`]) have redacted `Debug`, no `Display`, and never
//! appear in an [`Error`].

pub mod authorize;
pub mod base64url;
pub mod callback;
pub mod config;
pub mod digest;
pub mod discovery;
pub mod dpop;
pub mod endpoint;
pub mod error;
mod error_code;
mod error_text;
pub mod http;
pub mod id_token;
pub mod json;
pub mod jwks;
pub mod jwt;
pub mod login_options;
pub mod logout;
pub mod par;
pub mod pkce;
pub mod secret;
mod text;
pub mod token;
pub mod userinfo;

#[cfg(test)]
#[path = "tests/support.rs"]
pub(crate) mod support;

pub use authorize::{
    AuthorizationRequest, LoginRandom, PendingLogin, authorization_request,
    authorization_request_with_digest, check_return_to, needs_interaction,
    silent_authorization_request, silent_authorization_request_with_digest,
};
pub use callback::{CallbackParams, RESPONSE_PARAMS, ValidatedCallback};
pub use config::{ClientConfig, LogoutEndpoint, Tenants, check_distinct_issuers};
pub use digest::Sha;
pub use discovery::{ProviderMetadata, discovery_url};
pub use endpoint::{append_encoded, append_query, check_endpoint, form_urlencode};
pub use error::{
    Error, ErrorOrigin, IdTokenProblem, InvalidResponse, LoginRequiredReason, Misuse, OAuthError,
    Platform, SessionError, Transport, Unsupported,
};
pub use http::{HttpRequest, HttpResponse, MAX_BODY_BYTES, Method};
pub use id_token::{
    IdTokenClaims, IdTokenExpectations, at_hash, validate_id_token, validate_refreshed_id_token,
};
pub use json::{Json, JsonParser};
pub use jwks::{Jwk, JwkSet, KeyKind, KeyMatch, check_alg, check_signature_shape};
pub use jwt::Jws;
pub use login_options::LoginOptions;
pub use logout::{
    Revocation, check_logout_state, configured_logout_url, end_session_url, revocation_outcome,
    revocation_request,
};
pub use par::{PushedRequest, par_request, pushed_authorization_url, pushed_endpoint};
pub use pkce::s256_challenge;
pub use secret::{
    AccessToken, AuthorizationCode, CodeVerifier, IdToken, Nonce, RefreshToken, State,
    constant_time_eq, random_value,
};
pub use token::{TokenResponse, code_request, refresh_request};
pub use userinfo::{authorization, userinfo_claims, userinfo_request, userinfo_request_as};
