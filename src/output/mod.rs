//! Output files: one module per format, and the file sink that names and writes them.
//!
//! Files are named `<prefix>-<account>-<YYYYmmddHHMMSS>.<ext>` (prefix
//! `kms-exposure-output`, like Prowler's `prowler-output`), or `<NAME>.<ext>` with
//! `-F NAME`. Each is written to a temporary file in the same directory, flushed to disk and
//! renamed, so a crash never leaves half a file. Zero findings still give valid files (an
//! empty JSON array, a header-only CSV), so a pipeline can tell "nothing found" from "did
//! not run".

pub mod asff;
pub mod csv;
pub mod ocsf;

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::finding::Finding;
pub use asff::AsffProduct;

/// The default file-name prefix.
pub const DEFAULT_PREFIX: &str = "kms-exposure-output";

/// An output format, named as Prowler's `-M` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// OCSF 1.5.0 Detection Finding JSON array (`.ocsf.json`).
    #[value(name = "json-ocsf")]
    JsonOcsf,
    /// AWS Security Finding Format JSON array (`.asff.json`).
    #[value(name = "json-asff")]
    JsonAsff,
    /// Prowler's `;`-separated CSV (`.csv`).
    #[value(name = "csv")]
    Csv,
}

impl Format {
    /// Every format, the default of `-M`.
    pub const ALL: [Format; 3] = [Format::JsonOcsf, Format::JsonAsff, Format::Csv];

    /// The file extension, with its leading dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::JsonOcsf => ".ocsf.json",
            Format::JsonAsff => ".asff.json",
            Format::Csv => ".csv",
        }
    }
}

/// Where and how to write output files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The output directory (`-o`).
    pub directory: PathBuf,
    /// A file name without extension (`-F`); `None` for the default scheme.
    pub filename: Option<String>,
    /// The formats to write (`-M`).
    pub formats: Vec<Format>,
    /// The Security Hub product the ASFF findings name.
    pub asff_product: AsffProduct,
}

impl Options {
    /// The file name without extension for this account and scan time.
    pub fn base_name(&self, account: &str, time: DateTime<Utc>) -> String {
        match &self.filename {
            Some(name) => name.clone(),
            None => format!("{DEFAULT_PREFIX}-{account}-{}", time.format("%Y%m%d%H%M%S")),
        }
    }
}

/// Makes sure the output directory exists and is writable, before any scanning starts.
pub fn prepare_directory(dir: &Path) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create output directory `{}`: {e}", dir.display()))?;
    let probe = dir.join(format!(".kms-exposure-probe-{}", std::process::id()));
    File::create(&probe)
        .and_then(|mut f| f.write_all(b"probe"))
        .map_err(|e| format!("output directory `{}` is not writable: {e}", dir.display()))?;
    let _ = fs::remove_file(&probe);
    Ok(())
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(format!("cannot write `{}`: {e}", path.display()));
    }
    Ok(())
}

/// Sorts findings so that every output is deterministic: by region, then key id.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.resource.region.as_str(), a.resource.key_id.as_str()).cmp(&(b.resource.region.as_str(), b.resource.key_id.as_str()))
    });
}

/// Renders one format.
pub fn render(format: Format, findings: &[Finding], product: &AsffProduct) -> Result<Vec<u8>, String> {
    if format == Format::Csv {
        return csv::to_bytes(findings);
    }
    // One finding at a time: the whole document never exists as a JSON tree in memory.
    let mut bytes = Vec::with_capacity(findings.len() * 8192 + 4);
    bytes.push(b'[');
    for (i, f) in findings.iter().enumerate() {
        bytes.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        let value = match format {
            Format::JsonOcsf => ocsf::to_ocsf(f),
            _ => asff::to_asff(f, product),
        };
        serde_json::to_writer_pretty(&mut bytes, &value).map_err(|e| e.to_string())?;
    }
    bytes.extend_from_slice(if findings.is_empty() { b"]\n" } else { b"\n]\n" });
    Ok(bytes)
}

/// Writes every requested format; returns the paths written, in format order.
pub fn write_files(findings: &[Finding], options: &Options, account: &str, time: DateTime<Utc>) -> Result<Vec<PathBuf>, String> {
    let base = options.base_name(account, time);
    // The directory was checked before the scan; if it disappeared since, make it again
    // rather than lose the findings.
    fs::create_dir_all(&options.directory)
        .map_err(|e| format!("cannot create output directory `{}`: {e}", options.directory.display()))?;
    let mut written = Vec::new();
    for format in &options.formats {
        let path = options.directory.join(format!("{base}{}", format.extension()));
        let bytes = render(*format, findings, &options.asff_product)?;
        write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}
