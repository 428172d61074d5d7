//! The check's metadata (Prowler's `<CheckID>.metadata.json` format) and its compliance
//! mappings, both embedded in the binary at build time from `metadata/`.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The embedded metadata file, as written in the repository.
pub const METADATA_JSON: &str = include_str!("../metadata/kms_key_not_publicly_accessible.metadata.json");

/// The embedded compliance table: framework, version, compliance key, requirement id.
pub const COMPLIANCE_TSV: &str = include_str!("../metadata/kms_key_not_publicly_accessible.compliance.tsv");

/// The product's name, as written in every output.
pub const PRODUCT_NAME: &str = "kms-exposure";
/// The product's vendor, as written in every output.
pub const PRODUCT_VENDOR: &str = "kms-exposure";
/// The product's version.
pub const PRODUCT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Prowler's check metadata fields (names as Prowler spells them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct CheckMetadata {
    pub provider: String,
    #[serde(rename = "CheckID")]
    pub check_id: String,
    pub check_title: String,
    pub check_type: Vec<String>,
    pub service_name: String,
    pub sub_service_name: String,
    pub resource_id_template: String,
    pub severity: String,
    pub resource_type: String,
    pub resource_group: String,
    pub description: String,
    pub risk: String,
    pub related_url: String,
    #[serde(rename = "AdditionalURLs")]
    pub additional_urls: Vec<String>,
    pub remediation: Remediation,
    pub categories: Vec<String>,
    pub depends_on: Vec<String>,
    pub related_to: Vec<String>,
    pub notes: String,
}

/// `Remediation` of the metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Remediation {
    pub code: RemediationCode,
    pub recommendation: Recommendation,
}

/// `Remediation.Code`: ready-to-use fixes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RemediationCode {
    #[serde(rename = "CLI")]
    pub cli: String,
    #[serde(rename = "NativeIaC")]
    pub native_iac: String,
    #[serde(rename = "Other")]
    pub other: String,
    #[serde(rename = "Terraform")]
    pub terraform: String,
}

/// `Remediation.Recommendation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Recommendation {
    pub text: String,
    pub url: String,
}

/// One framework's requirements that map this check, keyed as findings show it
/// (`CIS-7.0`, `AWS-Foundational-Security-Best-Practices`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compliance {
    /// The key as it appears in findings.
    pub key: String,
    /// The framework name.
    pub framework: String,
    /// The framework version, empty when it has none.
    pub version: String,
    /// Requirement ids, in table order.
    pub requirements: Vec<String>,
}

/// The metadata and compliance mappings, parsed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The metadata file.
    pub metadata: CheckMetadata,
    /// Compliance mappings grouped by key, in table order.
    pub compliance: Vec<Compliance>,
}

/// The embedded check, parsed on first use. The files are embedded at build time and a test
/// parses them, so an error here means a broken build.
pub fn check() -> Result<&'static Check, String> {
    static CHECK: OnceLock<Result<Check, String>> = OnceLock::new();
    CHECK
        .get_or_init(|| {
            let metadata: CheckMetadata = serde_json::from_str(METADATA_JSON)
                .map_err(|e| format!("embedded metadata does not parse: {e}"))?;
            let compliance = parse_compliance(COMPLIANCE_TSV)?;
            Ok(Check { metadata, compliance })
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Parses the compliance table (a header line, then tab-separated rows).
pub fn parse_compliance(tsv: &str) -> Result<Vec<Compliance>, String> {
    let mut out: Vec<Compliance> = Vec::new();
    for (n, line) in tsv.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [framework, version, key, requirement] = cols.as_slice() else {
            return Err(format!("compliance table line {}: expected 4 columns, got {}", n + 1, cols.len()));
        };
        match out.iter_mut().find(|c| c.key == *key) {
            Some(c) => c.requirements.push((*requirement).to_string()),
            None => out.push(Compliance {
                key: (*key).to_string(),
                framework: (*framework).to_string(),
                version: (*version).to_string(),
                requirements: vec![(*requirement).to_string()],
            }),
        }
    }
    Ok(out)
}

/// The metadata as `kms-exposure metadata` prints it: the metadata fields plus `Compliance`.
pub fn metadata_with_compliance(check: &Check) -> serde_json::Value {
    let mut value = serde_json::to_value(&check.metadata).unwrap_or_default();
    if let Some(obj) = value.as_object_mut() {
        let compliance: Vec<serde_json::Value> = check
            .compliance
            .iter()
            .map(|c| {
                serde_json::json!({
                    "Framework": c.framework,
                    "Version": c.version,
                    "Key": c.key,
                    "Requirements": c.requirements,
                })
            })
            .collect();
        obj.insert("Compliance".into(), serde_json::Value::Array(compliance));
    }
    value
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn embedded_files_parse_and_follow_prowlers_rules() {
        let check = check().unwrap_or_else(|e| panic!("{e}"));
        let m = &check.metadata;
        assert_eq!(m.check_id, "kms_key_not_publicly_accessible");
        assert!(!m.check_id.contains('-'));
        assert_eq!(m.check_id.split('_').next(), Some(m.service_name.as_str()));
        assert!(m.check_title.chars().count() <= 150);
        assert!(!m.check_title.starts_with("Ensure"));
        assert_eq!(m.severity, "critical");
        assert_eq!(m.resource_type, "AwsKmsKey");
        assert!(m.description.chars().count() <= 400 && m.risk.chars().count() <= 400);
        assert!(m.related_url.is_empty());
        assert!(!m.remediation.code.cli.starts_with("http"));
        assert!(!m.remediation.code.cli.contains("\\*"), "no Markdown escapes in the CLI fix");
        let url = &m.remediation.recommendation.url;
        assert!(url.is_empty() || url.starts_with("https://hub.prowler.com/"));
        let mut urls = m.additional_urls.clone();
        urls.sort();
        urls.dedup();
        assert_eq!(urls.len(), m.additional_urls.len());
        assert!(check.compliance.iter().any(|c| c.key == "CIS-7.0" && c.requirements == vec!["2.21".to_string()]));
        let c5 = check.compliance.iter().find(|c| c.key == "C5-2025").unwrap_or_else(|| panic!("no C5"));
        assert_eq!(c5.requirements.len(), 7);
    }

    #[test]
    fn compliance_table_errors_name_the_line() {
        let err = parse_compliance("h\na\tb\n").err().unwrap_or_default();
        assert!(err.contains("line 2"), "{err}");
    }
}
