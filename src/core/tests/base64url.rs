use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::small;

/// A small deterministic generator (xorshift), so that the comparison covers many inputs.
fn bytes(seed: &mut u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            (*seed >> 24) as u8
        })
        .collect()
}

#[test]
fn the_small_codec_encodes_as_the_crate() {
    let mut seed = 0x9e37_79b9_7f4a_7c15;
    for len in 0..200 {
        for _ in 0..8 {
            let data = bytes(&mut seed, len);
            assert_eq!(
                small::encode(&data),
                URL_SAFE_NO_PAD.encode(&data),
                "{data:?}"
            );
            assert_eq!(small::decode(&small::encode(&data)), Some(data));
        }
    }
}

#[test]
fn e20_the_small_codec_refuses_what_the_crate_refuses() {
    let mut seed = 42;
    let alphabet = b"AQgw_-+/=. \n\x00\xc3\xa9Zz09";
    for len in 0..24 {
        for _ in 0..400 {
            let raw = bytes(&mut seed, len);
            let text: String = raw
                .iter()
                .map(|b| char::from(alphabet[*b as usize % alphabet.len()]))
                .collect();
            assert_eq!(
                small::decode(&text),
                URL_SAFE_NO_PAD.decode(&text).ok(),
                "{text:?}"
            );
        }
    }
    for text in [
        "A", "AB==", "AB=", "AR", "AAB", "AAAAB", "a+b/", "QUJD\n", "é",
    ] {
        assert_eq!(
            small::decode(text),
            URL_SAFE_NO_PAD.decode(text).ok(),
            "{text:?}"
        );
    }
    assert_eq!(small::decode("AR"), None, "non-zero trailing bits");
    assert_eq!(small::decode("AQ"), Some(vec![1]));
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;

    use super::small;

    proptest! {
        #[test]
        fn encoding_any_bytes_matches_the_crate(data in prop::collection::vec(any::<u8>(), 0..300)) {
            prop_assert_eq!(small::encode(&data), URL_SAFE_NO_PAD.encode(&data));
        }

        #[test]
        fn decoding_any_text_matches_the_crate(text in "[A-Za-z0-9_=+/. -]{0,40}|\\PC{0,12}") {
            prop_assert_eq!(small::decode(&text), URL_SAFE_NO_PAD.decode(&text).ok());
        }

        #[test]
        fn a_changed_character_of_a_valid_text_decodes_as_the_crate_does(
            data in prop::collection::vec(any::<u8>(), 1..64),
            at in any::<prop::sample::Index>(),
            c in any::<char>(),
        ) {
            let mut chars: Vec<char> = URL_SAFE_NO_PAD.encode(&data).chars().collect();
            let i = at.index(chars.len());
            chars[i] = c;
            let text: String = chars.into_iter().collect();
            prop_assert_eq!(small::decode(&text), URL_SAFE_NO_PAD.decode(&text).ok());
        }
    }
}
