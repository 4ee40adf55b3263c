//! The worker's configuration file (`swfwasm.toml`).
//!
//! ```toml
//! domain = "boto_tutorial"
//! plugins = ["target/plugins/hello-decider.wasm", "target/plugins/hello-activity.wasm"]
//! # or from a registry, a bucket or a URL (see crate::artifact), watched where it is a tag or
//! # a prefix: "oci://registry.example.com/team/hello-decider:prod",
//! # "s3://artifacts/deciders/", "https://example.com/hello.wasm#sha256=…"
//! # endpoint = "http://127.0.0.1:8080"   # a local SWF service; default: AWS for the region
//! # region = "us-east-1"                 # default: the AWS default chain (AWS_REGION, profile)
//! # identity = "worker-1"               # default: <hostname>-<pid>
//! # decider_failure = "timeout"         # or "fail-workflow"
//! # activity_timeout_secs = 300         # when neither the task nor its type gives a start-to-close
//! # metrics_addr = "127.0.0.1:9464"     # /metrics, /healthz, /readyz (off unless set)
//! # readiness_grace_secs = 30           # /readyz fails once polls have failed this long
//!
//! [[task_list]]                         # optional; default: one entry per declared task list
//! name = "default"
//! kind = "activity"                     # or "decision"
//! pollers = 2
//! max_in_flight = 8
//!
//! [[grant]]                             # capabilities of activity plugins: see crate::grant
//! plugin = "booking-activities"
//! allowed_outbound_hosts = ["https://payments.example.com"]
//! config = { PAYMENT_URL = "https://payments.example.com/v1", PAYMENT_KEY = { env = "PAYMENT_KEY" } }
//!
//! [outbound_http]                       # per-task limits (defaults shown in crate::grant)
//! max_concurrent_requests = 8
//!
//! [sticky]                             # sticky decision task lists (defaults shown)
//! enabled = true
//! schedule_to_start_secs = 5            # then a run's decision task returns to its shared list
//! max_runs = 1000                       # histories kept warm, least recently decided dropped
//! max_events = 500000                   # and at most this many events across them
//! max_warm_instances = 32               # warm instances of warm-decider plugins among them
//! verify = false                        # decide from the full history too; stop on a difference
//!
//! [config_sources]                      # AWS-sourced config values
//! refresh_secs = 300
//!
//! [sources]                             # remote artifact sources (see crate::artifact)
//! poll_interval_ms = 30000
//! insecure_registries = []              # plain-HTTP registries besides loopback ones
//! # s3_endpoint = "http://127.0.0.1:9000"
//! # ca_file = "ca.pem"
//! ```
//!
//! Paths are relative to the configuration file's directory.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::artifact::{ArtifactSource, SourceError, SourcesConfig};
use crate::grant::{CapabilitiesConfig, ConfigSourcesConfig, GrantConfig, OutboundLimits};

/// What to do when a decider traps or returns decisions SWF would reject. SWF has no
/// "decision task failed" call, so the choice is between these two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeciderFailurePolicy {
    /// Leave the decision task unanswered: it times out and SWF schedules it again (a fixed
    /// plugin can then pick it up).
    #[default]
    Timeout,
    /// Answer with FailWorkflowExecution, the error as the reason.
    FailWorkflow,
}

/// Which kind of tasks a task list carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskKind {
    /// Decision tasks.
    Decision,
    /// Activity tasks.
    Activity,
}

/// Polling settings of one task list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskListConfig {
    /// Task list name.
    pub name: String,
    /// Decision or activity tasks.
    pub kind: TaskKind,
    /// Concurrent long polls.
    #[serde(default = "default_pollers")]
    pub pollers: usize,
    /// Most tasks running at once; a poller waits for a free slot before it polls, so the
    /// worker never holds a task it cannot start.
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight: usize,
}

fn default_pollers() -> usize {
    2
}

fn default_max_in_flight() -> usize {
    8
}

impl TaskListConfig {
    /// A task list with default settings.
    pub fn new(name: impl Into<String>, kind: TaskKind) -> Self {
        Self {
            name: name.into(),
            kind,
            pollers: default_pollers(),
            max_in_flight: default_max_in_flight(),
        }
    }
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// The SWF domain to poll.
    pub domain: String,
    /// Plugin artifacts to load: paths, or `oci://`, `s3://` and `https://` sources (see
    /// [`ArtifactSource`]).
    #[serde(default)]
    pub plugins: Vec<String>,
    /// Where `/metrics`, `/healthz` and `/readyz` are served (off unless set), e.g.
    /// `"127.0.0.1:9464"`.
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// `/readyz` turns unready once polls have failed for this many seconds in a row.
    #[serde(default = "default_readiness_grace")]
    pub readiness_grace_secs: u64,
    /// How remote artifact sources are reached (`[sources]`).
    #[serde(default)]
    pub sources: SourcesConfig,
    /// SWF endpoint URL; default: AWS's regional endpoint.
    pub endpoint: Option<String>,
    /// AWS region; default: the AWS default chain.
    pub region: Option<String>,
    /// Identity reported to SWF in Started events.
    pub identity: Option<String>,
    /// Policy for deciders that fail.
    #[serde(default)]
    pub decider_failure: DeciderFailurePolicy,
    /// Deadline for activities when neither the scheduled task (its start-to-close timeout, or
    /// `NONE`) nor the activity type gives one.
    #[serde(default = "default_activity_timeout")]
    pub activity_timeout_secs: u64,
    /// Shortest interval between heartbeats sent to SWF per task, the first starting when the
    /// task is polled; more frequent guest calls are answered from the last reply, and the
    /// latest of their details sent when the interval ends. Default 1,000 ms.
    #[serde(default = "default_heartbeat_interval")]
    pub heartbeat_interval_ms: u64,
    /// Explicit task lists; default: one per task list the plugins declare.
    #[serde(default, rename = "task_list")]
    pub task_lists: Vec<TaskListConfig>,
    /// What activity plugins may do beyond computing.
    #[serde(default, rename = "grant")]
    pub grants: Vec<GrantConfig>,
    /// Per-task outbound HTTP limits.
    #[serde(default)]
    pub outbound_http: OutboundLimits,
    /// Where AWS-sourced config values come from.
    #[serde(default)]
    pub config_sources: ConfigSourcesConfig,
    /// Sticky decision task lists.
    #[serde(default)]
    pub sticky: StickyConfig,
}

/// Sticky decision task lists (`[sticky]`): after deciding, the worker asks SWF to send the
/// run's next decision task to a task list only it polls, and keeps the run's history, so that
/// task needs only the events since (`startAtPreviousStartedEvent`). A run the worker no longer
/// keeps (evicted, or the worker restarted) is read in full; a task nobody starts within
/// `schedule_to_start_secs` (the worker died) times out and SWF schedules it on the run's own
/// task list again.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StickyConfig {
    /// Route runs back to this worker. Default true.
    pub enabled: bool,
    /// How long a decision task waits on the sticky list before SWF times it out and
    /// schedules it on the run's task list. Default 5 s.
    pub schedule_to_start_secs: u64,
    /// Most runs whose history is kept. Default 1,000.
    pub max_runs: usize,
    /// Most events kept across those runs. Default 500,000 (a few hundred MB at most).
    pub max_events: usize,
    /// Most decider instances kept warm among those runs (plugins of the `warm-decider`
    /// world, which are then handed only the new events). Each holds its linear memory and
    /// one of the runtime's instance slots. Default 32.
    pub max_warm_instances: usize,
    /// Verification mode: every decision task assembled from kept events is also read in full
    /// and decided from that; any difference is logged as an error and stops the worker
    /// (`serve` returns [`WorkerError::StickyMismatch`](super::WorkerError)). Also on when the
    /// environment has `SWFWASM_STICKY_VERIFY=1` (how the test suite runs). Default false.
    pub verify: bool,
}

impl Default for StickyConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            schedule_to_start_secs: 5,
            max_runs: 1_000,
            max_events: 500_000,
            max_warm_instances: 32,
            verify: false,
        }
    }
}

fn default_readiness_grace() -> u64 {
    30
}

fn default_activity_timeout() -> u64 {
    300
}

fn default_heartbeat_interval() -> u64 {
    1_000
}

impl WorkerConfig {
    /// A configuration with defaults for `domain`.
    pub fn new(domain: impl Into<String>) -> Self {
        Self {
            domain: domain.into(),
            plugins: Vec::new(),
            sources: SourcesConfig::default(),
            metrics_addr: None,
            readiness_grace_secs: default_readiness_grace(),
            endpoint: None,
            region: None,
            identity: None,
            decider_failure: DeciderFailurePolicy::default(),
            activity_timeout_secs: default_activity_timeout(),
            heartbeat_interval_ms: default_heartbeat_interval(),
            task_lists: Vec::new(),
            grants: Vec::new(),
            outbound_http: OutboundLimits::default(),
            config_sources: ConfigSourcesConfig::default(),
            sticky: StickyConfig::default(),
        }
    }

    /// The capability sections.
    pub fn capabilities(&self) -> CapabilitiesConfig {
        CapabilitiesConfig {
            grants: self.grants.clone(),
            outbound_http: self.outbound_http.clone(),
            config_sources: self.config_sources.clone(),
            region: self.region.clone(),
        }
    }

    /// Reads `path`; plugin paths become relative to its directory.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config: Self = toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        for plugin in &mut config.plugins {
            *plugin = ArtifactSource::parse(plugin, base)?.to_string();
        }
        if let Some(ca_file) = &mut config.sources.ca_file
            && ca_file.is_relative()
        {
            *ca_file = base.join(&*ca_file);
        }
        let mut capabilities = config.capabilities();
        capabilities.resolve_paths(base);
        config.grants = capabilities.grants;
        Ok(config)
    }

    /// The identity to report, defaulting to `<hostname>-<pid>`.
    pub fn identity(&self) -> String {
        self.identity.clone().unwrap_or_else(|| {
            let host = std::fs::read_to_string("/etc/hostname")
                .map(|h| h.trim().to_owned())
                .unwrap_or_else(|_| "swfwasm".into());
            swf_model::truncate_chars(&format!("{host}-{}", std::process::id()), 256).to_owned()
        })
    }
}

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("invalid worker configuration: cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A plugin source cannot be parsed.
    #[error("invalid worker configuration: {0}")]
    Source(#[from] SourceError),
    /// The file is not valid TOML, or has unknown or mistyped settings.
    #[error("invalid worker configuration: {}: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Where and what, as the TOML parser says it.
        source: toml::de::Error,
    },
}
