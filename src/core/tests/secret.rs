#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

#[test]
fn debug_is_redacted_for_every_secret() {
    let value = "super-secret-value".to_owned();
    let debugs = [
        format!("{:?}", AccessToken::new(value.clone())),
        format!("{:?}", RefreshToken::new(value.clone())),
        format!("{:?}", IdToken::new(value.clone())),
        format!("{:?}", AuthorizationCode::new(value.clone())),
        format!("{:?}", CodeVerifier::new(value.clone())),
        format!("{:?}", State::new(value.clone())),
        format!("{:?}", Nonce::new(value.clone())),
        format!("{:#?}", Some(AccessToken::new(value.clone()))),
    ];
    for d in &debugs {
        assert!(!d.contains(&value), "{d}");
        assert!(d.contains("[redacted]"), "{d}");
    }
    assert_eq!(debugs[0], "AccessToken([redacted])");
    assert_eq!(debugs[6], "Nonce([redacted])");
}

#[test]
fn secret_returns_the_value_and_equality_compares_it() {
    let a = State::new("abc".into());
    assert_eq!(a.secret(), "abc");
    assert_eq!(a, State::new("abc".into()));
    assert_ne!(a, State::new("abd".into()));
    assert_ne!(a, State::new("abcd".into()));
    assert_eq!(a.clone(), a);
}

#[test]
fn constant_time_eq_accepts_equal_and_rejects_different() {
    assert!(constant_time_eq(b"", b""));
    assert!(constant_time_eq(b"same", b"same"));
    assert!(!constant_time_eq(b"same", b"samf"));
    assert!(!constant_time_eq(b"xame", b"same"));
    assert!(!constant_time_eq(b"same", b"sam"));
    assert!(!constant_time_eq(b"", b"a"));
}

#[test]
fn a03_random_value_is_43_base64url_chars_and_distinct() {
    let a = random_value(&[0u8; 32]);
    let b = random_value(&[1u8; 32]);
    let c = random_value(&[255u8; 32]);
    for v in [&a, &b, &c] {
        assert_eq!(v.len(), 43);
        assert!(
            v.bytes()
                .all(|x| x.is_ascii_alphanumeric() || x == b'-' || x == b'_'),
            "{v}"
        );
    }
    assert_eq!(a, "A".repeat(43));
    assert_eq!(c, format!("{}8", "_".repeat(42)));
    assert_ne!(a, b);
    assert_ne!(b, c);
}
