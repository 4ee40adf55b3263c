//! Structures shared by several actions (§2 of the spec): type and domain descriptions,
//! configurations, execution summaries and visibility filters.

use serde::{Deserialize, Serialize};

use crate::{
    ActivityType, ChildPolicy, CloseStatus, ExecutionStatus, RegistrationStatus, TaskList,
    WorkflowExecution, WorkflowType,
};

/// Summary of a domain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainInfo {
    /// Domain name.
    pub name: String,
    /// Registration state.
    pub status: RegistrationStatus,
    /// Description given at registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `arn:aws:swf:{region}:{account}:/domain/{name}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
}

/// Configuration of a domain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainConfiguration {
    /// Days a closed run is retained: `"0"`..`"90"` or `"NONE"`.
    pub workflow_execution_retention_period_in_days: String,
}

/// Summary of an activity type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTypeInfo {
    /// The type.
    pub activity_type: ActivityType,
    /// Registration state.
    pub status: RegistrationStatus,
    /// Description given at registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When the type was registered.
    pub creation_date: f64,
    /// When the type was deprecated; only for deprecated types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation_date: Option<f64>,
}

/// Defaults registered with an activity type; only the ones supplied at registration are present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTypeConfiguration {
    /// Default start-to-close timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_task_start_to_close_timeout: Option<String>,
    /// Default heartbeat timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_task_heartbeat_timeout: Option<String>,
    /// Default task list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_task_list: Option<TaskList>,
    /// Default task priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_task_priority: Option<String>,
    /// Default schedule-to-start timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_task_schedule_to_start_timeout: Option<String>,
    /// Default schedule-to-close timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_task_schedule_to_close_timeout: Option<String>,
}

/// Summary of a workflow type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTypeInfo {
    /// The type.
    pub workflow_type: WorkflowType,
    /// Registration state.
    pub status: RegistrationStatus,
    /// Description given at registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When the type was registered.
    pub creation_date: f64,
    /// When the type was deprecated; only for deprecated types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation_date: Option<f64>,
}

/// Defaults registered with a workflow type; only the ones supplied at registration are present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTypeConfiguration {
    /// Default decision task start-to-close timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_task_start_to_close_timeout: Option<String>,
    /// Default execution start-to-close timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_execution_start_to_close_timeout: Option<String>,
    /// Default decision task list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_task_list: Option<TaskList>,
    /// Default decision task priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_task_priority: Option<String>,
    /// Default child policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_child_policy: Option<ChildPolicy>,
    /// Default IAM role for Lambda tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_lambda_role: Option<String>,
}

/// Visibility summary of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionInfo {
    /// The run.
    pub execution: WorkflowExecution,
    /// Type of the run.
    pub workflow_type: WorkflowType,
    /// When the run started.
    pub start_timestamp: f64,
    /// When the run closed; only for closed runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_timestamp: Option<f64>,
    /// Open or closed.
    pub execution_status: ExecutionStatus,
    /// How the run closed; only for closed runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_status: Option<CloseStatus>,
    /// Parent run; only for child runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<WorkflowExecution>,
    /// Tags of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_list: Option<Vec<String>>,
    /// Whether a cancel request has been recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_requested: Option<bool>,
}

/// The resolved settings of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionConfiguration {
    /// Decision task start-to-close timeout.
    pub task_start_to_close_timeout: String,
    /// Execution start-to-close timeout.
    pub execution_start_to_close_timeout: String,
    /// Decision task list.
    pub task_list: TaskList,
    /// Decision task priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_priority: Option<String>,
    /// Child policy.
    pub child_policy: ChildPolicy,
    /// IAM role for Lambda tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_role: Option<String>,
}

/// Counts of a run's open work items.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionOpenCounts {
    /// Scheduled plus started activity tasks.
    pub open_activity_tasks: i32,
    /// Scheduled or started decision tasks (0 or 1).
    pub open_decision_tasks: i32,
    /// Open timers.
    pub open_timers: i32,
    /// Open child runs.
    pub open_child_workflow_executions: i32,
    /// Open Lambda tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_lambda_functions: Option<i32>,
}

/// Time range filter of the visibility calls; both bounds inclusive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionTimeFilter {
    /// Earliest matching time.
    pub oldest_date: f64,
    /// Latest matching time; open-ended when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_date: Option<f64>,
}

/// Matches runs by exact workflow id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionFilter {
    /// The workflow id.
    pub workflow_id: String,
}

/// Matches runs by workflow type name, and version if given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTypeFilter {
    /// The type name.
    pub name: String,
    /// The type version; any version when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Matches runs carrying a tag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagFilter {
    /// The exact tag.
    pub tag: String,
}

/// Matches closed runs by close status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseStatusFilter {
    /// The close status.
    pub status: CloseStatus,
}

/// A tag on a domain (resource tagging, not run tags).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceTag {
    /// Tag key, 1..=128 characters.
    pub key: String,
    /// Tag value, at most 256 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}
