//! The verdict and the reasons attached to it. Reason codes are stable: downstream
//! consumers (OCSF `resources[].data`, ASFF `ProductFields`, CSV) rely on them.

use serde::Serialize;

use super::condition::ConditionNote;

/// The exposure of one key policy (spec "Words").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Anyone can use the key: a FAIL finding.
    Public,
    /// Principals outside the trust zone can use the key: a PASS finding, reported in detail.
    CrossAccount,
    /// Only the trust zone can use the key: a PASS finding.
    Private,
    /// The policy could not be read or parsed: a MANUAL finding.
    Unknown,
}

impl Verdict {
    /// The verdict as written in outputs (`PUBLIC`, `CROSS_ACCOUNT`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Public => "PUBLIC",
            Verdict::CrossAccount => "CROSS_ACCOUNT",
            Verdict::Private => "PRIVATE",
            Verdict::Unknown => "UNKNOWN",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stable, kebab-case code for each kind of reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// The document is not JSON (or not UTF-8).
    InvalidJson,
    /// The document's top-level value is not an object.
    PolicyNotObject,
    /// `Statement` is neither an object nor a list.
    InvalidStatementList,
    /// The document has no statements: it grants nothing.
    NoStatements,
    /// One statement cannot be read (bad Effect, both Principal and NotPrincipal, ...).
    MalformedStatement,
    /// A statement with no principal grants nothing.
    NoPrincipal,
    /// A statement with no action grants nothing.
    NoAction,
    /// A statement whose actions are all outside KMS grants nothing on the key.
    NoKmsAction,
    /// An Allow with an open principal, no confining condition and no cancelling Deny.
    OpenPrincipal,
    /// An open Allow whose conditions confine callers inside the trust zone.
    ConfinedInside,
    /// An open Allow whose conditions confine callers to accounts or orgs outside the zone.
    ConfinedOutside,
    /// Outside access of an Allow that Deny statements take away.
    CancelledByDeny,
    /// An Allow naming specific principals outside the trust zone.
    CrossAccountPrincipal,
    /// An Allow naming only principals inside the trust zone (or service principals).
    TrustedPrincipal,
    /// An Allow whose principals match nobody (deleted principals, policy variables).
    UnreachablePrincipal,
    /// A Deny statement, and what it can cancel.
    DenyStatement,
    /// The input around the policy is unusable (bad trust zone, missing policy in a batch).
    InvalidInput,
}

impl Code {
    /// Every code, in declaration order (for documentation and a snapshot test).
    pub const ALL: [Code; 17] = [
        Code::InvalidJson,
        Code::PolicyNotObject,
        Code::InvalidStatementList,
        Code::NoStatements,
        Code::MalformedStatement,
        Code::NoPrincipal,
        Code::NoAction,
        Code::NoKmsAction,
        Code::OpenPrincipal,
        Code::ConfinedInside,
        Code::ConfinedOutside,
        Code::CancelledByDeny,
        Code::CrossAccountPrincipal,
        Code::TrustedPrincipal,
        Code::UnreachablePrincipal,
        Code::DenyStatement,
        Code::InvalidInput,
    ];

    /// The code as written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidJson => "invalid-json",
            Code::PolicyNotObject => "policy-not-object",
            Code::InvalidStatementList => "invalid-statement-list",
            Code::NoStatements => "no-statements",
            Code::MalformedStatement => "malformed-statement",
            Code::NoPrincipal => "no-principal",
            Code::NoAction => "no-action",
            Code::NoKmsAction => "no-kms-action",
            Code::OpenPrincipal => "open-principal",
            Code::ConfinedInside => "confined-inside",
            Code::ConfinedOutside => "confined-outside",
            Code::CancelledByDeny => "cancelled-by-deny",
            Code::CrossAccountPrincipal => "cross-account-principal",
            Code::TrustedPrincipal => "trusted-principal",
            Code::UnreachablePrincipal => "unreachable-principal",
            Code::DenyStatement => "deny-statement",
            Code::InvalidInput => "invalid-input",
        }
    }
}

/// What a Deny statement did for one Allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DenyNote {
    /// The Deny's index in `Statement`.
    pub statement_index: usize,
    /// The Deny's Sid, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// True when it took part in cancelling the Allow's outside access.
    pub cancels: bool,
    /// Why it cancels or does not.
    pub why: String,
}

/// One reason behind a verdict, tied to a statement where there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The stable code.
    pub code: Code,
    /// The statement's index in `Statement` (0-based, as `Statement[i]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement_index: Option<usize>,
    /// The statement's Sid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny` as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
    /// The principal entries, as `"*"`, `AWS:"arn:..."`, `NotPrincipal AWS:"..."`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub principal: Vec<String>,
    /// The actions as written (`NotAction` ones prefixed with `NotAction `).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// The analysis of each condition entry.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ConditionNote>,
    /// The Deny statements weighed against this Allow.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub denies: Vec<DenyNote>,
    /// Accounts, orgs or principals outside the trust zone that this statement admits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outside: Vec<String>,
    /// What this statement contributes to the verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Verdict>,
    /// The whole reason in one sentence a person can act on.
    pub message: String,
}

impl Reason {
    pub(crate) fn document(code: Code, message: String) -> Reason {
        Reason {
            code,
            statement_index: None,
            sid: None,
            effect: None,
            principal: Vec::new(),
            actions: Vec::new(),
            conditions: Vec::new(),
            denies: Vec::new(),
            outside: Vec::new(),
            outcome: None,
            message,
        }
    }
}

/// A verdict with the reasons that led to it; the deciding reasons come first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// The key's exposure.
    pub verdict: Verdict,
    /// Why, deciding reasons first.
    pub reasons: Vec<Reason>,
}

impl Evaluation {
    /// The reason a finding's status text should quote.
    pub fn main_reason(&self) -> Option<&Reason> {
        self.reasons.first()
    }

    /// Every account, org or principal outside the trust zone that the policy admits.
    pub fn outside_names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in self.reasons.iter().filter(|r| r.outcome == Some(Verdict::CrossAccount)) {
            for n in &r.outside {
                if !out.contains(n) {
                    out.push(n.clone());
                }
            }
        }
        out
    }

    /// An `UNKNOWN` evaluation with one document-level reason.
    pub fn unknown(code: Code, message: String) -> Evaluation {
        let mut reason = Reason::document(code, message);
        reason.outcome = Some(Verdict::Unknown);
        Evaluation { verdict: Verdict::Unknown, reasons: vec![reason] }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn codes_unique_and_stable() {
        let names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "invalid-json", "policy-not-object", "invalid-statement-list", "no-statements",
                "malformed-statement", "no-principal", "no-action", "no-kms-action",
                "open-principal", "confined-inside", "confined-outside", "cancelled-by-deny",
                "cross-account-principal", "trusted-principal", "unreachable-principal",
                "deny-statement", "invalid-input",
            ]
        );
        for c in Code::ALL {
            let json = serde_json::to_value(c).unwrap_or_default();
            assert_eq!(json.as_str(), Some(c.as_str()), "serde name of {c:?}");
        }
    }
}
