//! Newtypes for secret strings: redacted `Debug`, no `Display`, constant-time equality,
//! best-effort wiping on drop.

use super::base64url;

/// Compares two byte strings in time that depends only on their lengths (a length
/// difference returns early: lengths are not secret here).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a
        .iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// Encodes 32 caller-supplied random bytes as base64url without padding: 43 characters,
/// 256 bits (RFC 6749 §10.10, RFC 7636 §4.1).
pub fn random_value(bytes: &[u8; 32]) -> String {
    base64url::encode(bytes)
}

macro_rules! secret_string {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: String) -> Self {
                Self(value)
            }

            /// Security: returns the secret itself. Send it only where the protocol requires
            /// it; never log, display, persist or put it in a URL.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                constant_time_eq(self.0.as_bytes(), other.0.as_bytes())
            }
        }

        impl Eq for $name {}

        impl Drop for $name {
            fn drop(&mut self) {
                wipe(&mut self.0);
            }
        }
    };
}

/// Best-effort overwrite of a string's bytes before its memory is freed (copies made by
/// earlier reallocations or by JavaScript cannot be reached).
fn wipe(s: &mut String) {
    let mut bytes = std::mem::take(s).into_bytes();
    for b in bytes.iter_mut() {
        *b = 0;
    }
    std::hint::black_box(&bytes);
}

secret_string!(
    /// An OAuth access token (RFC 6749 §1.4).
    AccessToken
);
secret_string!(
    /// An OAuth refresh token (RFC 6749 §1.5).
    RefreshToken
);
secret_string!(
    /// An OpenID Connect ID token in compact JWS form (OIDC Core §2).
    IdToken
);
secret_string!(
    /// An authorization code (RFC 6749 §4.1.2).
    AuthorizationCode
);
secret_string!(
    /// A PKCE code verifier (RFC 7636 §4.1).
    CodeVerifier
);
secret_string!(
    /// The `state` value binding the callback to the login (RFC 6749 §10.12).
    State
);
secret_string!(
    /// The OIDC `nonce` binding the ID token to the login (OIDC Core §3.1.2.1).
    Nonce
);

#[cfg(test)]
#[path = "tests/secret.rs"]
mod tests;
