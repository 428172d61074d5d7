//! Reliability under faults, through the loopback proxy between the SDK and moto: throttling,
//! 5xx and dropped connections never lose or duplicate a key or a finding; permanent
//! failures are reported exactly; SIGINT stops promptly without half-written files; a
//! vanished output directory does not lose findings; credentials never reach the output.

#![allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::moto::{self, Moto};
use common::proxy::{Fail, Faults, Proxy, Rules};
use kms_exposure::output::{AsffProduct, asff};
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap_or_else(|e| panic!("{e}"))
}

fn policy(public: bool) -> Value {
    let root = json!({"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*", "Resource": "*"});
    if public {
        json!({"Statement": [root, {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]})
    } else {
        json!({"Statement": [root]})
    }
}

/// Seeds `per_region` keys in each region; every third is public. Returns (key id, public).
async fn seed(endpoint: &str, per_region: usize) -> Vec<(String, bool)> {
    let mut tasks = Vec::new();
    for region in REGIONS {
        let c = moto::kms(endpoint, region).await;
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for i in 0..per_region {
                let public = i % 3 == 0;
                out.push((moto::create_key(&c, &policy(public), None, &[]).await, public));
            }
            out
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    all
}

fn verdicts(dir: &std::path::Path) -> Vec<(String, String, String)> {
    moto::read_ocsf(dir)
        .iter()
        .map(|f| {
            (
                f["resources"][0]["name"].as_str().unwrap_or_default().to_string(),
                f["status_code"].as_str().unwrap_or_default().to_string(),
                f["status_detail"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn throttling_and_5xx_lose_no_key_and_duplicate_none() {
    let moto = Moto::start();
    let keys = runtime().block_on(seed(&moto.endpoint, 100));
    assert_eq!(keys.len(), 300);
    let faults = Faults { throttle: 0.30, server_error: 0.05, reset: 0.02, seed: 7, ..Faults::default() };
    let proxy = Proxy::start(&moto.endpoint, Rules { faults, ..Rules::default() });
    let dir = moto::out_dir("faults-scan");
    let started = Instant::now();
    let out = moto::run_cli(
        &proxy.endpoint,
        &[
            "scan", "-f", "us-east-1", "eu-west-1", "ap-southeast-2", "--aws-retries-max-attempts", "20",
            "--aws-retry-mode", "standard", "--aws-retries-max-backoff", "1", "-o", &dir.to_string_lossy(), "-b", "-z",
        ],
    );
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let found = verdicts(&dir);
    let ids: HashSet<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(found.len(), 300, "one finding per key");
    assert_eq!(ids.len(), 300, "no duplicates");
    for (id, public) in &keys {
        let f = found.iter().find(|f| &f.0 == id).unwrap_or_else(|| panic!("key {id} lost"));
        assert_eq!(f.1, if *public { "FAIL" } else { "PASS" }, "key {id}: {}", f.2);
    }
    let requests: u64 = ["ListKeys", "ListAliases", "DescribeKey", "GetKeyPolicy", "ListResourceTags"].iter().map(|a| proxy.count(a)).sum();
    eprintln!(
        "faults: {} requests for 300 keys in {:.1} s; injected {} throttles, {} 5xx, {} resets",
        requests,
        elapsed.as_secs_f64(),
        proxy.injected("throttle"),
        proxy.injected("5xx"),
        proxy.injected("reset")
    );
    assert!(proxy.injected("throttle") > 100 && proxy.injected("5xx") > 10, "faults were injected");
}

#[test]
fn a_permanently_failing_call_makes_only_those_keys_manual() {
    let moto = Moto::start();
    let keys = runtime().block_on(seed(&moto.endpoint, 20));
    let denied: Vec<String> = keys.iter().step_by(7).map(|k| k.0.clone()).collect();
    let fail = denied
        .iter()
        .map(|k| Fail { action: "GetKeyPolicy".into(), region: None, body_contains: Some(k.clone()), status: 400, code: "AccessDeniedException".into() })
        .collect();
    let faults = Faults { throttle: 0.2, server_error: 0.05, seed: 11, ..Faults::default() };
    let proxy = Proxy::start(&moto.endpoint, Rules { fail, faults, ..Rules::default() });
    let dir = moto::out_dir("faults-denied");
    let out = moto::run_cli(
        &proxy.endpoint,
        &[
            "scan", "-f", "us-east-1", "eu-west-1", "ap-southeast-2", "--aws-retries-max-attempts", "20",
            "--aws-retry-mode", "standard", "--aws-retries-max-backoff", "1", "-o", &dir.to_string_lossy(), "-b", "-z",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let found = verdicts(&dir);
    assert_eq!(found.len(), 60);
    for (id, public) in &keys {
        let f = found.iter().find(|f| &f.0 == id).unwrap_or_else(|| panic!("key {id} lost"));
        if denied.contains(id) {
            assert_eq!(f.1, "MANUAL", "{id}");
            assert!(f.2.contains("GetKeyPolicy failed: AccessDeniedException"), "{}", f.2);
        } else {
            assert_eq!(f.1, if *public { "FAIL" } else { "PASS" }, "{id}: {}", f.2);
        }
    }
}

fn asff_findings(n: usize, region: &str) -> Vec<Value> {
    let mut base = common::samples::samples().remove(0);
    (0..n)
        .map(|i| {
            base.resource.key_id = format!("{i:08}-fault-{region}");
            base.resource.region = region.to_string();
            base.resource.arn = format!("arn:aws:kms:{region}:{ACCOUNT}:key/{}", base.resource.key_id);
            asff::to_asff(&base, &AsffProduct::Custom)
        })
        .collect()
}

async fn hub(endpoint: &str, region: &str) -> aws_sdk_securityhub::Client {
    aws_sdk_securityhub::Client::new(&moto::sdk_config(endpoint, region).await)
}

async fn count_back(endpoint: &str, region: &str) -> Vec<String> {
    let c = hub(endpoint, region).await;
    let mut ids = Vec::new();
    let mut token = None;
    loop {
        let page = c.get_findings().set_next_token(token).max_results(100).send().await.unwrap_or_else(|e| panic!("{e:?}"));
        ids.extend(page.findings().iter().filter_map(|f| f.id().map(str::to_string)));
        token = page.next_token().filter(|t| !t.is_empty()).map(str::to_string);
        if token.is_none() {
            return ids;
        }
    }
}

#[test]
fn security_hub_import_under_throttling_imports_each_finding_once() {
    let moto = Moto::start();
    let rt = runtime();
    rt.block_on(async {
        for r in ["us-east-1", "eu-west-1"] {
            hub(&moto.endpoint, r).await.enable_security_hub().send().await.unwrap_or_else(|e| panic!("{e:?}"));
        }
    });
    let mut findings = asff_findings(250, "us-east-1");
    findings.extend(asff_findings(60, "eu-west-1"));
    let dir = moto::out_dir("faults-sh");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("f.asff.json");
    std::fs::write(&path, serde_json::to_vec(&findings).unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    let faults = Faults { throttle: 0.3, server_error: 0.05, actions: vec!["BatchImportFindings".into()], seed: 3, ..Faults::default() };
    // One finding keeps failing with a retryable code: it must be reported, alone.
    let stubborn = findings[42]["Id"].as_str().unwrap_or_default().to_string();
    let rules = Rules { faults, reject_findings: vec![(stubborn.clone(), "ThrottlingException".into(), 1000)], ..Rules::default() };
    let proxy = Proxy::start(&moto.endpoint, rules);
    let out = moto::run_cli(
        &proxy.endpoint,
        &["push", &path.to_string_lossy(), "--aws-retries-max-attempts", "20", "--aws-retry-mode", "standard", "--aws-retries-max-backoff", "1"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let not_imported: Vec<&str> = stdout.lines().filter(|l| l.trim_start().starts_with("not imported:")).collect();
    assert_eq!(not_imported.len(), 1, "{stdout}");
    assert!(not_imported[0].contains(&stubborn));
    let us = rt.block_on(count_back(&moto.endpoint, "us-east-1"));
    let eu = rt.block_on(count_back(&moto.endpoint, "eu-west-1"));
    let unique: HashSet<&String> = us.iter().chain(&eu).collect();
    assert_eq!(us.len() + eu.len(), 309, "every finding but the stubborn one, once");
    assert_eq!(unique.len(), 309);
    assert!(!unique.contains(&stubborn));
    eprintln!(
        "security hub faults: {} BatchImportFindings requests for 310 findings; injected {} throttles, {} 5xx",
        proxy.count("BatchImportFindings"),
        proxy.injected("throttle"),
        proxy.injected("5xx")
    );

    // A region that always answers 429: the report lists exactly its findings.
    let always = Rules {
        fail: vec![Fail { action: "BatchImportFindings".into(), region: Some("eu-west-1".into()), body_contains: None, status: 429, code: "TooManyRequestsException".into() }],
        ..Rules::default()
    };
    let proxy = Proxy::start(&moto.endpoint, always);
    let out = moto::run_cli(
        &proxy.endpoint,
        &["push", &path.to_string_lossy(), "--aws-retries-max-attempts", "2", "--aws-retry-mode", "standard", "--aws-retries-max-backoff", "1"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    let listed: HashSet<String> = stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("not imported: "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    let expected: HashSet<String> = findings.iter().skip(250).filter_map(|f| f["Id"].as_str().map(str::to_string)).collect();
    assert_eq!(listed, expected, "exactly the eu-west-1 findings are listed");
}

#[test]
fn sigint_stops_promptly_without_half_written_files() {
    let moto = Moto::start();
    runtime().block_on(seed(&moto.endpoint, 20));
    let faults = Faults { delay: Some(Duration::from_millis(300)), ..Faults::default() };
    let proxy = Proxy::start(&moto.endpoint, Rules { faults, ..Rules::default() });
    let dir = moto::out_dir("faults-sigint");
    let child = Command::new(env!("CARGO_BIN_EXE_kms-exposure"))
        .args(["scan", "-f", "us-east-1", "eu-west-1", "ap-southeast-2", "--max-requests-in-flight", "2", "-o", &dir.to_string_lossy(), "-b"])
        .env_clear()
        .env("AWS_ENDPOINT_URL", &proxy.endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_millis(1500));
    let sent = Instant::now();
    let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(sent.elapsed() < Duration::from_secs(3), "exit took {:?}", sent.elapsed());
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    let left: Vec<String> = std::fs::read_dir(&dir).into_iter().flatten().flatten().map(|e| e.file_name().to_string_lossy().to_string()).collect();
    assert!(left.is_empty(), "no files, whole or half: {left:?}");
}

#[test]
fn a_vanished_output_directory_does_not_lose_findings() {
    let moto = Moto::start();
    runtime().block_on(seed(&moto.endpoint, 5));
    let faults = Faults { delay: Some(Duration::from_millis(100)), ..Faults::default() };
    let proxy = Proxy::start(&moto.endpoint, Rules { faults, ..Rules::default() });
    let dir = moto::out_dir("faults-vanish");
    let child = Command::new(env!("CARGO_BIN_EXE_kms-exposure"))
        .args(["scan", "-f", "us-east-1", "--max-requests-in-flight", "1", "-o", &dir.to_string_lossy(), "-b", "-z"])
        .env_clear()
        .env("AWS_ENDPOINT_URL", &proxy.endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !dir.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("the directory was never made: {e}"));
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(moto::read_ocsf(&dir).len(), 5, "the directory is made again and every finding written");
}

#[test]
fn credentials_never_reach_logs_or_files() {
    let moto = Moto::start();
    runtime().block_on(seed(&moto.endpoint, 3));
    let secret = "kmsExposureTestSecretKey0123456789ABCDEFGH";
    let token = "kmsExposureTestSessionTokenZYXWVUTSRQ9876543210";
    let dir = moto::out_dir("faults-secrets");
    for level in ["DEBUG", "INFO", "WARNING", "ERROR"] {
        let out = Command::new(env!("CARGO_BIN_EXE_kms-exposure"))
            .args(["scan", "-f", "us-east-1", "-o", &dir.to_string_lossy(), "--log-level", level, "-z"])
            .env_clear()
            .env("AWS_ENDPOINT_URL", &moto.endpoint)
            .env("AWS_ACCESS_KEY_ID", "AKIAKMSEXPOSURETEST")
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env("AWS_SESSION_TOKEN", token)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if level == "DEBUG" {
            assert!(text.len() > 1000, "DEBUG logs something: {} bytes", text.len());
        }
        assert!(!text.contains(secret) && !text.contains(token), "a credential leaked at {level}");
    }
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let content = std::fs::read_to_string(entry.path()).unwrap_or_default();
        assert!(!content.contains(secret) && !content.contains(token), "a credential in {}", entry.path().display());
    }
}
