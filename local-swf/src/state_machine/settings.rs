//! Resolving a new run's settings (API start, child start, continue-as-new) from what the call
//! gave and the workflow type's defaults. A leaf: it imports none of its siblings.

use serde_json::Value;
use swf_model::{
    ChildPolicy, ContinueAsNewWorkflowExecutionDecisionAttributes,
    ContinueAsNewWorkflowExecutionFailedCause, StartChildWorkflowExecutionDecisionAttributes,
    StartChildWorkflowExecutionFailedCause, TaskList,
};

use crate::database::TypeRow;
use crate::run::RunConfig;

/// The explicit settings of a start (API, child or continue-as-new); missing ones come from the
/// type's defaults.
#[derive(Debug, Clone, Default)]
pub(super) struct StartSettings {
    pub task_list: Option<TaskList>,
    pub task_priority: Option<String>,
    pub execution_start_to_close_timeout: Option<String>,
    pub task_start_to_close_timeout: Option<String>,
    pub child_policy: Option<ChildPolicy>,
    pub lambda_role: Option<String>,
}

/// Which setting could not be resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Undefined {
    ExecutionStartToCloseTimeout,
    TaskList,
    TaskStartToCloseTimeout,
    ChildPolicy,
}

impl Undefined {
    /// The member of the start call that was missing.
    pub(super) fn member(self) -> &'static str {
        match self {
            Self::ExecutionStartToCloseTimeout => "executionStartToCloseTimeout",
            Self::TaskList => "taskList",
            Self::TaskStartToCloseTimeout => "taskStartToCloseTimeout",
            Self::ChildPolicy => "childPolicy",
        }
    }
}

/// Implements the conversions shared by the two decisions that start a run
/// (ContinueAsNewWorkflowExecution and StartChildWorkflowExecution): their settings, and the
/// `DEFAULT_…_UNDEFINED` failure cause of a setting that could not be resolved.
macro_rules! run_starting_decision {
    ($($attributes:ty => $cause:ty),+ $(,)?) => {$(
        impl From<&$attributes> for StartSettings {
            fn from(a: &$attributes) -> Self {
                StartSettings {
                    task_list: a.task_list.clone(),
                    task_priority: a.task_priority.clone(),
                    execution_start_to_close_timeout: a.execution_start_to_close_timeout.clone(),
                    task_start_to_close_timeout: a.task_start_to_close_timeout.clone(),
                    child_policy: a.child_policy.clone(),
                    lambda_role: a.lambda_role.clone(),
                }
            }
        }

        impl From<Undefined> for $cause {
            fn from(missing: Undefined) -> Self {
                match missing {
                    Undefined::ExecutionStartToCloseTimeout => {
                        Self::DefaultExecutionStartToCloseTimeoutUndefined
                    }
                    Undefined::TaskList => Self::DefaultTaskListUndefined,
                    Undefined::TaskStartToCloseTimeout => {
                        Self::DefaultTaskStartToCloseTimeoutUndefined
                    }
                    Undefined::ChildPolicy => Self::DefaultChildPolicyUndefined,
                }
            }
        }
    )+};
}

run_starting_decision! {
    ContinueAsNewWorkflowExecutionDecisionAttributes => ContinueAsNewWorkflowExecutionFailedCause,
    StartChildWorkflowExecutionDecisionAttributes => StartChildWorkflowExecutionFailedCause,
}

/// Resolves a run's settings from `settings` and the type's defaults, in SWF's check order.
pub(super) fn resolve_settings(
    t: &TypeRow,
    settings: StartSettings,
) -> Result<RunConfig, Undefined> {
    let default = |key: &str| t.config.get(key).and_then(Value::as_str).map(str::to_owned);
    let execution_start_to_close_timeout = settings
        .execution_start_to_close_timeout
        .or_else(|| default("defaultExecutionStartToCloseTimeout"))
        .ok_or(Undefined::ExecutionStartToCloseTimeout)?;
    let task_list = settings
        .task_list
        .or_else(|| {
            t.config
                .get("defaultTaskList")
                .and_then(|v| serde_json::from_value(v.clone()).ok())
        })
        .ok_or(Undefined::TaskList)?;
    let task_start_to_close_timeout = settings
        .task_start_to_close_timeout
        .or_else(|| default("defaultTaskStartToCloseTimeout"))
        .ok_or(Undefined::TaskStartToCloseTimeout)?;
    let child_policy = settings
        .child_policy
        .or_else(|| default("defaultChildPolicy").map(|p| ChildPolicy::from(p.as_str())))
        .ok_or(Undefined::ChildPolicy)?;
    Ok(RunConfig {
        task_list,
        task_priority: settings
            .task_priority
            .or_else(|| default("defaultTaskPriority"))
            .unwrap_or_else(|| "0".into()),
        task_start_to_close_timeout,
        execution_start_to_close_timeout,
        child_policy,
        lambda_role: settings
            .lambda_role
            .or_else(|| default("defaultLambdaRole")),
    })
}
