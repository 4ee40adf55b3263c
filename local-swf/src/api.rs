//! One function per SWF action: parse the JSON body into its swf-model input type, validate
//! it, and run it on the state machine (in a transaction when it writes). Polls are the exception:
//! they loop between the state machine and the waiting room until a task arrives or the hold expires.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use swf_model::*;

use crate::error::{ServiceError, ServiceResult};
use crate::state_machine::{ActivityOutcome, Polled, QueueKind, StateMachine, VisibilityFilters};
use crate::validate::{Check, check_resource_tag, check_retention};

/// What the handlers share.
pub struct Shared {
    /// The state machine.
    pub machine: Arc<Mutex<StateMachine>>,
    /// How long an empty poll is held.
    pub poll_hold: Duration,
    /// Woken after every call, so the timer task re-reads the earliest deadline.
    pub deadlines_changed: tokio::sync::Notify,
    /// Set when the service stops: polls answer empty at once instead of waiting.
    pub closing: std::sync::atomic::AtomicBool,
}

impl Shared {
    fn is_closing(&self) -> bool {
        self.closing.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Makes held and future polls answer empty at once.
    pub fn close(&self) {
        self.closing
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.lock().release_pollers();
    }

    fn lock(&self) -> MutexGuard<'_, StateMachine> {
        // A panic inside the state machine is caught and undone there; a poisoned lock therefore
        // still guards consistent state.
        self.machine
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Parses an input; serde's complaints become SWF's errors: a missing or null required member is
/// a ValidationException, a wrong JSON type a SerializationException.
fn parse<T: DeserializeOwned>(body: Value) -> ServiceResult<T> {
    serde_json::from_value(body).map_err(|e| {
        let message = e.to_string();
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            ServiceError::validation(format!(
                "1 validation error detected: Value null at '{field}' failed to satisfy \
                 constraint: Member must not be null"
            ))
        } else if message.starts_with("invalid type: null") {
            ServiceError::validation(format!(
                "1 validation error detected: a required member is null: {message}"
            ))
        } else if [
            "invalid type",
            "invalid value",
            "invalid length",
            "expected",
        ]
        .iter()
        .any(|prefix| message.starts_with(prefix))
        {
            ServiceError::new(
                FaultKind::SerializationException,
                format!("Request body does not match the input shape: {message}"),
            )
        } else {
            // swf-model's own checks (an unknown decisionType, a decision's missing member)
            // are constraint violations, as SWF reports them.
            ServiceError::validation(format!("1 validation error detected: {message}"))
        }
    })
}

/// Runs one action. `Ok(None)` is an empty 200 answer.
pub async fn call(shared: &Shared, action: Action, body: Value) -> ServiceResult<Option<Value>> {
    use Action::*;
    let answer = match action {
        PollForDecisionTask => return poll_decision(shared, parse(body)?).await.map(Some),
        PollForActivityTask => return poll_activity(shared, parse(body)?).await.map(Some),
        _ => call_sync(shared, action, body)?,
    };
    shared.deadlines_changed.notify_one();
    Ok(answer)
}

fn write(
    shared: &Shared,
    f: impl FnOnce(&mut StateMachine) -> ServiceResult<()>,
) -> ServiceResult<Option<Value>> {
    shared.lock().transact(f).map(|()| None)
}

fn read(
    shared: &Shared,
    f: impl FnOnce(&mut StateMachine) -> ServiceResult<Value>,
) -> ServiceResult<Option<Value>> {
    f(&mut shared.lock()).map(Some)
}

fn call_sync(shared: &Shared, action: Action, body: Value) -> ServiceResult<Option<Value>> {
    use Action::*;
    match action {
        RegisterDomain => {
            let input: RegisterDomainInput = parse(body)?;
            let mut check = Check::default();
            check.domain("name", &input.name).opt_len(
                "description",
                &input.description,
                MAX_DESCRIPTION_LEN,
            );
            if let Err(problem) =
                check_retention(&input.workflow_execution_retention_period_in_days)
            {
                check.fail("workflowExecutionRetentionPeriodInDays", problem);
            }
            for (i, tag) in input.tags.iter().flatten().enumerate() {
                check_resource_tag(&mut check, &format!("tags.{}.member", i + 1), tag);
            }
            check.done()?;
            write(shared, |e| e.register_domain(input))
        }
        DeprecateDomain => {
            let input: DeprecateDomainInput = parse(body)?;
            Check::default()
                .len("name", &input.name, 1, MAX_ID_LEN)
                .done()?;
            write(shared, |e| e.deprecate_domain(&input.name))
        }
        UndeprecateDomain => {
            let input: UndeprecateDomainInput = parse(body)?;
            Check::default()
                .len("name", &input.name, 1, MAX_ID_LEN)
                .done()?;
            write(shared, |e| e.undeprecate_domain(&input.name))
        }
        DescribeDomain => {
            let input: DescribeDomainInput = parse(body)?;
            Check::default()
                .len("name", &input.name, 1, MAX_ID_LEN)
                .done()?;
            read(shared, |e| e.describe_domain(&input.name))
        }
        ListDomains => {
            let input: ListDomainsInput = parse(body)?;
            Check::default()
                .status("registrationStatus", &input.registration_status)
                .page_token(&input.next_page_token)
                .done()?;
            read(shared, |e| e.list_domains(input))
        }
        RegisterActivityType => {
            let input: RegisterActivityTypeInput = parse(body)?;
            Check::default()
                .len("domain", &input.domain, 1, MAX_ID_LEN)
                .type_id("", &input.name, &input.version)
                .opt_len("description", &input.description, MAX_DESCRIPTION_LEN)
                .duration(
                    "defaultTaskStartToCloseTimeout",
                    &input.default_task_start_to_close_timeout,
                )
                .duration(
                    "defaultTaskHeartbeatTimeout",
                    &input.default_task_heartbeat_timeout,
                )
                .duration(
                    "defaultTaskScheduleToStartTimeout",
                    &input.default_task_schedule_to_start_timeout,
                )
                .duration(
                    "defaultTaskScheduleToCloseTimeout",
                    &input.default_task_schedule_to_close_timeout,
                )
                .task_list("defaultTaskList", &input.default_task_list)
                .priority("defaultTaskPriority", &input.default_task_priority)
                .done()?;
            let config = json!(ActivityTypeConfiguration {
                default_task_start_to_close_timeout: input.default_task_start_to_close_timeout,
                default_task_heartbeat_timeout: input.default_task_heartbeat_timeout,
                default_task_list: input.default_task_list,
                default_task_priority: input.default_task_priority,
                default_task_schedule_to_start_timeout: input
                    .default_task_schedule_to_start_timeout,
                default_task_schedule_to_close_timeout: input
                    .default_task_schedule_to_close_timeout,
            });
            write(shared, |e| {
                e.register_type(
                    &input.domain,
                    "activity",
                    &input.name,
                    &input.version,
                    input.description,
                    config,
                )
            })
        }
        RegisterWorkflowType => {
            let input: RegisterWorkflowTypeInput = parse(body)?;
            Check::default()
                .len("domain", &input.domain, 1, MAX_ID_LEN)
                .type_id("", &input.name, &input.version)
                .opt_len("description", &input.description, MAX_DESCRIPTION_LEN)
                .duration(
                    "defaultTaskStartToCloseTimeout",
                    &input.default_task_start_to_close_timeout,
                )
                .execution_timeout(
                    "defaultExecutionStartToCloseTimeout",
                    &input.default_execution_start_to_close_timeout,
                )
                .task_list("defaultTaskList", &input.default_task_list)
                .priority("defaultTaskPriority", &input.default_task_priority)
                .child_policy("defaultChildPolicy", &input.default_child_policy)
                .opt_len("defaultLambdaRole", &input.default_lambda_role, MAX_ARN_LEN)
                .done()?;
            let config = json!(WorkflowTypeConfiguration {
                default_task_start_to_close_timeout: input.default_task_start_to_close_timeout,
                default_execution_start_to_close_timeout: input
                    .default_execution_start_to_close_timeout,
                default_task_list: input.default_task_list,
                default_task_priority: input.default_task_priority,
                default_child_policy: input.default_child_policy,
                default_lambda_role: input.default_lambda_role,
            });
            write(shared, |e| {
                e.register_type(
                    &input.domain,
                    "workflow",
                    &input.name,
                    &input.version,
                    input.description,
                    config,
                )
            })
        }
        DeprecateActivityType
        | UndeprecateActivityType
        | DeleteActivityType
        | DescribeActivityType => {
            let input: DescribeActivityTypeInput = parse(body)?;
            let t = input.activity_type;
            Check::default()
                .len("domain", &input.domain, 1, MAX_ID_LEN)
                .type_id("activityType", &t.name, &t.version)
                .done()?;
            type_action(
                shared,
                action,
                &input.domain,
                "activity",
                &t.name,
                &t.version,
            )
        }
        DeprecateWorkflowType
        | UndeprecateWorkflowType
        | DeleteWorkflowType
        | DescribeWorkflowType => {
            let input: DescribeWorkflowTypeInput = parse(body)?;
            let t = input.workflow_type;
            Check::default()
                .len("domain", &input.domain, 1, MAX_ID_LEN)
                .type_id("workflowType", &t.name, &t.version)
                .done()?;
            type_action(
                shared,
                action,
                &input.domain,
                "workflow",
                &t.name,
                &t.version,
            )
        }
        ListActivityTypes | ListWorkflowTypes => {
            let input: ListActivityTypesInput = parse(body)?;
            Check::default()
                .len("domain", &input.domain, 1, MAX_ID_LEN)
                .opt_len("name", &input.name, MAX_ID_LEN)
                .status("registrationStatus", &input.registration_status)
                .page_token(&input.next_page_token)
                .done()?;
            let kind = if action == ListActivityTypes {
                "activity"
            } else {
                "workflow"
            };
            read(shared, |e| {
                e.list_types(
                    &input.domain,
                    kind,
                    &input.registration_status,
                    input.name.as_deref(),
                    (
                        input.next_page_token.as_deref(),
                        input.maximum_page_size,
                        input.reverse_order,
                    ),
                )
            })
        }
        StartWorkflowExecution => {
            let input: StartWorkflowExecutionInput = parse(body)?;
            Check::default()
                .len("domain", &input.domain, 1, MAX_ID_LEN)
                .id("workflowId", &input.workflow_id)
                .type_id(
                    "workflowType",
                    &input.workflow_type.name,
                    &input.workflow_type.version,
                )
                .task_list("taskList", &input.task_list)
                .priority("taskPriority", &input.task_priority)
                .data("input", &input.input)
                .execution_timeout(
                    "executionStartToCloseTimeout",
                    &input.execution_start_to_close_timeout,
                )
                .tags("tagList", &input.tag_list)
                .duration(
                    "taskStartToCloseTimeout",
                    &input.task_start_to_close_timeout,
                )
                .child_policy("childPolicy", &input.child_policy)
                .opt_len("lambdaRole", &input.lambda_role, MAX_ARN_LEN)
                .done()?;
            shared
                .lock()
                .transact(|e| e.start_workflow(input))
                .map(Some)
        }
        SignalWorkflowExecution => {
            let input: SignalWorkflowExecutionInput = parse(body)?;
            Check::default()
                .len("domain", &input.domain, 1, MAX_ID_LEN)
                .len("workflowId", &input.workflow_id, 1, MAX_ID_LEN)
                .run_id("runId", &input.run_id)
                .len("signalName", &input.signal_name, 1, MAX_ID_LEN)
                .data("input", &input.input)
                .done()?;
            write(shared, |e| e.signal_workflow(input))
        }
        RequestCancelWorkflowExecution => {
            let input: RequestCancelWorkflowExecutionInput = parse(body)?;
            Check::default()
                .len("domain", &input.domain, 1, MAX_ID_LEN)
                .len("workflowId", &input.workflow_id, 1, MAX_ID_LEN)
                .run_id("runId", &input.run_id)
                .done()?;
            write(shared, |e| e.request_cancel_workflow(input))
        }
        TerminateWorkflowExecution => {
            let input: TerminateWorkflowExecutionInput = parse(body)?;
            Check::default()
                .len("domain", &input.domain, 1, MAX_ID_LEN)
                .len("workflowId", &input.workflow_id, 1, MAX_ID_LEN)
                .run_id("runId", &input.run_id)
                .opt_len("reason", &input.reason, MAX_REASON_LEN)
                .data("details", &input.details)
                .child_policy("childPolicy", &input.child_policy)
                .done()?;
            write(shared, |e| e.terminate_workflow(input))
        }
        RespondDecisionTaskCompleted => {
            let input: swf_model::RespondDecisionTaskCompleted = parse(body)?;
            Check::default().task_token(&input.task_token).done()?;
            validate_response(&input).map_err(|e| {
                ServiceError::validation(format!(
                    "1 validation error detected: Value at '{}' failed to satisfy constraint: {}",
                    match e.index {
                        Some(i) => format!("decisions.{}.member.{}", i + 1, e.field),
                        None => e.field.clone(),
                    },
                    e.problem
                ))
            })?;
            write(shared, |e| e.respond_decision(input))
        }
        RecordActivityTaskHeartbeat => {
            let input: RecordActivityTaskHeartbeatInput = parse(body)?;
            Check::default()
                .task_token(&input.task_token)
                .opt_len("details", &input.details, MAX_HEARTBEAT_DETAILS_LEN)
                .done()?;
            shared
                .lock()
                .transact(|e| e.heartbeat(&input.task_token, input.details))
                .map(Some)
        }
        RespondActivityTaskCompleted => {
            let input: RespondActivityTaskCompletedInput = parse(body)?;
            Check::default()
                .task_token(&input.task_token)
                .data("result", &input.result)
                .done()?;
            let outcome = ActivityOutcome::Completed {
                result: input.result,
            };
            write(shared, |m| m.respond_activity(&input.task_token, outcome))
        }
        RespondActivityTaskFailed => {
            let input: RespondActivityTaskFailedInput = parse(body)?;
            Check::default()
                .task_token(&input.task_token)
                .opt_len("reason", &input.reason, MAX_REASON_LEN)
                .data("details", &input.details)
                .done()?;
            let outcome = ActivityOutcome::Failed {
                reason: input.reason,
                details: input.details,
            };
            write(shared, |m| m.respond_activity(&input.task_token, outcome))
        }
        RespondActivityTaskCanceled => {
            let input: RespondActivityTaskCanceledInput = parse(body)?;
            Check::default()
                .task_token(&input.task_token)
                .data("details", &input.details)
                .done()?;
            let outcome = ActivityOutcome::Canceled {
                details: input.details,
            };
            write(shared, |m| m.respond_activity(&input.task_token, outcome))
        }
        DescribeWorkflowExecution => {
            let input: DescribeWorkflowExecutionInput = parse(body)?;
            Check::default()
                .len("domain", &input.domain, 1, MAX_ID_LEN)
                .execution("execution", &input.execution)
                .done()?;
            read(shared, |e| {
                e.describe_execution(&input.domain, &input.execution)
            })
        }
        GetWorkflowExecutionHistory => {
            let input: GetWorkflowExecutionHistoryInput = parse(body)?;
            Check::default()
                .len("domain", &input.domain, 1, MAX_ID_LEN)
                .execution("execution", &input.execution)
                .page_token(&input.next_page_token)
                .done()?;
            read(shared, |e| e.history(&input))
        }
        ListOpenWorkflowExecutions => {
            let input: ListOpenWorkflowExecutionsInput = parse(body)?;
            let filters = VisibilityFilters {
                start: Some(input.start_time_filter),
                close: None,
                execution: input.execution_filter,
                type_filter: input.type_filter,
                tag: input.tag_filter,
                close_status: None,
            };
            check_filters(&input.domain, &filters, true)?;
            read(shared, |e| {
                e.list_executions(
                    &input.domain,
                    true,
                    filters,
                    (
                        input.next_page_token,
                        input.maximum_page_size,
                        input.reverse_order,
                    ),
                )
            })
        }
        ListClosedWorkflowExecutions => {
            let input: ListClosedWorkflowExecutionsInput = parse(body)?;
            let filters = VisibilityFilters {
                start: input.start_time_filter,
                close: input.close_time_filter,
                execution: input.execution_filter,
                type_filter: input.type_filter,
                tag: input.tag_filter,
                close_status: input.close_status_filter,
            };
            check_filters(&input.domain, &filters, false)?;
            read(shared, |e| {
                e.list_executions(
                    &input.domain,
                    false,
                    filters,
                    (
                        input.next_page_token,
                        input.maximum_page_size,
                        input.reverse_order,
                    ),
                )
            })
        }
        CountOpenWorkflowExecutions => {
            let input: CountOpenWorkflowExecutionsInput = parse(body)?;
            let filters = VisibilityFilters {
                start: Some(input.start_time_filter),
                close: None,
                execution: input.execution_filter,
                type_filter: input.type_filter,
                tag: input.tag_filter,
                close_status: None,
            };
            check_filters(&input.domain, &filters, true)?;
            read(shared, |e| e.count_executions(&input.domain, true, filters))
        }
        CountClosedWorkflowExecutions => {
            let input: CountClosedWorkflowExecutionsInput = parse(body)?;
            let filters = VisibilityFilters {
                start: input.start_time_filter,
                close: input.close_time_filter,
                execution: input.execution_filter,
                type_filter: input.type_filter,
                tag: input.tag_filter,
                close_status: input.close_status_filter,
            };
            check_filters(&input.domain, &filters, false)?;
            read(shared, |e| {
                e.count_executions(&input.domain, false, filters)
            })
        }
        CountPendingActivityTasks | CountPendingDecisionTasks => {
            let input: CountPendingActivityTasksInput = parse(body)?;
            Check::default()
                .len("domain", &input.domain, 1, MAX_ID_LEN)
                .id("taskList.name", &input.task_list.name)
                .done()?;
            let kind = if action == CountPendingActivityTasks {
                QueueKind::Activity
            } else {
                QueueKind::Decision
            };
            read(shared, |e| {
                e.count_pending(&input.domain, &input.task_list, kind)
            })
        }
        TagResource => {
            let input: TagResourceInput = parse(body)?;
            let mut check = Check::default();
            check.len("resourceArn", &input.resource_arn, 1, MAX_ARN_LEN);
            for (i, tag) in input.tags.iter().enumerate() {
                check_resource_tag(&mut check, &format!("tags.{}.member", i + 1), tag);
            }
            check.done()?;
            write(shared, |e| e.tag_resource(&input.resource_arn, input.tags))
        }
        UntagResource => {
            let input: UntagResourceInput = parse(body)?;
            let mut check = Check::default();
            check.len("resourceArn", &input.resource_arn, 1, MAX_ARN_LEN);
            for (i, key) in input.tag_keys.iter().enumerate() {
                check.len(
                    &format!("tagKeys.{}.member", i + 1),
                    key,
                    1,
                    MAX_RESOURCE_TAG_KEY_LEN,
                );
            }
            check.done()?;
            write(shared, |e| {
                e.untag_resource(&input.resource_arn, &input.tag_keys)
            })
        }
        ListTagsForResource => {
            let input: ListTagsForResourceInput = parse(body)?;
            Check::default()
                .len("resourceArn", &input.resource_arn, 1, MAX_ARN_LEN)
                .done()?;
            read(shared, |e| e.list_tags(&input.resource_arn))
        }
        PollForDecisionTask | PollForActivityTask => unreachable!("polls are asynchronous"),
    }
}

fn type_action(
    shared: &Shared,
    action: Action,
    domain: &str,
    kind: &'static str,
    name: &str,
    version: &str,
) -> ServiceResult<Option<Value>> {
    use Action::*;
    match action {
        DeprecateActivityType | DeprecateWorkflowType => {
            write(shared, |e| e.deprecate_type(domain, kind, name, version))
        }
        UndeprecateActivityType | UndeprecateWorkflowType => {
            write(shared, |e| e.undeprecate_type(domain, kind, name, version))
        }
        DeleteActivityType | DeleteWorkflowType => {
            write(shared, |e| e.delete_type(domain, kind, name, version))
        }
        _ => read(shared, |e| e.describe_type(domain, kind, name, version)),
    }
}

/// The List/Count filter rules of spec §7.2.
fn check_filters(domain: &str, f: &VisibilityFilters, open: bool) -> ServiceResult<()> {
    let mut check = Check::default();
    check.len("domain", domain, 1, MAX_ID_LEN);
    let exclusive = [
        f.execution.is_some(),
        f.type_filter.is_some(),
        f.tag.is_some(),
        f.close_status.is_some(),
    ]
    .iter()
    .filter(|set| **set)
    .count();
    if exclusive > 1 {
        let members = if open {
            "executionFilter, typeFilter and tagFilter"
        } else {
            "executionFilter, typeFilter, tagFilter and closeStatusFilter"
        };
        check.fail(
            "filters",
            format!("{members} are mutually exclusive: give at most one"),
        );
    }
    if !open && f.start.is_some() == f.close.is_some() {
        check.fail(
            "startTimeFilter",
            "exactly one of startTimeFilter and closeTimeFilter must be given",
        );
    }
    check.done()
}

async fn poll_decision(shared: &Shared, input: PollForDecisionTaskInput) -> ServiceResult<Value> {
    Check::default()
        .len("domain", &input.domain, 1, MAX_ID_LEN)
        .id("taskList.name", &input.task_list.name)
        .opt_len("identity", &input.identity, MAX_IDENTITY_LEN)
        .page_token(&input.next_page_token)
        .done()?;
    let empty = json!({"startedEventId": 0, "previousStartedEventId": 0});
    hold(shared, empty, |machine| {
        machine.poll_decision(&shared.machine, &input)
    })
    .await
}

async fn poll_activity(shared: &Shared, input: PollForActivityTaskInput) -> ServiceResult<Value> {
    Check::default()
        .len("domain", &input.domain, 1, MAX_ID_LEN)
        .id("taskList.name", &input.task_list.name)
        .opt_len("identity", &input.identity, MAX_IDENTITY_LEN)
        .done()?;
    let empty = json!({"startedEventId": 0});
    hold(shared, empty, |machine| {
        machine.poll_activity(&shared.machine, &input)
    })
    .await
}

/// The long poll: tries `attempt`, waits in the waiting room while nothing is queued, and
/// answers `empty` when the hold expires or the service stops.
async fn hold(
    shared: &Shared,
    empty: Value,
    mut attempt: impl FnMut(&mut StateMachine) -> ServiceResult<Polled>,
) -> ServiceResult<Value> {
    let deadline = tokio::time::Instant::now() + shared.poll_hold;
    loop {
        if shared.is_closing() {
            return Ok(empty);
        }
        let polled = attempt(&mut shared.lock())?;
        shared.deadlines_changed.notify_one();
        match polled {
            Polled::Answer(answer) => return Ok(answer),
            Polled::Wait(mut waiter) => {
                if tokio::time::timeout_at(deadline, waiter.woken())
                    .await
                    .is_err()
                {
                    return Ok(empty);
                }
            }
        }
    }
}
