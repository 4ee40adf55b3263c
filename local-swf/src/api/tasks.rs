//! The deciders' and activity workers' actions: the long polls, the responses, heartbeats and
//! the pending-task counts (spec §3.4, §3.5).
//!
//! A poll loops between the state machine and the waiting room until a task arrives or the
//! hold expires.

use swf_model::*;

use super::support::{Answer, Shared, parse, read, write, write_answer};
use crate::error::{ServiceError, ServiceResult};
use crate::state_machine::{ActivityOutcome, Polled, QueueKind, StateMachine};
use crate::validate::Check;

/// PollForDecisionTask: a task, a further history page, or (after the hold) an empty answer.
pub(super) async fn poll_for_decision_task(shared: &Shared, body: &[u8]) -> ServiceResult<String> {
    let input: PollForDecisionTaskInput = parse(body)?;
    Check::default()
        .len("domain", &input.domain, 1, MAX_ID_LEN)
        .id("taskList.name", &input.task_list.name)
        .opt_len("identity", &input.identity, MAX_IDENTITY_LEN)
        .page_token(&input.next_page_token)
        .done()?;
    let empty = r#"{"startedEventId":0,"previousStartedEventId":0}"#;
    hold(shared, empty, |machine| {
        machine.poll_decision(&shared.machine, &input)
    })
    .await
}

/// PollForActivityTask: a task or (after the hold) an empty answer.
pub(super) async fn poll_for_activity_task(shared: &Shared, body: &[u8]) -> ServiceResult<String> {
    let input: PollForActivityTaskInput = parse(body)?;
    Check::default()
        .len("domain", &input.domain, 1, MAX_ID_LEN)
        .id("taskList.name", &input.task_list.name)
        .opt_len("identity", &input.identity, MAX_IDENTITY_LEN)
        .done()?;
    let empty = r#"{"startedEventId":0}"#;
    hold(shared, empty, |machine| {
        machine.poll_activity(&shared.machine, &input)
    })
    .await
}

/// The long poll: tries `attempt`, waits in the waiting room while nothing is queued, and
/// answers `empty` when the hold expires or the service stops.
async fn hold(
    shared: &Shared,
    empty: &str,
    mut attempt: impl FnMut(&mut StateMachine) -> ServiceResult<Polled>,
) -> ServiceResult<String> {
    let deadline = tokio::time::Instant::now() + shared.poll_hold;
    loop {
        if shared.is_closing() {
            return Ok(empty.to_owned());
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
                    return Ok(empty.to_owned());
                }
            }
        }
    }
}

/// RespondDecisionTaskCompleted: the decision list's shape is validated here, the rest by the
/// state machine.
pub(super) fn respond_decision_task_completed(shared: &Shared, body: &[u8]) -> Answer {
    let input: RespondDecisionTaskCompleted = parse(body)?;
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
    write(shared, |m| m.respond_decision(input))
}

/// RecordActivityTaskHeartbeat.
pub(super) fn record_activity_task_heartbeat(shared: &Shared, body: &[u8]) -> Answer {
    let input: RecordActivityTaskHeartbeatInput = parse(body)?;
    Check::default()
        .task_token(&input.task_token)
        .opt_len("details", &input.details, MAX_HEARTBEAT_DETAILS_LEN)
        .done()?;
    write_answer(shared, |m| m.heartbeat(&input.task_token, input.details))
}

/// RespondActivityTaskCompleted.
pub(super) fn respond_activity_task_completed(shared: &Shared, body: &[u8]) -> Answer {
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

/// RespondActivityTaskFailed.
pub(super) fn respond_activity_task_failed(shared: &Shared, body: &[u8]) -> Answer {
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

/// RespondActivityTaskCanceled.
pub(super) fn respond_activity_task_canceled(shared: &Shared, body: &[u8]) -> Answer {
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

/// CountPendingActivityTasks / CountPendingDecisionTasks (`kind` says which; both inputs have
/// the same members).
pub(super) fn count_pending_tasks(shared: &Shared, body: &[u8], kind: QueueKind) -> Answer {
    let input: CountPendingActivityTasksInput = parse(body)?;
    Check::default()
        .len("domain", &input.domain, 1, MAX_ID_LEN)
        .id("taskList.name", &input.task_list.name)
        .done()?;
    read(shared, |m| {
        m.count_pending(&input.domain, &input.task_list, kind)
    })
}
