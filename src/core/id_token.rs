//! ID token claims validation (OIDC Core §3.1.3.7), refresh rules (§12.2) and `at_hash`
//! (§3.1.3.8).
//!
//! Signature verification is NOT done here: the browser driver verifies
//! [`Jws::signing_input`] and [`Jws::signature`] with WebCrypto against the provider's JWKS.
//! Tokens must be treated as unusable until both steps succeed (RFC 9700 §4.5.3.2).

use super::base64url;

use super::config::{TENANT_PLACEHOLDER, Tenants};
use super::digest::Sha;
use super::error::{Error, IdTokenProblem};
use super::json::Json;
use super::jwks::check_alg;
use super::jwt::Jws;
use super::secret::{Nonce, constant_time_eq};
use super::text;

/// Longest accepted `sub`, in bytes (OIDC Core §2: at most 255 ASCII characters).
pub const MAX_SUB_LEN: usize = 255;

/// The validated claims of an ID token. The `nonce` is not kept: `payload` has every claim
/// except `nonce`, and `nonce_present` says whether there was one.
#[derive(Clone, Debug, PartialEq)]
pub struct IdTokenClaims {
    /// `iss`.
    pub iss: String,
    /// `sub`.
    pub sub: String,
    /// `aud`, as a list.
    pub aud: Vec<String>,
    /// `azp`.
    pub azp: Option<String>,
    /// `exp`, Unix seconds.
    pub exp: u64,
    /// `iat`, Unix seconds.
    pub iat: u64,
    /// `nbf`, Unix seconds.
    pub nbf: Option<u64>,
    /// `auth_time`, Unix seconds.
    pub auth_time: Option<u64>,
    /// Whether the token carried a `nonce`.
    pub nonce_present: bool,
    /// `at_hash`.
    pub at_hash: Option<String>,
    /// All claims except `nonce`.
    pub payload: Json,
}

/// What an ID token must satisfy (OIDC Core §3.1.3.7).
#[derive(Clone, Copy, Debug)]
pub struct IdTokenExpectations<'a> {
    /// The expected `iss` (exact); in multi-tenant mode the discovery `issuer`, whose `{tenantid}`
    /// placeholder is replaced by the token's `tid`.
    pub issuer: &'a str,
    /// Multi-tenant mode: the accepted tenants, and `tid` is required (see
    /// [`ClientConfig::allowed_tenants`](super::config::ClientConfig::allowed_tenants)).
    pub tenants: Option<&'a Tenants>,
    /// This client's identifier, expected in `aud`.
    pub client_id: &'a str,
    /// The nonce sent in the authorization request; `None` for refreshed tokens.
    pub nonce: Option<&'a Nonce>,
    /// The `max_age` sent, requiring `auth_time`.
    pub max_age: Option<u64>,
    /// The `acr` values asked as essential (OIDC Core §5.5.1.1): the token's `acr` must be one of
    /// them. `None` when none was essential (a voluntary `acr` is never refused).
    pub essential_acr: Option<&'a [String]>,
    /// Allowed `alg` values: client allow-list ∩ provider metadata (computed by the caller).
    pub allowed_algs: &'a [String],
    /// Clock tolerance, seconds.
    pub leeway_secs: u64,
    /// How old `iat` may be, seconds (plus leeway).
    pub max_iat_age_secs: u64,
    /// When an access token came with the ID token and the ID token has an `at_hash` claim: the
    /// access token's digest with [`Sha::for_jws_alg`] of the token's `alg` (empty when that gives
    /// `None`, so the claim is refused). `None`: `at_hash` is not checked.
    pub access_token_digest: Option<&'a [u8]>,
}

fn fail(problem: IdTokenProblem) -> Error {
    Error::id_token(problem)
}

/// A NumericDate claim (RFC 7519 §2): absent is `None`; a non-negative integral number is
/// `Some`; anything else (fractional, negative, string, null) is `problem`.
fn numeric(payload: &Json, name: &str, problem: IdTokenProblem) -> Result<Option<u64>, Error> {
    match payload.get(name) {
        None => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or(fail(problem)),
    }
}

/// `aud` as a list: a string, or a non-empty array of strings (OIDC Core §2).
fn audiences(payload: &Json) -> Option<Vec<String>> {
    match payload.get("aud")? {
        Json::String(s) => Some(vec![s.clone()]),
        Json::Array(items) if !items.is_empty() => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

/// Explicit typing (RFC 8725 §3.11): an ID token's `typ` is absent or `JWT`; other types
/// (`at+jwt`, `logout+jwt`, …) are other kinds of JWT and must not be accepted here.
fn typ_is_acceptable(typ: Option<&str>) -> bool {
    typ.is_none_or(|t| t.eq_ignore_ascii_case("JWT") || t.eq_ignore_ascii_case("application/jwt"))
}

/// Validates the claims of a parsed ID token (OIDC Core §3.1.3.7): `alg` (E04, E06), `typ`,
/// `iss` (E07), `aud`/`azp` (E08), `sub` (E10), `exp`, `iat` (E11, E13), `nbf`, `nonce`
/// (E14), `auth_time` for `max_age` (E22), an essential `acr` (E24), `at_hash` (E21) and, in
/// multi-tenant mode, `tid`.
pub fn validate_id_token(
    jws: &Jws,
    expect: &IdTokenExpectations<'_>,
    now: u64,
) -> Result<IdTokenClaims, Error> {
    let payload = &jws.payload;
    let leeway = expect.leeway_secs;
    let alg = jws.alg.as_str();
    check_alg(jws, expect.allowed_algs)?;
    if !typ_is_acceptable(jws.typ.as_deref()) {
        return Err(fail(IdTokenProblem::Typ));
    }
    let iss = payload
        .get("iss")
        .and_then(Json::as_str)
        .ok_or(fail(IdTokenProblem::Iss))?;
    match expect.tenants {
        None if iss != expect.issuer => return Err(fail(IdTokenProblem::Iss)),
        None => {}
        Some(tenants) => {
            let tid = match payload.get("tid") {
                Some(Json::String(tid)) if tenants.allows(tid) => tid,
                _ => return Err(fail(IdTokenProblem::Tid)),
            };
            if iss != expect.issuer.replacen(TENANT_PLACEHOLDER, tid, 1) {
                return Err(fail(IdTokenProblem::Iss));
            }
        }
    }
    let aud = audiences(payload).ok_or(fail(IdTokenProblem::Aud))?;
    if !aud.iter().any(|a| a == expect.client_id) {
        return Err(fail(IdTokenProblem::Aud));
    }
    let azp = match payload.get("azp") {
        None => None,
        Some(Json::String(azp)) if azp == expect.client_id => Some(azp.clone()),
        Some(_) => return Err(fail(IdTokenProblem::Azp)),
    };
    if aud.len() > 1 && azp.is_none() {
        return Err(fail(IdTokenProblem::Azp));
    }
    let sub = match payload.get("sub") {
        Some(Json::String(s)) if !s.is_empty() && s.len() <= MAX_SUB_LEN => s.clone(),
        _ => return Err(fail(IdTokenProblem::Sub)),
    };
    let exp = numeric(payload, "exp", IdTokenProblem::Exp)?.ok_or(fail(IdTokenProblem::Exp))?;
    if now > exp.saturating_add(leeway) {
        return Err(fail(IdTokenProblem::Exp));
    }
    let iat = numeric(payload, "iat", IdTokenProblem::Iat)?.ok_or(fail(IdTokenProblem::Iat))?;
    let too_old = iat
        .saturating_add(expect.max_iat_age_secs)
        .saturating_add(leeway)
        < now;
    if iat > now.saturating_add(leeway) || too_old {
        return Err(fail(IdTokenProblem::Iat));
    }
    let nbf = numeric(payload, "nbf", IdTokenProblem::Nbf)?;
    if nbf.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
        return Err(fail(IdTokenProblem::Nbf));
    }
    if let Some(expected) = expect.nonce {
        let ok = matches!(payload.get("nonce"), Some(Json::String(n))
            if constant_time_eq(n.as_bytes(), expected.secret().as_bytes()));
        if !ok {
            return Err(fail(IdTokenProblem::Nonce));
        }
    }
    let auth_time = numeric(payload, "auth_time", IdTokenProblem::AuthTime)?;
    if auth_time.is_some_and(|t| t > now.saturating_add(leeway)) {
        return Err(fail(IdTokenProblem::AuthTime));
    }
    if let Some(max_age) = expect.max_age {
        let t = auth_time.ok_or(fail(IdTokenProblem::AuthTime))?;
        if t.saturating_add(max_age).saturating_add(leeway) < now {
            return Err(fail(IdTokenProblem::AuthTime));
        }
    }
    if let Some(asked) = expect.essential_acr {
        let ok = matches!(payload.get("acr"), Some(Json::String(acr)) if asked.contains(acr));
        if !ok {
            return Err(fail(IdTokenProblem::Acr));
        }
    }
    let at_hash_claim = match payload.get("at_hash") {
        None => None,
        Some(Json::String(h)) => Some(h.clone()),
        Some(_) => return Err(fail(IdTokenProblem::AtHash)),
    };
    if let (Some(claim), Some(digest)) = (&at_hash_claim, expect.access_token_digest) {
        if at_hash(alg, digest).as_deref() != Some(claim.as_str()) {
            return Err(fail(IdTokenProblem::AtHash));
        }
    }
    let members = payload.as_object().unwrap_or(&[]);
    Ok(IdTokenClaims {
        iss: iss.to_owned(),
        sub,
        aud,
        azp,
        exp,
        iat,
        nbf,
        auth_time,
        nonce_present: payload.get("nonce").is_some(),
        at_hash: at_hash_claim,
        payload: Json::Object(
            members
                .iter()
                .filter(|(k, _)| k != "nonce")
                .cloned()
                .collect(),
        ),
    })
}

/// Checks a refreshed ID token against the original (OIDC Core §12.2): same `iss`, `sub`,
/// `aud` set and `azp`; `auth_time` unchanged when both carry it; a `nonce`, if present,
/// equal to the original's. Call [`validate_id_token`] (without nonce) on it first.
pub fn validate_refreshed_id_token(
    new: &IdTokenClaims,
    new_jws: &Jws,
    original: &IdTokenClaims,
    original_jws: &Jws,
) -> Result<(), Error> {
    let mismatch = |field: &'static str| Err(fail(IdTokenProblem::RefreshMismatch(field)));
    if new.iss != original.iss {
        return mismatch("iss");
    }
    if new.sub != original.sub {
        return mismatch("sub");
    }
    if audience_set(&new.aud) != audience_set(&original.aud) {
        return mismatch("aud");
    }
    if (new.azp.is_some() || original.azp.is_some()) && new.azp != original.azp {
        return mismatch("azp");
    }
    if let (Some(a), Some(b)) = (new.auth_time, original.auth_time) {
        if a != b {
            return mismatch("auth_time");
        }
    }
    if let Some(nonce) = new_jws.payload.get("nonce") {
        let same = match (nonce, original_jws.payload.get("nonce")) {
            (Json::String(a), Some(Json::String(b))) => {
                constant_time_eq(a.as_bytes(), b.as_bytes())
            }
            _ => false,
        };
        if !same {
            return mismatch("nonce");
        }
    }
    Ok(())
}

fn audience_set(aud: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = aud.iter().map(String::as_str).collect();
    text::sort(&mut v);
    v.dedup();
    v
}

/// `at_hash` (OIDC Core §3.1.3.8): base64url of the left half of `digest`, the access token's
/// hash with the SHA-2 size named by `alg` ([`Sha::for_jws_alg`]); `None` when `alg` names no
/// hash (EdDSA, whose hash depends on the curve, among others) or `digest` is not of that size.
pub fn at_hash(alg: &str, digest: &[u8]) -> Option<String> {
    let sha = Sha::for_jws_alg(alg)?;
    if digest.len() != sha.output_len() {
        return None;
    }
    Some(base64url::encode(&digest[..digest.len() / 2]))
}

#[cfg(test)]
#[path = "tests/id_token.rs"]
mod tests;

#[cfg(test)]
#[path = "tests/id_token_refresh.rs"]
mod refresh_tests;
