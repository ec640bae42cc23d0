use sha2::{Digest, Sha256};

use super::*;

fn example_key() -> DpopPublicKey {
    // The public key of the proofs in RFC 9449 §4.1 and §7.1.
    DpopPublicKey::new(
        "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
        "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
    )
    .unwrap()
}

fn decode_part(part: &str) -> serde_json::Value {
    serde_json::from_slice(&base64url::decode(part).unwrap()).unwrap()
}

#[test]
fn thumbprint_matches_rfc_9449_example() {
    // RFC 9449 §6.1: the `jkt` of the example key.
    let digest = Sha256::digest(example_key().jwk().as_bytes());
    assert_eq!(jkt(&digest), "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
}

#[test]
fn public_key_needs_two_32_byte_coordinates() {
    assert!(DpopPublicKey::new("AAAA", "AAAA").is_none());
    assert!(DpopPublicKey::new("l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs", "x y").is_none());
    assert!(DpopPublicKey::new("l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs\"", "").is_none());
}

#[test]
fn proof_has_the_header_and_claims_of_rfc_9449() {
    let digest = [7u8; 32];
    let input = proof_signing_input(
        &example_key(),
        &ProofClaims {
            htm: "POST",
            url: "https://server.example.com/token?x=1#frag",
            iat: 1_562_262_616,
            jti: &[1u8; 16],
            nonce: Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"),
            access_token_digest: Some(&digest),
        },
    );
    let proof = finish_proof(input.clone(), &[9u8; 64]);
    let parts: Vec<&str> = proof.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(format!("{}.{}", parts[0], parts[1]), input);
    let header = decode_part(parts[0]);
    assert_eq!(header["typ"], "dpop+jwt");
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["jwk"]["kty"], "EC");
    assert_eq!(header["jwk"]["crv"], "P-256");
    assert!(header["jwk"].get("d").is_none(), "never the private key");
    let payload = decode_part(parts[1]);
    assert_eq!(payload["htm"], "POST");
    assert_eq!(
        payload["htu"], "https://server.example.com/token",
        "no query or fragment"
    );
    assert_eq!(payload["iat"], 1_562_262_616u64);
    assert_eq!(payload["jti"], base64url::encode(&[1u8; 16]));
    assert_eq!(payload["nonce"], "eyJ7S_zG.eyJH0-Z.HX4w-7v");
    assert_eq!(payload["ath"], base64url::encode(&digest));
    assert_eq!(base64url::decode(parts[2]).unwrap(), vec![9u8; 64]);
}

#[test]
fn proof_without_nonce_or_token_has_neither_claim() {
    let input = proof_signing_input(
        &example_key(),
        &ProofClaims {
            htm: "GET",
            url: "https://api.example/\"quoted\"",
            iat: 1,
            jti: &[2u8; 16],
            nonce: None,
            access_token_digest: None,
        },
    );
    let payload = decode_part(input.split('.').nth(1).unwrap());
    assert!(payload.get("nonce").is_none());
    assert!(payload.get("ath").is_none());
    assert_eq!(
        payload["htu"], "https://api.example/\"quoted\"",
        "escaped, not broken"
    );
}

#[test]
fn nonce_is_nqchar_only() {
    assert!(valid_nonce("eyJ7S_zG.eyJH0-Z.HX4w-7v"));
    for bad in ["", "a b", "a\"b", "a\\b", "\u{e9}", "a\r\nb"] {
        assert!(!valid_nonce(bad), "{bad:?}");
    }
    assert!(!valid_nonce(&"a".repeat(1025)));
}

#[test]
fn only_listed_origins_as_written_are_allowed() {
    let allowed = vec![
        "https://api.example.com".to_owned(),
        "http://127.0.0.1:8081".to_owned(),
    ];
    for ok in [
        "https://api.example.com/v1/orders?x=1",
        "https://api.example.com",
        "http://127.0.0.1:8081/x#y",
    ] {
        assert!(origin_allowed(ok, &allowed), "{ok}");
    }
    for refused in [
        "https://api.example.com.evil.com/",
        "https://api.example.com@evil.com/",
        "https://evil.com/https://api.example.com/",
        "https://api.example.com:443/",
        "http://api.example.com/",
        "HTTPS://api.example.com/",
        "//api.example.com/",
        "https://api.example.co",
        "http://127.0.0.1:8082/",
    ] {
        assert!(!origin_allowed(refused, &allowed), "{refused}");
    }
}

#[test]
fn canonical_origins_only() {
    for ok in [
        "https://api.example.com",
        "http://127.0.0.1:8081",
        "https://[::1]:8443",
    ] {
        assert!(is_canonical_origin(ok), "{ok}");
    }
    for bad in [
        "https://api.example.com/",
        "https://api.example.com/v1",
        "https://API.example.com",
        "https://api.example.com:443",
        "http://api.example.com:80",
        "https://u@api.example.com",
        "https://",
        "api.example.com",
        "https://api.example.com:",
    ] {
        assert!(!is_canonical_origin(bad), "{bad}");
    }
}

#[test]
fn i04_a_grant_endpoint_is_recognized_however_it_is_spelled() {
    let token = "https://idp.example/oauth/token";
    for spelled in [
        "https://idp.example/oauth/token",
        "https://idp.example/oauth/token/",
        "https://idp.example/oauth/TOKEN?x=1",
        "https://IDP.example:443/oauth/token",
        "https://idp.example/oauth/%74oken",
        "https://idp.example/oauth//token",
        "https://idp.example//oauth/token",
        "https://idp.example/oauth/./token",
        "https://idp.example/x/../oauth/token",
    ] {
        assert!(may_name_endpoint(spelled, token), "{spelled}");
    }
    assert!(may_name_endpoint(
        "https://idp.example/token",
        "https://IDP.example:443/token?tenant=a"
    ));
    for other in [
        "https://idp.example/oauth/userinfo",
        "https://idp.example/oauth/token-info",
        "https://api.example/oauth/token",
        "http://idp.example/oauth/token",
        "https://idp.example:8443/oauth/token",
    ] {
        assert!(!may_name_endpoint(other, token), "{other}");
    }
}
