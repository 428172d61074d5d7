//! Security Hub import against moto's Security Hub (real SDK over HTTP): batching, reading
//! back, archiving resolved findings, regions without a hub, per-finding failures, `push`.

#![allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use common::moto::{self, Moto};
use common::proxy::{Proxy, Rules};
use common::samples;
use kms_exposure::output::{AsffProduct, asff};
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn hub(endpoint: &str, region: &str) -> aws_sdk_securityhub::Client {
    aws_sdk_securityhub::Client::new(&moto::sdk_config(endpoint, region).await)
}

async fn enable(endpoint: &str, region: &str) {
    hub(endpoint, region).await.enable_security_hub().send().await.unwrap_or_else(|e| panic!("EnableSecurityHub: {e:?}"));
}

/// Every finding in the region's hub: (Id, RecordState, Compliance.Status, FirstObservedAt).
async fn read_back(endpoint: &str, region: &str) -> Vec<(String, String, String, String)> {
    let c = hub(endpoint, region).await;
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = c.get_findings().set_next_token(token.clone()).max_results(100).send().await.unwrap_or_else(|e| panic!("GetFindings: {e:?}"));
        for f in page.findings() {
            out.push((
                f.id().unwrap_or_default().to_string(),
                f.record_state().map(|r| r.as_str().to_string()).unwrap_or_default(),
                f.compliance().and_then(|c| c.status()).map(|s| s.as_str().to_string()).unwrap_or_default(),
                f.first_observed_at().unwrap_or_default().to_string(),
            ));
        }
        token = page.next_token().filter(|t| !t.is_empty()).map(str::to_string);
        if token.is_none() {
            return out;
        }
    }
}

/// `n` distinct ASFF findings in `region`, built from the sample FAIL finding.
fn asff_findings(n: usize, region: &str) -> Vec<Value> {
    let mut base = samples::samples().remove(0);
    (0..n)
        .map(|i| {
            base.resource.key_id = format!("{i:08}-aaaa-bbbb-cccc-{region}");
            base.resource.region = region.to_string();
            base.resource.arn = format!("arn:aws:kms:{region}:{ACCOUNT}:key/{}", base.resource.key_id);
            asff::to_asff(&base, &AsffProduct::Custom)
        })
        .collect()
}

fn write_file(name: &str, findings: &[Value]) -> std::path::PathBuf {
    let dir = moto::out_dir(name);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(format!("{name}.asff.json"));
    std::fs::write(&path, serde_json::to_vec(findings).unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    path
}

#[test]
fn push_imports_many_findings_in_batches_and_they_read_back_equal() {
    let moto = Moto::start();
    let rt = runtime();
    rt.block_on(async {
        enable(&moto.endpoint, "us-east-1").await;
        enable(&moto.endpoint, "eu-west-1").await;
    });
    let mut findings = asff_findings(230, "us-east-1");
    findings.extend(asff_findings(40, "eu-west-1"));
    let path = write_file("push-many", &findings);
    let proxy = Proxy::start(&moto.endpoint, Rules::default());
    let out = moto::run_cli(&proxy.endpoint, &["push", &path.to_string_lossy()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(proxy.count("BatchImportFindings"), 4, "230 findings need 3 batches, 40 need 1");
    let us = rt.block_on(read_back(&moto.endpoint, "us-east-1"));
    let eu = rt.block_on(read_back(&moto.endpoint, "eu-west-1"));
    assert_eq!((us.len(), eu.len()), (230, 40), "each finding went to its resource's region, once");
    let ids: HashSet<&str> = us.iter().chain(&eu).map(|f| f.0.as_str()).collect();
    let expected: HashSet<&str> = findings.iter().filter_map(|f| f["Id"].as_str()).collect();
    assert_eq!(ids, expected);
    assert!(us.iter().all(|f| f.1 == "ACTIVE" && f.2 == "FAILED"));
    // The full finding reads back equal to what was written, field by field we set.
    let got = rt.block_on(async {
        let c = hub(&moto.endpoint, "us-east-1").await;
        c.get_findings().send().await.unwrap_or_else(|e| panic!("{e:?}")).findings().first().cloned()
    });
    let got = got.unwrap_or_else(|| panic!("no finding"));
    let wrote = findings.iter().find(|f| f["Id"].as_str() == got.id()).unwrap_or_else(|| panic!("unknown id"));
    assert_eq!(got.title(), wrote["Title"].as_str());
    assert_eq!(got.description(), wrote["Description"].as_str());
    assert_eq!(got.generator_id(), wrote["GeneratorId"].as_str());
    assert_eq!(got.product_arn(), wrote["ProductArn"].as_str());
    let r = got.resources().first().unwrap_or_else(|| panic!("no resource"));
    assert_eq!(r.id(), wrote["Resources"][0]["Id"].as_str());
    assert_eq!(r.tags().and_then(|t| t.get("Environment")).map(String::as_str), Some("prod"));
    assert_eq!(
        r.details().and_then(|d| d.aws_kms_key()).and_then(|k| k.key_state()),
        wrote["Resources"][0]["Details"]["AwsKmsKey"]["KeyState"].as_str()
    );
    assert!(stdout.contains("us-east-1") && stdout.contains("230"), "{stdout}");
}

#[test]
fn scan_imports_archives_resolved_findings_and_keeps_first_seen_times() {
    let moto = Moto::start();
    let rt = runtime();
    let (fixed, still_public) = rt.block_on(async {
        enable(&moto.endpoint, "us-east-1").await;
        enable(&moto.endpoint, "eu-west-1").await;
        let kms = moto::kms(&moto.endpoint, "us-east-1").await;
        let public = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]});
        let fixed = moto::create_key(&kms, &public, None, &[]).await;
        let still = moto::create_key(&kms, &public, None, &[]).await;
        // Someone else's finding, and one of ours in a region this run will not scan.
        let mut foreign = asff_findings(1, "us-east-1").remove(0);
        foreign["GeneratorId"] = json!("another-tool");
        foreign["Id"] = json!("foreign-1");
        let mut elsewhere = asff_findings(1, "eu-west-1").remove(0);
        elsewhere["Id"] = json!("ours-in-eu-west-1");
        for f in [foreign, elsewhere] {
            let region = f["Resources"][0]["Region"].as_str().unwrap_or_default().to_string();
            let (sdk, _) = kms_exposure::securityhub::to_sdk(&f).unwrap_or_else(|e| panic!("{e}"));
            hub(&moto.endpoint, &region).await.batch_import_findings().findings(sdk).send().await.unwrap_or_else(|e| panic!("{e:?}"));
        }
        (fixed, still)
    });
    let dir = moto::out_dir("sh-archive-1");
    let out = moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "-S", "--send-sh-only-fails", "-o", &dir.to_string_lossy(), "-b"]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stdout));
    let first = rt.block_on(read_back(&moto.endpoint, "us-east-1"));
    let first_seen: Vec<String> = first.iter().filter(|f| f.0 != "foreign-1").map(|f| f.3.clone()).collect();
    assert_eq!(first_seen.len(), 2);

    // Fix one key, wait so that times differ, scan again.
    rt.block_on(async {
        let kms = moto::kms(&moto.endpoint, "us-east-1").await;
        let private = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*", "Resource": "*"}]});
        kms.put_key_policy().key_id(&fixed).policy_name("default").policy(private.to_string()).send().await.unwrap_or_else(|e| panic!("{e:?}"));
    });
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let dir = moto::out_dir("sh-archive-2");
    let out = moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "-S", "--send-sh-only-fails", "-o", &dir.to_string_lossy(), "-b"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    let after = rt.block_on(read_back(&moto.endpoint, "us-east-1"));
    let state = |key: &str| {
        let id = asff::finding_id("kms_key_not_publicly_accessible", ACCOUNT, "us-east-1", &format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{key}"));
        after.iter().find(|f| f.0 == id).cloned()
    };
    let fixed_f = state(&fixed).unwrap_or_else(|| panic!("fixed key's finding missing: {after:?}"));
    assert_eq!(fixed_f.1, "ARCHIVED", "a key fixed between scans is archived");
    let still_f = state(&still_public).unwrap_or_else(|| panic!("public key's finding missing"));
    assert_eq!(still_f.1, "ACTIVE");
    assert!(first_seen.contains(&still_f.3), "FirstObservedAt kept from the first scan: {} not in {first_seen:?}", still_f.3);
    let foreign = after.iter().find(|f| f.0 == "foreign-1").unwrap_or_else(|| panic!("foreign finding missing"));
    assert_eq!(foreign.1, "ACTIVE", "another tool's finding is never archived");
    let eu = rt.block_on(read_back(&moto.endpoint, "eu-west-1"));
    assert!(eu.iter().any(|f| f.0 == "ours-in-eu-west-1" && f.1 == "ACTIVE"), "a -f us-east-1 run never archives eu-west-1: {eu:?}");
    assert!(stdout.contains("archived"), "{stdout}");
}

#[test]
fn region_without_security_hub_is_named_with_the_fix_and_exits_one() {
    let moto = Moto::start();
    let rt = runtime();
    rt.block_on(async {
        enable(&moto.endpoint, "us-east-1").await;
        for region in ["us-east-1", "eu-west-1"] {
            let kms = moto::kms(&moto.endpoint, region).await;
            moto::create_key(&kms, &json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*"}]}), None, &[]).await;
        }
    });
    let dir = moto::out_dir("sh-missing");
    let out = moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "eu-west-1", "-S", "-o", &dir.to_string_lossy(), "-b"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("aws securityhub enable-security-hub --region eu-west-1"), "{stderr}");
    assert!(moto::read_ocsf(&dir).len() == 2, "files are written before any import");
    let us = rt.block_on(read_back(&moto.endpoint, "us-east-1"));
    assert_eq!(us.len(), 1, "the region with a hub still imports");
    // Told otherwise, the same run exits with the verdict's code.
    let out = moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "eu-west-1", "-S", "--ignore-sh-errors", "-o", &dir.to_string_lossy(), "-b"]);
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn failed_findings_are_retried_or_reported_one_by_one() {
    let moto = Moto::start();
    let rt = runtime();
    rt.block_on(enable(&moto.endpoint, "us-east-1"));
    let findings = asff_findings(12, "us-east-1");
    let flaky = findings[3]["Id"].as_str().unwrap_or_default().to_string();
    let bad = findings[7]["Id"].as_str().unwrap_or_default().to_string();
    let path = write_file("push-failed", &findings);
    let rules = Rules {
        reject_findings: vec![(flaky.clone(), "ThrottlingException".into(), 2), (bad.clone(), "InvalidInputException".into(), 99)],
        ..Rules::default()
    };
    let proxy = Proxy::start(&moto.endpoint, rules);
    let out = moto::run_cli(&proxy.endpoint, &["push", &path.to_string_lossy()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let not_imported: Vec<&str> = stdout.lines().filter(|l| l.trim_start().starts_with("not imported:")).collect();
    assert_eq!(not_imported.len(), 1, "{stdout}");
    assert!(not_imported[0].contains(&bad) && not_imported[0].contains("InvalidInputException"), "{stdout}");
    assert_eq!(proxy.count("BatchImportFindings"), 3, "the first batch, then the throttled finding twice");
    let ids: HashSet<String> = rt.block_on(read_back(&moto.endpoint, "us-east-1")).into_iter().map(|f| f.0).collect();
    assert_eq!(ids.len(), 11);
    assert!(ids.contains(&flaky) && !ids.contains(&bad));
}

#[test]
fn oversized_findings_are_shrunk_not_dropped_and_bad_files_are_named() {
    let moto = Moto::start();
    let rt = runtime();
    rt.block_on(enable(&moto.endpoint, "us-east-1"));
    let mut findings = asff_findings(2, "us-east-1");
    findings[0]["ProductFields"]["kms-exposure/MainReason"] = json!("x".repeat(300 * 1024));
    let path = write_file("push-big", &findings);
    let out = moto::run_cli(&moto.endpoint, &["push", &path.to_string_lossy()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("shrunk"), "{stdout}");
    assert_eq!(rt.block_on(read_back(&moto.endpoint, "us-east-1")).len(), 2);
    let bad = write_file("push-bad", &[json!({"no": "id"})]);
    let out = moto::run_cli(&moto.endpoint, &["push", &bad.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("push-bad.asff.json") && stderr.contains("no Id"), "{stderr}");
}
