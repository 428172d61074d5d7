//! `kms-exposure metadata` and `kms-exposure validate`.

use std::path::PathBuf;

use super::Status;
use crate::{metadata, validate};

/// Prints the metadata with its compliance mappings.
pub fn metadata() -> Status {
    match metadata::check() {
        Ok(check) => match serde_json::to_string_pretty(&metadata::metadata_with_compliance(check)) {
            Ok(text) => {
                println!("{text}");
                Status::Clean
            }
            Err(e) => {
                eprintln!("error: {e}");
                Status::Error
            }
        },
        Err(e) => {
            eprintln!("error: {e}");
            Status::Error
        }
    }
}

/// Flags of `validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Files to check; the kind comes from the name (.ocsf.json, .asff.json, .csv, .metadata.json).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Checks every file and prints each violation with its path; exit 1 if any is invalid.
pub fn validate(args: ValidateArgs) -> Status {
    let mut status = Status::Clean;
    for path in &args.files {
        match validate::validate_file(path) {
            Ok((kind, violations)) if violations.is_empty() => {
                println!("{}: valid {}", path.display(), kind.name());
            }
            Ok((kind, violations)) => {
                status = Status::Error;
                println!("{}: {} violation(s) of the {} schema", path.display(), violations.len(), kind.name());
                for v in violations {
                    let at = if v.path.is_empty() { "/" } else { v.path.as_str() };
                    println!("  {at}: {}", v.message);
                }
            }
            Err(e) => {
                status = Status::Error;
                eprintln!("error: {e}");
            }
        }
    }
    status
}
