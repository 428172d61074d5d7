//! The command line: flags, subcommands and exit codes. Each subcommand lives in its own
//! module and only wires library parts together.

mod evaluate;
mod fix;
mod info;
mod push;
mod scan;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit statuses shared by every subcommand (Prowler's convention for 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing public was found.
    Clean,
    /// A fatal error, or a verdict that could not be reached.
    Error,
    /// The command line was wrong.
    Usage,
    /// At least one public key (an unmuted FAIL).
    Failed,
    /// Stopped by SIGINT or SIGTERM before finishing (nothing half-written).
    Interrupted,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> ExitCode {
        ExitCode::from(match s {
            Status::Clean => 0,
            Status::Error => 1,
            Status::Usage => 2,
            Status::Failed => 3,
            Status::Interrupted => 130,
        })
    }
}

/// Finds AWS KMS customer-managed keys whose key policy lets anyone use them.
#[derive(Debug, Parser)]
#[command(name = "kms-exposure", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate a key policy offline: is it public, cross-account or private, and why?
    Evaluate(evaluate::Args),
    /// Scan an AWS account's KMS keys across regions and write findings.
    Scan(Box<scan::Args>),
    /// Import existing ASFF files into AWS Security Hub (same batching, retries and report as scan -S).
    Push(push::Args),
    /// Fix a public key's policy safely: dry-run diff, backup, lockout guard, apply, verify.
    Fix(Box<fix::Args>),
    /// Print the check's metadata (Prowler's format) with its compliance mappings, as JSON.
    Metadata,
    /// Write the folder for Prowler's `-x/--checks-folder` route (our check and metadata).
    ProwlerChecksFolder(info::ChecksFolderArgs),
    /// Check output files (.ocsf.json, .asff.json, .csv, .metadata.json) against the bundled schemas.
    Validate(info::ValidateArgs),
}

/// Parses the process arguments and runs the chosen subcommand.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let usage = e.use_stderr();
            let _ = e.print();
            return if usage { Status::Usage.into() } else { Status::Clean.into() };
        }
    };
    run(cli).into()
}

fn run(cli: Cli) -> Status {
    match cli.command {
        Command::Evaluate(args) => evaluate::run(args),
        Command::Scan(args) => scan::run(*args),
        Command::Push(args) => push::run(args),
        Command::Fix(args) => fix::run(*args),
        Command::Metadata => info::metadata(),
        Command::Validate(args) => info::validate(args),
        Command::ProwlerChecksFolder(args) => info::prowler_checks_folder(args),
    }
}

/// Prowler's credential and retry flags, shared by the commands that call AWS.
#[derive(Debug, Clone, clap::Args)]
pub struct AwsArgs {
    /// Named AWS profile.
    #[arg(short = 'p', long)]
    profile: Option<String>,
    /// Role ARN to assume before calling AWS.
    #[arg(short = 'R', long)]
    role: Option<String>,
    /// External id for the role.
    #[arg(short = 'I', long, requires = "role")]
    external_id: Option<String>,
    /// Assumed role session duration in seconds (900 to 43200).
    #[arg(short = 'T', long, requires = "role", value_parser = clap::value_parser!(u64).range(900..=43200))]
    session_duration: Option<u64>,
    /// Attempts per request, including the first.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    aws_retries_max_attempts: u32,
    /// The SDK's retry mode: adaptive (the default) also slows the client down when AWS
    /// throttles it; standard only retries with backoff.
    #[arg(long, value_enum, default_value_t = RetryMode::Adaptive)]
    aws_retry_mode: RetryMode,
    /// Longest wait between two attempts, in seconds.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=300))]
    aws_retries_max_backoff: u64,
}

/// The SDK's retry modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RetryMode {
    /// Retries with backoff, and a client-side rate limit that backs off when throttled.
    Adaptive,
    /// Retries with backoff only.
    Standard,
}

impl AwsArgs {
    fn options(&self, home_region: Option<String>) -> crate::inventory::AwsOptions {
        crate::inventory::AwsOptions {
            profile: self.profile.clone(),
            role: self.role.clone(),
            external_id: self.external_id.clone(),
            session_duration: self.session_duration,
            max_attempts: self.aws_retries_max_attempts,
            adaptive: self.aws_retry_mode == RetryMode::Adaptive,
            max_backoff_secs: self.aws_retries_max_backoff,
            home_region,
        }
    }
}

/// The async runtime for commands that call AWS. Worker stacks are large because the SDK's
/// deserializers for Security Hub findings recurse deeply (a debug build overflows 2 MiB).
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().thread_stack_size(32 * 1024 * 1024).max_blocking_threads(8).build()
}

/// Resolves when the process gets SIGINT (Ctrl-C) or SIGTERM.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The trust zone flags shared by `evaluate` and `scan`.
#[derive(Debug, Clone, clap::Args)]
pub struct TrustArgs {
    /// An account to trust besides the owner (repeatable).
    #[arg(long = "trusted-account", value_name = "ID", num_args = 1.., action = clap::ArgAction::Append)]
    trusted_accounts: Vec<String>,
    /// An organization to trust, `o-...` (repeatable).
    #[arg(long = "trusted-org", value_name = "ORG", num_args = 1.., action = clap::ArgAction::Append)]
    trusted_orgs: Vec<String>,
    /// An IP range to trust in `aws:SourceIp` conditions (repeatable).
    #[arg(long = "trusted-ip", value_name = "CIDR", num_args = 1.., action = clap::ArgAction::Append)]
    trusted_ips: Vec<String>,
    /// A YAML file with the trust zone (see the README); flags add to it.
    #[arg(long, value_name = "FILE")]
    config_file: Option<std::path::PathBuf>,
    /// Report keys shared with accounts or orgs outside the trust zone as FAIL (exit 3).
    #[arg(long)]
    fail_on_cross_account: bool,
}

impl TrustArgs {
    /// The trust zone (the config file's, plus the flags) for `owner`, and whether
    /// CROSS_ACCOUNT counts as FAIL. Errors are printed; the status says how to exit.
    fn resolve(&self, owner: Option<&str>) -> Result<(crate::policy::TrustZone, bool), Status> {
        let config = match &self.config_file {
            Some(path) => crate::config::Config::load(path).map_err(|e| {
                eprintln!("error: {e}");
                Status::Error
            })?,
            None => crate::config::Config::default(),
        };
        let accounts: Vec<&String> = config.trusted_accounts.iter().chain(&self.trusted_accounts).collect();
        let orgs: Vec<&String> = config.trusted_orgs.iter().chain(&self.trusted_orgs).collect();
        let ips: Vec<&String> = config.trusted_ips.iter().chain(&self.trusted_ips).collect();
        let zone = crate::policy::TrustZone::from_input(owner, accounts, orgs, ips).map_err(|e| {
            let from = if self.config_file.is_some() { " (from the flags or the config file)" } else { "" };
            eprintln!("error: {e}{from}");
            Status::Usage
        })?;
        Ok((zone, self.fail_on_cross_account || config.fail_on_cross_account))
    }
}
