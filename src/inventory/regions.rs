//! Which regions a scan covers.
//!
//! By default: every region of the caller's partition where KMS is offered (KMS is offered
//! in every region), minus the opt-in regions the account has not enabled. The list is kept
//! here rather than asked of EC2 `DescribeRegions`: that would pull in the EC2 SDK crate and
//! need `ec2:DescribeRegions`, which a KMS-only audit role may lack. A region the account has
//! not enabled answers KMS calls with `UnrecognizedClientException` (the credentials are not
//! valid there); such a region is reported as "not enabled" in the summary, never silently.
//! AWS adds regions over time: `-f` scans any region by name, listed here or not.

/// The commercial (`aws`) regions.
pub const AWS: &[&str] = &[
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2",
    "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3",
    "eu-south-1", "eu-south-2", "eu-north-1", "il-central-1", "me-south-1", "me-central-1",
    "mx-central-1", "sa-east-1",
];

/// The China (`aws-cn`) regions.
pub const AWS_CN: &[&str] = &["cn-north-1", "cn-northwest-1"];

/// The GovCloud (`aws-us-gov`) regions.
pub const AWS_US_GOV: &[&str] = &["us-gov-west-1", "us-gov-east-1"];

/// The regions of a partition.
pub fn of_partition(partition: &str) -> &'static [&'static str] {
    match partition {
        "aws-cn" => AWS_CN,
        "aws-us-gov" => AWS_US_GOV,
        _ => AWS,
    }
}

/// True when the error code means "this region is not enabled for the account".
pub fn is_not_enabled(code: Option<&str>) -> bool {
    matches!(code, Some("UnrecognizedClientException" | "InvalidClientTokenId" | "AuthFailure" | "OptInRequired"))
}

/// Checks a region name's shape (`eu-west-1`, `us-gov-east-1`), so a typo is an error
/// before any call is made.
pub fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn names() {
        for r in AWS.iter().chain(AWS_CN).chain(AWS_US_GOV) {
            assert!(is_region_name(r), "{r}");
        }
        for bad in ["us-east", "US-EAST-1", "useast1", "eu-west-x", "", "eu--1"] {
            assert!(!is_region_name(bad), "{bad}");
        }
        assert_eq!(of_partition("aws-cn"), AWS_CN);
    }
}
