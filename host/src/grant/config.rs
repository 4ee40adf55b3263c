//! The capability sections of `swfwasm.toml` as written: `[[grant]]` entries
//! ([`GrantConfig`], with [`DirGrant`]s), `[outbound_http]` ([`OutboundLimits`]) and
//! `[config_sources]`, gathered in [`CapabilitiesConfig`]. Parsed, not yet checked: building
//! [`Grants`](super::Grants) from them checks patterns and directories.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::aws::AwsGrant;
use super::values::{ConfigSourcesConfig, ValueSource};

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
