//! The plain types the state machine's modules share: what a run's close tells its parent, a
//! termination, the cross-run effects deferred to the end of a decision list, a run to create,
//! queue keys and entries, and small helpers. A leaf: it imports none of its siblings, so every
//! other module of the state machine may import it.

use swf_model::{ChildPolicy, WorkflowExecution, WorkflowExecutionTerminatedCause, WorkflowType};

use crate::error::{ServiceError, ServiceResult};
use crate::run::{ParentLink, RunConfig};

/// How a run ended, with what its parent is told.
pub(super) enum Outcome {
    /// Completed, with the decider's result.
    Completed(Option<String>),
    /// Failed, with the decider's reason and details.
    Failed(Option<String>, Option<String>),
    /// Canceled, with the decider's details.
    Canceled(Option<String>),
    /// Terminated (by the API, a child policy or the history limit).
    Terminated,
    /// The execution start-to-close timeout expired.
    TimedOut,
    /// Continued as the new run with this run id.
    ContinuedAsNew(String),
}

/// A termination: by the API, a parent's child policy, or the history limit.
pub(super) struct Termination {
    /// The reason given to TerminateWorkflowExecution.
    pub reason: Option<String>,
    /// The details given to TerminateWorkflowExecution.
    pub details: Option<String>,
    /// The child policy to apply instead of the run's own.
    pub child_policy: Option<ChildPolicy>,
    /// What caused it.
    pub cause: WorkflowExecutionTerminatedCause,
}

/// How an activity worker closes a started task (RespondActivityTask…).
pub enum ActivityOutcome {
    /// RespondActivityTaskCompleted, with the worker's result.
    Completed {
        /// The result.
        result: Option<String>,
    },
    /// RespondActivityTaskFailed, with the worker's reason and details.
    Failed {
        /// The reason.
        reason: Option<String>,
        /// The details.
        details: Option<String>,
    },
    /// RespondActivityTaskCanceled, with the worker's details.
    Canceled {
        /// The details.
        details: Option<String>,
    },
}

/// The execution an external signal or cancel request of a decision addresses.
pub(super) struct ExternalTarget {
    /// The run that made the decision.
    pub source: String,
    /// Id of the source's …Initiated event.
    pub initiated_event_id: i64,
    /// Id of the DecisionTaskCompleted event of the decision.
    pub decision_task_completed_event_id: i64,
    /// The target's workflow id.
    pub workflow_id: String,
    /// The target's run id; `None` means its open run.
    pub run_id: Option<String>,
    /// The decider's control data.
    pub control: Option<String>,
}

impl ExternalTarget {
    /// The target of a decision of run `source` whose …Initiated and DecisionTaskCompleted
    /// events are `(initiated, completed)`; an empty run id means the open run.
    pub fn new(
        source: &str,
        (initiated, completed): (i64, i64),
        workflow_id: String,
        run_id: Option<String>,
        control: Option<String>,
    ) -> Self {
        ExternalTarget {
            source: source.to_owned(),
            initiated_event_id: initiated,
            decision_task_completed_event_id: completed,
            workflow_id,
            run_id: run_id.filter(|id| !id.is_empty()),
            control,
        }
    }
}

/// What a decision sends to another run.
pub(super) enum Delivery {
    /// A signal (SignalExternalWorkflowExecution).
    Signal {
        /// The signal's name.
        signal_name: String,
        /// The signal's payload.
        input: Option<String>,
    },
    /// A cancel request (RequestCancelExternalWorkflowExecution).
    Cancel,
}

/// A cross-run effect of a decision, applied after the decision list.
pub(super) enum Deferred {
    /// Start a child run (StartChildWorkflowExecution).
    StartChild {
        /// The parent run.
        parent: String,
        /// Id of the parent's StartChildWorkflowExecutionInitiated event.
        initiated_event_id: i64,
        /// Id of the DecisionTaskCompleted event of the decision.
        decision_task_completed_event_id: i64,
        /// The child to create.
        new: Box<NewRun>,
        /// The decider's control data.
        control: Option<String>,
    },
    /// Deliver a signal or a cancel request to another run.
    External {
        /// Whom to reach.
        target: ExternalTarget,
        /// What to deliver.
        delivery: Delivery,
    },
}

/// A new run to create.
pub(super) struct NewRun {
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
pub(super) type QueueKey = (String, String);

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
