//! `scan` against a real emulator (moto server over HTTP, the real AWS SDK), with a proxy
//! for what moto cannot do (paging, injected errors, AWS-managed keys).

#![allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use common::moto::{self, Moto};
use common::proxy::{Fail, Proxy, Rules};
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";
const OTHER: &str = "444455556666";

fn root() -> Value {
    json!({"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*", "Resource": "*"})
}
fn policy(extra: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [root(), extra]})
}
fn public() -> Value {
    policy(json!({"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}))
}
fn cross() -> Value {
    policy(json!({"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{OTHER}:root")}, "Action": "kms:Decrypt", "Resource": "*"}))
}
fn private() -> Value {
    json!({"Version": "2012-10-17", "Statement": [root()]})
}
fn caller_account_wildcard() -> Value {
    policy(json!({"Sid": "Wild", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
                  "Condition": {"StringEquals": {"kms:CallerAccount": "*"}}}))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap_or_else(|e| panic!("{e}"))
}

/// key id -> (status_code, verdict, status_detail)
fn by_key(findings: &[Value]) -> HashMap<String, (String, String, String)> {
    let mut out = HashMap::new();
    for f in findings {
        let id = f["resources"][0]["name"].as_str().unwrap_or_default().to_string();
        let entry = (
            f["status_code"].as_str().unwrap_or_default().to_string(),
            f["resources"][0]["data"]["verdict"].as_str().unwrap_or("NONE").to_string(),
            f["status_detail"].as_str().unwrap_or_default().to_string(),
        );
        assert!(out.insert(id.clone(), entry).is_none(), "key {id} reported twice");
    }
    out
}

struct Seeded {
    public: String,
    cross: String,
    private: String,
    disabled: String,
    pending: String,
    wildcard: String,
    eu_public: String,
    eu_private: String,
}

async fn seed(endpoint: &str) -> Seeded {
    let us = moto::kms(endpoint, "us-east-1").await;
    let eu = moto::kms(endpoint, "eu-west-1").await;
    let public_id = moto::create_key(&us, &public(), Some("alias/app-data"), &[("Environment", "prod"), ("Owner", "team-a")]).await;
    let cross_id = moto::create_key(&us, &cross(), None, &[]).await;
    let private_id = moto::create_key(&us, &private(), Some("alias/private"), &[]).await;
    let disabled = moto::create_key(&us, &public(), None, &[]).await;
    us.disable_key().key_id(&disabled).send().await.unwrap_or_else(|e| panic!("{e:?}"));
    let pending = moto::create_key(&us, &public(), None, &[]).await;
    us.schedule_key_deletion().key_id(&pending).pending_window_in_days(7).send().await.unwrap_or_else(|e| panic!("{e:?}"));
    let wildcard = moto::create_key(&us, &caller_account_wildcard(), None, &[]).await;
    let eu_public = moto::create_key(&eu, &public(), None, &[]).await;
    let eu_private = moto::create_key(&eu, &private(), None, &[]).await;
    Seeded { public: public_id, cross: cross_id, private: private_id, disabled, pending, wildcard, eu_public, eu_private }
}

#[test]
fn scan_reports_every_key_once_with_the_spec_verdict() {
    let moto = Moto::start();
    let s = runtime().block_on(seed(&moto.endpoint));
    let dir = moto::out_dir("scan-main");
    let out = moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "eu-west-1", "-o", &dir.to_string_lossy(), "-b"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "public keys give exit 3\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let findings = moto::read_ocsf(&dir);
    let keys = by_key(&findings);
    assert_eq!(keys.len(), 8, "every customer key exactly once: {keys:#?}");
    let expect = [
        (&s.public, "FAIL", "PUBLIC"),
        (&s.cross, "PASS", "CROSS_ACCOUNT"),
        (&s.private, "PASS", "PRIVATE"),
        (&s.disabled, "FAIL", "PUBLIC"),
        (&s.pending, "FAIL", "PUBLIC"),
        (&s.wildcard, "FAIL", "PUBLIC"),
        (&s.eu_public, "FAIL", "PUBLIC"),
        (&s.eu_private, "PASS", "PRIVATE"),
    ];
    for (id, status, verdict) in expect {
        let (got_status, got_verdict, _) = &keys[id.as_str()];
        assert_eq!((got_status.as_str(), got_verdict.as_str()), (status, verdict), "key {id}");
    }
    assert!(keys[&s.disabled].2.contains("Disabled"), "{}", keys[&s.disabled].2);
    assert!(keys[&s.pending].2.contains("PendingDeletion"), "{}", keys[&s.pending].2);
    assert!(keys[&s.cross].2.contains(OTHER), "cross-account names the outsider: {}", keys[&s.cross].2);
    assert!(keys[&s.wildcard].2.contains("kms:CallerAccount is \"*\", a wildcard"), "{}", keys[&s.wildcard].2);
    // Aliases and tags reach the findings.
    let f = findings.iter().find(|f| f["resources"][0]["name"] == s.public.as_str()).unwrap_or_else(|| panic!());
    assert_eq!(f["resources"][0]["labels"], json!(["Environment:prod", "Owner:team-a"]));
    assert_eq!(f["resources"][0]["data"]["metadata"]["aliases"], json!(["alias/app-data"]));
    assert_eq!(f["resources"][0]["region"], "us-east-1");
    assert_eq!(f["cloud"]["account"]["uid"], ACCOUNT);
    assert!(stdout.contains("API requests:"), "{stdout}");
    // The files written validate against our schemas.
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let (_, violations) = kms_exposure::validate::validate_file(&entry.path()).unwrap_or_else(|e| panic!("{e}"));
        assert!(violations.is_empty(), "{}: {violations:?}", entry.path().display());
    }
    // -z keeps exit 0 with public keys.
    let dir2 = moto::out_dir("scan-z");
    let out = moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "-o", &dir2.to_string_lossy(), "-z", "-b"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn clean_account_exits_zero_and_writes_files() {
    let moto = Moto::start();
    runtime().block_on(async {
        let c = moto::kms(&moto.endpoint, "us-east-1").await;
        moto::create_key(&c, &private(), None, &[]).await;
    });
    let dir = moto::out_dir("scan-clean");
    let out = moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "eu-west-1", "-o", &dir.to_string_lossy(), "-F", "clean", "-M", "json-ocsf", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join("clean.ocsf.json").exists() && dir.join("clean.csv").exists());
    assert!(!dir.join("clean.asff.json").exists(), "-M limits the formats");
    assert_eq!(moto::read_ocsf(&dir).len(), 1);
}

#[test]
fn pagination_aliases_managed_keys_and_request_counts() {
    let moto = Moto::start();
    let (ids, managed, alias_count) = runtime().block_on(async {
        let c = moto::kms(&moto.endpoint, "us-east-1").await;
        let mut ids = Vec::new();
        for i in 0..7 {
            let alias = format!("alias/k{i}");
            ids.push(moto::create_key(&c, &private(), Some(&alias), &[]).await);
        }
        let managed = moto::create_key(&c, &private(), Some("alias/managed"), &[]).await;
        // moto also lists its predefined alias/aws/* aliases.
        let aliases = c.list_aliases().send().await.map(|o| o.aliases().len()).unwrap_or_default() as u64;
        (ids, managed, aliases)
    });
    let proxy = Proxy::start(&moto.endpoint, Rules { page_size: Some(2), aws_managed: vec![managed.clone()], ..Rules::default() });
    let dir = moto::out_dir("scan-pages");
    let out = moto::run_cli(&proxy.endpoint, &["scan", "-f", "us-east-1", "-o", &dir.to_string_lossy(), "-b"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let findings = moto::read_ocsf(&dir);
    let keys = by_key(&findings);
    assert_eq!(keys.len(), 7, "all pages read, the AWS-managed key skipped");
    for id in &ids {
        assert!(keys.contains_key(id), "key {id} from a later page is missing");
    }
    assert!(!keys.contains_key(&managed));
    assert_eq!(proxy.count("ListKeys"), 4, "8 keys in pages of 2");
    assert_eq!(proxy.count("ListAliases"), alias_count.div_ceil(2), "{alias_count} aliases in pages of 2");
    assert_eq!(proxy.count("DescribeKey"), 8);
    assert_eq!(proxy.count("GetKeyPolicy"), 7, "no policy call for the AWS-managed key");
    let per_key = (proxy.count("DescribeKey") + proxy.count("GetKeyPolicy") + proxy.count("ListResourceTags")) as f64 / 8.0;
    assert!(per_key <= 3.0, "{per_key} calls per key");
    for f in &findings {
        let name = f["resources"][0]["name"].as_str().unwrap_or_default();
        let i = ids.iter().position(|k| k == name).unwrap_or(usize::MAX);
        assert_eq!(f["resources"][0]["data"]["metadata"]["aliases"], json!([format!("alias/k{i}")]));
    }
    assert!(stdout.lines().any(|l| l.starts_with("us-east-1") && l.split_whitespace().last() == Some("1")), "aws-managed count: {stdout}");
}

#[test]
fn failures_become_manual_findings_and_never_stop_other_keys() {
    let moto = Moto::start();
    let (denied, fine, odd) = runtime().block_on(async {
        let c = moto::kms(&moto.endpoint, "us-east-1").await;
        let denied = moto::create_key(&c, &public(), None, &[]).await;
        let fine = moto::create_key(&c, &public(), None, &[]).await;
        // moto refuses DescribeKey for a key whose policy denies kms:* (it ignores the
        // Deny's conditions), while GetKeyPolicy still works.
        let odd_policy = json!({"Version": "2012-10-17", "Statement": [root(),
            {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"},
            {"Sid": "DenyUnlessOrg", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"}}}]});
        let odd = moto::create_key(&c, &odd_policy, None, &[]).await;
        let eu = moto::kms(&moto.endpoint, "eu-west-1").await;
        moto::create_key(&eu, &private(), None, &[]).await;
        (denied, fine, odd)
    });
    let rules = Rules {
        fail: vec![
            Fail { action: "GetKeyPolicy".into(), region: None, body_contains: Some(denied.clone()), status: 400, code: "AccessDeniedException".into() },
            Fail { action: "ListKeys".into(), region: Some("eu-west-1".into()), body_contains: None, status: 400, code: "AccessDeniedException".into() },
        ],
        ..Rules::default()
    };
    let proxy = Proxy::start(&moto.endpoint, rules);
    let dir = moto::out_dir("scan-fail");
    let out = moto::run_cli(&proxy.endpoint, &["scan", "-f", "us-east-1", "eu-west-1", "-o", &dir.to_string_lossy(), "-b"]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stdout));
    let findings = moto::read_ocsf(&dir);
    let keys = by_key(&findings);
    let (status, _, text) = &keys[&denied];
    assert_eq!(status, "MANUAL");
    assert!(text.contains("GetKeyPolicy") && text.contains("AccessDeniedException"), "{text}");
    assert_eq!(keys[&fine].0, "FAIL", "one bad key never affects another");
    let (status, verdict, text) = &keys[&odd];
    assert_eq!((status.as_str(), verdict.as_str()), ("FAIL", "PUBLIC"), "policy still evaluated: {text}");
    assert!(text.contains("metadata could not be read"), "{text}");
    let region = &keys["key-inventory"];
    assert_eq!(region.0, "MANUAL");
    assert!(region.2.contains("eu-west-1") && region.2.contains("ListKeys") && region.2.contains("AccessDeniedException"), "{}", region.2);
}

#[test]
fn default_regions_cover_the_partition() {
    let moto = Moto::start();
    let id = runtime().block_on(async {
        let c = moto::kms(&moto.endpoint, "ap-southeast-2").await;
        moto::create_key(&c, &public(), None, &[]).await
    });
    let dir = moto::out_dir("scan-regions");
    let out = moto::run_cli(&moto.endpoint, &["scan", "-o", &dir.to_string_lossy(), "-b", "-z"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let keys = by_key(&moto::read_ocsf(&dir));
    assert_eq!(keys.get(&id).map(|k| k.0.as_str()), Some("FAIL"));
    for region in kms_exposure::inventory::regions::AWS {
        assert!(stdout.lines().any(|l| l.starts_with(region)), "region {region} not in the summary");
    }
}

#[test]
fn usage_and_setup_errors_are_clear() {
    let moto = Moto::start();
    let out = moto::run_cli(&moto.endpoint, &["scan", "-f", "not_a_region"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not_a_region"));
    let blocker = std::env::temp_dir().join(format!("kms-exposure-blocker-{}", std::process::id()));
    std::fs::write(&blocker, b"file").unwrap_or_else(|e| panic!("{e}"));
    let out = moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "-o", &blocker.join("out").to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("output directory"), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_file(&blocker);
    let out = moto::run_cli(&moto.endpoint, &["scan", "--trusted-account", "123"]);
    assert_eq!(out.status.code(), Some(2));
}
