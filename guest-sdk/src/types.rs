//! What a plugin declares about itself: the workflow or activity types it serves and the
//! defaults to register them with. The host reads these through the `describe` export, so an
//! artifact alone is enough to register its types with SWF and route tasks to it.

/// A workflow type a decider serves. Durations are SWF duration strings (seconds or `NONE`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkflowTypeDecl {
    /// Workflow type name.
    pub name: String,
    /// Workflow type version.
    pub version: String,
    /// Human-readable description (≤ 1,024 characters).
    pub description: Option<String>,
    /// Default decision task list.
    pub default_task_list: Option<String>,
    /// Default task priority (a signed 32-bit integer as a string).
    pub default_task_priority: Option<String>,
    /// Default execution start-to-close timeout.
    pub default_execution_start_to_close_timeout: Option<String>,
    /// Default decision task start-to-close timeout.
    pub default_task_start_to_close_timeout: Option<String>,
    /// Default child policy: `TERMINATE`, `REQUEST_CANCEL` or `ABANDON`.
    pub default_child_policy: Option<String>,
}

/// An activity type an activity plugin serves. Durations are SWF duration strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityTypeDecl {
    /// Activity type name.
    pub name: String,
    /// Activity type version.
    pub version: String,
    /// Human-readable description (≤ 1,024 characters).
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

macro_rules! builder_setters {
    ($ty:ident { $($(#[$doc:meta])* $field:ident),* $(,)? }) => {
        impl $ty {
            $(
                $(#[$doc])*
                pub fn $field(mut self, value: impl Into<String>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}

impl WorkflowTypeDecl {
    /// A workflow type with no defaults set.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            ..Self::default()
        }
    }
}

builder_setters!(WorkflowTypeDecl {
    /// Sets the description.
    description,
    /// Sets the default decision task list.
    default_task_list,
    /// Sets the default task priority.
    default_task_priority,
    /// Sets the default execution start-to-close timeout.
    default_execution_start_to_close_timeout,
    /// Sets the default decision task start-to-close timeout.
    default_task_start_to_close_timeout,
    /// Sets the default child policy.
    default_child_policy,
});

impl ActivityTypeDecl {
    /// An activity type with no defaults set.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            ..Self::default()
        }
    }
}

builder_setters!(ActivityTypeDecl {
    /// Sets the description.
    description,
    /// Sets the default activity task list.
    default_task_list,
    /// Sets the default task priority.
    default_task_priority,
    /// Sets the default start-to-close timeout.
    default_task_start_to_close_timeout,
    /// Sets the default heartbeat timeout.
    default_task_heartbeat_timeout,
    /// Sets the default schedule-to-start timeout.
    default_task_schedule_to_start_timeout,
    /// Sets the default schedule-to-close timeout.
    default_task_schedule_to_close_timeout,
});
