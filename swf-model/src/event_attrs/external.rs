//! Events about signals and cancel requests this run sends to other runs.

use serde::{Deserialize, Serialize};

use crate::{
    RequestCancelExternalWorkflowExecutionFailedCause, SignalExternalWorkflowExecutionFailedCause,
    WorkflowExecution,
};

/// `SignalExternalWorkflowExecutionInitiated`: a SignalExternalWorkflowExecution decision was
/// accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignalExternalWorkflowExecutionInitiatedEventAttributes {
    /// Workflow id of the target.
    pub workflow_id: String,
    /// Run id of the target; absent means its open run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Name of the signal.
    pub signal_name: String,
    /// Signal payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
    /// Decider data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
}

/// `SignalExternalWorkflowExecutionFailed`: the signal could not be delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignalExternalWorkflowExecutionFailedEventAttributes {
    /// Workflow id of the target.
    pub workflow_id: String,
    /// Run id of the target, if one was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Why delivery failed.
    pub cause: SignalExternalWorkflowExecutionFailedCause,
    /// Id of the SignalExternalWorkflowExecutionInitiated event.
    #[serde(default)]
    pub initiated_event_id: i64,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
    /// Decider data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
}

/// `ExternalWorkflowExecutionSignaled`: the signal was delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalWorkflowExecutionSignaledEventAttributes {
    /// The run that received the signal.
    pub workflow_execution: WorkflowExecution,
    /// Id of the SignalExternalWorkflowExecutionInitiated event.
    #[serde(default)]
    pub initiated_event_id: i64,
}

/// `RequestCancelExternalWorkflowExecutionInitiated`: a RequestCancelExternalWorkflowExecution
/// decision was accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCancelExternalWorkflowExecutionInitiatedEventAttributes {
    /// Workflow id of the target.
    pub workflow_id: String,
    /// Run id of the target; absent means its open run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
    /// Decider data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
}

/// `RequestCancelExternalWorkflowExecutionFailed`: the cancel request could not be delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCancelExternalWorkflowExecutionFailedEventAttributes {
    /// Workflow id of the target.
    pub workflow_id: String,
    /// Run id of the target, if one was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Why delivery failed.
    pub cause: RequestCancelExternalWorkflowExecutionFailedCause,
    /// Id of the RequestCancelExternalWorkflowExecutionInitiated event.
    #[serde(default)]
    pub initiated_event_id: i64,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
    /// Decider data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
}

/// `ExternalWorkflowExecutionCancelRequested`: the cancel request was delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalWorkflowExecutionCancelRequestedEventAttributes {
    /// The run that received the request.
    pub workflow_execution: WorkflowExecution,
    /// Id of the RequestCancelExternalWorkflowExecutionInitiated event.
    #[serde(default)]
    pub initiated_event_id: i64,
}
