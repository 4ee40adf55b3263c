//! Deadlines: execution, decision and activity timeouts and timers fire here, driven by the
//! server's timer task rather than by any client call (spec §6.10, §6.11).

use serde_json::json;
use swf_model::{ActivityTaskTimeoutType, CloseStatus};

use super::machine::StateMachine;
use super::shared::Outcome;
use crate::error::ServiceResult;
use crate::run::{Deadline, DecisionState};

impl StateMachine {
    /// Fires every deadline that is due, each run's in deadline order, in one transaction.
    /// Returns how many runs had something due.
    pub fn fire_due(&mut self) -> ServiceResult<usize> {
        let now = self.clock_ms();
        let due: Vec<String> = self
            .deadlines
            .iter()
            .take_while(|(at, _)| *at <= now)
            .map(|(_, run_id)| run_id.clone())
            .collect();
        if due.is_empty() {
            return Ok(0);
        }
        self.transact(|machine| {
            for run_id in &due {
                machine.fire_run(run_id, now);
            }
            Ok(due.len())
        })
    }

    fn fire_run(&mut self, run_id: &str, now: i64) {
        loop {
            let Some(run) = self.runs.get(run_id).filter(|r| r.is_open()) else {
                return;
            };
            let Some((at, deadline)) = run.deadlines().into_iter().next() else {
                return;
            };
            if at > now {
                return;
            }
            self.fire(run_id, deadline);
        }
    }

    fn fire(&mut self, run_id: &str, deadline: Deadline) {
        match deadline {
            Deadline::Execution => {
                let policy = self.runs[run_id].config.child_policy.clone();
                self.record(
                    run_id,
                    "WorkflowExecutionTimedOut",
                    json!({"timeoutType": "START_TO_CLOSE", "childPolicy": policy}),
                );
                self.close_run(run_id, CloseStatus::TimedOut, Outcome::TimedOut);
            }
            Deadline::Decision => {
                let (timeout_type, scheduled, started) = match self.runs[run_id].decision {
                    DecisionState::Started {
                        scheduled_event_id,
                        started_event_id,
                        ..
                    } => ("START_TO_CLOSE", scheduled_event_id, started_event_id),
                    DecisionState::Scheduled {
                        scheduled_event_id, ..
                    } => ("SCHEDULE_TO_START", scheduled_event_id, 0),
                    DecisionState::None => return,
                };
                let run = self.run_mut(run_id);
                run.decision = DecisionState::None;
                run.temporary_task_list = None;
                run.pending = false;
                self.record(
                    run_id,
                    "DecisionTaskTimedOut",
                    json!({
                        "timeoutType": timeout_type,
                        "scheduledEventId": scheduled,
                        "startedEventId": started,
                    }),
                );
                self.schedule_decision(run_id);
                self.run_mut(run_id).needs_decision = false;
            }
            Deadline::Activity(activity_id, kind) => {
                let Some(activity) = self.run_mut(run_id).activities.remove(&activity_id) else {
                    return;
                };
                let mut attributes = json!({
                    "timeoutType": kind.as_str(),
                    "scheduledEventId": activity.scheduled_event_id,
                    "startedEventId": activity.started.as_ref().map_or(0, |s| s.started_event_id),
                });
                if let Some(details) = activity.heartbeat_details
                    && kind != ActivityTaskTimeoutType::ScheduleToStart
                {
                    attributes["details"] = json!(details);
                }
                self.record(run_id, "ActivityTaskTimedOut", attributes);
            }
            Deadline::Timer(timer_id) => {
                let Some(timer) = self.run_mut(run_id).timers.remove(&timer_id) else {
                    return;
                };
                self.record(
                    run_id,
                    "TimerFired",
                    json!({"timerId": timer_id, "startedEventId": timer.started_event_id}),
                );
            }
        }
    }
}
