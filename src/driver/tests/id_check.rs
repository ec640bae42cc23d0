//! The ID-token check machine alone: the order of its checks, what it fetches, and a property
//! test with random key sets, tokens, outcomes, out-of-turn and repeated outcomes, and clock jumps.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::rc::Rc;

use super::{IdCheck, Need};
use crate::core::{Error, IdTokenProblem, JsonParser, JwkSet, Jws, Platform, Sha};
use crate::driver::keys::{CachedKeys, KeyCache};
use crate::driver::test_support::{SerdeJson, fake_key, fake_signature, jwt_signed};

fn allowed() -> Vec<String> {
    ["RS256", "PS256", "ES256"].map(String::from).to_vec()
}

fn set(keys: &[(&str, u8)]) -> Rc<CachedKeys> {
    let keys: Vec<_> = keys
        .iter()
        .map(|(kid, seed)| fake_key(kid, *seed))
        .collect();
    let json = SerdeJson
        .parse(&serde_json::json!({ "keys": keys }).to_string())
        .expect("json");
    CachedKeys::for_tests(JwkSet::from_json(&json).expect("set"))
}

fn token(alg: &str, kid: Option<&str>, signer: (&str, u8), at_hash: bool) -> Jws {
    let mut header = serde_json::json!({ "alg": alg });
    if let Some(kid) = kid {
        header["kid"] = kid.into();
    }
    let mut claims = serde_json::json!({ "iss": "https://op.example", "sub": "alice" });
    if at_hash {
        claims["at_hash"] = "x".into();
    }
    let compact = jwt_signed(header, claims, &fake_key(signer.0, signer.1));
    Jws::parse(&compact, &SerdeJson).expect("jws")
}

/// The fake verification of the test platform.
fn verify(jws: &Jws, jwk: &str) -> bool {
    fake_signature(jwk, jws.signing_input(), jws.signature().len()) == jws.signature()
}

fn refused(problem: IdTokenProblem) -> Need {
    Need::Refused(Error::id_token(problem))
}

#[test]
fn e04_e06_a_refused_alg_fetches_nothing() {
    for alg in ["none", "HS256", "RS512"] {
        let jws = token(alg, Some("k1"), ("k1", 1), false);
        let mut check = IdCheck::new(&jws, &allowed(), true, None);
        assert_eq!(
            check.next(&jws, &KeyCache::new(), 0),
            refused(IdTokenProblem::Alg)
        );
    }
}

#[test]
fn the_key_set_is_fetched_once_then_the_signature_verified_then_the_digest_taken() {
    let jws = token("RS256", Some("k1"), ("k1", 1), true);
    let cache = KeyCache::new();
    let mut check = IdCheck::new(&jws, &allowed(), true, None);
    assert_eq!(check.next(&jws, &cache, 0), Need::Keys);
    // Asked again while it waits: the same need.
    assert_eq!(check.next(&jws, &cache, 0), Need::Keys);
    check.keys(Ok(set(&[("k1", 1), ("k2", 2)])));
    let Need::Verify(jwk) = check.next(&jws, &cache, 0) else {
        panic!("verify next");
    };
    assert!(verify(&jws, &jwk));
    // Out of turn: ignored.
    check.digested(Ok(vec![9]));
    check.keys(Err(Error::id_token(IdTokenProblem::KeyFetch)));
    check.verified(Ok(true));
    assert_eq!(check.next(&jws, &cache, 0), Need::Digest(Sha::Sha256));
    check.digested(Ok(vec![1, 2]));
    // A repeated answer changes nothing.
    check.digested(Ok(vec![3]));
    assert_eq!(check.next(&jws, &cache, 0), Need::Claims(Some(vec![1, 2])));
    // After the end, only a refusal.
    assert_eq!(
        check.next(&jws, &cache, 0),
        refused(IdTokenProblem::Signature)
    );
}

#[test]
fn e17_an_unknown_kid_refetches_once_per_cooldown() {
    let cache = KeyCache::new();
    let jws = token("RS256", Some("k2"), ("k2", 2), false);
    // The set held has no k2: one refetch, which has it.
    let mut check = IdCheck::new(&jws, &allowed(), true, Some(set(&[("k1", 1)])));
    assert_eq!(check.next(&jws, &cache, 100), Need::Keys);
    check.keys(Ok(set(&[("k2", 2)])));
    assert!(matches!(check.next(&jws, &cache, 100), Need::Verify(_)));
    // Within the cool-down, another unknown kid is refused without a fetch.
    let jws = token("RS256", Some("k3"), ("k3", 3), false);
    let mut check = IdCheck::new(&jws, &allowed(), true, Some(set(&[("k2", 2)])));
    assert_eq!(
        check.next(&jws, &cache, 159),
        refused(IdTokenProblem::KeySelection)
    );
    // After it, one refetch; a set fetched for this token that still lacks the kid is final.
    let mut check = IdCheck::new(&jws, &allowed(), true, Some(set(&[("k2", 2)])));
    assert_eq!(check.next(&jws, &cache, 160), Need::Keys);
    check.keys(Ok(set(&[("k2", 2)])));
    assert_eq!(
        check.next(&jws, &cache, 160),
        refused(IdTokenProblem::KeySelection)
    );
}

#[test]
fn e02_e23_a_bad_signature_a_failed_fetch_and_no_crypto_are_refusals() {
    let cache = KeyCache::new();
    let jws = token("RS256", Some("k1"), ("k1", 1), true);
    let mut check = IdCheck::new(&jws, &allowed(), true, Some(set(&[("k1", 1)])));
    assert!(matches!(check.next(&jws, &cache, 0), Need::Verify(_)));
    check.verified(Ok(false));
    // A late "true" for the same verification changes nothing.
    check.verified(Ok(true));
    assert_eq!(
        check.next(&jws, &cache, 0),
        refused(IdTokenProblem::Signature)
    );

    let mut check = IdCheck::new(&jws, &allowed(), true, None);
    assert_eq!(check.next(&jws, &cache, 0), Need::Keys);
    check.keys(Err(Error::id_token(IdTokenProblem::KeyFetch)));
    assert_eq!(
        check.next(&jws, &cache, 0),
        refused(IdTokenProblem::KeyFetch)
    );

    let down = Error::Platform(Platform::CryptoUnavailable);
    let mut check = IdCheck::new(&jws, &allowed(), true, Some(set(&[("k1", 1)])));
    assert!(matches!(check.next(&jws, &cache, 0), Need::Verify(_)));
    check.verified(Err(down.clone()));
    assert_eq!(check.next(&jws, &cache, 0), Need::Refused(down.clone()));

    let mut check = IdCheck::new(&jws, &allowed(), true, Some(set(&[("k1", 1)])));
    assert!(matches!(check.next(&jws, &cache, 0), Need::Verify(_)));
    check.verified(Ok(true));
    assert_eq!(check.next(&jws, &cache, 0), Need::Digest(Sha::Sha256));
    check.digested(Err(down.clone()));
    assert_eq!(check.next(&jws, &cache, 0), Need::Refused(down));
}

#[test]
fn e21_an_at_hash_under_an_alg_without_a_digest_goes_to_the_claims_with_an_empty_one() {
    // EdDSA names no hash for `at_hash`: the claim check gets an empty digest, which it refuses.
    let key = serde_json::json!({"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
    let claims = serde_json::json!({ "sub": "alice", "at_hash": "x" });
    let compact = jwt_signed(
        serde_json::json!({"alg": "EdDSA", "kid": "ed"}),
        claims,
        &key,
    );
    let jws = Jws::parse(&compact, &SerdeJson).expect("jws");
    let json = SerdeJson
        .parse(&serde_json::json!({ "keys": [key] }).to_string())
        .expect("json");
    let keys = CachedKeys::for_tests(JwkSet::from_json(&json).expect("set"));
    let cache = KeyCache::new();
    let mut check = IdCheck::new(&jws, &["EdDSA".to_owned()], true, Some(keys));
    let Need::Verify(jwk) = check.next(&jws, &cache, 0) else {
        panic!("verify next");
    };
    assert!(verify(&jws, &jwk));
    check.verified(Ok(true));
    assert_eq!(check.next(&jws, &cache, 0), Need::Claims(Some(Vec::new())));
}

#[test]
fn a_provider_without_jwks_uri_is_refused_before_any_fetch() {
    let jws = token("RS256", Some("k1"), ("k1", 1), false);
    let mut check = IdCheck::new(&jws, &allowed(), false, None);
    assert_eq!(
        check.next(&jws, &KeyCache::new(), 0),
        Need::Refused(Error::metadata_invalid("jwks_uri"))
    );
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use super::*;
    use proptest::prelude::*;

    const KIDS: [&str; 4] = ["k1", "k2", "k3", "kx"];

    #[derive(Clone, Debug)]
    struct Token {
        alg: &'static str,
        /// Index into KIDS, or none.
        kid: Option<usize>,
        /// The seed of the key that signed it (the published key of kid index `i` has seed `i`;
        /// 9 is never published).
        signer: u8,
        at_hash: bool,
    }

    #[derive(Clone, Debug)]
    enum Fetch {
        /// A set with these kid indexes (seed = index).
        Set(Vec<usize>),
        Fails,
    }

    #[derive(Clone, Debug)]
    struct Case {
        token: Token,
        /// The clock jump before this check (backwards too: a clock set back).
        advance: i64,
        /// Whether a key set is held when the check starts (the last one fetched).
        fetches: Vec<Fetch>,
        crypto_down: bool,
        digest_fails: bool,
        /// Out-of-turn and repeated outcomes fed before each `next`.
        noise: Vec<u8>,
    }

    fn a_token() -> impl Strategy<Value = Token> {
        (
            prop::sample::select(vec!["RS256", "PS256", "ES256", "HS256", "none", "RS384"]),
            prop::option::of(0usize..4),
            prop::sample::select(vec![0u8, 1, 2, 3, 9]),
            any::<bool>(),
        )
            .prop_map(|(alg, kid, signer, at_hash)| Token {
                alg,
                kid,
                signer,
                at_hash,
            })
    }

    fn fetch() -> impl Strategy<Value = Fetch> {
        prop_oneof![
            4 => prop::collection::vec(0usize..4, 0..3).prop_map(Fetch::Set),
            1 => Just(Fetch::Fails),
        ]
    }

    fn case() -> impl Strategy<Value = Case> {
        (
            a_token(),
            prop_oneof![Just(0i64), 1i64..59, 60i64..200, -200i64..0],
            prop::collection::vec(fetch(), 0..3),
            any::<bool>(),
            any::<bool>(),
            prop::collection::vec(any::<u8>(), 0..12),
        )
            .prop_map(
                |(token, advance, fetches, crypto_down, digest_fails, noise)| Case {
                    token,
                    advance,
                    fetches,
                    crypto_down,
                    digest_fails,
                    noise,
                },
            )
    }

    fn key_set(kids: &[usize]) -> Rc<CachedKeys> {
        let keys: Vec<(&str, u8)> = kids.iter().map(|i| (KIDS[*i], *i as u8)).collect();
        set(&keys)
    }

    /// An outcome of another kind than `need` asks for, or a repeat of one given already.
    fn feed_noise(check: &mut IdCheck, byte: u8, need: &Need) {
        let fetch_failed = || Err(Error::id_token(IdTokenProblem::KeyFetch));
        match (byte % 3, need) {
            (0, Need::Keys) | (1, Need::Verify(_)) | (2, Need::Digest(_)) => {}
            // Keys the provider never published (seed 9, the unpublished signer's), under its kids.
            (0, _) => check.keys(if byte & 8 == 0 {
                Ok(set(&[("k1", 9), ("k2", 9), ("k3", 9), ("kx", 9)]))
            } else {
                fetch_failed()
            }),
            (1, _) => check.verified(Ok(byte & 8 == 0)),
            _ => check.digested(Ok(vec![byte])),
        }
    }

    fn run(cases: &[Case]) -> Result<(), TestCaseError> {
        let cache = KeyCache::new();
        let mut now = 1_000u64;
        let mut held: Option<Vec<usize>> = None;
        // When a refetch for an unknown kid went out (Unix seconds).
        let mut refetches: Vec<u64> = Vec::new();
        for (n, case) in cases.iter().enumerate() {
            now = now.saturating_add_signed(case.advance);
            let t = &case.token;
            let jws = token(t.alg, t.kid.map(|i| KIDS[i]), ("any", t.signer), t.at_hash);
            let cached = held.as_deref().map(key_set);
            let started_with_keys = cached.is_some();
            let mut check = IdCheck::new(&jws, &allowed(), true, cached);
            let mut fetches = case.fetches.iter();
            let mut keys_asked = 0;
            let mut latest: Option<Vec<usize>> = held.clone();
            let mut verified_with: Option<String> = None;
            let mut digest_given: Option<Vec<u8>> = None;
            let mut noise = case.noise.iter();
            let mut last = Need::Keys;
            let outcome = 'check: {
                for _ in 0..12 {
                    if let Some(byte) = noise.next() {
                        feed_noise(&mut check, *byte, &last);
                    }
                    let need = check.next(&jws, &cache, now);
                    match &need {
                        Need::Keys => {
                            prop_assert!(
                                allowed().iter().any(|a| a == t.alg),
                                "case {n}: keys fetched for a refused alg"
                            );
                            // One fetch per check: the first for a client without keys, else
                            // a refetch for an unknown kid; a set fetched for this token is final.
                            keys_asked += 1;
                            prop_assert!(keys_asked <= 1, "case {n}: a second key fetch");
                            if started_with_keys {
                                refetches.push(now);
                            }
                            match fetches.next() {
                                Some(Fetch::Set(kids)) => {
                                    latest = Some(kids.clone());
                                    held = Some(kids.clone());
                                    check.keys(Ok(key_set(kids)));
                                }
                                _ => check.keys(Err(Error::id_token(IdTokenProblem::KeyFetch))),
                            }
                        }
                        Need::Verify(jwk) => {
                            let result = if case.crypto_down {
                                Err(Error::Platform(Platform::CryptoUnavailable))
                            } else {
                                Ok(verify(&jws, jwk))
                            };
                            if result == Ok(true) {
                                verified_with = Some(jwk.clone());
                            }
                            check.verified(result);
                        }
                        Need::Digest(_) => {
                            prop_assert!(t.at_hash, "case {n}: a digest without at_hash");
                            if case.digest_fails {
                                check.digested(Err(Error::Platform(Platform::CryptoUnavailable)));
                            } else {
                                digest_given = Some(vec![n as u8, 7]);
                                check.digested(Ok(vec![n as u8, 7]));
                            }
                        }
                        Need::Claims(_) | Need::Refused(_) => break 'check need,
                    }
                    last = need;
                }
                return Err(TestCaseError::fail(format!("case {n}: no end in 12 steps")));
            };
            if let Need::Claims(digest) = &outcome {
                // Accepted only after a key of the latest set, the token's `kid` if it has one,
                // verified the token's signature.
                prop_assert!(
                    verified_with.is_some(),
                    "case {n}: claims without a verification"
                );
                let seed = usize::from(t.signer);
                let published = latest.as_ref().is_some_and(|kids| kids.contains(&seed));
                prop_assert!(published, "case {n}: accepted a key that is not published");
                if let Some(kid) = t.kid {
                    prop_assert_eq!(kid, seed, "case {}: accepted another kid's key", n);
                }
                prop_assert!(!case.crypto_down);
                match (t.at_hash, t.alg) {
                    (false, _) => prop_assert_eq!(digest, &None),
                    (true, _) => prop_assert_eq!(digest, &digest_given),
                }
            }
            // After the end: a refusal, whatever comes in.
            check.verified(Ok(true));
            check.digested(Ok(vec![0]));
            prop_assert!(matches!(check.next(&jws, &cache, now), Need::Refused(_)));
        }
        // At most one refetch for an unknown kid per cool-down (a clock set back allows one).
        for w in refetches.windows(2) {
            prop_assert!(
                w[1] < w[0] || w[1] - w[0] >= crate::driver::REFETCH_COOLDOWN_SECS,
                "refetches at {:?}",
                refetches
            );
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::driver::test_support::proptest_cases()))]

        #[test]
        fn e02_e04_e17_e23_id_token_check_invariants_hold_for_random_tokens_key_sets_and_outcomes(
            cases in prop::collection::vec(case(), 1..12)
        ) {
            run(&cases)?;
        }
    }
}
