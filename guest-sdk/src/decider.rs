//! The [`Decider`] trait and the [`export_decider!`](crate::export_decider) macro that turns an
//! implementation into the exports of the `warm-decider` world: `describe`, `decide` (the
//! complete history) and `decide-since` (only the events after the previous call's, on an
//! instance the host kept warm for the run).
//!
//! Warm instances: the glue keeps the task of the latest successful call; `decide-since`
//! continues it with the new events ([`DecisionTask::continue_with`]) and calls the same
//! [`Decider::decide`] on the complete history, so a decider that is a pure function of its
//! history needs nothing to be warm. What it gains is not parsing the history again (and the
//! flow API extends its index of the history rather than building it again).

use std::cell::RefCell;

use crate::{BoxError, DecisionTask, Decisions, WorkflowTypeDecl};

thread_local! {
    /// The task of this instance's latest successful `decide` or `decide-since`.
    static LATEST: RefCell<Option<DecisionTask>> = const { RefCell::new(None) };
}

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
    LATEST.set(None);
    let task = DecisionTask::from_json(task_json)
        .map_err(|e| format!("cannot parse the decision task: {e}"))?;
    respond::<D>(task)
}

/// Runs `D::decide` on the instance's latest task continued with the new events of the task
/// JSON the host passed in; used by the export glue.
#[doc(hidden)]
pub fn __decide_since<D: Decider>(task_json: &str) -> Result<String, String> {
    let next: swf_model::DecisionTask = serde_json::from_str(task_json)
        .map_err(|e| format!("cannot parse the decision task: {e}"))?;
    let mut task = LATEST
        .take()
        .ok_or("decide-since on an instance without a decided task")?;
    task.continue_with(next)?;
    respond::<D>(task)
}

/// The response to `task`, which is kept for `decide-since` if deciding succeeded.
fn respond<D: Decider>(task: DecisionTask) -> Result<String, String> {
    let decisions = D::decide(&task).map_err(|e| e.to_string())?;
    let body = serde_json::to_string(&decisions.into_response())
        .map_err(|e| format!("cannot serialise the decisions: {e}"))?;
    LATEST.set(Some(task));
    Ok(body)
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

/// Exports a [`Decider`] implementation as this component's `warm-decider` world (a
/// `decider` that the host can also keep warm for a run).
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

            fn decide_since(
                task: ::std::string::String,
            ) -> ::std::result::Result<::std::string::String, ::std::string::String> {
                $crate::decider::__decide_since::<$decider>(&task)
            }
        }

        $crate::bindings::decider::__export_decider_world!(
            __SwfwasmDeciderExport with_types_in $crate::bindings::decider
        );
    };
}
