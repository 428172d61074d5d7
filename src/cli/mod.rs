//! The command line: flags, subcommands and exit codes. Each subcommand lives in its own
//! module and only wires library parts together.

mod evaluate;
mod info;
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
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> ExitCode {
        ExitCode::from(match s {
            Status::Clean => 0,
            Status::Error => 1,
            Status::Usage => 2,
            Status::Failed => 3,
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
    /// Print the check's metadata (Prowler's format) with its compliance mappings, as JSON.
    Metadata,
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
        Command::Metadata => info::metadata(),
        Command::Validate(args) => info::validate(args),
    }
}
