//! Prowler compatibility in `scan` against moto: mutelist in every format, status filter,
//! trust zone flags and config file, --fail-on-cross-account.

#![allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::moto::{self, Moto};
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";
const OTHER: &str = "444455556666";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap_or_else(|e| panic!("{e}"))
}

fn public() -> Value {
    json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]})
}

fn cross() -> Value {
    json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{OTHER}:root")}, "Action": "kms:Decrypt", "Resource": "*"}]})
}

fn file(dir: &std::path::Path, name: &str, text: &str) -> String {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
    p.to_string_lossy().to_string()
}

fn read(dir: &std::path::Path, ext: &str) -> String {
    let p = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(ext))
        .unwrap_or_else(|| panic!("no {ext} in {}", dir.display()));
    std::fs::read_to_string(p).unwrap_or_default()
}

#[test]
fn muted_fail_shows_as_muted_everywhere_and_exits_zero() {
    let moto = Moto::start();
    let (muted_key, other_key) = runtime().block_on(async {
        let c = moto::kms(&moto.endpoint, "us-east-1").await;
        let a = moto::create_key(&c, &public(), None, &[("accepted-risk", "yes")]).await;
        let b = moto::create_key(&c, &public(), None, &[]).await;
        (a, b)
    });
    let dir = moto::out_dir("mute");
    let ml = file(
        &dir.join("cfg"),
        "mutelist.yaml",
        "Mutelist:\n  Accounts:\n    \"123456789012\":\n      Checks:\n        \"kms_key_not_publicly_accessible\":\n          Regions: [\"us-east-1\"]\n          Resources: [\"*\"]\n          Tags: [\"accepted-risk=yes\"]\n",
    );
    let out_dir = dir.join("out");
    let out = moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "-w", &ml, "-o", &out_dir.to_string_lossy(), "-b"]);
    assert_eq!(out.status.code(), Some(3), "the other public key is not muted");
    let ocsf: Vec<Value> = serde_json::from_str(&read(&out_dir, ".ocsf.json")).unwrap_or_default();
    let muted = ocsf.iter().find(|f| f["resources"][0]["name"] == muted_key.as_str()).unwrap_or_else(|| panic!());
    assert_eq!((muted["status_code"].as_str(), muted["status"].as_str(), muted["status_id"].as_i64()), (Some("FAIL"), Some("Suppressed"), Some(3)));
    let other = ocsf.iter().find(|f| f["resources"][0]["name"] == other_key.as_str()).unwrap_or_else(|| panic!());
    assert_eq!(other["status"], "New");
    let asff: Vec<Value> = serde_json::from_str(&read(&out_dir, ".asff.json")).unwrap_or_default();
    let statuses: Vec<&str> = asff.iter().filter_map(|f| f["Compliance"]["Status"].as_str()).collect();
    assert!(statuses.contains(&"WARNING") && statuses.contains(&"FAILED"), "{statuses:?}");
    let csv = read(&out_dir, ".csv");
    let muted_row = csv.lines().find(|l| l.contains(&muted_key)).unwrap_or_default();
    assert!(muted_row.contains(";FAIL;") && muted_row.contains(";True;"), "{muted_row}");

    // Mute both: exit 0.
    let ml_all = file(
        &dir.join("cfg"),
        "all.yaml",
        "Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"kms_*\":\n          Regions: [\"*\"]\n          Resources: [\"*\"]\n",
    );
    let out = moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "-w", &ml_all, "-o", &dir.join("out2").to_string_lossy(), "-b"]);
    assert_eq!(out.status.code(), Some(0), "muted FAILs do not cause exit 3");

    // A malformed mutelist stops before any scanning, naming the field.
    let bad = file(&dir.join("cfg"), "bad.yaml", "Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"*\":\n          Regions: [\"*\"]\n          Resourcs: [\"*\"]\n");
    let out = moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "-w", &bad, "-o", &dir.join("out3").to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field `Resourcs`"));
    assert!(!dir.join("out3").join("x").exists() && std::fs::read_dir(dir.join("out3")).map(|d| d.count()).unwrap_or(0) == 0, "nothing written");
}

#[test]
fn status_filter_trust_zone_and_config_file() {
    let moto = Moto::start();
    let (public_key, cross_key) = runtime().block_on(async {
        let c = moto::kms(&moto.endpoint, "us-east-1").await;
        let a = moto::create_key(&c, &public(), None, &[]).await;
        let b = moto::create_key(&c, &cross(), None, &[]).await;
        (a, b)
    });
    let dir = moto::out_dir("compat");
    // --status FAIL keeps only the FAIL finding in the files.
    let out_dir = dir.join("status");
    let out = moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "--status", "FAIL", "-o", &out_dir.to_string_lossy(), "-b"]);
    assert_eq!(out.status.code(), Some(3));
    let ocsf = moto::read_ocsf(&out_dir);
    assert_eq!(ocsf.len(), 1);
    assert_eq!(ocsf[0]["resources"][0]["name"], public_key.as_str());

    // Default: the cross-account key passes, naming the outsider.
    let out_dir = dir.join("cross");
    moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "-o", &out_dir.to_string_lossy(), "-b"]);
    let find = |fs: &[Value], id: &str| fs.iter().find(|f| f["resources"][0]["name"] == id).cloned().unwrap_or(Value::Null);
    let f = find(&moto::read_ocsf(&out_dir), &cross_key);
    assert_eq!(f["resources"][0]["data"]["verdict"], "CROSS_ACCOUNT");
    assert!(f["status_detail"].as_str().unwrap_or_default().contains(OTHER));

    // --fail-on-cross-account turns it into FAIL.
    let out_dir = dir.join("fail-cross");
    moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "--fail-on-cross-account", "-o", &out_dir.to_string_lossy(), "-b"]);
    assert_eq!(find(&moto::read_ocsf(&out_dir), &cross_key)["status_code"], "FAIL");

    // Trusting the account (flag or config file) makes it PRIVATE, and wins over
    // fail_on_cross_account.
    let out_dir = dir.join("trusted");
    moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "--trusted-account", OTHER, "--fail-on-cross-account", "-o", &out_dir.to_string_lossy(), "-b"]);
    let f = find(&moto::read_ocsf(&out_dir), &cross_key);
    assert_eq!((f["status_code"].as_str(), f["resources"][0]["data"]["verdict"].as_str()), (Some("PASS"), Some("PRIVATE")));
    let cfg = file(&dir.join("cfg"), "config.yaml", &format!("kms_exposure:\n  trusted_accounts: [\"{OTHER}\"]\n  fail_on_cross_account: true\n"));
    let out_dir = dir.join("config");
    moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "--config-file", &cfg, "-o", &out_dir.to_string_lossy(), "-b"]);
    assert_eq!(find(&moto::read_ocsf(&out_dir), &cross_key)["resources"][0]["data"]["verdict"], "PRIVATE");
    let bad = file(&dir.join("cfg"), "bad.yaml", "kms_exposure:\n  trusted_accounts: [\"12\"]\n");
    let out = moto::run_cli(&moto.endpoint, &["scan", "-f", "us-east-1", "--config-file", &bad, "-o", &dir.join("x").to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("12-digit"));
    let _ = ACCOUNT;
}
