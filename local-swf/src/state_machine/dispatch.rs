//! Handing tasks to pollers: taking the first queued task of a list (recording its Started
//! event), the decision task's history pages, and the long-poll waiting room.
//!
//! A poll that finds nothing registers a [`Waiter`] for its list and waits outside the state
//! machine's lock. Queuing a task wakes the longest-waiting poller whose connection is still there (a
//! poller whose HTTP request was dropped has dropped its receiver, so the wake-up skips it); the
//! woken poller then takes a task under the lock like any other poll, so a task goes to exactly
//! one poller.

use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::{Value, json};
use swf_model::{
    ActivityTaskStartedEventAttributes, DecisionTaskStartedEventAttributes,
    PollForActivityTaskInput, PollForActivityTaskResponse, PollForDecisionTaskInput,
    PollForDecisionTaskResponse, duration_secs,
};
use tokio::sync::oneshot;

use super::machine::StateMachine;
use super::shared::{QueueKey, QueueKind, page_size};
use crate::error::{ServiceError, ServiceResult};
use crate::run::{ActivityStarted, DecisionState};
use crate::tokens::{TaskToken, page_position, page_token};

/// A poller's place in the waiting room. If it is woken but dropped before it takes the task
/// (its client went away), it passes the wake-up on so the task is not stranded.
pub struct Waiter {
    rx: Option<oneshot::Receiver<()>>,
    kind: QueueKind,
    key: QueueKey,
    machine: Arc<Mutex<StateMachine>>,
}

impl Waiter {
    /// Waits until woken; `false` if the waiting room was torn down.
    pub async fn woken(&mut self) -> bool {
        match self.rx.as_mut() {
            Some(rx) => {
                let woken = rx.await.is_ok();
                self.rx = None;
                woken
            }
            None => false,
        }
    }
}

impl Drop for Waiter {
    fn drop(&mut self) {
        if let Some(mut rx) = self.rx.take()
            && rx.try_recv().is_ok()
            && let Ok(mut machine) = self.machine.lock()
        {
            machine.waiters.wake(self.kind, &self.key);
        }
    }
}

/// The outcome of one poll attempt.
pub enum Polled {
    /// A task or a further history page: the answer's JSON body.
    Answer(String),
    /// Nothing queued: wait on this, then try again.
    Wait(Waiter),
}

impl StateMachine {
    /// Wakes every waiting poller; used when the service stops, so held polls answer at once.
    pub fn release_pollers(&mut self) {
        self.waiters.wake_all();
    }

    /// Whether a task is queued on the list: an empty poll needs no transaction.
    fn has_queued(&self, kind: QueueKind, key: &QueueKey) -> bool {
        self.queues.contains_key(&(kind, key.clone()))
    }

    /// One attempt of PollForDecisionTask: a further history page, a task, or a waiter.
    pub fn poll_decision(
        &mut self,
        shared: &Arc<Mutex<StateMachine>>,
        input: &PollForDecisionTaskInput,
    ) -> ServiceResult<Polled> {
        self.require_domain(&input.domain)?;
        if let Some(token) = &input.next_page_token {
            return self.decision_page(input, token).map(Polled::Answer);
        }
        let key = (input.domain.clone(), input.task_list.name.clone());
        let taken = if self.has_queued(QueueKind::Decision, &key) {
            self.transact(|machine| machine.take_decision_task(&key, input))?
        } else {
            None
        };
        match taken {
            Some((run_id, previous, token)) => {
                let page = self.decision_response(input, &run_id, previous, token, None)?;
                Ok(Polled::Answer(page))
            }
            None => Ok(Polled::Wait(Waiter {
                rx: Some(self.waiters.register(QueueKind::Decision, key.clone())?),
                kind: QueueKind::Decision,
                key,
                machine: shared.clone(),
            })),
        }
    }

    fn take_decision_task(
        &mut self,
        key: &QueueKey,
        input: &PollForDecisionTaskInput,
    ) -> ServiceResult<Option<(String, i64, TaskToken)>> {
        let Some(queued) = self
            .queues
            .get(&(QueueKind::Decision, key.clone()))
            .and_then(|set| set.first().cloned())
        else {
            return Ok(None);
        };
        let run_id = queued.run_id;
        let started = self.record(
            &run_id,
            DecisionTaskStartedEventAttributes {
                identity: input.identity.clone(),
                scheduled_event_id: queued.scheduled_event_id,
            },
        );
        let now_ms = self.now_ms;
        let run = self.run_mut(&run_id);
        let timeout = duration_secs(&run.config.task_start_to_close_timeout);
        run.decision = DecisionState::Started {
            scheduled_event_id: queued.scheduled_event_id,
            started_event_id: started,
            deadline_ms: timeout.map(|secs| now_ms + secs as i64 * 1000),
        };
        let token = TaskToken {
            domain: run.domain.clone(),
            run_id: run_id.clone(),
            activity_id: None,
            scheduled_event_id: queued.scheduled_event_id,
            started_event_id: started,
        };
        Ok(Some((run_id, run.previous_started_event_id, token)))
    }

    /// A follow-up page of a decision task's history.
    fn decision_page(
        &mut self,
        input: &PollForDecisionTaskInput,
        token: &str,
    ) -> ServiceResult<String> {
        let args = poll_args(input);
        let position = page_position(token, &args, self.clock_ms())?;
        let task: TaskToken = serde_json::from_value(position["task"].clone())
            .map_err(|_| ServiceError::invalid_member("nextPageToken", "malformed page token"))?;
        let previous = position["previous"].as_i64().unwrap_or(0);
        let next = position["next"].as_i64().unwrap_or(1);
        let run_id = task.run_id.clone();
        self.decision_response(input, &run_id, previous, task, Some(next))
    }

    /// The PollForDecisionTask answer for a handed-out task: one page of events up to the
    /// DecisionTaskStarted, starting at `next` (an event id) or at the beginning.
    fn decision_response(
        &mut self,
        input: &PollForDecisionTaskInput,
        run_id: &str,
        previous: i64,
        task: TaskToken,
        next: Option<i64>,
    ) -> ServiceResult<String> {
        let (execution, workflow_type) = match self.runs.get(run_id) {
            Some(run) => (run.execution.clone(), run.workflow_type.clone()),
            None => self
                .db
                .run(&task.domain, run_id)?
                .map(|run| (run.execution, run.workflow_type))
                .ok_or_else(|| ServiceError::unknown("Unknown decision task"))?,
        };
        let reverse = input.reverse_order.unwrap_or(false);
        let limit = page_size(input.maximum_page_size)?;
        let first = if input.start_at_previous_started_event.unwrap_or(false) && previous > 0 {
            previous
        } else {
            1
        };
        let last = task.started_event_id;
        let (from, to) = match (next, reverse) {
            (Some(next), false) => (next, last),
            (Some(next), true) => (first, next),
            (None, _) => (first, last),
        };
        let rows = self.db.events(run_id, from, to, reverse, limit + 1)?;
        let next_page_token = rows.get(limit).map(|(after, _)| {
            let position = json!({"task": task, "previous": previous, "next": after});
            page_token(position, &poll_args(input), self.clock_ms())
        });
        let head = PollForDecisionTaskResponse {
            task_token: Some(task.encode()),
            started_event_id: task.started_event_id,
            previous_started_event_id: previous,
            workflow_execution: Some(execution),
            workflow_type: Some(workflow_type),
            events: Vec::new(),
            next_page_token,
        };
        let page = rows.iter().take(limit).map(|(_, json)| json.as_str());
        Ok(with_events(&head, page))
    }

    /// One attempt of PollForActivityTask: a task or a waiter.
    pub fn poll_activity(
        &mut self,
        shared: &Arc<Mutex<StateMachine>>,
        input: &PollForActivityTaskInput,
    ) -> ServiceResult<Polled> {
        self.require_domain(&input.domain)?;
        let key = (input.domain.clone(), input.task_list.name.clone());
        let taken = if self.has_queued(QueueKind::Activity, &key) {
            self.transact(|machine| machine.take_activity_task(&key, input))?
        } else {
            None
        };
        match taken {
            Some(answer) => Ok(Polled::Answer(answer)),
            None => Ok(Polled::Wait(Waiter {
                rx: Some(self.waiters.register(QueueKind::Activity, key.clone())?),
                kind: QueueKind::Activity,
                key,
                machine: shared.clone(),
            })),
        }
    }

    fn take_activity_task(
        &mut self,
        key: &QueueKey,
        input: &PollForActivityTaskInput,
    ) -> ServiceResult<Option<String>> {
        let Some(queued) = self
            .queues
            .get(&(QueueKind::Activity, key.clone()))
            .and_then(|set| set.first().cloned())
        else {
            return Ok(None);
        };
        let run_id = queued.run_id;
        let started = self.record(
            &run_id,
            ActivityTaskStartedEventAttributes {
                identity: input.identity.clone(),
                scheduled_event_id: queued.scheduled_event_id,
            },
        );
        let now_ms = self.now_ms;
        let run = self.run_mut(&run_id);
        let (activity_id, activity) = run
            .activities
            .iter_mut()
            .find(|(_, a)| a.scheduled_event_id == queued.scheduled_event_id)
            .expect("queued activities are open");
        activity.started = Some(ActivityStarted {
            started_event_id: started,
            at_ms: now_ms,
            last_heartbeat_ms: now_ms,
        });
        let token = TaskToken {
            domain: run.domain.clone(),
            run_id: run_id.clone(),
            activity_id: Some(activity_id.clone()),
            scheduled_event_id: queued.scheduled_event_id,
            started_event_id: started,
        };
        let answer = PollForActivityTaskResponse {
            task_token: Some(token.encode()),
            activity_id: Some(activity_id.clone()),
            started_event_id: started,
            workflow_execution: Some(run.execution.clone()),
            activity_type: Some(activity.activity_type.clone()),
            input: activity.input.clone(),
        };
        Ok(Some(to_json(&answer)))
    }
}

/// `answer` as a JSON body.
fn to_json(answer: &impl Serialize) -> String {
    serde_json::to_string(answer).expect("wire types serialize to JSON")
}

/// The JSON of `head` (a decision task answer without events) with `events` as its `events`
/// member. Spliced by hand rather than serialized: the events are stored as the wire JSON this
/// service wrote, so a page is copied as it is instead of parsed and serialized again.
fn with_events<'a>(
    head: &PollForDecisionTaskResponse,
    events: impl Iterator<Item = &'a str>,
) -> String {
    let mut out = to_json(head);
    debug_assert!(head.events.is_empty() && out.ends_with('}') && out.len() > 2);
    out.pop();
    out.push_str(",\"events\":[");
    for (i, event) in events.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(event);
    }
    out.push_str("]}");
    out
}

/// The arguments a decision-task page token is bound to.
fn poll_args(input: &PollForDecisionTaskInput) -> Value {
    json!([
        input.domain,
        input.task_list.name,
        input.maximum_page_size,
        input.reverse_order,
        input.start_at_previous_started_event
    ])
}
