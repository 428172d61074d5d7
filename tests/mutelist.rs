//! Prowler's mutelist: loading, matching, exceptions, and errors that name the problem.

#![allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use kms_exposure::config::Config;
use kms_exposure::mutelist::{Mutelist, Subject};

const CHECK: &str = "kms_key_not_publicly_accessible";

fn subject<'a>(account: &'a str, check: &'a str, region: &'a str, id: &'a str, arn: &'a str, tags: &'a [(String, String)]) -> Subject<'a> {
    Subject { account, check, region, resource_id: id, resource_arn: arn, tags }
}

fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
}

#[test]
fn prowlers_example_loads_and_mutes_what_it_says() {
    // Prowler's own example, from the steering repository's shared/ beside this checkout.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/prowler-mutelist-example.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (shared/ must sit beside the checkout)", path.display()));
    let ml = Mutelist::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ml.len(), 6);
    let none: Vec<(String, String)> = Vec::new();
    // iam_user_hardware_mfa_enabled: us-east-1, user-1 / user-2 in 123456789012.
    assert!(ml.is_muted(&subject("123456789012", "iam_user_hardware_mfa_enabled", "us-east-1", "user-1", "arn:aws:iam::123456789012:user/user-1", &none)));
    assert!(!ml.is_muted(&subject("123456789012", "iam_user_hardware_mfa_enabled", "eu-west-1", "user-1", "x", &none)));
    assert!(!ml.is_muted(&subject("111111111111", "iam_user_hardware_mfa_enabled", "us-east-1", "user-3", "x", &none)));
    // ec2_* everything in 123456789012.
    assert!(ml.is_muted(&subject("123456789012", "ec2_instance_public_ip", "ap-south-1", "i-1", "x", &none)));
    // "*" check, resource containing "test" AND all three tag items.
    let all = tags(&[("test", "test"), ("project", "stage"), ("environment", "prod")]);
    assert!(ml.is_muted(&subject("123456789012", CHECK, "eu-west-1", "my-test-key", "x", &all)));
    let missing = tags(&[("test", "test"), ("project", "stage")]);
    assert!(!ml.is_muted(&subject("123456789012", CHECK, "eu-west-1", "my-test-key", "x", &missing)), "tags are ANDed");
    // Any account: s3_bucket_object_versioning for buckets matching "logs" in two regions.
    assert!(ml.is_muted(&subject("999999999999", "s3_bucket_object_versioning", "eu-west-1", "qa-logs", "x", &none)));
    assert!(!ml.is_muted(&subject("999999999999", "s3_bucket_object_versioning", "ap-south-1", "qa-logs", "x", &none)));
    // Any account, any check: tag environment=dev.
    assert!(ml.is_muted(&subject("999999999999", CHECK, "us-east-1", "k", "x", &tags(&[("environment", "dev")]))));
    assert!(!ml.is_muted(&subject("999999999999", CHECK, "us-east-1", "k", "x", &tags(&[("environment", "prod")]))));
    // Exceptions: account 0123456789012 in eu-west-1 / eu-south-2 is not muted.
    let ecs = "ecs_task_definitions_no_environment_secrets";
    assert!(ml.is_muted(&subject("999999999999", ecs, "eu-west-1", "td", "x", &none)));
    assert!(!ml.is_muted(&subject("0123456789012", ecs, "eu-west-1", "td", "x", &none)), "the exception wins");
    assert!(ml.is_muted(&subject("0123456789012", ecs, "us-east-1", "td", "x", &none)), "every exception list must match");
}

#[test]
fn matching_rules_for_this_check() {
    let ml = Mutelist::parse(
        r#"
Mutelist:
  Accounts:
    "123456789012":
      Checks:
        "kms_key_not_publicly_accessible":
          Regions: ["eu-.*"]
          Resources: ["^1234abcd-", "key/shared-.*$"]
          Tags: ["team=(sec|ops)", "env=prod"]
          Description: "accepted risk"
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let good = tags(&[("team", "ops"), ("env", "prod")]);
    let arn = "arn:aws:kms:eu-west-1:123456789012:key/shared-1";
    assert!(ml.is_muted(&subject("123456789012", CHECK, "eu-west-1", "1234abcd-0000", "x", &good)), "resource id regex");
    assert!(ml.is_muted(&subject("123456789012", CHECK, "eu-central-1", "other", arn, &good)), "resource ARN regex");
    assert!(!ml.is_muted(&subject("123456789012", CHECK, "us-east-1", "1234abcd-0000", "x", &good)), "region");
    assert!(!ml.is_muted(&subject("444455556666", CHECK, "eu-west-1", "1234abcd-0000", "x", &good)), "account");
    assert!(!ml.is_muted(&subject("123456789012", CHECK, "eu-west-1", "1234abcd-0000", "x", &tags(&[("team", "dev"), ("env", "prod")]))));
    assert!(!ml.is_muted(&subject("123456789012", CHECK, "eu-west-1", "1234abcd-0000", "x", &[])), "no tags, tag rule");
    assert!(!ml.is_muted(&subject("123456789012", "other_check", "eu-west-1", "1234abcd-0000", "x", &good)));
}

#[test]
fn malformed_mutelists_name_the_problem() {
    let cases = [
        ("Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        x: [unclosed\n", "line"),
        ("Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"*\":\n          Regions: [\"*\"]\n          Resources: [\"(\"]\n", "Mutelist.Accounts.*.Checks.*.Resources[0]"),
        ("Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"*\":\n          Region: [\"*\"]\n          Resources: [\"*\"]\n", "unknown field `Region`"),
        ("Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"*\":\n          Resources: [\"*\"]\n", "no `Regions` list"),
        ("Mutelist:\n  Acounts: {}\n", "unknown field `Acounts`"),
        ("Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"*\":\n          Regions: \"*\"\n          Resources: [\"*\"]\n", "expected a list"),
        ("Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"*\":\n          Regions: [\"*\"]\n          Resources: [\"*\"]\n          Exceptions:\n            Account: [\"1\"]\n", "unknown field `Account`"),
    ];
    for (text, expected) in cases {
        let err = Mutelist::parse(text).err().unwrap_or_else(|| panic!("accepted: {text}"));
        assert!(err.contains(expected), "error `{err}` does not contain `{expected}`");
    }
    let err = Mutelist::load(std::path::Path::new("/nonexistent/mutelist.yaml")).err().unwrap_or_default();
    assert!(err.contains("/nonexistent/mutelist.yaml"));
}

#[test]
fn unquoted_account_ids_are_read_as_text() {
    let ml = Mutelist::parse("Mutelist:\n  Accounts:\n    123456789012:\n      Checks:\n        \"*\":\n          Regions: [\"*\"]\n          Resources: [\"*\"]\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(ml.is_muted(&subject("123456789012", CHECK, "us-east-1", "k", "x", &[])));
}

#[test]
fn config_file_reads_our_keys_and_prowlers() {
    let cfg = Config::parse(
        "kms_exposure:\n  trusted_accounts: [\"111122223333\"]\n  trusted_orgs: [o-a1b2c3d4e5]\n  trusted_ips: [\"203.0.113.0/24\"]\n  fail_on_cross_account: true\naws:\n  trusted_account_ids: [444455556666]\n  max_ec2_instance_age_in_days: 180\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cfg.trusted_accounts, vec!["111122223333".to_string(), "444455556666".to_string()]);
    assert_eq!(cfg.trusted_orgs, vec!["o-a1b2c3d4e5".to_string()]);
    assert_eq!(cfg.trusted_ips, vec!["203.0.113.0/24".to_string()]);
    assert!(cfg.fail_on_cross_account);
    let err = Config::parse("kms_exposure:\n  trusted_acounts: []\n").err().unwrap_or_default();
    assert!(err.contains("trusted_acounts"), "{err}");
    let err = Config::parse("kms_exposure:\n  trusted_ips: 5\n").err().unwrap_or_default();
    assert!(err.contains("kms_exposure.trusted_ips"), "{err}");
}
