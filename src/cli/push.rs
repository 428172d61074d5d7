//! `kms-exposure push FILE.asff.json...`: import existing ASFF files into Security Hub, for
//! pipelines that scan in one job and import in another, or to retry a failed import.

use std::path::PathBuf;

use serde_json::Value;

use super::Status;
use crate::{inventory, securityhub};

/// Flags of `push`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// ASFF files (JSON arrays of findings) written by `scan` or by Prowler.
    #[arg(required = true, value_name = "FILE.asff.json")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    aws: super::AwsArgs,
    /// Send only FAILED findings.
    #[arg(long)]
    send_sh_only_fails: bool,
    /// Exit 0 even when findings could not be imported.
    #[arg(long)]
    ignore_sh_errors: bool,
}

/// Reads the findings of an ASFF file; the error names the file and what is wrong.
pub fn read_asff(path: &PathBuf) -> Result<Vec<Value>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| format!("`{}` is not JSON: {e}", path.display()))?;
    let Value::Array(items) = value else {
        return Err(format!("`{}` is not a JSON array of ASFF findings", path.display()));
    };
    for (i, item) in items.iter().enumerate() {
        securityhub::to_sdk(item).map_err(|why| format!("`{}` finding {i}: {why}", path.display()))?;
    }
    Ok(items)
}

/// Runs `push`: exit 0 when every finding was imported, 1 otherwise.
pub fn run(args: Args) -> Status {
    let mut findings = Vec::new();
    for path in &args.files {
        match read_asff(path) {
            Ok(items) => {
                let mut dropped: Vec<String> = items.iter().filter_map(|i| securityhub::to_sdk(i).ok()).flat_map(|(_, d)| d).collect();
                dropped.sort();
                dropped.dedup();
                if !dropped.is_empty() {
                    eprintln!("warning: `{}`: fields not sent: {}", path.display(), dropped.join(", "));
                }
                findings.extend(items);
            }
            Err(e) => {
                eprintln!("error: {e}");
                return Status::Error;
            }
        }
    }
    let account = findings.first().and_then(|f| f.get("AwsAccountId")).and_then(Value::as_str).unwrap_or_default().to_string();
    let by_region = securityhub::by_region(findings);
    let regions: Vec<String> = by_region.keys().cloned().collect();
    let runtime = match super::runtime() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Status::Error;
        }
    };
    let opts = securityhub::Options {
        only_fails: args.send_sh_only_fails,
        skip_update: true,
        generator_id: String::new(),
        account,
    };
    let result = runtime.block_on(async {
        let session = inventory::connect(&args.aws.options(regions.first().cloned())).await?;
        let hubs = securityhub::check_hubs(&session.config, &regions).await;
        Ok::<_, String>(securityhub::import_all(&session.config, by_region, &hubs, &opts, false).await)
    });
    let reports = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return Status::Error;
        }
    };
    let failed = securityhub::print_report(&reports);
    if failed && !args.ignore_sh_errors { Status::Error } else { Status::Clean }
}
