//! Tasks as handed to deciders and activity workers, and the decider's answer.
//!
//! The `Poll…Response` types mirror the wire exactly, including the "no task" shape real SWF
//! sends when a long poll ends empty (`{"startedEventId":0}` for activities,
//! `{"previousStartedEventId":0,"startedEventId":0}` for decisions: no `taskToken`). The
//! `…Task` types are the non-empty case with the required members made plain.

use serde::{Deserialize, Serialize};

use crate::serde_util::null_as_default;
use crate::{ActivityType, Decision, HistoryEvent, TaskList, WorkflowExecution, WorkflowType};

/// Output of PollForDecisionTask: either a decision task (or a further page of one) or the empty
/// "no task" answer.
///
/// `Default` serializes to exactly the empty answer SWF sends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PollForDecisionTaskResponse {
    /// Token to respond with; absent (or empty) when there is no task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_token: Option<String>,
    /// Id of the DecisionTaskStarted event of this task; 0 when there is no task.
    #[serde(default)]
    pub started_event_id: i64,
    /// Started event id of the previous decision task the decider completed; 0 if none.
    #[serde(default)]
    pub previous_started_event_id: i64,
    /// The run the task belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_execution: Option<WorkflowExecution>,
    /// Type of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_type: Option<WorkflowType>,
    /// One page of the run's history.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub events: Vec<HistoryEvent>,
    /// Present when more history pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

impl PollForDecisionTaskResponse {
    /// The task, or `None` for the "no task" answer (missing or empty `taskToken`, which clients
    /// must treat alike).
    pub fn into_task(self) -> Option<DecisionTask> {
        let task_token = self.task_token.filter(|token| !token.is_empty())?;
        Some(DecisionTask {
            task_token,
            started_event_id: self.started_event_id,
            previous_started_event_id: self.previous_started_event_id,
            workflow_execution: self.workflow_execution.unwrap_or_default(),
            workflow_type: self.workflow_type.unwrap_or_default(),
            events: self.events,
            next_page_token: self.next_page_token,
        })
    }
}

/// A decision task: the run's history up to this task's DecisionTaskStarted event.
///
/// This is also the document a WebAssembly decider receives, without the token: the host keeps
/// tokens to itself, hence `taskToken` is optional on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionTask {
    /// Token identifying this task attempt; empty when withheld.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub task_token: String,
    /// Id of the DecisionTaskStarted event of this task.
    #[serde(default)]
    pub started_event_id: i64,
    /// Started event id of the previous decision task the decider completed; 0 if none.
    #[serde(default)]
    pub previous_started_event_id: i64,
    /// The run the task belongs to.
    pub workflow_execution: WorkflowExecution,
    /// Type of the run.
    pub workflow_type: WorkflowType,
    /// History events (one page when `next_page_token` is set).
    #[serde(default, deserialize_with = "null_as_default")]
    pub events: Vec<HistoryEvent>,
    /// Present when more history pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// Output of PollForActivityTask: either an activity task or the empty "no task" answer.
///
/// `Default` serializes to exactly the empty answer SWF sends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PollForActivityTaskResponse {
    /// Token to respond with; absent (or empty) when there is no task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_token: Option<String>,
    /// Decider-chosen id of the activity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_id: Option<String>,
    /// Id of the ActivityTaskStarted event; 0 when there is no task.
    #[serde(default)]
    pub started_event_id: i64,
    /// The run that scheduled the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_execution: Option<WorkflowExecution>,
    /// Type of the activity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_type: Option<ActivityType>,
    /// Input given by the decider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
}

impl PollForActivityTaskResponse {
    /// The task, or `None` for the "no task" answer (missing or empty `taskToken`).
    pub fn into_task(self) -> Option<ActivityTask> {
        let task_token = self.task_token.filter(|token| !token.is_empty())?;
        Some(ActivityTask {
            task_token,
            activity_id: self.activity_id.unwrap_or_default(),
            started_event_id: self.started_event_id,
            workflow_execution: self.workflow_execution.unwrap_or_default(),
            activity_type: self.activity_type.unwrap_or_default(),
            input: self.input,
        })
    }
}

/// An activity task handed to a worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTask {
    /// Token identifying this task attempt; empty when withheld from a sandboxed worker.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub task_token: String,
    /// Decider-chosen id of the activity.
    pub activity_id: String,
    /// Id of the ActivityTaskStarted event.
    #[serde(default)]
    pub started_event_id: i64,
    /// The run that scheduled the task.
    pub workflow_execution: WorkflowExecution,
    /// Type of the activity.
    pub activity_type: ActivityType,
    /// Input given by the decider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
}

/// Input of RespondDecisionTaskCompleted: the decider's answer to a decision task.
///
/// A WebAssembly decider returns the same document without `taskToken`; the host fills it in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RespondDecisionTaskCompleted {
    /// Token of the task being completed; empty when produced by a sandboxed decider.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub task_token: String,
    /// Decisions, applied in order; may be empty.
    #[serde(default, deserialize_with = "null_as_default")]
    pub decisions: Vec<Decision>,
    /// Free-form decider state, shown by DescribeWorkflowExecution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_context: Option<String>,
    /// Redirects the run's future decision tasks to this task list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_list: Option<TaskList>,
    /// Makes the `task_list` override temporary, with this schedule-to-start timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_list_schedule_to_start_timeout: Option<String>,
}
