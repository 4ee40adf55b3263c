//! Events about child workflow executions, as seen in the parent's history.

use serde::{Deserialize, Serialize};

use crate::{
    ChildPolicy, StartChildWorkflowExecutionFailedCause, TaskList, WorkflowExecution,
    WorkflowExecutionTimeoutType, WorkflowType,
};

/// `StartChildWorkflowExecutionInitiated`: a StartChildWorkflowExecution decision was accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartChildWorkflowExecutionInitiatedEventAttributes {
    /// Workflow id of the child.
    pub workflow_id: String,
    /// Type of the child.
    pub workflow_type: WorkflowType,
    /// Decider data not sent to the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Input of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Resolved execution start-to-close timeout of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_start_to_close_timeout: Option<String>,
    /// Resolved decision task list of the child.
    pub task_list: TaskList,
    /// Resolved decision task priority of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_priority: Option<String>,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
    /// Resolved child policy of the child.
    pub child_policy: ChildPolicy,
    /// Resolved decision task start-to-close timeout of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_start_to_close_timeout: Option<String>,
    /// Tags of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_list: Option<Vec<String>>,
    /// IAM role for Lambda tasks of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_role: Option<String>,
}

/// `StartChildWorkflowExecutionFailed`: the child could not be started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartChildWorkflowExecutionFailedEventAttributes {
    /// Type named by the decision.
    pub workflow_type: WorkflowType,
    /// Why the start failed.
    pub cause: StartChildWorkflowExecutionFailedCause,
    /// Workflow id named by the decision.
    pub workflow_id: String,
    /// Id of the Initiated event; 0 unless the cause is `WORKFLOW_ALREADY_RUNNING`.
    #[serde(default)]
    pub initiated_event_id: i64,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
    /// Decider data from the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
}

/// `ChildWorkflowExecutionStarted`: the child run was created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildWorkflowExecutionStartedEventAttributes {
    /// The child run.
    pub workflow_execution: WorkflowExecution,
    /// Type of the child.
    pub workflow_type: WorkflowType,
    /// Id of the StartChildWorkflowExecutionInitiated event.
    #[serde(default)]
    pub initiated_event_id: i64,
}

/// `ChildWorkflowExecutionCompleted`: the child completed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildWorkflowExecutionCompletedEventAttributes {
    /// The child run.
    pub workflow_execution: WorkflowExecution,
    /// Type of the child.
    pub workflow_type: WorkflowType,
    /// Result of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// Id of the StartChildWorkflowExecutionInitiated event.
    #[serde(default)]
    pub initiated_event_id: i64,
    /// Id of the ChildWorkflowExecutionStarted event.
    #[serde(default)]
    pub started_event_id: i64,
}

/// `ChildWorkflowExecutionFailed`: the child failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildWorkflowExecutionFailedEventAttributes {
    /// The child run.
    pub workflow_execution: WorkflowExecution,
    /// Type of the child.
    pub workflow_type: WorkflowType,
    /// Failure reason of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Failure details of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Id of the StartChildWorkflowExecutionInitiated event.
    #[serde(default)]
    pub initiated_event_id: i64,
    /// Id of the ChildWorkflowExecutionStarted event.
    #[serde(default)]
    pub started_event_id: i64,
}

/// `ChildWorkflowExecutionTimedOut`: the child timed out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildWorkflowExecutionTimedOutEventAttributes {
    /// The child run.
    pub workflow_execution: WorkflowExecution,
    /// Type of the child.
    pub workflow_type: WorkflowType,
    /// Always `START_TO_CLOSE`.
    pub timeout_type: WorkflowExecutionTimeoutType,
    /// Id of the StartChildWorkflowExecutionInitiated event.
    #[serde(default)]
    pub initiated_event_id: i64,
    /// Id of the ChildWorkflowExecutionStarted event.
    #[serde(default)]
    pub started_event_id: i64,
}

/// `ChildWorkflowExecutionCanceled`: the child was canceled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildWorkflowExecutionCanceledEventAttributes {
    /// The child run.
    pub workflow_execution: WorkflowExecution,
    /// Type of the child.
    pub workflow_type: WorkflowType,
    /// Cancellation details of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Id of the StartChildWorkflowExecutionInitiated event.
    #[serde(default)]
    pub initiated_event_id: i64,
    /// Id of the ChildWorkflowExecutionStarted event.
    #[serde(default)]
    pub started_event_id: i64,
}

/// `ChildWorkflowExecutionTerminated`: the child was terminated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildWorkflowExecutionTerminatedEventAttributes {
    /// The child run.
    pub workflow_execution: WorkflowExecution,
    /// Type of the child.
    pub workflow_type: WorkflowType,
    /// Id of the StartChildWorkflowExecutionInitiated event.
    #[serde(default)]
    pub initiated_event_id: i64,
    /// Id of the ChildWorkflowExecutionStarted event.
    #[serde(default)]
    pub started_event_id: i64,
}
