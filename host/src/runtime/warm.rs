//! [`WarmDecider`]: an instance of a `warm-decider` plugin kept between the decision tasks of
//! one run, with the store it lives in and how far into the run's history it has been handed.
//! [`PluginRuntime::decide_and_keep`](super::PluginRuntime::decide_and_keep) makes one,
//! [`PluginRuntime::decide_since`](super::PluginRuntime::decide_since) uses it again. A leaf
//! but for the types it holds.

use serde::Serialize;
use swf_model::{HistoryEvent, WorkflowExecution, WorkflowType};
use wasmtime::Store;

use super::bindings::warm_decider;
use super::digest::Digest;
use super::sandbox::GuestState;

/// A warm decider instance of one run. Holds an instance slot and its linear memory until
/// dropped.
pub struct WarmDecider {
    pub(crate) store: Store<GuestState>,
    pub(crate) instance: warm_decider::WarmDecider,
    pub(crate) digest: Digest,
    pub(crate) run_id: String,
    /// The id of the last event the instance has been handed.
    pub(crate) seen: i64,
    /// The latest timestamp among those events (the decider's clock, see `Determinism`).
    pub(crate) latest_timestamp: f64,
}

impl WarmDecider {
    /// The artifact the instance is of.
    pub fn digest(&self) -> &Digest {
        &self.digest
    }

    /// The run it decides.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The id of the last event it has been handed.
    pub fn seen(&self) -> i64 {
        self.seen
    }
}

impl std::fmt::Debug for WarmDecider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarmDecider")
            .field("digest", &self.digest)
            .field("run_id", &self.run_id)
            .field("seen", &self.seen)
            .finish()
    }
}

/// What `decide-since` is handed: a decision task with only the events after `seen`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TaskSince<'a> {
    pub task_token: &'a str,
    pub started_event_id: i64,
    pub previous_started_event_id: i64,
    pub workflow_execution: &'a WorkflowExecution,
    pub workflow_type: &'a WorkflowType,
    pub events: &'a [HistoryEvent],
}
