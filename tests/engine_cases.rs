//! The labelled cases, evaluated in process: verdict, deciding reason code, input unchanged.

#![allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::cases;
use kms_exposure::policy::{self, Verdict};
use serde_json::Value;

#[test]
fn every_labelled_case_gets_its_verdict() {
    let all = cases::all();
    assert!(all.len() >= 150, "only {} cases", all.len());
    let mut failures = Vec::new();
    for case in &all {
        let zone = common::trust_zone(&case.zone);
        let before = case.policy.clone();
        let eval = match &case.policy {
            Value::String(text) => policy::evaluate_bytes(text.as_bytes(), &zone),
            doc => policy::evaluate(doc, &zone),
        };
        assert_eq!(case.policy, before, "{}: input changed", case.name);
        if eval.verdict.as_str() != case.verdict {
            failures.push(format!("{}: expected {}, got {}: {:#?}", case.name, case.verdict, eval.verdict, eval.reasons));
            continue;
        }
        if let Some(code) = case.code {
            let got = eval.main_reason().map(|r| r.code.as_str());
            if got != Some(code) {
                failures.push(format!("{}: expected main reason {code}, got {got:?}", case.name));
            }
        }
        assert!(!eval.reasons.is_empty(), "{}: a verdict without reasons", case.name);
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), all.len(), failures.join("\n"));
}

#[test]
fn names_are_unique() {
    let all = cases::all();
    let mut names: Vec<&str> = all.iter().map(|c| c.name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "duplicate case names");
}

#[test]
fn public_reason_says_why_in_words() {
    let doc = serde_json::json!({"Statement": [
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*"},
        {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt",
         "Condition": {"StringEquals": {"kms:CallerAccount": "*"}}}
    ]});
    let eval = policy::evaluate(&doc, &policy::TrustZone::for_owner("111122223333"));
    assert_eq!(eval.verdict, Verdict::Public);
    let main = eval.main_reason().unwrap_or_else(|| panic!("no reason"));
    assert_eq!(main.statement_index, Some(1));
    assert_eq!(main.sid.as_deref(), Some("Public"));
    assert_eq!(main.principal, vec!["*".to_string()]);
    assert_eq!(main.actions, vec!["kms:Decrypt".to_string()]);
    assert_eq!(
        main.message,
        "Statement[1] (Sid \"Public\"): Principal \"*\" may call kms:Decrypt; no condition confines the caller: condition kms:CallerAccount is \"*\", a wildcard"
    );
    let note = main.conditions.first().unwrap_or_else(|| panic!("no condition note"));
    assert!(!note.confining);
}

#[test]
fn deny_that_does_not_cancel_is_named() {
    let doc = serde_json::json!({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "kms:*"},
        {"Sid": "Guard", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt"}
    ]});
    let eval = policy::evaluate(&doc, &policy::TrustZone::for_owner("111122223333"));
    assert_eq!(eval.verdict, Verdict::Public);
    let main = eval.main_reason().unwrap_or_else(|| panic!("no reason"));
    assert!(main.message.contains("Deny Statement[1] (Sid \"Guard\") does not cancel it"), "{}", main.message);
    assert_eq!(main.denies.len(), 1);
    assert!(!main.denies.iter().any(|d| d.cancels));
}

#[test]
fn cross_account_names_the_outsiders() {
    let doc = cases::via_services(cases::OTHER);
    let eval = policy::evaluate(&doc, &policy::TrustZone::for_owner(cases::OWNER));
    assert_eq!(eval.verdict, Verdict::CrossAccount);
    assert_eq!(eval.outside_names(), vec![cases::OTHER.to_string()]);
}

#[test]
fn malformed_beside_public_is_named() {
    let doc = serde_json::json!({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "kms:*"},
        {"Sid": "Broken", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "NotAction": "s3:*"}
    ]});
    let eval = policy::evaluate(&doc, &policy::TrustZone::for_owner("111122223333"));
    assert_eq!(eval.verdict, Verdict::Public);
    assert!(eval.reasons.iter().any(|r| r.code.as_str() == "malformed-statement" && r.sid.as_deref() == Some("Broken")));
}

#[test]
fn get_key_policy_output_is_unwrapped() {
    let inner = serde_json::to_string(&cases::via_services(cases::OWNER)).unwrap_or_default();
    let wrapped = serde_json::json!({"Policy": inner, "PolicyName": "default"}).to_string();
    let eval = policy::evaluate_bytes(wrapped.as_bytes(), &policy::TrustZone::for_owner(cases::OWNER));
    assert_eq!(eval.verdict, Verdict::Private);
    let bad = serde_json::json!({"Policy": "{not json", "PolicyName": "default"}).to_string();
    let eval = policy::evaluate_bytes(bad.as_bytes(), &policy::TrustZone::for_owner(cases::OWNER));
    assert_eq!(eval.verdict, Verdict::Unknown);
}

#[test]
fn invalid_utf8_and_deep_nesting_are_unknown() {
    let eval = policy::evaluate_bytes(b"{\"Statement\": \"\xff\xfe\"}", &policy::TrustZone::default());
    assert_eq!(eval.verdict, Verdict::Unknown);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let eval = policy::evaluate_bytes(deep.as_bytes(), &policy::TrustZone::default());
    assert_eq!(eval.verdict, Verdict::Unknown);
}
