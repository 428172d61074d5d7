//! A real AWS emulator for tests: moto server on 127.0.0.1, one per test, stopped on drop.
//! `make test` installs it in `.venv`; seeding uses the real AWS SDK over HTTP.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;

/// A running moto server.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

fn moto_command() -> Command {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = root.join(".venv/bin/python");
    assert!(python.exists(), "{} not found: run `make venv` (make test installs moto in .venv)", python.display());
    let mut cmd = Command::new(python);
    cmd.arg(root.join("tests/validators/moto_fast.py"));
    cmd
}

impl Moto {
    /// Starts moto on a free loopback port and waits until it answers.
    pub fn start() -> Moto {
        Moto::start_with_account(None)
    }

    /// Starts moto with `MOTO_ACCOUNT_ID` set, so GetCallerIdentity returns that account.
    pub fn start_with_account(account: Option<&str>) -> Moto {
        let port = free_port();
        let mut cmd = moto_command();
        cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()]).stdout(Stdio::null()).stderr(Stdio::null());
        if let Some(a) = account {
            cmd.env("MOTO_ACCOUNT_ID", a);
        }
        let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start moto_server: {e}"));
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto { child, endpoint: format!("http://127.0.0.1:{port}") }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An SDK config pointing at `endpoint` with dummy credentials.
pub async fn sdk_config(endpoint: &str, region: &str) -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_kms::config::Credentials::new("testing", "testing", None, None, "tests"))
        .load()
        .await
}

/// A KMS client for seeding.
pub async fn kms(endpoint: &str, region: &str) -> aws_sdk_kms::Client {
    aws_sdk_kms::Client::new(&sdk_config(endpoint, region).await)
}

/// Creates a key with `policy` (JSON), optional alias and tags; returns its id.
pub async fn create_key(client: &aws_sdk_kms::Client, policy: &serde_json::Value, alias: Option<&str>, tags: &[(&str, &str)]) -> String {
    let mut req = client.create_key().policy(policy.to_string()).description("test key");
    for (k, v) in tags {
        req = req.tags(aws_sdk_kms::types::Tag::builder().tag_key(*k).tag_value(*v).build().unwrap_or_else(|e| panic!("{e}")));
    }
    let out = req.send().await.unwrap_or_else(|e| panic!("CreateKey: {e:?}"));
    let id = out.key_metadata().map(|m| m.key_id().to_string()).unwrap_or_default();
    if let Some(a) = alias {
        client.create_alias().alias_name(a).target_key_id(&id).send().await.unwrap_or_else(|e| panic!("CreateAlias: {e:?}"));
    }
    id
}

/// Runs the binary with the emulator's endpoint and dummy credentials, nothing else from
/// the environment that could send traffic elsewhere.
pub fn run_cli(endpoint: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kms-exposure"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/kms-exposure-test-config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/kms-exposure-test-credentials")
        .output()
        .unwrap_or_else(|e| panic!("cannot run kms-exposure: {e}"))
}

/// A fresh output directory for one test.
pub fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kms-exposure-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Reads the single OCSF file a scan wrote into `dir`.
pub fn read_ocsf(dir: &std::path::Path) -> Vec<serde_json::Value> {
    let path = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(".ocsf.json"))
        .unwrap_or_else(|| panic!("no OCSF file in {}", dir.display()));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    v.as_array().cloned().unwrap_or_default()
}
