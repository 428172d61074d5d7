//! The `--config-file` YAML, so a team can commit its trust zone:
//!
//! ```yaml
//! kms_exposure:
//!   trusted_accounts: ["111122223333"]
//!   trusted_orgs: ["o-a1b2c3d4e5"]
//!   trusted_ips: ["203.0.113.0/24"]
//!   fail_on_cross_account: false
//! aws:
//!   trusted_account_ids: ["444455556666"]   # Prowler's config key, read as well
//! ```
//!
//! Other top-level keys (the rest of a Prowler `config.yaml`) are ignored; an unknown key
//! under `kms_exposure` is an error naming it.

use serde_yaml_ng::Value;

/// What the config file sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Accounts to trust.
    pub trusted_accounts: Vec<String>,
    /// Organizations to trust.
    pub trusted_orgs: Vec<String>,
    /// IP ranges to trust.
    pub trusted_ips: Vec<String>,
    /// Report CROSS_ACCOUNT keys as FAIL.
    pub fail_on_cross_account: bool,
}

fn list(v: Option<&Value>, at: &str) -> Result<Vec<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Sequence(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(format!("{at}[{i}]: expected a string")),
            })
            .collect(),
        Some(_) => Err(format!("{at}: expected a list")),
    }
}

impl Config {
    /// Parses a config document.
    pub fn parse(text: &str) -> Result<Config, String> {
        let doc: Value = serde_yaml_ng::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
        let mut cfg = Config::default();
        if doc.is_null() {
            return Ok(cfg);
        }
        let root = doc.as_mapping().ok_or("top level: expected a mapping")?;
        if let Some(ours) = root.get("kms_exposure") {
            let m = ours.as_mapping().ok_or("kms_exposure: expected a mapping")?;
            for k in m.keys() {
                let name = k.as_str().unwrap_or_default();
                if !["trusted_accounts", "trusted_orgs", "trusted_ips", "fail_on_cross_account"].contains(&name) {
                    return Err(format!(
                        "kms_exposure: unknown field `{name}` (expected trusted_accounts, trusted_orgs, trusted_ips, fail_on_cross_account)"
                    ));
                }
            }
            cfg.trusted_accounts = list(m.get("trusted_accounts"), "kms_exposure.trusted_accounts")?;
            cfg.trusted_orgs = list(m.get("trusted_orgs"), "kms_exposure.trusted_orgs")?;
            cfg.trusted_ips = list(m.get("trusted_ips"), "kms_exposure.trusted_ips")?;
            cfg.fail_on_cross_account = match m.get("fail_on_cross_account") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err("kms_exposure.fail_on_cross_account: expected true or false".into()),
            };
        }
        if let Some(aws) = root.get("aws").and_then(Value::as_mapping) {
            cfg.trusted_accounts.extend(list(aws.get("trusted_account_ids"), "aws.trusted_account_ids")?);
        }
        Ok(cfg)
    }

    /// Reads a config file; the error names it.
    pub fn load(path: &std::path::Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read config file `{}`: {e}", path.display()))?;
        Config::parse(&text).map_err(|e| format!("config file `{}`: {e}", path.display()))
    }
}
