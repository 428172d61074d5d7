//! Engine throughput on one core: parse + evaluate a realistic mix of key policies.
//! Run with `cargo bench --bench engine` (or `make bench-engine`); prints policies/s.

#![allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../tests/common/cases.rs"]
mod cases;

use std::hint::black_box;
use std::time::{Duration, Instant};

use kms_exposure::policy::{self, TrustZone};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use serde_json::json;

fn main() {
    // The mix a real account shows: mostly default and console policies, some service
    // integrations and org-wide statements, a few public and cross-account ones.
    let public = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]});
    let guarded = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": cases::ORG}}}]});
    let weighted = [
        (cases::default_policy(), 4),
        (cases::console_policy(), 3),
        (cases::via_services(cases::OWNER), 2),
        (cases::org_wide(), 1),
        (cases::cloudtrail_policy(), 1),
        (cases::via_services(cases::OTHER), 1),
        (public, 1),
        (guarded, 1),
    ];
    let mut mix: Vec<Vec<u8>> = Vec::new();
    for (doc, weight) in &weighted {
        for _ in 0..*weight {
            mix.push(serde_json::to_vec(doc).unwrap_or_default());
        }
    }
    let zone = TrustZone {
        trusted_orgs: vec![cases::ORG.to_string()],
        ..TrustZone::for_owner(cases::OWNER)
    };
    let mean_size = mix.iter().map(Vec::len).sum::<usize>() / mix.len().max(1);

    // Warm up, then measure for a fixed time.
    for doc in &mix {
        black_box(policy::evaluate_bytes(doc, &zone));
    }
    let budget = Duration::from_secs(3);
    let start = Instant::now();
    let mut done: u64 = 0;
    while start.elapsed() < budget {
        for doc in &mix {
            black_box(policy::evaluate_bytes(black_box(doc), &zone));
        }
        done += mix.len() as u64;
    }
    let secs = start.elapsed().as_secs_f64();
    let rate = done as f64 / secs;
    println!("engine: {done} policies in {secs:.2} s on one core, mean policy {mean_size} bytes (parse + evaluate)");
    println!("engine: {rate:.0} policies/s ({:.2} us per policy); target >= 200000 policies/s", 1e6 / rate);
}
