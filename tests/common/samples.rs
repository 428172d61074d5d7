//! Sample findings for the output tests and `examples/sample_findings.rs`: one FAIL (a public,
//! disabled key with tags and aliases), one cross-account PASS, one private PASS, one MANUAL
//! (policy unreadable) and one muted FAIL, all built through the real engine and model.

use chrono::{TimeZone, Utc};
use kms_exposure::finding::{Finding, KeyResource, ScanContext};
use kms_exposure::metadata;
use kms_exposure::policy::{self, TrustZone};
use serde_json::json;

pub const ACCOUNT: &str = "123456789012";

pub fn context() -> ScanContext {
    ScanContext {
        account: ACCOUNT.into(),
        account_name: ACCOUNT.into(),
        partition: "aws".into(),
        auth_method: "profile: default".into(),
        scan_time: Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).single().unwrap_or_default(),
        scan_id: "01972b5c-ee7b-705f-a779-cd1b3370d14f".into(),
    }
}

pub fn key(id: &str, region: &str) -> KeyResource {
    KeyResource {
        key_id: id.into(),
        arn: format!("arn:aws:kms:{region}:{ACCOUNT}:key/{id}"),
        region: region.into(),
        state: Some("Enabled".into()),
        manager: Some("CUSTOMER".into()),
        origin: Some("AWS_KMS".into()),
        key_spec: Some("SYMMETRIC_DEFAULT".into()),
        multi_region: Some(false),
        creation_date: Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).single(),
        description: Some("sample key".into()),
        ..KeyResource::default()
    }
}

fn evaluated(resource: KeyResource, doc: serde_json::Value) -> Finding {
    let check = metadata::check().unwrap_or_else(|e| panic!("{e}"));
    let eval = policy::evaluate(&doc, &TrustZone::for_owner(ACCOUNT));
    let mut resource = resource;
    resource.policy = Some(doc.to_string());
    Finding::from_evaluation(check, context(), resource, eval)
}

pub fn public_policy() -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Public", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]})
}

pub fn samples() -> Vec<Finding> {
    let check = metadata::check().unwrap_or_else(|e| panic!("{e}"));
    let mut public = key("1234abcd-12ab-34cd-56ef-1234567890ab", "eu-west-1");
    public.aliases = vec!["alias/app-data".into()];
    public.tags = vec![("Environment".into(), "prod".into()), ("Owner".into(), "team:a".into())];
    public.state = Some("Disabled".into());
    let fail = evaluated(public, public_policy());
    let cross = evaluated(
        key("2222abcd-12ab-34cd-56ef-1234567890ab", "us-east-1"),
        json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:Decrypt"}]}),
    );
    let private = evaluated(
        key("3333abcd-12ab-34cd-56ef-1234567890ab", "us-east-1"),
        json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*"}]}),
    );
    let manual = Finding::manual(
        check,
        context(),
        key("4444abcd-12ab-34cd-56ef-1234567890ab", "us-east-1"),
        "GetKeyPolicy failed: AccessDeniedException".into(),
    );
    let mut muted = evaluated(key("5555abcd-12ab-34cd-56ef-1234567890ab", "us-east-1"), public_policy());
    muted.muted = true;
    vec![fail, cross, private, manual, muted]
}
