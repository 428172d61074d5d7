//! Which KMS actions a statement's `Action` / `NotAction` reaches (spec §3) and whether a
//! Deny's actions cover an Allow's (spec §5(b), §8.21).
//!
//! Action names and patterns compare case-insensitively; patterns use IAM's `*` and `?`.

/// Every KMS API action, lowercased. Used to decide whether a pattern that does not start
/// with `kms:` (`*`, `*:Decrypt`, `k?s:*`) still reaches a KMS action.
const KMS_ACTIONS: &[&str] = &[
    "cancelkeydeletion", "connectcustomkeystore", "createalias", "createcustomkeystore",
    "creategrant", "createkey", "decrypt", "deletealias", "deletecustomkeystore",
    "deleteimportedkeymaterial", "derivesharedsecret", "describecustomkeystores",
    "describekey", "disablekey", "disablekeyrotation", "disconnectcustomkeystore",
    "enablekey", "enablekeyrotation", "encrypt", "generatedatakey", "generatedatakeypair",
    "generatedatakeypairwithoutplaintext", "generatedatakeywithoutplaintext", "generatemac",
    "generaterandom", "getkeypolicy", "getkeyrotationstatus", "getparametersforimport",
    "getpublickey", "importkeymaterial", "listaliases", "listgrants", "listkeypolicies",
    "listkeyrotations", "listkeys", "listresourcetags", "listretirablegrants", "putkeypolicy",
    "reencryptfrom", "reencryptto", "replicatekey", "retiregrant", "revokegrant",
    "rotatekeyondemand", "schedulekeydeletion", "sign", "synchronizemultiregionkey",
    "tagresource", "untagresource", "updatealias", "updatecustomkeystore",
    "updatekeydescription", "updateprimaryregion", "verify", "verifymac",
];

/// The pattern that stands for "every KMS action, including ones added later".
pub(crate) const ALL_KMS: &str = "kms:*";

/// True when the IAM pattern `pattern` matches every string that `other` matches (both may
/// hold `*` and `?`). A literal string is a pattern without wildcards, so this also answers
/// "does `pattern` match this action name".
pub(crate) fn covers(pattern: &str, other: &str) -> bool {
    let p = pattern.as_bytes();
    let q = other.as_bytes();
    // reach[j]: the first i pattern bytes can cover the first j bytes of `other`.
    let mut reach = vec![false; q.len() + 1];
    if let Some(first) = reach.first_mut() {
        *first = true;
    }
    for &pc in p {
        let mut next = vec![false; q.len() + 1];
        match pc {
            b'*' => {
                let mut any = false;
                for (j, slot) in next.iter_mut().enumerate() {
                    any |= reach.get(j).copied().unwrap_or(false);
                    *slot = any;
                }
            }
            _ => {
                for j in 0..q.len() {
                    let (Some(&from), Some(&qc)) = (reach.get(j), q.get(j)) else { continue };
                    let fits = match pc {
                        b'?' => qc != b'*',
                        _ => qc != b'*' && qc != b'?' && qc.eq_ignore_ascii_case(&pc),
                    };
                    if from && fits
                        && let Some(slot) = next.get_mut(j + 1) {
                            *slot = true;
                        }
                }
            }
        }
        reach = next;
    }
    reach.last().copied().unwrap_or(false)
}

/// True when the action pattern reaches at least one KMS action.
pub(crate) fn reaches_kms(pattern: &str) -> bool {
    if pattern.len() >= 4 && pattern.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("kms:")) {
        return true;
    }
    if !pattern.contains(['*', '?']) {
        return false;
    }
    let mut name = String::with_capacity(48);
    KMS_ACTIONS.iter().any(|a| {
        name.clear();
        name.push_str("kms:");
        name.push_str(a);
        covers(pattern, &name)
    })
}

/// What a statement's action element grants on the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KmsGrant {
    /// No KMS action is reached.
    Nothing,
    /// The KMS-relevant patterns, lowercased, for Deny coverage. A pattern that reaches KMS
    /// without naming it (`*`, `*:Decrypt`) and every `NotAction` grant count as `kms:*`,
    /// so a Deny must cover all of KMS to cancel them.
    Patterns(Vec<String>),
}

/// The KMS grant of an `Action` list.
pub(crate) fn grant_of_action(actions: &[String]) -> KmsGrant {
    let mut out: Vec<String> = Vec::new();
    for a in actions {
        if !reaches_kms(a) {
            continue;
        }
        let lower = a.to_ascii_lowercase();
        let pattern = if lower.starts_with("kms:") { lower } else { ALL_KMS.to_string() };
        if !out.contains(&pattern) {
            out.push(pattern);
        }
    }
    if out.is_empty() { KmsGrant::Nothing } else { KmsGrant::Patterns(out) }
}

/// The KMS grant of a `NotAction` list: everything unless some pattern excludes all of KMS.
pub(crate) fn grant_of_not_action(excluded: &[String]) -> KmsGrant {
    if excluded.iter().any(|p| covers(p, ALL_KMS)) {
        KmsGrant::Nothing
    } else {
        KmsGrant::Patterns(vec![ALL_KMS.to_string()])
    }
}

/// True when every Allow pattern is covered by one of the Deny patterns (spec §8.21).
pub(crate) fn deny_covers(deny: &[&str], allow: &[String]) -> bool {
    allow.iter().all(|a| deny.iter().any(|d| covers(d, a)))
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn glob_coverage() {
        assert!(covers("*", "kms:*"));
        assert!(covers("kms:*", "kms:Get*"));
        assert!(covers("KMS:*", "kms:decrypt"));
        assert!(covers("kms:Get*", "kms:GetKeyPolicy"));
        assert!(!covers("kms:Get*", "kms:*"));
        assert!(!covers("kms:Decrypt", "kms:De*"));
        assert!(covers("k?s:*", "kms:Decrypt"));
        assert!(!covers("k?s:*", "k*s:Decrypt"));
        assert!(covers("*:*", "kms:*"));
        assert!(covers("k*", "kms:*"));
        assert!(!covers("s3:*", "kms:*"));
        assert!(covers("kms:Re*", "kms:ReEncrypt*"));
    }

    #[test]
    fn kms_reach() {
        for p in ["*", "kms:*", "kms:Decrypt", "KMS:DESCRIBEKEY", "kms:Get*", "*:Decrypt", "k*"] {
            assert!(reaches_kms(p), "{p}");
        }
        for p in ["s3:GetObject", "s3:*", "iam:*", "", "km", "*:GetObject"] {
            assert!(!reaches_kms(p), "{p}");
        }
    }

    #[test]
    fn not_action_excluding_all_kms_grants_nothing() {
        assert_eq!(grant_of_not_action(&["kms:*".into()]), KmsGrant::Nothing);
        assert_eq!(grant_of_not_action(&["*".into()]), KmsGrant::Nothing);
        assert_eq!(
            grant_of_not_action(&["kms:Decrypt".into()]),
            KmsGrant::Patterns(vec!["kms:*".into()])
        );
        let every: Vec<String> = KMS_ACTIONS.iter().map(|a| format!("kms:{a}")).collect();
        assert_ne!(grant_of_not_action(&every), KmsGrant::Nothing, "new actions escape");
    }

    #[test]
    fn deny_must_cover_each_allow_pattern() {
        let allow = vec!["kms:decrypt".to_string(), "kms:encrypt".to_string()];
        assert!(deny_covers(&["kms:*"], &allow));
        assert!(deny_covers(&["kms:decrypt", "kms:encrypt"], &allow));
        assert!(!deny_covers(&["kms:decrypt"], &allow));
        let names: Vec<String> = KMS_ACTIONS.iter().map(|a| format!("kms:{a}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        assert!(!deny_covers(&refs, &["kms:*".to_string()]));
    }
}
