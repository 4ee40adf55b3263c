//! Events about the workflow execution itself and its decision tasks.

use serde::{Deserialize, Serialize};

use crate::{
    CancelWorkflowExecutionFailedCause, ChildPolicy, CompleteWorkflowExecutionFailedCause,
    ContinueAsNewWorkflowExecutionFailedCause, DecisionTaskTimeoutType,
    FailWorkflowExecutionFailedCause, TaskList, WorkflowExecution,
    WorkflowExecutionCancelRequestedCause, WorkflowExecutionTerminatedCause,
    WorkflowExecutionTimeoutType, WorkflowType,
};

/// `WorkflowExecutionStarted`: the first event of every run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionStartedEventAttributes {
    /// Input given to the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Resolved execution start-to-close timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_start_to_close_timeout: Option<String>,
    /// Resolved decision task start-to-close timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_start_to_close_timeout: Option<String>,
    /// Resolved child policy.
    pub child_policy: ChildPolicy,
    /// Resolved decision task list.
    pub task_list: TaskList,
    /// Resolved decision task priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_priority: Option<String>,
    /// Type of the run.
    pub workflow_type: WorkflowType,
    /// Tags of the run (at most 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_list: Option<Vec<String>>,
    /// Run id of the run that continued as this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continued_execution_run_id: Option<String>,
    /// Parent run, for child executions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_workflow_execution: Option<WorkflowExecution>,
    /// Id of the parent's StartChildWorkflowExecutionInitiated event; SWF writes `0` for runs
    /// without a parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_initiated_event_id: Option<i64>,
    /// IAM role for Lambda tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_role: Option<String>,
}

/// `WorkflowExecutionCancelRequested`: someone asked the run to cancel itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionCancelRequestedEventAttributes {
    /// Requesting run, when the request came from another run's decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_workflow_execution: Option<WorkflowExecution>,
    /// Id of the requesting run's RequestCancelExternalWorkflowExecutionInitiated event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_initiated_event_id: Option<i64>,
    /// Set when a parent's child policy generated the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<WorkflowExecutionCancelRequestedCause>,
}

/// `WorkflowExecutionCompleted`: the run closed successfully.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionCompletedEventAttributes {
    /// Result given by the decider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// Id of the DecisionTaskCompleted event of the closing decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}

/// `CompleteWorkflowExecutionFailed`: a CompleteWorkflowExecution decision was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompleteWorkflowExecutionFailedEventAttributes {
    /// Why the decision failed.
    pub cause: CompleteWorkflowExecutionFailedCause,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}

/// `WorkflowExecutionFailed`: the run closed as failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionFailedEventAttributes {
    /// Short failure reason (at most 256 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Failure details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Id of the DecisionTaskCompleted event of the closing decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}

/// `FailWorkflowExecutionFailed`: a FailWorkflowExecution decision was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailWorkflowExecutionFailedEventAttributes {
    /// Why the decision failed.
    pub cause: FailWorkflowExecutionFailedCause,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}

/// `WorkflowExecutionTimedOut`: the execution start-to-close timeout expired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionTimedOutEventAttributes {
    /// Always `START_TO_CLOSE`.
    pub timeout_type: WorkflowExecutionTimeoutType,
    /// Child policy applied to the open children.
    pub child_policy: ChildPolicy,
}

/// `WorkflowExecutionCanceled`: the run closed as canceled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionCanceledEventAttributes {
    /// Details given by the decider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Id of the DecisionTaskCompleted event of the closing decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}

/// `CancelWorkflowExecutionFailed`: a CancelWorkflowExecution decision was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelWorkflowExecutionFailedEventAttributes {
    /// Why the decision failed.
    pub cause: CancelWorkflowExecutionFailedCause,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}

/// `WorkflowExecutionContinuedAsNew`: the run closed and a new run with the same workflow id
/// started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionContinuedAsNewEventAttributes {
    /// Input of the new run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Id of the DecisionTaskCompleted event of the closing decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
    /// Run id of the new run.
    pub new_execution_run_id: String,
    /// Resolved execution start-to-close timeout of the new run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_start_to_close_timeout: Option<String>,
    /// Resolved decision task list of the new run.
    pub task_list: TaskList,
    /// Resolved decision task priority of the new run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_priority: Option<String>,
    /// Resolved decision task start-to-close timeout of the new run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_start_to_close_timeout: Option<String>,
    /// Resolved child policy of the new run.
    pub child_policy: ChildPolicy,
    /// Tags of the new run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_list: Option<Vec<String>>,
    /// Type of the new run.
    pub workflow_type: WorkflowType,
    /// IAM role for Lambda tasks of the new run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_role: Option<String>,
}

/// `ContinueAsNewWorkflowExecutionFailed`: a ContinueAsNewWorkflowExecution decision was
/// rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContinueAsNewWorkflowExecutionFailedEventAttributes {
    /// Why the decision failed.
    pub cause: ContinueAsNewWorkflowExecutionFailedCause,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}

/// `WorkflowExecutionTerminated`: the run was closed from outside.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionTerminatedEventAttributes {
    /// Reason given to TerminateWorkflowExecution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Details given to TerminateWorkflowExecution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Child policy applied to the open children.
    pub child_policy: ChildPolicy,
    /// What caused the termination; may be missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<WorkflowExecutionTerminatedCause>,
}

/// `DecisionTaskScheduled`: a decision task was queued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionTaskScheduledEventAttributes {
    /// Task list the task was queued on.
    pub task_list: TaskList,
    /// Priority of the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_priority: Option<String>,
    /// Effective start-to-close timeout of the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_to_close_timeout: Option<String>,
    /// Schedule-to-start timeout, only under a temporary task-list override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_to_start_timeout: Option<String>,
}

/// `DecisionTaskStarted`: a decider received the task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionTaskStartedEventAttributes {
    /// Identity given by the polling decider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Id of the DecisionTaskScheduled event.
    #[serde(default)]
    pub scheduled_event_id: i64,
}

/// `DecisionTaskCompleted`: the decider responded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionTaskCompletedEventAttributes {
    /// Execution context given by the decider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_context: Option<String>,
    /// Id of the DecisionTaskScheduled event.
    #[serde(default)]
    pub scheduled_event_id: i64,
    /// Id of the DecisionTaskStarted event.
    #[serde(default)]
    pub started_event_id: i64,
    /// Task-list override requested by the decider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_list: Option<TaskList>,
    /// Schedule-to-start timeout of a temporary task-list override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_list_schedule_to_start_timeout: Option<String>,
}

/// `DecisionTaskTimedOut`: a decision task expired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionTaskTimedOutEventAttributes {
    /// Which timeout expired.
    pub timeout_type: DecisionTaskTimeoutType,
    /// Id of the DecisionTaskScheduled event.
    #[serde(default)]
    pub scheduled_event_id: i64,
    /// Id of the DecisionTaskStarted event; 0 if the task never started.
    #[serde(default)]
    pub started_event_id: i64,
}
