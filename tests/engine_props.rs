//! Property tests: the engine is total (never panics), never changes its input, and adding
//! a Deny never widens exposure.

#![allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use kms_exposure::policy::{self, TrustZone, Verdict};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Arbitrary JSON, biased towards the words a policy uses so that deep paths get exercised.
fn arb_json() -> impl Strategy<Value = Value> {
    let words = prop::sample::select(vec![
        "*", "kms:*", "kms:Decrypt", "s3:*", "Allow", "Deny", "AWS", "Service", "111122223333",
        "444455556666", "arn:aws:iam::*:root", "arn:aws:iam::111122223333:root", "o-a1b2c3d4e5",
        "10.0.0.0/8", "0.0.0.0/0", "${aws:ResourceAccount}", "vpce-1", "AROA3XFRBF535PLBIFPI4:*", "",
        "true", "arn:aws:s3:::b", "::ffff:8.8.8.8",
    ])
    .prop_map(|s| Value::String(s.to_string()));
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        words,
        ".{0,12}".prop_map(Value::String),
    ];
    let keys = prop::sample::select(vec![
        "Statement", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Condition", "Sid",
        "AWS", "Service", "CanonicalUser", "Federated", "StringEquals", "StringNotEquals",
        "ForAnyValue:StringLike", "ArnLike", "IpAddress", "Bool", "StringEqualsIfExists",
        "kms:CallerAccount", "aws:PrincipalOrgID", "aws:PrincipalArn", "aws:SourceIp", "aws:userid",
        "aws:PrincipalIsAWSService", "Policy", "x",
    ]);
    leaf.prop_recursive(6, 96, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<_, _>>())),
        ]
    })
}

/// A policy-shaped document: a list of statements built from realistic pieces.
fn arb_policy() -> impl Strategy<Value = Value> {
    let principal = prop::sample::select(vec![
        json!("*"), json!({"AWS": "*"}), json!({"AWS": "arn:aws:iam::111122223333:root"}),
        json!({"AWS": "444455556666"}), json!({"Service": "logs.amazonaws.com"}),
        json!({"AWS": ["*", "arn:aws:iam::444455556666:root"]}), json!({"Federated": "accounts.google.com"}),
    ]);
    let action = prop::sample::select(vec![json!("kms:*"), json!("kms:Decrypt"), json!("*"), json!(["kms:Encrypt", "kms:Decrypt"]), json!("s3:*")]);
    let condition = prop::sample::select(vec![
        Value::Null,
        json!({"StringEquals": {"kms:CallerAccount": "111122223333"}}),
        json!({"StringEquals": {"kms:CallerAccount": "444455556666"}}),
        json!({"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}),
        json!({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}),
        json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        json!({"StringLike": {"kms:CallerAccount": "*"}}),
    ]);
    let stmt = (principal, action, condition, any::<bool>()).prop_map(|(p, a, c, not)| {
        let mut s = json!({"Effect": "Allow", "Action": a});
        if let Some(o) = s.as_object_mut() {
            o.insert(if not { "NotPrincipal" } else { "Principal" }.into(), p);
            if !c.is_null() {
                o.insert("Condition".into(), c);
            }
        }
        s
    });
    prop::collection::vec(stmt, 0..5).prop_map(|s| json!({"Version": "2012-10-17", "Statement": s}))
}

fn arb_deny() -> impl Strategy<Value = Value> {
    let principal = prop::sample::select(vec![json!("*"), json!({"AWS": "444455556666"}), json!({"Service": "*"})]);
    let action = prop::sample::select(vec![json!("kms:*"), json!("kms:Decrypt"), json!("*")]);
    let condition = prop::sample::select(vec![
        Value::Null,
        json!({"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}),
        json!({"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}),
        json!({"Bool": {"aws:SecureTransport": "false"}}),
    ]);
    (principal, action, condition).prop_map(|(p, a, c)| {
        let mut d = json!({"Effect": "Deny", "Principal": p, "Action": a});
        if let (false, Some(o)) = (c.is_null(), d.as_object_mut()) {
            o.insert("Condition".into(), c);
        }
        d
    })
}

fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Private => 0,
        Verdict::CrossAccount => 1,
        Verdict::Public => 2,
        Verdict::Unknown => 3,
    }
}

fn zones() -> Vec<TrustZone> {
    vec![
        TrustZone::default(),
        TrustZone::for_owner("111122223333"),
        TrustZone { trusted_orgs: vec!["o-a1b2c3d4e5".into()], ..TrustZone::for_owner("111122223333") },
    ]
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn total_on_arbitrary_json(doc in arb_json()) {
        let before = doc.clone();
        for zone in zones() {
            let eval = policy::evaluate(&doc, &zone);
            prop_assert!(!eval.reasons.is_empty());
            let wrapped = json!({"Statement": doc.clone()});
            let _ = policy::evaluate(&wrapped, &zone);
            let text = doc.to_string();
            let _ = policy::evaluate_bytes(text.as_bytes(), &zone);
        }
        prop_assert_eq!(doc, before);
    }

    #[test]
    fn total_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let eval = policy::evaluate_bytes(&bytes, &TrustZone::for_owner("111122223333"));
        prop_assert!(!eval.reasons.is_empty());
    }

    #[test]
    fn adding_a_deny_never_widens_exposure(doc in arb_policy(), deny in arb_deny()) {
        for zone in zones() {
            let before = policy::evaluate(&doc, &zone).verdict;
            let mut with_deny = doc.clone();
            if let Some(Value::Array(s)) = with_deny.get_mut("Statement") {
                s.push(deny.clone());
            }
            let after = policy::evaluate(&with_deny, &zone).verdict;
            prop_assert!(rank(after) <= rank(before), "{before} became {after} after adding {deny}");
        }
    }

    #[test]
    fn offline_never_reports_cross_account(doc in arb_policy()) {
        let eval = policy::evaluate(&doc, &TrustZone::default());
        prop_assert_ne!(eval.verdict, Verdict::CrossAccount);
    }
}
