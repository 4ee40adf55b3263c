//! Domain and type management actions (§3.1, §3.2 of the spec).

use serde::{Deserialize, Serialize};

use crate::serde_util::null_as_default;
use crate::{
    ActivityType, ActivityTypeConfiguration, ActivityTypeInfo, ChildPolicy, DomainConfiguration,
    DomainInfo, RegistrationStatus, ResourceTag, TaskList, WorkflowType, WorkflowTypeConfiguration,
    WorkflowTypeInfo,
};

/// Input of RegisterDomain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterDomainInput {
    /// Domain name.
    pub name: String,
    /// Free-form description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Days closed runs are retained: `"0"`..`"90"` or `"NONE"`.
    pub workflow_execution_retention_period_in_days: String,
    /// Resource tags of the domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<ResourceTag>>,
}

/// Input of DeprecateDomain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeprecateDomainInput {
    /// Domain name.
    pub name: String,
}

/// Input of UndeprecateDomain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UndeprecateDomainInput {
    /// Domain name.
    pub name: String,
}

/// Input of DescribeDomain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeDomainInput {
    /// Domain name.
    pub name: String,
}

/// Output of DescribeDomain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeDomainOutput {
    /// Summary of the domain.
    pub domain_info: DomainInfo,
    /// Configuration of the domain.
    pub configuration: DomainConfiguration,
}

/// Input of ListDomains.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListDomainsInput {
    /// Token from a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Only domains in this state.
    pub registration_status: RegistrationStatus,
    /// Page size, 0..=1000 (0 means 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_page_size: Option<i32>,
    /// Descending by name instead of ascending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_order: Option<bool>,
}

/// Output of ListDomains.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListDomainsOutput {
    /// One page of domains.
    #[serde(default, deserialize_with = "null_as_default")]
    pub domain_infos: Vec<DomainInfo>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// Input of RegisterActivityType.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterActivityTypeInput {
    /// Domain name.
    pub domain: String,
    /// Type name.
    pub name: String,
    /// Type version.
    pub version: String,
    /// Free-form description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
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

/// Input of DeprecateActivityType.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeprecateActivityTypeInput {
    /// Domain name.
    pub domain: String,
    /// The type.
    pub activity_type: ActivityType,
}

/// Input of UndeprecateActivityType.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UndeprecateActivityTypeInput {
    /// Domain name.
    pub domain: String,
    /// The type.
    pub activity_type: ActivityType,
}

/// Input of DeleteActivityType.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteActivityTypeInput {
    /// Domain name.
    pub domain: String,
    /// The type.
    pub activity_type: ActivityType,
}

/// Input of DescribeActivityType.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeActivityTypeInput {
    /// Domain name.
    pub domain: String,
    /// The type.
    pub activity_type: ActivityType,
}

/// Output of DescribeActivityType.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeActivityTypeOutput {
    /// Summary of the type.
    pub type_info: ActivityTypeInfo,
    /// Registered defaults.
    pub configuration: ActivityTypeConfiguration,
}

/// Input of ListActivityTypes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListActivityTypesInput {
    /// Domain name.
    pub domain: String,
    /// Only types with exactly this name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Only types in this state.
    pub registration_status: RegistrationStatus,
    /// Token from a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Page size, 0..=1000 (0 means 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_page_size: Option<i32>,
    /// Descending by name instead of ascending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_order: Option<bool>,
}

/// Output of ListActivityTypes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListActivityTypesOutput {
    /// One page of types.
    #[serde(default, deserialize_with = "null_as_default")]
    pub type_infos: Vec<ActivityTypeInfo>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// Input of RegisterWorkflowType.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterWorkflowTypeInput {
    /// Domain name.
    pub domain: String,
    /// Type name.
    pub name: String,
    /// Type version.
    pub version: String,
    /// Free-form description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
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

/// Input of DeprecateWorkflowType.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeprecateWorkflowTypeInput {
    /// Domain name.
    pub domain: String,
    /// The type.
    pub workflow_type: WorkflowType,
}

/// Input of UndeprecateWorkflowType.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UndeprecateWorkflowTypeInput {
    /// Domain name.
    pub domain: String,
    /// The type.
    pub workflow_type: WorkflowType,
}

/// Input of DeleteWorkflowType.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteWorkflowTypeInput {
    /// Domain name.
    pub domain: String,
    /// The type.
    pub workflow_type: WorkflowType,
}

/// Input of DescribeWorkflowType.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeWorkflowTypeInput {
    /// Domain name.
    pub domain: String,
    /// The type.
    pub workflow_type: WorkflowType,
}

/// Output of DescribeWorkflowType.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeWorkflowTypeOutput {
    /// Summary of the type.
    pub type_info: WorkflowTypeInfo,
    /// Registered defaults.
    pub configuration: WorkflowTypeConfiguration,
}

/// Input of ListWorkflowTypes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListWorkflowTypesInput {
    /// Domain name.
    pub domain: String,
    /// Only types with exactly this name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Only types in this state.
    pub registration_status: RegistrationStatus,
    /// Token from a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Page size, 0..=1000 (0 means 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_page_size: Option<i32>,
    /// Descending by name instead of ascending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_order: Option<bool>,
}

/// Output of ListWorkflowTypes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListWorkflowTypesOutput {
    /// One page of types.
    #[serde(default, deserialize_with = "null_as_default")]
    pub type_infos: Vec<WorkflowTypeInfo>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}
