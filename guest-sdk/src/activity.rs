//! The [`Activity`] trait, heartbeats, and the [`export_activity!`](crate::export_activity)
//! macro that turns an implementation into the `describe`, `requires` and `execute` exports of
//! the `activity` world.

use std::ops::Deref;

use crate::{ActivityTypeDecl, Requirements};

/// One unit of work: given an activity task, produce a result or a failure.
pub trait Activity {
    /// The activity types this plugin serves, with their registration defaults.
    fn activity_types() -> Vec<ActivityTypeDecl>;

    /// The outbound hosts and config keys the activity uses ([`Requirements`]). The default
    /// needs nothing: no HTTP, no config.
    fn requirements() -> Requirements {
        Requirements::new()
    }

    /// Performs the task. `Ok` is answered with RespondActivityTaskCompleted; an
    /// [`ActivityError`] with RespondActivityTaskFailed or RespondActivityTaskCanceled.
    fn execute(task: &ActivityTask) -> Result<String, ActivityError>;
}

/// An activity task: its id, type, workflow execution and input.
///
/// Dereferences to [`swf_model::ActivityTask`] for the raw fields.
#[derive(Debug, Clone)]
pub struct ActivityTask {
    raw: swf_model::ActivityTask,
}

impl ActivityTask {
    /// Wraps a parsed activity task.
    pub fn new(raw: swf_model::ActivityTask) -> Self {
        Self { raw }
    }

    /// Parses the JSON the host passes to `execute`.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json).map(Self::new)
    }

    /// The task's input, if any.
    pub fn input(&self) -> Option<&str> {
        self.raw.input.as_deref()
    }

    /// The input parsed as JSON into `T`.
    pub fn input_json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.input().unwrap_or("null"))
    }
}

impl Deref for ActivityTask {
    type Target = swf_model::ActivityTask;

    fn deref(&self) -> &Self::Target {
        &self.raw
    }
}

/// How an activity ended without a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityError {
    /// The work failed; SWF records `reason` and `details` in ActivityTaskFailed.
    Failed {
        /// Short reason (the host truncates it to 256 characters).
        reason: String,
        /// Longer details (the host truncates them to 32,768 characters).
        details: Option<String>,
    },
    /// The activity stops because cancellation was requested.
    Canceled {
        /// Details recorded in ActivityTaskCanceled.
        details: Option<String>,
    },
}

impl ActivityError {
    /// A failure with a reason and optional details.
    pub fn failed(reason: impl Into<String>, details: Option<String>) -> Self {
        Self::Failed {
            reason: reason.into(),
            details,
        }
    }

    /// An acknowledged cancellation.
    pub fn canceled(details: Option<String>) -> Self {
        Self::Canceled { details }
    }
}

/// Any error becomes a failure whose reason is its message; `?` works in `execute`.
impl<E: std::error::Error> From<E> for ActivityError {
    fn from(error: E) -> Self {
        Self::failed(error.to_string(), None)
    }
}

/// What SWF answered to a heartbeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeartbeatStatus {
    /// Keep working.
    Ok,
    /// The decider asked to cancel this activity: return [`ActivityError::Canceled`].
    CancelRequested,
    /// The task no longer exists (timed out, or its workflow closed): stop, nothing you
    /// return will be recorded.
    TaskGone,
}

/// Reports progress on the running activity task (RecordActivityTaskHeartbeat) and learns
/// whether it should stop. Cheap to call often: the host rate-limits what reaches SWF.
///
/// In a native build (unit tests) it always answers [`HeartbeatStatus::Ok`].
pub fn heartbeat(details: Option<&str>) -> HeartbeatStatus {
    imp::heartbeat(details)
}

#[cfg(all(target_arch = "wasm32", feature = "activity"))]
mod imp {
    use super::HeartbeatStatus;
    use crate::bindings::activity::swfwasm::plugin::{activity_host, types};

    pub(super) fn heartbeat(details: Option<&str>) -> HeartbeatStatus {
        match activity_host::heartbeat(details) {
            types::HeartbeatStatus::Ok => HeartbeatStatus::Ok,
            types::HeartbeatStatus::CancelRequested => HeartbeatStatus::CancelRequested,
            types::HeartbeatStatus::TaskGone => HeartbeatStatus::TaskGone,
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", feature = "activity")))]
mod imp {
    use super::HeartbeatStatus;

    pub(super) fn heartbeat(_details: Option<&str>) -> HeartbeatStatus {
        HeartbeatStatus::Ok
    }
}

/// Runs `A::execute` on the task JSON the host passed in; used by the export glue.
#[cfg(feature = "activity")]
#[doc(hidden)]
pub fn __execute<A: Activity>(
    task_json: &str,
) -> Result<String, crate::bindings::activity::swfwasm::plugin::types::ActivityError> {
    use crate::bindings::activity::swfwasm::plugin::types::{ActivityError as Wit, Failure};
    let task = ActivityTask::from_json(task_json).map_err(|e| {
        Wit::Failed(Failure {
            reason: "invalid activity task".into(),
            details: Some(format!("cannot parse the activity task: {e}")),
        })
    })?;
    A::execute(&task).map_err(|e| match e {
        ActivityError::Failed { reason, details } => Wit::Failed(Failure { reason, details }),
        ActivityError::Canceled { details } => Wit::Canceled(details),
    })
}

/// Converts the declared types into the WIT records; used by the export glue.
#[cfg(feature = "activity")]
#[doc(hidden)]
pub fn __describe<A: Activity>()
-> Vec<crate::bindings::activity::swfwasm::plugin::types::ActivityTypeDecl> {
    use crate::bindings::activity::swfwasm::plugin::types::ActivityTypeDecl as Wit;
    A::activity_types()
        .into_iter()
        .map(|t| Wit {
            name: t.name,
            version: t.version,
            description: t.description,
            default_task_list: t.default_task_list,
            default_task_priority: t.default_task_priority,
            default_task_start_to_close_timeout: t.default_task_start_to_close_timeout,
            default_task_heartbeat_timeout: t.default_task_heartbeat_timeout,
            default_task_schedule_to_start_timeout: t.default_task_schedule_to_start_timeout,
            default_task_schedule_to_close_timeout: t.default_task_schedule_to_close_timeout,
        })
        .collect()
}

/// Converts the declared needs into the WIT record; used by the export glue.
#[cfg(feature = "activity")]
#[doc(hidden)]
pub fn __requires<A: Activity>() -> crate::bindings::activity::swfwasm::plugin::types::Requirements
{
    use crate::bindings::activity::swfwasm::plugin::types::{Need, Requirements as Wit};
    let convert = |needs: Vec<crate::types::Need>| -> Vec<Need> {
        needs
            .into_iter()
            .map(|n| Need {
                name: n.name,
                required: n.required,
            })
            .collect()
    };
    let needs = A::requirements();
    Wit {
        outbound_hosts: convert(needs.outbound_hosts),
        config_keys: convert(needs.config_keys),
    }
}

/// Exports an [`Activity`] implementation as this component's `activity` world.
///
/// Use once per plugin crate, with the `activity` feature of `swfwasm-guest` enabled.
#[cfg(feature = "activity")]
#[macro_export]
macro_rules! export_activity {
    ($activity:ty) => {
        #[doc(hidden)]
        struct __SwfwasmActivityExport;

        impl $crate::bindings::activity::Guest for __SwfwasmActivityExport {
            fn describe()
            -> ::std::vec::Vec<$crate::bindings::activity::swfwasm::plugin::types::ActivityTypeDecl>
            {
                $crate::activity::__describe::<$activity>()
            }

            fn requires() -> $crate::bindings::activity::swfwasm::plugin::types::Requirements {
                $crate::activity::__requires::<$activity>()
            }

            fn execute(
                task: ::std::string::String,
            ) -> ::std::result::Result<
                ::std::string::String,
                $crate::bindings::activity::swfwasm::plugin::types::ActivityError,
            > {
                $crate::activity::__execute::<$activity>(&task)
            }
        }

        $crate::bindings::activity::__export_activity_world!(
            __SwfwasmActivityExport with_types_in $crate::bindings::activity
        );
    };
}
