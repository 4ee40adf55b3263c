//! Building the decisions a decider returns: the typed counterpart of boto's
//! `Layer1Decisions`.
//!
//! Each method appends one decision with its required fields and returns its attributes, on
//! which the traits in [`options`] set the optional fields in a chain:
//!
//! ```
//! use swfwasm_guest::prelude::*;
//!
//! let mut decisions = Decisions::new();
//! decisions
//!     .schedule_activity_task("saying_hi", "HelloWorld", "1.0")
//!     .task_list("default")
//!     .start_to_close_timeout("300");
//! decisions.start_timer("wake-up", "60");
//! assert_eq!(decisions.len(), 2);
//! ```

use swf_model::{
    ActivityType, CancelTimerDecisionAttributes, CancelWorkflowExecutionDecisionAttributes,
    CompleteWorkflowExecutionDecisionAttributes, ContinueAsNewWorkflowExecutionDecisionAttributes,
    Decision, FailWorkflowExecutionDecisionAttributes, RecordMarkerDecisionAttributes,
    RequestCancelActivityTaskDecisionAttributes,
    RequestCancelExternalWorkflowExecutionDecisionAttributes, RespondDecisionTaskCompleted,
    ScheduleActivityTaskDecisionAttributes, ScheduleLambdaFunctionDecisionAttributes,
    SignalExternalWorkflowExecutionDecisionAttributes,
    StartChildWorkflowExecutionDecisionAttributes, StartTimerDecisionAttributes, WorkflowType,
};

/// The decisions of one decision task, in the order SWF applies them, plus the optional
/// execution context.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decisions {
    decisions: Vec<Decision>,
    execution_context: Option<String>,
}

/// Appends `$variant(attrs)` and returns a mutable borrow of the attributes just pushed.
macro_rules! push_returning {
    ($self:ident, $variant:ident, $attrs:expr) => {{
        $self.decisions.push(Decision::$variant($attrs));
        match $self.decisions.last_mut() {
            Some(Decision::$variant(attrs)) => attrs,
            _ => unreachable!("the decision was just pushed"),
        }
    }};
}

impl Decisions {
    /// No decisions yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends an already-built decision.
    pub fn push(&mut self, decision: Decision) {
        self.decisions.push(decision);
    }

    /// The decisions so far.
    pub fn as_slice(&self) -> &[Decision] {
        &self.decisions
    }

    /// Number of decisions.
    pub fn len(&self) -> usize {
        self.decisions.len()
    }

    /// True when there are no decisions (a valid response: SWF then waits for new events).
    pub fn is_empty(&self) -> bool {
        self.decisions.is_empty()
    }

    /// Sets the execution context SWF stores with the completed decision task.
    pub fn execution_context(&mut self, context: impl Into<String>) -> &mut Self {
        self.execution_context = Some(context.into());
        self
    }

    /// The RespondDecisionTaskCompleted body (without task token) these decisions make.
    pub fn into_response(self) -> RespondDecisionTaskCompleted {
        RespondDecisionTaskCompleted {
            decisions: self.decisions,
            execution_context: self.execution_context,
            ..RespondDecisionTaskCompleted::default()
        }
    }

    /// Schedules activity `name`/`version` under `activity_id` (unique among open activities).
    pub fn schedule_activity_task(
        &mut self,
        activity_id: impl Into<String>,
        name: impl Into<String>,
        version: impl Into<String>,
    ) -> &mut ScheduleActivityTaskDecisionAttributes {
        push_returning!(
            self,
            ScheduleActivityTask,
            ScheduleActivityTaskDecisionAttributes {
                activity_id: activity_id.into(),
                activity_type: ActivityType {
                    name: name.into(),
                    version: version.into(),
                },
                ..Default::default()
            }
        )
    }

    /// Asks SWF to cancel the open activity `activity_id`.
    pub fn request_cancel_activity_task(
        &mut self,
        activity_id: impl Into<String>,
    ) -> &mut RequestCancelActivityTaskDecisionAttributes {
        push_returning!(
            self,
            RequestCancelActivityTask,
            RequestCancelActivityTaskDecisionAttributes {
                activity_id: activity_id.into(),
            }
        )
    }

    /// Completes the workflow execution with an optional result. Must be the last decision.
    pub fn complete_workflow_execution(
        &mut self,
        result: Option<String>,
    ) -> &mut CompleteWorkflowExecutionDecisionAttributes {
        push_returning!(
            self,
            CompleteWorkflowExecution,
            CompleteWorkflowExecutionDecisionAttributes { result }
        )
    }

    /// Fails the workflow execution. Must be the last decision.
    pub fn fail_workflow_execution(
        &mut self,
        reason: impl Into<String>,
        details: Option<String>,
    ) -> &mut FailWorkflowExecutionDecisionAttributes {
        push_returning!(
            self,
            FailWorkflowExecution,
            FailWorkflowExecutionDecisionAttributes {
                reason: Some(reason.into()),
                details,
            }
        )
    }

    /// Cancels the workflow execution. Must be the last decision.
    pub fn cancel_workflow_execution(
        &mut self,
        details: Option<String>,
    ) -> &mut CancelWorkflowExecutionDecisionAttributes {
        push_returning!(
            self,
            CancelWorkflowExecution,
            CancelWorkflowExecutionDecisionAttributes { details }
        )
    }

    /// Closes this run and starts a new one of the same workflow id. Must be the last decision.
    pub fn continue_as_new_workflow_execution(
        &mut self,
        input: Option<String>,
    ) -> &mut ContinueAsNewWorkflowExecutionDecisionAttributes {
        push_returning!(
            self,
            ContinueAsNewWorkflowExecution,
            ContinueAsNewWorkflowExecutionDecisionAttributes {
                input,
                ..Default::default()
            }
        )
    }

    /// Records a marker in the history.
    pub fn record_marker(
        &mut self,
        marker_name: impl Into<String>,
        details: Option<String>,
    ) -> &mut RecordMarkerDecisionAttributes {
        push_returning!(
            self,
            RecordMarker,
            RecordMarkerDecisionAttributes {
                marker_name: marker_name.into(),
                details,
            }
        )
    }

    /// Starts a timer that fires after `start_to_fire_timeout` seconds.
    pub fn start_timer(
        &mut self,
        timer_id: impl Into<String>,
        start_to_fire_timeout: impl Into<String>,
    ) -> &mut StartTimerDecisionAttributes {
        push_returning!(
            self,
            StartTimer,
            StartTimerDecisionAttributes {
                timer_id: timer_id.into(),
                start_to_fire_timeout: start_to_fire_timeout.into(),
                control: None,
            }
        )
    }

    /// Cancels the open timer `timer_id`.
    pub fn cancel_timer(
        &mut self,
        timer_id: impl Into<String>,
    ) -> &mut CancelTimerDecisionAttributes {
        push_returning!(
            self,
            CancelTimer,
            CancelTimerDecisionAttributes {
                timer_id: timer_id.into(),
            }
        )
    }

    /// Signals another workflow execution (its current run unless `run_id` is set).
    pub fn signal_external_workflow_execution(
        &mut self,
        workflow_id: impl Into<String>,
        signal_name: impl Into<String>,
        input: Option<String>,
    ) -> &mut SignalExternalWorkflowExecutionDecisionAttributes {
        push_returning!(
            self,
            SignalExternalWorkflowExecution,
            SignalExternalWorkflowExecutionDecisionAttributes {
                workflow_id: workflow_id.into(),
                signal_name: signal_name.into(),
                input,
                ..Default::default()
            }
        )
    }

    /// Asks another workflow execution to cancel (its current run unless `run_id` is set).
    pub fn request_cancel_external_workflow_execution(
        &mut self,
        workflow_id: impl Into<String>,
    ) -> &mut RequestCancelExternalWorkflowExecutionDecisionAttributes {
        push_returning!(
            self,
            RequestCancelExternalWorkflowExecution,
            RequestCancelExternalWorkflowExecutionDecisionAttributes {
                workflow_id: workflow_id.into(),
                ..Default::default()
            }
        )
    }

    /// Starts a child workflow execution of type `name`/`version` with id `workflow_id`.
    pub fn start_child_workflow_execution(
        &mut self,
        workflow_id: impl Into<String>,
        name: impl Into<String>,
        version: impl Into<String>,
    ) -> &mut StartChildWorkflowExecutionDecisionAttributes {
        push_returning!(
            self,
            StartChildWorkflowExecution,
            StartChildWorkflowExecutionDecisionAttributes {
                workflow_id: workflow_id.into(),
                workflow_type: WorkflowType {
                    name: name.into(),
                    version: version.into(),
                },
                ..Default::default()
            }
        )
    }

    /// Schedules AWS Lambda function `name` under `id`.
    pub fn schedule_lambda_function(
        &mut self,
        id: impl Into<String>,
        name: impl Into<String>,
    ) -> &mut ScheduleLambdaFunctionDecisionAttributes {
        push_returning!(
            self,
            ScheduleLambdaFunction,
            ScheduleLambdaFunctionDecisionAttributes {
                id: id.into(),
                name: name.into(),
                ..Default::default()
            }
        )
    }
}

impl IntoIterator for Decisions {
    type Item = Decision;
    type IntoIter = std::vec::IntoIter<Decision>;

    fn into_iter(self) -> Self::IntoIter {
        self.decisions.into_iter()
    }
}

/// Chainable setters for the optional fields of each decision's attributes.
///
/// They are traits because the attribute structs live in `swf-model`; the prelude imports
/// them all.
pub mod options {
    use swf_model::{
        ChildPolicy, ContinueAsNewWorkflowExecutionDecisionAttributes,
        RequestCancelExternalWorkflowExecutionDecisionAttributes,
        ScheduleActivityTaskDecisionAttributes, ScheduleLambdaFunctionDecisionAttributes,
        SignalExternalWorkflowExecutionDecisionAttributes,
        StartChildWorkflowExecutionDecisionAttributes, StartTimerDecisionAttributes, TaskList,
    };

    /// Declares a trait of chainable setters and implements it for one attributes struct.
    /// `text` fields are `Option<String>`; `task_list` is `Option<TaskList>`, set by name;
    /// `child_policy` is `Option<ChildPolicy>`; `tag_list` is the run's tags.
    macro_rules! options_trait {
        (
            $(#[$doc:meta])* $trait:ident for $ty:ty {
                text: [$($field:ident),* $(,)?]
                $(, task_list: $tl:ident)?
                $(, child_policy: $cp:ident)?
                $(, tag_list: $tags:ident)?
            }
        ) => {
            $(#[$doc])*
            pub trait $trait {
                $(
                    #[doc = concat!("Sets `", stringify!($field), "`.")]
                    fn $field(&mut self, value: impl Into<String>) -> &mut Self;
                )*
                $(
                    /// Sets the task list by name.
                    fn $tl(&mut self, name: impl Into<String>) -> &mut Self;
                )?
                $(
                    /// Sets the child policy.
                    fn $cp(&mut self, policy: ChildPolicy) -> &mut Self;
                )?
                $(
                    /// Sets the tags (at most 5).
                    fn $tags(&mut self, tags: Vec<String>) -> &mut Self;
                )?
            }

            impl $trait for $ty {
                $(
                    fn $field(&mut self, value: impl Into<String>) -> &mut Self {
                        self.$field = Some(value.into());
                        self
                    }
                )*
                $(
                    fn $tl(&mut self, name: impl Into<String>) -> &mut Self {
                        self.$tl = Some(TaskList { name: name.into() });
                        self
                    }
                )?
                $(
                    fn $cp(&mut self, policy: ChildPolicy) -> &mut Self {
                        self.$cp = Some(policy);
                        self
                    }
                )?
                $(
                    fn $tags(&mut self, tags: Vec<String>) -> &mut Self {
                        self.$tags = Some(tags);
                        self
                    }
                )?
            }
        };
    }

    options_trait!(
        /// Optional fields of ScheduleActivityTask.
        ScheduleActivityTaskOptions for ScheduleActivityTaskDecisionAttributes {
            text: [control, input, schedule_to_close_timeout, schedule_to_start_timeout,
                   start_to_close_timeout, heartbeat_timeout, task_priority],
            task_list: task_list
        }
    );

    options_trait!(
        /// Optional fields of ContinueAsNewWorkflowExecution.
        ContinueAsNewOptions for ContinueAsNewWorkflowExecutionDecisionAttributes {
            text: [execution_start_to_close_timeout, task_start_to_close_timeout, task_priority,
                   workflow_type_version, lambda_role],
            task_list: task_list,
            child_policy: child_policy,
            tag_list: tag_list
        }
    );

    options_trait!(
        /// Optional fields of StartTimer.
        StartTimerOptions for StartTimerDecisionAttributes { text: [control] }
    );

    options_trait!(
        /// Optional fields of SignalExternalWorkflowExecution.
        SignalExternalOptions for SignalExternalWorkflowExecutionDecisionAttributes {
            text: [run_id, control]
        }
    );

    options_trait!(
        /// Optional fields of RequestCancelExternalWorkflowExecution.
        RequestCancelExternalOptions for RequestCancelExternalWorkflowExecutionDecisionAttributes {
            text: [run_id, control]
        }
    );

    options_trait!(
        /// Optional fields of StartChildWorkflowExecution.
        StartChildOptions for StartChildWorkflowExecutionDecisionAttributes {
            text: [control, input, execution_start_to_close_timeout, task_start_to_close_timeout,
                   task_priority, lambda_role],
            task_list: task_list,
            child_policy: child_policy,
            tag_list: tag_list
        }
    );

    options_trait!(
        /// Optional fields of ScheduleLambdaFunction.
        ScheduleLambdaOptions for ScheduleLambdaFunctionDecisionAttributes {
            text: [control, input, start_to_close_timeout]
        }
    );
}
