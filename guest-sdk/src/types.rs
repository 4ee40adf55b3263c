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

/// One capability an activity asks the operator for: an outbound host pattern or a config key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// The host pattern or the config key.
    pub name: String,
    /// Whether the artifact stays inactive when the operator does not grant it.
    pub required: bool,
}

/// What an activity needs beyond computing, returned by
/// [`Activity::requirements`](crate::Activity::requirements) and read by the host through the
/// `requires` export when the artifact is loaded.
///
/// The capability an activity gets is what it declares here AND what the operator grants in
/// `swfwasm.toml`: a request to a host that is not both declared and granted is answered
/// `HTTP-request-denied`, a key that is not declared is answered
/// [`ConfigError::Undeclared`](crate::config::ConfigError::Undeclared). A *required* need the
/// operator does not grant keeps the artifact inactive (the host says which); an optional one is
/// simply unavailable at run time.
///
/// ```
/// use swfwasm_guest::Requirements;
///
/// let needs = Requirements::new()
///     .outbound_host("{PAYMENT_URL}", true) // the origin of config key PAYMENT_URL's value
///     .outbound_host("https://*.example.com", false)
///     .config_key("PAYMENT_URL", true)
///     .config_key("PAYMENT_KEY", true);
/// assert_eq!(needs.config_keys.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirements {
    /// Hosts the activity sends HTTP requests to (see [`Requirements::outbound_host`]).
    pub outbound_hosts: Vec<Need>,
    /// Keys the activity reads with [`config::get`](crate::config::get).
    pub config_keys: Vec<Need>,
}

impl Requirements {
    /// Nothing needed: no outbound HTTP, no config (the default of
    /// [`Activity::requirements`](crate::Activity::requirements)).
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares a host the activity sends requests to.
    ///
    /// `pattern` uses Spin's syntax: `https://api.example.com`, `http://127.0.0.1:8099`
    /// (a missing port means the scheme's default), `https://*.example.com`, `*://*:*` (any), or
    /// `{KEY}`: the origin of config key `KEY`'s value (declare the key too).
    pub fn outbound_host(mut self, pattern: impl Into<String>, required: bool) -> Self {
        self.outbound_hosts.push(Need {
            name: pattern.into(),
            required,
        });
        self
    }

    /// Declares a config key the activity reads with [`config::get`](crate::config::get).
    pub fn config_key(mut self, key: impl Into<String>, required: bool) -> Self {
        self.config_keys.push(Need {
            name: key.into(),
            required,
        });
        self
    }
}
