//! Hostile input: limits (KMS's 32 KB policy and much larger), nesting, encodings, numbers,
//! duplicate keys; and property tests (bounded here, long with `make fuzz`) for the mutelist
//! loader and for reading ASFF files in `push`.

#![allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use kms_exposure::mutelist::{Mutelist, Subject};
use kms_exposure::policy::{self, TrustZone, Verdict};
use kms_exposure::securityhub;
use proptest::prelude::*;
use serde_json::{Value, json};

fn zone() -> TrustZone {
    TrustZone::for_owner("111122223333")
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

/// A policy of about `bytes` bytes: many private statements, one public at the end.
fn big_policy(bytes: usize) -> String {
    let private = json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"});
    let one = private.to_string().len() + 1;
    let mut statements: Vec<Value> = (0..bytes / one).map(|_| private.clone()).collect();
    statements.push(json!({"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt"}));
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

#[test]
fn kms_maximum_and_much_larger_policies() {
    let max = big_policy(32 * 1024);
    assert!(max.len() >= 32 * 1024 - 200 && max.len() <= 33 * 1024);
    let eval = policy::evaluate_bytes(max.as_bytes(), &zone());
    assert_eq!(eval.verdict, Verdict::Public);
    let huge = big_policy(8 * 1024 * 1024);
    let started = std::time::Instant::now();
    let eval = policy::evaluate_bytes(huge.as_bytes(), &zone());
    assert_eq!(eval.verdict, Verdict::Public, "the public statement at the end is found");
    assert!(started.elapsed().as_secs() < 30);
}

#[test]
fn nesting_encoding_numbers_and_duplicates() {
    let z = zone();
    let deep = format!("{{\"Statement\": {}{}}}", "[".repeat(200_000), "]".repeat(200_000));
    assert_eq!(policy::evaluate_bytes(deep.as_bytes(), &z).verdict, Verdict::Unknown);
    let deep_condition = format!(
        "{{\"Statement\": [{{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"kms:*\", \"Condition\": {}1{}}}]}}",
        "{\"a\":".repeat(5000),
        "}".repeat(5000)
    );
    assert_eq!(policy::evaluate_bytes(deep_condition.as_bytes(), &z).verdict, Verdict::Unknown, "too deep to read: never a PASS");
    assert_eq!(policy::evaluate_bytes(b"\xff\xfe{\"Statement\": []}", &z).verdict, Verdict::Unknown);
    // A raw control character inside a string is not JSON: unknown, never a PASS.
    assert_eq!(policy::evaluate_bytes("{\"Statement\": [], \"Sid\": \"\u{0}\"}".as_bytes(), &z).verdict, Verdict::Unknown);
    let huge_number = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Condition": {"StringEquals": {"kms:CallerAccount": 1e999999}}}]}"#;
    assert_ne!(policy::evaluate_bytes(huge_number.as_bytes(), &z).verdict, Verdict::Private);
    let big_int = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Condition": {"StringEquals": {"kms:CallerAccount": 123456789012345678901234567890}}}]}"#;
    assert_eq!(policy::evaluate_bytes(big_int.as_bytes(), &z).verdict, Verdict::Public, "not an account id");
    // Duplicate keys: the JSON reader keeps the last; either way the verdict is never a
    // silent PASS for a document whose last Effect is Allow with an open principal.
    let dup = r#"{"Statement": [{"Effect": "Deny", "Effect": "Allow", "Principal": "*", "Action": "kms:*"}]}"#;
    assert_eq!(policy::evaluate_bytes(dup.as_bytes(), &z).verdict, Verdict::Public);
    let string_of_string = serde_json::to_string(&serde_json::to_string(&json!({"Statement": []})).unwrap_or_default()).unwrap_or_default();
    assert_eq!(policy::evaluate_bytes(string_of_string.as_bytes(), &z).verdict, Verdict::Unknown);
}

fn arb_yaml() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "Mutelist:", "  Accounts:", "    \"*\":", "    123456789012:", "      Checks:", "        \"*\":",
        "        kms_key_not_publicly_accessible:", "          Regions:", "          Resources:", "          Tags:",
        "          Exceptions:", "            Accounts:", "            - \"*\"", "            - \"(\"", "            - \"a=b|c=d\"",
        "          - \"us-east-1\"", "          - \"*\"", "          Description: x", "  - [", "{", "}", ": :", "\t", "- ",
        "          Regions: \"*\"", "          Resources: [\"k\", 5, null]", "Mutelist: null", "&a [*a]",
    ]);
    prop::collection::vec(token, 0..20).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn mutelist_loader_never_panics(text in arb_yaml(), noise in ".{0,40}") {
        for doc in [text.clone(), format!("{text}\n{noise}"), noise.clone()] {
            if let Ok(ml) = Mutelist::parse(&doc) {
                let tags = vec![("a".to_string(), "b".to_string())];
                let _ = ml.is_muted(&Subject { account: "123456789012", check: "kms_key_not_publicly_accessible", region: "us-east-1", resource_id: "k", resource_arn: "arn", tags: &tags });
            }
        }
    }

    #[test]
    fn asff_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200), id in ".{0,20}", n in any::<f64>()) {
        let candidates = [
            Value::Null,
            json!({"Id": id}),
            json!({"Id": id, "Resources": [{"Type": 5, "Region": n}], "Severity": {"Label": id}, "Compliance": {"Status": n}}),
            json!({"Id": id, "Resources": "x", "ProductFields": {"a": 1}, "CreatedAt": n}),
            json!([id]),
        ];
        for c in candidates {
            let _ = securityhub::to_sdk(&c);
            let mut v = c.clone();
            let _ = securityhub::shrink(&mut v);
        }
        if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
            let _ = securityhub::to_sdk(&v);
            let _ = securityhub::by_region(vec![v]);
        }
    }
}
