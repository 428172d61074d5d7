//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod cases;
pub mod moto;
pub mod proxy;
pub mod samples;

use kms_exposure::policy::TrustZone;

/// The engine's trust zone for a case zone.
pub fn trust_zone(z: &cases::Zone) -> TrustZone {
    TrustZone::from_input(z.account, &z.accounts, &z.orgs, &z.ips).unwrap_or_else(|e| panic!("bad test zone: {e}"))
}
