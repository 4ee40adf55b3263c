//! AWS grants: a plugin calls an AWS service without holding a credential.
//!
//! The plugin sends a plain WASI HTTP request to `https://<name>.aws.internal/<path>`, where
//! `<name>` is the name of an AWS grant (`aws = [{ service = "s3", … }]` in a `[[grant]]`; the
//! name defaults to the service). The host's outbound hook ([`crate::runtime`]) rewrites it to
//! the grant's endpoint, strips the guest's own signing headers, and signs it (SigV4, the
//! grant's service and region) with the credentials of the grant's IAM role: STS AssumeRole
//! from the worker's own credential chain, one session per (grant, artifact) named after the
//! artifact's digest, refreshed before it expires. Without a role, the worker's own credentials
//! are used, but only when the grant says `use_worker_credentials = true`.
//!
//! A request straight to an AWS endpoint (`*.amazonaws.com`) is signed the same way if an AWS
//! grant's endpoint is that origin, and denied otherwise, whatever `allowed_outbound_hosts`
//! says: a plugin never talks to AWS with credentials of its own.

use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use serde::Deserialize;

use super::pattern::{Origin, OriginHost};
use crate::swf::CredentialSource;

/// The domain of the virtual hosts plugins address AWS grants by.
pub const VIRTUAL_DOMAIN: &str = "aws.internal";

/// One AWS service a plugin may call (`aws = [...]` in a `[[grant]]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsGrant {
    /// The name the plugin uses: it sends to `https://<name>.aws.internal`. Default: `service`.
    pub name: Option<String>,
    /// The SigV4 signing name (`s3`, `dynamodb`, `sqs`, `ses`, …).
    pub service: String,
    /// The region requests are signed for.
    pub region: String,
    /// Where requests go. Default: `https://<service>.<region>.amazonaws.com`.
    pub endpoint: Option<String>,
    /// The IAM role assumed for the plugin's requests.
    pub role: Option<String>,
    /// Without a role, sign with the worker's own credentials (must be said explicitly).
    #[serde(default)]
    pub use_worker_credentials: bool,
    /// Length of an assumed-role session. Default 3600 s (STS allows 900 s to the role's max).
    pub session_seconds: Option<u64>,
    /// How long before expiry a session is renewed. Default 300 s.
    pub refresh_before_expiry_secs: Option<u64>,
}

impl AwsGrant {
    /// The virtual host name.
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.service)
    }

    /// The endpoint URL.
    pub fn endpoint_url(&self) -> String {
        self.endpoint
            .clone()
            .unwrap_or_else(|| format!("https://{}.{}.amazonaws.com", self.service, self.region))
    }

    /// What is wrong with the grant, if anything.
    pub(crate) fn problem(&self) -> Option<String> {
        if self.role.is_none() && !self.use_worker_credentials {
            return Some(format!(
                "AWS grant {:?} has no role; give `role = \"arn:…\"`, or `use_worker_credentials = true` to sign with the worker's own credentials",
                self.name()
            ));
        }
        if Endpoint::parse(&self.endpoint_url()).is_none() {
            return Some(format!(
                "AWS grant {:?}: invalid endpoint {:?} (expected http(s)://host[:port][/path])",
                self.name(),
                self.endpoint_url()
            ));
        }
        let name = self.name();
        let label = name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !name.is_empty()
            && name.len() <= 63
            && !name.starts_with('-')
            && !name.ends_with('-');
        if !label {
            return Some(format!(
                "AWS grant name {name:?}: one DNS label of lower-case letters, digits and inner '-' (the plugin sends to https://<name>.aws.internal)"
            ));
        }
        None
    }
}

/// A parsed endpoint: origin and base path.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Scheme, host, port.
    pub origin: Origin,
    /// The path prefix (no trailing slash), usually empty.
    pub base_path: String,
}

impl Endpoint {
    fn parse(url: &str) -> Option<Endpoint> {
        let origin = Origin::of_url(url)?;
        let rest = url.split_once("://")?.1;
        let base_path = rest
            .find('/')
            .map(|i| rest[i..].trim_end_matches('/').to_owned())
            .unwrap_or_default();
        (!base_path.contains(['?', '#'])).then_some(Endpoint { origin, base_path })
    }
}

/// One AWS grant as it applies to one artifact.
pub struct AwsTarget {
    /// The virtual host name.
    pub name: String,
    /// The signing name.
    pub service: String,
    /// The signing region.
    pub region: String,
    /// Where requests go.
    pub endpoint: Endpoint,
    /// The role, if any (for display).
    pub role: Option<String>,
    /// The credentials requests are signed with.
    pub credentials: Arc<CredentialSource>,
}

impl std::fmt::Debug for AwsTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsTarget")
            .field("name", &self.name)
            .field("service", &self.service)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint.origin.to_string())
            .field("role", &self.role)
            .finish()
    }
}

impl AwsTarget {
    /// Builds the target of `grant` for the artifact `digest`, asking STS through `sdk` (the
    /// worker's region, credential chain and HTTP client) when the grant has a role.
    pub(crate) async fn new(grant: &AwsGrant, sdk: &SdkConfig, digest: &str) -> AwsTarget {
        let endpoint = Endpoint::parse(&grant.endpoint_url()).expect("validated at start");
        let provider = match &grant.role {
            Some(role) => {
                let mut builder = aws_config::sts::AssumeRoleProvider::builder(role.clone())
                    .session_name(format!("swfwasm-{}", &digest[..digest.len().min(16)]))
                    .configure(sdk);
                if let Some(seconds) = grant.session_seconds {
                    builder = builder.session_length(Duration::from_secs(seconds));
                }
                SharedCredentialsProvider::new(builder.build().await)
            }
            None => sdk
                .credentials_provider()
                .unwrap_or_else(|| SharedCredentialsProvider::new(NoCredentials)),
        };
        let refresh = Duration::from_secs(grant.refresh_before_expiry_secs.unwrap_or(300));
        AwsTarget {
            name: grant.name().to_owned(),
            service: grant.service.clone(),
            region: grant.region.clone(),
            endpoint,
            role: grant.role.clone(),
            credentials: Arc::new(CredentialSource::with_refresh(
                format!(
                    "AWS grant {} for {}",
                    grant.name(),
                    &digest[..digest.len().min(12)]
                ),
                provider,
                refresh,
            )),
        }
    }

    /// Whether `origin` is this target's virtual host or its real endpoint.
    pub fn serves(&self, origin: &Origin) -> bool {
        match &origin.host {
            OriginHost::Name(host) if is_virtual(host) => {
                host.strip_suffix(VIRTUAL_DOMAIN)
                    .and_then(|h| h.strip_suffix('.'))
                    == Some(self.name.as_str())
            }
            _ => *origin == self.endpoint.origin,
        }
    }
}

/// Whether `host` is under `aws.internal`.
pub fn is_virtual(host: &str) -> bool {
    host.strip_suffix(VIRTUAL_DOMAIN)
        .is_some_and(|h| h.ends_with('.'))
}

/// Whether `origin` looks like an AWS service endpoint (which only AWS grants reach).
pub fn is_aws_endpoint(origin: &Origin) -> bool {
    match &origin.host {
        OriginHost::Name(host) => {
            is_virtual(host)
                || host.ends_with(".amazonaws.com")
                || host.ends_with(".amazonaws.com.cn")
                || host.ends_with(".api.aws")
        }
        OriginHost::Ip(_) => false,
    }
}

/// A provider for a worker without credentials: every request fails to sign, named.
#[derive(Debug)]
struct NoCredentials;

impl aws_credential_types::provider::ProvideCredentials for NoCredentials {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::ready(Err(
            aws_credential_types::provider::error::CredentialsError::not_loaded(
                "the worker has no AWS credentials",
            ),
        ))
    }
}
