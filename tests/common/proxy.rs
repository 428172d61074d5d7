//! A small HTTP proxy between the SDK and moto, on loopback, for what the emulator cannot do:
//! paging ListKeys/ListAliases (moto ignores `Limit`), failing chosen calls with chosen AWS
//! errors, marking a key AWS-managed, and counting requests per API action.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

/// A call to fail: by action, optionally only in a region or for a body containing a text.
#[derive(Debug, Clone)]
pub struct Fail {
    /// The API action (`ListKeys`, `GetKeyPolicy`, ...).
    pub action: String,
    /// Only requests signed for this region.
    pub region: Option<String>,
    /// Only requests whose body contains this (e.g. a key id).
    pub body_contains: Option<String>,
    /// HTTP status to answer.
    pub status: u16,
    /// The AWS error code (`AccessDeniedException`, ...).
    pub code: String,
}

/// What the proxy does.
#[derive(Debug, Default, Clone)]
pub struct Rules {
    /// Page ListKeys / ListAliases answers into pages of this many entries.
    pub page_size: Option<usize>,
    /// Calls to fail.
    pub fail: Vec<Fail>,
    /// Key ids whose DescribeKey answer is rewritten to `KeyManager: AWS`.
    pub aws_managed: Vec<String>,
    /// Findings to reject in BatchImportFindings: (text in the finding Id, error code, how
    /// many times). They are removed from the forwarded request and returned in
    /// `FailedFindings`, as Security Hub does.
    pub reject_findings: Vec<(String, String, u32)>,
    /// Random faults on a share of requests.
    pub faults: Faults,
}

/// Random faults, each on a share of requests (0.0 to 1.0), drawn from a seeded generator.
#[derive(Debug, Default, Clone)]
pub struct Faults {
    /// Throttling: KMS `ThrottlingException` (400) or Security Hub `TooManyRequestsException` (429).
    pub throttle: f64,
    /// 500 or 503, alternately.
    pub server_error: f64,
    /// Connection closed without an answer.
    pub reset: f64,
    /// Added to every answer.
    pub delay: Option<std::time::Duration>,
    /// Only these actions get faults (all when empty).
    pub actions: Vec<String>,
    /// The generator's seed.
    pub seed: u64,
}

/// A running proxy.
pub struct Proxy {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// Requests seen per action.
    pub counts: Arc<Mutex<HashMap<String, u64>>>,
    /// Faults injected per kind (`throttle`, `5xx`, `reset`).
    pub injected: Arc<Mutex<HashMap<String, u64>>>,
}

/// A small deterministic generator (xorshift), so fault runs are repeatable.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl Proxy {
    /// Starts a proxy in front of `upstream` (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str, rules: Rules) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("proxy bind: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let upstream = upstream.trim_start_matches("http://").to_string();
        let counts = Arc::new(Mutex::new(HashMap::new()));
        let rejects = Arc::new(Mutex::new(rules.reject_findings.clone()));
        let injected = Arc::new(Mutex::new(HashMap::new()));
        let dice = Arc::new(Mutex::new(Dice(rules.faults.seed.max(1) ^ 0x9E37_79B9_7F4A_7C15)));
        let rules = Arc::new(rules);
        let (c, inj) = (counts.clone(), injected.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = Shared { rules: rules.clone(), counts: c.clone(), rejects: rejects.clone(), injected: inj.clone(), dice: dice.clone() };
                let up = upstream.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &up, &shared);
                });
            }
        });
        Proxy { endpoint: format!("http://127.0.0.1:{port}"), counts, injected }
    }

    /// Requests seen for `action`.
    pub fn count(&self, action: &str) -> u64 {
        self.counts.lock().map(|c| c.get(action).copied().unwrap_or(0)).unwrap_or(0)
    }

    /// Faults injected of a kind.
    pub fn injected(&self, kind: &str) -> u64 {
        self.injected.lock().map(|c| c.get(kind).copied().unwrap_or(0)).unwrap_or(0)
    }
}

struct Shared {
    rules: Arc<Rules>,
    counts: Arc<Mutex<HashMap<String, u64>>>,
    rejects: Arc<Mutex<Vec<(String, String, u32)>>>,
    injected: Arc<Mutex<HashMap<String, u64>>>,
    dice: Arc<Mutex<Dice>>,
}

enum Fault {
    Throttle,
    ServerError(u16),
    Reset,
}

fn draw(shared: &Shared, action: &str) -> Option<Fault> {
    let f = &shared.rules.faults;
    if !f.actions.is_empty() && !f.actions.iter().any(|a| a == action) {
        return None;
    }
    let roll = shared.dice.lock().map(|mut d| d.next()).unwrap_or(1.0);
    let fault = if roll < f.throttle {
        Fault::Throttle
    } else if roll < f.throttle + f.server_error {
        Fault::ServerError(if (roll * 1000.0) as u64 % 2 == 0 { 500 } else { 503 })
    } else if roll < f.throttle + f.server_error + f.reset {
        Fault::Reset
    } else {
        return None;
    };
    let kind = match fault {
        Fault::Throttle => "throttle",
        Fault::ServerError(_) => "5xx",
        Fault::Reset => "reset",
    };
    if let Ok(mut c) = shared.injected.lock() {
        *c.entry(kind.to_string()).or_insert(0) += 1;
    }
    Some(fault)
}

struct Message {
    head: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn read_message(reader: &mut BufReader<TcpStream>, until_eof: bool) -> std::io::Result<Option<Message>> {
    let mut head = String::new();
    if reader.read_line(&mut head)? == 0 {
        return Ok(None);
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let mut msg = Message { head: head.trim_end().to_string(), headers, body: Vec::new() };
    if msg.header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk)?;
            chunk.truncate(n);
            msg.body.extend(chunk);
            if n == 0 {
                break;
            }
        }
    } else if let Some(len) = msg.header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        let mut body = vec![0; len];
        reader.read_exact(&mut body)?;
        msg.body = body;
    } else if until_eof {
        reader.read_to_end(&mut msg.body)?;
    }
    Ok(Some(msg))
}

fn region_of(req: &Message) -> String {
    // Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/kms/aws4_request, ...
    req.header("authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').nth(2))
        .unwrap_or_default()
        .to_string()
}

fn respond(stream: &mut TcpStream, status: u16, content_type: &str, body: &[u8]) -> std::io::Result<()> {
    let reason = if status == 200 { "OK" } else { "Error" };
    write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-RequestId: proxy\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    stream.flush()
}

fn forward(req: &Message, upstream: &str) -> std::io::Result<Message> {
    let mut up = TcpStream::connect(upstream)?;
    write!(up, "{}\r\n", req.head)?;
    for (k, v) in &req.headers {
        if k.eq_ignore_ascii_case("connection") || k.eq_ignore_ascii_case("transfer-encoding") || k.eq_ignore_ascii_case("content-length") {
            continue;
        }
        write!(up, "{k}: {v}\r\n")?;
    }
    write!(up, "Content-Length: {}\r\nConnection: close\r\n\r\n", req.body.len())?;
    up.write_all(&req.body)?;
    up.flush()?;
    let mut reader = BufReader::new(up);
    read_message(&mut reader, true)?.ok_or_else(|| std::io::Error::other("no response from upstream"))
}

fn page(body: &[u8], request: &[u8], list_key: &str, size: usize) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let start: usize = serde_json::from_slice::<Value>(request)
        .ok()
        .and_then(|r| r.get("Marker").and_then(Value::as_str).and_then(|m| m.parse().ok()))
        .unwrap_or(0);
    let all = v.get(list_key).and_then(Value::as_array).cloned().unwrap_or_default();
    let end = (start + size).min(all.len());
    let slice: Vec<Value> = all.get(start..end).map(<[Value]>::to_vec).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        obj.insert(list_key.into(), Value::Array(slice));
        obj.insert("Truncated".into(), json!(end < all.len()));
        if end < all.len() {
            obj.insert("NextMarker".into(), json!(end.to_string()));
        } else {
            obj.remove("NextMarker");
        }
    }
    serde_json::to_vec(&v).unwrap_or_default()
}

/// The API action: from `X-Amz-Target` (JSON protocols), the `Action=` form field (STS), or
/// the method and path (Security Hub's REST API).
fn action_of(req: &Message) -> String {
    if let Some(t) = req.header("x-amz-target").and_then(|t| t.split('.').nth(1)) {
        return t.to_string();
    }
    let body = String::from_utf8_lossy(&req.body);
    if let Some(a) = body.split('&').find_map(|kv| kv.strip_prefix("Action=")) {
        return a.to_string();
    }
    let mut parts = req.head.split_whitespace();
    let method = parts.next().unwrap_or_default();
    let path = parts.next().unwrap_or_default().split('?').next().unwrap_or_default();
    match (method, path) {
        ("POST", "/findings/import") => "BatchImportFindings",
        ("POST", "/findings") => "GetFindings",
        ("GET", "/accounts") => "DescribeHub",
        ("POST", "/accounts") => "EnableSecurityHub",
        ("GET", "/productSubscriptions") => "ListEnabledProductsForImport",
        _ => "other",
    }
    .to_string()
}

/// Removes the findings a reject rule matches; returns the rejected (Id, code) pairs.
fn reject(req: &mut Message, rules: &Mutex<Vec<(String, String, u32)>>) -> Vec<(String, String)> {
    let Ok(mut body) = serde_json::from_slice::<Value>(&req.body) else { return Vec::new() };
    let Ok(mut rules) = rules.lock() else { return Vec::new() };
    let mut rejected = Vec::new();
    if let Some(findings) = body.get_mut("Findings").and_then(Value::as_array_mut) {
        findings.retain(|f| {
            let id = f.get("Id").and_then(Value::as_str).unwrap_or_default();
            for rule in rules.iter_mut() {
                if rule.2 > 0 && id.contains(rule.0.as_str()) {
                    rule.2 -= 1;
                    rejected.push((id.to_string(), rule.1.clone()));
                    return false;
                }
            }
            true
        });
    }
    req.body = serde_json::to_vec(&body).unwrap_or_default();
    rejected
}

fn serve(stream: TcpStream, upstream: &str, shared: &Shared) -> std::io::Result<()> {
    let rules = &*shared.rules;
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_message(&mut reader, false)? {
        let action = action_of(&req);
        if let Ok(mut c) = shared.counts.lock() {
            *c.entry(action.clone()).or_insert(0) += 1;
        }
        if let Some(d) = rules.faults.delay {
            std::thread::sleep(d);
        }
        let rest = req.header("x-amz-target").is_none();
        match draw(shared, &action) {
            Some(Fault::Reset) => {
                let _ = out.shutdown(std::net::Shutdown::Both);
                return Ok(());
            }
            Some(Fault::Throttle) => {
                let (status, code) = if rest { (429, "TooManyRequestsException") } else { (400, "ThrottlingException") };
                let body = json!({"__type": code, "message": "Rate exceeded (injected by the test proxy)"});
                respond(&mut out, status, "application/x-amz-json-1.1", body.to_string().as_bytes())?;
                continue;
            }
            Some(Fault::ServerError(status)) => {
                let body = json!({"__type": "InternalFailure", "message": "injected by the test proxy"});
                respond(&mut out, status, "application/x-amz-json-1.1", body.to_string().as_bytes())?;
                continue;
            }
            None => {}
        }
        let region = region_of(&req);
        let body_text = String::from_utf8_lossy(&req.body).to_string();
        if let Some(f) = rules.fail.iter().find(|f| {
            f.action == action
                && f.region.as_ref().is_none_or(|r| *r == region)
                && f.body_contains.as_ref().is_none_or(|t| body_text.contains(t.as_str()))
        }) {
            let body = json!({"__type": f.code, "message": format!("injected by the test proxy for {action}")});
            respond(&mut out, f.status, "application/x-amz-json-1.1", body.to_string().as_bytes())?;
            continue;
        }
        let mut req = req;
        let rejected = if action == "BatchImportFindings" { reject(&mut req, &shared.rejects) } else { Vec::new() };
        let resp = forward(&req, upstream)?;
        let status: u16 = resp.head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(500);
        let mut body = resp.body.clone();
        if status == 200 {
            match (action.as_str(), rules.page_size) {
                ("ListKeys", Some(n)) => body = page(&body, &req.body, "Keys", n),
                ("ListAliases", Some(n)) => body = page(&body, &req.body, "Aliases", n),
                ("BatchImportFindings", _) if !rejected.is_empty() => {
                    let mut v: Value = serde_json::from_slice(&body).unwrap_or(json!({}));
                    let failed: Vec<Value> = rejected
                        .iter()
                        .map(|(id, code)| json!({"Id": id, "ErrorCode": code, "ErrorMessage": "rejected by the test proxy"}))
                        .collect();
                    if let Some(o) = v.as_object_mut() {
                        let n = failed.len() as u64;
                        o.insert("FailedFindings".into(), Value::Array(failed));
                        o.insert("FailedCount".into(), json!(n));
                    }
                    body = serde_json::to_vec(&v).unwrap_or_default();
                }
                ("DescribeKey", _) if rules.aws_managed.iter().any(|k| body_text.contains(k.as_str())) => {
                    let mut v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    if let Some(m) = v.get_mut("KeyMetadata").and_then(Value::as_object_mut) {
                        m.insert("KeyManager".into(), json!("AWS"));
                    }
                    body = serde_json::to_vec(&v).unwrap_or_default();
                }
                _ => {}
            }
        }
        let content_type = resp.header("content-type").unwrap_or("application/x-amz-json-1.1").to_string();
        respond(&mut out, status, &content_type, &body)?;
    }
    Ok(())
}
