//! Shapes of literal values: account ids, org ids, unique ids, ARNs, wildcards and policy
//! variables (spec §4(c), §7.8, §7.11, §7.12).

/// True when the text holds an IAM wildcard (`*` or `?`).
pub(crate) fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// True when the text holds a policy variable (`${...}`).
pub(crate) fn has_policy_variable(s: &str) -> bool {
    s.contains("${")
}

/// A literal 12-digit AWS account id.
pub(crate) fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_variable(s: &str, name: &str) -> bool {
    s.strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .is_some_and(|inner| inner.trim().eq_ignore_ascii_case(name))
}

/// `${aws:ResourceAccount}` (name case-insensitive): the owner's own account.
pub(crate) fn is_resource_account_var(s: &str) -> bool {
    is_variable(s, "aws:ResourceAccount")
}

/// `${aws:ResourceOrgID}` (name case-insensitive): the owner's own organization.
pub(crate) fn is_resource_org_var(s: &str) -> bool {
    is_variable(s, "aws:ResourceOrgID")
}

/// A literal organization id: `o-` followed by letters and digits.
pub(crate) fn is_org_id(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.len() > 2
        && bytes.get(..2).is_some_and(|p| p.eq_ignore_ascii_case(b"o-"))
        && bytes.iter().skip(2).all(u8::is_ascii_alphanumeric)
}

/// A whole IAM unique id (`AIDA…`, `AROA…`, …): `A` plus three capitals and at least 16
/// more capitals or digits (spec §7.12).
pub(crate) fn is_unique_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20
        && b.first() == Some(&b'A')
        && b.iter().take(4).all(u8::is_ascii_uppercase)
        && b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The six fields of an ARN, borrowed from the text; the resource keeps any further `:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arn<'a> {
    pub service: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

/// Splits `arn:partition:service:region:account:resource`; `None` when the text is not an
/// ARN of that shape. A policy variable (`${aws:ResourceAccount}`) is one piece even though
/// it holds a colon.
pub(crate) fn split_arn(s: &str) -> Option<Arn<'_>> {
    let mut cuts: [usize; 5] = [0; 5];
    let mut found = 0;
    let mut in_variable = false;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() && found < 5 {
        match bytes.get(i) {
            Some(b'$') if bytes.get(i + 1) == Some(&b'{') => in_variable = true,
            Some(b'}') => in_variable = false,
            Some(b':') if !in_variable => {
                if let Some(slot) = cuts.get_mut(found) {
                    *slot = i;
                }
                found += 1;
            }
            _ => {}
        }
        i += 1;
    }
    if found < 5 {
        return None;
    }
    let [c0, c1, c2, c3, c4] = cuts;
    if !s.get(..c0)?.eq_ignore_ascii_case("arn") {
        return None;
    }
    Some(Arn { service: s.get(c1 + 1..c2)?, account: s.get(c3 + 1..c4)?, resource: s.get(c4 + 1..)? })
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn shapes() {
        assert!(is_account_id("111122223333"));
        assert!(!is_account_id("11112222333"));
        assert!(!is_account_id("11112222333a"));
        assert!(is_resource_account_var("${aws:resourceaccount}"));
        assert!(is_resource_org_var("${AWS:ResourceOrgId}"));
        assert!(!is_resource_account_var("${aws:PrincipalAccount}"));
        assert!(is_org_id("o-a1b2c3d4e5"));
        assert!(!is_org_id("o-"));
        assert!(!is_org_id("o-abc*"));
        assert!(!is_org_id("ou-abc"));
        assert!(is_unique_id("AROA3XFRBF535PLBIFPI4"));
        assert!(!is_unique_id("AROA"));
        assert!(!is_unique_id("AROA3XFRBF535PLBIFPI4:x"));
        let arn = split_arn("arn:aws:iam::111122223333:role/a:b").unwrap_or_else(|| panic!());
        assert_eq!((arn.service, arn.account, arn.resource), ("iam", "111122223333", "role/a:b"));
        assert!(split_arn("arn:aws:iam::111122223333").is_none());
        assert!(split_arn("111122223333").is_none());
        let var = split_arn("arn:aws:iam::${aws:ResourceAccount}:role/x").unwrap_or_else(|| panic!());
        assert_eq!(var.account, "${aws:ResourceAccount}");
    }
}
