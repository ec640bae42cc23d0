//! A minimal JSON data model (RFC 8259), a parser trait supplied by the platform, and a serializer.
//!
//! The core never parses JSON itself: the browser driver implements [`JsonParser`] with
//! `JSON.parse`, tests with `serde_json`. Objects keep their members in order, duplicates
//! included, so that callers can detect repeated names.

use super::text;

/// A JSON value (RFC 8259 §3).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number (RFC 8259 §6), as an IEEE 754 double like `JSON.parse`.
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object: members in document order, repeated names kept.
    Object(Vec<(String, Json)>),
}

/// Parses JSON text into [`Json`] (RFC 8259). Supplied by the platform.
///
/// Implementations must not panic, and must bound nesting depth (e.g. 128 levels) so that
/// the recursive serializer and `Drop` stay within the stack.
pub trait JsonParser {
    /// Parses `text`; `None` when it is not valid JSON.
    fn parse(&self, text: &str) -> Option<Json>;
}

/// Largest integer exactly representable in an f64 (2^53 - 1).
pub(crate) const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

impl Json {
    /// The member named `key` of an object (the last one when the name repeats, as RFC 7519 §4
    /// permits and `JSON.parse` does); `None` for non-objects.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Self::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number value, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The value as a non-negative integer, if it is a number that is integral, finite and at
    /// most 2^53 - 1 (so that it is exact); fractional or negative numbers give `None`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Number(n)
                if n.is_finite() && *n >= 0.0 && n.fract() == 0.0 && *n <= MAX_SAFE_INTEGER =>
            {
                Some(*n as u64)
            }
            _ => None,
        }
    }

    /// The boolean value, if this is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The members in document order, if this is an object.
    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Self::Object(o) => Some(o),
            _ => None,
        }
    }

    /// Whether this is an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Self::Object(_))
    }

    /// Whether this is an object in which some member name appears more than once.
    pub fn has_duplicate_names(&self) -> bool {
        match self {
            Self::Object(members) => {
                let mut names: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
                text::sort(&mut names);
                names.windows(2).any(|w| matches!(w, [a, b] if a == b))
            }
            _ => false,
        }
    }

    /// Serializes to compact JSON text (RFC 8259): strings escape `"`, `\` and control
    /// characters; numbers print in plain decimal notation and read back as the same f64
    /// (integers without a fraction); non-finite numbers become `null`.
    pub fn to_json_string(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    fn write_to(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(true) => out.push_str("true"),
            Self::Bool(false) => out.push_str("false"),
            Self::Number(n) => write_number(*n, out),
            Self::String(s) => write_string(s, out),
            Self::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_to(out);
                }
                out.push(']');
            }
            Self::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(k, out);
                    out.push(':');
                    v.write_to(out);
                }
                out.push('}');
            }
        }
    }
}

/// Writes `n` as a JSON number in plain decimal notation: integers below 2^53 as they are, other
/// numbers as their exact binary value rounded to 17 significant digits, which always reads back
/// as the same f64 (0.1 is written 0.10000000000000001). Neither `Debug` (the release build
/// compiles every `Debug` format to nothing, -Zfmt-debug=none) nor `Display` (the float
/// formatting of `core::fmt` adds about 6 KB of gzip to the wasm) is used.
fn write_number(n: f64, out: &mut String) {
    if !n.is_finite() {
        out.push_str("null");
        return;
    }
    if n.is_sign_negative() {
        out.push('-');
    }
    let n = n.abs();
    if n.fract() == 0.0 && n < 9_007_199_254_740_992.0 {
        // The cast is exact in this range.
        text::push_u64(out, n as u64);
        return;
    }
    // n = mantissa * 2^exp2: the integer mantissa * 2^exp2 when exp2 >= 0, otherwise
    // mantissa * 5^k / 10^k with k = -exp2. Its decimal digits come from that big integer.
    let bits = n.to_bits();
    let biased = (bits >> 52) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (mantissa, exp2) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    let mut limbs = vec![mantissa as u32, (mantissa >> 32) as u32];
    let (factor, times) = if exp2 >= 0 { (2, exp2) } else { (5, -exp2) };
    for _ in 0..times {
        let mut carry = 0u64;
        for limb in &mut limbs {
            let v = u64::from(*limb) * factor + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            limbs.push(carry as u32);
        }
    }
    // Digits, least significant first, 9 at a time.
    let mut digits = Vec::new();
    while !limbs.is_empty() {
        let mut rem = 0u64;
        for limb in limbs.iter_mut().rev() {
            let v = rem << 32 | u64::from(*limb);
            *limb = (v / 1_000_000_000) as u32;
            rem = v % 1_000_000_000;
        }
        for _ in 0..9 {
            digits.push((rem % 10) as u8);
            rem /= 10;
        }
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
    }
    while digits.last() == Some(&0) {
        digits.pop();
    }
    digits.reverse();
    // Digits before the decimal point (none when <= 0).
    let mut int_len = digits.len() as i32 + exp2.min(0);
    if digits.len() > 17 {
        let round_up = digits[17] >= 5;
        digits.truncate(17);
        if round_up {
            // Add one: trailing nines become zeros (dropped), 99...9 becomes 1 with one more digit.
            match digits.iter().rposition(|&d| d != 9) {
                Some(i) => {
                    digits[i] += 1;
                    digits.truncate(i + 1);
                }
                None => {
                    digits = vec![1];
                    int_len += 1;
                }
            }
        }
    }
    while digits.last() == Some(&0) {
        digits.pop();
    }
    if int_len <= 0 {
        out.push_str("0.");
        for _ in int_len..0 {
            out.push('0');
        }
    }
    for (i, d) in digits.iter().enumerate() {
        if int_len > 0 && i as i32 == int_len {
            out.push('.');
        }
        out.push(char::from(b'0' + d));
    }
    for _ in digits.len() as i32..int_len {
        out.push('0');
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u");
                text::push_hex(out, c as u32, 4, false);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
#[path = "tests/json.rs"]
mod tests;
