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
mod capabilities;
mod config;
mod pattern;
mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

pub use address::special_range;
pub use aws::{AwsGrant, AwsTarget, Endpoint, VIRTUAL_DOMAIN, is_aws_endpoint};
pub use capabilities::{Capabilities, ConfigAnswer, Refusal, TaskConfig};
pub use config::{CapabilitiesConfig, DirGrant, DirMode, GrantConfig, OutboundLimits};
pub use pattern::{HostPattern, Origin, OriginHost, PatternError, Scheme};
pub use values::{ConfigSourcesConfig, ValueSource, ValueStore};

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
