//! AWS clients: configuration from the standard chain, one TLS stack, retries;
//! and conversion of SDK shapes into the typed [`model`](crate::model).

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_cloudformation as cfn;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};

use crate::error::Error;
use crate::model::{
    ChangeAction, PropertyChange, Replacement, ResourceChange, ResourceStatus, StackEvent, StackInfo, StackOutput,
    StackStatus,
};

/// Where to find credentials and which region to use. Unset fields fall back
/// to the standard AWS chain (`AWS_PROFILE`, `AWS_REGION`, `~/.aws/config`,
/// `AWS_ENDPOINT_URL`, instance metadata, ...).
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    /// Named profile (overrides `AWS_PROFILE`).
    pub profile: Option<String>,
    /// Region (overrides `AWS_REGION` and the profile's region).
    pub region: Option<String>,
}

/// The clients deploy uses.
#[derive(Debug, Clone)]
pub struct Clients {
    /// CloudFormation.
    pub cloudformation: cfn::Client,
    /// S3 (the assets bucket for large templates).
    pub s3: aws_sdk_s3::Client,
    /// STS (the account id, to name the assets bucket).
    pub sts: aws_sdk_sts::Client,
    /// The resolved region.
    pub region: String,
    /// The configuration the clients were built from (credentials chain,
    /// endpoint, retries), to build clients for other regions. None for
    /// hand-built (test) clients: those serve their own region only.
    pub config: Option<aws_config::SdkConfig>,
}

/// The retry policy: adaptive mode (client-side rate limiting after
/// throttling), up to 10 attempts, exponential backoff with jitter capped at
/// 20 s. Throttling (`Throttling`, `ThrottlingException`, HTTP 429) and
/// transient errors (5xx, timeouts, connection resets) are retried.
pub fn retry_config() -> RetryConfig {
    RetryConfig::adaptive()
        .with_max_attempts(10)
        .with_initial_backoff(Duration::from_millis(500))
        .with_max_backoff(Duration::from_secs(20))
}

/// Timeouts: 5 s to connect, 30 s per attempt (`STACKCRAFT_ATTEMPT_TIMEOUT_MS`
/// overrides), three attempts' worth per operation including retries: an
/// endpoint that accepts connections and never answers cannot hang a run.
pub fn timeout_config() -> aws_config::timeout::TimeoutConfig {
    let attempt = std::env::var("STACKCRAFT_ATTEMPT_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(Duration::from_secs(30));
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5).min(attempt))
        .read_timeout(attempt)
        .operation_attempt_timeout(attempt)
        .operation_timeout(attempt * 3)
        .build()
}

/// The profile names in the shared config and credentials files.
pub fn known_profiles() -> Vec<String> {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(std::path::PathBuf::from);
    let file = |var: &str, default: &str| {
        std::env::var_os(var).map(std::path::PathBuf::from).or_else(|| home.as_ref().map(|h| h.join(default)))
    };
    let mut names = Vec::new();
    for (path, is_config) in [
        (file("AWS_CONFIG_FILE", ".aws/config"), true),
        (file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials"), false),
    ] {
        let Some(text) = path.and_then(|p| std::fs::read_to_string(p).ok()) else { continue };
        for line in text.lines() {
            let Some(section) = line.trim().strip_prefix('[').and_then(|l| l.strip_suffix(']')) else { continue };
            let section = section.trim();
            let name = match section.strip_prefix("profile ") {
                Some(n) => n.trim(),
                None if !is_config || section == "default" => section,
                None => continue,
            };
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    names
}

fn check_profile_exists(profile: &str) -> Result<(), Error> {
    let known = known_profiles();
    if known.iter().any(|k| k == profile) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "AWS profile {profile:?} not found in the AWS config or credentials file (profiles there: {})",
        if known.is_empty() { "none".to_string() } else { known.join(", ") }
    )))
}

impl Clients {
    /// Load the configuration from the standard chain, apply `opts`, and
    /// build the clients.
    pub async fn connect(opts: &AwsOptions) -> Result<Clients, Error> {
        use aws_smithy_http_client::tls;
        // The HTTPS client: hyper + rustls with the `ring` provider (no C
        // build of aws-lc-sys, one TLS stack).
        let https = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(https.clone())
            .retry_config(retry_config())
            .timeout_config(timeout_config());
        if let Some(p) = &opts.profile {
            check_profile_exists(p)?;
            // The profile's credentials, not whatever the environment holds:
            // `--profile` must never be silently ignored.
            let provider_config = aws_config::provider_config::ProviderConfig::without_region()
                .with_http_client(https)
                .with_region(opts.region.clone().map(Region::new));
            let creds = aws_config::profile::ProfileFileCredentialsProvider::builder()
                .configure(&provider_config)
                .profile_name(p)
                .build();
            loader = loader.profile_name(p).credentials_provider(creds);
        }
        if let Some(r) = &opts.region {
            loader = loader.region(Region::new(r.clone()));
        }
        let conf = loader.load().await;
        let region = conf.region().map(|r| r.to_string()).ok_or_else(|| {
            Error::Usage("no AWS region: set AWS_REGION, a region in your AWS profile, or pass --region".into())
        })?;
        Ok(Clients::from_config(conf, region))
    }

    fn from_config(conf: aws_config::SdkConfig, region: String) -> Clients {
        // A custom endpoint (an emulator on loopback, a VPC endpoint) cannot
        // serve virtual-hosted bucket names: use path-style addressing there.
        let s3_conf = aws_sdk_s3::config::Builder::from(&conf).force_path_style(conf.endpoint_url().is_some()).build();
        Clients {
            cloudformation: cfn::Client::new(&conf),
            s3: aws_sdk_s3::Client::from_conf(s3_conf),
            sts: aws_sdk_sts::Client::new(&conf),
            region,
            config: Some(conf),
        }
    }

    /// Clients for `region`, with the same credentials, endpoint and retry
    /// policy; None for hand-built clients of another region.
    pub fn for_region(&self, region: &str) -> Option<Clients> {
        if region == self.region {
            return Some(self.clone());
        }
        let conf = self.config.as_ref()?.to_builder().region(Region::new(region.to_string())).build();
        Some(Clients::from_config(conf, region.to_string()))
    }
}

/// Turn an SDK error into [`Error::Aws`], or [`Error::Connection`] when no
/// answer came (connect failure, timeout, broken response): then the
/// request may or may not have reached CloudFormation.
pub(crate) fn aws_err<E, R>(operation: &'static str, stack: &str, e: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let detail = || aws_smithy_types::error::display::DisplayErrorContext(&e).to_string();
    match &e {
        SdkError::TimeoutError(_) => {
            return Error::Connection {
                operation,
                stack: stack.to_string(),
                cause: "no answer in time".into(),
                detail: detail(),
                hint: None,
            }
        }
        SdkError::DispatchFailure(d) => {
            let cause = if detail().to_ascii_lowercase().contains("credential") {
                "no usable credentials"
            } else if d.is_timeout() {
                "no answer in time"
            } else if d.is_io() {
                "the connection failed"
            } else if d.is_user() {
                "the request could not be sent (credentials or configuration)"
            } else {
                "the request could not be sent"
            };
            return Error::Connection {
                operation,
                stack: stack.to_string(),
                cause: cause.into(),
                detail: detail(),
                hint: None,
            };
        }
        SdkError::ResponseError(_) => {
            return Error::Connection {
                operation,
                stack: stack.to_string(),
                cause: "the response was cut off or unreadable".into(),
                detail: detail(),
                hint: None,
            }
        }
        _ => {}
    }
    let code = e.code().map(str::to_string);
    let message = match e.message() {
        Some(m) => match &code {
            Some(c) => format!("{c}: {m}"),
            None => m.to_string(),
        },
        None => detail(),
    };
    Error::Aws { operation, stack: stack.to_string(), code, message }
}

/// Whether `e` says the stack does not exist.
pub(crate) fn is_missing_stack<E: ProvideErrorMetadata>(e: &E) -> bool {
    e.code() == Some("ValidationError") && e.message().is_some_and(|m| m.contains("does not exist"))
}

pub(crate) fn stack_info(s: &cfn::types::Stack) -> StackInfo {
    StackInfo {
        stack_id: s.stack_id().unwrap_or_default().to_string(),
        stack_name: s.stack_name().unwrap_or_default().to_string(),
        status: StackStatus::parse(s.stack_status().map(|s| s.as_str()).unwrap_or_default()),
        reason: s.stack_status_reason().map(str::to_string),
        termination_protection: s.enable_termination_protection().unwrap_or(false),
        outputs: s
            .outputs()
            .iter()
            .map(|o| StackOutput {
                key: o.output_key().unwrap_or_default().to_string(),
                value: o.output_value().unwrap_or_default().to_string(),
                description: o.description().map(str::to_string),
                export_name: o.export_name().map(str::to_string),
            })
            .collect(),
    }
}

pub(crate) fn stack_event(e: &cfn::types::StackEvent) -> StackEvent {
    StackEvent {
        event_id: e.event_id().unwrap_or_default().to_string(),
        logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
        physical_id: e.physical_resource_id().map(str::to_string),
        resource_type: e.resource_type().unwrap_or_default().to_string(),
        timestamp: e.timestamp().and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok()),
        status: ResourceStatus::parse(e.resource_status().map(|s| s.as_str()).unwrap_or_default()),
        reason: e.resource_status_reason().map(str::to_string),
    }
}

pub(crate) fn resource_change(c: &cfn::types::Change) -> Option<ResourceChange> {
    let r = c.resource_change()?;
    let action = match r.action().map(|a| a.as_str()).unwrap_or_default() {
        "Add" => ChangeAction::Add,
        "Modify" => ChangeAction::Modify,
        "Remove" => ChangeAction::Remove,
        "Import" => ChangeAction::Import,
        "Dynamic" => ChangeAction::Dynamic,
        other => ChangeAction::Other(other.to_string()),
    };
    let replacement = r.replacement().and_then(|x| match x.as_str() {
        "True" => Some(Replacement::True),
        "False" => Some(Replacement::False),
        "Conditional" => Some(Replacement::Conditional),
        _ => None,
    });
    let details = r
        .details()
        .iter()
        .map(|d| {
            let t = d.target();
            PropertyChange {
                attribute: t.and_then(|t| t.attribute()).map(|a| a.as_str().to_string()).unwrap_or_default(),
                name: t.and_then(|t| t.name()).map(str::to_string),
                requires_recreation: t.and_then(|t| t.requires_recreation()).map(|r| r.as_str().to_string()),
                change_source: d.change_source().map(|s| s.as_str().to_string()),
                causing_entity: d.causing_entity().map(str::to_string),
                before: t.and_then(|t| t.before_value()).map(str::to_string),
                after: t.and_then(|t| t.after_value()).map(str::to_string),
            }
        })
        .collect();
    Some(ResourceChange {
        action,
        logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
        physical_id: r.physical_resource_id().map(str::to_string),
        resource_type: r.resource_type().unwrap_or_default().to_string(),
        replacement,
        details,
    })
}
