//! `kms-exposure scan`: Prowler's flags, a progress bar on a terminal, the summary, the files.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Status;
use crate::finding::Status as FindingStatus;
use crate::inventory::regions;
use crate::mutelist::Mutelist;
use crate::securityhub;
use crate::output::{self, AsffProduct, Format};
use crate::scan::{self, Outcome};

/// Prowler's log levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum LogLevel {
    /// Everything, including each request.
    Debug,
    /// Progress messages.
    Info,
    /// Recoverable problems.
    Warning,
    /// Failures (the default).
    Error,
    /// Only fatal problems.
    Critical,
}

/// `--status` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum StatusFilter {
    /// PASS findings.
    Pass,
    /// FAIL findings.
    Fail,
    /// MANUAL findings.
    Manual,
}

impl StatusFilter {
    fn matches(self, s: FindingStatus) -> bool {
        matches!((self, s), (StatusFilter::Pass, FindingStatus::Pass) | (StatusFilter::Fail, FindingStatus::Fail) | (StatusFilter::Manual, FindingStatus::Manual))
    }
}

/// Flags of `scan` (Prowler's names where Prowler has them).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    aws: super::AwsArgs,
    /// Regions to scan (default: every region enabled for the account).
    #[arg(short = 'f', long = "region", visible_alias = "filter-region", num_args = 1.., value_name = "REGION")]
    regions: Vec<String>,
    /// Requests in flight at most, across all regions.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=1024))]
    max_requests_in_flight: u64,
    /// Request rate per API and region, as a percentage of the KMS quotas (half by default,
    /// so the account's applications keep headroom).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100))]
    quota_percent: u32,
    /// Output formats.
    #[arg(short = 'M', long = "output-formats", num_args = 1.., value_enum, default_values_t = Format::ALL.to_vec())]
    output_formats: Vec<Format>,
    /// Output directory.
    #[arg(short = 'o', long = "output-directory", default_value = "output")]
    output_directory: PathBuf,
    /// Output file name, without extension (default: kms-exposure-output-<account>-<time>).
    #[arg(short = 'F', long = "output-filename")]
    output_filename: Option<String>,
    /// Security Hub product for ASFF findings: custom, prowler, or a product ARN.
    #[arg(long, default_value = "custom")]
    asff_product: String,
    /// Prowler's mutelist YAML; muted findings keep their status and are marked muted.
    #[arg(short = 'w', long = "mutelist-file", value_name = "FILE")]
    mutelist_file: Option<PathBuf>,
    /// Write only findings with these statuses (looked at before muting).
    #[arg(long, num_args = 1.., value_enum)]
    status: Vec<StatusFilter>,
    #[command(flatten)]
    trust: super::TrustArgs,
    /// Import findings into AWS Security Hub (BatchImportFindings), after the files are written.
    #[arg(short = 'S', long)]
    security_hub: bool,
    /// Send only FAILED findings to Security Hub.
    #[arg(long, requires = "security_hub")]
    send_sh_only_fails: bool,
    /// Do not archive earlier Security Hub findings that this scan no longer produces.
    #[arg(long, requires = "security_hub")]
    skip_sh_update: bool,
    /// Exit as if the import succeeded even when findings could not be imported.
    #[arg(long, requires = "security_hub")]
    ignore_sh_errors: bool,
    /// Only report keys with these ARNs (Prowler's `--resource-arn`).
    #[arg(long = "resource-arn", value_name = "ARN", num_args = 1..)]
    resource_arns: Vec<String>,
    /// Print a versioned JSON result on stdout for the Prowler plugin, instead of the
    /// banner, summary and files.
    #[arg(long)]
    prowler_json: bool,
    /// Offer a fix for every unmuted FAIL (asks on a terminal; otherwise shows the diffs).
    #[arg(long)]
    fixer: bool,
    /// Exit 0 even when public keys are found.
    #[arg(short = 'z', long)]
    ignore_exit_code_3: bool,
    /// Do not print the banner.
    #[arg(short = 'b', long)]
    no_banner: bool,
    /// Log level (logs go to stderr).
    #[arg(long, value_enum, default_value_t = LogLevel::Error)]
    log_level: LogLevel,
}

fn init_logging(level: LogLevel) {
    let max = match level {
        LogLevel::Debug => tracing::Level::DEBUG,
        LogLevel::Info => tracing::Level::INFO,
        LogLevel::Warning => tracing::Level::WARN,
        LogLevel::Error | LogLevel::Critical => tracing::Level::ERROR,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(max)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// Runs `scan`.
pub fn run(args: Args) -> Status {
    init_logging(args.log_level);
    let (zone, fail_on_cross_account) = match args.trust.resolve(None) {
        Ok(z) => z,
        Err(status) => return status,
    };
    let mutelist = match &args.mutelist_file {
        Some(path) => match Mutelist::load(path) {
            Ok(m) => Some(m),
            Err(e) => {
                eprintln!("error: {e}");
                return Status::Error;
            }
        },
        None => None,
    };
    if let Some(bad) = args.regions.iter().find(|r| !regions::is_region_name(r)) {
        eprintln!("error: `{bad}` is not a region name such as eu-west-1");
        return Status::Usage;
    }
    let asff_product = match AsffProduct::parse(&args.asff_product) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: --asff-product: {e}");
            return Status::Usage;
        }
    };
    // An unwritable output directory is an error before any scanning starts.
    if args.prowler_json {
        // The plugin reads stdout; Prowler writes the files.
    } else if let Err(e) = output::prepare_directory(&args.output_directory) {
        eprintln!("error: {e} (choose another with -o DIR)");
        return Status::Error;
    }
    if !args.no_banner && !args.prowler_json {
        println!(
            "kms-exposure {}: check kms_key_not_publicly_accessible (is any KMS key policy open to everyone?)",
            env!("CARGO_PKG_VERSION")
        );
    }
    let mut formats = args.output_formats.clone();
    formats.dedup();
    let options = output::Options {
        directory: args.output_directory.clone(),
        filename: args.output_filename.clone(),
        formats,
        asff_product,
    };
    let request = scan::Request {
        aws: args.aws.options(args.regions.first().cloned()),
        regions: if args.regions.is_empty() { None } else { Some(args.regions.clone()) },
        zone,
        max_in_flight: usize::try_from(args.max_requests_in_flight).unwrap_or(32),
        rate_percent: args.quota_percent,
        fail_on_cross_account,
        mutelist,
    };
    let runtime = match super::runtime() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Status::Error;
        }
    };
    let asff_product = options.asff_product.clone();
    let work = async {
        let (session, region_list) = scan::connect(&request).await?;
        // Security Hub is checked before scanning, so a missing hub is said up front.
        let mut hubs = std::collections::HashMap::new();
        if args.security_hub {
            hubs = securityhub::check_hubs(&session.config, &region_list).await;
            let mut missing: Vec<&String> = hubs.iter().filter(|(_, r)| r.is_err()).map(|(k, _)| k).collect();
            missing.sort();
            for region in missing {
                if let Some(Err(why)) = hubs.get(region) {
                    eprintln!("warning: {why}");
                }
            }
            if asff_product == AsffProduct::Prowler {
                let mut ok: Vec<String> = hubs.iter().filter(|(_, r)| r.is_ok()).map(|(k, _)| k.clone()).collect();
                ok.sort();
                for region in ok {
                    let c = securityhub::client(&session.config, &region);
                    match securityhub::check_prowler_subscription(&c, &region, &session.partition).await {
                        Ok(None) => {}
                        Ok(Some(warning)) => eprintln!("warning: {warning}"),
                        Err(why) => {
                            eprintln!("warning: {why}");
                            hubs.insert(region, Err(why));
                        }
                    }
                }
            }
        }
        let bar = if args.prowler_json { ProgressBar::hidden() } else { progress_bar() };
        let outcome = scan::run(&request, session, region_list, bar).await?;
        Ok::<_, String>((outcome, hubs))
    };
    let finished = runtime.block_on(async {
        tokio::select! {
            r = work => Some(r),
            () = super::interrupted() => None,
        }
    });
    let (mut outcome, hubs) = match finished {
        Some(Ok(o)) => o,
        Some(Err(e)) => {
            eprintln!("error: {e}");
            return Status::Error;
        }
        None => {
            eprintln!("interrupted: the scan was stopped before it finished; no files were written");
            return Status::Interrupted;
        }
    };
    if !args.resource_arns.is_empty() {
        outcome.findings.retain(|f| args.resource_arns.iter().any(|a| a == &f.resource.arn));
    }
    if args.prowler_json {
        println!("{}", prowler_result(&outcome));
        let unmuted_fail = outcome.findings.iter().any(|f| f.status == FindingStatus::Fail && !f.muted);
        return if unmuted_fail && !args.ignore_exit_code_3 { Status::Failed } else { Status::Clean };
    }
    // Prowler's --status looks at the status before muting. The exit code still reflects
    // every finding.
    if args.fixer {
        let mode = if std::io::stdin().is_terminal() { super::fix::Mode::Ask } else { super::fix::Mode::DryRun };
        for f in outcome.findings.iter().filter(|f| f.status == FindingStatus::Fail && !f.muted && f.verdict == Some(crate::policy::Verdict::Public)) {
            let done = runtime.block_on(super::fix::fix_key(
                &outcome.session,
                &f.resource.region,
                &f.resource.arn,
                crate::remediate::Strategy::AddCondition,
                mode,
                std::path::Path::new("kms-policy-backups"),
                (&request.zone.trusted_accounts, &request.zone.trusted_orgs),
            ));
            if let Err(e) = done {
                println!("  {}: {e}", f.resource.key_id);
            }
        }
    }
    let unmuted_fail = outcome.findings.iter().any(|f| f.status == FindingStatus::Fail && !f.muted);
    let all_count = outcome.findings.len();
    if !args.status.is_empty() {
        outcome.findings.retain(|f| args.status.iter().any(|s| s.matches(f.status)));
    }
    // Files are always written before any import: an import failure loses nothing.
    let written = match output::write_files(&outcome.findings, &options, &outcome.context.account, outcome.context.scan_time) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return Status::Error;
        }
    };
    print_summary(&outcome, &written);
    if outcome.findings.len() < all_count {
        println!("--status kept {} of {all_count} findings in the files", outcome.findings.len());
    }
    let mut import_failed = false;
    if args.security_hub {
        let findings: Vec<serde_json::Value> =
            outcome.findings.iter().map(|f| output::asff::to_asff(f, &asff_product)).collect();
        let check_id = outcome.findings.first().map(|f| f.check.metadata.check_id.clone()).unwrap_or_else(|| "kms_key_not_publicly_accessible".into());
        let sh = securityhub::Options {
            only_fails: args.send_sh_only_fails,
            skip_update: args.skip_sh_update,
            generator_id: format!("prowler-{check_id}"),
            account: outcome.context.account.clone(),
        };
        let reports = runtime.block_on(securityhub::import_all(
            &outcome.session.config,
            securityhub::by_region(findings),
            &hubs,
            &sh,
            true,
        ));
        import_failed = securityhub::print_report(&reports);
    }
    if import_failed && !args.ignore_sh_errors {
        eprintln!("error: some findings were not imported into Security Hub; the files above hold them all (kms-exposure push FILE.asff.json retries)");
        Status::Error
    } else if unmuted_fail && !args.ignore_exit_code_3 {
        Status::Failed
    } else {
        Status::Clean
    }
}

/// The versioned result the Prowler plugin reads (`kms_exposure_result` 1).
fn prowler_result(o: &Outcome) -> String {
    let findings: Vec<serde_json::Value> = o
        .findings
        .iter()
        .map(|f| {
            let tags: Vec<serde_json::Value> = f.resource.tags.iter().map(|(k, v)| serde_json::json!({"Key": k, "Value": v})).collect();
            serde_json::json!({
                "status": f.status.as_str(),
                "status_extended": f.status_extended,
                "region": f.resource.region,
                "resource_id": f.resource.key_id,
                "resource_arn": f.resource.arn,
                "tags": tags,
                "verdict": f.verdict.map(|v| v.as_str()),
                "reason_codes": f.reason_codes(),
                "reasons": f.reasons,
            })
        })
        .collect();
    let regions: Vec<serde_json::Value> = o
        .regions
        .iter()
        .map(|r| serde_json::json!({"region": r.region, "keys": r.keys, "aws_managed": r.aws_managed, "failure": r.failure, "not_enabled": r.not_enabled}))
        .collect();
    serde_json::json!({
        "kms_exposure_result": 1,
        "version": env!("CARGO_PKG_VERSION"),
        "account": o.session.account,
        "partition": o.session.partition,
        "regions": regions,
        "findings": findings,
    })
    .to_string()
}

fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} keys {pos}/{len} [{elapsed_precise}] {wide_bar}") {
        bar.set_style(style);
    }
    bar
}

fn print_summary(o: &Outcome, written: &[PathBuf]) {
    println!("Account {} ({}), {} region(s), scanned in {:.1} s", o.session.account, o.session.partition, o.regions.len(), o.elapsed.as_secs_f64());
    println!("{:<16} {:>6} {:>6} {:>6} {:>6} {:>11}", "region", "keys", "PASS", "FAIL", "MANUAL", "aws-managed");
    let mut not_enabled = Vec::new();
    for r in &o.regions {
        if r.not_enabled {
            not_enabled.push(r.region.as_str());
            continue;
        }
        println!("{:<16} {:>6} {:>6} {:>6} {:>6} {:>11}", r.region, r.keys, r.pass, r.fail, r.manual, r.aws_managed);
        if let Some(why) = &r.failure {
            println!("  {}: {why}", r.region);
        }
    }
    let sum = |f: fn(&scan::RegionSummary) -> usize| o.regions.iter().map(f).sum::<usize>();
    println!(
        "{:<16} {:>6} {:>6} {:>6} {:>6} {:>11}",
        "total",
        sum(|r| r.keys),
        sum(|r| r.pass),
        sum(|r| r.fail),
        sum(|r| r.manual),
        sum(|r| r.aws_managed)
    );
    if !not_enabled.is_empty() {
        println!("Not enabled for this account (skipped): {}", not_enabled.join(", "));
    }
    let muted = o.findings.iter().filter(|f| f.muted).count();
    if muted > 0 {
        println!("Muted findings: {muted}");
    }
    let keys = sum(|r| r.keys) + sum(|r| r.aws_managed);
    let calls = o.counters.total();
    if keys > 0 {
        println!("API requests: {calls} ({:.2} per key)", calls as f64 / keys as f64);
    }
    for f in o.findings.iter().filter(|f| f.status == FindingStatus::Fail) {
        let muted = if f.muted { " (muted)" } else { "" };
        println!("FAIL{muted} {} {}: {}", f.resource.region, f.resource.key_id, f.status_extended);
    }
    for p in written {
        println!("Wrote {}", p.display());
    }
}
