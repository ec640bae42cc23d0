#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

#[test]
fn a01_pkce_rfc7636_appendix_b_vector() {
    let verifier = CodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned());
    assert_eq!(
        s256_challenge(&verifier),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

#[test]
fn a01_pkce_rfc7636_appendix_b_octets() {
    // RFC 7636 Appendix B: the 32 octets that encode to the verifier above.
    let octets = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    let verifier = CodeVerifier::from_random(&octets);
    assert_eq!(
        verifier.secret(),
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    );
}

#[test]
fn a01_verifier_and_challenge_shape() {
    let verifier = CodeVerifier::from_random(&[7u8; 32]);
    assert!(is_well_formed_verifier(verifier.secret()));
    let challenge = s256_challenge(&verifier);
    assert_eq!(challenge.len(), 43);
    assert!(!challenge.contains('=') && !challenge.contains('+') && !challenge.contains('/'));
    assert_ne!(challenge, verifier.secret());
}

#[test]
fn verifier_syntax_rule() {
    assert!(is_well_formed_verifier(&"a".repeat(43)));
    assert!(is_well_formed_verifier(&"~._-".repeat(32)));
    assert!(!is_well_formed_verifier(&"a".repeat(42)));
    assert!(!is_well_formed_verifier(&"a".repeat(129)));
    assert!(!is_well_formed_verifier(&format!("{}+", "a".repeat(43))));
    assert!(!is_well_formed_verifier(&format!("{}=", "a".repeat(43))));
}
