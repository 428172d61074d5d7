//! A whole scan: connect, read every region's keys concurrently, evaluate each policy with
//! the engine, and turn every key (and every region that could not be listed) into exactly
//! one finding.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use indicatif::ProgressBar;
use tokio::task::JoinSet;

use crate::finding::{Finding, KeyResource, ScanContext, Status};
use crate::inventory::kms::{self, Counters, KeyRead, RegionScan};
use crate::inventory::pace::Pacer;
use crate::inventory::{self, AwsOptions, Session, regions};
use crate::metadata;
use crate::policy::{self, TrustZone};

/// What to scan.
#[derive(Debug, Clone)]
pub struct Request {
    /// Credentials and retries.
    pub aws: AwsOptions,
    /// Regions given with `-f`; `None` for every enabled region of the partition.
    pub regions: Option<Vec<String>>,
    /// Trusted accounts, orgs and IP ranges (the owner account is added per key).
    pub zone: TrustZone,
    /// Requests in flight at most, across the scan.
    pub max_in_flight: usize,
    /// Request rate per API and region, as a percentage of the KMS quota (default 50).
    pub rate_percent: u32,
    /// Report CROSS_ACCOUNT keys as FAIL (`--fail-on-cross-account`).
    pub fail_on_cross_account: bool,
    /// Prowler's mutelist (`-w`); muted findings keep their status.
    pub mutelist: Option<crate::mutelist::Mutelist>,
}

/// Per-region counts for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionSummary {
    /// The region.
    pub region: String,
    /// Customer-managed keys reported.
    pub keys: usize,
    /// AWS-managed keys skipped.
    pub aws_managed: usize,
    /// PASS findings.
    pub pass: usize,
    /// FAIL findings.
    pub fail: usize,
    /// MANUAL findings.
    pub manual: usize,
    /// Why the region could not be listed, if it could not.
    pub failure: Option<String>,
    /// True when the region is not enabled for the account (default region set only).
    pub not_enabled: bool,
}

/// The outcome of a scan.
#[derive(Debug)]
pub struct Outcome {
    /// Who and where.
    pub session: Session,
    /// The scan's context (account, time, id) shared by its findings.
    pub context: ScanContext,
    /// Every finding, sorted by region and key id.
    pub findings: Vec<Finding>,
    /// One line per region.
    pub regions: Vec<RegionSummary>,
    /// Requests made per API.
    pub counters: Arc<Counters>,
    /// Wall time of the scan.
    pub elapsed: Duration,
}

/// Connects (credentials, STS) and returns the session with the regions the scan covers.
pub async fn connect(request: &Request) -> Result<(Session, Vec<String>), String> {
    let session = inventory::connect(&request.aws).await?;
    let region_list: Vec<String> = match &request.regions {
        Some(r) => r.clone(),
        None => regions::of_partition(&session.partition).iter().map(|s| (*s).to_string()).collect(),
    };
    Ok((session, region_list))
}

/// Runs a scan over `region_list`. `Err` only for what stops the whole scan; every
/// per-region and per-key failure becomes a MANUAL finding instead.
pub async fn run(request: &Request, session: Session, region_list: Vec<String>, progress: ProgressBar) -> Result<Outcome, String> {
    let started = Instant::now();
    let check = metadata::check()?;
    let explicit = request.regions.is_some();
    let context = ScanContext {
        account: session.account.clone(),
        account_name: session.account.clone(),
        partition: session.partition.clone(),
        auth_method: session.auth_method.clone(),
        scan_time: Utc::now(),
        scan_id: uuid::Uuid::now_v7().to_string(),
    };
    let pacer = Pacer::new(request.max_in_flight);
    let counters = Arc::new(Counters::default());
    let mut tasks = JoinSet::new();
    for region in &region_list {
        let conf = aws_sdk_kms::config::Builder::from(&session.config)
            .region(aws_sdk_kms::config::Region::new(region.clone()))
            .build();
        let client = aws_sdk_kms::Client::from_conf(conf);
        tasks.spawn(kms::scan_region(client, region.clone(), pacer.clone(), request.rate_percent, counters.clone(), progress.clone()));
    }
    let mut scans: Vec<RegionScan> = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(s) => scans.push(s),
            Err(e) => scans.push(RegionScan { failure: Some(format!("the region scan stopped unexpectedly: {e}")), ..RegionScan::default() }),
        }
    }
    // A region task that died has no name; put the missing names back.
    for region in &region_list {
        if !scans.iter().any(|s| &s.region == region)
            && let Some(s) = scans.iter_mut().find(|s| s.region.is_empty()) {
                s.region = region.clone();
            }
    }
    progress.finish_and_clear();
    scans.sort_by(|a, b| a.region.cmp(&b.region));

    let mut findings = Vec::new();
    let mut summaries = Vec::new();
    for scan in scans {
        let mut summary = RegionSummary {
            region: scan.region.clone(),
            aws_managed: scan.aws_managed,
            failure: scan.failure.clone(),
            ..RegionSummary::default()
        };
        if let Some(why) = &scan.failure {
            if scan.not_enabled && !explicit {
                summary.not_enabled = true;
            } else {
                let resource = region_resource(&session, &scan.region);
                let f = Finding::manual(check, context.clone(), resource, format!("the keys of region {} could not be listed: {why}", scan.region));
                summary.manual += 1;
                findings.push(f);
            }
        }
        for key in scan.keys {
            let mut f = key_finding(check, &context, &request.zone, &session, key);
            if request.fail_on_cross_account && f.verdict == Some(crate::policy::Verdict::CrossAccount) {
                f.status = Status::Fail;
                f.status_extended = format!("{} Reported as FAIL because of --fail-on-cross-account.", f.status_extended);
            }
            summary.keys += 1;
            match f.status {
                Status::Pass => summary.pass += 1,
                Status::Fail => summary.fail += 1,
                Status::Manual => summary.manual += 1,
            }
            findings.push(f);
        }
        summaries.push(summary);
    }
    if let Some(ml) = &request.mutelist {
        for f in &mut findings {
            f.muted = ml.is_muted(&crate::mutelist::Subject {
                account: &f.context.account,
                check: &f.check.metadata.check_id,
                region: &f.resource.region,
                resource_id: &f.resource.key_id,
                resource_arn: &f.resource.arn,
                tags: &f.resource.tags,
            });
        }
    }
    crate::output::sort_findings(&mut findings);
    Ok(Outcome { session, context, findings, regions: summaries, counters, elapsed: started.elapsed() })
}

/// The resource a region-level MANUAL finding is about: the region's whole key inventory.
fn region_resource(session: &Session, region: &str) -> KeyResource {
    KeyResource {
        key_id: "key-inventory".into(),
        arn: format!("arn:{}:kms:{region}:{}:key/*", session.partition, session.account),
        region: region.into(),
        ..KeyResource::default()
    }
}

fn key_finding(check: &'static metadata::Check, context: &ScanContext, base: &TrustZone, session: &Session, key: KeyRead) -> Finding {
    let KeyRead { mut resource, policy } = key;
    match policy {
        Err(why) => {
            let why = if resource.notes.is_empty() { why } else { format!("{why}; {}", resource.notes.join("; ")) };
            Finding::manual(check, context.clone(), resource, why)
        }
        Ok(text) => {
            // The owner is the account in the key's ARN (the scanned account otherwise).
            let owner = resource.arn.split(':').nth(4).filter(|a| policy::is_account_id(a)).unwrap_or(&session.account);
            let zone = TrustZone { owner_account: Some(owner.to_string()), ..base.clone() };
            let eval = policy::evaluate_bytes(text.as_bytes(), &zone);
            resource.policy = serde_json::from_str::<serde_json::Value>(&text).ok().map(|v| v.to_string());
            Finding::from_evaluation(check, context.clone(), resource, eval)
        }
    }
}
