//! Client-side pacing: a bound on requests in flight and a per-API request rate, so a scan
//! of a busy account stays below the KMS quotas and does not starve its applications.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Spaces calls evenly at no more than `per_second`, with a small burst allowance.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    burst: u32,
    next: Mutex<Instant>,
}

impl RateLimiter {
    /// A limiter for `per_second` calls (at least 1), allowing `burst` calls at once.
    pub fn new(per_second: u32, burst: u32) -> RateLimiter {
        let per_second = per_second.max(1);
        RateLimiter {
            interval: Duration::from_secs_f64(1.0 / f64::from(per_second)),
            burst: burst.max(1),
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits until the next call may start.
    pub async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            // Unused time builds up credit for at most `burst` calls.
            let earliest = now.checked_sub(self.interval * (self.burst - 1)).unwrap_or(now);
            let slot = (*next).max(earliest);
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// The pacing shared by every region of one scan.
#[derive(Debug, Clone)]
pub struct Pacer {
    in_flight: Arc<Semaphore>,
}

impl Pacer {
    /// At most `max_in_flight` requests at once across the scan.
    pub fn new(max_in_flight: usize) -> Pacer {
        Pacer { in_flight: Arc::new(Semaphore::new(max_in_flight.max(1))) }
    }

    /// Waits for the API's rate slot, then for a place among the requests in flight.
    pub async fn admit(&self, rate: &RateLimiter) -> Option<OwnedSemaphorePermit> {
        rate.wait().await;
        self.in_flight.clone().acquire_owned().await.ok()
    }
}

/// Request rates per account and region, each half of the published KMS quota.
#[derive(Debug)]
pub struct RegionRates {
    /// ListKeys (quota 500/s).
    pub list_keys: RateLimiter,
    /// ListAliases (quota 500/s).
    pub list_aliases: RateLimiter,
    /// DescribeKey (quota 2,000/s).
    pub describe_key: RateLimiter,
    /// GetKeyPolicy (quota 1,000/s).
    pub get_key_policy: RateLimiter,
    /// ListResourceTags (quota 2,000/s, shared with other read calls).
    pub list_resource_tags: RateLimiter,
}

impl RegionRates {
    /// The default rates: half of each quota, so the account's own traffic keeps headroom.
    pub fn half_of_quotas() -> RegionRates {
        RegionRates::share_of_quotas(50)
    }

    /// Rates at `percent` of each KMS quota (ListKeys and ListAliases 500/s, DescribeKey
    /// 2,000/s, GetKeyPolicy 1,000/s; ListResourceTags is paced like GetKeyPolicy).
    pub fn share_of_quotas(percent: u32) -> RegionRates {
        let at = |quota: u32| (quota * percent.clamp(1, 100) / 100).max(1);
        RegionRates {
            list_keys: RateLimiter::new(at(500), 10),
            list_aliases: RateLimiter::new(at(500), 10),
            describe_key: RateLimiter::new(at(2000), 50),
            get_key_policy: RateLimiter::new(at(1000), 50),
            list_resource_tags: RateLimiter::new(at(1000), 50),
        }
    }
}
