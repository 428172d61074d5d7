//! Output formats: every format for PASS, FAIL, MANUAL and muted findings validates against
//! the bundled schemas, carries what Prowler's carries, and fixes Prowler's known defects.

#![allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::samples::{self, ACCOUNT};
use kms_exposure::finding::{Finding, Status};
use kms_exposure::output::{self, AsffProduct, Format, Options, asff, csv, ocsf};
use kms_exposure::validate::{self, Kind};
use serde_json::Value;

fn by_status(findings: &[Finding], status: Status, muted: bool) -> &Finding {
    findings
        .iter()
        .find(|f| f.status == status && f.muted == muted)
        .unwrap_or_else(|| panic!("no {status:?} sample (muted {muted})"))
}

fn assert_valid(kind: Kind, value: &Value) {
    let violations = validate::validate_value(kind, value).unwrap_or_else(|e| panic!("{e}"));
    assert!(violations.is_empty(), "{} violations: {violations:#?}", kind.name());
}

#[test]
fn every_status_validates_in_every_json_format() {
    let findings = samples::samples();
    assert_valid(Kind::Ocsf, &ocsf::to_document(&findings));
    for product in [AsffProduct::Custom, AsffProduct::Prowler] {
        assert_valid(Kind::Asff, &asff::to_document(&findings, &product));
    }
    let bytes = csv::to_bytes(&findings).unwrap_or_else(|e| panic!("{e}"));
    assert!(validate::validate_csv(&bytes).is_empty());
}

#[test]
fn ocsf_is_strict_where_prowler_is_not() {
    let findings = samples::samples();
    let fail = ocsf::to_ocsf(by_status(&findings, Status::Fail, false));
    assert_eq!(fail["class_uid"], 2004);
    assert_eq!(fail["type_uid"], 200401);
    assert_eq!(fail["severity_id"], 5);
    assert_eq!(fail["status_code"], "FAIL");
    assert_eq!(fail["status"], "New");
    // Milliseconds, and an offset on every *_dt.
    assert_eq!(fail["time"], 1_748_779_200_000i64);
    assert_eq!(fail["finding_info"]["created_time"], 1_748_779_200_000i64);
    assert_eq!(fail["time_dt"], "2025-06-01T12:00:00.000+00:00");
    // Tags as key:value labels (a colon inside a value is kept).
    assert_eq!(fail["resources"][0]["labels"], serde_json::json!(["Environment:prod", "Owner:team:a"]));
    assert_eq!(
        fail["finding_info"]["uid"],
        "prowler-aws-kms_key_not_publicly_accessible-123456789012-eu-west-1-1234abcd-12ab-34cd-56ef-1234567890ab"
    );
    assert_eq!(fail["metadata"]["product"]["name"], "kms-exposure");
    assert_eq!(fail["unmapped"]["compliance"]["CIS-7.0"], serde_json::json!(["2.21"]));
    assert_eq!(fail["unmapped"]["compliance"]["C5-2025"].as_array().map(Vec::len), Some(7));
    assert_eq!(fail["resources"][0]["data"]["verdict"], "PUBLIC");
    assert_eq!(fail["resources"][0]["data"]["reasons"][0]["code"], "open-principal");
    assert_eq!(fail["resources"][0]["data"]["metadata"]["state"], "Disabled");
    let status = fail["status_detail"].as_str().unwrap_or_default();
    assert!(status.contains("publicly accessible") && status.contains("Disabled"), "{status}");
    assert!(status.contains("alias/app-data"), "{status}");

    let muted = ocsf::to_ocsf(by_status(&findings, Status::Fail, true));
    assert_eq!((muted["status"].clone(), muted["status_id"].clone()), ("Suppressed".into(), 3.into()));
    assert_eq!(muted["status_code"], "FAIL", "muting keeps the status");
    let manual = ocsf::to_ocsf(by_status(&findings, Status::Manual, false));
    assert!(manual["status_detail"].as_str().unwrap_or_default().contains("AccessDeniedException"));
}

#[test]
fn asff_follows_prowlers_ids_and_maps_statuses() {
    let findings = samples::samples();
    let product = AsffProduct::Custom;
    let fail = asff::to_asff(by_status(&findings, Status::Fail, false), &product);
    assert_eq!(fail["Id"], "prowler-kms_key_not_publicly_accessible-123456789012-eu-west-1-1f013abb0");
    assert_eq!(fail["GeneratorId"], "prowler-kms_key_not_publicly_accessible");
    assert_eq!(fail["ProductArn"], format!("arn:aws:securityhub:eu-west-1:{ACCOUNT}:product/{ACCOUNT}/default"));
    assert_eq!(fail["Compliance"]["Status"], "FAILED");
    assert_eq!(fail["Resources"][0]["Tags"]["Environment"], "prod");
    assert_eq!(fail["Resources"][0]["Details"]["AwsKmsKey"]["KeyState"], "Disabled");
    assert_eq!(fail["ProductFields"]["kms-exposure/Verdict"], "PUBLIC");
    assert!(fail["Compliance"]["RelatedRequirements"].as_array().is_some_and(|r| r.iter().all(|x| x.as_str().is_some_and(|s| s.chars().count() <= 64))));
    let statuses: Vec<(Status, bool, &str)> = vec![
        (Status::Pass, false, "PASSED"),
        (Status::Manual, false, "NOT_AVAILABLE"),
        (Status::Fail, true, "WARNING"),
    ];
    for (status, muted, expected) in statuses {
        assert_eq!(asff::to_asff(by_status(&findings, status, muted), &product)["Compliance"]["Status"], expected);
    }
    let prowler = asff::to_asff(by_status(&findings, Status::Fail, false), &AsffProduct::Prowler);
    assert_eq!(prowler["ProductArn"], "arn:aws:securityhub:eu-west-1::product/prowler/prowler");
}

#[test]
fn asff_limits_are_enforced_on_huge_input() {
    let mut findings = samples::samples();
    let f = &mut findings[0];
    f.status_extended = "é".repeat(5000);
    f.resource.tags = (0..80).map(|i| (format!("k{i}{}", "x".repeat(200)), "v".repeat(400))).collect();
    let value = asff::to_asff(f, &AsffProduct::Custom);
    assert_eq!(value["Description"].as_str().map(|s| s.chars().count()), Some(1024));
    assert_eq!(value["Resources"][0]["Tags"].as_object().map(|t| t.len()), Some(50));
    assert_valid(Kind::Asff, &Value::Array(vec![value]));
}

#[test]
fn csv_has_prowlers_columns() {
    let findings = samples::samples();
    let bytes = csv::to_bytes(&findings).unwrap_or_else(|e| panic!("{e}"));
    let mut reader = ::csv::ReaderBuilder::new().delimiter(b';').from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().map(|h| h.iter().map(String::from).collect()).unwrap_or_default();
    assert_eq!(header, csv::COLUMNS);
    let rows: Vec<::csv::StringRecord> = reader.records().map(|r| r.unwrap_or_default()).collect();
    assert_eq!(rows.len(), findings.len());
    let muted = rows.iter().find(|r| r.get(15) == Some("True")).unwrap_or_else(|| panic!("no muted row"));
    assert_eq!(muted.get(13), Some("FAIL"));
    let fail = rows.iter().find(|r| r.get(21) == Some("1234abcd-12ab-34cd-56ef-1234567890ab")).unwrap_or_else(|| panic!());
    assert_eq!(fail.get(23), Some("Environment=prod | Owner=team:a"));
    assert!(fail.get(35).is_some_and(|c| c.contains("CIS-7.0: 2.21")));
    assert!(fail.get(22).is_some_and(|c| c.starts_with("verdict: PUBLIC")));
    // Zero findings: a header-only file that still validates.
    let empty = csv::to_bytes(&[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(String::from_utf8_lossy(&empty).lines().count(), 1);
    assert!(validate::validate_csv(&empty).is_empty());
}

#[test]
fn files_are_named_written_atomically_and_validate() {
    let dir = std::env::temp_dir().join(format!("kms-exposure-out-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = Options { directory: dir.clone(), filename: None, formats: Format::ALL.to_vec(), asff_product: AsffProduct::Custom };
    output::prepare_directory(&dir).unwrap_or_else(|e| panic!("{e}"));
    let time = samples::context().scan_time;
    let paths = output::write_files(&samples::samples(), &options, ACCOUNT, time).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = paths.iter().map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()).collect();
    assert_eq!(
        names,
        vec![
            "kms-exposure-output-123456789012-20250601120000.ocsf.json",
            "kms-exposure-output-123456789012-20250601120000.asff.json",
            "kms-exposure-output-123456789012-20250601120000.csv",
        ]
    );
    for p in &paths {
        let (_, violations) = validate::validate_file(p).unwrap_or_else(|e| panic!("{e}"));
        assert!(violations.is_empty(), "{}: {violations:?}", p.display());
    }
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir).into_iter().flatten().flatten().filter(|e| e.file_name().to_string_lossy().starts_with('.')).collect();
    assert!(leftovers.is_empty());
    // Zero findings still write valid files, with -F naming.
    let named = Options { filename: Some("empty".into()), ..options };
    let paths = output::write_files(&[], &named, ACCOUNT, time).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(std::fs::read_to_string(dir.join("empty.ocsf.json")).unwrap_or_default().trim(), "[]");
    for p in &paths {
        assert!(validate::validate_file(p).map(|(_, v)| v.is_empty()).unwrap_or(false), "{}", p.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unwritable_output_directory_is_an_error_naming_it() {
    let file = std::env::temp_dir().join(format!("kms-exposure-not-a-dir-{}", std::process::id()));
    std::fs::write(&file, b"x").unwrap_or_else(|e| panic!("{e}"));
    let err = output::prepare_directory(&file.join("sub")).err().unwrap_or_default();
    assert!(err.contains("kms-exposure-not-a-dir"), "{err}");
    let _ = std::fs::remove_file(&file);
}

#[test]
fn validate_cli_reports_violations_with_paths() {
    let dir = std::env::temp_dir().join(format!("kms-exposure-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let mut doc = ocsf::to_document(&samples::samples());
    doc[0]["time"] = Value::from(1_748_779_200i64); // seconds, as Prowler writes
    doc[0]["time_dt"] = Value::from("2025-06-01T12:00:00.123456");
    let bad = dir.join("bad.ocsf.json");
    std::fs::write(&bad, serde_json::to_vec(&doc).unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kms-exposure"))
        .args(["validate", &bad.to_string_lossy()])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("/0/time:") && text.contains("/0/time_dt:"), "{text}");
    let meta = std::process::Command::new(env!("CARGO_BIN_EXE_kms-exposure"))
        .args(["validate", concat!(env!("CARGO_MANIFEST_DIR"), "/metadata/kms_key_not_publicly_accessible.metadata.json")])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(meta.status.code(), Some(0), "{}", String::from_utf8_lossy(&meta.stdout));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn metadata_command_prints_metadata_with_compliance() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kms-exposure")).arg("metadata").output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["CheckID"], "kms_key_not_publicly_accessible");
    assert_eq!(v["Severity"], "critical");
    let compliance = v["Compliance"].as_array().cloned().unwrap_or_default();
    assert!(compliance.iter().any(|c| c["Key"] == "CIS-7.0" && c["Requirements"] == serde_json::json!(["2.21"])));
    assert_eq!(compliance.iter().map(|c| c["Requirements"].as_array().map_or(0, Vec::len)).sum::<usize>(), 30);
}

#[test]
fn prowler_plugin_carries_the_same_metadata() {
    let ours = include_str!("../metadata/kms_key_not_publicly_accessible.metadata.json");
    let plugin = include_str!(
        "../integrations/prowler/kms_exposure_prowler/services/kms/kms_key_not_publicly_accessible/kms_key_not_publicly_accessible.metadata.json"
    );
    assert_eq!(ours, plugin, "copy metadata/kms_key_not_publicly_accessible.metadata.json into the plugin");
}
