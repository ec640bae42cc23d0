//! Small text helpers that need no `core::fmt`: decimal and hexadecimal integers appended to a
//! `String`, and an in-place sort for the few places that compare sets of names.
//!
//! `format!`, `write!` and `to_string()` on a number pull the standard library's formatting
//! machinery (`Formatter`, padding, `core::fmt::write`) into the wasm, and `sort_unstable` its
//! pattern-defeating quicksort (about 3 KB). The npm build ships none of them (`.ci/check-wasm-fmt.sh`
//! fails when they come back); these helpers are what the core uses instead, in every build.

/// Appends `n` in decimal (`12`, `0`, `18446744073709551615`), as `n.to_string()` writes it.
pub(crate) fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[start..] {
        out.push(char::from(d));
    }
}

/// Appends the `width` lowest hexadecimal digits of `n`, most significant first, in uppercase
/// (`%2F`) or lowercase (`\u001f`): `format!("{n:02X}")` and `format!("{n:04x}")` for values that
/// fit the width.
pub(crate) fn push_hex(out: &mut String, n: u32, width: u32, upper: bool) {
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    for i in (0..width).rev() {
        out.push(char::from(digits[(n >> (4 * i)) as usize & 0xF]));
    }
}

/// Sorts `v` in place in ascending order, like `v.sort_unstable()` (heapsort: at most about
/// 2 n log2 n comparisons, no allocation, whatever order a hostile response lists its names in).
pub(crate) fn sort<T: Ord>(v: &mut [T]) {
    let n = v.len();
    for root in (0..n / 2).rev() {
        sift_down(v, root, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

/// Moves `v[root]` down the max-heap `v[..end]` until both its children are not greater.
fn sift_down<T: Ord>(v: &mut [T], mut root: usize, end: usize) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && v[child] < v[child + 1] {
            child += 1;
        }
        if v[root] >= v[child] {
            return;
        }
        v.swap(root, child);
        root = child;
    }
}

#[cfg(test)]
#[path = "tests/text.rs"]
mod tests;
