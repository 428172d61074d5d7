//! The policy engine: decides whether a KMS key policy makes the key public, exactly as
//! `public-access-semantics.md` (v1.2) defines it, and says why.
//!
//! Pure: no AWS SDK types, no async, no I/O. The document is only borrowed, never changed.
//! Parsing is total: any input gives a verdict, never a panic.
//!
//! ```
//! use kms_exposure::policy::{evaluate_bytes, TrustZone, Verdict};
//! let doc = br#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt"}}"#;
//! let eval = evaluate_bytes(doc, &TrustZone::for_owner("111122223333"));
//! assert_eq!(eval.verdict, Verdict::Public);
//! ```

mod action;
mod condition;
mod ip;
mod literal;
mod principal;
mod reason;
mod statement;
mod zone;

pub use condition::{ConditionNote, Scope};
pub use reason::{Code, DenyNote, Evaluation, Reason, Verdict};
pub use zone::TrustZone;

use serde_json::Value;

/// Parses a CIDR or address as `--trusted-ip` takes it.
pub fn parse_ip_range(text: &str) -> Option<ipnet::IpNet> {
    ip::parse_range(text)
}

/// True when the IAM action pattern (`kms:*`, `kms:Put*`, `*`) matches the action name;
/// case-insensitive.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    action::covers(pattern, action)
}

/// The JSON type of a value as messages name it (`null`, `number`, `list`, `object`, ...).
pub fn json_type_name(v: &Value) -> &'static str {
    principal::kind_name(v)
}

/// True when the text is a 12-digit account id.
pub fn is_account_id(text: &str) -> bool {
    literal::is_account_id(text)
}

/// True when the text is an organization id (`o-` followed by letters and digits).
pub fn is_org_id(text: &str) -> bool {
    literal::is_org_id(text)
}

/// Reads a policy from bytes: a raw policy document, or the output of
/// `aws kms get-key-policy` (`{"Policy": "<json text>", "PolicyName": "default"}`).
pub fn parse_document(bytes: &[u8]) -> Result<Value, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| describe_json_error(&e))?;
    unwrap_get_key_policy(value)
}

/// Unwraps the `{"Policy": "<json text>"}` envelope of `aws kms get-key-policy`; any other
/// value is returned as it is.
pub fn unwrap_get_key_policy(value: Value) -> Result<Value, String> {
    if let Value::Object(map) = &value
        && !map.contains_key("Statement")
            && let Some(Value::String(inner)) = map.get("Policy") {
                return serde_json::from_str(inner)
                    .map_err(|e| format!("the `Policy` string of the get-key-policy output: {}", describe_json_error(&e)));
            }
    Ok(value)
}

fn describe_json_error(e: &serde_json::Error) -> String {
    format!("not valid JSON: {e}")
}

/// Evaluates a policy given as bytes (see [`parse_document`]); unreadable input gives an
/// `UNKNOWN` verdict with the reason.
pub fn evaluate_bytes(bytes: &[u8], zone: &TrustZone) -> Evaluation {
    match parse_document(bytes) {
        Ok(doc) => evaluate(&doc, zone),
        Err(why) => Evaluation::unknown(Code::InvalidJson, format!("the policy is {why}")),
    }
}

/// Evaluates a parsed policy document against a trust zone.
pub fn evaluate(doc: &Value, zone: &TrustZone) -> Evaluation {
    statement::evaluate_document(doc, zone)
}
