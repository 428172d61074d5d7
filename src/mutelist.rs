//! Prowler's mutelist: `Mutelist: Accounts: <id|*>: Checks: <check|*>: {Regions, Resources,
//! Tags, Exceptions, Description}`.
//!
//! Matching follows Prowler: every value is a regular expression searched in the finding's
//! value (`*` alone, or a leading `*`, means "anything"); the items of `Regions` are ORed,
//! as are those of `Resources` (matched against the key id and its ARN); the items of
//! `Tags` are ANDed, each searched in the key's tags written `key=value | key=value` (so
//! `a=1|b=2` inside one item ORs). An entry mutes when region, resource and tags all match,
//! unless its `Exceptions` match: every non-empty exception list (Accounts, Regions,
//! Resources, Tags) must match for the exception to apply.
//!
//! A mutelist is checked whole before any scanning: bad YAML (with its line), an unknown
//! field, a value of the wrong type or a bad regular expression is an error naming it.

use regex::Regex;
use serde_yaml_ng::{Mapping, Value};

/// The values a finding is matched on.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The audited account.
    pub account: &'a str,
    /// The check id.
    pub check: &'a str,
    /// The finding's region.
    pub region: &'a str,
    /// The resource id (the key id).
    pub resource_id: &'a str,
    /// The resource ARN.
    pub resource_arn: &'a str,
    /// The resource's tags.
    pub tags: &'a [(String, String)],
}

/// A list of patterns, compiled.
#[derive(Debug, Clone)]
struct Patterns(Vec<Regex>);

impl Patterns {
    fn any(&self, value: &str) -> bool {
        self.0.iter().any(|r| r.is_match(value))
    }
    fn all(&self, value: &str) -> bool {
        self.0.iter().all(|r| r.is_match(value))
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Debug, Clone)]
struct Exceptions {
    accounts: Patterns,
    regions: Patterns,
    resources: Patterns,
    tags: Patterns,
}

#[derive(Debug, Clone)]
struct Entry {
    /// An exact account id, or `*`.
    account: String,
    check: Patterns,
    regions: Patterns,
    resources: Patterns,
    tags: Option<Patterns>,
    exceptions: Option<Exceptions>,
}

/// A loaded, validated mutelist.
#[derive(Debug, Clone, Default)]
pub struct Mutelist {
    entries: Vec<Entry>,
}

fn compile(text: &str, at: &str) -> Result<Regex, String> {
    let pattern = if text == "*" {
        ".*".to_string()
    } else if let Some(rest) = text.strip_prefix('*') {
        format!(".*{rest}")
    } else {
        text.to_string()
    };
    Regex::new(&pattern).map_err(|e| format!("{at}: `{text}` is not a valid regular expression: {e}"))
}

fn scalar(v: &Value, at: &str) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(format!("{at}: expected a string")),
    }
}

fn patterns(v: Option<&Value>, at: &str) -> Result<Patterns, String> {
    let Some(v) = v else { return Ok(Patterns(Vec::new())) };
    let Value::Sequence(items) = v else {
        return Err(format!("{at}: expected a list of patterns"));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let here = format!("{at}[{i}]");
            compile(&scalar(item, &here)?, &here)
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Patterns)
}

fn mapping<'a>(v: &'a Value, at: &str) -> Result<&'a Mapping, String> {
    v.as_mapping().ok_or_else(|| format!("{at}: expected a mapping"))
}

fn only_fields(m: &Mapping, allowed: &[&str], at: &str) -> Result<(), String> {
    for k in m.keys() {
        let name = scalar(k, at)?;
        if !allowed.contains(&name.as_str()) {
            return Err(format!("{at}: unknown field `{name}` (expected one of: {})", allowed.join(", ")));
        }
    }
    Ok(())
}

impl Mutelist {
    /// Parses and validates a mutelist document.
    pub fn parse(text: &str) -> Result<Mutelist, String> {
        let doc: Value = serde_yaml_ng::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
        let root = mapping(&doc, "the document")?;
        only_fields(root, &["Mutelist"], "top level")?;
        let ml = root.get("Mutelist").ok_or("top level: no `Mutelist` key")?;
        let ml = mapping(ml, "Mutelist")?;
        only_fields(ml, &["Accounts"], "Mutelist")?;
        let accounts = ml.get("Accounts").ok_or("Mutelist: no `Accounts` key")?;
        let mut entries = Vec::new();
        for (account, body) in mapping(accounts, "Mutelist.Accounts")? {
            let account = scalar(account, "Mutelist.Accounts")?;
            let at = format!("Mutelist.Accounts.{account}");
            let body = mapping(body, &at)?;
            only_fields(body, &["Checks"], &at)?;
            let checks = body.get("Checks").ok_or_else(|| format!("{at}: no `Checks` key"))?;
            for (check, spec) in mapping(checks, &format!("{at}.Checks"))? {
                let check = scalar(check, &format!("{at}.Checks"))?;
                let here = format!("{at}.Checks.{check}");
                let spec = mapping(spec, &here)?;
                only_fields(spec, &["Regions", "Resources", "Tags", "Exceptions", "Description"], &here)?;
                let regions = spec.get("Regions").ok_or_else(|| format!("{here}: no `Regions` list"))?;
                let resources = spec.get("Resources").ok_or_else(|| format!("{here}: no `Resources` list"))?;
                if let Some(d) = spec.get("Description") {
                    scalar(d, &format!("{here}.Description"))?;
                }
                let exceptions = match spec.get("Exceptions") {
                    None | Some(Value::Null) => None,
                    Some(e) => {
                        let at_e = format!("{here}.Exceptions");
                        let e = mapping(e, &at_e)?;
                        only_fields(e, &["Accounts", "Regions", "Resources", "Tags"], &at_e)?;
                        Some(Exceptions {
                            accounts: patterns(e.get("Accounts"), &format!("{at_e}.Accounts"))?,
                            regions: patterns(e.get("Regions"), &format!("{at_e}.Regions"))?,
                            resources: patterns(e.get("Resources"), &format!("{at_e}.Resources"))?,
                            tags: patterns(e.get("Tags"), &format!("{at_e}.Tags"))?,
                        })
                    }
                };
                entries.push(Entry {
                    account: account.clone(),
                    check: Patterns(vec![compile(&check, &here)?]),
                    regions: patterns(Some(regions), &format!("{here}.Regions"))?,
                    resources: patterns(Some(resources), &format!("{here}.Resources"))?,
                    tags: match spec.get("Tags") {
                        None | Some(Value::Null) => None,
                        Some(t) => Some(patterns(Some(t), &format!("{here}.Tags"))?),
                    },
                    exceptions,
                });
            }
        }
        Ok(Mutelist { entries })
    }

    /// Reads and validates a mutelist file; the error names the file.
    pub fn load(path: &std::path::Path) -> Result<Mutelist, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read mutelist `{}`: {e}", path.display()))?;
        Mutelist::parse(&text).map_err(|e| format!("mutelist `{}`: {e}", path.display()))
    }

    /// True when an entry mutes the finding.
    pub fn is_muted(&self, s: &Subject<'_>) -> bool {
        let tags = s.tags.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" | ");
        self.entries.iter().any(|e| {
            // The account key is an exact id or `*`, as in Prowler.
            (e.account == "*" || e.account == s.account)
                && e.check.any(s.check)
                && e.regions.any(s.region)
                && (e.resources.any(s.resource_id) || e.resources.any(s.resource_arn))
                && e.tags.as_ref().is_none_or(|t| t.is_empty() || (!tags.is_empty() && t.all(&tags)))
                && !e.exceptions.as_ref().is_some_and(|x| excepted(x, s, &tags))
        })
    }

    /// How many check entries the mutelist holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the mutelist holds no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn excepted(x: &Exceptions, s: &Subject<'_>, tags: &str) -> bool {
    let lists = [&x.accounts, &x.regions, &x.resources, &x.tags];
    if lists.iter().all(|l| l.is_empty()) {
        return false;
    }
    (x.accounts.is_empty() || x.accounts.any(s.account))
        && (x.regions.is_empty() || x.regions.any(s.region))
        && (x.resources.is_empty() || x.resources.any(s.resource_id) || x.resources.any(s.resource_arn))
        && (x.tags.is_empty() || (!tags.is_empty() && x.tags.all(tags)))
}
