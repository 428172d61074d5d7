//! Reading every KMS key of one region: ListKeys and ListAliases once per region (all
//! pages), then per key DescribeKey, GetKeyPolicy (`default`) and ListResourceTags, at most
//! three calls per key. Every failure stays with its key or region and names the call.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_kms::Client;
use aws_sdk_kms::types::KeyManagerType;
use chrono::{DateTime, Utc};
use indicatif::ProgressBar;
use tokio::task::JoinSet;

use super::pace::{Pacer, RegionRates};
use super::{describe_error, error_code, regions};
use crate::finding::KeyResource;

/// Requests made, per API, across a scan (what the benchmark reports per key).
#[derive(Debug, Default)]
pub struct Counters {
    /// ListKeys pages.
    pub list_keys: AtomicU64,
    /// ListAliases pages.
    pub list_aliases: AtomicU64,
    /// DescribeKey calls.
    pub describe_key: AtomicU64,
    /// GetKeyPolicy calls.
    pub get_key_policy: AtomicU64,
    /// ListResourceTags pages.
    pub list_resource_tags: AtomicU64,
}

impl Counters {
    /// All requests (before SDK retries, which the SDK makes inside one call).
    pub fn total(&self) -> u64 {
        [&self.list_keys, &self.list_aliases, &self.describe_key, &self.get_key_policy, &self.list_resource_tags]
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }
}

fn count(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// What was read of one customer-managed key.
#[derive(Debug, Clone)]
pub struct KeyRead {
    /// Metadata, aliases, tags, and notes about calls that failed without deciding.
    pub resource: KeyResource,
    /// The policy text, or why it could not be read (the call and error code).
    pub policy: Result<String, String>,
}

/// The result of one region.
#[derive(Debug, Clone, Default)]
pub struct RegionScan {
    /// The region.
    pub region: String,
    /// Customer-managed keys read (successfully or not).
    pub keys: Vec<KeyRead>,
    /// AWS-managed keys skipped (out of scope).
    pub aws_managed: usize,
    /// Set when the region's keys could not be listed: the call and error.
    pub failure: Option<String>,
    /// True when the failure says the region is not enabled for the account.
    pub not_enabled: bool,
}

/// One page loop with a guard against a server that repeats its marker.
fn next_marker(truncated: bool, next: Option<&str>, seen: &mut Vec<String>) -> Result<Option<String>, String> {
    match (truncated, next) {
        (true, Some(m)) if !m.is_empty() => {
            if seen.iter().any(|s| s == m) {
                return Err(format!("the service returned marker `{m}` twice; stopped paging"));
            }
            seen.push(m.to_string());
            Ok(Some(m.to_string()))
        }
        (true, _) => Err("the service said the list was truncated but gave no marker".into()),
        (false, _) => Ok(None),
    }
}

async fn list_keys(client: &Client, pacer: &Pacer, rates: &RegionRates, counters: &Counters) -> Result<Vec<(String, String)>, (String, Option<String>)> {
    let mut keys = Vec::new();
    let mut marker: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let _permit = pacer.admit(&rates.list_keys).await;
        count(&counters.list_keys);
        let page = client
            .list_keys()
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(|e| (describe_error("ListKeys", &e), error_code(&e)))?;
        for k in page.keys() {
            if let Some(id) = k.key_id() {
                keys.push((id.to_string(), k.key_arn().unwrap_or_default().to_string()));
            }
        }
        marker = next_marker(page.truncated(), page.next_marker(), &mut seen).map_err(|w| (format!("ListKeys: {w}"), None))?;
        if marker.is_none() {
            return Ok(keys);
        }
    }
}

async fn list_aliases(client: &Client, pacer: &Pacer, rates: &RegionRates, counters: &Counters) -> Result<HashMap<String, Vec<String>>, String> {
    let mut by_key: HashMap<String, Vec<String>> = HashMap::new();
    let mut marker: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let _permit = pacer.admit(&rates.list_aliases).await;
        count(&counters.list_aliases);
        let page = client.list_aliases().set_marker(marker.clone()).send().await.map_err(|e| describe_error("ListAliases", &e))?;
        for a in page.aliases() {
            if let (Some(name), Some(target)) = (a.alias_name(), a.target_key_id()) {
                by_key.entry(target.to_string()).or_default().push(name.to_string());
            }
        }
        marker = next_marker(page.truncated(), page.next_marker(), &mut seen).map_err(|w| format!("ListAliases: {w}"))?;
        if marker.is_none() {
            for names in by_key.values_mut() {
                names.sort();
            }
            return Ok(by_key);
        }
    }
}

async fn list_tags(client: &Client, key_id: &str, pacer: &Pacer, rates: &RegionRates, counters: &Counters) -> Result<Vec<(String, String)>, String> {
    let mut tags = Vec::new();
    let mut marker: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let _permit = pacer.admit(&rates.list_resource_tags).await;
        count(&counters.list_resource_tags);
        let page = client
            .list_resource_tags()
            .key_id(key_id)
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(|e| describe_error("ListResourceTags", &e))?;
        for t in page.tags() {
            tags.push((t.tag_key().to_string(), t.tag_value().to_string()));
        }
        marker = next_marker(page.truncated(), page.next_marker(), &mut seen).map_err(|w| format!("ListResourceTags: {w}"))?;
        if marker.is_none() {
            return Ok(tags);
        }
    }
}

fn to_utc(d: &aws_sdk_kms::primitives::DateTime) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp(d.secs(), d.subsec_nanos())
}

enum KeyOutcome {
    Read(Box<KeyRead>),
    AwsManaged,
}

struct KeyJob {
    client: Client,
    region: String,
    key_id: String,
    arn: String,
    aliases: Vec<String>,
    alias_note: Option<String>,
    pacer: Pacer,
    rates: Arc<RegionRates>,
    counters: Arc<Counters>,
}

async fn read_key(job: KeyJob) -> KeyOutcome {
    let KeyJob { client, region, key_id, arn, aliases, alias_note, pacer, rates, counters } = job;
    let mut resource = KeyResource { key_id: key_id.clone(), arn, region, aliases, ..KeyResource::default() };
    if let Some(note) = alias_note {
        resource.notes.push(note);
    }
    let described = {
        let _permit = pacer.admit(&rates.describe_key).await;
        count(&counters.describe_key);
        client.describe_key().key_id(&key_id).send().await
    };
    match described {
        Ok(out) => {
            if let Some(m) = out.key_metadata() {
                if m.key_manager() == Some(&KeyManagerType::Aws) {
                    return KeyOutcome::AwsManaged;
                }
                resource.manager = m.key_manager().map(|v| v.as_str().to_string());
                resource.state = m.key_state().map(|v| v.as_str().to_string());
                resource.origin = m.origin().map(|v| v.as_str().to_string());
                resource.key_spec = m.key_spec().map(|v| v.as_str().to_string());
                resource.description = m.description().filter(|d| !d.is_empty()).map(str::to_string);
                resource.multi_region = m.multi_region();
                resource.creation_date = m.creation_date().and_then(to_utc);
                if resource.arn.is_empty() {
                    resource.arn = m.arn().unwrap_or_default().to_string();
                }
            }
        }
        Err(e) => {
            // AWS-managed keys carry `alias/aws/...` aliases; without DescribeKey that is the
            // only sign, and their policies are out of scope.
            if resource.aliases.iter().any(|a| a.starts_with("alias/aws/")) {
                return KeyOutcome::AwsManaged;
            }
            resource.notes.push(format!("the key's metadata could not be read ({})", describe_error("DescribeKey", &e)));
        }
    }
    let policy = async {
        let _permit = pacer.admit(&rates.get_key_policy).await;
        count(&counters.get_key_policy);
        match client.get_key_policy().key_id(&key_id).policy_name("default").send().await {
            Ok(out) => match out.policy() {
                Some(p) => Ok(p.to_string()),
                None => Err("GetKeyPolicy returned no policy document".to_string()),
            },
            Err(e) => Err(describe_error("GetKeyPolicy", &e)),
        }
    };
    let tags = list_tags(&client, &key_id, &pacer, &rates, &counters);
    let (policy, tags) = tokio::join!(policy, tags);
    match tags {
        Ok(t) => resource.tags = t,
        Err(why) => resource.notes.push(format!("tags could not be read ({why})")),
    }
    KeyOutcome::Read(Box::new(KeyRead { resource, policy }))
}

/// Reads every key of one region.
pub async fn scan_region(
    client: Client,
    region: String,
    pacer: Pacer,
    rate_percent: u32,
    counters: Arc<Counters>,
    progress: ProgressBar,
) -> RegionScan {
    let rates = Arc::new(RegionRates::share_of_quotas(rate_percent));
    let mut out = RegionScan { region: region.clone(), ..RegionScan::default() };
    let keys = match list_keys(&client, &pacer, &rates, &counters).await {
        Ok(k) => k,
        Err((why, code)) => {
            out.not_enabled = regions::is_not_enabled(code.as_deref());
            out.failure = Some(why);
            return out;
        }
    };
    progress.inc_length(keys.len() as u64);
    let (aliases, alias_note) = match list_aliases(&client, &pacer, &rates, &counters).await {
        Ok(a) => (a, None),
        Err(why) => (HashMap::new(), Some(format!("aliases could not be read ({why})"))),
    };
    // Key tasks are started as earlier ones finish, so memory stays flat however many keys
    // a region holds; the pacer bounds the requests themselves.
    const TASKS_PER_REGION: usize = 128;
    let mut tasks = JoinSet::new();
    let mut by_task: HashMap<tokio::task::Id, (String, String)> = HashMap::new();
    let mut pending = keys.into_iter();
    loop {
        while tasks.len() < TASKS_PER_REGION {
            let Some((key_id, arn)) = pending.next() else { break };
            let job = KeyJob {
                client: client.clone(),
                region: region.clone(),
                aliases: aliases.get(&key_id).cloned().unwrap_or_default(),
                key_id: key_id.clone(),
                arn: arn.clone(),
                alias_note: alias_note.clone(),
                pacer: pacer.clone(),
                rates: rates.clone(),
                counters: counters.clone(),
            };
            let handle = tasks.spawn(read_key(job));
            by_task.insert(handle.id(), (key_id, arn));
        }
        let Some(done) = tasks.join_next_with_id().await else { break };
        progress.inc(1);
        match done {
            Ok((id, KeyOutcome::Read(k))) => {
                by_task.remove(&id);
                out.keys.push(*k);
            }
            Ok((id, KeyOutcome::AwsManaged)) => {
                by_task.remove(&id);
                out.aws_managed += 1;
            }
            Err(e) => {
                // A task that panicked or was cancelled: its key still gets a (MANUAL) finding.
                let (key_id, arn) = by_task.remove(&e.id()).unwrap_or_default();
                let resource = KeyResource { key_id, arn, region: region.clone(), ..KeyResource::default() };
                out.keys.push(KeyRead { resource, policy: Err(format!("reading the key stopped unexpectedly: {e}")) });
            }
        }
    }
    out.keys.sort_by(|a, b| a.resource.key_id.cmp(&b.resource.key_id));
    out
}

/// What `fix` needs to know about one key.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    /// The key id.
    pub key_id: String,
    /// The key ARN.
    pub arn: String,
    /// `CUSTOMER` or `AWS`.
    pub manager: String,
    /// The key state.
    pub state: String,
}

/// Resolves a key id, ARN or alias with DescribeKey.
pub async fn describe(client: &Client, key: &str) -> Result<KeyInfo, String> {
    let out = client.describe_key().key_id(key).send().await.map_err(|e| describe_error("DescribeKey", &e))?;
    let m = out.key_metadata().ok_or("DescribeKey returned no key metadata")?;
    Ok(KeyInfo {
        key_id: m.key_id().to_string(),
        arn: m.arn().unwrap_or_default().to_string(),
        manager: m.key_manager().map(|v| v.as_str().to_string()).unwrap_or_default(),
        state: m.key_state().map(|v| v.as_str().to_string()).unwrap_or_default(),
    })
}

/// Reads the key's `default` policy.
pub async fn get_policy(client: &Client, key_id: &str) -> Result<String, String> {
    let out = client.get_key_policy().key_id(key_id).policy_name("default").send().await.map_err(|e| describe_error("GetKeyPolicy", &e))?;
    out.policy().map(str::to_string).ok_or_else(|| "GetKeyPolicy returned no policy document".to_string())
}

/// Writes the key's `default` policy. Never bypasses KMS's own lockout safety check.
pub async fn put_policy(client: &Client, key_id: &str, policy: &str) -> Result<(), String> {
    client
        .put_key_policy()
        .key_id(key_id)
        .policy_name("default")
        .policy(policy)
        .bypass_policy_lockout_safety_check(false)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| describe_error("PutKeyPolicy", &e))
}
