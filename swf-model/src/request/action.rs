//! The operation names of the API, as carried by `X-Amz-Target`.

/// Lists every action once; expands to the enum, its name table and lookups.
macro_rules! actions {
    ($( $(#[$meta:meta])* $variant:ident, )+) => {
        /// One of the 39 SWF operations.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $( $(#[$meta])* $variant, )+
        }

        impl Action {
            /// Every action, in the order of the spec.
            pub const ALL: [Action; 39] = [$( Action::$variant, )+];

            /// The operation name, e.g. `"StartWorkflowExecution"`.
            pub fn name(&self) -> &'static str {
                match self {
                    $( Self::$variant => stringify!($variant), )+
                }
            }

            /// The `X-Amz-Target` header value, e.g.
            /// `"SimpleWorkflowService.StartWorkflowExecution"`.
            pub fn target(&self) -> &'static str {
                match self {
                    $( Self::$variant => concat!("SimpleWorkflowService.", stringify!($variant)), )+
                }
            }

            /// Looks an operation up by its exact (case-sensitive) name.
            pub fn from_name(name: &str) -> Option<Action> {
                match name {
                    $( stringify!($variant) => Some(Self::$variant), )+
                    _ => None,
                }
            }
        }
    };
}

actions! {
    /// Registers a domain.
    RegisterDomain,
    /// Deprecates a domain.
    DeprecateDomain,
    /// Undeprecates a domain.
    UndeprecateDomain,
    /// Describes a domain.
    DescribeDomain,
    /// Lists domains.
    ListDomains,
    /// Registers an activity type.
    RegisterActivityType,
    /// Deprecates an activity type.
    DeprecateActivityType,
    /// Undeprecates an activity type.
    UndeprecateActivityType,
    /// Deletes a deprecated activity type.
    DeleteActivityType,
    /// Describes an activity type.
    DescribeActivityType,
    /// Lists activity types.
    ListActivityTypes,
    /// Registers a workflow type.
    RegisterWorkflowType,
    /// Deprecates a workflow type.
    DeprecateWorkflowType,
    /// Undeprecates a workflow type.
    UndeprecateWorkflowType,
    /// Deletes a deprecated workflow type.
    DeleteWorkflowType,
    /// Describes a workflow type.
    DescribeWorkflowType,
    /// Lists workflow types.
    ListWorkflowTypes,
    /// Starts a run.
    StartWorkflowExecution,
    /// Signals a run.
    SignalWorkflowExecution,
    /// Asks a run to cancel itself.
    RequestCancelWorkflowExecution,
    /// Terminates a run.
    TerminateWorkflowExecution,
    /// Long-polls for a decision task (or fetches a further history page of one).
    PollForDecisionTask,
    /// Completes a decision task with decisions.
    RespondDecisionTaskCompleted,
    /// Long-polls for an activity task.
    PollForActivityTask,
    /// Reports activity progress and learns about cancel requests.
    RecordActivityTaskHeartbeat,
    /// Completes an activity task.
    RespondActivityTaskCompleted,
    /// Fails an activity task.
    RespondActivityTaskFailed,
    /// Reports an activity task as canceled.
    RespondActivityTaskCanceled,
    /// Describes a run.
    DescribeWorkflowExecution,
    /// Reads a run's history.
    GetWorkflowExecutionHistory,
    /// Lists open runs.
    ListOpenWorkflowExecutions,
    /// Lists closed runs.
    ListClosedWorkflowExecutions,
    /// Counts open runs.
    CountOpenWorkflowExecutions,
    /// Counts closed runs.
    CountClosedWorkflowExecutions,
    /// Counts queued activity tasks of a task list.
    CountPendingActivityTasks,
    /// Counts queued decision tasks of a task list.
    CountPendingDecisionTasks,
    /// Adds tags to a domain.
    TagResource,
    /// Removes tags from a domain.
    UntagResource,
    /// Lists the tags of a domain.
    ListTagsForResource,
}

impl Action {
    /// Parses an `X-Amz-Target` header value: `SimpleWorkflowService.<Action>`, or the legacy
    /// `com.amazonaws.swf.service.model.SimpleWorkflowService.<Action>`; only the text after the
    /// last `.` is significant.
    pub fn from_target(target: &str) -> Option<Action> {
        Self::from_name(target.rsplit('.').next().unwrap_or(target))
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
