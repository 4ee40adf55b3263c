//! A scenario file: which workflow to run, on which plugins, with which canned activity
//! outcomes and signals, and what must come of it. TOML; paths are relative to the file.
//!
//! ```toml
//! workflow = "HoldBooking"          # the workflow type; version: the one the decider declares
//! input = '"B-1"'
//! decider = "../../target/plugins/reminder.wasm"
//! activities = ["../../target/plugins/reminder-activities.wasm"]   # real activity plugins
//!
//! [stubs]                           # canned outcomes by activity type ("Name" is version 1.0,
//! ValidatePayment = [               # "Name@2" another), one per attempt, the last repeating
//!     { fail = "declined", details = "card" },
//!     { result = '"receipt"', after_secs = 3600 },   # after an hour of the service's clock
//! ]
//!
//! [[signal]]
//! at_secs = 108000                  # 30 h after the start, on the service's clock
//! name = "paid"
//!
//! [expect]
//! close = "completed"               # completed, failed, canceled, timed_out, terminated,
//! result = "B-1 paid"               # continued_as_new
//! activities = ["SendReminder"]     # the activity types scheduled, in order
//! timers_fired_at_secs = [86400]    # when timers fired, after the start (to the minute)
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use swf_model::CloseStatus;

/// One scenario; see the module docs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Scenario {
    /// The file's stem (set by [`Scenario::load`]).
    #[serde(skip)]
    pub name: String,
    /// The workflow type's name.
    pub workflow: String,
    /// Its version. Default: the one the decider declares.
    #[serde(default)]
    pub version: Option<String>,
    /// The workflow input.
    #[serde(default)]
    pub input: Option<String>,
    /// The decider artifact.
    pub decider: PathBuf,
    /// Real activity artifacts.
    #[serde(default)]
    pub activities: Vec<PathBuf>,
    /// Canned outcomes by activity type: `Name` (version 1.0) or `Name@version`.
    #[serde(default)]
    pub stubs: BTreeMap<String, Vec<StubOutcome>>,
    /// Signals to send, at times of the service's clock.
    #[serde(default, rename = "signal")]
    pub signals: Vec<ScheduledSignal>,
    /// Wall-clock seconds the run may take. Default: 60.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// What must come of it.
    #[serde(default)]
    pub expect: Expect,
}

fn default_timeout() -> u64 {
    60
}

/// One canned outcome of a stubbed activity attempt.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StubOutcome {
    /// Complete with this result.
    #[serde(default)]
    pub result: Option<String>,
    /// Fail with this reason.
    #[serde(default)]
    pub fail: Option<String>,
    /// The failure's details.
    #[serde(default)]
    pub details: Option<String>,
    /// Answer this many seconds of the service's clock after the attempt started.
    #[serde(default)]
    pub after_secs: u64,
}

/// A signal sent `at_secs` after the run started, on the service's clock.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledSignal {
    /// Seconds after the start.
    pub at_secs: u64,
    /// The signal's name.
    pub name: String,
    /// Its input.
    #[serde(default)]
    pub input: Option<String>,
}

/// How the run must close and what it must have done; what is not given is not checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// How it closes.
    #[serde(default)]
    pub close: Option<Close>,
    /// The completion's result.
    #[serde(default)]
    pub result: Option<String>,
    /// The failure's reason.
    #[serde(default)]
    pub reason: Option<String>,
    /// The failure's or cancellation's details.
    #[serde(default)]
    pub details: Option<String>,
    /// The activity types scheduled, in order.
    #[serde(default)]
    pub activities: Option<Vec<String>>,
    /// When its timers fired, seconds after the start (each within a minute after).
    #[serde(default)]
    pub timers_fired_at_secs: Option<Vec<u64>>,
}

/// How a run closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Close {
    /// WorkflowExecutionCompleted.
    Completed,
    /// WorkflowExecutionFailed.
    Failed,
    /// WorkflowExecutionCanceled.
    Canceled,
    /// WorkflowExecutionTimedOut.
    TimedOut,
    /// WorkflowExecutionTerminated.
    Terminated,
    /// WorkflowExecutionContinuedAsNew.
    ContinuedAsNew,
}

impl Close {
    /// The name a scenario file gives it (`completed`, `timed_out`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
            Self::TimedOut => "timed_out",
            Self::Terminated => "terminated",
            Self::ContinuedAsNew => "continued_as_new",
        }
    }

    /// The SWF close status.
    pub fn status(self) -> CloseStatus {
        match self {
            Self::Completed => CloseStatus::Completed,
            Self::Failed => CloseStatus::Failed,
            Self::Canceled => CloseStatus::Canceled,
            Self::TimedOut => CloseStatus::TimedOut,
            Self::Terminated => CloseStatus::Terminated,
            Self::ContinuedAsNew => CloseStatus::ContinuedAsNew,
        }
    }
}

/// A scenario file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file cannot be read.
    #[error("cannot read the scenario {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not a scenario.
    #[error("invalid scenario {}: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with its line.
        source: toml::de::Error,
    },
}

impl Scenario {
    /// Reads the scenario in `path`; its artifact paths become relative to the file's
    /// directory and its name is the file's stem.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut scenario: Scenario =
            toml::from_str(&text).map_err(|source| ScenarioError::Parse {
                path: path.to_owned(),
                source,
            })?;
        let base = path.parent().unwrap_or(Path::new("."));
        scenario.decider = base.join(&scenario.decider);
        for activity in &mut scenario.activities {
            *activity = base.join(&*activity);
        }
        scenario.name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(scenario)
    }

    /// The scenario files `path` names: itself, or the `*.toml` files of a directory, sorted.
    pub fn files(path: &Path) -> Result<Vec<PathBuf>, ScenarioError> {
        if !path.is_dir() {
            return Ok(vec![path.to_owned()]);
        }
        let read = |source| ScenarioError::Read {
            path: path.to_owned(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(path).map_err(read)? {
            let file = entry.map_err(read)?.path();
            if file.extension().is_some_and(|e| e == "toml") {
                files.push(file);
            }
        }
        files.sort();
        Ok(files)
    }
}

/// The type name and version a stub key names: `Name` (1.0) or `Name@version`.
pub(super) fn stub_type(key: &str) -> (&str, &str) {
    key.split_once('@').unwrap_or((key, "1.0"))
}
