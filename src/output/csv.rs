//! Prowler's CSV: `;`-separated, the same 44 columns in the same order, lists joined with
//! ` | `. Tags come out as `key=value` (Prowler writes `TagKey=…`, `TagValue=…`), and
//! `RESOURCE_DETAILS` carries the verdict and reason codes.

use crate::finding::Finding;
use crate::metadata::PRODUCT_VERSION;

/// The header, exactly as Prowler writes it.
pub const COLUMNS: [&str; 44] = [
    "AUTH_METHOD", "TIMESTAMP", "ACCOUNT_UID", "ACCOUNT_NAME", "ACCOUNT_EMAIL", "ACCOUNT_ORGANIZATION_UID",
    "ACCOUNT_ORGANIZATION_NAME", "ACCOUNT_TAGS", "FINDING_UID", "PROVIDER", "CHECK_ID", "CHECK_TITLE", "CHECK_TYPE",
    "STATUS", "STATUS_EXTENDED", "MUTED", "SERVICE_NAME", "SUBSERVICE_NAME", "SEVERITY", "RESOURCE_TYPE",
    "RESOURCE_UID", "RESOURCE_NAME", "RESOURCE_DETAILS", "RESOURCE_TAGS", "PARTITION", "REGION", "DESCRIPTION",
    "RISK", "RELATED_URL", "REMEDIATION_RECOMMENDATION_TEXT", "REMEDIATION_RECOMMENDATION_URL",
    "REMEDIATION_CODE_NATIVEIAC", "REMEDIATION_CODE_TERRAFORM", "REMEDIATION_CODE_CLI", "REMEDIATION_CODE_OTHER",
    "COMPLIANCE", "CATEGORIES", "DEPENDS_ON", "RELATED_TO", "NOTES", "PROWLER_VERSION", "ADDITIONAL_URLS",
    "ACCOUNT_OU_UID", "ACCOUNT_OU_NAME",
];

/// One finding as the 44 CSV fields.
pub fn row(f: &Finding) -> [String; 44] {
    let m = &f.check.metadata;
    let r = &f.resource;
    let compliance: Vec<String> =
        f.check.compliance.iter().map(|c| format!("{}: {}", c.key, c.requirements.join(", "))).collect();
    let tags: Vec<String> = r.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let details = format!(
        "verdict: {} | reasons: {}",
        f.verdict.map_or("NONE", |v| v.as_str()),
        f.reason_codes().join(", ")
    );
    [
        f.context.auth_method.clone(),
        f.context.scan_time.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
        f.context.account.clone(),
        f.context.account_name.clone(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        f.uid(),
        "aws".into(),
        m.check_id.clone(),
        m.check_title.clone(),
        m.check_type.join(" | "),
        f.status.as_str().into(),
        f.status_extended.clone(),
        if f.muted { "True" } else { "False" }.into(),
        m.service_name.clone(),
        m.sub_service_name.clone(),
        m.severity.clone(),
        m.resource_type.clone(),
        r.arn.clone(),
        r.key_id.clone(),
        details,
        tags.join(" | "),
        f.context.partition.clone(),
        r.region.clone(),
        m.description.clone(),
        m.risk.clone(),
        m.related_url.clone(),
        m.remediation.recommendation.text.clone(),
        m.remediation.recommendation.url.clone(),
        m.remediation.code.native_iac.clone(),
        m.remediation.code.terraform.clone(),
        m.remediation.code.cli.clone(),
        m.remediation.code.other.clone(),
        compliance.join(" | "),
        m.categories.join(" | "),
        m.depends_on.join(" | "),
        m.related_to.join(" | "),
        m.notes.clone(),
        PRODUCT_VERSION.into(),
        m.additional_urls.join(" | "),
        String::new(),
        String::new(),
    ]
}

/// The whole CSV document: the header, then one row per finding. Zero findings give a
/// header-only file.
pub fn to_bytes(findings: &[Finding]) -> Result<Vec<u8>, String> {
    let mut w = ::csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
    w.write_record(COLUMNS).map_err(|e| e.to_string())?;
    for f in findings {
        w.write_record(row(f)).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}
