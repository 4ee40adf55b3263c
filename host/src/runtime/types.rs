//! Plain data the runtime hands out about plugins and their results: which [`World`] and
//! [`Contract`] an artifact implements, the types it declared ([`PluginTypes`]), and how an
//! activity task ended ([`ActivityOutcome`]). Host-side types, so callers never name the WIT
//! bindings. A leaf: imports nothing of its siblings.

/// Which world of the swfwasm WIT package a component implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum World {
    /// `swfwasm:plugin/decider`.
    Decider,
    /// `swfwasm:plugin/activity`.
    Activity,
}

impl World {
    /// `"decider"` or `"activity"`.
    pub fn name(self) -> &'static str {
        match self {
            World::Decider => "decider",
            World::Activity => "activity",
        }
    }
}

/// Which version of the `swfwasm:plugin` contract an artifact was built against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contract {
    /// 0.1.0: no outbound HTTP, no config, no `requires`.
    V0_1,
    /// 0.2.0: activities may declare needs and use what is granted.
    V0_2,
}

impl Contract {
    /// `"0.1.0"` or `"0.2.0"`.
    pub fn version(self) -> &'static str {
        match self {
            Contract::V0_1 => "0.1.0",
            Contract::V0_2 => "0.2.0",
        }
    }
}

/// The types a plugin declared through `describe`, checked to be valid SWF names.
#[derive(Debug, Clone)]
pub enum PluginTypes {
    /// Workflow types of a decider.
    Workflows(Vec<WorkflowTypeDecl>),
    /// Activity types of an activity plugin.
    Activities(Vec<ActivityTypeDecl>),
}

/// A workflow type a decider serves, with the defaults SWF should register for it (the WIT
/// record `workflow-type-decl`). Durations are SWF duration strings (seconds or `NONE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowTypeDecl {
    /// The type's name.
    pub name: String,
    /// The type's version.
    pub version: String,
    /// Registered description.
    pub description: Option<String>,
    /// Default decision task list.
    pub default_task_list: Option<String>,
    /// Default task priority.
    pub default_task_priority: Option<String>,
    /// Default run timeout.
    pub default_execution_start_to_close_timeout: Option<String>,
    /// Default decision task timeout.
    pub default_task_start_to_close_timeout: Option<String>,
    /// `TERMINATE`, `REQUEST_CANCEL` or `ABANDON`.
    pub default_child_policy: Option<String>,
}

/// An activity type an activity plugin executes, with the defaults SWF should register for it
/// (the WIT record `activity-type-decl`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityTypeDecl {
    /// The type's name.
    pub name: String,
    /// The type's version.
    pub version: String,
    /// Registered description.
    pub description: Option<String>,
    /// Default activity task list.
    pub default_task_list: Option<String>,
    /// Default task priority.
    pub default_task_priority: Option<String>,
    /// Default start-to-close timeout.
    pub default_task_start_to_close_timeout: Option<String>,
    /// Default heartbeat timeout.
    pub default_task_heartbeat_timeout: Option<String>,
    /// Default schedule-to-start timeout.
    pub default_task_schedule_to_start_timeout: Option<String>,
    /// Default schedule-to-close timeout.
    pub default_task_schedule_to_close_timeout: Option<String>,
}

/// How an activity task ended. Reasons and details are already truncated to SWF's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityOutcome {
    /// RespondActivityTaskCompleted with this result.
    Completed(String),
    /// RespondActivityTaskFailed.
    Failed {
        /// At most 256 characters.
        reason: String,
        /// At most 32,768 characters.
        details: Option<String>,
    },
    /// RespondActivityTaskCanceled.
    Canceled {
        /// At most 32,768 characters.
        details: Option<String>,
    },
}
