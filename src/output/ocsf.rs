//! OCSF 1.5.0 Detection Finding (class 2004), in Prowler's field layout but strictly valid:
//!
//! - `time` / `finding_info.created_time` are epoch **milliseconds** (Prowler writes seconds);
//! - `time_dt` / `created_time_dt` are RFC 3339 with an offset (Prowler omits it);
//! - `resources[].labels` are `key:value` tags (Prowler writes `TagKey:…`, `TagValue:…`);
//! - `metadata.product` names kms-exposure;
//! - `resources[].data` carries the verdict and every reason with its stable code;
//! - compliance goes under `unmapped.compliance` as `{"<framework>-<version>": [ids]}`.

use chrono::SecondsFormat;
use serde_json::{Map, Value, json};

use crate::finding::Finding;
use crate::metadata::{PRODUCT_NAME, PRODUCT_VENDOR, PRODUCT_VERSION};

/// The OCSF severity id and name for Prowler's severity words.
fn severity(word: &str) -> (u8, &'static str) {
    match word {
        "critical" => (5, "Critical"),
        "high" => (4, "High"),
        "medium" => (3, "Medium"),
        "low" => (2, "Low"),
        _ => (1, "Informational"),
    }
}

/// One finding as an OCSF Detection Finding object.
pub fn to_ocsf(f: &Finding) -> Value {
    let m = &f.check.metadata;
    let (severity_id, severity_name) = severity(&m.severity);
    let millis = f.context.scan_time.timestamp_millis();
    let time_dt = f.context.scan_time.to_rfc3339_opts(SecondsFormat::Millis, false);
    let (status_id, status) = if f.muted { (3, "Suppressed") } else { (1, "New") };
    let compliance: Map<String, Value> =
        f.check.compliance.iter().map(|c| (c.key.clone(), json!(c.requirements))).collect();
    let r = &f.resource;
    let tags: Vec<Value> = r.tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect();
    let labels: Vec<String> = r.tags.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    let mut key_metadata = json!({
        "id": r.key_id,
        "arn": r.arn,
        "region": r.region,
        "aliases": r.aliases,
        "tags": tags,
    });
    if let Some(obj) = key_metadata.as_object_mut() {
        let optional = [
            ("state", r.state.clone().map(Value::String)),
            ("manager", r.manager.clone().map(Value::String)),
            ("origin", r.origin.clone().map(Value::String)),
            ("spec", r.key_spec.clone().map(Value::String)),
            ("description", r.description.clone().map(Value::String)),
            ("multi_region", r.multi_region.map(Value::Bool)),
            (
                "creation_date",
                r.creation_date.map(|d| Value::String(d.to_rfc3339_opts(SecondsFormat::Secs, false))),
            ),
            ("policy", r.policy.as_deref().and_then(|p| serde_json::from_str(p).ok())),
        ];
        for (k, v) in optional {
            if let Some(v) = v {
                obj.insert(k.into(), v);
            }
        }
        if !r.notes.is_empty() {
            obj.insert("notes".into(), json!(r.notes));
        }
    }
    let main = f.reasons.first().map(|r| r.message.clone()).unwrap_or_default();
    let mut references = vec![m.remediation.recommendation.url.clone()];
    references.retain(|u| !u.is_empty());
    references.extend(m.additional_urls.iter().cloned());
    json!({
        "message": f.status_extended,
        "metadata": {
            "event_code": m.check_id,
            "product": {
                "name": PRODUCT_NAME,
                "uid": PRODUCT_NAME,
                "vendor_name": PRODUCT_VENDOR,
                "version": PRODUCT_VERSION,
            },
            "profiles": ["cloud", "datetime"],
            "version": "1.5.0",
        },
        "severity_id": severity_id,
        "severity": severity_name,
        "status": status,
        "status_code": f.status.as_str(),
        "status_detail": f.status_extended,
        "status_id": status_id,
        "unmapped": {
            "related_url": m.related_url,
            "categories": m.categories,
            "depends_on": m.depends_on,
            "related_to": m.related_to,
            "additional_urls": m.additional_urls,
            "notes": m.notes,
            "compliance": compliance,
            "scan_id": f.context.scan_id,
            "provider_uid": f.context.account,
            "provider": "aws",
            "verdict": f.verdict.map(|v| v.as_str()),
            "reason_codes": f.reason_codes(),
        },
        "activity_name": "Create",
        "activity_id": 1,
        "finding_info": {
            "analytic": {
                "category": m.service_name,
                "name": m.check_title,
                "type": "Rule",
                "type_id": 1,
                "uid": m.check_id,
            },
            "created_time": millis,
            "created_time_dt": time_dt,
            "desc": m.description,
            "title": m.check_title,
            "types": m.check_type,
            "uid": f.uid(),
        },
        "resources": [{
            "cloud_partition": f.context.partition,
            "region": r.region,
            "data": {
                "details": main,
                "metadata": key_metadata,
                "verdict": f.verdict.map(|v| v.as_str()),
                "reasons": f.reasons,
            },
            "group": {"name": m.service_name},
            "labels": labels,
            "name": r.key_id,
            "type": m.resource_type,
            "uid": r.arn,
        }],
        "category_name": "Findings",
        "category_uid": 2,
        "class_name": "Detection Finding",
        "class_uid": 2004,
        "cloud": {
            "account": {
                "name": f.context.account_name,
                "type": "AWS Account",
                "type_id": 10,
                "uid": f.context.account,
            },
            "provider": "aws",
            "region": r.region,
        },
        "remediation": {
            "desc": m.remediation.recommendation.text,
            "references": references,
        },
        "risk_details": m.risk,
        "time": millis,
        "time_dt": time_dt,
        "type_uid": 200401,
        "type_name": "Detection Finding: Create",
    })
}

/// The findings as the JSON array Prowler writes to `*.ocsf.json`.
pub fn to_document(findings: &[Finding]) -> Value {
    Value::Array(findings.iter().map(to_ocsf).collect())
}
