//! Identifier structures that appear throughout the API (§2 of the spec): type ids, task lists and
//! workflow execution ids.

use serde::{Deserialize, Serialize};

/// Identifies a registered workflow type: `{name, version}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowType {
    /// Type name, 1..=256 characters.
    pub name: String,
    /// Type version, 1..=64 characters.
    pub version: String,
}

impl WorkflowType {
    /// Builds a workflow type id.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
        }
    }
}

/// Identifies a registered activity type: `{name, version}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityType {
    /// Type name, 1..=256 characters.
    pub name: String,
    /// Type version, 1..=64 characters.
    pub version: String,
}

impl ActivityType {
    /// Builds an activity type id.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
        }
    }
}

/// A task list, named by the caller; task lists exist implicitly once used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskList {
    /// Task list name, 1..=256 characters.
    pub name: String,
}

impl TaskList {
    /// Builds a task list reference.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into() }
    }
}

/// Identifies one run of a workflow: `{workflowId, runId}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecution {
    /// Caller-chosen workflow id, 1..=256 characters.
    pub workflow_id: String,
    /// Service-generated, opaque run id, 1..=64 characters.
    pub run_id: String,
}

impl WorkflowExecution {
    /// Builds a workflow execution id.
    pub fn new(workflow_id: impl Into<String>, run_id: impl Into<String>) -> Self {
        Self {
            workflow_id: workflow_id.into(),
            run_id: run_id.into(),
        }
    }
}
