//! Action inputs and outputs: every member of every shape round-trips under its wire name, and
//! the action name table is complete.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use swf_model::*;

/// Parses `wire` as `T` and checks that it serializes back unchanged (so no member was dropped
/// for being misspelled).
fn round_trip<T: Serialize + DeserializeOwned>(wire: Value) -> T {
    let parsed: T = serde_json::from_value(wire.clone())
        .unwrap_or_else(|e| panic!("{}: {e}", std::any::type_name::<T>()));
    assert_eq!(
        serde_json::to_value(&parsed).unwrap(),
        wire,
        "{}",
        std::any::type_name::<T>()
    );
    parsed
}

fn we() -> Value {
    json!({"workflowId": "wf-1", "runId": "run-1"})
}

fn wt() -> Value {
    json!({"name": "Flow", "version": "1.0"})
}

fn at() -> Value {
    json!({"name": "Act", "version": "2"})
}

fn tl() -> Value {
    json!({"name": "main"})
}

fn time_filter() -> Value {
    json!({"oldestDate": 1704067200.0, "latestDate": 1704067300.5})
}

fn execution_info() -> Value {
    json!({
        "execution": we(), "workflowType": wt(), "startTimestamp": 1.5, "closeTimestamp": 2.5,
        "executionStatus": "CLOSED", "closeStatus": "CONTINUED_AS_NEW", "parent": we(),
        "tagList": ["a"], "cancelRequested": true
    })
}

#[test]
fn domain_actions() {
    round_trip::<RegisterDomainInput>(json!({
        "name": "d", "description": "desc", "workflowExecutionRetentionPeriodInDays": "1",
        "tags": [{"key": "k", "value": "v"}, {"key": "only-key"}]
    }));
    round_trip::<DeprecateDomainInput>(json!({"name": "d"}));
    round_trip::<UndeprecateDomainInput>(json!({"name": "d"}));
    round_trip::<DescribeDomainInput>(json!({"name": "d"}));
    let described = round_trip::<DescribeDomainOutput>(json!({
        "domainInfo": {"name": "d", "status": "REGISTERED", "description": "desc",
                       "arn": "arn:aws:swf:us-east-1:123456789012:/domain/d"},
        "configuration": {"workflowExecutionRetentionPeriodInDays": "NONE"}
    }));
    assert_eq!(described.domain_info.status, RegistrationStatus::Registered);
    round_trip::<ListDomainsInput>(json!({
        "nextPageToken": "p", "registrationStatus": "DEPRECATED", "maximumPageSize": 10,
        "reverseOrder": true
    }));
    round_trip::<ListDomainsOutput>(json!({
        "domainInfos": [{"name": "d", "status": "DEPRECATED"}], "nextPageToken": "p"
    }));
}

#[test]
fn type_actions() {
    round_trip::<RegisterActivityTypeInput>(json!({
        "domain": "d", "name": "Act", "version": "2", "description": "desc",
        "defaultTaskStartToCloseTimeout": "1", "defaultTaskHeartbeatTimeout": "2",
        "defaultTaskList": tl(), "defaultTaskPriority": "3",
        "defaultTaskScheduleToStartTimeout": "4", "defaultTaskScheduleToCloseTimeout": "5"
    }));
    let wire = json!({"domain": "d", "activityType": at()});
    round_trip::<DeprecateActivityTypeInput>(wire.clone());
    round_trip::<UndeprecateActivityTypeInput>(wire.clone());
    round_trip::<DeleteActivityTypeInput>(wire.clone());
    round_trip::<DescribeActivityTypeInput>(wire);
    round_trip::<DescribeActivityTypeOutput>(json!({
        "typeInfo": {"activityType": at(), "status": "DEPRECATED", "description": "desc",
                     "creationDate": 1.25, "deprecationDate": 2.5},
        "configuration": {"defaultTaskStartToCloseTimeout": "1", "defaultTaskHeartbeatTimeout": "2",
                          "defaultTaskList": tl(), "defaultTaskPriority": "3",
                          "defaultTaskScheduleToStartTimeout": "4",
                          "defaultTaskScheduleToCloseTimeout": "5"}
    }));
    let list = json!({
        "domain": "d", "name": "n", "registrationStatus": "REGISTERED", "nextPageToken": "p",
        "maximumPageSize": 0, "reverseOrder": false
    });
    round_trip::<ListActivityTypesInput>(list.clone());
    round_trip::<ListWorkflowTypesInput>(list);
    round_trip::<ListActivityTypesOutput>(json!({
        "typeInfos": [{"activityType": at(), "status": "REGISTERED", "creationDate": 1.5}],
        "nextPageToken": "p"
    }));

    round_trip::<RegisterWorkflowTypeInput>(json!({
        "domain": "d", "name": "Flow", "version": "1.0", "description": "desc",
        "defaultTaskStartToCloseTimeout": "1", "defaultExecutionStartToCloseTimeout": "2",
        "defaultTaskList": tl(), "defaultTaskPriority": "3", "defaultChildPolicy": "ABANDON",
        "defaultLambdaRole": "role"
    }));
    let wire = json!({"domain": "d", "workflowType": wt()});
    round_trip::<DeprecateWorkflowTypeInput>(wire.clone());
    round_trip::<UndeprecateWorkflowTypeInput>(wire.clone());
    round_trip::<DeleteWorkflowTypeInput>(wire.clone());
    round_trip::<DescribeWorkflowTypeInput>(wire);
    round_trip::<DescribeWorkflowTypeOutput>(json!({
        "typeInfo": {"workflowType": wt(), "status": "REGISTERED", "creationDate": 1.25},
        "configuration": {"defaultTaskStartToCloseTimeout": "1",
                          "defaultExecutionStartToCloseTimeout": "2", "defaultTaskList": tl(),
                          "defaultTaskPriority": "3", "defaultChildPolicy": "TERMINATE",
                          "defaultLambdaRole": "role"}
    }));
    round_trip::<ListWorkflowTypesOutput>(json!({
        "typeInfos": [{"workflowType": wt(), "status": "REGISTERED", "creationDate": 1.5}]
    }));
}

#[test]
fn execution_actions() {
    round_trip::<StartWorkflowExecutionInput>(json!({
        "domain": "d", "workflowId": "w", "workflowType": wt(), "taskList": tl(),
        "taskPriority": "1", "input": "in", "executionStartToCloseTimeout": "3600",
        "tagList": ["a", "b"], "taskStartToCloseTimeout": "60", "childPolicy": "TERMINATE",
        "lambdaRole": "role"
    }));
    round_trip::<StartWorkflowExecutionOutput>(json!({"runId": "run-1"}));
    round_trip::<SignalWorkflowExecutionInput>(json!({
        "domain": "d", "workflowId": "w", "runId": "r", "signalName": "s", "input": "in"
    }));
    round_trip::<RequestCancelWorkflowExecutionInput>(json!({
        "domain": "d", "workflowId": "w", "runId": "r"
    }));
    round_trip::<TerminateWorkflowExecutionInput>(json!({
        "domain": "d", "workflowId": "w", "runId": "r", "reason": "why", "details": "d",
        "childPolicy": "REQUEST_CANCEL"
    }));
}

#[test]
fn decider_and_worker_actions() {
    round_trip::<PollForDecisionTaskInput>(json!({
        "domain": "d", "taskList": tl(), "identity": "me", "nextPageToken": "p",
        "maximumPageSize": 100, "reverseOrder": true, "startAtPreviousStartedEvent": false
    }));
    round_trip::<RespondDecisionTaskCompletedInput>(json!({
        "taskToken": "t",
        "decisions": [{"decisionType": "CancelTimer", "cancelTimerDecisionAttributes": {"timerId": "x"}}],
        "executionContext": "ctx", "taskList": tl(), "taskListScheduleToStartTimeout": "5"
    }));
    round_trip::<PollForActivityTaskInput>(
        json!({"domain": "d", "taskList": tl(), "identity": "me"}),
    );
    let task = round_trip::<PollForActivityTaskOutput>(json!({
        "taskToken": "t", "activityId": "a", "startedEventId": 6, "workflowExecution": we(),
        "activityType": at(), "input": "in"
    }))
    .into_task()
    .unwrap();
    assert_eq!(task.activity_id, "a");
    assert_eq!(task.started_event_id, 6);
    round_trip::<ActivityTask>(serde_json::to_value(&task).unwrap());
    round_trip::<RecordActivityTaskHeartbeatInput>(json!({"taskToken": "t", "details": "50%"}));
    let heartbeat =
        round_trip::<RecordActivityTaskHeartbeatOutput>(json!({"cancelRequested": true}));
    assert!(heartbeat.cancel_requested);
    round_trip::<RespondActivityTaskCompletedInput>(json!({"taskToken": "t", "result": "r"}));
    round_trip::<RespondActivityTaskFailedInput>(
        json!({"taskToken": "t", "reason": "r", "details": "d"}),
    );
    round_trip::<RespondActivityTaskCanceledInput>(json!({"taskToken": "t", "details": "d"}));
}

#[test]
fn empty_poll_answers_match_the_service() {
    let decision = round_trip::<PollForDecisionTaskOutput>(json!({
        "previousStartedEventId": 0, "startedEventId": 0
    }));
    assert_eq!(decision, PollForDecisionTaskResponse::default());
    assert_eq!(decision.into_task(), None);
    let activity = round_trip::<PollForActivityTaskOutput>(json!({"startedEventId": 0}));
    assert_eq!(activity, PollForActivityTaskResponse::default());
    assert_eq!(activity.into_task(), None);

    // An empty token means "no task" as well.
    let empty_token: PollForActivityTaskResponse =
        serde_json::from_value(json!({"taskToken": "", "startedEventId": 0})).unwrap();
    assert_eq!(empty_token.into_task(), None);
    let empty_token: PollForDecisionTaskResponse =
        serde_json::from_value(json!({"taskToken": "", "events": null})).unwrap();
    assert_eq!(empty_token.into_task(), None);
}

#[test]
fn visibility_actions() {
    let described = json!({"domain": "d", "execution": we()});
    round_trip::<DescribeWorkflowExecutionInput>(described);
    round_trip::<DescribeWorkflowExecutionOutput>(json!({
        "executionInfo": execution_info(),
        "executionConfiguration": {"taskStartToCloseTimeout": "60",
                                   "executionStartToCloseTimeout": "NONE", "taskList": tl(),
                                   "taskPriority": "0", "childPolicy": "TERMINATE",
                                   "lambdaRole": "role"},
        "openCounts": {"openActivityTasks": 1, "openDecisionTasks": 0, "openTimers": 2,
                       "openChildWorkflowExecutions": 3, "openLambdaFunctions": 0},
        "latestActivityTaskTimestamp": 1.75,
        "latestExecutionContext": "ctx"
    }));
    round_trip::<GetWorkflowExecutionHistoryInput>(json!({
        "domain": "d", "execution": we(), "nextPageToken": "p", "maximumPageSize": 5,
        "reverseOrder": true
    }));
    let history = round_trip::<GetWorkflowExecutionHistoryOutput>(json!({
        "events": [{"eventId": 1, "eventTimestamp": 1.5, "eventType": "TimerFired",
                    "timerFiredEventAttributes": {"timerId": "t", "startedEventId": 0}}],
        "nextPageToken": "p"
    }));
    assert_eq!(history.events[0].event_type(), "TimerFired");
    round_trip::<ListOpenWorkflowExecutionsInput>(json!({
        "domain": "d", "startTimeFilter": time_filter(), "typeFilter": {"name": "Flow", "version": "1"},
        "tagFilter": {"tag": "t"}, "nextPageToken": "p", "maximumPageSize": 1,
        "reverseOrder": true, "executionFilter": {"workflowId": "w"}
    }));
    round_trip::<ListClosedWorkflowExecutionsInput>(json!({
        "domain": "d", "startTimeFilter": time_filter(), "closeTimeFilter": time_filter(),
        "executionFilter": {"workflowId": "w"}, "closeStatusFilter": {"status": "TIMED_OUT"},
        "typeFilter": {"name": "Flow"}, "tagFilter": {"tag": "t"}, "nextPageToken": "p",
        "maximumPageSize": 1000, "reverseOrder": false
    }));
    round_trip::<ListOpenWorkflowExecutionsOutput>(json!({
        "executionInfos": [execution_info()], "nextPageToken": "p"
    }));
    round_trip::<ListClosedWorkflowExecutionsOutput>(json!({"executionInfos": []}));
    round_trip::<CountOpenWorkflowExecutionsInput>(json!({
        "domain": "d", "startTimeFilter": time_filter(), "typeFilter": {"name": "Flow"},
        "tagFilter": {"tag": "t"}, "executionFilter": {"workflowId": "w"}
    }));
    round_trip::<CountClosedWorkflowExecutionsInput>(json!({
        "domain": "d", "startTimeFilter": time_filter(), "closeTimeFilter": time_filter(),
        "executionFilter": {"workflowId": "w"}, "typeFilter": {"name": "Flow"},
        "tagFilter": {"tag": "t"}, "closeStatusFilter": {"status": "COMPLETED"}
    }));
    round_trip::<CountOpenWorkflowExecutionsOutput>(json!({"count": 3, "truncated": false}));
    round_trip::<CountClosedWorkflowExecutionsOutput>(json!({"count": 0}));
    round_trip::<CountPendingActivityTasksInput>(json!({"domain": "d", "taskList": tl()}));
    round_trip::<CountPendingDecisionTasksInput>(json!({"domain": "d", "taskList": tl()}));
    round_trip::<CountPendingActivityTasksOutput>(json!({"count": 7, "truncated": true}));
    round_trip::<CountPendingDecisionTasksOutput>(json!({"count": 1}));
}

#[test]
fn tagging_actions() {
    let arn = "arn:aws:swf:us-east-1:123456789012:/domain/d";
    round_trip::<TagResourceInput>(
        json!({"resourceArn": arn, "tags": [{"key": "k", "value": "v"}]}),
    );
    round_trip::<UntagResourceInput>(json!({"resourceArn": arn, "tagKeys": ["k"]}));
    round_trip::<ListTagsForResourceInput>(json!({"resourceArn": arn}));
    round_trip::<ListTagsForResourceOutput>(json!({"tags": [{"key": "k"}]}));
}

#[test]
fn required_members_must_be_present_and_nulls_are_absent() {
    let error = serde_json::from_value::<StartWorkflowExecutionInput>(json!({
        "domain": "d", "workflowType": wt()
    }))
    .unwrap_err();
    assert!(error.to_string().contains("workflowId"), "{error}");

    let input: SignalWorkflowExecutionInput = serde_json::from_value(json!({
        "domain": "d", "workflowId": "w", "signalName": "s", "runId": null, "input": null
    }))
    .unwrap();
    assert_eq!(input.run_id, None);
    assert_eq!(
        serde_json::to_value(&input).unwrap(),
        json!({"domain": "d", "workflowId": "w", "signalName": "s"})
    );
}

#[test]
fn inputs_default_to_their_required_members_only() {
    assert_eq!(
        serde_json::to_value(ListDomainsInput::default()).unwrap(),
        json!({"registrationStatus": "REGISTERED"})
    );
    assert_eq!(
        serde_json::to_value(PollForActivityTaskInput::default()).unwrap(),
        json!({"domain": "", "taskList": {"name": ""}})
    );
}

#[test]
fn action_names_are_complete_and_unique() {
    assert_eq!(Action::ALL.len(), 39);
    let mut names: Vec<&str> = Action::ALL.iter().map(Action::name).collect();
    for action in Action::ALL {
        assert_eq!(Action::from_name(action.name()), Some(action));
        assert_eq!(Action::from_target(action.target()), Some(action));
        assert_eq!(
            action.target(),
            format!("SimpleWorkflowService.{}", action.name())
        );
        assert_eq!(
            Action::from_target(&format!(
                "com.amazonaws.swf.service.model.SimpleWorkflowService.{action}"
            )),
            Some(action)
        );
    }
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 39);
    assert_eq!(
        Action::from_name("StartWorkflowExecution"),
        Some(Action::StartWorkflowExecution)
    );
    assert_eq!(Action::from_name("startWorkflowExecution"), None);
    assert_eq!(Action::from_target("SimpleWorkflowService.Nope"), None);
}

#[test]
fn string_enums_round_trip_known_and_unknown_values() {
    for value in ["TERMINATE", "REQUEST_CANCEL", "ABANDON"] {
        let policy: ChildPolicy = serde_json::from_value(json!(value)).unwrap();
        assert!(policy.is_known());
        assert_eq!(policy.as_str(), value);
        assert_eq!(serde_json::to_value(&policy).unwrap(), json!(value));
    }
    let future: CloseStatus = serde_json::from_value(json!("VANISHED")).unwrap();
    assert_eq!(future, CloseStatus::Unknown("VANISHED".into()));
    assert_eq!(serde_json::to_value(&future).unwrap(), json!("VANISHED"));
    assert_eq!(ExecutionStatus::from("OPEN"), ExecutionStatus::Open);
    assert_eq!(
        StartChildWorkflowExecutionFailedCause::from(String::from("WORKFLOW_ALREADY_RUNNING")),
        StartChildWorkflowExecutionFailedCause::WorkflowAlreadyRunning
    );
    assert_eq!(ActivityTaskTimeoutType::Heartbeat.to_string(), "HEARTBEAT");
    assert!(serde_json::from_value::<ChildPolicy>(json!(3)).is_err());
}

#[test]
fn integer_timestamps_are_accepted() {
    // botocore sends whole-second timestamps as JSON integers.
    let input: CountOpenWorkflowExecutionsInput = serde_json::from_value(json!({
        "domain": "d", "startTimeFilter": {"oldestDate": 1704067200}
    }))
    .unwrap();
    assert_eq!(input.start_time_filter.oldest_date, 1704067200.0);
}
