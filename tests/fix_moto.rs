//! `fix` against moto: each strategy fixes a public key (a re-scan passes), the backup equals
//! the old policy, a dry run changes nothing, the lockout guard refuses, restore works.

#![allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::moto::{self, Moto};
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap_or_else(|e| panic!("{e}"))
}

fn public_policy() -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}]})
}

async fn policy_of(endpoint: &str, key: &str) -> String {
    let c = moto::kms(endpoint, "us-east-1").await;
    c.get_key_policy().key_id(key).policy_name("default").send().await.unwrap_or_else(|e| panic!("{e:?}")).policy().unwrap_or_default().to_string()
}

fn scan_verdict(endpoint: &str, key: &str, name: &str) -> String {
    let dir = moto::out_dir(name);
    moto::run_cli(endpoint, &["scan", "-f", "us-east-1", "-o", &dir.to_string_lossy(), "-b"]);
    moto::read_ocsf(&dir)
        .iter()
        .find(|f| f["resources"][0]["name"] == key)
        .map(|f| f["resources"][0]["data"]["verdict"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default()
}

#[test]
fn each_strategy_fixes_a_public_key_with_a_backup() {
    let moto = Moto::start();
    let rt = runtime();
    for (strategy, name) in [("add-condition", "fix-cond"), ("restrict-principal", "fix-principal")] {
        let key = rt.block_on(async {
            let c = moto::kms(&moto.endpoint, "us-east-1").await;
            moto::create_key(&c, &public_policy(), Some(&format!("alias/{name}")), &[]).await
        });
        let before = rt.block_on(policy_of(&moto.endpoint, &key));
        assert_eq!(scan_verdict(&moto.endpoint, &key, &format!("{name}-0")), "PUBLIC");

        // Dry run: reasons and a diff, nothing changes.
        let out = moto::run_cli(&moto.endpoint, &["fix", "--key", &format!("alias/{name}"), "-f", "us-east-1", "--strategy", strategy]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("[open-principal]") && stdout.contains("+++ fixed policy") && stdout.contains("dry run"), "{stdout}");
        assert_eq!(rt.block_on(policy_of(&moto.endpoint, &key)), before, "a dry run changes nothing");

        // Without --yes and without a terminal, nothing is applied and no backup written.
        let backups = moto::out_dir(&format!("{name}-backups"));
        let out = moto::run_cli(&moto.endpoint, &["fix", "--key", &key, "-f", "us-east-1", "--strategy", strategy, "--apply", "--backup-dir", &backups.to_string_lossy()]);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
        assert!(!backups.exists());
        assert_eq!(rt.block_on(policy_of(&moto.endpoint, &key)), before);

        // Apply.
        let arn = format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{key}");
        let out = moto::run_cli(&moto.endpoint, &["fix", "--key", &arn, "--strategy", strategy, "--apply", "--yes", "--backup-dir", &backups.to_string_lossy()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("read back: PRIVATE (PASS)"), "{stdout}");
        let files: Vec<std::path::PathBuf> = std::fs::read_dir(&backups).into_iter().flatten().flatten().map(|e| e.path()).collect();
        let backup = files.iter().find(|p| !p.to_string_lossy().ends_with(".meta.json")).unwrap_or_else(|| panic!("no backup in {files:?}"));
        assert_eq!(std::fs::read_to_string(backup).unwrap_or_default(), before, "the backup equals the old policy");
        assert!(backup.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&key)));
        assert_eq!(scan_verdict(&moto.endpoint, &key, &format!("{name}-1")), "PRIVATE", "a re-scan passes");
        let after: Value = serde_json::from_str(&rt.block_on(policy_of(&moto.endpoint, &key))).unwrap_or_default();
        assert_eq!(after["Statement"][0], public_policy()["Statement"][0], "the other statement is unchanged");
        match strategy {
            "add-condition" => assert_eq!(after["Statement"][1]["Condition"]["StringEquals"]["kms:CallerAccount"], ACCOUNT),
            _ => assert_eq!(after["Statement"][1]["Principal"], json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")})),
        }

        // Restore puts the old policy back.
        let out = moto::run_cli(&moto.endpoint, &["fix", "--restore", &backup.to_string_lossy(), "--yes"]);
        assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stdout));
        assert_eq!(rt.block_on(policy_of(&moto.endpoint, &key)), before, "restored byte for byte");
    }
}

#[test]
fn lockout_guard_refuses_and_private_keys_need_nothing() {
    let moto = Moto::start();
    let rt = runtime();
    let key = rt.block_on(async {
        let c = moto::kms(&moto.endpoint, "us-east-1").await;
        moto::create_key(&c, &public_policy(), None, &[]).await
    });
    let current = rt.block_on(policy_of(&moto.endpoint, &key));
    // A "backup" under which the root would lose kms:PutKeyPolicy.
    let dir = moto::out_dir("lockout");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let bad = dir.join("bad.json");
    let lockout = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:Decrypt", "Resource": "*"}]});
    std::fs::write(&bad, lockout.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let out = moto::run_cli(&moto.endpoint, &["fix", "--restore", &bad.to_string_lossy(), "--key", &key, "-f", "us-east-1", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("would lose kms:PutKeyPolicy"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(rt.block_on(policy_of(&moto.endpoint, &key)), current, "nothing applied");

    let private = rt.block_on(async {
        let c = moto::kms(&moto.endpoint, "us-east-1").await;
        moto::create_key(&c, &json!({"Statement": [public_policy()["Statement"][0].clone()]}), None, &[]).await
    });
    let out = moto::run_cli(&moto.endpoint, &["fix", "--key", &private, "-f", "us-east-1", "--apply", "--yes"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing to fix"));
    let out = moto::run_cli(&moto.endpoint, &["fix", "--key", "alias/does-not-exist", "-f", "us-east-1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DescribeKey failed"));
}
