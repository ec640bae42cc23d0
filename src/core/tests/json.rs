#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::support::{Fixed, SerdeJson, parse};

fn obj(members: &[(&str, Json)]) -> Json {
    Json::Object(
        members
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

#[test]
fn get_returns_the_last_of_repeated_names() {
    let o = obj(&[
        ("sub", Json::String("a".into())),
        ("x", Json::Null),
        ("sub", Json::String("b".into())),
    ]);
    assert_eq!(o.get("sub").and_then(Json::as_str), Some("b"));
    assert!(o.has_duplicate_names());
    assert!(!obj(&[("a", Json::Null), ("b", Json::Null)]).has_duplicate_names());
    assert_eq!(o.get("missing"), None);
    assert_eq!(Json::Array(vec![]).get("sub"), None);
    assert!(!Json::Null.has_duplicate_names());
}

#[test]
fn accessors_match_only_their_type() {
    assert_eq!(Json::String("s".into()).as_str(), Some("s"));
    assert_eq!(Json::Number(1.5).as_str(), None);
    assert_eq!(Json::Number(1.5).as_f64(), Some(1.5));
    assert_eq!(Json::Bool(true).as_f64(), None);
    assert_eq!(Json::Bool(true).as_bool(), Some(true));
    assert_eq!(Json::Null.as_bool(), None);
    assert_eq!(
        Json::Array(vec![Json::Null]).as_array().map(<[Json]>::len),
        Some(1)
    );
    assert_eq!(Json::Null.as_array(), None);
    assert!(obj(&[]).as_object().is_some() && obj(&[]).is_object());
    assert!(Json::Null.as_object().is_none() && !Json::Array(vec![]).is_object());
}

#[test]
fn as_u64_accepts_only_exact_non_negative_integers() {
    assert_eq!(Json::Number(0.0).as_u64(), Some(0));
    assert_eq!(Json::Number(1_700_000_000.0).as_u64(), Some(1_700_000_000));
    assert_eq!(
        Json::Number(9_007_199_254_740_991.0).as_u64(),
        Some(9_007_199_254_740_991)
    );
    for bad in [
        -1.0,
        1.5,
        9_007_199_254_740_992.0,
        f64::NAN,
        f64::INFINITY,
        1e300,
    ] {
        assert_eq!(Json::Number(bad).as_u64(), None, "{bad}");
    }
    assert_eq!(Json::String("5".into()).as_u64(), None);
}

#[test]
fn serializer_escapes_quotes_backslashes_and_controls() {
    let s = Json::String("a\"b\\c\n\u{1}\u{1f}é😀".into()).to_json_string();
    assert_eq!(s, "\"a\\\"b\\\\c\\u000a\\u0001\\u001fé😀\"");
    assert_eq!(
        SerdeJson.parse(&s),
        Some(Json::String("a\"b\\c\n\u{1}\u{1f}é😀".into()))
    );
}

#[test]
fn serializer_numbers() {
    assert_eq!(Json::Number(42.0).to_json_string(), "42");
    assert_eq!(Json::Number(-3.0).to_json_string(), "-3");
    assert_eq!(Json::Number(0.5).to_json_string(), "0.5");
    assert_eq!(Json::Number(f64::NAN).to_json_string(), "null");
    assert_eq!(Json::Number(f64::INFINITY).to_json_string(), "null");
    assert_eq!(Json::Number(f64::NEG_INFINITY).to_json_string(), "null");
    assert_eq!(
        Json::Number(9_007_199_254_740_991.0).to_json_string(),
        "9007199254740991"
    );
    for n in [1e300, 1.0e-7, 9_007_199_254_740_992.0, -0.0, 123.456] {
        let text = Json::Number(n).to_json_string();
        assert_eq!(parse(&text).as_f64(), Some(n), "{text}");
    }
}

#[test]
fn serializer_structures_round_trip() {
    let v = obj(&[
        (
            "a",
            Json::Array(vec![
                Json::Null,
                Json::Bool(true),
                Json::Bool(false),
                Json::Number(1.0),
            ]),
        ),
        ("b", obj(&[("c", Json::String("d".into()))])),
        ("e", Json::Array(vec![])),
        ("k\"ey", obj(&[])),
    ]);
    let text = v.to_json_string();
    assert_eq!(
        text,
        r#"{"a":[null,true,false,1],"b":{"c":"d"},"e":[],"k\"ey":{}}"#
    );
    let back = parse(&text);
    assert_eq!(back.get("a"), v.get("a"));
    assert_eq!(back.get("k\"ey"), Some(&obj(&[])));
}

#[test]
fn fixed_parser_helper_returns_its_value() {
    assert_eq!(Fixed(Json::Null).parse("anything"), Some(Json::Null));
    assert_eq!(SerdeJson.parse("{"), None);
}
