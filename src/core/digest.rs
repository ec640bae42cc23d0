//! The SHA-2 functions the protocol names. The core does not hash access tokens itself: the
//! platform computes the digest (WebCrypto's `digest` in the browser, so no SHA-384/512 code ships in
//! the wasm) and the core compares it with the claim.

/// A SHA-2 function (FIPS 180-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sha {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Sha {
    /// The hash of a JWS `alg` (`RS*`, `PS*`, `ES*` with 256, 384 or 512), as used by `at_hash`
    /// (OIDC Core §3.1.3.8); `None` for every other `alg`, including EdDSA, whose hash depends on
    /// the curve.
    pub fn for_jws_alg(alg: &str) -> Option<Sha> {
        if !matches!(alg.get(..2), Some("RS" | "PS" | "ES")) {
            return None;
        }
        match alg.get(2..) {
            Some("256") => Some(Sha::Sha256),
            Some("384") => Some(Sha::Sha384),
            Some("512") => Some(Sha::Sha512),
            _ => None,
        }
    }

    /// The WebCrypto name (`SHA-256`, `SHA-384`, `SHA-512`).
    pub fn name(self) -> &'static str {
        match self {
            Sha::Sha256 => "SHA-256",
            Sha::Sha384 => "SHA-384",
            Sha::Sha512 => "SHA-512",
        }
    }

    /// The digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Sha::Sha256 => 32,
            Sha::Sha384 => 48,
            Sha::Sha512 => 64,
        }
    }
}
