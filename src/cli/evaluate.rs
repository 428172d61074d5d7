//! `kms-exposure evaluate`: the engine's verdict for one policy, or for a JSON-lines batch.

use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use serde::Serialize;
use serde_json::{Map, Value};

use super::Status;
use crate::policy::{self, Code, Evaluation, Reason, TrustZone, Verdict};

/// How `evaluate` prints a single verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A verdict line, then one line per reason.
    Text,
    /// `{"verdict": "...", "reasons": [...]}`.
    Json,
}

/// Flags of `evaluate`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["policy", "batch"])))]
pub struct Args {
    /// The policy file (`-` for stdin): a policy document or `aws kms get-key-policy` output.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// A JSON-lines file (`-` for stdin): one `{"id", "policy", ...}` object per line.
    #[arg(long, value_name = "FILE.jsonl")]
    batch: Option<PathBuf>,
    /// The account that owns the key; without it every specific account counts as trusted.
    #[arg(long, value_name = "ID")]
    account: Option<String>,
    #[command(flatten)]
    trust: super::TrustArgs,
    /// Output format for a single policy.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Runs `evaluate`: exit 0 when not public, 3 when public, 1 when unknown or unreadable.
pub fn run(args: Args) -> Status {
    let (zone, fail_on_cross) = match args.trust.resolve(args.account.as_deref()) {
        Ok(z) => z,
        Err(status) => return status,
    };
    if let Some(path) = &args.batch {
        return run_batch(path, &zone);
    }
    let Some(path) = &args.policy else {
        eprintln!("error: give --policy FILE or --batch FILE");
        return Status::Usage;
    };
    let bytes = match read_input(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read policy `{}`: {e}", path.display());
            return Status::Error;
        }
    };
    let eval = policy::evaluate_bytes(&bytes, &zone);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let written = match args.format {
        Format::Text => write_text(&mut out, &eval),
        Format::Json => serde_json::to_writer_pretty(&mut out, &eval)
            .map_err(io::Error::other)
            .and_then(|()| writeln!(out)),
    };
    if let Err(e) = written {
        eprintln!("error: cannot write the verdict: {e}");
        return Status::Error;
    }
    match eval.verdict {
        Verdict::Public => Status::Failed,
        Verdict::Unknown => {
            if let Some(r) = eval.main_reason() {
                eprintln!("error: verdict unknown: {}", r.message);
            }
            Status::Error
        }
        Verdict::CrossAccount if fail_on_cross => Status::Failed,
        Verdict::CrossAccount | Verdict::Private => Status::Clean,
    }
}

fn read_input(path: &PathBuf) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        io::stdin().lock().read_to_end(&mut bytes)?;
    } else {
        bytes = std::fs::read(path)?;
    }
    Ok(bytes)
}

/// Writes the verdict line and one line per reason.
pub fn write_text(out: &mut impl Write, eval: &Evaluation) -> io::Result<()> {
    writeln!(out, "verdict: {}", eval.verdict)?;
    for r in &eval.reasons {
        writeln!(out, "  [{}] {}", r.code.as_str(), r.message)?;
        for n in &r.conditions {
            let mark = if n.confining { "confines" } else { "does not confine" };
            writeln!(out, "      {} {} {:?}: {mark}", n.operator, n.key, n.values)?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct BatchLine<'a> {
    id: &'a Value,
    verdict: Verdict,
    reasons: &'a [Reason],
}

/// Evaluates every line of a JSON-lines batch; a bad line gives `UNKNOWN`, never an abort.
/// Blank lines are skipped. Exit 0 once every line is answered, 1 if the input is unreadable.
fn run_batch(path: &PathBuf, default_zone: &TrustZone) -> Status {
    let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(io::BufReader::new(io::stdin()))
    } else {
        match std::fs::File::open(path) {
            Ok(f) => Box::new(io::BufReader::new(f)),
            Err(e) => {
                eprintln!("error: cannot read batch `{}`: {e}", path.display());
                return Status::Error;
            }
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut line = Vec::new();
    let mut reader = reader;
    let mut number = 0usize;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("error: cannot read batch `{}`: {e}", path.display());
                return Status::Error;
            }
        }
        number += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let (id, eval) = evaluate_line(&line, number, default_zone);
        let record = BatchLine { id: &id, verdict: eval.verdict, reasons: &eval.reasons };
        let written = serde_json::to_writer(&mut out, &record).map_err(io::Error::other).and_then(|()| writeln!(out));
        if let Err(e) = written {
            eprintln!("error: cannot write results: {e}");
            return Status::Error;
        }
    }
    if let Err(e) = out.flush() {
        eprintln!("error: cannot write results: {e}");
        return Status::Error;
    }
    Status::Clean
}

fn invalid(number: usize, why: String) -> Evaluation {
    Evaluation::unknown(Code::InvalidInput, format!("line {number}: {why}"))
}

/// One batch line: its id (as given, or null) and the evaluation.
fn evaluate_line(line: &[u8], number: usize, default_zone: &TrustZone) -> (Value, Evaluation) {
    let obj: Map<String, Value> = match serde_json::from_slice::<Value>(line) {
        Ok(Value::Object(o)) => o,
        Ok(other) => return (Value::Null, invalid(number, format!("expected a JSON object, got {}", policy::json_type_name(&other)))),
        Err(e) => return (Value::Null, invalid(number, format!("not valid JSON: {e}"))),
    };
    let id = obj.get("id").cloned().unwrap_or(Value::Null);
    let zone = match line_zone(&obj, default_zone) {
        Ok(z) => z,
        Err(why) => return (id, invalid(number, why)),
    };
    let eval = match obj.get("policy") {
        None => invalid(number, "no `policy` field".into()),
        Some(Value::String(text)) => policy::evaluate_bytes(text.as_bytes(), &zone),
        Some(v @ Value::Object(_)) => match policy::unwrap_get_key_policy(v.clone()) {
            Ok(doc) => policy::evaluate(&doc, &zone),
            Err(why) => invalid(number, why),
        },
        Some(other) => policy::evaluate(other, &zone),
    };
    (id, eval)
}

fn line_zone(obj: &Map<String, Value>, default_zone: &TrustZone) -> Result<TrustZone, String> {
    let keys = ["account", "trusted_accounts", "trusted_orgs", "trusted_ips"];
    if !keys.iter().any(|k| obj.contains_key(*k)) {
        return Ok(default_zone.clone());
    }
    let account = match obj.get("account") {
        None | Some(Value::Null) => default_zone.owner_account.clone(),
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => return Err(format!("`account` is a {}, not a string", policy::json_type_name(other))),
    };
    let list = |key: &str| -> Result<Vec<String>, String> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    other => Err(format!("`{key}` holds a {}, not a string", policy::json_type_name(other))),
                })
                .collect(),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(other) => Err(format!("`{key}` is a {}, not a list", policy::json_type_name(other))),
        }
    };
    let mut accounts = default_zone.trusted_accounts.clone();
    accounts.extend(list("trusted_accounts")?);
    let mut orgs = default_zone.trusted_orgs.clone();
    orgs.extend(list("trusted_orgs")?);
    let ips = list("trusted_ips")?;
    let mut zone = TrustZone::from_input(account.as_deref(), &accounts, &orgs, &ips)?;
    zone.trusted_ips.extend(default_zone.trusted_ips.iter().copied());
    Ok(zone)
}
