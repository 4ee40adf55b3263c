//! The plain types the state machine's modules share: what a run's close tells its parent, a
//! termination, the cross-run effects deferred to the end of a decision list, a run to create,
//! queue keys and entries, and small helpers. A leaf: it imports none of its siblings, so every
//! other module of the state machine may import it.

use swf_model::WorkflowExecution;

use crate::error::{ServiceError, ServiceResult};
use crate::run::{ParentLink, RunConfig};
use swf_model::{ChildPolicy, WorkflowType};

/// How a run ended, with what its parent is told.
pub(crate) enum Outcome {
    Completed(Option<String>),
    Failed(Option<String>, Option<String>),
    Canceled(Option<String>),
    Terminated,
    TimedOut,
    ContinuedAsNew(String),
}

/// A termination: by the API, a parent's child policy, or the history limit.
pub(crate) struct Termination {
    pub reason: Option<String>,
    pub details: Option<String>,
    pub child_policy: Option<ChildPolicy>,
    pub cause: &'static str,
}

/// A cross-run effect of a decision, applied after the decision list.
pub(crate) enum Deferred {
    StartChild {
        parent: String,
        initiated_event_id: i64,
        decision_task_completed_event_id: i64,
        new: Box<NewRun>,
        control: Option<String>,
    },
    Signal {
        source: String,
        initiated_event_id: i64,
        decision_task_completed_event_id: i64,
        workflow_id: String,
        run_id: Option<String>,
        signal_name: String,
        input: Option<String>,
        control: Option<String>,
    },
    Cancel {
        source: String,
        initiated_event_id: i64,
        decision_task_completed_event_id: i64,
        workflow_id: String,
        run_id: Option<String>,
        control: Option<String>,
    },
}

/// A new run to create.
pub(crate) struct NewRun {
    pub domain: String,
    pub workflow_id: String,
    pub workflow_type: WorkflowType,
    pub config: RunConfig,
    pub tags: Vec<String>,
    pub input: Option<String>,
    pub parent: Option<ParentLink>,
    pub continued_from: Option<String>,
}

/// Which of a domain's two kinds of task lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum QueueKind {
    /// Decision task lists.
    Decision,
    /// Activity task lists.
    Activity,
}

/// `(domain, task list name)`.
pub(crate) type QueueKey = (String, String);

/// A queued task, ordered as it is handed out: higher priority first, then oldest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Queued {
    /// Minus the task priority, so that the larger priority sorts first.
    pub neg_priority: i64,
    /// When it was scheduled, epoch ms.
    pub at_ms: i64,
    /// The run it belongs to.
    pub run_id: String,
    /// Id of its Scheduled event.
    pub scheduled_event_id: i64,
}

/// `maximumPageSize`: 1..=1000, 0 or absent meaning 1000.
pub(super) fn page_size(requested: Option<i32>) -> ServiceResult<usize> {
    match requested {
        None | Some(0) => Ok(swf_model::MAX_PAGE_SIZE as usize),
        Some(n) if (1..=swf_model::MAX_PAGE_SIZE).contains(&n) => Ok(n as usize),
        Some(n) => Err(ServiceError::invalid_member(
            "maximumPageSize",
            &format!("Member must have value between 0 and 1000, got {n}"),
        )),
    }
}

/// Formats a workflow execution for messages.
pub(super) fn describe_execution(execution: &WorkflowExecution) -> String {
    format!(
        "WorkflowExecution=[workflowId={}, runId={}]",
        execution.workflow_id, execution.run_id
    )
}
