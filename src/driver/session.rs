//! The in-memory session: the tokens of one signed-in user and when they expire.

use crate::core::{
    AccessToken, Error, IdToken, IdTokenClaims, Json, JsonParser, Jws, RefreshToken, TokenResponse,
};

/// Tokens held in memory only: never written to storage, never sent anywhere but to the provider.
/// `Debug` is redacted.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub(crate) access_token: AccessToken,
    /// Unix seconds at which the access token expires (local receipt time + `expires_in`).
    pub(crate) expires_at: Option<u64>,
    /// The access token's lifetime as issued (`expires_in`).
    pub(crate) lifetime: Option<u64>,
    pub(crate) refresh_token: Option<RefreshToken>,
    pub(crate) id_token: Option<IdToken>,
    pub(crate) claims: Option<IdTokenClaims>,
    pub(crate) scope: Option<String>,
    /// The userinfo claims, once fetched and checked against the ID token's `sub`.
    pub(crate) userinfo: Option<Json>,
    /// Sends of this refresh token whose outcome is unknown (timeout, network error), by this client:
    /// the provider may have rotated it. Zero again with every successful refresh.
    pub(crate) unknown_outcomes: u8,
}

impl Session {
    /// Builds a session from a validated token response received at `now`.
    pub(crate) fn new(tokens: TokenResponse, claims: Option<IdTokenClaims>, now: u64) -> Self {
        Session {
            expires_at: tokens.expires_in.map(|s| now.saturating_add(s)),
            lifetime: tokens.expires_in,
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            id_token: tokens.id_token,
            claims,
            scope: tokens.scope,
            userinfo: None,
            unknown_outcomes: 0,
        }
    }

    /// Applies a refresh response: a new refresh token replaces the old one, none keeps the old one
    /// (RFC 6749 §6); a new ID token replaces the old one only after it was validated by the caller.
    pub(crate) fn renewed(
        &self,
        tokens: TokenResponse,
        claims: Option<IdTokenClaims>,
        now: u64,
    ) -> Self {
        Session {
            expires_at: tokens.expires_in.map(|s| now.saturating_add(s)),
            lifetime: tokens.expires_in,
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token.or_else(|| self.refresh_token.clone()),
            id_token: tokens.id_token.or_else(|| self.id_token.clone()),
            claims: claims.or_else(|| self.claims.clone()),
            scope: tokens.scope.or_else(|| self.scope.clone()),
            userinfo: self.userinfo.clone(),
            unknown_outcomes: 0,
        }
    }

    /// Seconds of life left at `now` (None when the provider gave no `expires_in`).
    pub(crate) fn remaining(&self, now: u64) -> Option<i64> {
        self.expires_at
            .map(|e| (e as i64).saturating_sub(now as i64))
    }

    /// The renewal margin actually used: the configured one, but at most half the token's lifetime, so
    /// that a provider issuing tokens shorter than the margin does not cause a refresh on every call;
    /// and at least one second, so that a token is never fresh at or past its expiry (a provider's
    /// `expires_in` of 0 or 1).
    pub(crate) fn margin(&self, configured: u64) -> u64 {
        self.lifetime
            .map_or(configured, |l| configured.min(l / 2))
            .max(1)
    }

    /// True when the access token has at least the (effective) margin left, or no known expiry.
    pub(crate) fn is_fresh(&self, now: u64, margin: u64) -> bool {
        let margin = self.margin(margin);
        self.remaining(now).is_none_or(|r| r >= margin as i64)
    }

    /// When to renew: expiry minus the effective margin.
    pub(crate) fn renew_at(&self, margin: u64) -> Option<u64> {
        self.expires_at
            .map(|e| e.saturating_sub(self.margin(margin)))
    }

    /// True when the access token is past its expiry.
    pub(crate) fn is_expired(&self, now: u64) -> bool {
        self.remaining(now).is_some_and(|r| r <= 0)
    }

    /// The original ID token parsed again (for the refresh-time comparison of OIDC Core §12.2).
    pub(crate) fn id_jws(&self, parser: &dyn JsonParser) -> Option<Result<Jws, Error>> {
        self.id_token
            .as_ref()
            .map(|t| Jws::parse(t.secret(), parser))
    }

    /// The ID token's claims as JSON (the payload), if the session has an ID token.
    pub(crate) fn claims_json(&self) -> Option<&Json> {
        self.claims.as_ref().map(|c| &c.payload)
    }
}
