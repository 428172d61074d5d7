//! Computing a safe key policy: the fix for each statement that makes a key PUBLIC, and the
//! lockout guard. Pure: text in, text out, no AWS calls.
//!
//! Edits are made on the policy text, so everything but the changed parts stays byte for
//! byte: `restrict-principal` replaces the open principal's value; `add-condition` adds
//! `StringEquals kms:CallerAccount = <owner>` (replacing the statement's `Condition` value
//! when it has one, otherwise inserting it before the statement's closing brace).

use serde_json::{Map, Value, json};

use crate::policy::{self, Code, Evaluation, TrustZone, Verdict};

/// How to take away public access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Strategy {
    /// Keep each public statement but add `StringEquals kms:CallerAccount = <owner>`, which
    /// keeps AWS-service integrations working.
    AddCondition,
    /// Replace the open principal with `arn:<partition>:iam::<owner>:root`.
    RestrictPrincipal,
}

/// A proposed fix.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The new policy text.
    pub text: String,
    /// The statements changed (indexes in `Statement`).
    pub changed: Vec<usize>,
    /// The verdict of the current policy.
    pub before: Evaluation,
    /// The verdict of the new policy.
    pub after: Evaluation,
}

/// A member of a JSON object in the text: its key and the byte spans of key and value.
#[derive(Debug, Clone)]
struct Member {
    key: String,
    key_start: usize,
    value_start: usize,
    value_end: usize,
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// End (exclusive) of the string starting at `i` (a `"`).
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        match b.get(j)? {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
}

/// End (exclusive) of the JSON value starting at `i`.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match b.get(j)? {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while b.get(j).is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace()) {
                j += 1;
            }
            Some(j)
        }
    }
}

/// The members of the object starting at `i` (a `{`), and the index of its closing brace.
fn object_members(text: &str, i: usize) -> Option<(Vec<Member>, usize)> {
    let b = text.as_bytes();
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let mut out = Vec::new();
    let mut j = skip_ws(b, i + 1);
    if b.get(j) == Some(&b'}') {
        return Some((out, j));
    }
    loop {
        let key_start = j;
        let key_end = skip_string(b, j)?;
        let key: String = serde_json::from_str(text.get(key_start..key_end)?).ok()?;
        j = skip_ws(b, key_end);
        if b.get(j) != Some(&b':') {
            return None;
        }
        let value_start = skip_ws(b, j + 1);
        let value_end = skip_value(b, value_start)?;
        out.push(Member { key, key_start, value_start, value_end });
        j = skip_ws(b, value_end);
        match b.get(j)? {
            b',' => j = skip_ws(b, j + 1),
            b'}' => return Some((out, j)),
            _ => return None,
        }
    }
}

/// The spans of the statements: the elements of `Statement` (or the one object).
fn statement_spans(text: &str) -> Option<Vec<(usize, usize)>> {
    let b = text.as_bytes();
    let start = skip_ws(b, 0);
    let (members, _) = object_members(text, start)?;
    let st = members.iter().find(|m| m.key == "Statement")?;
    match b.get(st.value_start)? {
        b'{' => Some(vec![(st.value_start, st.value_end)]),
        b'[' => {
            let mut out = Vec::new();
            let mut j = skip_ws(b, st.value_start + 1);
            if b.get(j) == Some(&b']') {
                return Some(out);
            }
            loop {
                let end = skip_value(b, j)?;
                out.push((j, end));
                j = skip_ws(b, end);
                match b.get(j)? {
                    b',' => j = skip_ws(b, j + 1),
                    b']' => return Some(out),
                    _ => return None,
                }
            }
        }
        _ => None,
    }
}

/// The edits (span, replacement) that fix one statement.
fn statement_edits(text: &str, span: (usize, usize), strategy: Strategy, owner: &str, partition: &str) -> Option<Vec<(usize, usize, String)>> {
    let (members, close) = object_members(text, span.0)?;
    let mut edits = Vec::new();
    match strategy {
        Strategy::RestrictPrincipal => {
            let principal = json!({"AWS": format!("arn:{partition}:iam::{owner}:root")}).to_string();
            if let Some(m) = members.iter().find(|m| m.key == "Principal") {
                edits.push((m.value_start, m.value_end, principal));
            } else if let Some(m) = members.iter().find(|m| m.key == "NotPrincipal") {
                edits.push((m.key_start, m.value_end, format!("\"Principal\": {principal}")));
            } else {
                return None;
            }
        }
        Strategy::AddCondition => {
            let existing = members.iter().find(|m| m.key == "Condition");
            let mut condition: Map<String, Value> = match existing {
                Some(m) => match serde_json::from_str::<Value>(text.get(m.value_start..m.value_end)?) {
                    Ok(Value::Object(c)) => c,
                    _ => Map::new(),
                },
                None => Map::new(),
            };
            let equals = condition.entry("StringEquals").or_insert_with(|| Value::Object(Map::new()));
            if !equals.is_object() {
                *equals = Value::Object(Map::new());
            }
            if let Some(eq) = equals.as_object_mut() {
                eq.retain(|k, _| !k.eq_ignore_ascii_case("kms:CallerAccount"));
                eq.insert("kms:CallerAccount".into(), Value::String(owner.to_string()));
            }
            let rendered = serde_json::to_string(&Value::Object(condition)).ok()?;
            match existing {
                Some(m) => edits.push((m.value_start, m.value_end, rendered)),
                None => {
                    // Insert before the closing brace, after the last member.
                    let at = members.last().map_or(close, |m| m.value_end);
                    let sep = if members.is_empty() { "" } else { ", " };
                    edits.push((at, at, format!("{sep}\"Condition\": {rendered}")));
                }
            }
        }
    }
    Some(edits)
}

fn apply_edits(text: &str, mut edits: Vec<(usize, usize, String)>) -> String {
    edits.sort_by(|a, b| b.0.cmp(&a.0));
    let mut out = text.to_string();
    for (start, end, replacement) in edits {
        if start <= end && end <= out.len() && out.is_char_boundary(start) && out.is_char_boundary(end) {
            out.replace_range(start..end, &replacement);
        }
    }
    out
}

/// Proposes a fix for every statement that makes the key PUBLIC. `Err` says why no safe
/// fix exists (nothing public, a policy that cannot be read, a fix that is still public).
pub fn plan(policy_text: &str, zone: &TrustZone, partition: &str, strategy: Strategy) -> Result<Plan, String> {
    let owner = zone.owner_account.clone().ok_or("the owner account is needed to fix a policy")?;
    let before = policy::evaluate_bytes(policy_text.as_bytes(), zone);
    match before.verdict {
        Verdict::Public => {}
        Verdict::Unknown => return Err(format!("the current policy cannot be evaluated: {}", before.main_reason().map(|r| r.message.as_str()).unwrap_or(""))),
        v => return Err(format!("the key is not public ({v}); nothing to fix")),
    }
    let mut changed: Vec<usize> = before
        .reasons
        .iter()
        .filter(|r| r.code == Code::OpenPrincipal && r.outcome == Some(Verdict::Public))
        .filter_map(|r| r.statement_index)
        .collect();
    changed.sort_unstable();
    changed.dedup();
    let spans = statement_spans(policy_text).ok_or("the policy text could not be located statement by statement")?;
    let mut edits = Vec::new();
    for i in &changed {
        let span = *spans.get(*i).ok_or_else(|| format!("statement {i} not found in the text"))?;
        edits.extend(statement_edits(policy_text, span, strategy, &owner, partition).ok_or_else(|| format!("Statement[{i}] could not be edited"))?);
    }
    let text = apply_edits(policy_text, edits);
    let after = policy::evaluate_bytes(text.as_bytes(), zone);
    if after.verdict == Verdict::Public || after.verdict == Verdict::Unknown {
        return Err(format!(
            "the fixed policy would still be {}: {}",
            after.verdict,
            after.main_reason().map(|r| r.message.as_str()).unwrap_or("")
        ));
    }
    Ok(Plan { text, changed, before, after })
}

/// Does the owner account's root keep `kms:PutKeyPolicy` under this policy? True when an
/// Allow names the owner root (or the account, or everyone) for an action covering
/// PutKeyPolicy with no condition the root could fail (none, or only the owner account as
/// `kms:CallerAccount` / `aws:PrincipalAccount`), and no unconditional Deny takes it away.
pub fn root_can_put_key_policy(policy_text: &str, owner: &str) -> bool {
    let Ok(doc) = policy::parse_document(policy_text.as_bytes()) else { return false };
    let statements: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => return false,
    };
    let root = format!(":iam::{owner}:root");
    let names_root = |p: &Value| -> bool {
        let entries: Vec<&str> = match p {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            Value::Object(o) => o
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case("AWS"))
                .flat_map(|(_, v)| match v {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                    _ => Vec::new(),
                })
                .collect(),
            _ => Vec::new(),
        };
        entries.iter().any(|e| *e == "*" || *e == owner || e.ends_with(&root))
    };
    let covers_put = |a: Option<&Value>| -> bool {
        let actions: Vec<&str> = match a {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(x)) => x.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        actions.iter().any(|p| policy::action_matches(p, "kms:PutKeyPolicy"))
    };
    let root_satisfies = |c: Option<&Value>| -> bool {
        match c {
            None | Some(Value::Null) => true,
            Some(Value::Object(ops)) => ops.iter().all(|(op, block)| {
                op.eq_ignore_ascii_case("StringEquals")
                    && block.as_object().is_some_and(|b| {
                        b.iter().all(|(k, v)| {
                            let k = k.to_ascii_lowercase();
                            (k == "kms:calleraccount" || k == "aws:principalaccount")
                                && (v.as_str() == Some(owner) || v.as_array().is_some_and(|a| a.iter().any(|x| x.as_str() == Some(owner))))
                        })
                    })
            }),
            Some(_) => false,
        }
    };
    let mut allowed = false;
    for s in &statements {
        let effect = s.get("Effect").and_then(Value::as_str);
        let principal = s.get("Principal");
        match effect {
            Some("Allow")
                if principal.is_some_and(names_root) && covers_put(s.get("Action")) && root_satisfies(s.get("Condition")) => {
                    allowed = true;
                }
            Some("Deny") => {
                let unconditional = matches!(s.get("Condition"), None | Some(Value::Null));
                if principal.is_some_and(names_root) && covers_put(s.get("Action")) && unconditional {
                    return false;
                }
            }
            _ => {}
        }
    }
    allowed
}

/// A unified diff of two policy texts, pretty-printed first when they are one-line JSON so
/// the diff shows statements, not one long line.
pub fn diff(old: &str, new: &str) -> String {
    let pretty = |t: &str| -> String {
        if t.lines().count() <= 1 {
            serde_json::from_str::<Value>(t).ok().and_then(|v| serde_json::to_string_pretty(&v).ok()).unwrap_or_else(|| t.to_string())
        } else {
            t.to_string()
        }
    };
    let (a, b) = (pretty(old), pretty(new));
    similar::TextDiff::from_lines(&a, &b).unified_diff().context_radius(3).header("current policy", "fixed policy").to_string()
}

#[cfg(test)]
mod test {
    use super::*;

    const OWNER: &str = "111122223333";

    fn zone() -> TrustZone {
        TrustZone::for_owner(OWNER)
    }

    #[test]
    fn add_condition_keeps_everything_else_byte_for_byte() {
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"Root\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"},\n    {\"Sid\": \"Public\", \"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}\n  ]\n}\n";
        let plan = plan(text, &zone(), "aws", Strategy::AddCondition).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.changed, vec![1]);
        assert_eq!(plan.after.verdict, Verdict::Private);
        let root_line = text.lines().nth(3).unwrap_or_default();
        assert!(plan.text.contains(root_line), "the untouched statement is unchanged");
        assert!(plan.text.contains("\"Resource\": \"*\", \"Condition\": {\"StringEquals\":{\"kms:CallerAccount\":\"111122223333\"}}}"), "{}", plan.text);
    }

    #[test]
    fn add_condition_replaces_a_wildcard_caller_account() {
        let text = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Condition": {"StringEquals": {"KMS:CallerAccount": "*"}, "StringLike": {"kms:ViaService": "s3.*"}}}]}"#;
        let plan = plan(text, &zone(), "aws", Strategy::AddCondition).unwrap_or_else(|e| panic!("{e}"));
        let v: Value = serde_json::from_str(&plan.text).unwrap_or_default();
        assert_eq!(v["Statement"][0]["Condition"]["StringEquals"], json!({"kms:CallerAccount": OWNER}));
        assert_eq!(v["Statement"][0]["Condition"]["StringLike"], json!({"kms:ViaService": "s3.*"}));
    }

    #[test]
    fn restrict_principal_replaces_principal_and_not_principal() {
        let text = r#"{"Statement": {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/x"}, "Action": "kms:*"}}"#;
        let plan = plan(text, &zone(), "aws-cn", Strategy::RestrictPrincipal).unwrap_or_else(|e| panic!("{e}"));
        let v: Value = serde_json::from_str(&plan.text).unwrap_or_default();
        assert_eq!(v["Statement"]["Principal"], json!({"AWS": "arn:aws-cn:iam::111122223333:root"}));
        assert!(v["Statement"].get("NotPrincipal").is_none());
        assert!(plan.text.starts_with(r#"{"Statement": {"Effect": "Allow", "Principal": "#));
    }

    #[test]
    fn refuses_when_nothing_to_fix_or_still_public() {
        let private = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*"}]}"#;
        assert!(plan(private, &zone(), "aws", Strategy::AddCondition).err().unwrap_or_default().contains("not public"));
        assert!(plan("{", &zone(), "aws", Strategy::AddCondition).is_err());
    }

    #[test]
    fn lockout_guard() {
        let ok = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*"}]}"#;
        assert!(root_can_put_key_policy(ok, OWNER));
        let via_condition = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:Put*", "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}}]}"#;
        assert!(root_can_put_key_policy(via_condition, OWNER));
        let no_put = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:Decrypt"}]}"#;
        assert!(!root_can_put_key_policy(no_put, OWNER));
        let denied = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:*"}, {"Effect": "Deny", "Principal": "*", "Action": "kms:PutKeyPolicy"}]}"#;
        assert!(!root_can_put_key_policy(denied, OWNER));
        assert!(!root_can_put_key_policy("not json", OWNER));
    }

    #[test]
    fn diff_shows_the_change() {
        let d = diff(r#"{"a": 1}"#, r#"{"a": 2}"#);
        assert!(d.contains("-  \"a\": 1") && d.contains("+  \"a\": 2"), "{d}");
    }
}
