//! AWS Security Finding Format (`SchemaVersion` 2018-10-08), with Prowler's `Id` and
//! `GeneratorId` schemes so that Security Hub sees the same finding Prowler would send.
//!
//! Every AWS size limit is enforced here: long texts are cut at a character boundary, lists
//! are capped, and no required string is left empty.

use chrono::SecondsFormat;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha512};

use crate::finding::{Finding, Status};
use crate::metadata::{PRODUCT_NAME, PRODUCT_VERSION};

/// Which Security Hub product the findings are imported as (`--asff-product`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AsffProduct {
    /// The account's own custom product: `product/<account>/default`.
    #[default]
    Custom,
    /// Prowler's integration: `product/prowler/prowler` (must be enabled in the region).
    Prowler,
    /// A product ARN given as it is.
    Arn(String),
}

impl AsffProduct {
    /// Parses `custom`, `prowler` or a product ARN.
    pub fn parse(text: &str) -> Result<AsffProduct, String> {
        match text {
            "custom" => Ok(AsffProduct::Custom),
            "prowler" => Ok(AsffProduct::Prowler),
            t if t.starts_with("arn:") && t.contains(":securityhub:") => Ok(AsffProduct::Arn(t.to_string())),
            t => Err(format!("`{t}` is not `custom`, `prowler` or a Security Hub product ARN")),
        }
    }

    /// The product ARN for a finding in `region`.
    pub fn arn(&self, partition: &str, region: &str, account: &str) -> String {
        match self {
            AsffProduct::Custom => format!("arn:{partition}:securityhub:{region}:{account}:product/{account}/default"),
            AsffProduct::Prowler => format!("arn:{partition}:securityhub:{region}::product/prowler/prowler"),
            AsffProduct::Arn(a) => a.clone(),
        }
    }
}

/// AWS limits on finding fields (BatchImportFindings).
pub mod limits {
    /// `Title` characters.
    pub const TITLE: usize = 256;
    /// `Description` characters.
    pub const DESCRIPTION: usize = 1024;
    /// `Id` and `GeneratorId` characters.
    pub const ID: usize = 512;
    /// `Types` entries.
    pub const TYPES: usize = 50;
    /// `Compliance.RelatedRequirements` entries, and characters of each.
    pub const REQUIREMENTS: usize = 32;
    /// Characters of one related requirement.
    pub const REQUIREMENT_CHARS: usize = 64;
    /// `Compliance.AssociatedStandards` entries (Prowler's cap).
    pub const STANDARDS: usize = 20;
    /// `Remediation.Recommendation.Text` characters.
    pub const RECOMMENDATION: usize = 512;
    /// `ProductFields` entries, key and value characters.
    pub const PRODUCT_FIELDS: usize = 50;
    /// Characters of a `ProductFields` key.
    pub const PRODUCT_FIELD_KEY: usize = 128;
    /// Characters of a `ProductFields` value.
    pub const PRODUCT_FIELD_VALUE: usize = 2048;
    /// Tags on a resource, and characters of a tag key and value.
    pub const TAGS: usize = 50;
    /// Characters of a tag key.
    pub const TAG_KEY: usize = 128;
    /// Characters of a tag value.
    pub const TAG_VALUE: usize = 256;
}

/// Cuts `s` to at most `max` characters, at a character boundary, marking the cut with `…`.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let keep = max.saturating_sub(1);
    let mut out: String = s.chars().take(keep).collect();
    out.push('…');
    out
}

fn non_empty(s: String, fallback: &str) -> String {
    if s.trim().is_empty() { fallback.to_string() } else { s }
}

/// Prowler's ASFF `Id`: `prowler-<CheckID>-<account>-<region>-` + the first 9 hex characters
/// of the SHA-512 of the resource ARN.
pub fn finding_id(check_id: &str, account: &str, region: &str, resource_arn: &str) -> String {
    let digest = Sha512::digest(resource_arn.as_bytes());
    let hex: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    let short = hex.get(..9).unwrap_or(&hex);
    truncate(&format!("prowler-{check_id}-{account}-{region}-{short}"), limits::ID)
}

/// `Compliance.Status` for a finding.
pub fn compliance_status(f: &Finding) -> &'static str {
    if f.muted {
        return "WARNING";
    }
    match f.status {
        Status::Pass => "PASSED",
        Status::Fail => "FAILED",
        Status::Manual => "NOT_AVAILABLE",
    }
}

/// One finding in ASFF.
pub fn to_asff(f: &Finding, product: &AsffProduct) -> Value {
    let m = &f.check.metadata;
    let r = &f.resource;
    let ctx = &f.context;
    let now = ctx.scan_time.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut product_fields = Map::new();
    let mut field = |k: &str, v: String| {
        if product_fields.len() < limits::PRODUCT_FIELDS && !v.is_empty() {
            product_fields.insert(truncate(k, limits::PRODUCT_FIELD_KEY), Value::String(truncate(&v, limits::PRODUCT_FIELD_VALUE)));
        }
    };
    field("ProviderName", PRODUCT_NAME.to_string());
    field("ProviderVersion", PRODUCT_VERSION.to_string());
    field("ProwlerResourceName", r.arn.clone());
    field("kms-exposure/Status", f.status.as_str().to_string());
    field("kms-exposure/Verdict", f.verdict.map(|v| v.as_str().to_string()).unwrap_or_default());
    field("kms-exposure/ReasonCodes", f.reason_codes().join(","));
    field("kms-exposure/MainReason", f.reasons.first().map(|x| x.message.clone()).unwrap_or_default());
    field("kms-exposure/Aliases", r.aliases.join(","));
    if let Some(state) = &r.state {
        field("kms-exposure/KeyState", state.clone());
    }
    field("kms-exposure/ScanId", ctx.scan_id.clone());

    let tags: Map<String, Value> = r
        .tags
        .iter()
        .filter(|(k, _)| !k.is_empty())
        .take(limits::TAGS)
        .map(|(k, v)| (truncate(k, limits::TAG_KEY), Value::String(truncate(v, limits::TAG_VALUE))))
        .collect();
    let mut resource = json!({
        "Type": m.resource_type,
        "Id": r.arn,
        "Partition": ctx.partition,
        "Region": r.region,
    });
    if let Some(obj) = resource.as_object_mut() {
        if !tags.is_empty() {
            obj.insert("Tags".into(), Value::Object(tags));
        }
        let mut details = Map::new();
        details.insert("AWSAccountId".into(), json!(ctx.account));
        details.insert("KeyId".into(), json!(r.key_id));
        let optional = [
            ("KeyManager", r.manager.as_ref()),
            ("KeyState", r.state.as_ref()),
            ("Origin", r.origin.as_ref()),
            ("Description", r.description.as_ref()),
        ];
        for (k, v) in optional {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                details.insert(k.into(), json!(v));
            }
        }
        if let Some(created) = r.creation_date {
            details.insert("CreationDate".into(), json!(created.timestamp_millis() as f64 / 1000.0));
        }
        obj.insert("Details".into(), json!({"AwsKmsKey": details}));
    }
    let requirements: Vec<String> = f
        .check
        .compliance
        .iter()
        .take(limits::REQUIREMENTS)
        .map(|c| truncate(&format!("{} {}", c.key, c.requirements.join(" ")), limits::REQUIREMENT_CHARS))
        .collect();
    let standards: Vec<Value> =
        f.check.compliance.iter().take(limits::STANDARDS).map(|c| json!({"StandardsId": c.key})).collect();
    let types: Vec<&String> = m.check_type.iter().take(limits::TYPES).collect();
    let mut recommendation = json!({"Text": truncate(&m.remediation.recommendation.text, limits::RECOMMENDATION)});
    if !m.remediation.recommendation.url.is_empty()
        && let Some(obj) = recommendation.as_object_mut() {
            obj.insert("Url".into(), json!(m.remediation.recommendation.url));
        }
    json!({
        "SchemaVersion": "2018-10-08",
        "Id": finding_id(&m.check_id, &ctx.account, &r.region, &r.arn),
        "ProductArn": product.arn(&ctx.partition, &r.region, &ctx.account),
        "RecordState": "ACTIVE",
        "ProductFields": product_fields,
        "GeneratorId": truncate(&format!("prowler-{}", m.check_id), limits::ID),
        "AwsAccountId": ctx.account,
        "Types": types,
        "FirstObservedAt": now,
        "UpdatedAt": now,
        "CreatedAt": now,
        "Severity": {"Label": m.severity.to_uppercase()},
        "Title": non_empty(truncate(&m.check_title, limits::TITLE), m.check_id.as_str()),
        "Description": non_empty(truncate(&f.status_extended, limits::DESCRIPTION), f.status.as_str()),
        "Resources": [resource],
        "Compliance": {
            "Status": compliance_status(f),
            "RelatedRequirements": requirements,
            "AssociatedStandards": standards,
        },
        "Remediation": {"Recommendation": recommendation},
    })
}

/// The findings as the JSON array Prowler writes to `*.asff.json`.
pub fn to_document(findings: &[Finding], product: &AsffProduct) -> Value {
    Value::Array(findings.iter().map(|f| to_asff(f, product)).collect())
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn id_matches_prowlers_example() {
        // From Prowler's own example finding in the reference folder.
        let id = finding_id(
            "kms_key_not_publicly_accessible",
            "123456789012",
            "eu-west-1",
            "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        );
        assert_eq!(id, "prowler-kms_key_not_publicly_accessible-123456789012-eu-west-1-1f013abb0");
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
        let s = "é".repeat(300);
        let t = truncate(&s, 256);
        assert_eq!(t.chars().count(), 256);
    }
}
