//! The [`Decider`] trait and the [`export_decider!`](crate::export_decider) macro that turns an
//! implementation into the `decide` and `describe` exports of the `decider` world.

use crate::{BoxError, DecisionTask, Decisions, WorkflowTypeDecl};

/// Workflow logic: given the complete history of an execution, decide what happens next.
///
/// `decide` must be a pure function of the task: the host replays histories to check new
/// versions, and runs deciders with a clock and random source derived from the history so
/// that two runs on the same task give the same decisions.
pub trait Decider {
    /// The workflow types this decider serves, with their registration defaults.
    fn workflow_types() -> Vec<WorkflowTypeDecl>;

    /// The decisions for this decision task. An error leaves the task to the host's failure
    /// policy (by default it times out and SWF schedules it again).
    fn decide(task: &DecisionTask) -> Result<Decisions, BoxError>;
}

/// Runs `D::decide` on the task JSON the host passed in; used by the export glue.
#[doc(hidden)]
pub fn __decide<D: Decider>(task_json: &str) -> Result<String, String> {
    let task = DecisionTask::from_json(task_json)
        .map_err(|e| format!("cannot parse the decision task: {e}"))?;
    let decisions = D::decide(&task).map_err(|e| e.to_string())?;
    serde_json::to_string(&decisions.into_response())
        .map_err(|e| format!("cannot serialise the decisions: {e}"))
}

/// Converts the declared types into the WIT records; used by the export glue.
#[cfg(feature = "decider")]
#[doc(hidden)]
pub fn __describe<D: Decider>()
-> Vec<crate::bindings::decider::swfwasm::plugin::types::WorkflowTypeDecl> {
    use crate::bindings::decider::swfwasm::plugin::types::WorkflowTypeDecl as Wit;
    D::workflow_types()
        .into_iter()
        .map(|t| Wit {
            name: t.name,
            version: t.version,
            description: t.description,
            default_task_list: t.default_task_list,
            default_task_priority: t.default_task_priority,
            default_execution_start_to_close_timeout: t.default_execution_start_to_close_timeout,
            default_task_start_to_close_timeout: t.default_task_start_to_close_timeout,
            default_child_policy: t.default_child_policy,
        })
        .collect()
}

/// Exports a [`Decider`] implementation as this component's `decider` world.
///
/// Use once per plugin crate, with the `decider` feature of `swfwasm-guest` enabled.
#[cfg(feature = "decider")]
#[macro_export]
macro_rules! export_decider {
    ($decider:ty) => {
        #[doc(hidden)]
        struct __SwfwasmDeciderExport;

        impl $crate::bindings::decider::Guest for __SwfwasmDeciderExport {
            fn describe()
            -> ::std::vec::Vec<$crate::bindings::decider::swfwasm::plugin::types::WorkflowTypeDecl>
            {
                $crate::decider::__describe::<$decider>()
            }

            fn decide(
                task: ::std::string::String,
            ) -> ::std::result::Result<::std::string::String, ::std::string::String> {
                $crate::decider::__decide::<$decider>(&task)
            }
        }

        $crate::bindings::decider::__export_decider_world!(
            __SwfwasmDeciderExport with_types_in $crate::bindings::decider
        );
    };
}
