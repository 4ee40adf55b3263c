//! Starting and controlling runs, and the decider and activity-worker calls (§3.3–§3.5 of the
//! spec). The task payloads themselves are in [`crate::task`].

use serde::{Deserialize, Serialize};

use crate::{ChildPolicy, TaskList, WorkflowType};

/// Input of StartWorkflowExecution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartWorkflowExecutionInput {
    /// Domain name.
    pub domain: String,
    /// Caller-chosen workflow id; no other open run may have it.
    pub workflow_id: String,
    /// Type of the run.
    pub workflow_type: WorkflowType,
    /// Overrides the type's default decision task list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_list: Option<TaskList>,
    /// Overrides the type's default decision task priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_priority: Option<String>,
    /// Input of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Overrides the type's default execution start-to-close timeout (`NONE` not allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_start_to_close_timeout: Option<String>,
    /// Tags of the run (at most 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_list: Option<Vec<String>>,
    /// Overrides the type's default decision task start-to-close timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_start_to_close_timeout: Option<String>,
    /// Overrides the type's default child policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_policy: Option<ChildPolicy>,
    /// IAM role for Lambda tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_role: Option<String>,
}

/// Output of StartWorkflowExecution.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartWorkflowExecutionOutput {
    /// Opaque id of the new run.
    pub run_id: String,
}

/// Input of SignalWorkflowExecution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignalWorkflowExecutionInput {
    /// Domain name.
    pub domain: String,
    /// Workflow id of the target.
    pub workflow_id: String,
    /// Run id of the target; absent means the open run of `workflow_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Name of the signal.
    pub signal_name: String,
    /// Signal payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
}

/// Input of RequestCancelWorkflowExecution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCancelWorkflowExecutionInput {
    /// Domain name.
    pub domain: String,
    /// Workflow id of the target.
    pub workflow_id: String,
    /// Run id of the target; absent means the open run of `workflow_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
}

/// Input of TerminateWorkflowExecution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TerminateWorkflowExecutionInput {
    /// Domain name.
    pub domain: String,
    /// Workflow id of the target.
    pub workflow_id: String,
    /// Run id of the target; absent means the open run of `workflow_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Short reason (at most 256 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Overrides the run's child policy for this termination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_policy: Option<ChildPolicy>,
}

/// Input of PollForDecisionTask.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PollForDecisionTaskInput {
    /// Domain name.
    pub domain: String,
    /// Decision task list to poll.
    pub task_list: TaskList,
    /// Identity of the decider, recorded in DecisionTaskStarted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Token of the next history page of an already handed-out task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// History page size, 0..=1000 (0 means 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_page_size: Option<i32>,
    /// Newest events first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_order: Option<bool>,
    /// Only the events since the previous decision task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_at_previous_started_event: Option<bool>,
}

/// Input of PollForActivityTask.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PollForActivityTaskInput {
    /// Domain name.
    pub domain: String,
    /// Activity task list to poll.
    pub task_list: TaskList,
    /// Identity of the worker, recorded in ActivityTaskStarted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
}

/// Input of RecordActivityTaskHeartbeat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordActivityTaskHeartbeatInput {
    /// Token of the activity task.
    pub task_token: String,
    /// Progress details (at most 2,048 characters), reported if the task later times out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// Output of RecordActivityTaskHeartbeat.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordActivityTaskHeartbeatOutput {
    /// Whether cancellation of the task has been requested.
    #[serde(default)]
    pub cancel_requested: bool,
}

/// Input of RespondActivityTaskCompleted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RespondActivityTaskCompletedInput {
    /// Token of the activity task.
    pub task_token: String,
    /// Result of the activity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

/// Input of RespondActivityTaskFailed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RespondActivityTaskFailedInput {
    /// Token of the activity task.
    pub task_token: String,
    /// Short failure reason (at most 256 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Failure details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// Input of RespondActivityTaskCanceled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RespondActivityTaskCanceledInput {
    /// Token of the activity task.
    pub task_token: String,
    /// Cancellation details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}
