#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

fn decimal(n: u64) -> String {
    let mut out = String::from("<");
    push_u64(&mut out, n);
    out
}

#[test]
fn integers_print_as_to_string_does() {
    for n in [
        0,
        1,
        9,
        10,
        99,
        100,
        400,
        65_535,
        1 << 53,
        u64::MAX - 1,
        u64::MAX,
    ] {
        assert_eq!(decimal(n), ["<", &n.to_string()].concat());
    }
}

#[test]
fn hex_digits_are_the_lowest_ones_padded_to_the_width() {
    let hex = |n, width, upper| {
        let mut out = String::from("%");
        push_hex(&mut out, n, width, upper);
        out
    };
    for b in 0..=255u32 {
        assert_eq!(hex(b, 2, true), format!("%{b:02X}"));
        assert_eq!(hex(b, 4, false), format!("%{b:04x}"));
    }
    assert_eq!(hex(0x1f, 4, false), "%001f");
    assert_eq!(hex(0xABCD, 4, true), "%ABCD");
    assert_eq!(hex(0x12345, 4, false), "%2345", "only the lowest digits");
    assert_eq!(hex(7, 0, true), "%");
}

#[test]
fn sort_orders_like_the_standard_sort() {
    let cases: [&[&str]; 6] = [
        &[],
        &["a"],
        &["b", "a"],
        &["aud", "iss", "sub", "aud", "", "iss", "z", "A", "é", "aa"],
        &["x"; 9],
        &[
            "5", "4", "3", "2", "1", "0", "9", "8", "7", "6", "5", "4", "3", "2", "1", "0", "10",
        ],
    ];
    for case in cases {
        let mut ours = case.to_vec();
        let mut std = case.to_vec();
        sort(&mut ours);
        std.sort_unstable();
        assert_eq!(ours, std, "{case:?}");
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use proptest::prelude::*;

    use super::{decimal, sort};

    proptest! {
        #[test]
        fn any_u64_prints_as_to_string_does(n in any::<u64>()) {
            prop_assert_eq!(decimal(n), ["<", &n.to_string()].concat());
        }

        #[test]
        fn any_list_sorts_like_the_standard_sort(
            mut names in prop::collection::vec("[a-c]{0,3}|\\PC{0,4}", 0..200),
        ) {
            let mut std = names.clone();
            std.sort_unstable();
            sort(&mut names);
            prop_assert_eq!(names, std);
        }
    }
}
