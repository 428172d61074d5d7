//! The inventory layer: credentials, regions and the KMS calls that read each key, with
//! bounded concurrency, client-side pacing and the SDK's adaptive retries. It returns plain
//! data (key metadata, policy text, tags, or the failed call); the engine decides.

pub mod kms;
pub mod pace;
pub mod regions;

use std::time::Duration;

use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_kms::error::{ProvideErrorMetadata, SdkError};

/// How to reach AWS: Prowler's credential and retry flags.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    /// A named profile (`-p`).
    pub profile: Option<String>,
    /// A role to assume (`-R`).
    pub role: Option<String>,
    /// The external id for the role (`-I`).
    pub external_id: Option<String>,
    /// The assumed role's session length in seconds (`-T`).
    pub session_duration: Option<u64>,
    /// Attempts per request, including the first (`--aws-retries-max-attempts`).
    pub max_attempts: u32,
    /// The adaptive retry mode (else standard).
    pub adaptive: bool,
    /// The longest backoff between attempts, in seconds (0: the SDK's default).
    pub max_backoff_secs: u64,
    /// A region for STS when none is configured (the first `-f` region, else us-east-1).
    pub home_region: Option<String>,
}

/// A connected session: the SDK configuration and who we are.
#[derive(Debug, Clone)]
pub struct Session {
    /// Shared SDK configuration (credentials, retries, endpoint from `AWS_ENDPOINT_URL`).
    pub config: SdkConfig,
    /// The audited account id.
    pub account: String,
    /// The partition (`aws`, `aws-cn`, `aws-us-gov`).
    pub partition: String,
    /// The caller's ARN.
    pub caller_arn: String,
    /// How the credentials were obtained, for the CSV `AUTH_METHOD` column.
    pub auth_method: String,
}

/// Describes a failed SDK call by operation, error code and message, never by credentials.
pub fn describe_error<E, R>(operation: &str, err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let code = e.code().unwrap_or("UnknownError");
            match e.message() {
                Some(m) if !m.is_empty() => format!("{operation} failed: {code}: {m}"),
                _ => format!("{operation} failed: {code}"),
            }
        }
        SdkError::TimeoutError(_) => format!("{operation} failed: the request timed out"),
        SdkError::DispatchFailure(d) => {
            let kind = if d.is_timeout() {
                "timeout"
            } else if d.is_io() {
                "connection error"
            } else {
                "dispatch failure"
            };
            format!("{operation} failed: {kind}: {}", aws_smithy_error_chain(err))
        }
        _ => format!("{operation} failed: {}", aws_smithy_error_chain(err)),
    }
}

/// The error code of a failed call, when the service sent one.
pub fn error_code<E, R>(err: &SdkError<E, R>) -> Option<String>
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::ServiceError(service) => service.err().code().map(str::to_string),
        _ => None,
    }
}

fn aws_smithy_error_chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.contains(&text) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// Loads credentials (default chain, profile, or assumed role) and asks STS who we are.
pub async fn connect(opts: &AwsOptions) -> Result<Session, String> {
    let home = opts.home_region.clone().unwrap_or_else(|| "us-east-1".to_string());
    let mut retry = if opts.adaptive { RetryConfig::adaptive() } else { RetryConfig::standard() };
    retry = retry.with_max_attempts(opts.max_attempts.max(1));
    if opts.max_backoff_secs > 0 {
        retry = retry.with_max_backoff(Duration::from_secs(opts.max_backoff_secs));
    }
    let region = RegionProviderChain::default_provider().or_else(Region::new(home));
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).region(region).retry_config(retry);
    if let Some(profile) = &opts.profile {
        loader = loader.profile_name(profile);
    }
    let mut config = loader.load().await;
    let mut auth_method = match &opts.profile {
        Some(p) => format!("profile: {p}"),
        None => "default credential chain".to_string(),
    };
    if let Some(role) = &opts.role {
        let mut builder = AssumeRoleProvider::builder(role.clone()).session_name("kms-exposure").configure(&config);
        if let Some(id) = &opts.external_id {
            builder = builder.external_id(id.clone());
        }
        if let Some(secs) = opts.session_duration {
            builder = builder.session_length(Duration::from_secs(secs));
        }
        let provider = builder.build().await;
        config = config
            .into_builder()
            .credentials_provider(aws_sdk_kms::config::SharedCredentialsProvider::new(provider))
            .build();
        auth_method = format!("assumed role: {role}");
    }
    if config.credentials_provider().is_none() {
        return Err("no AWS credentials found: set AWS_PROFILE or use -p PROFILE, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into());
    }
    let sts = aws_sdk_sts::Client::new(&config);
    let who = sts.get_caller_identity().send().await.map_err(|e| {
        let mut why = describe_error("sts:GetCallerIdentity", &e);
        if opts.role.is_some() {
            why.push_str(" (check that the role exists, trusts your identity, and the external id if it needs one)");
        } else {
            why.push_str(" (check your credentials: aws sts get-caller-identity)");
        }
        why
    })?;
    let account = who.account().unwrap_or_default().to_string();
    let caller_arn = who.arn().unwrap_or_default().to_string();
    let partition = caller_arn.split(':').nth(1).filter(|p| !p.is_empty()).unwrap_or("aws").to_string();
    if account.is_empty() {
        return Err("sts:GetCallerIdentity returned no account id".into());
    }
    Ok(Session { config, account, partition, caller_arn, auth_method })
}
