//! OpenID Provider metadata: discovery URL, validation of the discovery response
//! (OIDC Discovery 1.0 §3, §4; RFC 8414 §2, §3) and a JSON form for caching.

use super::config::{ClientConfig, TENANT_PLACEHOLDER};
use super::endpoint::check_endpoint;
use super::error::{Error, InvalidResponse, Unsupported};
use super::http::{HttpResponse, json_object, status_error};
use super::json::{Json, JsonParser};

/// The discovery document URL: the issuer without one trailing `/`, plus
/// `/.well-known/openid-configuration` (OIDC Discovery §4).
pub fn discovery_url(issuer: &str) -> String {
    let base = issuer.strip_suffix('/').unwrap_or(issuer);
    [base, "/.well-known/openid-configuration"].concat()
}

/// The validated subset of provider metadata this client uses (OIDC Discovery §3).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ProviderMetadata {
    /// `issuer`, identical to the configured issuer.
    pub issuer: String,
    /// `authorization_endpoint`.
    pub authorization_endpoint: String,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `userinfo_endpoint`.
    pub userinfo_endpoint: Option<String>,
    /// `jwks_uri`.
    pub jwks_uri: Option<String>,
    /// `end_session_endpoint` (RP-Initiated Logout §2.1).
    pub end_session_endpoint: Option<String>,
    /// `revocation_endpoint` (RFC 8414 §2).
    pub revocation_endpoint: Option<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §3); default false.
    pub iss_parameter_supported: bool,
    /// `id_token_signing_alg_values_supported`; default `["RS256"]`.
    pub id_token_signing_algs: Vec<String>,
    /// `code_challenge_methods_supported` (RFC 8414 §2), when present.
    pub code_challenge_methods: Option<Vec<String>>,
    /// `scopes_supported`, when present.
    pub scopes_supported: Option<Vec<String>>,
    /// `pushed_authorization_request_endpoint` (RFC 9126 §5).
    pub pushed_authorization_request_endpoint: Option<String>,
    /// `require_pushed_authorization_requests` (RFC 9126 §5): the provider takes authorization
    /// requests only pushed; default false.
    pub require_pushed_authorization_requests: bool,
    /// `dpop_signing_alg_values_supported` (RFC 9449 §5.1), when present.
    pub dpop_signing_algs: Option<Vec<String>>,
}

const ISSUER: &str = "issuer";
const AUTHORIZATION_ENDPOINT: &str = "authorization_endpoint";
const TOKEN_ENDPOINT: &str = "token_endpoint";
const USERINFO_ENDPOINT: &str = "userinfo_endpoint";
const JWKS_URI: &str = "jwks_uri";
const END_SESSION_ENDPOINT: &str = "end_session_endpoint";
const REVOCATION_ENDPOINT: &str = "revocation_endpoint";
const ISS_SUPPORTED: &str = "authorization_response_iss_parameter_supported";
const ID_TOKEN_ALGS: &str = "id_token_signing_alg_values_supported";
const PKCE_METHODS: &str = "code_challenge_methods_supported";
const RESPONSE_TYPES: &str = "response_types_supported";
const DPOP_ALGS: &str = "dpop_signing_alg_values_supported";
const SCOPES: &str = "scopes_supported";
const PAR_ENDPOINT: &str = "pushed_authorization_request_endpoint";
const PAR_REQUIRED: &str = "require_pushed_authorization_requests";

impl ProviderMetadata {
    /// Validates a discovery HTTP response: status 200, a JSON object, then [`Self::from_json`].
    pub fn from_response(
        config: &ClientConfig,
        resp: &HttpResponse,
        parser: &dyn JsonParser,
    ) -> Result<Self, Error> {
        if resp.status != 200 {
            return Err(status_error(resp.status));
        }
        let json = json_object(resp, parser)?;
        Self::from_json(config, &json)
    }

    /// Validates a metadata object (also used for cached metadata): the issuer is identical
    /// to the configured one (C05), endpoints are https (A06), PKCE S256 (A02) and
    /// `response_type=code` are supported when advertised, `jwks_uri` is present when the scope
    /// has `openid`, and member types are correct.
    pub fn from_json(config: &ClientConfig, json: &Json) -> Result<Self, Error> {
        if !json.is_object() {
            return Err(InvalidResponse::NotAJsonObject.into());
        }
        let issuer = json
            .get(ISSUER)
            .and_then(Json::as_str)
            .ok_or(Error::metadata_invalid(ISSUER))?;
        if !issuer_matches(config, issuer) {
            return Err(InvalidResponse::DiscoveryIssuerMismatch.into());
        }
        let loopback = config.allow_loopback_http;
        check_endpoint(issuer, loopback, ISSUER)?;
        let required = |field: &'static str| -> Result<String, Error> {
            let url = json
                .get(field)
                .and_then(Json::as_str)
                .ok_or(Error::metadata_invalid(field))?;
            check_endpoint(url, loopback, field)?;
            Ok(url.to_owned())
        };
        let optional = |field: &'static str| -> Result<Option<String>, Error> {
            match optional_string(json, field)? {
                Some(url) => {
                    check_endpoint(&url, loopback, field)?;
                    Ok(Some(url))
                }
                None => Ok(None),
            }
        };
        let metadata = Self {
            issuer: issuer.to_owned(),
            authorization_endpoint: required(AUTHORIZATION_ENDPOINT)?,
            token_endpoint: required(TOKEN_ENDPOINT)?,
            userinfo_endpoint: optional(USERINFO_ENDPOINT)?,
            jwks_uri: optional(JWKS_URI)?,
            end_session_endpoint: optional(END_SESSION_ENDPOINT)?,
            revocation_endpoint: optional(REVOCATION_ENDPOINT)?,
            iss_parameter_supported: flag(json, ISS_SUPPORTED)?,
            id_token_signing_algs: match string_list(json, ID_TOKEN_ALGS)? {
                None => vec!["RS256".to_owned()],
                Some(list) if list.is_empty() => {
                    return Err(Error::metadata_invalid(ID_TOKEN_ALGS));
                }
                Some(list) => list,
            },
            code_challenge_methods: string_list(json, PKCE_METHODS)?,
            scopes_supported: string_list(json, SCOPES)?,
            pushed_authorization_request_endpoint: optional(PAR_ENDPOINT)?,
            require_pushed_authorization_requests: flag(json, PAR_REQUIRED)?,
            // Read leniently: a malformed list only means no DPoP (a client that asks for it
            // then gets `dpop_unsupported`), never a failed discovery for clients that do not.
            dpop_signing_algs: string_list(json, DPOP_ALGS).ok().flatten(),
        };
        // ID tokens are only accepted with a verified signature, and the keys come only from
        // `jwks_uri` (REQUIRED by OIDC Discovery §3): without it a login could never complete,
        // so it is refused before any navigation.
        if config.wants_openid() && metadata.jwks_uri.is_none() {
            return Err(Error::metadata_invalid(JWKS_URI));
        }
        if let Some(methods) = &metadata.code_challenge_methods {
            if !methods.iter().any(|m| m == "S256") {
                return Err(Unsupported::PkceS256.into());
            }
        }
        if let Some(types) = string_list(json, RESPONSE_TYPES)? {
            if !types.iter().any(|t| t == "code") {
                return Err(Unsupported::ResponseTypeCode.into());
            }
        }
        Ok(metadata)
    }

    /// The metadata as a JSON object with the standard member names, for caching; feeding it
    /// back to [`Self::from_json`] gives an equal value.
    pub fn to_json(&self) -> Json {
        let s = |v: &str| Json::String(v.to_owned());
        let list = |v: &[String]| Json::Array(v.iter().map(|x| s(x)).collect());
        let mut members = vec![
            (ISSUER.to_owned(), s(&self.issuer)),
            (
                AUTHORIZATION_ENDPOINT.to_owned(),
                s(&self.authorization_endpoint),
            ),
            (TOKEN_ENDPOINT.to_owned(), s(&self.token_endpoint)),
        ];
        let optionals = [
            (USERINFO_ENDPOINT, &self.userinfo_endpoint),
            (JWKS_URI, &self.jwks_uri),
            (END_SESSION_ENDPOINT, &self.end_session_endpoint),
            (REVOCATION_ENDPOINT, &self.revocation_endpoint),
            (PAR_ENDPOINT, &self.pushed_authorization_request_endpoint),
        ];
        for (name, value) in optionals {
            if let Some(v) = value {
                members.push((name.to_owned(), s(v)));
            }
        }
        members.push((
            ISS_SUPPORTED.to_owned(),
            Json::Bool(self.iss_parameter_supported),
        ));
        members.push((
            PAR_REQUIRED.to_owned(),
            Json::Bool(self.require_pushed_authorization_requests),
        ));
        members.push((ID_TOKEN_ALGS.to_owned(), list(&self.id_token_signing_algs)));
        if let Some(v) = &self.code_challenge_methods {
            members.push((PKCE_METHODS.to_owned(), list(v)));
        }
        if let Some(v) = &self.scopes_supported {
            members.push((SCOPES.to_owned(), list(v)));
        }
        if let Some(v) = &self.dpop_signing_algs {
            members.push((DPOP_ALGS.to_owned(), list(v)));
        }
        Json::Object(members)
    }
}

/// Whether the discovery document's `issuer` belongs to the configured one: identical, byte for
/// byte (OIDC Discovery §4.3); or, only in multi-tenant mode ([`ClientConfig::allowed_tenants`]),
/// the configured issuer with one whole path segment replaced by the `{tenantid}` placeholder.
pub(crate) fn issuer_matches(config: &ClientConfig, issuer: &str) -> bool {
    issuer.as_bytes() == config.issuer.as_bytes()
        || (config.allowed_tenants.is_some() && tenant_segment(issuer, &config.issuer).is_some())
}

/// When `template` holds the `{tenantid}` placeholder in place of one whole path segment: the
/// segment of `candidate` at that place, when `candidate` is the template with a non-empty
/// segment (no `/`, `?` or `#`) there. `None` otherwise.
pub(crate) fn tenant_segment<'a>(template: &str, candidate: &'a str) -> Option<&'a str> {
    let (prefix, suffix) = template.split_once(TENANT_PLACEHOLDER)?;
    let well_formed = prefix.ends_with('/')
        && prefix.matches('/').count() >= 3
        && (suffix.is_empty() || suffix.starts_with('/'))
        && !suffix.contains(TENANT_PLACEHOLDER);
    let segment = candidate.strip_prefix(prefix)?.strip_suffix(suffix)?;
    (well_formed && !segment.is_empty() && !segment.contains(['/', '?', '#'])).then_some(segment)
}

/// An optional boolean member: absent or `null` is false, another type is `MetadataInvalid`.
fn flag(json: &Json, field: &'static str) -> Result<bool, Error> {
    match json.get(field) {
        None | Some(Json::Null) => Ok(false),
        Some(Json::Bool(b)) => Ok(*b),
        Some(_) => Err(Error::metadata_invalid(field)),
    }
}

/// An optional string member: absent or `null` is `None`, another type is `MetadataInvalid`.
fn optional_string(json: &Json, field: &'static str) -> Result<Option<String>, Error> {
    match json.get(field) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::metadata_invalid(field)),
    }
}

/// An optional array of strings: absent or `null` is `None`, anything else malformed is
/// `MetadataInvalid`.
fn string_list(json: &Json, field: &'static str) -> Result<Option<Vec<String>>, Error> {
    match json.get(field) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or(Error::metadata_invalid(field))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(Error::metadata_invalid(field)),
    }
}

#[cfg(test)]
#[path = "tests/discovery.rs"]
mod tests;
