//! `kms-exposure fix`: a safe remediation. Dry run by default (reasons and a unified diff);
//! with `--apply`: confirm, back up the current policy (fsynced), PutKeyPolicy (never
//! bypassing KMS's lockout check), read the policy back and report the new verdict.
//! `--restore FILE` puts a backed-up policy back.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use serde_json::json;

use super::Status;
use crate::inventory::{self, Session, kms};
use crate::output::write_atomic;
use crate::policy::{self, TrustZone, Verdict};
use crate::remediate::{self, Strategy};

/// Flags of `fix`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("target").required(true).multiple(true).args(["key", "restore"])))]
pub struct Args {
    /// The key: id, ARN or alias (`alias/name`).
    #[arg(long)]
    key: Option<String>,
    /// The key's region (default: the ARN's, else the configured region).
    #[arg(short = 'f', long = "region")]
    region: Option<String>,
    /// How to take away public access.
    #[arg(long, value_enum, default_value_t = Strategy::AddCondition)]
    strategy: Strategy,
    /// Apply the fix (without it, only show what would change).
    #[arg(long)]
    apply: bool,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    yes: bool,
    /// Where backups of replaced policies go.
    #[arg(long, default_value = "kms-policy-backups")]
    backup_dir: PathBuf,
    /// Put a backed-up policy back (a file written by `fix --apply`).
    #[arg(long, value_name = "BACKUP_FILE", conflicts_with_all = ["strategy", "apply"])]
    restore: Option<PathBuf>,
    /// More accounts inside the trust zone.
    #[arg(long = "trusted-account", value_name = "ID", num_args = 1.., action = clap::ArgAction::Append)]
    trusted_accounts: Vec<String>,
    /// Organizations inside the trust zone.
    #[arg(long = "trusted-org", value_name = "ORG", num_args = 1.., action = clap::ArgAction::Append)]
    trusted_orgs: Vec<String>,
    #[command(flatten)]
    aws: super::AwsArgs,
}

/// What `fix_key` should do once it has a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Show the plan only.
    DryRun,
    /// Apply after asking on a terminal (refuse without one).
    Ask,
    /// Apply without asking.
    Yes,
}

fn region_of(key: &str, given: Option<&str>) -> Option<String> {
    given.map(str::to_string).or_else(|| key.starts_with("arn:").then(|| key.split(':').nth(3).unwrap_or_default().to_string()).filter(|r| !r.is_empty()))
}

fn kms_client(session: &Session, region: &str) -> aws_sdk_kms::Client {
    let conf = aws_sdk_kms::config::Builder::from(&session.config).region(aws_sdk_kms::config::Region::new(region.to_string())).build();
    aws_sdk_kms::Client::from_conf(conf)
}

fn confirm(question: &str, mode: Mode) -> Result<(), String> {
    match mode {
        Mode::Yes => Ok(()),
        Mode::DryRun => Err("dry run".into()),
        Mode::Ask => {
            if !std::io::stdin().is_terminal() {
                return Err("not applied: no terminal to confirm on; pass --yes to apply without asking".into());
            }
            print!("{question} [y/N] ");
            let _ = std::io::stdout().flush();
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            if matches!(line.trim(), "y" | "Y" | "yes" | "YES") { Ok(()) } else { Err("not applied: not confirmed".into()) }
        }
    }
}

/// Writes the current policy (exactly as KMS returned it) and a `.meta.json` beside it;
/// both are fsynced before anything changes.
fn backup(dir: &Path, key: &kms::KeyInfo, region: &str, policy: &str) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create backup directory `{}`: {e}", dir.display()))?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let path = dir.join(format!("{}-{stamp}.json", key.key_id));
    write_atomic(&path, policy.as_bytes())?;
    let meta = json!({"KeyId": key.key_id, "KeyArn": key.arn, "Region": region, "BackedUpAt": chrono::Utc::now().to_rfc3339()});
    write_atomic(&meta_path(&path), &serde_json::to_vec_pretty(&meta).unwrap_or_default())?;
    Ok(path)
}

fn meta_path(backup: &Path) -> PathBuf {
    let mut name = backup.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".meta.json");
    backup.with_file_name(name)
}

/// The zone for a key: its owner (from the ARN) plus the trusted accounts and orgs.
fn zone_for(arn: &str, session: &Session, accounts: &[String], orgs: &[String]) -> Result<TrustZone, String> {
    let owner = arn.split(':').nth(4).filter(|a| policy::is_account_id(a)).unwrap_or(&session.account).to_string();
    TrustZone::from_input(Some(&owner), accounts, orgs, &[] as &[String])
}

/// Plans (and, by `mode`, applies) the fix for one key. Returns the key's verdict at the end.
pub async fn fix_key(
    session: &Session,
    region: &str,
    key: &str,
    strategy: Strategy,
    mode: Mode,
    backup_dir: &Path,
    trusted: (&[String], &[String]),
) -> Result<Verdict, String> {
    let client = kms_client(session, region);
    let info = kms::describe(&client, key).await?;
    if info.manager == "AWS" {
        return Err(format!("key {} is AWS-managed: AWS sets its policy", info.key_id));
    }
    let zone = zone_for(&info.arn, session, trusted.0, trusted.1)?;
    let current = kms::get_policy(&client, &info.key_id).await?;
    let before = policy::evaluate_bytes(current.as_bytes(), &zone);
    println!("key {} ({region}, {}): {}", info.key_id, info.state, before.verdict);
    for r in before.reasons.iter().filter(|r| r.outcome == Some(Verdict::Public)) {
        println!("  [{}] {}", r.code.as_str(), r.message);
    }
    if before.verdict != Verdict::Public {
        println!("  nothing to fix: the key is not public");
        return Ok(before.verdict);
    }
    let plan = remediate::plan(&current, &zone, &session.partition, strategy).map_err(|e| format!("no safe fix for key {}: {e}", info.key_id))?;
    // Lockout guard: the owner root must keep kms:PutKeyPolicy if it has it now.
    if remediate::root_can_put_key_policy(&current, zone.owner_account.as_deref().unwrap_or_default())
        && !remediate::root_can_put_key_policy(&plan.text, zone.owner_account.as_deref().unwrap_or_default())
    {
        return Err(format!("refused: under the fixed policy the account root of {} would lose kms:PutKeyPolicy", info.key_id));
    }
    println!("  fix ({strategy:?}) changes statement(s) {:?}; new verdict {}", plan.changed, plan.after.verdict);
    print!("{}", remediate::diff(&current, &plan.text));
    if mode == Mode::DryRun {
        println!("  dry run: nothing changed (add --apply to apply)");
        return Ok(before.verdict);
    }
    confirm(&format!("Apply this policy to key {}?", info.key_id), mode)?;
    let saved = backup(backup_dir, &info, region, &current)?;
    println!("  backed up the current policy to {}", saved.display());
    kms::put_policy(&client, &info.key_id, &plan.text).await?;
    let now = kms::get_policy(&client, &info.key_id).await?;
    let after = policy::evaluate_bytes(now.as_bytes(), &zone);
    let status = if after.verdict == Verdict::Public { "FAIL" } else { "PASS" };
    println!("  applied; read back: {} ({status})", after.verdict);
    Ok(after.verdict)
}

async fn restore(session: &Session, args: &Args, file: &Path) -> Result<Verdict, String> {
    let policy_text = std::fs::read_to_string(file).map_err(|e| format!("cannot read backup `{}`: {e}", file.display()))?;
    policy::parse_document(policy_text.as_bytes()).map_err(|e| format!("backup `{}` is not a policy: {e}", file.display()))?;
    let meta: serde_json::Value = std::fs::read(meta_path(file)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    let key = args.key.clone().or_else(|| meta.get("KeyArn").and_then(|v| v.as_str()).map(str::to_string)).ok_or_else(|| {
        format!("`{}` has no .meta.json beside it: give --key and -f", file.display())
    })?;
    let region = region_of(&key, args.region.as_deref().or(meta.get("Region").and_then(|v| v.as_str())))
        .or_else(|| session.config.region().map(|r| r.to_string()))
        .ok_or("no region: give -f REGION")?;
    let client = kms_client(session, &region);
    let info = kms::describe(&client, &key).await?;
    let current = kms::get_policy(&client, &info.key_id).await?;
    let owner = info.arn.split(':').nth(4).unwrap_or(&session.account).to_string();
    if remediate::root_can_put_key_policy(&current, &owner) && !remediate::root_can_put_key_policy(&policy_text, &owner) {
        return Err(format!("refused: under the backed-up policy the account root of {} would lose kms:PutKeyPolicy", info.key_id));
    }
    print!("{}", remediate::diff(&current, &policy_text).replace("fixed policy", "restored policy"));
    let mode = if args.yes { Mode::Yes } else { Mode::Ask };
    confirm(&format!("Restore this policy on key {}?", info.key_id), mode)?;
    kms::put_policy(&client, &info.key_id, &policy_text).await?;
    let zone = zone_for(&info.arn, session, &args.trusted_accounts, &args.trusted_orgs)?;
    let now = kms::get_policy(&client, &info.key_id).await?;
    let verdict = policy::evaluate_bytes(now.as_bytes(), &zone).verdict;
    println!("restored key {} from {}; read back: {verdict}", info.key_id, file.display());
    Ok(verdict)
}

/// Runs `fix`: exit 0 when the key ends up (or already is) not public or the dry run was
/// shown, 3 when it is still public after applying, 1 when refused or on error.
pub fn run(args: Args) -> Status {
    let runtime = match super::runtime() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Status::Error;
        }
    };
    let home = args.key.as_deref().and_then(|k| region_of(k, args.region.as_deref())).or_else(|| args.region.clone());
    let result = runtime.block_on(async {
        let session = inventory::connect(&args.aws.options(home.clone())).await?;
        if let Some(file) = &args.restore {
            return restore(&session, &args, file).await.map(|v| (v, true));
        }
        let key = args.key.clone().unwrap_or_default();
        let region = region_of(&key, args.region.as_deref())
            .or_else(|| session.config.region().map(|r| r.to_string()))
            .ok_or("no region: give -f REGION or the key's ARN")?;
        let mode = match (args.apply, args.yes) {
            (false, _) => Mode::DryRun,
            (true, true) => Mode::Yes,
            (true, false) => Mode::Ask,
        };
        let verdict = fix_key(&session, &region, &key, args.strategy, mode, &args.backup_dir, (&args.trusted_accounts, &args.trusted_orgs)).await?;
        Ok::<_, String>((verdict, args.apply))
    });
    match result {
        Ok((Verdict::Public, true)) => Status::Failed,
        Ok(_) => Status::Clean,
        Err(e) => {
            eprintln!("error: {e}");
            Status::Error
        }
    }
}
