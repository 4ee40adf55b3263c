//! Visibility actions: describing runs, reading histories, listing and counting (§3.6, §7 of the
//! spec).

use serde::{Deserialize, Serialize};

use crate::serde_util::null_as_default;
use crate::{
    CloseStatusFilter, ExecutionTimeFilter, HistoryEvent, TagFilter, TaskList, WorkflowExecution,
    WorkflowExecutionConfiguration, WorkflowExecutionFilter, WorkflowExecutionInfo,
    WorkflowExecutionOpenCounts, WorkflowTypeFilter,
};

/// Input of DescribeWorkflowExecution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeWorkflowExecutionInput {
    /// Domain name.
    pub domain: String,
    /// The run (both ids required).
    pub execution: WorkflowExecution,
}

/// Output of DescribeWorkflowExecution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeWorkflowExecutionOutput {
    /// Visibility summary of the run.
    pub execution_info: WorkflowExecutionInfo,
    /// Resolved settings of the run.
    pub execution_configuration: WorkflowExecutionConfiguration,
    /// Open work items of the run.
    pub open_counts: WorkflowExecutionOpenCounts,
    /// When the latest activity task was scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_activity_task_timestamp: Option<f64>,
    /// The latest `executionContext` given by a decider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_execution_context: Option<String>,
}

/// Input of GetWorkflowExecutionHistory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetWorkflowExecutionHistoryInput {
    /// Domain name.
    pub domain: String,
    /// The run (both ids required).
    pub execution: WorkflowExecution,
    /// Token from a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Page size, 0..=1000 (0 means 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_page_size: Option<i32>,
    /// Newest events first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_order: Option<bool>,
}

/// Output of GetWorkflowExecutionHistory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetWorkflowExecutionHistoryOutput {
    /// One page of events.
    #[serde(default, deserialize_with = "null_as_default")]
    pub events: Vec<HistoryEvent>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// Input of ListOpenWorkflowExecutions.
///
/// At most one of `execution_filter`, `type_filter` and `tag_filter` may be given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListOpenWorkflowExecutionsInput {
    /// Domain name.
    pub domain: String,
    /// Start time range.
    pub start_time_filter: ExecutionTimeFilter,
    /// Only runs of this type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_filter: Option<WorkflowTypeFilter>,
    /// Only runs with this tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_filter: Option<TagFilter>,
    /// Token from a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Page size, 0..=1000 (0 means 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_page_size: Option<i32>,
    /// Oldest first instead of newest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_order: Option<bool>,
    /// Only runs with this workflow id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_filter: Option<WorkflowExecutionFilter>,
}

/// Input of ListClosedWorkflowExecutions.
///
/// Exactly one of the time filters, and at most one of the other filters, may be given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListClosedWorkflowExecutionsInput {
    /// Domain name.
    pub domain: String,
    /// Start time range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time_filter: Option<ExecutionTimeFilter>,
    /// Close time range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_time_filter: Option<ExecutionTimeFilter>,
    /// Only runs with this workflow id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_filter: Option<WorkflowExecutionFilter>,
    /// Only runs that closed this way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_status_filter: Option<CloseStatusFilter>,
    /// Only runs of this type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_filter: Option<WorkflowTypeFilter>,
    /// Only runs with this tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_filter: Option<TagFilter>,
    /// Token from a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Page size, 0..=1000 (0 means 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_page_size: Option<i32>,
    /// Oldest first instead of newest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_order: Option<bool>,
}

/// One page of run summaries: the output of ListOpenWorkflowExecutions and
/// ListClosedWorkflowExecutions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionInfos {
    /// One page of runs.
    #[serde(default, deserialize_with = "null_as_default")]
    pub execution_infos: Vec<WorkflowExecutionInfo>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// Output of ListOpenWorkflowExecutions.
pub type ListOpenWorkflowExecutionsOutput = WorkflowExecutionInfos;
/// Output of ListClosedWorkflowExecutions.
pub type ListClosedWorkflowExecutionsOutput = WorkflowExecutionInfos;

/// Input of CountOpenWorkflowExecutions; same filter rules as ListOpenWorkflowExecutions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountOpenWorkflowExecutionsInput {
    /// Domain name.
    pub domain: String,
    /// Start time range.
    pub start_time_filter: ExecutionTimeFilter,
    /// Only runs of this type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_filter: Option<WorkflowTypeFilter>,
    /// Only runs with this tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_filter: Option<TagFilter>,
    /// Only runs with this workflow id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_filter: Option<WorkflowExecutionFilter>,
}

/// Input of CountClosedWorkflowExecutions; same filter rules as ListClosedWorkflowExecutions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountClosedWorkflowExecutionsInput {
    /// Domain name.
    pub domain: String,
    /// Start time range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time_filter: Option<ExecutionTimeFilter>,
    /// Close time range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_time_filter: Option<ExecutionTimeFilter>,
    /// Only runs with this workflow id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_filter: Option<WorkflowExecutionFilter>,
    /// Only runs of this type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_filter: Option<WorkflowTypeFilter>,
    /// Only runs with this tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_filter: Option<TagFilter>,
    /// Only runs that closed this way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_status_filter: Option<CloseStatusFilter>,
}

/// A run count: the output of CountOpenWorkflowExecutions and CountClosedWorkflowExecutions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionCount {
    /// Number of matching runs.
    pub count: i32,
    /// Set when `count` is only a lower bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<bool>,
}

/// Output of CountOpenWorkflowExecutions.
pub type CountOpenWorkflowExecutionsOutput = WorkflowExecutionCount;
/// Output of CountClosedWorkflowExecutions.
pub type CountClosedWorkflowExecutionsOutput = WorkflowExecutionCount;

/// Input of CountPendingActivityTasks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountPendingActivityTasksInput {
    /// Domain name.
    pub domain: String,
    /// The activity task list.
    pub task_list: TaskList,
}

/// Input of CountPendingDecisionTasks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountPendingDecisionTasksInput {
    /// Domain name.
    pub domain: String,
    /// The decision task list.
    pub task_list: TaskList,
}

/// A queued-task count: the output of CountPendingActivityTasks and CountPendingDecisionTasks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingTaskCount {
    /// Number of scheduled but not yet started tasks.
    pub count: i32,
    /// Set when `count` is only a lower bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<bool>,
}

/// Output of CountPendingActivityTasks.
pub type CountPendingActivityTasksOutput = PendingTaskCount;
/// Output of CountPendingDecisionTasks.
pub type CountPendingDecisionTasksOutput = PendingTaskCount;
