//! [`Metrics`]: every metric the host exports, in one Prometheus registry (`prometheus-client`),
//! and the few calls the rest of the host makes to update them. A leaf.
//!
//! Label sets stay bounded: task kinds, task lists, type names and versions, and artifact
//! digests (12 hex digits) come from the configuration and the loaded plugins; no run, workflow
//! or activity id is ever a label.

use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// `kind` (`decision` or `activity`) and `task_list`.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ListLabels {
    /// `decision` or `activity`.
    pub kind: &'static str,
    /// The task list.
    pub task_list: String,
}

/// A poll's task list and outcome (`task`, `empty`, `error`).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PollLabels {
    /// `decision` or `activity`.
    pub kind: &'static str,
    /// The task list.
    pub task_list: String,
    /// `task`, `empty` or `error`.
    pub outcome: &'static str,
}

/// A task's kind, type, version, artifact and outcome.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TaskLabels {
    /// `decision` or `activity`.
    pub kind: &'static str,
    /// Workflow or activity type name.
    pub r#type: String,
    /// Its version.
    pub version: String,
    /// The artifact's digest, 12 hex digits.
    pub digest: String,
    /// `started`, `completed`, `failed`, `canceled`, `error`, `unserved`.
    pub outcome: &'static str,
}

/// One guest call's kind and phase (`instantiate` or `call`).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PhaseLabels {
    /// `decide`, `execute`, `describe` or `requires`.
    pub export: &'static str,
    /// `instantiate` or `call`.
    pub phase: &'static str,
}

/// A label set of one `name` value (`outcome`, `cause`, `action`, `verdict`).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// The outcome.
    pub outcome: &'static str,
}

/// A sandbox error's export and cause.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CauseLabels {
    /// `decide` or `execute`.
    pub export: &'static str,
    /// `deadline`, `memory`, `stack`, `trap`, `invalid_output`, `returned`, `host`.
    pub cause: &'static str,
}

/// An SWF call's action and outcome (`ok`, or the fault's code, or `transport`).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallLabels {
    /// The action, e.g. `PollForDecisionTask`.
    pub action: &'static str,
    /// `ok`, a fault code, `transport`, `decode`, `config`.
    pub outcome: Cow<'static, str>,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn histograms<L: Clone + std::hash::Hash + Eq>() -> Histograms<L> {
    Family::new_with_constructor(seconds_histogram)
}

fn seconds_histogram() -> Histogram {
    // 100 µs to ~100 s.
    Histogram::new(exponential_buckets(0.0001, 4.0, 11))
}

/// The host's metrics.
pub struct Metrics {
    registry: Registry,
    /// Polls by kind, task list and outcome.
    pub polls: Family<PollLabels, Counter>,
    /// Poll round trips, seconds.
    pub poll_seconds: Histograms<ListLabels>,
    /// Tasks by kind, type, version, artifact and outcome.
    pub tasks: Family<TaskLabels, Counter>,
    /// Guest calls, seconds, by export and phase (instantiate, call).
    pub guest_seconds: Histograms<PhaseLabels>,
    /// Sandbox errors by export and cause.
    pub sandbox_errors: Family<CauseLabels, Counter>,
    /// Tasks running now, per task list.
    pub in_flight: Family<ListLabels, Gauge>,
    /// Task slots (the most tasks that may run at once), per task list.
    pub slots: Family<ListLabels, Gauge>,
    /// Heartbeats by outcome (`sent`, `throttled`, `failed`, `task_gone`).
    pub heartbeats: Family<OutcomeLabels, Counter>,
    /// Answers to SWF by outcome (`ok`, `task_gone`, `error`).
    pub responds: Family<OutcomeLabels, Counter>,
    /// SWF calls by action and outcome.
    pub swf_calls: Family<CallLabels, Counter>,
    /// SWF call retries by action and the error retried.
    pub swf_retries: Family<CallLabels, Counter>,
    /// Plugin loads by outcome (`loaded`, `ungranted`, `rejected`).
    pub plugin_loads: Family<OutcomeLabels, Counter>,
    /// Artifacts activated in a running worker (plugin directory, watched sources).
    pub activations: Counter,
    /// Compiled code by where it came from (`hit`, `miss`).
    pub compile_cache: Family<OutcomeLabels, Counter>,
    /// Replay-gated upgrade verdicts (`identical`, `diverged`, `error`).
    pub upgrade_verdicts: Family<OutcomeLabels, Counter>,
    /// Histories of decision tasks by how they were assembled (`kept`: kept events plus the
    /// new ones; `read`: read in full) and sticky cache events (`evicted`, `verified`,
    /// `mismatch`).
    pub sticky_histories: Family<OutcomeLabels, Counter>,
}

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("swfwasm");
        let metrics = Self {
            registry: Registry::default(),
            polls: Family::default(),
            poll_seconds: histograms(),
            tasks: Family::default(),
            guest_seconds: histograms(),
            sandbox_errors: Family::default(),
            in_flight: Family::default(),
            slots: Family::default(),
            heartbeats: Family::default(),
            responds: Family::default(),
            swf_calls: Family::default(),
            swf_retries: Family::default(),
            plugin_loads: Family::default(),
            activations: Counter::default(),
            compile_cache: Family::default(),
            upgrade_verdicts: Family::default(),
            sticky_histories: Family::default(),
        };
        registry.register(
            "polls",
            "Long polls by kind, task list and outcome",
            metrics.polls.clone(),
        );
        registry.register(
            "poll_seconds",
            "Long poll round trips",
            metrics.poll_seconds.clone(),
        );
        registry.register(
            "tasks",
            "Tasks by kind, type, version, artifact and outcome",
            metrics.tasks.clone(),
        );
        registry.register(
            "guest_seconds",
            "Guest calls by export and phase",
            metrics.guest_seconds.clone(),
        );
        registry.register(
            "sandbox_errors",
            "Guest failures by export and cause",
            metrics.sandbox_errors.clone(),
        );
        registry.register(
            "tasks_in_flight",
            "Tasks running now",
            metrics.in_flight.clone(),
        );
        registry.register(
            "task_slots",
            "Most tasks that may run at once",
            metrics.slots.clone(),
        );
        registry.register(
            "heartbeats",
            "Activity heartbeats by outcome",
            metrics.heartbeats.clone(),
        );
        registry.register(
            "responds",
            "Answers to SWF by outcome",
            metrics.responds.clone(),
        );
        registry.register(
            "swf_calls",
            "SWF calls by action and outcome",
            metrics.swf_calls.clone(),
        );
        registry.register(
            "swf_retries",
            "SWF call retries by action",
            metrics.swf_retries.clone(),
        );
        registry.register(
            "plugin_loads",
            "Plugin loads by outcome",
            metrics.plugin_loads.clone(),
        );
        registry.register(
            "plugin_activations",
            "Artifacts activated while running",
            metrics.activations.clone(),
        );
        registry.register(
            "compile_cache",
            "Compiled code by source (hit, miss)",
            metrics.compile_cache.clone(),
        );
        registry.register(
            "upgrade_verdicts",
            "Replay-gated upgrade verdicts",
            metrics.upgrade_verdicts.clone(),
        );
        registry.register(
            "sticky_histories",
            "Decision task histories by assembly (kept, read) and sticky cache events",
            metrics.sticky_histories.clone(),
        );
        Self {
            registry,
            ..metrics
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    /// Counts one `outcome` in a family keyed by one label.
    pub fn count(family: &Family<OutcomeLabels, Counter>, outcome: &'static str) {
        family.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// Counts one task of `kind` (`decision`, `activity`) for type `name` `version`, run by the
    /// artifact `digest` (12 hex digits; none when no artifact serves the type), by `outcome`.
    pub fn task(
        &self,
        kind: &'static str,
        name: &str,
        version: &str,
        digest: Option<&str>,
        outcome: &'static str,
    ) {
        self.tasks
            .get_or_create(&TaskLabels {
                kind,
                r#type: name.to_owned(),
                version: version.to_owned(),
                digest: digest.unwrap_or("-").to_owned(),
                outcome,
            })
            .inc();
    }

    /// Records a guest call's phase duration.
    pub fn guest_phase(&self, export: &'static str, phase: &'static str, took: Duration) {
        self.guest_seconds
            .get_or_create(&PhaseLabels { export, phase })
            .observe(took.as_secs_f64());
    }
}

/// The process's metrics (created on first use).
pub fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}
