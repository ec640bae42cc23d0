//! PKCE with the S256 method only (RFC 7636); `plain` is never produced (RFC 7636 §4.2, §7.2).

use super::base64url;
use sha2::{Digest as _, Sha256};

use super::secret::{CodeVerifier, random_value};

impl CodeVerifier {
    /// A fresh verifier from 32 caller-supplied random bytes: 43 base64url characters,
    /// 256 bits of entropy (RFC 7636 §4.1, §7.1).
    pub fn from_random(bytes: &[u8; 32]) -> Self {
        Self::new(random_value(bytes))
    }
}

/// The S256 code challenge: `BASE64URL(SHA256(ASCII(code_verifier)))` (RFC 7636 §4.2).
pub fn s256_challenge(verifier: &CodeVerifier) -> String {
    base64url::encode(&Sha256::digest(verifier.secret().as_bytes()))
}

/// The S256 code challenge from the verifier's SHA-256 `digest`, computed elsewhere (WebCrypto).
pub(crate) fn challenge_of(digest: &[u8; 32]) -> String {
    base64url::encode(digest)
}

/// Whether `verifier` has the RFC 7636 §4.1 syntax: 43 to 128 characters from
/// `[A-Za-z0-9-._~]`.
pub fn is_well_formed_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

#[cfg(test)]
#[path = "tests/pkce.rs"]
mod tests;
