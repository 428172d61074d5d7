//! The one `Finding` model: check metadata + where + which key + the verdict. Every output
//! format (OCSF, ASFF, CSV) and sink (files, Security Hub) is built from it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::metadata::Check;
use crate::policy::{Evaluation, Reason, Verdict};

/// A finding's status, as Prowler names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// Not public.
    Pass,
    /// Public.
    Fail,
    /// Could not be assessed; the status text says why.
    Manual,
}

impl Status {
    /// `PASS`, `FAIL` or `MANUAL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Manual => "MANUAL",
        }
    }

    /// The status a verdict gives.
    pub fn of(verdict: Verdict) -> Status {
        match verdict {
            Verdict::Public => Status::Fail,
            Verdict::CrossAccount | Verdict::Private => Status::Pass,
            Verdict::Unknown => Status::Manual,
        }
    }
}

/// Where the scan ran: the audited account and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanContext {
    /// The audited account id.
    pub account: String,
    /// The account's name (its IAM alias where known, else the account id).
    pub account_name: String,
    /// The AWS partition (`aws`, `aws-cn`, `aws-us-gov`).
    pub partition: String,
    /// How credentials were obtained, as Prowler's `AUTH_METHOD` column shows it.
    pub auth_method: String,
    /// When the scan started.
    pub scan_time: DateTime<Utc>,
    /// A unique id for the scan (UUIDv7, as Prowler uses).
    pub scan_id: String,
}

/// What a finding is about: one KMS key, or a whole region whose keys could not be listed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyResource {
    /// The key id (or, for a region-level finding, a name for the region's key inventory).
    pub key_id: String,
    /// The key ARN (or the region's KMS ARN pattern for a region-level finding).
    pub arn: String,
    /// The region the key lives in.
    pub region: String,
    /// Alias names (`alias/app-data`).
    pub aliases: Vec<String>,
    /// Tags as (key, value) pairs, in the order AWS returned them.
    pub tags: Vec<(String, String)>,
    /// `Enabled`, `Disabled`, `PendingDeletion`, ...
    pub state: Option<String>,
    /// `CUSTOMER` or `AWS`.
    pub manager: Option<String>,
    /// `AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM`, ...
    pub origin: Option<String>,
    /// When the key was created.
    pub creation_date: Option<DateTime<Utc>>,
    /// The key's description.
    pub description: Option<String>,
    /// `SYMMETRIC_DEFAULT`, `RSA_2048`, ...
    pub key_spec: Option<String>,
    /// Whether the key is multi-Region.
    pub multi_region: Option<bool>,
    /// The key policy as read, as compact JSON text (parsed again only when an output needs
    /// it, so thousands of findings do not each hold a JSON tree).
    pub policy: Option<String>,
    /// Problems met while reading the key (a failed DescribeKey, ListResourceTags, ...).
    pub notes: Vec<String>,
}

impl KeyResource {
    /// The key's display name in status texts: `id (alias/a, alias/b)`.
    pub fn display_name(&self) -> String {
        if self.aliases.is_empty() {
            self.key_id.clone()
        } else {
            format!("{} ({})", self.key_id, self.aliases.join(", "))
        }
    }
}

/// One finding: the check, the resource, the outcome.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The check's metadata and compliance mappings.
    pub check: &'static Check,
    /// Account, partition, scan time and id.
    pub context: ScanContext,
    /// The key (or region) the finding is about.
    pub resource: KeyResource,
    /// PASS, FAIL or MANUAL.
    pub status: Status,
    /// What was found and why, in one or two sentences.
    pub status_extended: String,
    /// The engine's verdict; `None` when the policy could not be read at all.
    pub verdict: Option<Verdict>,
    /// The engine's reasons (or the reason the key could not be assessed).
    pub reasons: Vec<Reason>,
    /// True when a mutelist entry mutes it; the status is kept.
    pub muted: bool,
}

impl Finding {
    /// A finding for a key whose policy was evaluated.
    pub fn from_evaluation(check: &'static Check, context: ScanContext, resource: KeyResource, eval: Evaluation) -> Finding {
        let status = Status::of(eval.verdict);
        let status_extended = status_text(&resource, &eval);
        Finding {
            check,
            context,
            resource,
            status,
            status_extended,
            verdict: Some(eval.verdict),
            reasons: eval.reasons,
            muted: false,
        }
    }

    /// A MANUAL finding for a key (or region) that could not be assessed; `why` names the
    /// API call and error.
    pub fn manual(check: &'static Check, context: ScanContext, resource: KeyResource, why: String) -> Finding {
        let status_extended = format!("KMS key {}: public access cannot be verified: {why}.", resource.display_name());
        let reason = Evaluation::unknown(crate::policy::Code::InvalidInput, why).reasons;
        Finding {
            check,
            context,
            resource,
            status: Status::Manual,
            status_extended,
            verdict: None,
            reasons: reason,
            muted: false,
        }
    }

    /// Prowler's finding uid: `prowler-aws-<CheckID>-<account>-<region>-<resource id>`.
    pub fn uid(&self) -> String {
        format!(
            "prowler-aws-{}-{}-{}-{}",
            self.check.metadata.check_id, self.context.account, self.resource.region, self.resource.key_id
        )
    }

    /// The reason codes, deciding one first.
    pub fn reason_codes(&self) -> Vec<&'static str> {
        let mut codes: Vec<&'static str> = Vec::new();
        for r in &self.reasons {
            let c = r.code.as_str();
            if !codes.contains(&c) {
                codes.push(c);
            }
        }
        codes
    }
}

fn status_text(resource: &KeyResource, eval: &Evaluation) -> String {
    let name = resource.display_name();
    let main = eval.main_reason().map(|r| r.message.as_str()).unwrap_or("no reason given");
    let state = match resource.state.as_deref() {
        Some(s) if s != "Enabled" => format!(" The key is {s}; the policy applies again if the key is enabled."),
        _ => String::new(),
    };
    let notes = if resource.notes.is_empty() { String::new() } else { format!(" Note: {}.", resource.notes.join("; ")) };
    let body = match eval.verdict {
        Verdict::Public => format!("KMS key {name} is publicly accessible: {main}."),
        Verdict::CrossAccount => format!(
            "KMS key {name} is not public but can be used from outside the trust zone by {}: {main}.",
            eval.outside_names().join(", ")
        ),
        Verdict::Private => format!("KMS key {name} is not publicly accessible: {main}."),
        Verdict::Unknown => format!("KMS key {name}: public access cannot be verified: {main}."),
    };
    format!("{body}{state}{notes}")
}
