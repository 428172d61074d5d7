//! The Security Hub sink: import ASFF findings with BatchImportFindings and archive the ones
//! a later scan no longer produces, accounting for every finding.
//!
//! Batches hold at most 100 findings and 6 MB; a finding over 240 KB is shrunk (its long
//! free-text fields cut), never dropped. Calls are paced at 10 per second per region
//! (burst 30) and regions run concurrently. The SDK retries throttling and 5xx answers;
//! findings that come back in `FailedFindings` with a retryable code are sent again with
//! backoff, and every other failure is reported with the finding's Id, code and message.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::types::{
    AssociatedStandard, AwsKmsKeyDetails, AwsSecurityFinding, AwsSecurityFindingFilters, Compliance, ComplianceStatus,
    Partition, Recommendation, RecordState, Remediation, Resource, ResourceDetails, Severity, SeverityLabel,
    StringFilter, StringFilterComparison,
};
use serde_json::Value;
use tokio::task::JoinSet;

use crate::inventory::describe_error;
use crate::inventory::pace::RateLimiter;
use crate::output::asff::truncate;

/// At most this many findings per BatchImportFindings call.
pub const MAX_BATCH_FINDINGS: usize = 100;
/// At most this many bytes per call.
pub const MAX_BATCH_BYTES: usize = 6 * 1024 * 1024;
/// At most this many bytes per finding.
pub const MAX_FINDING_BYTES: usize = 240 * 1024;
/// Rounds of re-sending findings that failed with a retryable code.
const RETRY_ROUNDS: u32 = 5;

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only findings whose compliance status is FAILED are sent (`--send-sh-only-fails`).
    pub only_fails: bool,
    /// Do not archive resolved findings (`--skip-sh-update`).
    pub skip_update: bool,
    /// What identifies this check's findings for archiving: product ARN per region is taken
    /// from the findings; generator and account are given here.
    pub generator_id: String,
    /// The audited account.
    pub account: String,
}

/// One finding Security Hub did not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    /// The finding's Id.
    pub id: String,
    /// The error code.
    pub code: String,
    /// The error message.
    pub message: String,
}

/// What happened in one region.
#[derive(Debug, Clone, Default)]
pub struct RegionReport {
    /// The region.
    pub region: String,
    /// Findings imported.
    pub imported: usize,
    /// Findings not imported, one by one.
    pub failed: Vec<Failed>,
    /// Findings not sent (Security Hub not enabled, or `--send-sh-only-fails`).
    pub skipped: usize,
    /// Earlier findings archived because this run no longer produced them.
    pub archived: usize,
    /// Why the region got no import, if it did not.
    pub not_imported: Option<String>,
    /// Why archiving did not happen or failed, if so.
    pub archive_note: Option<String>,
    /// Findings shrunk to fit 240 KB.
    pub shrunk: usize,
}

/// A Security Hub client for a region.
pub fn client(config: &aws_config::SdkConfig, region: &str) -> Client {
    let conf = aws_sdk_securityhub::config::Builder::from(config)
        .region(aws_sdk_securityhub::config::Region::new(region.to_string()))
        .build();
    Client::from_conf(conf)
}

/// Checks that Security Hub is enabled in `region` (DescribeHub). `Err` names the fix.
pub async fn check_hub(client: &Client, region: &str) -> Result<(), String> {
    match client.describe_hub().send().await {
        Ok(_) => Ok(()),
        Err(e) => Err(format!(
            "Security Hub is not usable in {region} ({}); enable it with `aws securityhub enable-security-hub --region {region}`",
            describe_error("DescribeHub", &e)
        )),
    }
}

/// Checks that the Prowler integration is subscribed in `region`. An endpoint without
/// ListEnabledProductsForImport gives a warning (`Ok(Some(..))`), not a failure.
pub async fn check_prowler_subscription(client: &Client, region: &str, partition: &str) -> Result<Option<String>, String> {
    let wanted = format!("arn:{partition}:securityhub:{region}::product/prowler/prowler");
    let mut token: Option<String> = None;
    loop {
        match client.list_enabled_products_for_import().set_next_token(token.clone()).send().await {
            Ok(out) => {
                if out.product_subscriptions().iter().any(|s| s.ends_with("product-subscription/prowler/prowler") || s == &wanted) {
                    return Ok(None);
                }
                token = out.next_token().map(str::to_string);
                if token.is_none() {
                    return Err(format!(
                        "the Prowler integration is not enabled in {region}; enable it with `aws securityhub enable-import-findings-for-product --region {region} --product-arn {wanted}`, or use --asff-product custom"
                    ));
                }
            }
            Err(e) => {
                return Ok(Some(format!(
                    "could not check the Prowler integration in {region} ({}); importing anyway",
                    describe_error("ListEnabledProductsForImport", &e)
                )));
            }
        }
    }
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

fn strings(v: &Value, k: &str) -> Option<Vec<String>> {
    v.get(k).and_then(Value::as_array).map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
}

fn string_map(v: &Value, k: &str) -> Option<HashMap<String, String>> {
    v.get(k).and_then(Value::as_object).map(|m| {
        m.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect()
    })
}

/// Top-level ASFF fields this sink understands; others are reported as dropped.
const KNOWN: &[&str] = &[
    "SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types", "FirstObservedAt", "LastObservedAt",
    "UpdatedAt", "CreatedAt", "Severity", "Title", "Description", "Resources", "Compliance", "Remediation",
    "ProductFields", "RecordState", "SourceUrl", "ProductName", "CompanyName", "Region",
];

/// Converts one ASFF finding (JSON) to the SDK type; returns the fields it does not carry.
pub fn to_sdk(v: &Value) -> Result<(AwsSecurityFinding, Vec<String>), String> {
    let obj = v.as_object().ok_or("a finding is not a JSON object")?;
    let dropped: Vec<String> = obj.keys().filter(|k| !KNOWN.contains(&k.as_str())).cloned().collect();
    let id = s(v, "Id").ok_or("a finding has no Id")?;
    let mut b = AwsSecurityFinding::builder()
        .set_schema_version(s(v, "SchemaVersion"))
        .id(id)
        .set_product_arn(s(v, "ProductArn"))
        .set_generator_id(s(v, "GeneratorId"))
        .set_aws_account_id(s(v, "AwsAccountId"))
        .set_types(strings(v, "Types"))
        .set_first_observed_at(s(v, "FirstObservedAt"))
        .set_last_observed_at(s(v, "LastObservedAt"))
        .set_updated_at(s(v, "UpdatedAt"))
        .set_created_at(s(v, "CreatedAt"))
        .set_title(s(v, "Title"))
        .set_description(s(v, "Description"))
        .set_source_url(s(v, "SourceUrl"))
        .set_product_fields(string_map(v, "ProductFields"))
        .set_record_state(s(v, "RecordState").map(|r| RecordState::from(r.as_str())));
    if let Some(label) = v.get("Severity").and_then(|x| x.get("Label")).and_then(Value::as_str) {
        b = b.severity(Severity::builder().label(SeverityLabel::from(label)).build());
    }
    for r in v.get("Resources").and_then(Value::as_array).into_iter().flatten() {
        let mut rb = Resource::builder()
            .set_type(s(r, "Type"))
            .set_id(s(r, "Id"))
            .set_partition(s(r, "Partition").map(|p| Partition::from(p.as_str())))
            .set_region(s(r, "Region"))
            .set_tags(string_map(r, "Tags"));
        if let Some(d) = r.get("Details") {
            let mut db = ResourceDetails::builder().set_other(string_map(d, "Other"));
            if let Some(k) = d.get("AwsKmsKey") {
                db = db.aws_kms_key(
                    AwsKmsKeyDetails::builder()
                        .set_aws_account_id(s(k, "AWSAccountId"))
                        .set_creation_date(k.get("CreationDate").and_then(Value::as_f64))
                        .set_key_id(s(k, "KeyId"))
                        .set_key_manager(s(k, "KeyManager"))
                        .set_key_state(s(k, "KeyState"))
                        .set_origin(s(k, "Origin"))
                        .set_description(s(k, "Description"))
                        .set_key_rotation_status(k.get("KeyRotationStatus").and_then(Value::as_bool))
                        .build(),
                );
            }
            rb = rb.details(db.build());
        }
        b = b.resources(rb.build());
    }
    if let Some(c) = v.get("Compliance") {
        let standards = c.get("AssociatedStandards").and_then(Value::as_array).map(|a| {
            a.iter().map(|x| AssociatedStandard::builder().set_standards_id(s(x, "StandardsId")).build()).collect()
        });
        b = b.compliance(
            Compliance::builder()
                .set_status(s(c, "Status").map(|x| ComplianceStatus::from(x.as_str())))
                .set_related_requirements(strings(c, "RelatedRequirements"))
                .set_associated_standards(standards)
                .build(),
        );
    }
    if let Some(r) = v.get("Remediation").and_then(|r| r.get("Recommendation")) {
        b = b.remediation(Remediation::builder().recommendation(Recommendation::builder().set_text(s(r, "Text")).set_url(s(r, "Url")).build()).build());
    }
    Ok((b.build(), dropped))
}

/// Shrinks a finding over 240 KB by cutting its free-text fields; returns true if it did.
pub fn shrink(v: &mut Value) -> bool {
    let size = |v: &Value| serde_json::to_vec(v).map(|b| b.len()).unwrap_or(usize::MAX);
    if size(v) <= MAX_FINDING_BYTES {
        return false;
    }
    for limit in [2048, 512, 128] {
        if let Some(fields) = v.get_mut("ProductFields").and_then(Value::as_object_mut) {
            for val in fields.values_mut() {
                if let Some(t) = val.as_str() {
                    *val = Value::String(truncate(t, limit));
                }
            }
        }
        for key in ["Description", "Title"] {
            if let Some(t) = v.get(key).and_then(Value::as_str) {
                let cut = truncate(t, limit.min(1024));
                v[key] = Value::String(cut);
            }
        }
        if let Some(rec) = v.pointer_mut("/Remediation/Recommendation/Text")
            && let Some(t) = rec.as_str() {
                *rec = Value::String(truncate(t, limit.min(512)));
            }
        if let Some(resources) = v.get_mut("Resources").and_then(Value::as_array_mut) {
            for r in resources {
                if let Some(tags) = r.get_mut("Tags").and_then(Value::as_object_mut) {
                    for val in tags.values_mut() {
                        if let Some(t) = val.as_str() {
                            *val = Value::String(truncate(t, limit.min(256)));
                        }
                    }
                }
            }
        }
        if size(v) <= MAX_FINDING_BYTES {
            break;
        }
    }
    true
}

/// Splits items into batches of at most 100 items and 6 MB (`size` gives an item's bytes).
fn batches<T>(items: Vec<T>, size: impl Fn(&T) -> usize) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = Vec::new();
    let mut current: Vec<T> = Vec::new();
    let mut bytes = 0usize;
    for item in items {
        let n = size(&item);
        if !current.is_empty() && (current.len() == MAX_BATCH_FINDINGS || bytes + n > MAX_BATCH_BYTES) {
            out.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += n;
        current.push(item);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn retryable(code: &str) -> bool {
    matches!(
        code,
        "ThrottlingException" | "TooManyRequestsException" | "Throttling" | "InternalException" | "InternalServerError"
            | "InternalFailure" | "ServiceUnavailable" | "ServiceUnavailableException" | "RequestTimeout"
    )
}

/// Sends findings (already converted) in batches with pacing and retries; returns how many
/// were imported and the ones that were not.
async fn send(client: &Client, rate: &RateLimiter, findings: Vec<(String, AwsSecurityFinding, usize)>) -> (usize, Vec<Failed>) {
    let mut pending = findings;
    let mut imported = 0usize;
    let mut failed: Vec<Failed> = Vec::new();
    for round in 0..=RETRY_ROUNDS {
        if pending.is_empty() {
            break;
        }
        if round > 0 {
            tokio::time::sleep(Duration::from_millis(250 * 2u64.pow(round - 1))).await;
        }
        let mut again: Vec<(String, AwsSecurityFinding, usize)> = Vec::new();
        let chunks = batches(std::mem::take(&mut pending), |item| item.2);
        for chunk in chunks {
            rate.wait().await;
            let req = client.batch_import_findings().set_findings(Some(chunk.iter().map(|c| c.1.clone()).collect()));
            match req.send().await {
                Ok(out) => {
                    let errors: HashMap<&str, (&str, &str)> = out
                        .failed_findings()
                        .iter()
                        .map(|e| (e.id().unwrap_or_default(), (e.error_code().unwrap_or("UnknownError"), e.error_message().unwrap_or(""))))
                        .collect();
                    for item in chunk {
                        match errors.get(item.0.as_str()) {
                            None => imported += 1,
                            Some((code, _)) if retryable(code) && round < RETRY_ROUNDS => again.push(item),
                            Some((code, message)) => {
                                failed.push(Failed { id: item.0.clone(), code: (*code).to_string(), message: (*message).to_string() })
                            }
                        }
                    }
                }
                Err(e) => {
                    let code = crate::inventory::error_code(&e).unwrap_or_else(|| "RequestFailed".into());
                    let message = describe_error("BatchImportFindings", &e);
                    for item in chunk {
                        if retryable(&code) && round < RETRY_ROUNDS {
                            again.push(item);
                        } else {
                            failed.push(Failed { id: item.0, code: code.clone(), message: message.clone() });
                        }
                    }
                }
            }
        }
        pending = again;
    }
    (imported, failed)
}

/// This check's ACTIVE findings in Security Hub for the region (all pages), filtered on the
/// client too, since an endpoint may ignore filters.
async fn existing(client: &Client, rate: &RateLimiter, product_arn: &str, opts: &Options, region: &str) -> Result<Vec<AwsSecurityFinding>, String> {
    let eq = |v: &str| StringFilter::builder().value(v).comparison(StringFilterComparison::Equals).build();
    let filters = AwsSecurityFindingFilters::builder()
        .product_arn(eq(product_arn))
        .generator_id(eq(&opts.generator_id))
        .aws_account_id(eq(&opts.account))
        .record_state(eq("ACTIVE"))
        .build();
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    let mut seen = HashSet::new();
    loop {
        rate.wait().await;
        let page = client
            .get_findings()
            .filters(filters.clone())
            .max_results(100)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| describe_error("GetFindings", &e))?;
        for f in page.findings() {
            let ours = f.product_arn() == Some(product_arn)
                && f.generator_id() == Some(opts.generator_id.as_str())
                && f.aws_account_id() == Some(opts.account.as_str())
                && f.record_state().is_none_or(|r| *r == RecordState::Active)
                && finding_region(f).is_none_or(|r| r == region);
            if ours {
                out.push(f.clone());
            }
        }
        token = page.next_token().filter(|t| !t.is_empty()).map(str::to_string);
        match &token {
            None => return Ok(out),
            Some(t) if !seen.insert(t.clone()) => return Err(format!("GetFindings returned token `{t}` twice")),
            Some(_) => {}
        }
    }
}

fn finding_region(f: &AwsSecurityFinding) -> Option<&str> {
    f.region()
        .or_else(|| f.product_arn().and_then(|a| a.split(':').nth(3)).filter(|r| !r.is_empty()))
        .or_else(|| f.resources().first().and_then(|r| r.region()))
}

/// Imports one region's findings and archives what this run no longer produced.
pub async fn import_region(client: Client, region: String, findings: Vec<Value>, opts: Options, archive: bool) -> RegionReport {
    let rate = RateLimiter::new(10, 30);
    let mut report = RegionReport { region: region.clone(), ..RegionReport::default() };
    let mut to_send: Vec<Value> = Vec::new();
    for mut f in findings {
        let status = f.pointer("/Compliance/Status").and_then(Value::as_str).unwrap_or_default();
        if opts.only_fails && status != "FAILED" {
            report.skipped += 1;
            continue;
        }
        if shrink(&mut f) {
            report.shrunk += 1;
        }
        to_send.push(f);
    }
    let product_arn = to_send.first().and_then(|f| s(f, "ProductArn"));
    // Findings seen before keep their first-seen times.
    let mut before: Vec<AwsSecurityFinding> = Vec::new();
    if let Some(arn) = &product_arn {
        match existing(&client, &rate, arn, &opts, &region).await {
            Ok(found) => before = found,
            Err(e) => report.archive_note = Some(format!("earlier findings could not be read, so none were archived and first-seen times restart: {e}")),
        }
    }
    let first_seen: HashMap<&str, (Option<&str>, Option<&str>)> =
        before.iter().filter_map(|f| f.id().map(|id| (id, (f.first_observed_at(), f.created_at())))).collect();
    let mut converted = Vec::new();
    let mut sent_ids = HashSet::new();
    for mut f in to_send {
        let id = s(&f, "Id").unwrap_or_default();
        if let (Some((first, created)), Some(obj)) = (first_seen.get(id.as_str()), f.as_object_mut()) {
            if let Some(t) = first {
                obj.insert("FirstObservedAt".into(), Value::String((*t).to_string()));
            }
            if let Some(t) = created {
                obj.insert("CreatedAt".into(), Value::String((*t).to_string()));
            }
        }
        let size = serde_json::to_vec(&f).map(|b| b.len()).unwrap_or(0);
        match to_sdk(&f) {
            Ok((sdk, _)) => {
                sent_ids.insert(id.clone());
                converted.push((id, sdk, size));
            }
            Err(why) => report.failed.push(Failed { id, code: "InvalidFinding".into(), message: why }),
        }
    }
    let (imported, failed) = send(&client, &rate, converted).await;
    report.imported = imported;
    report.failed.extend(failed);
    if !archive || opts.skip_update {
        return report;
    }
    if !report.failed.is_empty() {
        report.archive_note = Some("some findings were not imported, so nothing was archived in this region".into());
        return report;
    }
    if report.archive_note.is_some() {
        return report;
    }
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let stale: Vec<(String, AwsSecurityFinding, usize)> = before
        .into_iter()
        .filter(|f| f.id().is_some_and(|id| !sent_ids.contains(id)))
        .map(|mut f| {
            f.record_state = Some(RecordState::Archived);
            f.updated_at = Some(now.clone());
            (f.id().unwrap_or_default().to_string(), f, 4096)
        })
        .collect();
    if stale.is_empty() {
        return report;
    }
    let (archived, failed) = send(&client, &rate, stale).await;
    report.archived = archived;
    if !failed.is_empty() {
        report.archive_note = Some(format!(
            "{} earlier finding(s) could not be archived: {}",
            failed.len(),
            failed.iter().map(|f| format!("{} ({})", f.id, f.code)).collect::<Vec<_>>().join(", ")
        ));
    }
    report
}

/// Groups ASFF findings by the region of their resource (or product ARN).
pub fn by_region(findings: Vec<Value>) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for f in findings {
        let region = f
            .pointer("/Resources/0/Region")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| s(&f, "ProductArn").and_then(|a| a.split(':').nth(3).map(str::to_string)))
            .unwrap_or_default();
        out.entry(region).or_default().push(f);
    }
    out
}

/// Imports into every region concurrently. `hubs` says, per region, whether Security Hub
/// is usable there; regions that are not get no import and their findings count as skipped.
pub async fn import_all(
    config: &aws_config::SdkConfig,
    findings: BTreeMap<String, Vec<Value>>,
    hubs: &HashMap<String, Result<(), String>>,
    opts: &Options,
    archive: bool,
) -> Vec<RegionReport> {
    let mut reports = Vec::new();
    let mut tasks = JoinSet::new();
    let mut regions: Vec<String> = findings.keys().cloned().collect();
    for r in hubs.keys() {
        if !regions.contains(r) {
            regions.push(r.clone());
        }
    }
    regions.sort();
    let mut findings = findings;
    for region in regions {
        let list = findings.remove(&region).unwrap_or_default();
        match hubs.get(&region) {
            Some(Err(why)) => {
                reports.push(RegionReport { region, skipped: list.len(), not_imported: Some(why.clone()), ..RegionReport::default() });
            }
            None if !list.is_empty() => {
                reports.push(RegionReport {
                    region: region.clone(),
                    skipped: list.len(),
                    not_imported: Some(format!("Security Hub in {region} was not checked before the scan")),
                    ..RegionReport::default()
                });
            }
            _ => {
                let c = client(config, &region);
                tasks.spawn(import_region(c, region, list, opts.clone(), archive));
            }
        }
    }
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(r) => reports.push(r),
            Err(e) => reports.push(RegionReport { not_imported: Some(format!("the import task stopped unexpectedly: {e}")), ..RegionReport::default() }),
        }
    }
    reports.sort_by(|a, b| a.region.cmp(&b.region));
    reports
}

/// Checks Security Hub in each region, concurrently.
pub async fn check_hubs(config: &aws_config::SdkConfig, regions: &[String]) -> HashMap<String, Result<(), String>> {
    let mut tasks = JoinSet::new();
    for r in regions {
        let c = client(config, r);
        let region = r.clone();
        tasks.spawn(async move {
            let result = check_hub(&c, &region).await;
            (region, result)
        });
    }
    let mut out = HashMap::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok((region, result)) = done {
            out.insert(region, result);
        }
    }
    out
}

/// Prints the import report; returns true if any finding could not be imported.
pub fn print_report(reports: &[RegionReport]) -> bool {
    let mut any_failed = false;
    println!("Security Hub import:");
    println!("{:<16} {:>8} {:>8} {:>8} {:>8}", "region", "imported", "failed", "skipped", "archived");
    for r in reports {
        if r.imported + r.failed.len() + r.skipped + r.archived == 0 && r.not_imported.is_none() {
            continue;
        }
        println!("{:<16} {:>8} {:>8} {:>8} {:>8}", r.region, r.imported, r.failed.len(), r.skipped, r.archived);
        if let Some(why) = &r.not_imported {
            println!("  {}: no import: {why}", r.region);
            if r.skipped > 0 {
                any_failed = true;
            }
        }
        if r.shrunk > 0 {
            println!("  {}: {} finding(s) over 240 KB were shrunk to fit", r.region, r.shrunk);
        }
        for f in &r.failed {
            any_failed = true;
            println!("  not imported: {} {}: {}", f.id, f.code, f.message);
        }
        if let Some(note) = &r.archive_note {
            println!("  {}: {note}", r.region);
        }
    }
    any_failed
}
