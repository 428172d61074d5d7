//! Reading a statement's `Principal` / `NotPrincipal` element and classifying each entry
//! (spec §2, §7.3, §7.10, §7.12, §8.16, §8.19, §8.20).

use serde_json::Value;

use super::literal::{has_policy_variable, has_wildcard, is_account_id, is_resource_account_var, is_unique_id, split_arn};

/// The principal type an entry was given under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The bare string `"*"`, or a bare string / array read as AWS principals.
    Any,
    Aws,
    Service,
    CanonicalUser,
    Federated,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Any => "",
            Kind::Aws => "AWS",
            Kind::Service => "Service",
            Kind::CanonicalUser => "CanonicalUser",
            Kind::Federated => "Federated",
        }
    }
}

/// What one principal entry admits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Class {
    /// Callers from any account.
    Open,
    /// One specific account (its root or a principal inside it).
    Account(String),
    /// The key owner's account, written as `${aws:ResourceAccount}`.
    OwnerAccount,
    /// A specific principal whose account cannot be determined (spec §7.3).
    OwnerUnknown,
    /// A named AWS service principal: never open, never cross-account.
    Service,
    /// Nobody can match it (a unique id left by a deleted principal, a policy variable).
    Nobody(&'static str),
}

/// One entry of a principal element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub kind: Kind,
    pub value: String,
    pub class: Class,
}

impl Entry {
    /// How the entry is named in structured output: `*` or `AWS:arn:...`.
    pub(crate) fn label(&self) -> String {
        match self.kind {
            Kind::Any => self.value.clone(),
            k => format!("{}:{}", k.label(), self.value),
        }
    }

    /// How the entry is quoted in messages: `"*"` or `AWS:"arn:..."`.
    pub(crate) fn display(&self) -> String {
        match self.kind {
            Kind::Any => format!("\"{}\"", self.value),
            k => format!("{}:\"{}\"", k.label(), self.value),
        }
    }

    /// True when this entry, in a Deny, reaches every caller outside the trust zone: only
    /// the universal forms do (`*`, `{"AWS": "*"}`, a wildcard account's root). A
    /// `{"Service": "*"}` Deny reaches only service principals, so it does not.
    pub(crate) fn reaches_every_caller(&self) -> bool {
        if self.class != Class::Open || !matches!(self.kind, Kind::Any | Kind::Aws) {
            return false;
        }
        if self.value == "*" || !self.value.contains(':') {
            return true;
        }
        split_arn(&self.value).is_some_and(|arn| arn.resource == "root" || arn.resource == "*")
    }

    /// A key naming the same principal however it was written: a bare account id and its
    /// root ARN are the same principal.
    pub(crate) fn identity_key(&self) -> String {
        if let Class::Account(acct) = &self.class {
            let is_root = is_account_id(&self.value)
                || split_arn(&self.value).is_some_and(|a| a.service == "iam" && a.resource == "root");
            if is_root {
                return format!("root:{acct}");
            }
        }
        format!("{}:{}", self.kind.label(), self.value)
    }
}

/// A principal element that could not be read; the string says why.
pub(crate) type Malformed = String;

/// Reads a `Principal` / `NotPrincipal` value into entries. `null`, `""`, `[]`, `{}` and
/// empty type lists give no entries.
pub(crate) fn parse(value: &Value) -> Result<Vec<Entry>, Malformed> {
    let mut out = Vec::new();
    match value {
        Value::Null => {}
        Value::String(s) => push(&mut out, Kind::Any, s)?,
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::String(s) => push(&mut out, Kind::Any, s)?,
                    other => return Err(format!("principal list holds a non-string {}", kind_name(other))),
                }
            }
        }
        Value::Object(map) => {
            for (type_name, v) in map {
                let kind = match type_name.to_ascii_lowercase().as_str() {
                    "aws" => Kind::Aws,
                    "service" => Kind::Service,
                    "canonicaluser" => Kind::CanonicalUser,
                    "federated" => Kind::Federated,
                    _ => return Err(format!("unknown principal type `{type_name}`")),
                };
                match v {
                    Value::Null => {}
                    Value::String(s) => push(&mut out, kind, s)?,
                    Value::Array(items) => {
                        for item in items {
                            match item {
                                Value::String(s) => push(&mut out, kind, s)?,
                                other => {
                                    return Err(format!(
                                        "principal type `{type_name}` holds a non-string {}",
                                        kind_name(other)
                                    ));
                                }
                            }
                        }
                    }
                    other => {
                        return Err(format!(
                            "principal type `{type_name}` holds a {} instead of a string or list",
                            kind_name(other)
                        ));
                    }
                }
            }
        }
        other => return Err(format!("principal is a {}, not a string, list or object", kind_name(other))),
    }
    Ok(out)
}

fn push(out: &mut Vec<Entry>, kind: Kind, value: &str) -> Result<(), Malformed> {
    if value.is_empty() {
        return Ok(());
    }
    let class = match kind {
        Kind::Any if value == "*" => Class::Open,
        Kind::Any | Kind::Aws => classify_aws(value)?,
        Kind::Service => {
            if has_wildcard(value) {
                Class::Open
            } else {
                Class::Service
            }
        }
        Kind::CanonicalUser => {
            if has_wildcard(value) {
                Class::Open
            } else {
                Class::OwnerUnknown
            }
        }
        Kind::Federated => classify_federated(value),
    };
    out.push(Entry { kind, value: value.to_string(), class });
    Ok(())
}

fn classify_aws(value: &str) -> Result<Class, Malformed> {
    if value == "*" {
        return Ok(Class::Open);
    }
    if is_account_id(value) {
        return Ok(Class::Account(value.to_string()));
    }
    if let Some(arn) = split_arn(value) {
        if has_wildcard(arn.account) {
            return Ok(Class::Open);
        }
        if is_resource_account_var(arn.account) {
            if has_policy_variable(arn.resource) {
                return Ok(Class::Nobody("a policy variable in a principal matches nobody"));
            }
            return Ok(Class::OwnerAccount);
        }
        if has_policy_variable(value) {
            return Ok(Class::Nobody("a policy variable in a principal matches nobody"));
        }
        if is_account_id(arn.account) {
            return Ok(Class::Account(arn.account.to_string()));
        }
        return Err(format!("principal `{value}` has account field `{}`, not a 12-digit id", arn.account));
    }
    if has_policy_variable(value) {
        return Ok(Class::Nobody("a policy variable in a principal matches nobody"));
    }
    if has_wildcard(value) {
        // `1111*`, `arn:aws:*`: a wildcard where an account belongs reaches everyone.
        return Ok(Class::Open);
    }
    if is_unique_id(value) {
        return Ok(Class::Nobody(
            "a unique id left behind by a deleted principal matches nobody; remove it from the policy",
        ));
    }
    Err(format!("principal `{value}` is not `*`, an account id, an ARN or a unique id"))
}

fn classify_federated(value: &str) -> Class {
    if has_wildcard(value) && split_arn(value).is_none_or(|a| has_wildcard(a.account)) {
        return Class::Open;
    }
    match split_arn(value) {
        Some(arn) if is_account_id(arn.account) => Class::Account(arn.account.to_string()),
        Some(arn) if is_resource_account_var(arn.account) => Class::OwnerAccount,
        _ => Class::OwnerUnknown,
    }
}

pub(crate) fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use serde_json::json;

    fn classes(v: Value) -> Vec<Class> {
        parse(&v).unwrap_or_else(|e| panic!("{e}")).into_iter().map(|e| e.class).collect()
    }

    #[test]
    fn open_forms() {
        assert_eq!(classes(json!("*")), vec![Class::Open]);
        assert_eq!(classes(json!(["*"])), vec![Class::Open]);
        assert_eq!(classes(json!({"AWS": "*"})), vec![Class::Open]);
        assert_eq!(classes(json!({"aws": ["arn:aws:iam::*:root"]})), vec![Class::Open]);
        assert_eq!(classes(json!({"AWS": "arn:aws:iam::12345678901?:role/x"})), vec![Class::Open]);
        assert_eq!(classes(json!({"Service": "*"})), vec![Class::Open]);
        assert_eq!(classes(json!({"CanonicalUser": "*"})), vec![Class::Open]);
        assert_eq!(classes(json!({"Federated": "*"})), vec![Class::Open]);
    }

    #[test]
    fn specific_forms() {
        assert_eq!(classes(json!("111122223333")), vec![Class::Account("111122223333".into())]);
        assert_eq!(
            classes(json!({"AWS": "arn:aws:iam::111122223333:role/x"})),
            vec![Class::Account("111122223333".into())]
        );
        assert_eq!(classes(json!({"Service": "logs.amazonaws.com"})), vec![Class::Service]);
        assert_eq!(classes(json!({"Federated": "accounts.google.com"})), vec![Class::OwnerUnknown]);
        assert_eq!(
            classes(json!({"Federated": "arn:aws:iam::111122223333:saml-provider/x"})),
            vec![Class::Account("111122223333".into())]
        );
        assert!(matches!(classes(json!("AROA3XFRBF535PLBIFPI4")).as_slice(), [Class::Nobody(_)]));
        assert!(matches!(
            classes(json!({"AWS": "arn:aws:iam::111122223333:user/${aws:username}"})).as_slice(),
            [Class::Nobody(_)]
        ));
        assert_eq!(classes(json!({"AWS": []})), vec![]);
        assert_eq!(classes(json!(null)), vec![]);
        assert_eq!(classes(json!("")), vec![]);
    }

    #[test]
    fn malformed_forms() {
        assert!(parse(&json!({"*": "x"})).is_err());
        assert!(parse(&json!(5)).is_err());
        assert!(parse(&json!([1])).is_err());
        assert!(parse(&json!({"AWS": {"a": 1}})).is_err());
        assert!(parse(&json!({"AWS": "not-a-principal"})).is_err());
    }

    #[test]
    fn root_and_account_id_are_the_same_principal() {
        let a = parse(&json!("444455556666")).unwrap_or_default();
        let b = parse(&json!({"AWS": "arn:aws:iam::444455556666:root"})).unwrap_or_default();
        assert_eq!(a.first().map(Entry::identity_key), b.first().map(Entry::identity_key));
    }
}
