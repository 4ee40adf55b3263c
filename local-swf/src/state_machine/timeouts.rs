//! Deadlines: execution, decision and activity timeouts and timers fire here, driven by the
//! server's timer task rather than by any client call (spec §6.10, §6.11).

use swf_model::*;

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
                    WorkflowExecutionTimedOutEventAttributes {
                        timeout_type: WorkflowExecutionTimeoutType::StartToClose,
                        child_policy: policy,
                    },
                );
                self.close_run(run_id, CloseStatus::TimedOut, Outcome::TimedOut);
            }
            Deadline::Decision => {
                let (timeout_type, scheduled, started) = match self.runs[run_id].decision {
                    DecisionState::Started {
                        scheduled_event_id,
                        started_event_id,
                        ..
                    } => (
                        DecisionTaskTimeoutType::StartToClose,
                        scheduled_event_id,
                        started_event_id,
                    ),
                    DecisionState::Scheduled {
                        scheduled_event_id, ..
                    } => (
                        DecisionTaskTimeoutType::ScheduleToStart,
                        scheduled_event_id,
                        0,
                    ),
                    DecisionState::None => return,
                };
                let run = self.run_mut(run_id);
                run.decision = DecisionState::None;
                run.temporary_task_list = None;
                run.pending = false;
                self.record(
                    run_id,
                    DecisionTaskTimedOutEventAttributes {
                        timeout_type,
                        scheduled_event_id: scheduled,
                        started_event_id: started,
                    },
                );
                self.schedule_decision(run_id);
                self.run_mut(run_id).needs_decision = false;
            }
            Deadline::Activity(activity_id, kind) => {
                let Some(activity) = self.run_mut(run_id).activities.remove(&activity_id) else {
                    return;
                };
                let details = activity
                    .heartbeat_details
                    .filter(|_| kind != ActivityTaskTimeoutType::ScheduleToStart);
                self.record(
                    run_id,
                    ActivityTaskTimedOutEventAttributes {
                        timeout_type: kind,
                        scheduled_event_id: activity.scheduled_event_id,
                        started_event_id: activity
                            .started
                            .as_ref()
                            .map_or(0, |s| s.started_event_id),
                        details,
                    },
                );
            }
            Deadline::Timer(timer_id) => {
                let Some(timer) = self.run_mut(run_id).timers.remove(&timer_id) else {
                    return;
                };
                self.record(
                    run_id,
                    TimerFiredEventAttributes {
                        timer_id,
                        started_event_id: timer.started_event_id,
                    },
                );
            }
        }
    }
}
