//! Condition analysis: does an entry confine the caller of an open Allow (spec §4, §7.4,
//! §8.14), and is a Deny certain to apply to every outsider (spec §5(c))?

use serde::Serialize;
use serde_json::{Map, Value};

use super::ip;
use super::literal::{
    has_policy_variable, has_wildcard, is_account_id, is_org_id, is_resource_account_var,
    is_resource_org_var, is_unique_id, split_arn,
};
use super::principal::kind_name;
use super::zone::{Placement, TrustZone};

/// Where a confining condition entry puts the caller, relative to the trust zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Every value lies inside the trust zone (or is a network/service confinement).
    Inside,
    /// Some value names an account or organization outside the trust zone.
    Outside,
    /// Some value names something whose owning account cannot be determined.
    OwnerUnknown,
}

/// The analysis of one condition entry `(operator, key, values)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionNote {
    /// The operator as written (`StringEquals`, `ForAnyValue:StringLike`, ...).
    pub operator: String,
    /// The condition key as written.
    pub key: String,
    /// The values, as their JSON text for numbers and booleans.
    pub values: Vec<String>,
    /// True when this entry confines the caller.
    pub confining: bool,
    /// For a confining entry, where it puts the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Why the entry confines or does not.
    pub why: String,
}

/// What kind of thing a confining entry pins the caller to (spec §8.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Identity,
    Network,
    Service,
}

/// How the conditions of an open Allow statement confine its callers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Confinement {
    /// No entry confines: the statement is open to everyone.
    None,
    /// Confined inside the trust zone; the index is the deciding note.
    Inside(usize),
    /// Confined, but only to names outside the zone (listed).
    Outside(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    ArnEquals,
    ArnLike,
    IpAddress,
    Bool,
    StringNotEquals,
    StringNotEqualsIgnoreCase,
    StringNotLike,
    ArnNotEquals,
    ArnNotLike,
    NotIpAddress,
    Null,
    Other,
}

impl Base {
    fn is_string(self) -> bool {
        matches!(self, Base::StringEquals | Base::StringEqualsIgnoreCase | Base::StringLike)
    }
    fn is_arn(self) -> bool {
        matches!(self, Base::ArnEquals | Base::ArnLike)
    }
    fn is_negated(self) -> bool {
        matches!(
            self,
            Base::StringNotEquals
                | Base::StringNotEqualsIgnoreCase
                | Base::StringNotLike
                | Base::ArnNotEquals
                | Base::ArnNotLike
                | Base::NotIpAddress
        )
    }
}

#[derive(Debug, Clone, Copy)]
struct Operator {
    any_value: bool,
    all_values: bool,
    base: Base,
    if_exists: bool,
}

fn parse_operator(text: &str) -> Operator {
    let lower = text.to_ascii_lowercase();
    let mut rest = lower.as_str();
    let mut any_value = false;
    let mut all_values = false;
    if let Some(r) = rest.strip_prefix("foranyvalue:") {
        any_value = true;
        rest = r;
    } else if let Some(r) = rest.strip_prefix("forallvalues:") {
        all_values = true;
        rest = r;
    }
    let mut if_exists = false;
    if let Some(r) = rest.strip_suffix("ifexists") {
        if_exists = true;
        rest = r;
    }
    let base = match rest {
        "stringequals" => Base::StringEquals,
        "stringequalsignorecase" => Base::StringEqualsIgnoreCase,
        "stringlike" => Base::StringLike,
        "arnequals" => Base::ArnEquals,
        "arnlike" => Base::ArnLike,
        "ipaddress" => Base::IpAddress,
        "bool" => Base::Bool,
        "stringnotequals" => Base::StringNotEquals,
        "stringnotequalsignorecase" => Base::StringNotEqualsIgnoreCase,
        "stringnotlike" => Base::StringNotLike,
        "arnnotequals" => Base::ArnNotEquals,
        "arnnotlike" => Base::ArnNotLike,
        "notipaddress" => Base::NotIpAddress,
        "null" => Base::Null,
        _ => Base::Other,
    };
    Operator { any_value, all_values, base, if_exists }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Account,
    Arn,
    Org,
    OrgPath,
    UserId,
    Vpc,
    Vpce,
    SourceIp,
    IsService,
    /// Never confining; the text says why.
    Other(&'static str),
}

fn key_kind(lower: &str) -> KeyKind {
    match lower {
        "aws:principalaccount" | "kms:calleraccount" | "aws:sourceaccount" | "aws:sourceowner" => {
            KeyKind::Account
        }
        "aws:principalarn" | "aws:sourcearn" => KeyKind::Arn,
        "aws:principalorgid" | "aws:sourceorgid" => KeyKind::Org,
        "aws:principalorgpaths" | "aws:sourceorgpaths" => KeyKind::OrgPath,
        "aws:userid" => KeyKind::UserId,
        "aws:sourcevpc" => KeyKind::Vpc,
        "aws:sourcevpce" => KeyKind::Vpce,
        "aws:sourceip" => KeyKind::SourceIp,
        "aws:principalisawsservice" => KeyKind::IsService,
        "kms:viaservice" => KeyKind::Other("callers of any account can reach the key through the service"),
        "aws:username" => KeyKind::Other("user names are not unique across accounts"),
        "aws:resourceaccount" | "aws:resourceorgid" | "aws:resourceorgpaths" => {
            KeyKind::Other("it describes the key itself, not the caller")
        }
        "aws:securetransport" => KeyKind::Other("it says how the caller connects, not who it is"),
        "kms:grantisforawsresource" => KeyKind::Other("it does not identify the caller"),
        k if k.starts_with("aws:calledvia") => {
            KeyKind::Other("callers of any account can reach the key through the service")
        }
        k if k.starts_with("aws:principaltag/") || k.starts_with("aws:requesttag/") => {
            KeyKind::Other("tags can be set by any account on its own principals")
        }
        k if k.starts_with("kms:encryptioncontext") => {
            KeyKind::Other("the caller chooses the encryption context")
        }
        _ => KeyKind::Other("the key does not identify the caller's account, org or network"),
    }
}

/// Keys present in every signed KMS request, where `...IfExists` still confines.
fn always_present(lower: &str) -> bool {
    matches!(lower, "aws:principalaccount" | "aws:principalarn" | "aws:userid" | "kms:calleraccount")
}

/// The entry's values as text; numbers and booleans as their JSON text.
fn values_of(v: &Value) -> Result<Vec<String>, String> {
    fn scalar(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    match v {
        Value::Array(items) if items.is_empty() => Err("the value list is empty".into()),
        Value::Array(items) => items
            .iter()
            .map(|i| scalar(i).ok_or_else(|| format!("a value is a {}, not a string", kind_name(i))))
            .collect(),
        Value::Null => Err("the value is null".into()),
        Value::Object(_) => Err("the value is an object, not a string or list".into()),
        other => scalar(other).map(|s| vec![s]).ok_or_else(|| "unreadable value".into()),
    }
}

fn literal_problem(value: &str) -> Option<String> {
    if has_policy_variable(value) {
        Some(format!("\"{value}\", a policy variable"))
    } else if has_wildcard(value) {
        Some(format!("\"{value}\", a wildcard"))
    } else {
        None
    }
}

fn account_value(value: &str, zone: &TrustZone) -> Result<Placement, String> {
    if is_resource_account_var(value) {
        return Ok(Placement::Inside);
    }
    if let Some(problem) = literal_problem(value) {
        return Err(problem);
    }
    if is_account_id(value) {
        Ok(zone.account(value))
    } else {
        Err(format!("\"{value}\", not a 12-digit account id"))
    }
}

fn org_value(value: &str, zone: &TrustZone) -> Result<Placement, String> {
    if is_resource_org_var(value) {
        return Ok(Placement::Inside);
    }
    if let Some(problem) = literal_problem(value) {
        return Err(problem);
    }
    if is_org_id(value) {
        Ok(zone.org(value))
    } else {
        Err(format!("\"{value}\", not an organization id (o-...)"))
    }
}

fn org_path_value(value: &str, zone: &TrustZone) -> Result<Placement, String> {
    let first = value.split('/').next().unwrap_or_default();
    org_value(first, zone)
        .map_err(|_| format!("\"{value}\", whose first segment is not a literal organization id"))
}

fn arn_value(value: &str, zone: &TrustZone) -> Result<Placement, String> {
    let Some(arn) = split_arn(value) else {
        return Err(format!("\"{value}\", not an ARN"));
    };
    if arn.account.is_empty() {
        if has_wildcard(arn.resource) || has_policy_variable(arn.resource) {
            return Err(format!("\"{value}\", an ARN with no account and a wildcard or variable in its resource"));
        }
        return Ok(zone.owner_unknown(format!("{value} (owner unknown)")));
    }
    account_value(arn.account, zone)
        .map_err(|_| format!("\"{value}\", whose account field is not a literal 12-digit id"))
}

fn userid_value(value: &str, zone: &TrustZone) -> Result<Placement, String> {
    if is_resource_account_var(value) || is_account_id(value) {
        return account_value(value, zone);
    }
    let literal_end = value.find(['*', '?']).into_iter().chain(value.find("${")).min().unwrap_or(value.len());
    let literal = value.get(..literal_end).unwrap_or_default();
    let id = match literal.split_once(':') {
        Some((id, _)) => id,
        None if literal_end == value.len() => literal,
        None => "",
    };
    if is_unique_id(id) {
        Ok(zone.owner_unknown(format!("{id} (user id, owner unknown)")))
    } else {
        Err(format!("\"{value}\", which does not start with a whole unique id"))
    }
}

fn prefixed_id(value: &str, prefix: &str) -> Result<Placement, String> {
    if let Some(problem) = literal_problem(value) {
        return Err(problem);
    }
    match value.strip_prefix(prefix) {
        Some(rest) if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()) => Ok(Placement::Inside),
        _ => Err(format!("\"{value}\", not a {prefix}... id")),
    }
}

fn ip_value(value: &str, zone: &TrustZone) -> Result<Placement, String> {
    match ip::parse_range(value) {
        None => Err(format!("\"{value}\", not an IP address or CIDR")),
        Some(net) if zone.ip_range_confined(&net) => Ok(Placement::Inside),
        Some(_) => Err(format!("\"{value}\", which includes globally reachable addresses")),
    }
}

/// Judges one entry of an Allow's condition; returns the note and, when confining, the
/// family and placements of its values.
fn allow_entry(
    operator: &str,
    key: &str,
    value: &Value,
    zone: &TrustZone,
) -> (ConditionNote, Option<(Family, Vec<Placement>)>) {
    let values = values_of(value);
    let mut note = ConditionNote {
        operator: operator.to_string(),
        key: key.to_string(),
        values: values.clone().unwrap_or_default(),
        confining: false,
        scope: None,
        why: String::new(),
    };
    match judge_allow_entry(operator, key, values, zone) {
        Err(why) => {
            note.why = why;
            (note, None)
        }
        Ok((family, placements, why)) => {
            note.confining = true;
            note.scope = Some(scope_of(&placements));
            note.why = why;
            (note, Some((family, placements)))
        }
    }
}

type Judged = (Family, Vec<Placement>, String);

fn judge_allow_entry(
    operator: &str,
    key: &str,
    values: Result<Vec<String>, String>,
    zone: &TrustZone,
) -> Result<Judged, String> {
    let op = parse_operator(operator);
    let lower = key.to_ascii_lowercase();
    if op.all_values {
        return Err(format!("{operator} {key}: ForAllValues is true when the key is absent"));
    }
    if op.base.is_negated() {
        return Err(format!("{operator} {key}: a negated operator admits everything it does not name"));
    }
    match op.base {
        Base::Null => return Err(format!("{operator} {key}: Null only tests whether the key is present")),
        Base::Other => {
            return Err(format!("{operator} {key}: the operator cannot pin the caller to an account, org or network"));
        }
        _ => {}
    }
    let kind = key_kind(&lower);
    if let KeyKind::Other(why) = kind {
        return Err(format!("{key}: {why}"));
    }
    let fits = match kind {
        KeyKind::Arn => op.base.is_string() || op.base.is_arn(),
        KeyKind::SourceIp => op.base == Base::IpAddress,
        KeyKind::IsService => op.base == Base::Bool && !op.any_value,
        _ => op.base.is_string(),
    };
    if !fits {
        return Err(format!("{operator} {key}: the operator does not fit the key"));
    }
    if op.if_exists && !always_present(&lower) && kind != KeyKind::IsService {
        return Err(format!("{operator} {key}: passes when the key is absent (for example on a direct call)"));
    }
    let values = values.map_err(|why| format!("{operator} {key}: {why}"))?;
    let mut placements = Vec::with_capacity(values.len());
    for v in &values {
        let placed = match kind {
            KeyKind::Account => account_value(v, zone),
            KeyKind::Arn => arn_value(v, zone),
            KeyKind::Org => org_value(v, zone),
            KeyKind::OrgPath => org_path_value(v, zone),
            KeyKind::UserId => userid_value(v, zone),
            KeyKind::Vpc => prefixed_id(v, "vpc-"),
            KeyKind::Vpce => prefixed_id(v, "vpce-"),
            KeyKind::SourceIp => ip_value(v, zone),
            KeyKind::IsService if v.eq_ignore_ascii_case("true") => Ok(Placement::Inside),
            KeyKind::IsService => Err(format!("\"{v}\", not true")),
            KeyKind::Other(why) => Err(why.to_string()),
        };
        placements.push(placed.map_err(|why| format!("{key} is {why}"))?);
    }
    let (family, why) = match kind {
        KeyKind::Vpc | KeyKind::Vpce => (Family::Network, format!("{key} pins callers to a network")),
        KeyKind::SourceIp => (Family::Network, format!("{key} pins callers to non-public or trusted addresses")),
        KeyKind::IsService => (
            Family::Service,
            format!("{key} is true: only AWS service principals can call"),
        ),
        _ => (Family::Identity, describe_identity(key, &placements)),
    };
    Ok((family, placements, why))
}

fn describe_identity(key: &str, placements: &[Placement]) -> String {
    let outside = outside_names(placements);
    if outside.is_empty() {
        format!("{key} pins callers inside the trust zone")
    } else {
        format!("{key} admits callers outside the trust zone: {}", outside.join(", "))
    }
}

fn outside_names(placements: &[Placement]) -> Vec<String> {
    placements
        .iter()
        .filter_map(|p| match p {
            Placement::Inside => None,
            Placement::Outside(n) | Placement::OwnerUnknown(n) => Some(n.clone()),
        })
        .collect()
}

fn scope_of(placements: &[Placement]) -> Scope {
    if placements.iter().any(|p| matches!(p, Placement::Outside(_))) {
        Scope::Outside
    } else if placements.iter().any(|p| matches!(p, Placement::OwnerUnknown(_))) {
        Scope::OwnerUnknown
    } else {
        Scope::Inside
    }
}

/// Analyses an open Allow statement's `Condition` block.
pub(crate) fn analyse_allow(condition: Option<&Map<String, Value>>, zone: &TrustZone) -> (Vec<ConditionNote>, Confinement) {
    let mut notes = Vec::new();
    let mut identity: Vec<(usize, Vec<Placement>)> = Vec::new();
    let mut other: Vec<usize> = Vec::new();
    for (operator, block) in condition.into_iter().flatten() {
        let Value::Object(entries) = block else {
            notes.push(ConditionNote {
                operator: operator.clone(),
                key: String::new(),
                values: Vec::new(),
                confining: false,
                scope: None,
                why: format!("operator {operator} holds a {}, not a map of keys", kind_name(block)),
            });
            continue;
        };
        for (key, value) in entries {
            let (note, confined) = allow_entry(operator, key, value, zone);
            let index = notes.len();
            notes.push(note);
            match confined {
                Some((Family::Identity, placements)) => identity.push((index, placements)),
                Some(_) => other.push(index),
                None => {}
            }
        }
    }
    let confinement = if let Some((index, _)) =
        identity.iter().find(|(_, p)| p.iter().all(Placement::is_inside))
    {
        Confinement::Inside(*index)
    } else if !identity.is_empty() {
        let mut names: Vec<String> = Vec::new();
        for (_, placements) in &identity {
            for n in outside_names(placements) {
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        Confinement::Outside(names)
    } else if let Some(index) = other.first() {
        Confinement::Inside(*index)
    } else {
        Confinement::None
    };
    (notes, confinement)
}

/// Is a Deny with this `Condition` certain to apply to every caller outside the trust zone
/// (spec §5(c))? `Err` says which entry makes it uncertain.
pub(crate) fn deny_applies_to_all_outsiders(
    condition: Option<&Map<String, Value>>,
    zone: &TrustZone,
) -> Result<(), String> {
    for (operator, block) in condition.into_iter().flatten() {
        let Value::Object(entries) = block else {
            return Err(format!("operator {operator} holds a {}, not a map of keys", kind_name(block)));
        };
        let op = parse_operator(operator);
        for (key, value) in entries {
            let lower = key.to_ascii_lowercase();
            let fits = !op.any_value
                && !op.all_values
                && match lower.as_str() {
                    "aws:principalaccount" | "kms:calleraccount" | "aws:principalorgid" => {
                        matches!(
                            op.base,
                            Base::StringNotEquals | Base::StringNotEqualsIgnoreCase | Base::StringNotLike
                        )
                    }
                    "aws:principalarn" => op.base.is_negated() && op.base != Base::NotIpAddress,
                    _ => false,
                };
            if !fits {
                return Err(format!(
                    "its condition {operator} {key} may not hold for every outside caller"
                ));
            }
            let values = values_of(value).map_err(|why| format!("its condition {operator} {key}: {why}"))?;
            for v in &values {
                let placed = match lower.as_str() {
                    "aws:principalorgid" => org_value(v, zone),
                    "aws:principalarn" => arn_value(v, zone),
                    _ => account_value(v, zone),
                };
                match placed {
                    Ok(Placement::Inside) => {}
                    Ok(_) => {
                        return Err(format!(
                            "its condition {operator} {key} exempts \"{v}\", which is outside the trust zone"
                        ));
                    }
                    Err(why) => return Err(format!("its condition {operator} {key} exempts {why}")),
                }
            }
        }
    }
    Ok(())
}
