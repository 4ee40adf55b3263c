//! Capability grants: what the operator lets an activity plugin do beyond computing.
//!
//! Data flow: the worker configuration's `[[grant]]` entries are parsed into [`Grants`] at
//! start (an invalid host pattern or a missing directory is a
//! configuration error there; a key granted by two matching grants takes the later one). When an activity artifact is loaded, its declared
//! [`Requirements`] meet the grants that match it (by artifact file name, declared type or
//! digest) in [`Grants::capabilities`]: the result is its [`Capabilities`], which are what it
//! declares AND what is granted. A required need that is not granted (or a required config
//! value that cannot be read) is an [`Ungranted`] error and the artifact is not activated. Per
//! task, the runtime builds the sandbox from the capabilities: an outbound policy for
//! `wasi:http` (see [`Capabilities::check_origin`] and the SSRF rule in [`special_range`]), the
//! config values ([`Grants::task_config`]) and the preopened directories.
//!
//! ```toml
//! [[grant]]
//! plugin = "booking-activities"          # file name (with or without .wasm), a declared type, or sha256:HEX
//! allowed_outbound_hosts = ["https://payments.example.com", "http://127.0.0.1:8099"]
//! config = { PAYMENT_URL = "https://payments.example.com/v1", PAYMENT_KEY = { env = "PAYMENT_KEY" } }
//! dirs = [{ host = "/srv/reports", guest = "/reports", mode = "read-write" }]
//! ```
//!
//! This module knows nothing of wasmtime; the runtime translates.

mod address;
mod aws;
mod pattern;
mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

pub use address::special_range;
pub use aws::{AwsGrant, AwsTarget, Endpoint, VIRTUAL_DOMAIN, is_aws_endpoint};
pub use pattern::{HostPattern, Origin, OriginHost, PatternError, Scheme};
pub use values::{ConfigSourcesConfig, ValueSource, ValueStore};

/// The capability sections of `swfwasm.toml`: `[[grant]]`, `[outbound_http]`,
/// `[config_sources]`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct CapabilitiesConfig {
    /// The grants.
    #[serde(default, rename = "grant")]
    pub grants: Vec<GrantConfig>,
    /// Per-task outbound HTTP limits.
    #[serde(default)]
    pub outbound_http: OutboundLimits,
    /// Where AWS-sourced config values come from.
    #[serde(default)]
    pub config_sources: ConfigSourcesConfig,
    /// The worker's AWS region (`region`), which AWS-sourced values are fetched from.
    #[serde(default)]
    pub region: Option<String>,
}

impl CapabilitiesConfig {
    /// Reads only the capability sections of a configuration file (so commands that need no
    /// SWF settings, such as `swfwasm execute`, can use a file holding grants alone). Relative
    /// `file` sources and directory paths are taken from the file's directory.
    pub fn load(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut config: Self =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        config.resolve_paths(path.parent().unwrap_or(std::path::Path::new(".")));
        Ok(config)
    }

    /// Makes relative paths relative to `base`.
    pub fn resolve_paths(&mut self, base: &std::path::Path) {
        for grant in &mut self.grants {
            for source in grant.config.values_mut() {
                if let ValueSource::File(path) = source
                    && path.is_relative()
                {
                    *path = base.join(&*path);
                }
            }
            for dir in &mut grant.dirs {
                if dir.host.is_relative() {
                    dir.host = base.join(&dir.host);
                }
            }
        }
    }

    /// Whether any value comes from AWS, or any grant is an AWS grant (the caller then needs
    /// the worker's AWS configuration).
    pub fn uses_aws(&self) -> bool {
        let values = self
            .grants
            .iter()
            .flat_map(|g| g.config.values())
            .any(|s| matches!(s, ValueSource::AwsSecret(_) | ValueSource::AwsParameter(_)));
        values || self.grants.iter().any(|g| !g.aws.is_empty())
    }
}

/// One `[[grant]]` entry as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantConfig {
    /// Which artifacts it applies to: a file name (`booking-activities` or
    /// `booking-activities.wasm`), a declared activity type name, or `sha256:<hex digest>`.
    pub plugin: String,
    /// Host patterns requests may go to (see [`HostPattern`]).
    #[serde(default)]
    pub allowed_outbound_hosts: Vec<String>,
    /// Config values by key.
    #[serde(default)]
    pub config: BTreeMap<String, ValueSource>,
    /// Directories preopened for the plugin.
    #[serde(default)]
    pub dirs: Vec<DirGrant>,
    /// AWS services the host signs requests to for the plugin (see [`AwsGrant`]).
    #[serde(default)]
    pub aws: Vec<AwsGrant>,
}

/// A host directory a plugin sees at `guest`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirGrant {
    /// The directory on the worker.
    pub host: PathBuf,
    /// Where the plugin sees it (an absolute path such as `/reports`).
    pub guest: String,
    /// Read-only (default) or read-write.
    #[serde(default)]
    pub mode: DirMode,
}

/// What a plugin may do in a granted directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DirMode {
    /// List and read.
    #[default]
    ReadOnly,
    /// List, read, create, write, rename and delete.
    ReadWrite,
}

/// Per-task limits on outbound HTTP (`[outbound_http]` in `swfwasm.toml`). Every timeout is
/// also clamped to the time left before the task's deadline.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboundLimits {
    /// Requests of one task in flight at once; one more is answered `connection-limit-reached`.
    pub max_concurrent_requests: usize,
    /// Bytes of one request body; more ends the request with `HTTP-request-body-size`.
    pub max_request_body_bytes: u64,
    /// Bytes of one response body; more ends it with `HTTP-response-body-size`.
    pub max_response_body_bytes: u64,
    /// Time to connect (TCP and TLS): `connection-timeout`.
    pub connect_timeout_ms: u64,
    /// Time from sending to the response head: `connection-read-timeout`.
    pub first_byte_timeout_ms: u64,
    /// Longest silence inside a response body: `connection-read-timeout`.
    pub between_bytes_timeout_ms: u64,
}

impl Default for OutboundLimits {
    fn default() -> Self {
        Self {
            max_concurrent_requests: 8,
            max_request_body_bytes: 16 << 20,
            max_response_body_bytes: 16 << 20,
            connect_timeout_ms: 10_000,
            first_byte_timeout_ms: 30_000,
            between_bytes_timeout_ms: 30_000,
        }
    }
}

impl OutboundLimits {
    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }
    /// The first-byte timeout.
    pub fn first_byte_timeout(&self) -> Duration {
        Duration::from_millis(self.first_byte_timeout_ms)
    }
    /// The between-bytes timeout.
    pub fn between_bytes_timeout(&self) -> Duration {
        Duration::from_millis(self.between_bytes_timeout_ms)
    }
}

/// One need an artifact declares (`need` in the WIT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// A host pattern or `{KEY}` (outbound hosts), or a config key.
    pub name: String,
    /// Whether the artifact must not be activated without it.
    pub required: bool,
}

/// What an activity artifact declares it needs (`requires` in the WIT; nothing for 0.1.0
/// artifacts and deciders).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Requirements {
    /// Outbound hosts.
    pub outbound_hosts: Vec<Need>,
    /// Config keys.
    pub config_keys: Vec<Need>,
}

/// The grants section of a configuration is unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GrantError {
    /// A host pattern does not parse.
    #[error("grant for {plugin:?}: {source}")]
    Pattern {
        /// The grant's `plugin`.
        plugin: String,
        /// The pattern and what is wrong with it.
        source: PatternError,
    },
    /// An AWS grant is not usable.
    #[error("grant for {plugin:?}: {reason}")]
    Aws {
        /// The grant's `plugin`.
        plugin: String,
        /// What is wrong.
        reason: String,
    },
    /// A granted directory is not usable.
    #[error("grant for {plugin:?}: directory {}: {reason}", host.display())]
    Dir {
        /// The grant's `plugin`.
        plugin: String,
        /// The host directory.
        host: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// An artifact's required need that the grants do not meet: the artifact stays inactive.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Ungranted {
    /// A required outbound host no grant allows.
    #[error(
        "requires outbound host {pattern}, which no grant allows (add it to `allowed_outbound_hosts` of a [[grant]] matching the plugin)"
    )]
    Host {
        /// The declared pattern (after `{KEY}` substitution).
        pattern: String,
    },
    /// A required config key no grant gives.
    #[error(
        "requires config key {key}, which no grant gives (add it to `config` of a [[grant]] matching the plugin)"
    )]
    ConfigKey {
        /// The key.
        key: String,
    },
    /// A required config key whose value cannot be read.
    #[error("requires config key {key}, whose value cannot be read: {reason}")]
    ConfigValue {
        /// The key.
        key: String,
        /// Why (names the source, never a value).
        reason: String,
    },
    /// A `{KEY}` host need whose key has no usable URL.
    #[error("declares outbound host {{{key}}}, but config key {key} {reason}")]
    HostKey {
        /// The key.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// A declared host pattern that does not parse.
    #[error("declares an invalid outbound host: {0}")]
    Pattern(PatternError),
    /// An AWS grant matches, but the worker has no AWS configuration to sign with.
    #[error(
        "is granted AWS service {name}, but the worker has no AWS configuration (region, credentials) to sign with"
    )]
    NoAwsConfiguration {
        /// The grant's name.
        name: String,
    },
}

/// A parsed grant.
#[derive(Debug)]
struct Grant {
    plugin: String,
    hosts: Vec<HostPattern>,
    config: BTreeMap<String, ValueSource>,
    dirs: Vec<DirGrant>,
    aws: Vec<AwsGrant>,
}

/// Every grant of a configuration, the outbound limits, the config value store and the
/// worker's AWS configuration (for AWS grants).
pub struct Grants {
    grants: Vec<Grant>,
    limits: OutboundLimits,
    values: ValueStore,
    sdk: Option<aws_config::SdkConfig>,
}

impl fmt::Debug for Grants {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Grants")
            .field("grants", &self.grants)
            .field("limits", &self.limits)
            .finish()
    }
}

impl Default for Grants {
    /// No grants: activities get no network, no config, no directories.
    fn default() -> Self {
        Self {
            grants: Vec::new(),
            limits: OutboundLimits::default(),
            values: ValueStore::new(ConfigSourcesConfig::default(), None),
            sdk: None,
        }
    }
}

/// How an artifact is known to the grants.
#[derive(Debug, Clone, Copy)]
pub struct ArtifactIdentity<'a> {
    /// Its file name, if it was loaded from a file.
    pub file_name: Option<&'a str>,
    /// Its sha256 digest (hex).
    pub digest: &'a str,
    /// The type names it declares.
    pub type_names: &'a [String],
}

impl Grants {
    /// Parses the grants; `values` reads config values.
    pub fn new(
        grants: &[GrantConfig],
        limits: OutboundLimits,
        values: ValueStore,
    ) -> Result<Self, GrantError> {
        let mut parsed = Vec::new();
        for grant in grants {
            let hosts = grant
                .allowed_outbound_hosts
                .iter()
                .map(|h| HostPattern::parse(h))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|source| GrantError::Pattern {
                    plugin: grant.plugin.clone(),
                    source,
                })?;
            for dir in &grant.dirs {
                let reason = if !dir.guest.starts_with('/') {
                    Some(format!("the guest path {:?} must be absolute", dir.guest))
                } else if !dir.host.is_dir() {
                    Some("does not exist or is not a directory".to_owned())
                } else {
                    None
                };
                if let Some(reason) = reason {
                    return Err(GrantError::Dir {
                        plugin: grant.plugin.clone(),
                        host: dir.host.clone(),
                        reason,
                    });
                }
            }
            if let Some(reason) = grant.aws.iter().find_map(AwsGrant::problem) {
                return Err(GrantError::Aws {
                    plugin: grant.plugin.clone(),
                    reason,
                });
            }
            parsed.push(Grant {
                plugin: grant.plugin.clone(),
                hosts,
                config: grant.config.clone(),
                dirs: grant.dirs.clone(),
                aws: grant.aws.clone(),
            });
        }
        Ok(Self {
            grants: parsed,
            limits,
            values,
            sdk: None,
        })
    }

    /// Signs AWS grants' requests with credentials from `sdk` (the worker's region,
    /// credential chain and HTTP client; its STS client assumes the grants' roles).
    pub fn with_aws(mut self, sdk: aws_config::SdkConfig) -> Self {
        self.sdk = Some(sdk);
        self
    }

    /// The outbound limits.
    pub fn limits(&self) -> &OutboundLimits {
        &self.limits
    }

    /// The capabilities of an artifact: what it declares AND what the grants matching it give.
    /// Fails, naming the need, if a required need is not met.
    pub async fn capabilities(
        &self,
        artifact: ArtifactIdentity<'_>,
        requirements: &Requirements,
    ) -> Result<Capabilities, Ungranted> {
        let matching: Vec<&Grant> = self
            .grants
            .iter()
            .filter(|g| grant_matches(&g.plugin, artifact))
            .collect();
        let granted_hosts: Vec<HostPattern> = matching
            .iter()
            .flat_map(|g| g.hosts.iter().cloned())
            .collect();
        let mut granted_config: BTreeMap<String, ValueSource> = BTreeMap::new();
        for grant in &matching {
            for (key, source) in &grant.config {
                // A later grant for the same key wins, like a later line of a config file.
                granted_config.insert(key.clone(), source.clone());
            }
        }

        let mut config = BTreeMap::new();
        let mut declared_keys = BTreeSet::new();
        for need in &requirements.config_keys {
            declared_keys.insert(need.name.clone());
            match granted_config.get(&need.name) {
                Some(source) => {
                    if need.required
                        && let Err(reason) = self.values.get(source).await
                    {
                        return Err(Ungranted::ConfigValue {
                            key: need.name.clone(),
                            reason,
                        });
                    }
                    config.insert(need.name.clone(), source.clone());
                }
                None if need.required => {
                    return Err(Ungranted::ConfigKey {
                        key: need.name.clone(),
                    });
                }
                None => {}
            }
        }

        let mut declared_hosts = Vec::new();
        for need in &requirements.outbound_hosts {
            let pattern = match need
                .name
                .strip_prefix('{')
                .and_then(|n| n.strip_suffix('}'))
            {
                Some(key) => {
                    let origin = self.origin_of_key(key, &config).await;
                    match origin {
                        Ok(origin) => HostPattern::exact(&origin),
                        Err(reason) if need.required => {
                            return Err(Ungranted::HostKey {
                                key: key.to_owned(),
                                reason,
                            });
                        }
                        Err(_) => continue,
                    }
                }
                None => HostPattern::parse(&need.name).map_err(Ungranted::Pattern)?,
            };
            let aws_name = pattern
                .host_name()
                .and_then(|h| h.strip_suffix(VIRTUAL_DOMAIN))
                .and_then(|h| h.strip_suffix('.'));
            let by_aws = aws_name.is_some_and(|name| {
                matching
                    .iter()
                    .flat_map(|g| g.aws.iter())
                    .any(|a| a.name() == name)
            });
            if need.required && !by_aws && !granted_hosts.iter().any(|g| g.covers(&pattern)) {
                return Err(Ungranted::Host {
                    pattern: pattern.to_string(),
                });
            }
            declared_hosts.push(pattern);
        }

        let mut aws = Vec::new();
        for grant in matching.iter().flat_map(|g| g.aws.iter()) {
            let Some(sdk) = &self.sdk else {
                return Err(Ungranted::NoAwsConfiguration {
                    name: grant.name().to_owned(),
                });
            };
            aws.push(std::sync::Arc::new(
                AwsTarget::new(grant, sdk, artifact.digest).await,
            ));
        }

        Ok(Capabilities {
            grants: matching.iter().map(|g| g.plugin.clone()).collect(),
            declared_hosts,
            granted_hosts,
            config,
            declared_keys,
            dirs: matching
                .iter()
                .flat_map(|g| g.dirs.iter().cloned())
                .collect(),
            aws,
        })
    }

    async fn origin_of_key(
        &self,
        key: &str,
        config: &BTreeMap<String, ValueSource>,
    ) -> Result<Origin, String> {
        let source = config
            .get(key)
            .ok_or("is not declared and granted".to_owned())?;
        let value = self.values.get(source).await?;
        Origin::of_url(&value).ok_or("is not an http(s) URL".to_owned())
    }

    /// The config values of one task: every declared and granted key, read (or taken from the
    /// cache) now.
    pub async fn task_config(&self, capabilities: &Capabilities) -> TaskConfig {
        let mut values = BTreeMap::new();
        for (key, source) in &capabilities.config {
            values.insert(key.clone(), self.values.get(source).await);
        }
        TaskConfig {
            declared: capabilities.declared_keys.clone(),
            values,
        }
    }
}

/// Whether a grant's `plugin` names this artifact.
fn grant_matches(plugin: &str, artifact: ArtifactIdentity<'_>) -> bool {
    if let Some(hex) = plugin.strip_prefix("sha256:") {
        return hex.eq_ignore_ascii_case(artifact.digest);
    }
    let by_file = artifact
        .file_name
        .is_some_and(|file| file == plugin || file.strip_suffix(".wasm") == Some(plugin));
    by_file || artifact.type_names.iter().any(|t| t == plugin)
}

/// What one activity artifact may do: the meet of its requirements and its grants.
#[derive(Debug, Clone, Default)]
pub struct Capabilities {
    /// The `plugin` of every grant that matched.
    pub grants: Vec<String>,
    declared_hosts: Vec<HostPattern>,
    granted_hosts: Vec<HostPattern>,
    config: BTreeMap<String, ValueSource>,
    declared_keys: BTreeSet<String>,
    /// Directories to preopen.
    pub dirs: Vec<DirGrant>,
    /// AWS services the host signs for.
    pub aws: Vec<std::sync::Arc<AwsTarget>>,
}

/// Why an outbound request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No grant allows the origin.
    NotGranted,
    /// The grant allows it, but the plugin did not declare it.
    NotDeclared,
    /// An AWS endpoint that no AWS grant covers.
    AwsNotGranted,
    /// Every address the name resolves to is special and not named by a grant.
    SpecialAddress {
        /// The refused address.
        address: IpAddr,
        /// Its range, in words.
        range: &'static str,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotGranted => f.write_str("no grant allows this host"),
            Refusal::NotDeclared => {
                f.write_str("the plugin does not declare this host in `requires`")
            }
            Refusal::AwsNotGranted => f.write_str(
                "an AWS endpoint is reached only through an AWS grant, which the host signs for",
            ),
            Refusal::SpecialAddress { address, range } => write!(
                f,
                "it resolves to {address}, a {range} address, which only a grant naming that address or range reaches"
            ),
        }
    }
}

impl Capabilities {
    /// The AWS grant that serves `origin` (its virtual host or its endpoint), if any.
    pub fn aws_target(&self, origin: &Origin) -> Option<&std::sync::Arc<AwsTarget>> {
        self.aws.iter().find(|t| t.serves(origin))
    }

    /// Whether the plugin declares `origin`.
    pub fn declares(&self, origin: &Origin) -> bool {
        self.declared_hosts.iter().any(|p| p.matches(origin))
    }

    /// Whether a request to `origin` may be sent at all (before resolving its name), for an
    /// origin no AWS grant serves.
    pub fn check_origin(&self, origin: &Origin) -> Result<(), Refusal> {
        if is_aws_endpoint(origin) {
            return Err(Refusal::AwsNotGranted);
        }
        if !self.granted_hosts.iter().any(|p| p.matches(origin)) {
            return Err(Refusal::NotGranted);
        }
        if !self.declared_hosts.iter().any(|p| p.matches(origin)) {
            return Err(Refusal::NotDeclared);
        }
        Ok(())
    }

    /// Whether a resolved `address` of an allowed origin may be connected to: any public
    /// address; a special one only if a grant matching the origin names it (an AWS grant's
    /// endpoint names its own address).
    pub fn check_address(&self, origin: &Origin, address: IpAddr) -> Result<(), Refusal> {
        let Some(range) = special_range(address) else {
            return Ok(());
        };
        let aws_endpoint = self.aws.iter().any(|t| {
            t.endpoint.origin == *origin
                && HostPattern::exact(&t.endpoint.origin).names_address(address)
        });
        let named = aws_endpoint
            || self
                .granted_hosts
                .iter()
                .any(|p| p.matches(origin) && p.names_address(address));
        if named {
            Ok(())
        } else {
            Err(Refusal::SpecialAddress { address, range })
        }
    }

    /// Whether any outbound request could be allowed.
    pub fn has_outbound(&self) -> bool {
        !self.declared_hosts.is_empty() && (!self.granted_hosts.is_empty() || !self.aws.is_empty())
    }

    /// The granted host patterns the plugin also declares, as written, for display.
    pub fn granted_hosts(&self) -> Vec<String> {
        self.granted_hosts.iter().map(|p| p.to_string()).collect()
    }

    /// The config keys the plugin gets (declared and granted), with their sources; never a
    /// value.
    pub fn config_keys(&self) -> Vec<(String, String)> {
        self.config
            .iter()
            .map(|(k, s)| (k.clone(), s.to_string()))
            .collect()
    }
}

/// The config values of one task.
#[derive(Default, Clone)]
pub struct TaskConfig {
    declared: BTreeSet<String>,
    values: BTreeMap<String, Result<String, String>>,
}

/// What `config.get` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigAnswer {
    /// The key's value, or `None` when declared but not granted.
    Value(Option<String>),
    /// The plugin did not declare the key.
    Undeclared,
    /// The source failed; the text names it.
    Unavailable(String),
}

impl TaskConfig {
    /// Answers `config.get(key)`.
    pub fn get(&self, key: &str) -> ConfigAnswer {
        if !self.declared.contains(key) {
            return ConfigAnswer::Undeclared;
        }
        match self.values.get(key) {
            Some(Ok(value)) => ConfigAnswer::Value(Some(value.clone())),
            Some(Err(reason)) => ConfigAnswer::Unavailable(reason.clone()),
            None => ConfigAnswer::Value(None),
        }
    }

    /// Every value this task holds (to keep them out of logs).
    pub fn secrets(&self) -> Vec<String> {
        self.values
            .values()
            .filter_map(|v| v.as_ref().ok())
            .filter(|v| v.len() >= 4)
            .cloned()
            .collect()
    }
}

impl fmt::Debug for TaskConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskConfig")
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}
