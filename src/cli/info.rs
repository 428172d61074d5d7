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

/// The check module of the Prowler plugin, for `prowler-checks-folder`.
const PROWLER_CHECK_PY: &str = include_str!(
    "../../integrations/prowler/kms_exposure_prowler/services/kms/kms_key_not_publicly_accessible/kms_key_not_publicly_accessible.py"
);

/// Flags of `prowler-checks-folder`.
#[derive(Debug, clap::Args)]
pub struct ChecksFolderArgs {
    /// The folder to pass to `prowler -x` (created if missing).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

/// Writes `DIR/kms_key_not_publicly_accessible/` for Prowler's `-x/--checks-folder` route.
pub fn prowler_checks_folder(args: ChecksFolderArgs) -> Status {
    let check = args.dir.join("kms_key_not_publicly_accessible");
    let files: [(&str, &str); 3] = [
        ("__init__.py", ""),
        ("kms_key_not_publicly_accessible.py", PROWLER_CHECK_PY),
        ("kms_key_not_publicly_accessible.metadata.json", metadata::METADATA_JSON),
    ];
    if let Err(e) = std::fs::create_dir_all(&check) {
        eprintln!("error: cannot create `{}`: {e}", check.display());
        return Status::Error;
    }
    for (name, content) in files {
        if let Err(e) = crate::output::write_atomic(&check.join(name), content.as_bytes()) {
            eprintln!("error: {e}");
            return Status::Error;
        }
    }
    println!("wrote {}", check.display());
    println!("run: prowler aws -x {} --checks kms_key_not_publicly_accessible", args.dir.display());
    println!("note: Prowler removes its built-in copy of the check after such a run; use it in throw-away environments");
    Status::Clean
}
