//! The string enums of the wire API (statuses, timeout types and failure causes).
//!
//! Every enum keeps values it does not know in an `Unknown` variant so that new values added by
//! the service never make a whole response unreadable.

string_enum! {
    /// What happens to a run's open child executions when the run is terminated or times out.
    ChildPolicy {
        /// The children are terminated.
        Terminate = "TERMINATE",
        /// A cancel request is recorded in each child's history.
        RequestCancel = "REQUEST_CANCEL",
        /// The children keep running.
        Abandon = "ABANDON",
    }
}

string_enum! {
    /// How a closed run ended.
    CloseStatus {
        /// Closed by a CompleteWorkflowExecution decision.
        Completed = "COMPLETED",
        /// Closed by a FailWorkflowExecution decision.
        Failed = "FAILED",
        /// Closed by a CancelWorkflowExecution decision.
        Canceled = "CANCELED",
        /// Terminated by the API, a parent's child policy or the history size limit.
        Terminated = "TERMINATED",
        /// Closed by a ContinueAsNewWorkflowExecution decision.
        ContinuedAsNew = "CONTINUED_AS_NEW",
        /// The execution start-to-close timeout expired.
        TimedOut = "TIMED_OUT",
    }
}

string_enum! {
    /// Registration state of a domain or type.
    RegistrationStatus {
        /// Usable.
        Registered = "REGISTERED",
        /// Deprecated: existing work continues, nothing new may use it.
        Deprecated = "DEPRECATED",
    }
}

/// `REGISTERED`, so that list inputs (where the status is required) can derive `Default`.
impl Default for RegistrationStatus {
    fn default() -> Self {
        Self::Registered
    }
}

string_enum! {
    /// Whether a run is open or closed.
    ExecutionStatus {
        /// The run is still open.
        Open = "OPEN",
        /// The run has closed; see [`CloseStatus`].
        Closed = "CLOSED",
    }
}

string_enum! {
    /// Timeout that closed a workflow execution.
    WorkflowExecutionTimeoutType {
        /// The execution start-to-close timeout.
        StartToClose = "START_TO_CLOSE",
    }
}

string_enum! {
    /// Timeout that expired a decision task.
    DecisionTaskTimeoutType {
        /// The task was started but not completed in time.
        StartToClose = "START_TO_CLOSE",
        /// The task was not started in time (only with a temporary task-list override).
        ScheduleToStart = "SCHEDULE_TO_START",
    }
}

string_enum! {
    /// Timeout that expired an activity task.
    ActivityTaskTimeoutType {
        /// Started but not closed in time.
        StartToClose = "START_TO_CLOSE",
        /// Not started in time.
        ScheduleToStart = "SCHEDULE_TO_START",
        /// Not closed in time after being scheduled.
        ScheduleToClose = "SCHEDULE_TO_CLOSE",
        /// No heartbeat in time.
        Heartbeat = "HEARTBEAT",
    }
}

string_enum! {
    /// Timeout that expired a Lambda task.
    LambdaFunctionTimeoutType {
        /// The function did not finish in time.
        StartToClose = "START_TO_CLOSE",
    }
}

string_enum! {
    /// Why a ScheduleActivityTask decision failed.
    ScheduleActivityTaskFailedCause {
        /// The activity type is deprecated.
        ActivityTypeDeprecated = "ACTIVITY_TYPE_DEPRECATED",
        /// No such activity type.
        ActivityTypeDoesNotExist = "ACTIVITY_TYPE_DOES_NOT_EXIST",
        /// An open activity of this run already has this id.
        ActivityIdAlreadyInUse = "ACTIVITY_ID_ALREADY_IN_USE",
        /// The run has 1,000 open activities.
        OpenActivitiesLimitExceeded = "OPEN_ACTIVITIES_LIMIT_EXCEEDED",
        /// The task list's scheduling rate was exceeded.
        ActivityCreationRateExceeded = "ACTIVITY_CREATION_RATE_EXCEEDED",
        /// No schedule-to-close timeout given or defaulted.
        DefaultScheduleToCloseTimeoutUndefined = "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED",
        /// No task list given or defaulted.
        DefaultTaskListUndefined = "DEFAULT_TASK_LIST_UNDEFINED",
        /// No schedule-to-start timeout given or defaulted.
        DefaultScheduleToStartTimeoutUndefined = "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED",
        /// No start-to-close timeout given or defaulted.
        DefaultStartToCloseTimeoutUndefined = "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED",
        /// No heartbeat timeout given or defaulted.
        DefaultHeartbeatTimeoutUndefined = "DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED",
        /// Denied by IAM.
        OperationNotPermitted = "OPERATION_NOT_PERMITTED",
    }
}

string_enum! {
    /// Why a RequestCancelActivityTask decision failed.
    RequestCancelActivityTaskFailedCause {
        /// No open activity has this id.
        ActivityIdUnknown = "ACTIVITY_ID_UNKNOWN",
        /// Denied by IAM.
        OperationNotPermitted = "OPERATION_NOT_PERMITTED",
    }
}

string_enum! {
    /// Why a CompleteWorkflowExecution decision failed.
    CompleteWorkflowExecutionFailedCause {
        /// New events arrived while the decision task was being worked on.
        UnhandledDecision = "UNHANDLED_DECISION",
        /// Denied by IAM.
        OperationNotPermitted = "OPERATION_NOT_PERMITTED",
    }
}

string_enum! {
    /// Why a FailWorkflowExecution decision failed.
    FailWorkflowExecutionFailedCause {
        /// New events arrived while the decision task was being worked on.
        UnhandledDecision = "UNHANDLED_DECISION",
        /// Denied by IAM.
        OperationNotPermitted = "OPERATION_NOT_PERMITTED",
    }
}

string_enum! {
    /// Why a CancelWorkflowExecution decision failed.
    CancelWorkflowExecutionFailedCause {
        /// New events arrived while the decision task was being worked on.
        UnhandledDecision = "UNHANDLED_DECISION",
        /// Denied by IAM.
        OperationNotPermitted = "OPERATION_NOT_PERMITTED",
    }
}

string_enum! {
    /// Why a ContinueAsNewWorkflowExecution decision failed.
    ContinueAsNewWorkflowExecutionFailedCause {
        /// New events arrived while the decision task was being worked on.
        UnhandledDecision = "UNHANDLED_DECISION",
        /// The workflow type is deprecated.
        WorkflowTypeDeprecated = "WORKFLOW_TYPE_DEPRECATED",
        /// No such workflow type (name and version).
        WorkflowTypeDoesNotExist = "WORKFLOW_TYPE_DOES_NOT_EXIST",
        /// No execution start-to-close timeout given or defaulted.
        DefaultExecutionStartToCloseTimeoutUndefined =
            "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED",
        /// No decision task start-to-close timeout given or defaulted.
        DefaultTaskStartToCloseTimeoutUndefined = "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED",
        /// No task list given or defaulted.
        DefaultTaskListUndefined = "DEFAULT_TASK_LIST_UNDEFINED",
        /// No child policy given or defaulted.
        DefaultChildPolicyUndefined = "DEFAULT_CHILD_POLICY_UNDEFINED",
        /// Rate limit exceeded.
        ContinueAsNewWorkflowExecutionRateExceeded =
            "CONTINUE_AS_NEW_WORKFLOW_EXECUTION_RATE_EXCEEDED",
        /// Denied by IAM.
        OperationNotPermitted = "OPERATION_NOT_PERMITTED",
    }
}

string_enum! {
    /// Why a RecordMarker decision failed.
    RecordMarkerFailedCause {
        /// Denied by IAM.
        OperationNotPermitted = "OPERATION_NOT_PERMITTED",
    }
}

string_enum! {
    /// Why a StartTimer decision failed.
    StartTimerFailedCause {
        /// An open timer of this run already has this id.
        TimerIdAlreadyInUse = "TIMER_ID_ALREADY_IN_USE",
        /// The run has 1,000 open timers.
        OpenTimersLimitExceeded = "OPEN_TIMERS_LIMIT_EXCEEDED",
        /// Rate limit exceeded.
        TimerCreationRateExceeded = "TIMER_CREATION_RATE_EXCEEDED",
        /// Denied by IAM.
        OperationNotPermitted = "OPERATION_NOT_PERMITTED",
    }
}

string_enum! {
    /// Why a CancelTimer decision failed.
    CancelTimerFailedCause {
        /// No open timer has this id.
        TimerIdUnknown = "TIMER_ID_UNKNOWN",
        /// Denied by IAM.
        OperationNotPermitted = "OPERATION_NOT_PERMITTED",
    }
}

string_enum! {
    /// Why a SignalExternalWorkflowExecution decision failed.
    SignalExternalWorkflowExecutionFailedCause {
        /// The target run does not exist or is not open.
        UnknownExternalWorkflowExecution = "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
        /// Rate limit exceeded.
        SignalExternalWorkflowExecutionRateExceeded =
            "SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
        /// Denied by IAM.
        OperationNotPermitted = "OPERATION_NOT_PERMITTED",
    }
}

string_enum! {
    /// Why a RequestCancelExternalWorkflowExecution decision failed.
    RequestCancelExternalWorkflowExecutionFailedCause {
        /// The target run does not exist or is not open.
        UnknownExternalWorkflowExecution = "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
        /// Rate limit exceeded.
        RequestCancelExternalWorkflowExecutionRateExceeded =
            "REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
        /// Denied by IAM.
        OperationNotPermitted = "OPERATION_NOT_PERMITTED",
    }
}

string_enum! {
    /// Why a StartChildWorkflowExecution decision failed.
    StartChildWorkflowExecutionFailedCause {
        /// No such workflow type.
        WorkflowTypeDoesNotExist = "WORKFLOW_TYPE_DOES_NOT_EXIST",
        /// The workflow type is deprecated.
        WorkflowTypeDeprecated = "WORKFLOW_TYPE_DEPRECATED",
        /// The parent has 1,000 open children.
        OpenChildrenLimitExceeded = "OPEN_CHILDREN_LIMIT_EXCEEDED",
        /// The domain has too many open runs.
        OpenWorkflowsLimitExceeded = "OPEN_WORKFLOWS_LIMIT_EXCEEDED",
        /// Rate limit exceeded.
        ChildCreationRateExceeded = "CHILD_CREATION_RATE_EXCEEDED",
        /// An open run already has this workflow id.
        WorkflowAlreadyRunning = "WORKFLOW_ALREADY_RUNNING",
        /// No execution start-to-close timeout given or defaulted.
        DefaultExecutionStartToCloseTimeoutUndefined =
            "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED",
        /// No task list given or defaulted.
        DefaultTaskListUndefined = "DEFAULT_TASK_LIST_UNDEFINED",
        /// No decision task start-to-close timeout given or defaulted.
        DefaultTaskStartToCloseTimeoutUndefined = "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED",
        /// No child policy given or defaulted.
        DefaultChildPolicyUndefined = "DEFAULT_CHILD_POLICY_UNDEFINED",
        /// Denied by IAM.
        OperationNotPermitted = "OPERATION_NOT_PERMITTED",
    }
}

string_enum! {
    /// Why a ScheduleLambdaFunction decision failed.
    ScheduleLambdaFunctionFailedCause {
        /// An open Lambda task of this run already has this id.
        IdAlreadyInUse = "ID_ALREADY_IN_USE",
        /// Too many open Lambda tasks.
        OpenLambdaFunctionsLimitExceeded = "OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED",
        /// Rate limit exceeded.
        LambdaFunctionCreationRateExceeded = "LAMBDA_FUNCTION_CREATION_RATE_EXCEEDED",
        /// Lambda is not available (or the run has no Lambda role).
        LambdaServiceNotAvailableInRegion = "LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION",
    }
}

string_enum! {
    /// Why a scheduled Lambda function could not be invoked.
    StartLambdaFunctionFailedCause {
        /// The run's Lambda role could not be assumed.
        AssumeRoleFailed = "ASSUME_ROLE_FAILED",
    }
}

string_enum! {
    /// Why a run was terminated.
    WorkflowExecutionTerminatedCause {
        /// The parent's child policy was TERMINATE.
        ChildPolicyApplied = "CHILD_POLICY_APPLIED",
        /// The history reached 25,000 events.
        EventLimitExceeded = "EVENT_LIMIT_EXCEEDED",
        /// TerminateWorkflowExecution was called.
        OperatorInitiated = "OPERATOR_INITIATED",
    }
}

string_enum! {
    /// Why a cancel request was recorded when it came from the service itself.
    WorkflowExecutionCancelRequestedCause {
        /// The parent's child policy was REQUEST_CANCEL.
        ChildPolicyApplied = "CHILD_POLICY_APPLIED",
    }
}
