//! Does an `aws:SourceIp` range lie wholly in space that is not globally reachable, or
//! inside the trusted ranges (spec §4 table, §7.9, §8.17)?
//!
//! Every range is mapped into one 128-bit space: IPv4 `a.b.c.d/n` becomes the IPv4-mapped
//! IPv6 range `::ffff:a.b.c.d/(96+n)`, so an IPv4-mapped IPv6 value is judged by the IPv4
//! address it carries and one coverage routine serves both families.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

/// A range in the mapped 128-bit space: the first address and the prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Block {
    base: u128,
    len: u8,
}

impl Block {
    fn new(base: u128, len: u8) -> Block {
        let len = len.min(128);
        Block { base: base & mask(len), len }
    }

    fn contains(&self, other: &Block) -> bool {
        self.len <= other.len && (other.base & mask(self.len)) == self.base
    }

    fn overlaps(&self, other: &Block) -> bool {
        self.contains(other) || other.contains(self)
    }

    fn halves(&self) -> Option<(Block, Block)> {
        if self.len >= 128 {
            return None;
        }
        let len = self.len + 1;
        let bit = 1u128 << (127 - self.len);
        Some((Block::new(self.base, len), Block::new(self.base | bit, len)))
    }
}

fn mask(len: u8) -> u128 {
    if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len.min(128))) }
}

const V4_MAPPED: u128 = 0xffff_0000_0000;

fn v4(a: [u8; 4], len: u8) -> Block {
    Block::new(V4_MAPPED | u128::from(u32::from(Ipv4Addr::from(a))), 96 + len)
}

fn v6(segments: [u16; 8], len: u8) -> Block {
    Block::new(u128::from(Ipv6Addr::from(segments)), len)
}

fn to_block(net: &IpNet) -> Block {
    match net {
        IpNet::V4(n) => v4(n.network().octets(), n.prefix_len()),
        IpNet::V6(n) => Block::new(u128::from(n.network()), n.prefix_len()),
    }
}

/// Blocks that IANA's special-purpose registries mark as not globally reachable, plus
/// multicast (spec §7.9). IPv4 blocks are in their mapped form.
fn not_global() -> [Block; 27] {
    [
        v4([0, 0, 0, 0], 8),
        v4([10, 0, 0, 0], 8),
        v4([100, 64, 0, 0], 10),
        v4([127, 0, 0, 0], 8),
        v4([169, 254, 0, 0], 16),
        v4([172, 16, 0, 0], 12),
        v4([192, 0, 0, 0], 24),
        v4([192, 0, 2, 0], 24),
        v4([192, 168, 0, 0], 16),
        v4([198, 18, 0, 0], 15),
        v4([198, 51, 100, 0], 24),
        v4([203, 0, 113, 0], 24),
        v4([224, 0, 0, 0], 4),
        v4([240, 0, 0, 0], 4),
        v6([0, 0, 0, 0, 0, 0, 0, 0], 128),
        v6([0, 0, 0, 0, 0, 0, 0, 1], 128),
        v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48),
        v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64),
        v6([0x100, 0, 0, 1, 0, 0, 0, 0], 64),
        v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23),
        v6([0x2001, 0x2, 0, 0, 0, 0, 0, 0], 48),
        v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32),
        v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20),
        v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16),
        v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),
        v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),
        v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8),
    ]
}

/// Blocks inside the ones above that the registries mark globally reachable (or "N/A",
/// which we treat as reachable: the safer reading).
fn global_exceptions() -> [Block; 10] {
    [
        v4([192, 0, 0, 9], 32),
        v4([192, 0, 0, 10], 32),
        v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32),
        v6([0x2001, 1, 0, 0, 0, 0, 0, 1], 128),
        v6([0x2001, 1, 0, 0, 0, 0, 0, 2], 128),
        v6([0x2001, 1, 0, 0, 0, 0, 0, 3], 128),
        v6([0x2001, 3, 0, 0, 0, 0, 0, 0], 32),
        v6([0x2001, 4, 0x112, 0, 0, 0, 0, 0], 48),
        v6([0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28),
        v6([0x2001, 0x30, 0, 0, 0, 0, 0, 0], 28),
    ]
}

/// Parses an `aws:SourceIp` value: a CIDR or a single address. Returns `None` for anything
/// else (the entry is then non-confining, spec §7.9).
pub(crate) fn parse_range(text: &str) -> Option<IpNet> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Some(net.trunc());
    }
    text.parse::<IpAddr>().ok().map(IpNet::from)
}

/// True when every address of `net` is not globally reachable or lies in `trusted`.
pub(crate) fn is_confined(net: &IpNet, trusted: &[IpNet]) -> bool {
    let trusted: Vec<Block> = trusted.iter().map(to_block).collect();
    covered(to_block(net), &not_global(), &global_exceptions(), &trusted)
}

fn covered(target: Block, private: &[Block], public: &[Block], trusted: &[Block]) -> bool {
    if trusted.iter().any(|t| t.contains(&target)) {
        return true;
    }
    let in_private = private.iter().any(|p| p.contains(&target));
    let touches_public = public.iter().any(|g| g.overlaps(&target));
    if in_private && !touches_public {
        return true;
    }
    if public.iter().any(|g| g.contains(&target)) && !trusted.iter().any(|t| target.contains(t)) {
        return false;
    }
    // The target is not uniform with respect to the tables: split it when some block lies
    // strictly inside it, otherwise nothing can cover it.
    let finer = |b: &Block| b.len > target.len && target.contains(b);
    let splittable =
        private.iter().any(finer) || public.iter().any(finer) || trusted.iter().any(finer);
    if !splittable {
        return false;
    }
    match target.halves() {
        Some((a, b)) => covered(a, private, public, trusted) && covered(b, private, public, trusted),
        None => false,
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn confined(s: &str) -> bool {
        is_confined(&parse_range(s).unwrap_or_else(|| panic!("bad test range {s}")), &[])
    }

    #[test]
    fn private_and_reserved_ranges_confine() {
        for r in [
            "10.0.0.0/8", "10.1.2.3", "172.16.0.0/12", "172.31.255.0/24", "192.168.1.0/24",
            "100.64.0.0/10", "127.0.0.1", "169.254.0.0/16", "0.0.0.0/8", "192.0.2.0/24",
            "198.18.0.0/15", "198.51.100.7", "203.0.113.0/24", "240.0.0.0/4", "224.0.0.0/4",
            "fc00::/7", "fd12:3456::/32", "fe80::/10", "::1", "::1/128", "2001:db8::/32",
            "3fff::/20", "2001:2::/48", "::ffff:10.0.0.0/104", "::ffff:192.168.0.1",
            "ff02::1", "192.0.0.0/29",
        ] {
            assert!(confined(r), "{r} should confine");
        }
    }

    #[test]
    fn public_ranges_do_not_confine() {
        for r in [
            "0.0.0.0/0", "::/0", "8.8.8.8", "8.8.8.0/24", "10.0.0.0/7", "172.0.0.0/8",
            "192.0.0.0/23", "::ffff:8.8.8.8", "::ffff:0:0/96", "2001::/32", "2001:db8::/31",
            "192.0.0.9", "192.0.0.0/24", "2001::/23", "2600::/16", "11.0.0.0/8",
        ] {
            assert!(!confined(r), "{r} should not confine");
        }
    }

    #[test]
    fn trusted_union_covers_split_ranges() {
        let trusted = vec![
            parse_range("203.0.112.0/24").unwrap_or_else(|| panic!()),
            parse_range("198.51.101.0/24").unwrap_or_else(|| panic!()),
        ];
        let net = parse_range("203.0.112.0/23").unwrap_or_else(|| panic!());
        assert!(is_confined(&net, &trusted), "203.0.112/24 trusted + 203.0.113/24 reserved");
        let wide = parse_range("203.0.112.0/22").unwrap_or_else(|| panic!());
        assert!(!is_confined(&wide, &trusted));
        let two = vec![
            parse_range("8.8.8.0/25").unwrap_or_else(|| panic!()),
            parse_range("8.8.8.128/25").unwrap_or_else(|| panic!()),
        ];
        assert!(is_confined(&parse_range("8.8.8.0/24").unwrap_or_else(|| panic!()), &two));
    }

    #[test]
    fn garbage_is_not_a_range() {
        for r in ["", "abc", "10.0.0.0/33", "1.2.3", "vpc-123", "*"] {
            assert!(parse_range(r).is_none(), "{r}");
        }
    }
}
