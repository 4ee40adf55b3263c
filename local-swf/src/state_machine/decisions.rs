//! RespondDecisionTaskCompleted: the decision list applied in order, each decision writing its
//! success or `…Failed` event (spec §4, §6.7). The list's shape has already been validated by
//! the API layer; what is checked here depends on state (types, ids in use, defaults, whether
//! new events arrived while the decider worked). The decisions that start something (activity
//! tasks, timers, children, continue-as-new) are in [`super::scheduling`].

use swf_model::*;

use super::machine::StateMachine;
use super::shared::{Deferred, Delivery, ExternalTarget, Outcome};
use crate::error::{ServiceError, ServiceResult};
use crate::run::DecisionState;
use crate::tokens::TaskToken;

impl StateMachine {
    /// RespondDecisionTaskCompleted.
    pub fn respond_decision(&mut self, input: RespondDecisionTaskCompleted) -> ServiceResult<()> {
        let token = TaskToken::decode(&input.task_token)?;
        let stale = || {
            ServiceError::unknown(
                "Unknown decision task: it is not open (completed, timed out, or its run closed)",
            )
        };
        if token.activity_id.is_some() {
            return Err(stale());
        }
        let run_id = token.run_id.clone();
        let run = self
            .open_run(&run_id)
            .filter(|r| r.domain == token.domain)
            .ok_or_else(stale)?;
        let is_this_task = matches!(
            run.decision,
            DecisionState::Started { scheduled_event_id, started_event_id, .. }
                if scheduled_event_id == token.scheduled_event_id
                    && started_event_id == token.started_event_id
        );
        if !is_this_task {
            return Err(stale());
        }
        // An event that calls for a decision arrived after the decider's task started: SWF
        // refuses the decisions that would close the run (UNHANDLED_DECISION).
        let unhandled = run.last_decision_event_id > token.started_event_id;
        let completed = self.record(
            &run_id,
            DecisionTaskCompletedEventAttributes {
                execution_context: input.execution_context.clone(),
                scheduled_event_id: token.scheduled_event_id,
                started_event_id: token.started_event_id,
                task_list: input.task_list.clone(),
                task_list_schedule_to_start_timeout: input
                    .task_list_schedule_to_start_timeout
                    .clone(),
            },
        );
        let run = self.run_mut(&run_id);
        run.decision = DecisionState::None;
        run.previous_started_event_id = token.started_event_id;
        run.needs_decision = run.pending;
        run.pending = false;
        if input.execution_context.is_some() {
            run.latest_execution_context = input.execution_context.clone();
        }
        run.temporary_task_list = None;
        if let Some(list) = input.task_list {
            match input
                .task_list_schedule_to_start_timeout
                .as_deref()
                .and_then(duration_secs)
            {
                Some(secs) => run.temporary_task_list = Some((list, secs)),
                None => run.config.task_list = list,
            }
        }
        for decision in input.decisions {
            self.apply_decision(&run_id, completed, decision, unhandled)?;
        }
        Ok(())
    }

    /// Applies one decision of the list; `completed` is the DecisionTaskCompleted event's id.
    fn apply_decision(
        &mut self,
        run_id: &str,
        completed: i64,
        decision: Decision,
        unhandled: bool,
    ) -> ServiceResult<()> {
        match decision {
            Decision::ScheduleActivityTask(a) => self.schedule_activity(run_id, completed, a)?,
            Decision::RequestCancelActivityTask(a) => {
                self.request_cancel_activity(run_id, completed, a.activity_id)
            }
            Decision::CompleteWorkflowExecution(a) => {
                self.complete_workflow(run_id, completed, a, unhandled)
            }
            Decision::FailWorkflowExecution(a) => {
                self.fail_workflow(run_id, completed, a, unhandled)
            }
            Decision::CancelWorkflowExecution(a) => {
                self.cancel_workflow(run_id, completed, a, unhandled)
            }
            Decision::ContinueAsNewWorkflowExecution(a) => {
                if unhandled {
                    self.record(
                        run_id,
                        ContinueAsNewWorkflowExecutionFailedEventAttributes {
                            cause: ContinueAsNewWorkflowExecutionFailedCause::UnhandledDecision,
                            decision_task_completed_event_id: completed,
                        },
                    );
                } else {
                    self.continue_as_new(run_id, completed, a)?;
                }
            }
            Decision::RecordMarker(a) => {
                self.record(
                    run_id,
                    MarkerRecordedEventAttributes {
                        marker_name: a.marker_name,
                        details: a.details,
                        decision_task_completed_event_id: completed,
                    },
                );
            }
            Decision::StartTimer(a) => self.start_timer(run_id, completed, a),
            Decision::CancelTimer(a) => self.cancel_timer(run_id, completed, a.timer_id),
            Decision::SignalExternalWorkflowExecution(a) => {
                self.signal_external(run_id, completed, a)
            }
            Decision::RequestCancelExternalWorkflowExecution(a) => {
                self.request_cancel_external(run_id, completed, a)
            }
            Decision::StartChildWorkflowExecution(a) => self.start_child(run_id, completed, a)?,
            Decision::ScheduleLambdaFunction(a) => {
                self.record(
                    run_id,
                    ScheduleLambdaFunctionFailedEventAttributes {
                        id: a.id,
                        name: a.name,
                        cause: ScheduleLambdaFunctionFailedCause::LambdaServiceNotAvailableInRegion,
                        decision_task_completed_event_id: completed,
                    },
                );
            }
        }
        Ok(())
    }

    /// CompleteWorkflowExecution: closes the run, unless the decision is unhandled.
    fn complete_workflow(
        &mut self,
        run_id: &str,
        completed: i64,
        a: CompleteWorkflowExecutionDecisionAttributes,
        unhandled: bool,
    ) {
        if unhandled {
            self.record(
                run_id,
                CompleteWorkflowExecutionFailedEventAttributes {
                    cause: CompleteWorkflowExecutionFailedCause::UnhandledDecision,
                    decision_task_completed_event_id: completed,
                },
            );
            return;
        }
        self.record(
            run_id,
            WorkflowExecutionCompletedEventAttributes {
                result: a.result.clone(),
                decision_task_completed_event_id: completed,
            },
        );
        self.close_run(run_id, CloseStatus::Completed, Outcome::Completed(a.result));
    }

    /// FailWorkflowExecution: closes the run, unless the decision is unhandled.
    fn fail_workflow(
        &mut self,
        run_id: &str,
        completed: i64,
        a: FailWorkflowExecutionDecisionAttributes,
        unhandled: bool,
    ) {
        if unhandled {
            self.record(
                run_id,
                FailWorkflowExecutionFailedEventAttributes {
                    cause: FailWorkflowExecutionFailedCause::UnhandledDecision,
                    decision_task_completed_event_id: completed,
                },
            );
            return;
        }
        self.record(
            run_id,
            WorkflowExecutionFailedEventAttributes {
                reason: a.reason.clone(),
                details: a.details.clone(),
                decision_task_completed_event_id: completed,
            },
        );
        self.close_run(
            run_id,
            CloseStatus::Failed,
            Outcome::Failed(a.reason, a.details),
        );
    }

    /// CancelWorkflowExecution: closes the run, unless the decision is unhandled.
    fn cancel_workflow(
        &mut self,
        run_id: &str,
        completed: i64,
        a: CancelWorkflowExecutionDecisionAttributes,
        unhandled: bool,
    ) {
        if unhandled {
            self.record(
                run_id,
                CancelWorkflowExecutionFailedEventAttributes {
                    cause: CancelWorkflowExecutionFailedCause::UnhandledDecision,
                    decision_task_completed_event_id: completed,
                },
            );
            return;
        }
        self.record(
            run_id,
            WorkflowExecutionCanceledEventAttributes {
                details: a.details.clone(),
                decision_task_completed_event_id: completed,
            },
        );
        self.close_run(run_id, CloseStatus::Canceled, Outcome::Canceled(a.details));
    }

    /// CancelTimer.
    fn cancel_timer(&mut self, run_id: &str, completed: i64, timer_id: String) {
        match self.run_mut(run_id).timers.remove(&timer_id) {
            Some(timer) => self.record(
                run_id,
                TimerCanceledEventAttributes {
                    timer_id,
                    started_event_id: timer.started_event_id,
                    decision_task_completed_event_id: completed,
                },
            ),
            None => self.record(
                run_id,
                CancelTimerFailedEventAttributes {
                    timer_id,
                    cause: CancelTimerFailedCause::TimerIdUnknown,
                    decision_task_completed_event_id: completed,
                },
            ),
        };
    }

    /// SignalExternalWorkflowExecution: records the Initiated event; the signal is delivered
    /// once the whole list is applied.
    fn signal_external(
        &mut self,
        run_id: &str,
        completed: i64,
        a: SignalExternalWorkflowExecutionDecisionAttributes,
    ) {
        let initiated = self.record(
            run_id,
            SignalExternalWorkflowExecutionInitiatedEventAttributes {
                workflow_id: a.workflow_id.clone(),
                run_id: a.run_id.clone(),
                signal_name: a.signal_name.clone(),
                input: a.input.clone(),
                decision_task_completed_event_id: completed,
                control: a.control.clone(),
            },
        );
        let delivery = Delivery::Signal {
            signal_name: a.signal_name,
            input: a.input,
        };
        let ids = (initiated, completed);
        let target = ExternalTarget::new(run_id, ids, a.workflow_id, a.run_id, a.control);
        self.log
            .deferred
            .push(Deferred::External { target, delivery });
    }

    /// RequestCancelExternalWorkflowExecution: records the Initiated event; the request is
    /// delivered once the whole list is applied.
    fn request_cancel_external(
        &mut self,
        run_id: &str,
        completed: i64,
        a: RequestCancelExternalWorkflowExecutionDecisionAttributes,
    ) {
        let initiated = self.record(
            run_id,
            RequestCancelExternalWorkflowExecutionInitiatedEventAttributes {
                workflow_id: a.workflow_id.clone(),
                run_id: a.run_id.clone(),
                decision_task_completed_event_id: completed,
                control: a.control.clone(),
            },
        );
        let ids = (initiated, completed);
        let target = ExternalTarget::new(run_id, ids, a.workflow_id, a.run_id, a.control);
        let delivery = Delivery::Cancel;
        self.log
            .deferred
            .push(Deferred::External { target, delivery });
    }
}
