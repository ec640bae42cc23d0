//! Base64url without padding (RFC 4648 §5, as JOSE uses it: RFC 7515 §2), strict on decoding:
//! `=`, `+`, `/`, whitespace, a length of 1 mod 4 and non-zero trailing bits are refused.
//!
//! Native and framework builds use the `base64` crate. The npm build (feature `js`) uses the small
//! codec below instead: the crate's general-purpose engine cost it 5.3 KB of wasm code (about 2 KB
//! gzip) for the two functions the library needs. Both are held to the same answers by the
//! property tests.

/// Encodes `bytes` as base64url without padding.
#[cfg(not(feature = "js"))]
pub fn encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes strict base64url without padding; `None` for anything else.
#[cfg(not(feature = "js"))]
pub fn decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
}

#[cfg(feature = "js")]
pub use small::{decode, encode};

/// The small codec of the npm build (compiled in every test build, to be compared with the crate).
#[cfg(any(feature = "js", test))]
pub(crate) mod small {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// Encodes `bytes` as base64url without padding.
    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                chunk.get(1).copied().unwrap_or(0),
                chunk.get(2).copied().unwrap_or(0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..=chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            }
        }
        out
    }

    fn value(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        }))
    }

    /// Decodes strict base64url without padding; `None` for anything else.
    pub fn decode(text: &str) -> Option<Vec<u8>> {
        let text = text.as_bytes();
        if text.len() % 4 == 1 {
            return None;
        }
        let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
        for chunk in text.chunks(4) {
            let mut n = 0u32;
            for (i, c) in chunk.iter().enumerate() {
                n |= value(*c)? << (18 - 6 * i);
            }
            let bytes = chunk.len() - 1;
            // The bits past the last whole byte must be zero (canonical encoding).
            if n & (0x00ff_ffff >> (8 * bytes)) != 0 {
                return None;
            }
            out.extend_from_slice(&n.to_be_bytes()[1..=bytes]);
        }
        Some(out)
    }
}

#[cfg(test)]
#[path = "tests/base64url.rs"]
mod tests;
