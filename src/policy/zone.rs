//! The trust zone: which accounts, organizations and networks count as "inside".
//!
//! Offline evaluation (no owner account known) trusts every specific account, org and
//! principal (spec §4, §7.7): only open, unconfined statements can then make a key public.

use ipnet::IpNet;

use super::ip;

/// The accounts, organizations and IP ranges a key's audience may lie in without being
/// reported as reaching outside.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustZone {
    /// The account that owns the key; `None` when unknown (offline evaluation).
    pub owner_account: Option<String>,
    /// Other accounts given with `--trusted-account`.
    pub trusted_accounts: Vec<String>,
    /// Organizations given with `--trusted-org` (`o-...` ids).
    pub trusted_orgs: Vec<String>,
    /// Ranges given with `--trusted-ip`; an `aws:SourceIp` range inside their union confines.
    pub trusted_ips: Vec<IpNet>,
}

/// Where a value or principal lies with respect to the trust zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Placement {
    Inside,
    /// Names something outside the zone; the string says what (an account or org id).
    Outside(String),
    /// Names something whose owning account cannot be determined (spec §7.3).
    OwnerUnknown(String),
}

impl Placement {
    pub(crate) fn is_inside(&self) -> bool {
        matches!(self, Placement::Inside)
    }
}

impl TrustZone {
    /// A zone with only an owner account.
    pub fn for_owner(account: impl Into<String>) -> Self {
        TrustZone { owner_account: Some(account.into()), ..TrustZone::default() }
    }

    /// True when no owner account is known, so every specific name counts as inside.
    pub fn is_offline(&self) -> bool {
        self.owner_account.is_none()
    }

    pub(crate) fn account(&self, id: &str) -> Placement {
        if self.is_offline()
            || self.owner_account.as_deref() == Some(id)
            || self.trusted_accounts.iter().any(|a| a == id)
        {
            Placement::Inside
        } else {
            Placement::Outside(id.to_string())
        }
    }

    pub(crate) fn org(&self, id: &str) -> Placement {
        if self.is_offline() || self.trusted_orgs.iter().any(|o| o.eq_ignore_ascii_case(id)) {
            Placement::Inside
        } else {
            Placement::Outside(id.to_string())
        }
    }

    pub(crate) fn owner_unknown(&self, what: String) -> Placement {
        if self.is_offline() { Placement::Inside } else { Placement::OwnerUnknown(what) }
    }

    /// True when every address of `net` is either not globally reachable or inside the union
    /// of the trusted ranges.
    pub(crate) fn ip_range_confined(&self, net: &IpNet) -> bool {
        ip::is_confined(net, &self.trusted_ips)
    }
}

impl TrustZone {
    /// Builds a zone from user input, checking each value's shape: accounts are 12 digits,
    /// orgs are `o-...` ids, IP ranges are CIDRs or addresses. The error names the bad value.
    pub fn from_input<A, B, C>(owner: Option<&str>, accounts: A, orgs: B, ips: C) -> Result<TrustZone, String>
    where
        A: IntoIterator,
        A::Item: AsRef<str>,
        B: IntoIterator,
        B::Item: AsRef<str>,
        C: IntoIterator,
        C::Item: AsRef<str>,
    {
        use super::literal::{is_account_id, is_org_id};
        let owner_account = match owner {
            None => None,
            Some(a) if is_account_id(a) => Some(a.to_string()),
            Some(a) => return Err(format!("account `{a}` is not a 12-digit account id")),
        };
        let mut zone = TrustZone { owner_account, ..TrustZone::default() };
        for a in accounts {
            let a = a.as_ref();
            if !is_account_id(a) {
                return Err(format!("trusted account `{a}` is not a 12-digit account id"));
            }
            zone.trusted_accounts.push(a.to_string());
        }
        for o in orgs {
            let o = o.as_ref();
            if !is_org_id(o) {
                return Err(format!("trusted org `{o}` is not an organization id like o-a1b2c3d4e5"));
            }
            zone.trusted_orgs.push(o.to_string());
        }
        for r in ips {
            let r = r.as_ref();
            match ip::parse_range(r) {
                Some(net) => zone.trusted_ips.push(net),
                None => return Err(format!("trusted IP range `{r}` is not a CIDR such as 203.0.113.0/24")),
            }
        }
        Ok(zone)
    }
}
