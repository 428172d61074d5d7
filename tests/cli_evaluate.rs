//! `kms-exposure evaluate` run as a process: exit codes, formats, stdin, and batches.

#![allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::cases;
use serde_json::{Value, json};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kms-exposure"))
}

fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the binary: {e}"));
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin).unwrap_or_else(|e| panic!("cannot write stdin: {e}"));
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("binary did not finish: {e}"))
}

fn temp_file(name: &str, content: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kms-exposure-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap_or_else(|e| panic!("{e}"));
    path
}

#[test]
fn batch_answers_every_labelled_case_in_order() {
    let all = cases::all();
    let mut input = String::new();
    for (i, case) in all.iter().enumerate() {
        let line = json!({
            "id": format!("case-{i}"),
            "policy": case.policy,
            "account": case.zone.account,
            "trusted_accounts": case.zone.accounts,
            "trusted_orgs": case.zone.orgs,
            "trusted_ips": case.zone.ips,
        });
        input.push_str(&line.to_string());
        input.push('\n');
        if i == 3 {
            input.push('\n');
            input.push_str("{not json\n");
            input.push_str("{\"id\": \"no-policy\"}\n");
            input.push_str("{\"id\": \"bad-account\", \"policy\": {}, \"account\": \"12\"}\n");
            input.push_str("[1, 2]\n");
        }
    }
    let out = run_with_stdin(&["evaluate", "--batch", "-"], input.as_bytes());
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad output line {l}: {e}")))
        .collect();
    assert_eq!(lines.len(), all.len() + 4, "one output line per non-blank input line");
    let mut k = 0;
    for (i, case) in all.iter().enumerate() {
        let line = &lines[k];
        assert_eq!(line["id"], json!(format!("case-{i}")));
        assert_eq!(line["verdict"], json!(case.verdict), "{}", case.name);
        assert!(line["reasons"].as_array().is_some_and(|r| !r.is_empty()), "{}", case.name);
        k += 1;
        if i == 3 {
            for expected_id in [Value::Null, json!("no-policy"), json!("bad-account"), Value::Null] {
                assert_eq!(lines[k]["id"], expected_id);
                assert_eq!(lines[k]["verdict"], json!("UNKNOWN"));
                assert_eq!(lines[k]["reasons"][0]["code"], json!("invalid-input"));
                k += 1;
            }
        }
    }
}

#[test]
fn batch_policy_may_be_text() {
    let text = serde_json::to_string(&cases::via_services(cases::OTHER)).unwrap_or_default();
    let line = json!({"id": 7, "policy": text, "account": cases::OWNER}).to_string();
    let out = run_with_stdin(&["evaluate", "--batch", "-"], line.as_bytes());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["id"], json!(7));
    assert_eq!(v["verdict"], json!("CROSS_ACCOUNT"));
}

#[test]
fn exit_codes_follow_the_verdict() {
    let public = serde_json::to_vec(&json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*"}]}))
        .unwrap_or_default();
    let private = serde_json::to_vec(&cases::default_policy()).unwrap_or_default();
    let cross = serde_json::to_vec(&cases::via_services(cases::OTHER)).unwrap_or_default();
    assert_eq!(run_with_stdin(&["evaluate", "--policy", "-"], &public).status.code(), Some(3));
    assert_eq!(run_with_stdin(&["evaluate", "--policy", "-"], &private).status.code(), Some(0));
    assert_eq!(
        run_with_stdin(&["evaluate", "--policy", "-", "--account", cases::OWNER], &cross).status.code(),
        Some(0)
    );
    let unknown = run_with_stdin(&["evaluate", "--policy", "-"], b"{\"Statement\": 5}");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("Statement is a number"));
    let missing = bin().args(["evaluate", "--policy", "/nonexistent/policy.json"]).output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/policy.json"));
    let usage = run_with_stdin(&["evaluate", "--policy", "-", "--account", "12"], &private);
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("12-digit"));
    let bad_ip = run_with_stdin(&["evaluate", "--policy", "-", "--trusted-ip", "office"], &private);
    assert_eq!(bad_ip.status.code(), Some(2));
    let no_input = bin().args(["evaluate"]).output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(no_input.status.code(), Some(2));
}

#[test]
fn json_format_and_get_key_policy_file() {
    let inner = serde_json::to_string(&json!({"Statement": [
        {"Sid": "Public", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt",
         "Condition": {"StringEquals": {"kms:CallerAccount": cases::OTHER}}}
    ]}))
    .unwrap_or_default();
    let wrapped = json!({"Policy": inner, "PolicyName": "default"}).to_string();
    let path = temp_file("wrapped.json", wrapped.as_bytes());
    let path = path.to_string_lossy().to_string();
    let out = bin()
        .args(["evaluate", "--policy", &path, "--account", cases::OWNER, "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["verdict"], json!("CROSS_ACCOUNT"));
    assert_eq!(v["reasons"][0]["code"], json!("confined-outside"));
    assert_eq!(v["reasons"][0]["sid"], json!("Public"));
    assert_eq!(v["reasons"][0]["outside"], json!([cases::OTHER]));
    // The same outside account, trusted, is private.
    let out = bin()
        .args(["evaluate", "--policy", &path, "--account", cases::OWNER, "--trusted-account", cases::OTHER])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("verdict: PRIVATE\n"), "{text}");
    assert!(text.contains("[confined-inside] Statement[0] (Sid \"Public\")"), "{text}");
}
