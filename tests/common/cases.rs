//! The engine's labelled cases: one row per spec rule, positive and negative. Shared by the
//! in-process table test and the `evaluate --batch` CLI test.

use serde_json::{Value, json};

pub const OWNER: &str = "111122223333";
pub const OTHER: &str = "444455556666";
pub const ORG: &str = "o-a1b2c3d4e5";
pub const OTHER_ORG: &str = "o-zzzzzzzzzz";
pub const UID: &str = "AROA3XFRBF535PLBIFPI4";

/// The trust zone of a case.
#[derive(Clone, Debug)]
pub struct Zone {
    pub account: Option<&'static str>,
    pub accounts: Vec<&'static str>,
    pub orgs: Vec<&'static str>,
    pub ips: Vec<&'static str>,
}

pub fn owner() -> Zone {
    Zone { account: Some(OWNER), accounts: vec![], orgs: vec![], ips: vec![] }
}
pub fn offline() -> Zone {
    Zone { account: None, accounts: vec![], orgs: vec![], ips: vec![] }
}
pub fn with_org() -> Zone {
    Zone { orgs: vec![ORG], ..owner() }
}
pub fn with_ip(ip: &'static str) -> Zone {
    Zone { ips: vec![ip], ..owner() }
}
pub fn with_account(a: &'static str) -> Zone {
    Zone { accounts: vec![a], ..owner() }
}

pub struct Case {
    pub name: &'static str,
    pub zone: Zone,
    /// The policy: a JSON value, or (for `Value::String`) the raw text to parse.
    pub policy: Value,
    pub verdict: &'static str,
    /// The code of the deciding (first) reason, where the case pins it.
    pub code: Option<&'static str>,
}

fn root() -> Value {
    json!({"Sid": "EnableRoot", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{OWNER}:root")}, "Action": "kms:*", "Resource": "*"})
}

/// A policy with the owner-root statement followed by `stmts`.
fn doc(stmts: Vec<Value>) -> Value {
    let mut all = vec![root()];
    all.extend(stmts);
    json!({"Version": "2012-10-17", "Statement": all})
}

fn allow(principal: Value, action: Value) -> Value {
    json!({"Sid": "S", "Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"})
}

fn allow_if(principal: Value, action: Value, condition: Value) -> Value {
    json!({"Sid": "S", "Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*", "Condition": condition})
}

/// `Principal "*"`, `kms:Decrypt`, with one condition entry.
fn public_if(op: &str, key: &str, value: Value) -> Value {
    doc(vec![allow_if(json!("*"), json!("kms:Decrypt"), json!({op: {key: value}}))])
}

fn deny(principal: Value, action: Value, condition: Option<Value>) -> Value {
    let mut d = json!({"Sid": "D", "Effect": "Deny", "Principal": principal, "Action": action, "Resource": "*"});
    if let (Some(c), Some(obj)) = (condition, d.as_object_mut()) {
        obj.insert("Condition".into(), c);
    }
    d
}

fn public_all() -> Value {
    allow(json!("*"), json!("kms:*"))
}

fn arn(account: &str, rest: &str) -> String {
    format!("arn:aws:iam::{account}:{rest}")
}

macro_rules! case {
    ($name:expr, $zone:expr, $policy:expr, $verdict:expr) => {
        Case { name: $name, zone: $zone, policy: $policy, verdict: $verdict, code: None }
    };
    ($name:expr, $zone:expr, $policy:expr, $verdict:expr, $code:expr) => {
        Case { name: $name, zone: $zone, policy: $policy, verdict: $verdict, code: Some($code) }
    };
}

const P: &str = "PUBLIC";
const X: &str = "CROSS_ACCOUNT";
const V: &str = "PRIVATE";
const U: &str = "UNKNOWN";

#[allow(clippy::too_many_lines)]
pub fn all() -> Vec<Case> {
    vec![
        // §1 parsing
        case!("1 statement as one object", owner(), json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt"}}), P, "open-principal"),
        case!("1 statement as a list", owner(), doc(vec![public_all()]), P, "open-principal"),
        case!("1 action names are case-insensitive", owner(), doc(vec![allow(json!("*"), json!("KMS:DECRYPT"))]), P),
        case!("1 non-kms action in upper case grants nothing", owner(), doc(vec![allow(json!("*"), json!("S3:GETOBJECT"))]), V),
        case!("1 condition keys are case-insensitive", owner(), public_if("StringEquals", "KMS:CALLERACCOUNT", json!(OWNER)), V, "confined-inside"),
        case!("1 condition key AWS:SourceAccount", owner(), public_if("StringEquals", "AWS:SourceAccount", json!(OWNER)), V),
        case!("1 numeric condition value compares as text", owner(), public_if("StringEquals", "kms:CallerAccount", json!(111_122_223_333u64)), V),
        case!("1 boolean condition value compares as text", owner(), public_if("Bool", "aws:PrincipalIsAWSService", json!(true)), V),
        case!("1 missing Effect is malformed", owner(), json!({"Statement": [{"Principal": "*", "Action": "kms:*"}]}), U, "malformed-statement"),
        case!("1 lower-case Effect is malformed", owner(), json!({"Statement": [{"Effect": "allow", "Principal": "*", "Action": "kms:*"}]}), U, "malformed-statement"),
        case!("1 unknown Effect is malformed", owner(), json!({"Statement": [root(), {"Effect": "Permit", "Principal": "*", "Action": "kms:*"}]}), U),
        case!("1 Statement that is a string", owner(), json!({"Statement": "Allow everyone"}), U, "invalid-statement-list"),
        case!("1 Statement that is a number", owner(), json!({"Statement": 7}), U),
        case!("1 Statement that is null", owner(), json!({"Statement": null}), U),
        case!("1 document that is a list", owner(), json!([root()]), U, "policy-not-object"),
        case!("1 document that is a string of JSON", owner(), Value::String("\"{\\\"Statement\\\": []}\"".into()), U, "policy-not-object"),
        case!("1 document that is not JSON", owner(), Value::String("{\"Statement\": [".into()), U, "invalid-json"),
        case!("1 non-object statement beside private ones", owner(), json!({"Statement": [root(), "oops"]}), U, "malformed-statement"),
        case!("1 non-object statement beside a public one", owner(), json!({"Statement": [public_all(), 42]}), P, "open-principal"),
        case!("1 both Principal and NotPrincipal", owner(), json!({"Statement": [root(), {"Effect": "Allow", "Principal": "*", "NotPrincipal": {"AWS": arn(OWNER, "root")}, "Action": "kms:*"}]}), U),
        case!("1 both Action and NotAction", owner(), json!({"Statement": [root(), {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "NotAction": "s3:*"}]}), U),
        case!("1 unknown principal type", owner(), doc(vec![allow(json!({"*": "x"}), json!("kms:*"))]), U),
        case!("1 principal type names are case-insensitive", owner(), doc(vec![allow(json!({"aws": "*"}), json!("kms:*"))]), P),
        case!("1 numeric principal is malformed", owner(), doc(vec![allow(json!(5), json!("kms:*"))]), U),
        case!("1 Condition that is a string is malformed", owner(), doc(vec![allow_if(json!("*"), json!("kms:*"), json!("none"))]), U),
        case!("1 Action that is a number is malformed", owner(), doc(vec![allow(json!("*"), json!(1))]), U),
        case!("1 malformed statement beside a cross-account one", owner(), json!({"Statement": [allow(json!(OTHER), json!("kms:Decrypt")), {"Effect": "Maybe"}]}), U),

        // §2 open principals
        case!("2 Principal \"*\"", owner(), doc(vec![public_all()]), P),
        case!("2 AWS \"*\"", owner(), doc(vec![allow(json!({"AWS": "*"}), json!("kms:Encrypt"))]), P),
        case!("2 AWS list containing \"*\"", owner(), doc(vec![allow(json!({"AWS": [arn(OWNER, "root"), "*"]}), json!("kms:*"))]), P),
        case!("2 CanonicalUser \"*\"", owner(), doc(vec![allow(json!({"CanonicalUser": "*"}), json!("kms:*"))]), P),
        case!("2 Federated \"*\"", owner(), doc(vec![allow(json!({"Federated": "*"}), json!("kms:*"))]), P),
        case!("2 Service \"*\"", owner(), doc(vec![allow(json!({"Service": "*"}), json!("kms:*"))]), P),
        case!("2 wildcard account root", owner(), doc(vec![allow(json!({"AWS": "arn:aws:iam::*:root"}), json!("kms:*"))]), P),
        case!("2 wildcard account role", owner(), doc(vec![allow(json!({"AWS": "arn:aws:iam::*:role/x"}), json!("kms:*"))]), P),
        case!("2 ? in the account field", owner(), doc(vec![allow(json!({"AWS": "arn:aws:iam::11112222333?:root"}), json!("kms:*"))]), P),
        case!("2 Allow with NotPrincipal", owner(), doc(vec![json!({"Effect": "Allow", "NotPrincipal": {"AWS": arn(OWNER, "root")}, "Action": "kms:*"})]), P),
        case!("2 Allow with empty NotPrincipal", owner(), doc(vec![json!({"Effect": "Allow", "NotPrincipal": {}, "Action": "kms:*"})]), P),
        case!("2 principal list [\"*\"]", owner(), doc(vec![allow(json!(["*"]), json!("kms:*"))]), P),
        case!("2 owner root is not open", owner(), doc(vec![]), V, "trusted-principal"),
        case!("2 named service principal", owner(), doc(vec![allow(json!({"Service": "logs.amazonaws.com"}), json!("kms:*"))]), V),
        case!("2 other account root is cross-account", owner(), doc(vec![allow(json!({"AWS": arn(OTHER, "root")}), json!("kms:Decrypt"))]), X, "cross-account-principal"),
        case!("2 bare other account id is cross-account", owner(), doc(vec![allow(json!(OTHER), json!("kms:Decrypt"))]), X),
        case!("2 bare owner account id is private", owner(), doc(vec![allow(json!(OWNER), json!("kms:Decrypt"))]), V),
        case!("2 trusted account is private", with_account(OTHER), doc(vec![allow(json!({"AWS": arn(OTHER, "role/app")}), json!("kms:Decrypt"))]), V),
        case!("2 principal list without * is AWS principals", owner(), doc(vec![allow(json!([arn(OWNER, "root"), arn(OTHER, "root")]), json!("kms:*"))]), X),

        // §3 actions
        case!("3 Action *", owner(), doc(vec![allow(json!("*"), json!("*"))]), P),
        case!("3 Action kms:*", owner(), doc(vec![allow(json!("*"), json!("kms:*"))]), P),
        case!("3 read-only kms:DescribeKey", owner(), doc(vec![allow(json!("*"), json!("kms:DescribeKey"))]), P),
        case!("3 pattern kms:Get*", owner(), doc(vec![allow(json!("*"), json!("kms:Get*"))]), P),
        case!("3 pattern *:Decrypt reaches kms", owner(), doc(vec![allow(json!("*"), json!("*:Decrypt"))]), P),
        case!("3 only s3 actions", owner(), doc(vec![allow(json!("*"), json!("s3:GetObject"))]), V, "trusted-principal"),
        case!("3 only non-kms patterns", owner(), doc(vec![allow(json!("*"), json!(["s3:*", "iam:Get*"]))]), V),
        case!("3 NotAction s3:* grants kms", owner(), doc(vec![json!({"Effect": "Allow", "Principal": "*", "NotAction": "s3:*"})]), P),
        case!("3 NotAction kms:Decrypt still grants other kms", owner(), doc(vec![json!({"Effect": "Allow", "Principal": "*", "NotAction": ["kms:Decrypt"]})]), P),
        case!("3 NotAction kms:* grants nothing on kms", owner(), doc(vec![json!({"Effect": "Allow", "Principal": "*", "NotAction": "kms:*"})]), V),
        case!("3 NotAction * grants nothing", owner(), doc(vec![json!({"Effect": "Allow", "Principal": "*", "NotAction": "*"})]), V),
        case!("3 empty NotAction grants everything", owner(), doc(vec![json!({"Effect": "Allow", "Principal": "*", "NotAction": []})]), P),
        case!("3 empty Action grants nothing", owner(), doc(vec![allow(json!("*"), json!([]))]), V),

        // §4(a) operators
        case!("4a StringEquals kms:CallerAccount owner", owner(), public_if("StringEquals", "kms:CallerAccount", json!(OWNER)), V, "confined-inside"),
        case!("4a StringEqualsIgnoreCase", owner(), public_if("StringEqualsIgnoreCase", "aws:PrincipalAccount", json!(OWNER)), V),
        case!("4a StringLike principal ARN", owner(), public_if("StringLike", "aws:PrincipalArn", json!(arn(OWNER, "role/*"))), V),
        case!("4a ArnEquals principal ARN", owner(), public_if("ArnEquals", "aws:PrincipalArn", json!(arn(OWNER, "role/app"))), V),
        case!("4a ArnLike principal ARN", owner(), public_if("ArnLike", "aws:PrincipalArn", json!(arn(OWNER, "role/app-*"))), V),
        case!("4a ForAnyValue:StringEquals org", with_org(), public_if("ForAnyValue:StringEquals", "aws:PrincipalOrgID", json!(ORG)), V),
        case!("4a operator names are case-insensitive", owner(), public_if("stringequals", "kms:CallerAccount", json!(OWNER)), V),
        case!("4a StringNotEquals does not confine", owner(), public_if("StringNotEquals", "kms:CallerAccount", json!(OTHER)), P, "open-principal"),
        case!("4a ArnNotLike does not confine", owner(), public_if("ArnNotLike", "aws:PrincipalArn", json!(arn(OTHER, "*"))), P),
        case!("4a NotIpAddress does not confine", owner(), public_if("NotIpAddress", "aws:SourceIp", json!("8.8.8.0/24")), P),
        case!("4a Null does not confine", owner(), public_if("Null", "aws:PrincipalOrgID", json!("false")), P),
        case!("4a Bool SecureTransport does not confine", owner(), public_if("Bool", "aws:SecureTransport", json!("true")), P),
        case!("4a numeric operator does not confine", owner(), public_if("NumericLessThan", "aws:MultiFactorAuthAge", json!("3600")), P),
        case!("4a date operator does not confine", owner(), public_if("DateLessThan", "aws:CurrentTime", json!("2030-01-01T00:00:00Z")), P),
        case!("4a ForAllValues does not confine", with_org(), public_if("ForAllValues:StringEquals", "aws:PrincipalOrgID", json!(ORG)), P),
        case!("4a unknown operator does not confine", owner(), public_if("StringEqualz", "kms:CallerAccount", json!(OWNER)), P),
        case!("4a IfExists on kms:CallerAccount confines", owner(), public_if("StringEqualsIfExists", "kms:CallerAccount", json!(OWNER)), V),
        case!("4a IfExists on aws:PrincipalAccount confines", owner(), public_if("StringEqualsIfExists", "aws:PrincipalAccount", json!(OWNER)), V),
        case!("4a IfExists on aws:PrincipalArn confines", owner(), public_if("ArnLikeIfExists", "aws:PrincipalArn", json!(arn(OWNER, "role/*"))), V),
        case!("4a IfExists on aws:userid confines", offline(), public_if("StringLikeIfExists", "aws:userid", json!(format!("{UID}:*"))), V),
        case!("4a IfExists on aws:SourceAccount does not", owner(), public_if("StringEqualsIfExists", "aws:SourceAccount", json!(OWNER)), P),
        case!("4a IfExists on aws:PrincipalOrgID does not", with_org(), public_if("StringEqualsIfExists", "aws:PrincipalOrgID", json!(ORG)), P),
        case!("4a IfExists on aws:SourceIp does not", owner(), public_if("IpAddressIfExists", "aws:SourceIp", json!("10.0.0.0/8")), P),
        case!("4a IfExists on aws:SourceVpce does not", owner(), public_if("StringEqualsIfExists", "aws:SourceVpce", json!("vpce-0a1b2c3d")), P),

        // §4(b) keys
        case!("4b aws:PrincipalAccount other", owner(), public_if("StringEquals", "aws:PrincipalAccount", json!(OTHER)), X, "confined-outside"),
        case!("4b aws:PrincipalAccount wildcard", owner(), public_if("StringLike", "aws:PrincipalAccount", json!("*")), P),
        case!("4b aws:PrincipalAccount partial wildcard", owner(), public_if("StringLike", "aws:PrincipalAccount", json!("1111*")), P),
        case!("4b aws:PrincipalAccount not an id", owner(), public_if("StringEquals", "aws:PrincipalAccount", json!("prod")), P),
        case!("4b kms:CallerAccount other", owner(), public_if("StringEquals", "kms:CallerAccount", json!(OTHER)), X),
        case!("4b kms:CallerAccount wildcard", owner(), public_if("StringEquals", "kms:CallerAccount", json!("*")), P),
        case!("4b aws:SourceAccount owner", owner(), public_if("StringEquals", "aws:SourceAccount", json!(OWNER)), V),
        case!("4b aws:SourceOwner other", owner(), public_if("StringEquals", "aws:SourceOwner", json!(OTHER)), X),
        case!("4b aws:PrincipalArn other account", owner(), public_if("ArnLike", "aws:PrincipalArn", json!(arn(OTHER, "role/*"))), X),
        case!("4b aws:PrincipalArn wildcard account", owner(), public_if("ArnLike", "aws:PrincipalArn", json!("arn:aws:iam::*:role/admin")), P),
        case!("4b aws:PrincipalArn *", owner(), public_if("ArnLike", "aws:PrincipalArn", json!("*")), P),
        case!("4b aws:PrincipalArn not an ARN", owner(), public_if("StringEquals", "aws:PrincipalArn", json!("admin")), P),
        case!("4b aws:SourceArn in owner account", owner(), public_if("ArnLike", "aws:SourceArn", json!(format!("arn:aws:cloudtrail:us-east-1:{OWNER}:trail/*"))), V),
        case!("4b aws:SourceArn S3 bucket: owner unknown", owner(), public_if("ArnEquals", "aws:SourceArn", json!("arn:aws:s3:::my-bucket")), X),
        case!("4b aws:SourceArn S3 bucket offline", offline(), public_if("ArnEquals", "aws:SourceArn", json!("arn:aws:s3:::my-bucket")), V),
        case!("4b aws:SourceArn S3 wildcard bucket", owner(), public_if("ArnLike", "aws:SourceArn", json!("arn:aws:s3:::my-bucket*")), P),
        case!("4b aws:SourceArn S3 any", owner(), public_if("ArnLike", "aws:SourceArn", json!("arn:aws:s3:::*")), P),
        case!("4b aws:PrincipalOrgID trusted", with_org(), public_if("StringEquals", "aws:PrincipalOrgID", json!(ORG)), V),
        case!("4b aws:PrincipalOrgID untrusted", owner(), public_if("StringEquals", "aws:PrincipalOrgID", json!(OTHER_ORG)), X),
        case!("4b aws:PrincipalOrgID wildcard", owner(), public_if("StringLike", "aws:PrincipalOrgID", json!("o-*")), P),
        case!("4b aws:PrincipalOrgID not an org", owner(), public_if("StringEquals", "aws:PrincipalOrgID", json!("myorg")), P),
        case!("4b aws:PrincipalOrgID offline", offline(), public_if("StringEquals", "aws:PrincipalOrgID", json!(OTHER_ORG)), V),
        case!("4b aws:SourceOrgID trusted", with_org(), public_if("StringEquals", "aws:SourceOrgID", json!(ORG)), V),
        case!("4b aws:PrincipalOrgPaths trusted", with_org(), public_if("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", json!(format!("{ORG}/*"))), V),
        case!("4b aws:PrincipalOrgPaths untrusted", owner(), public_if("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", json!(format!("{OTHER_ORG}/r-ab12/*"))), X),
        case!("4b aws:PrincipalOrgPaths wildcard org", owner(), public_if("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", json!("o-*/r-ab12/*")), P),
        case!("4b aws:SourceOrgPaths *", owner(), public_if("ForAnyValue:StringLike", "aws:SourceOrgPaths", json!("*")), P),
        case!("4b aws:userid unique id: owner unknown", owner(), public_if("StringLike", "aws:userid", json!(format!("{UID}:*"))), X),
        case!("4b aws:userid *", owner(), public_if("StringLike", "aws:userid", json!("*")), P),
        case!("4b aws:userid *:name", owner(), public_if("StringLike", "aws:userid", json!("*:alice")), P),
        case!("4b aws:userid AROA*", owner(), public_if("StringLike", "aws:userid", json!("AROA*")), P),
        case!("4b aws:userid owner root", owner(), public_if("StringEquals", "aws:userid", json!(OWNER)), V),
        case!("4b aws:userid other root", owner(), public_if("StringEquals", "aws:userid", json!(OTHER)), X),
        case!("4b aws:SourceVpc", owner(), public_if("StringEquals", "aws:SourceVpc", json!("vpc-1a2b3c4d")), V),
        case!("4b aws:SourceVpc wildcard", owner(), public_if("StringLike", "aws:SourceVpc", json!("vpc-*")), P),
        case!("4b aws:SourceVpce", owner(), public_if("StringEquals", "aws:SourceVpce", json!("vpce-0a1b2c3d4e")), V),
        case!("4b aws:SourceVpce not a vpce id", owner(), public_if("StringEquals", "aws:SourceVpce", json!("vpc-1a2b3c4d")), P),
        case!("4b aws:SourceIp private", owner(), public_if("IpAddress", "aws:SourceIp", json!("10.0.0.0/8")), V),
        case!("4b aws:SourceIp 0.0.0.0/0", owner(), public_if("IpAddress", "aws:SourceIp", json!("0.0.0.0/0")), P),
        case!("4b aws:SourceIp ::/0", owner(), public_if("IpAddress", "aws:SourceIp", json!("::/0")), P),
        case!("4b aws:SourceIp public host", owner(), public_if("IpAddress", "aws:SourceIp", json!("8.8.8.8/32")), P),
        case!("4b aws:SourceIp inside trusted range", with_ip("52.94.0.0/16"), public_if("IpAddress", "aws:SourceIp", json!("52.94.1.0/24")), V),
        case!("4b aws:SourceIp outside trusted range", with_ip("52.94.0.0/16"), public_if("IpAddress", "aws:SourceIp", json!("52.0.0.0/8")), P),
        case!("4b aws:SourceIp not an address", owner(), public_if("IpAddress", "aws:SourceIp", json!("office")), P),
        case!("4b aws:SourceIp one public value among private", owner(), public_if("IpAddress", "aws:SourceIp", json!(["10.0.0.0/8", "8.8.8.8"])), P),
        case!("4b aws:SourceIp under StringEquals", owner(), public_if("StringEquals", "aws:SourceIp", json!("10.0.0.1")), P),
        case!("4b account key under ArnEquals", owner(), public_if("ArnEquals", "kms:CallerAccount", json!(OWNER)), P),
        case!("4b aws:PrincipalIsAWSService true", owner(), public_if("Bool", "aws:PrincipalIsAWSService", json!("true")), V),
        case!("4b aws:PrincipalIsAWSService True", owner(), public_if("Bool", "aws:PrincipalIsAWSService", json!("True")), V),
        case!("4b aws:PrincipalIsAWSService BoolIfExists", owner(), public_if("BoolIfExists", "aws:PrincipalIsAWSService", json!("true")), V),
        case!("4b aws:PrincipalIsAWSService false", owner(), public_if("Bool", "aws:PrincipalIsAWSService", json!("false")), P),
        case!("4b aws:PrincipalIsAWSService ForAnyValue:Bool", owner(), public_if("ForAnyValue:Bool", "aws:PrincipalIsAWSService", json!("true")), P),
        case!("4b aws:PrincipalIsAWSService StringEquals", owner(), public_if("StringEquals", "aws:PrincipalIsAWSService", json!("true")), P),
        case!("4b kms:ViaService alone", owner(), public_if("StringEquals", "kms:ViaService", json!("s3.us-east-1.amazonaws.com")), P),
        case!("4b aws:CalledVia", owner(), public_if("ForAnyValue:StringEquals", "aws:CalledVia", json!("cloudformation.amazonaws.com")), P),
        case!("4b aws:username", owner(), public_if("StringEquals", "aws:username", json!("alice")), P),
        case!("4b aws:ResourceAccount", owner(), public_if("StringEquals", "aws:ResourceAccount", json!(OWNER)), P),
        case!("4b aws:ResourceOrgID", with_org(), public_if("StringEquals", "aws:ResourceOrgID", json!(ORG)), P),
        case!("4b aws:PrincipalTag", owner(), public_if("StringEquals", "aws:PrincipalTag/team", json!("sec")), P),
        case!("4b aws:SecureTransport", owner(), public_if("Bool", "aws:SecureTransport", json!(true)), P),
        case!("4b kms:EncryptionContext", owner(), public_if("StringEquals", "kms:EncryptionContext:app", json!("x")), P),
        case!("4b kms:GrantIsForAWSResource", owner(), public_if("Bool", "kms:GrantIsForAWSResource", json!("true")), P),
        case!("4b an unknown key", owner(), public_if("StringEquals", "aws:Foo", json!(OWNER)), P),

        // §4(c) literals and variables
        case!("4c ${aws:ResourceAccount} account value", owner(), public_if("StringEquals", "kms:CallerAccount", json!("${aws:ResourceAccount}")), V),
        case!("4c variable name case-insensitive", owner(), public_if("StringEquals", "aws:PrincipalAccount", json!("${AWS:resourceaccount}")), V),
        case!("4c other variable does not confine", owner(), public_if("StringEquals", "aws:PrincipalAccount", json!("${aws:PrincipalAccount}")), P),
        case!("4c ${aws:ResourceOrgID} org value", owner(), public_if("StringEquals", "aws:PrincipalOrgID", json!("${aws:ResourceOrgID}")), V),
        case!("4c ${aws:ResourceOrgID} as org path segment", owner(), public_if("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", json!("${aws:ResourceOrgID}/*")), V),
        case!("4c ${aws:ResourceAccount} in ARN account", owner(), public_if("ArnLike", "aws:PrincipalArn", json!("arn:aws:iam::${aws:ResourceAccount}:role/*")), V),
        case!("4c variable outside the account field", owner(), public_if("ArnLike", "aws:PrincipalArn", json!(arn(OWNER, "user/${aws:username}"))), V),
        case!("4c variable in the account field", owner(), public_if("ArnLike", "aws:PrincipalArn", json!("arn:aws:iam::${aws:PrincipalAccount}:role/x")), P),
        case!("4c every value must confine", owner(), public_if("StringEquals", "kms:CallerAccount", json!([OWNER, "*"])), P),
        case!("4c owner and outsider values", owner(), public_if("StringEquals", "kms:CallerAccount", json!([OWNER, OTHER])), X),
        case!("4c one confining entry suffices", owner(), doc(vec![allow_if(json!("*"), json!("kms:*"), json!({"StringEquals": {"kms:CallerAccount": OWNER, "kms:ViaService": "ec2.us-east-1.amazonaws.com"}}))]), V),
        case!("4c empty value list", owner(), public_if("StringEquals", "kms:CallerAccount", json!([])), P),
        case!("4c null value", owner(), public_if("StringEquals", "kms:CallerAccount", Value::Null), P),
        case!("4c object value", owner(), public_if("StringEquals", "kms:CallerAccount", json!({"a": OWNER})), P),
        case!("4c operator value null", owner(), doc(vec![allow_if(json!("*"), json!("kms:*"), json!({"StringEquals": null}))]), P),
        case!("4c Condition null is no condition", owner(), doc(vec![allow_if(json!("*"), json!("kms:*"), Value::Null)]), P),
        case!("4c Condition {} is no condition", owner(), doc(vec![allow_if(json!("*"), json!("kms:*"), json!({}))]), P),

        // §5 Deny
        case!("5 unconditional Deny * kms:*", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), None)]), V, "cancelled-by-deny"),
        case!("5 Deny outside owner (PrincipalAccount)", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"StringNotEquals": {"aws:PrincipalAccount": OWNER}})))]), V),
        case!("5 Deny outside owner (CallerAccount)", owner(), doc(vec![public_all(), deny(json!("*"), json!("*"), Some(json!({"StringNotEquals": {"kms:CallerAccount": OWNER}})))]), V),
        case!("5 Deny outside trusted org", with_org(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"StringNotEquals": {"aws:PrincipalOrgID": ORG}})))]), V),
        case!("5 Deny outside untrusted org", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"StringNotEquals": {"aws:PrincipalOrgID": OTHER_ORG}})))]), P),
        case!("5 Deny outside ${aws:ResourceOrgID}", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"StringNotEquals": {"aws:PrincipalOrgID": "${aws:ResourceOrgID}"}})))]), V),
        case!("5 Deny outside ${aws:ResourceAccount}", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"StringNotEquals": {"aws:PrincipalAccount": "${aws:ResourceAccount}"}})))]), V),
        case!("5 Deny ArnNotLike owner ARNs", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"ArnNotLike": {"aws:PrincipalArn": arn(OWNER, "*")}})))]), V),
        case!("5 Deny StringNotEqualsIfExists", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"StringNotEqualsIfExists": {"aws:PrincipalAccount": OWNER}})))]), V),
        case!("5 Deny exempting owner and trusted account", with_account(OTHER), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"StringNotEquals": {"aws:PrincipalAccount": [OWNER, OTHER]}})))]), V),
        case!("5 Deny exempting an outsider", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"StringNotEquals": {"aws:PrincipalAccount": [OWNER, OTHER]}})))]), P),
        case!("5 Deny with a positive operator", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"StringEquals": {"aws:PrincipalAccount": OTHER}})))]), P),
        case!("5 Deny on SecureTransport", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"Bool": {"aws:SecureTransport": "false"}})))]), P),
        case!("5 Deny on a key outside the four", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"StringNotEquals": {"aws:SourceAccount": OWNER}})))]), P),
        case!("5 Deny with a wildcard exemption", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"StringNotLike": {"aws:PrincipalAccount": "1111*"}})))]), P),
        case!("5 Deny with ForAnyValue", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"ForAnyValue:StringNotEquals": {"aws:PrincipalAccount": OWNER}})))]), P),
        case!("5 Deny with one certain and one uncertain entry", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"StringNotEquals": {"aws:PrincipalAccount": OWNER}, "Bool": {"aws:SecureTransport": "false"}})))]), P),
        case!("5 Deny of Decrypt only, Allow of kms:*", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:Decrypt"), None)]), P),
        case!("5 Deny of Decrypt, Allow of Decrypt", owner(), doc(vec![allow(json!("*"), json!("kms:Decrypt")), deny(json!("*"), json!("kms:Decrypt"), None)]), V),
        case!("5 Deny pattern covers Allow action", owner(), doc(vec![allow(json!("*"), json!("kms:GetPublicKey")), deny(json!("*"), json!("kms:Get*"), None)]), V),
        case!("5 Deny with NotAction never cancels", owner(), doc(vec![public_all(), json!({"Effect": "Deny", "Principal": "*", "NotAction": "s3:*"})]), P),
        case!("5 Deny of a specific insider", owner(), doc(vec![public_all(), deny(json!({"AWS": arn(OWNER, "root")}), json!("kms:*"), None)]), P),
        case!("5 Deny Service * does not reach every caller", owner(), doc(vec![public_all(), deny(json!({"Service": "*"}), json!("kms:*"), None)]), P),
        case!("5 Deny with Condition null", owner(), doc(vec![public_all(), json!({"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Condition": null})]), V),
        case!("5 Deny with Action *", owner(), doc(vec![public_all(), deny(json!({"AWS": "*"}), json!("*"), None)]), V),

        // §6 / §7 edge cases
        case!("7.1 conditions do not change a specific outsider", owner(), doc(vec![allow_if(json!({"AWS": arn(OTHER, "root")}), json!("kms:Decrypt"), json!({"StringEquals": {"kms:CallerAccount": OWNER}}))]), X),
        case!("7.1 conditions do not matter on insiders", owner(), doc(vec![allow_if(json!({"AWS": arn(OWNER, "role/app")}), json!("kms:Decrypt"), json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}))]), V),
        case!("7.2 Deny cancels cross-account access", owner(), doc(vec![allow(json!({"AWS": arn(OTHER, "root")}), json!("kms:Decrypt")), deny(json!("*"), json!("kms:*"), Some(json!({"StringNotEquals": {"aws:PrincipalAccount": OWNER}})))]), V, "cancelled-by-deny"),
        case!("7.2 Deny cancels confined-outside access", owner(), doc(vec![allow_if(json!("*"), json!("kms:Decrypt"), json!({"StringEquals": {"kms:CallerAccount": OTHER}})), deny(json!("*"), json!("kms:*"), None)]), V),
        case!("7.2 several Denies together", owner(), doc(vec![allow(json!("*"), json!(["kms:Decrypt", "kms:Encrypt"])), deny(json!("*"), json!("kms:Decrypt"), None), deny(json!("*"), json!("kms:Encrypt"), Some(json!({"StringNotEquals": {"kms:CallerAccount": OWNER}})))]), V),
        case!("7.2 several Denies, one uncertain", owner(), doc(vec![allow(json!("*"), json!(["kms:Decrypt", "kms:Encrypt"])), deny(json!("*"), json!("kms:Decrypt"), None), deny(json!("*"), json!("kms:Encrypt"), Some(json!({"StringEquals": {"kms:CallerAccount": OTHER}})))]), P),
        case!("7.2 Deny NotPrincipal of insiders", owner(), doc(vec![public_all(), json!({"Effect": "Deny", "NotPrincipal": {"AWS": arn(OWNER, "root")}, "Action": "kms:*"})]), V),
        case!("7.2 Deny NotPrincipal exempting an outsider", owner(), doc(vec![public_all(), json!({"Effect": "Deny", "NotPrincipal": {"AWS": arn(OTHER, "root")}, "Action": "kms:*"})]), P),
        case!("7.2 a Deny never makes a key cross-account", owner(), doc(vec![deny(json!({"AWS": arn(OTHER, "root")}), json!("kms:*"), None)]), V),
        case!("7.3 specific CanonicalUser", owner(), doc(vec![allow(json!({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}), json!("kms:Decrypt"))]), X),
        case!("7.3 Federated without account", owner(), doc(vec![allow(json!({"Federated": "accounts.google.com"}), json!("kms:Decrypt"))]), X),
        case!("7.3 Federated without account offline", offline(), doc(vec![allow(json!({"Federated": "accounts.google.com"}), json!("kms:Decrypt"))]), V),
        case!("7.4 inside entry wins over outside entry", with_org(), doc(vec![allow_if(json!("*"), json!("kms:*"), json!({"StringEquals": {"kms:CallerAccount": OTHER, "aws:PrincipalOrgID": ORG}}))]), V),
        case!("7.4 owner account entry with outside source", owner(), doc(vec![allow_if(json!("*"), json!("kms:*"), json!({"StringEquals": {"aws:PrincipalAccount": OWNER, "aws:SourceAccount": OTHER}}))]), V),
        case!("7.5 malformed beside public is public", owner(), json!({"Statement": [public_all(), {"Effect": "Allow", "Principal": {"Bogus": "x"}, "Action": "kms:*"}]}), P),
        case!("7.5 malformed beside private is unknown", owner(), json!({"Statement": [root(), {"Effect": "Allow", "Principal": {"Bogus": "x"}, "Action": "kms:*"}]}), U),
        case!("7.6 no principal grants nothing", owner(), doc(vec![json!({"Effect": "Allow", "Action": "kms:*"})]), V),
        case!("7.6 empty string principal", owner(), doc(vec![allow(json!(""), json!("kms:*"))]), V),
        case!("7.6 empty object principal", owner(), doc(vec![allow(json!({}), json!("kms:*"))]), V),
        case!("7.6 empty list principal", owner(), doc(vec![allow(json!([]), json!("kms:*"))]), V),
        case!("7.6 no action grants nothing", owner(), doc(vec![json!({"Effect": "Allow", "Principal": "*"})]), V),
        case!("7.6 no Statement", owner(), json!({"Version": "2012-10-17"}), V, "no-statements"),
        case!("7.6 empty Statement list", owner(), json!({"Statement": []}), V),
        case!("7.7 offline: outside account is inside", offline(), doc(vec![allow(json!({"AWS": arn(OTHER, "root")}), json!("kms:*"))]), V),
        case!("7.7 offline: outside condition is inside", offline(), public_if("StringEquals", "kms:CallerAccount", json!(OTHER)), V),
        case!("7.7 offline: open and unconfined is public", offline(), doc(vec![public_all()]), P),
        case!("7.7 offline: Deny exempting any literal account", offline(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"StringNotEquals": {"aws:PrincipalAccount": OTHER}})))]), V),
        case!("7.8 ${aws:ResourceAccount} as principal account", owner(), doc(vec![allow(json!({"AWS": "arn:aws:iam::${aws:ResourceAccount}:root"}), json!("kms:*"))]), V),
        case!("7.12 unique-id principal reaches nobody", owner(), doc(vec![allow(json!({"AWS": UID}), json!("kms:*"))]), V),
        case!("7.13 * beside specific, confined", owner(), doc(vec![allow_if(json!({"AWS": ["*", arn(OTHER, "root")]}), json!("kms:*"), json!({"StringEquals": {"kms:CallerAccount": OWNER}}))]), V),
        case!("7.13 * beside specific, unconfined", owner(), doc(vec![allow(json!({"AWS": ["*", arn(OTHER, "root")]}), json!("kms:*"))]), P),

        // §8 edge cases
        case!("8.14 vpce and outside account", owner(), doc(vec![allow_if(json!("*"), json!("kms:*"), json!({"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d", "kms:CallerAccount": OTHER}}))]), X),
        case!("8.14 private IP and untrusted org", owner(), doc(vec![allow_if(json!("*"), json!("kms:*"), json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "StringEquals": {"aws:PrincipalOrgID": OTHER_ORG}}))]), X),
        case!("8.14 service flag and outside account", owner(), doc(vec![allow_if(json!("*"), json!("kms:*"), json!({"Bool": {"aws:PrincipalIsAWSService": "true"}, "StringEquals": {"aws:SourceAccount": OTHER}}))]), X),
        case!("8.14 vpce and owner account", owner(), doc(vec![allow_if(json!("*"), json!("kms:*"), json!({"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d", "kms:CallerAccount": OWNER}}))]), V),
        case!("8.15 Deny of the same outside root", owner(), doc(vec![allow(json!({"AWS": arn(OTHER, "root")}), json!("kms:Decrypt")), deny(json!({"AWS": arn(OTHER, "root")}), json!("kms:*"), None)]), V),
        case!("8.15 Deny of the same account as a bare id", owner(), doc(vec![allow(json!(OTHER), json!("kms:Decrypt")), deny(json!({"AWS": arn(OTHER, "root")}), json!("kms:*"), None)]), V),
        case!("8.15 Deny of a different outside principal", owner(), doc(vec![allow(json!({"AWS": arn(OTHER, "role/app")}), json!("kms:Decrypt")), deny(json!({"AWS": arn(OTHER, "role/other")}), json!("kms:*"), None)]), X),
        case!("8.15 principal ARNs compare exactly", owner(), doc(vec![allow(json!({"AWS": arn(OTHER, "role/App")}), json!("kms:Decrypt")), deny(json!({"AWS": arn(OTHER, "role/app")}), json!("kms:*"), None)]), X),
        case!("8.16 SAML provider in another account", owner(), doc(vec![allow(json!({"Federated": format!("arn:aws:iam::{OTHER}:saml-provider/idp")}), json!("kms:Decrypt"))]), X),
        case!("8.16 SAML provider in the owner account", owner(), doc(vec![allow(json!({"Federated": format!("arn:aws:iam::{OWNER}:saml-provider/idp")}), json!("kms:Decrypt"))]), V),
        case!("8.17 IPv4-mapped public address", owner(), public_if("IpAddress", "aws:SourceIp", json!("::ffff:8.8.8.8")), P),
        case!("8.17 IPv4-mapped private address", owner(), public_if("IpAddress", "aws:SourceIp", json!("::ffff:10.1.2.3")), V),
        case!("8.17 documentation 3fff::/20", owner(), public_if("IpAddress", "aws:SourceIp", json!("3fff::/20")), V),
        case!("8.17 benchmarking 2001:2::/48", owner(), public_if("IpAddress", "aws:SourceIp", json!("2001:2::/48")), V),
        case!("8.17 union of trusted ranges", Zone { ips: vec!["52.94.0.0/17", "52.94.128.0/17"], ..owner() }, public_if("IpAddress", "aws:SourceIp", json!("52.94.0.0/16")), V),
        case!("8.18 non-kms statement to outsider is ignored", owner(), doc(vec![allow(json!({"AWS": arn(OTHER, "root")}), json!("s3:GetObject"))]), V, "trusted-principal"),
        case!("8.18 no-action statement to outsider is ignored", owner(), doc(vec![json!({"Effect": "Allow", "Principal": {"AWS": arn(OTHER, "root")}})]), V),
        case!("8.19 Principal null", owner(), doc(vec![allow(Value::Null, json!("kms:*"))]), V),
        case!("8.19 AWS []", owner(), doc(vec![allow(json!({"AWS": []}), json!("kms:*"))]), V),
        case!("8.20 org paths under ArnLike", with_org(), public_if("ArnLike", "aws:PrincipalOrgPaths", json!(format!("{ORG}/*"))), P),
        case!("8.20 policy variable in a principal", owner(), doc(vec![allow(json!({"AWS": "arn:aws:iam::444455556666:user/${aws:username}"}), json!("kms:*"))]), V, "unreachable-principal"),
        case!("8.20 Deny ArnNotEquals on an account key", owner(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"ArnNotEquals": {"kms:CallerAccount": OWNER}})))]), P),
        case!("8.20 Deny on org paths is not one of the four", with_org(), doc(vec![public_all(), deny(json!("*"), json!("kms:*"), Some(json!({"StringNotLike": {"aws:PrincipalOrgPaths": format!("{ORG}/*")}})))]), P),
        case!("8.21 Deny listing every action by name", owner(), doc(vec![public_all(), deny(json!("*"), json!(all_kms_actions()), None)]), P),
        case!("8.21 Deny kms:* covers Allow *", owner(), doc(vec![allow(json!("*"), json!("*")), deny(json!("*"), json!("kms:*"), None)]), V),
        case!("8.22 Deny NotPrincipal with a service", owner(), doc(vec![public_all(), json!({"Effect": "Deny", "NotPrincipal": {"AWS": arn(OWNER, "root"), "Service": "logs.amazonaws.com"}, "Action": "kms:*"})]), V),

        // Realistic policies
        case!("real: default key policy", owner(), default_policy(), V),
        case!("real: console policy with admins, users and grants", owner(), console_policy(), V),
        case!("real: access through AWS services", owner(), via_services(OWNER), V, "confined-inside"),
        case!("real: access through AWS services of another account", owner(), via_services(OTHER), X, "confined-outside"),
        case!("real: organization-wide use", with_org(), org_wide(), V),
        case!("real: organization-wide use of an untrusted org", owner(), org_wide(), X),
        case!("real: deny-outside-org guardrail", with_org(), json!({"Statement": [root(), public_all(), {"Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}}]}), V),
        case!("real: seed guide secure policy", owner(), seed_secure_policy(), V),
        case!("real: CloudTrail key policy", owner(), cloudtrail_policy(), V),
        case!("real: CloudWatch Logs statement", owner(), doc(vec![json!({"Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"}, "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], "Resource": "*", "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": format!("arn:aws:logs:us-east-1:{OWNER}:*")}}})]), V),
        case!("real: wide-open key", owner(), json!({"Version": "2012-10-17", "Statement": [{"Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]}), P),
        case!("real: ViaService-only public statement", owner(), doc(vec![allow_if(json!({"AWS": "*"}), json!(["kms:Decrypt", "kms:GenerateDataKey*"]), json!({"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}))]), P),
    ]
}

pub fn all_kms_actions() -> Vec<String> {
    [
        "CancelKeyDeletion", "ConnectCustomKeyStore", "CreateAlias", "CreateCustomKeyStore", "CreateGrant", "CreateKey",
        "Decrypt", "DeleteAlias", "DeleteCustomKeyStore", "DeleteImportedKeyMaterial", "DeriveSharedSecret",
        "DescribeCustomKeyStores", "DescribeKey", "DisableKey", "DisableKeyRotation", "DisconnectCustomKeyStore",
        "EnableKey", "EnableKeyRotation", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac", "GenerateRandom",
        "GetKeyPolicy", "GetKeyRotationStatus", "GetParametersForImport", "GetPublicKey", "ImportKeyMaterial",
        "ListAliases", "ListGrants", "ListKeyPolicies", "ListKeyRotations", "ListKeys", "ListResourceTags",
        "ListRetirableGrants", "PutKeyPolicy", "ReEncryptFrom", "ReEncryptTo", "ReplicateKey", "RetireGrant",
        "RevokeGrant", "RotateKeyOnDemand", "ScheduleKeyDeletion", "Sign", "SynchronizeMultiRegionKey",
        "TagResource", "UntagResource", "UpdateAlias", "UpdateCustomKeyStore", "UpdateKeyDescription",
        "UpdatePrimaryRegion", "Verify", "VerifyMac",
    ]
    .iter()
    .map(|a| format!("kms:{a}"))
    .collect()
}

pub fn default_policy() -> Value {
    json!({"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": arn(OWNER, "root")}, "Action": "kms:*", "Resource": "*"}]})
}

pub fn console_policy() -> Value {
    json!({"Version": "2012-10-17", "Id": "key-consolepolicy-3", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": arn(OWNER, "root")}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow access for Key Administrators", "Effect": "Allow", "Principal": {"AWS": arn(OWNER, "role/KeyAdmin")}, "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"], "Resource": "*"},
        {"Sid": "Allow use of the key", "Effect": "Allow", "Principal": {"AWS": [arn(OWNER, "role/App"), arn(OWNER, "user/alice")]}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"},
        {"Sid": "Allow attachment of persistent resources", "Effect": "Allow", "Principal": {"AWS": arn(OWNER, "role/App")}, "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}
    ]})
}

pub fn via_services(caller: &str) -> Value {
    json!({"Version": "2012-10-17", "Id": "auto-ebs-2", "Statement": [
        {"Sid": "Allow access through EBS for all principals in the account that are authorized to use EBS", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": caller, "kms:ViaService": "ec2.us-east-1.amazonaws.com"}}},
        {"Sid": "Allow direct access to key metadata to the account", "Effect": "Allow", "Principal": {"AWS": arn(OWNER, "root")}, "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"], "Resource": "*"}
    ]})
}

pub fn org_wide() -> Value {
    doc(vec![json!({"Sid": "OrgUse", "Effect": "Allow", "Principal": "*", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}})])
}

pub fn seed_secure_policy() -> Value {
    json!({"Version": "2012-10-17", "Id": "secure-key-policy", "Statement": [
        {"Sid": "AllowRootAccountFullAccess", "Effect": "Allow", "Principal": {"AWS": arn(OWNER, "root")}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "AllowSpecificRoleUsage", "Effect": "Allow", "Principal": {"AWS": arn(OWNER, "role/MyApplicationRole")}, "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], "Resource": "*"}
    ]})
}

pub fn cloudtrail_policy() -> Value {
    doc(vec![json!({"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceArn": format!("arn:aws:cloudtrail:us-east-1:{OWNER}:trail/main")}, "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": format!("arn:aws:cloudtrail:*:{OWNER}:trail/*")}}})])
}
