//! Checks our own output files against the schemas bundled from `schemas/` (OCSF 1.5.0
//! Detection Finding, ASFF, check metadata) and the CSV layout.

use std::path::Path;

use serde_json::Value;

use crate::output::csv::COLUMNS;

/// The OCSF schema (derived from the official OCSF 1.5.0 schema).
pub const OCSF_SCHEMA: &str = include_str!("../schemas/ocsf-1.5.0-detection-finding.schema.json");
/// The ASFF schema (derived from the Security Hub API model).
pub const ASFF_SCHEMA: &str = include_str!("../schemas/asff.schema.json");
/// The check-metadata schema (Prowler's rules).
pub const METADATA_SCHEMA: &str = include_str!("../schemas/check-metadata.schema.json");

/// Which kind of file is being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `*.ocsf.json`.
    Ocsf,
    /// `*.asff.json`.
    Asff,
    /// `*.metadata.json`.
    Metadata,
    /// `*.csv`.
    Csv,
}

impl Kind {
    /// The kind a file name says, or, for other names, what the content looks like.
    pub fn detect(path: &Path, bytes: &[u8]) -> Option<Kind> {
        let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
        if name.ends_with(".ocsf.json") {
            return Some(Kind::Ocsf);
        }
        if name.ends_with(".asff.json") {
            return Some(Kind::Asff);
        }
        if name.ends_with(".metadata.json") {
            return Some(Kind::Metadata);
        }
        if name.ends_with(".csv") {
            return Some(Kind::Csv);
        }
        let value: Value = serde_json::from_slice(bytes).ok()?;
        match &value {
            Value::Object(o) if o.contains_key("CheckID") => Some(Kind::Metadata),
            Value::Array(items) => match items.first() {
                Some(Value::Object(o)) if o.contains_key("class_uid") => Some(Kind::Ocsf),
                Some(Value::Object(o)) if o.contains_key("SchemaVersion") => Some(Kind::Asff),
                _ => None,
            },
            _ => None,
        }
    }

    /// A name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ocsf => "OCSF 1.5.0 Detection Finding",
            Kind::Asff => "ASFF",
            Kind::Metadata => "check metadata",
            Kind::Csv => "Prowler CSV",
        }
    }
}

/// One violation: where (a JSON pointer, or `line N` for CSV) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer (`/0/finding_info/created_time`) or CSV line.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn schema_for(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Ocsf => Some(OCSF_SCHEMA),
        Kind::Asff => Some(ASFF_SCHEMA),
        Kind::Metadata => Some(METADATA_SCHEMA),
        Kind::Csv => None,
    }
}

/// Validates a JSON value against the schema for `kind`.
pub fn validate_value(kind: Kind, value: &Value) -> Result<Vec<Violation>, String> {
    let Some(text) = schema_for(kind) else {
        return Err(format!("{} files are not JSON", kind.name()));
    };
    let schema: Value = serde_json::from_str(text).map_err(|e| format!("bundled {} schema: {e}", kind.name()))?;
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| format!("bundled {} schema does not compile: {e}", kind.name()))?;
    Ok(validator
        .iter_errors(value)
        .map(|e| Violation { path: e.instance_path().to_string(), message: e.masked().to_string() })
        .collect())
}

/// Validates a CSV document: Prowler's header, 44 fields on every row, known status values.
pub fn validate_csv(bytes: &[u8]) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut reader = ::csv::ReaderBuilder::new().delimiter(b';').has_headers(false).flexible(true).from_reader(bytes);
    for (i, record) in reader.records().enumerate() {
        let line = format!("record {}", i + 1);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.push(Violation { path: line, message: format!("unreadable: {e}") });
                continue;
            }
        };
        if i == 0 {
            let header: Vec<&str> = record.iter().collect();
            if header != COLUMNS {
                out.push(Violation { path: line, message: "the header is not Prowler's 44 columns".into() });
            }
            continue;
        }
        if record.len() != COLUMNS.len() {
            out.push(Violation { path: line, message: format!("{} fields, expected {}", record.len(), COLUMNS.len()) });
            continue;
        }
        if !matches!(record.get(13), Some("PASS" | "FAIL" | "MANUAL")) {
            out.push(Violation { path: format!("{line}/STATUS"), message: "not PASS, FAIL or MANUAL".into() });
        }
        if !matches!(record.get(15), Some("True" | "False")) {
            out.push(Violation { path: format!("{line}/MUTED"), message: "not True or False".into() });
        }
    }
    if out.is_empty() && bytes.is_empty() {
        out.push(Violation { path: "record 1".into(), message: "the file is empty (no header)".into() });
    }
    out
}

/// Validates one file; returns its kind and violations (empty when valid).
pub fn validate_file(path: &Path) -> Result<(Kind, Vec<Violation>), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let kind = Kind::detect(path, &bytes).ok_or_else(|| {
        format!(
            "`{}` is not one of our output files (.ocsf.json, .asff.json, .csv, .metadata.json)",
            path.display()
        )
    })?;
    if kind == Kind::Csv {
        return Ok((kind, validate_csv(&bytes)));
    }
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => return Ok((kind, vec![Violation { path: String::new(), message: format!("not valid JSON: {e}") }])),
    };
    validate_value(kind, &value).map(|v| (kind, v))
}
