//! WebCrypto in headless Chromium: SHA-2 digests (FIPS 180 vectors), and signature verification
//! with fixed vectors (RS256, PS256, ES256 with the JWS `R || S` encoding, EdDSA/Ed25519) made once
//! with node:crypto. Each key goes through the core's JWK reader first, as in the real flow.
#![cfg(target_arch = "wasm32")]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oxidc::browser::{BrowserJson, BrowserPlatform};
use oxidc::core::{Error, IdTokenProblem, JsonParser, Jwk};
use oxidc::driver::Platform;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

struct Vector {
    alg: &'static str,
    jwk: &'static str,
    input: &'static str,
    signature: &'static str,
}

const VECTORS: &[Vector] = &[
    Vector {
        alg: "RS256",
        jwk: r#"{"kty":"RSA","n":"pjoc7ji9B_gR--0EQeLciYL-1msoL0aDNnK1M73yL8Q9mutSP8o53U0lhljb3mkK5KN0NokC1V0cnecTsBMA4PzRPzgTsqHtizNHwjPVOj8Nklsk8BsgHuSxSoiYTb2dVTCeQDs4Tt-G4uPU3QIZi4C8d_wFgPHKSFbUvyPgRKzEcQ_OoVQKiaxvKPNwdoNu3ywoitWqUbGX37A2GUx2sI996hfr_61aJA6aw6-hsZuXc1HQHrAzNfr6Vx-g6c6vZFT9hkTpyq1aw_jv9GyzZt2eiWI2XaH102i4OcQWlyvZcPuKSzILG6RXoED1t06aw9Cgu6ZSPFTZ-VVTfag_1w","e":"AQAB"}"#,
        input: "eyJhbGciOiJSUzI1NiIsImtpZCI6InYxIn0.eyJpc3MiOiJodHRwczovL29wLmV4YW1wbGUiLCJzdWIiOiJ2ZWN0b3IiLCJhdWQiOiJzcGEifQ",
        signature: "GJpJf_HIHe22sJN3-ciwr9LXlKlGYuVqsAywGfpS0PI3UyXzZ6nbq8La4d4BS5MlTJ3bGVzgZ6BFFo7tg7ea8fCRKAhOyBUas_gG3XBXuxgc_dJp6-bEQStmO9H5m9X4QipNqQzxe3l2ZDH-j6qluY6L7abEBr9SAi5IJ0z-K5bHiMPvxwwBIX7qlohXrQDiPjJBq6a8deXXszroC9YKs6fXmnnHFNGD0kt8D1JicK0ZzY_Jm61QzSYvm5FVgYSAVD2up5ceeIItnFjDw9HizancHWS-dodSwER4ga499cImkEwTVnmKYSAt0HeufAq0DJxDy7DEmROADx8CSGj7Mg",
    },
    Vector {
        alg: "PS256",
        jwk: r#"{"kty":"RSA","n":"pjoc7ji9B_gR--0EQeLciYL-1msoL0aDNnK1M73yL8Q9mutSP8o53U0lhljb3mkK5KN0NokC1V0cnecTsBMA4PzRPzgTsqHtizNHwjPVOj8Nklsk8BsgHuSxSoiYTb2dVTCeQDs4Tt-G4uPU3QIZi4C8d_wFgPHKSFbUvyPgRKzEcQ_OoVQKiaxvKPNwdoNu3ywoitWqUbGX37A2GUx2sI996hfr_61aJA6aw6-hsZuXc1HQHrAzNfr6Vx-g6c6vZFT9hkTpyq1aw_jv9GyzZt2eiWI2XaH102i4OcQWlyvZcPuKSzILG6RXoED1t06aw9Cgu6ZSPFTZ-VVTfag_1w","e":"AQAB"}"#,
        input: "eyJhbGciOiJQUzI1NiIsImtpZCI6InYxIn0.eyJpc3MiOiJodHRwczovL29wLmV4YW1wbGUiLCJzdWIiOiJ2ZWN0b3IiLCJhdWQiOiJzcGEifQ",
        signature: "YmVWz-bzDs2Hu8OTT2fntpmC-fUQrQQfvacbw0kIrXdf_tGQ6k3IVbaJ9qk9TQR1uE5SLvn3HpW_vqn30TqucCjZ6ftWuuvUwzBrqmfTEajhrflA8-oU-IHhzfFLeHP94a8Rq5tWw4ldeOuz33Q6ueuL1jbRaUcK1ipeCQ6ZedDG8Uam5rQrCW6TuuhN_w3H2bxEZzREjgcsnaVo18LF4GM80wQDAw6IRcWZlql8MYeOvatT1yFaDuV-MeffFWxNFwsx18zI7_lMy6DGva7LFejPRhTaUXGStKBrwIue8jW3CbMweQnoe8ednlcSJ8zYFiohEkpTZxCpqwayZuSmkw",
    },
    Vector {
        alg: "ES256",
        jwk: r#"{"kty":"EC","x":"ws3oYDI5eXUeVMxRCZkltNcM9W51JgPO-AkQxC30q6U","y":"2YLJawRA4ns4Xf5C06JFRmYPxuJHpC-txgp7-twR0iY","crv":"P-256"}"#,
        input: "eyJhbGciOiJFUzI1NiIsImtpZCI6InYxIn0.eyJpc3MiOiJodHRwczovL29wLmV4YW1wbGUiLCJzdWIiOiJ2ZWN0b3IiLCJhdWQiOiJzcGEifQ",
        signature: "Uo8F87YRS9PuoBje5hh5KOm2ALXiWTaMMulu7A2gFdI8RcQljoCMoo-4KQ1nvhKyG2AGPxp_eK97O-0HzP-SZg",
    },
    Vector {
        alg: "EdDSA",
        jwk: r#"{"crv":"Ed25519","x":"m9vDiLsRa3FW7zmHs9GJOtVI5dgEQN8VIVQtoBMexTg","kty":"OKP"}"#,
        input: "eyJhbGciOiJFZERTQSIsImtpZCI6InYxIn0.eyJpc3MiOiJodHRwczovL29wLmV4YW1wbGUiLCJzdWIiOiJ2ZWN0b3IiLCJhdWQiOiJzcGEifQ",
        signature: "NgkxTzIXN7qSDcakHWNEOFpfm3gQ5Zrkfw7r2-1qXJgXeQ3a2BJKEmgoDQzZxMbqLpV555CnFQHpFEmxIYbZDA",
    },
];

fn key(v: &Vector) -> Jwk {
    Jwk::from_json(&BrowserJson.parse(v.jwk).unwrap()).expect("usable vector key")
}

async fn verify(alg: &str, jwk: &Jwk, input: &[u8], signature: &[u8]) -> Result<bool, Error> {
    BrowserPlatform::default()
        .verify_signature(alg, jwk.public_jwk(), input, signature)
        .await
}

fn sig(v: &Vector) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(v.signature).unwrap()
}

#[wasm_bindgen_test]
async fn e01_valid_signatures_verify() {
    for v in VECTORS {
        let k = key(v);
        assert!(k.can_verify(v.alg), "{}", v.alg);
        assert_eq!(sig(v).len(), k.signature_len(), "{}", v.alg);
        assert_eq!(
            verify(v.alg, &k, v.input.as_bytes(), &sig(v)).await,
            Ok(true),
            "{}",
            v.alg
        );
    }
}

#[wasm_bindgen_test]
async fn e02_altered_signature_or_input_does_not_verify() {
    for v in VECTORS {
        let k = key(v);
        for i in [0, sig(v).len() / 2, sig(v).len() - 1] {
            let mut s = sig(v);
            s[i] ^= 0x01;
            assert_eq!(
                verify(v.alg, &k, v.input.as_bytes(), &s).await,
                Ok(false),
                "{} byte {i}",
                v.alg
            );
        }
        let mut input = v.input.as_bytes().to_vec();
        let last = input.len() - 1;
        input[last] ^= 0x02;
        assert_eq!(
            verify(v.alg, &k, &input, &sig(v)).await,
            Ok(false),
            "{}",
            v.alg
        );
        assert_eq!(
            verify(v.alg, &k, v.input.as_bytes(), &[]).await,
            Ok(false),
            "{}",
            v.alg
        );
    }
}

#[wasm_bindgen_test]
async fn e06_a_signature_under_another_algorithm_or_key_does_not_verify() {
    let rs = &VECTORS[0];
    let ps = &VECTORS[1];
    // Same RSA key, PKCS#1 v1.5 signature checked as PSS and the other way round.
    assert_eq!(
        verify("PS256", &key(ps), rs.input.as_bytes(), &sig(rs)).await,
        Ok(false)
    );
    assert_eq!(
        verify("RS256", &key(rs), ps.input.as_bytes(), &sig(ps)).await,
        Ok(false)
    );
    // A key of the wrong type for the algorithm is refused by WebCrypto: not a valid signature.
    let es = &VECTORS[2];
    assert_eq!(
        verify("RS256", &key(es), rs.input.as_bytes(), &sig(rs)).await,
        Ok(false)
    );
    assert_eq!(
        verify("HS256", &key(rs), rs.input.as_bytes(), &sig(rs)).await,
        Err(Error::id_token(IdTokenProblem::Alg))
    );
    assert_eq!(
        verify("none", &key(rs), rs.input.as_bytes(), &[]).await,
        Err(Error::id_token(IdTokenProblem::Alg))
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[wasm_bindgen_test]
async fn e21_digests_match_the_fips_180_vectors_and_give_the_spec_at_hash() {
    use oxidc::core::{Sha, at_hash};
    let p = BrowserPlatform::default();
    let cases = [
        (
            Sha::Sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            Sha::Sha384,
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
        ),
        (
            Sha::Sha512,
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        ),
    ];
    for (sha, expected) in cases {
        assert_eq!(
            hex(&p.digest(sha, b"abc").await.unwrap()),
            expected,
            "{sha:?}"
        );
    }
    // OIDC Core Appendix A.3/A.4: the at_hash of this access token with RS256.
    let token = b"jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
    let digest = p.digest(Sha::Sha256, token).await.unwrap();
    assert_eq!(
        at_hash("RS256", &digest).as_deref(),
        Some("77QmUPtjPfzWtF2AnpK9RQ")
    );
}
