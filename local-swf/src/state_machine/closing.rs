//! Closing runs and the effects that cross from one run to another (spec §6.12–§6.15): the
//! parent hearing about its child's close, child policies, and the deferred deliveries of a
//! decision list (child starts, external signals and cancel requests), which SWF performs after
//! the deciding run's own events.

use swf_model::*;

use super::machine::StateMachine;
use super::shared::{Deferred, Delivery, ExternalTarget, NewRun, Outcome, Termination};
use crate::error::ServiceResult;
use crate::run::{Child, Closed, DecisionState, ParentLink};

/// The `…ExternalWorkflowExecutionFailed` event of a signal or cancel request whose target has
/// no open run (the two attribute structs have the same members).
macro_rules! undelivered {
    ($attributes:ident, $cause:ident, $target:expr) => {
        $attributes {
            workflow_id: $target.workflow_id.clone(),
            run_id: $target.run_id.clone(),
            cause: $cause::UnknownExternalWorkflowExecution,
            initiated_event_id: $target.initiated_event_id,
            decision_task_completed_event_id: $target.decision_task_completed_event_id,
            control: $target.control.clone(),
        }
    };
}

impl StateMachine {
    /// Closes a run whose close event was just recorded: drops its tasks and timers, applies
    /// the child policy (terminations and timeouts only) and tells an open parent.
    pub(super) fn close_run(&mut self, run_id: &str, status: CloseStatus, outcome: Outcome) {
        let now = self.now_secs();
        let run = self.run_mut(run_id);
        run.closed = Some(Closed {
            status: status.clone(),
            ts: now,
        });
        run.decision = DecisionState::None;
        run.pending = false;
        run.needs_decision = false;
        run.activities.clear();
        run.timers.clear();
        let children = std::mem::take(&mut run.children);
        let policy = run.config.child_policy.clone();
        let parent = run.parent.clone();
        if matches!(status, CloseStatus::Terminated | CloseStatus::TimedOut) {
            self.apply_child_policy(&policy, children.values());
        }
        if let Some(parent) = parent {
            self.notify_parent(run_id, &parent, outcome);
        }
    }

    fn apply_child_policy<'a>(
        &mut self,
        policy: &ChildPolicy,
        children: impl Iterator<Item = &'a Child>,
    ) {
        let children: Vec<Child> = children.cloned().collect();
        for child in children {
            if !self
                .runs
                .get(&child.run_id)
                .is_some_and(|run| run.is_open())
            {
                continue;
            }
            match policy {
                ChildPolicy::Terminate => self.terminate(
                    &child.run_id,
                    Termination {
                        reason: None,
                        details: None,
                        child_policy: None,
                        cause: WorkflowExecutionTerminatedCause::ChildPolicyApplied,
                    },
                ),
                ChildPolicy::RequestCancel => self.record_cancel_requested(
                    &child.run_id,
                    WorkflowExecutionCancelRequestedEventAttributes {
                        external_workflow_execution: None,
                        external_initiated_event_id: None,
                        cause: Some(WorkflowExecutionCancelRequestedCause::ChildPolicyApplied),
                    },
                ),
                _ => {}
            }
        }
    }

    /// Records ChildWorkflowExecution<outcome> in an open parent. A child that continued as new
    /// passes its place in the parent to the new run instead.
    fn notify_parent(&mut self, child_run_id: &str, parent: &ParentLink, outcome: Outcome) {
        let Some(parent_run) = self
            .runs
            .get(&parent.execution.run_id)
            .filter(|r| r.is_open())
        else {
            return;
        };
        let parent_id = parent_run.execution.run_id.clone();
        let Some(child) = parent_run.children.get(&parent.initiated_event_id).cloned() else {
            return;
        };
        if let Outcome::ContinuedAsNew(new_run_id) = outcome {
            if let Some(entry) = self
                .run_mut(&parent_id)
                .children
                .get_mut(&parent.initiated_event_id)
            {
                entry.run_id = new_run_id;
            }
            return;
        }
        self.run_mut(&parent_id)
            .children
            .remove(&parent.initiated_event_id);
        let attributes = child_closed(
            WorkflowExecution::new(child.workflow_id.clone(), child_run_id),
            child.workflow_type,
            parent.initiated_event_id,
            child.started_event_id,
            outcome,
        );
        self.record(&parent_id, attributes);
    }

    /// Terminates an open run.
    pub(super) fn terminate(&mut self, run_id: &str, termination: Termination) {
        let policy = termination
            .child_policy
            .unwrap_or_else(|| self.runs[run_id].config.child_policy.clone());
        self.record(
            run_id,
            WorkflowExecutionTerminatedEventAttributes {
                reason: termination.reason,
                details: termination.details,
                child_policy: policy.clone(),
                cause: Some(termination.cause),
            },
        );
        self.run_mut(run_id).config.child_policy = policy;
        self.close_run(run_id, CloseStatus::Terminated, Outcome::Terminated);
    }

    /// Applies one deferred cross-run effect.
    pub(super) fn apply_deferred(&mut self, effect: Deferred) -> ServiceResult<()> {
        match effect {
            Deferred::StartChild {
                parent,
                initiated_event_id,
                decision_task_completed_event_id,
                new,
                control,
            } => self.start_deferred_child(
                &parent,
                (initiated_event_id, decision_task_completed_event_id),
                *new,
                control,
            ),
            Deferred::External { target, delivery } => self.deliver(target, delivery),
        }
        Ok(())
    }

    /// Starts a child run that a decision initiated, unless its workflow id is already running.
    fn start_deferred_child(
        &mut self,
        parent: &str,
        (initiated_event_id, decision_task_completed_event_id): (i64, i64),
        new: NewRun,
        control: Option<String>,
    ) {
        if !self.runs.get(parent).is_some_and(|r| r.is_open()) {
            return;
        }
        if self
            .find_open(&new.domain, &new.workflow_id, None)
            .is_some()
        {
            self.record(
                parent,
                StartChildWorkflowExecutionFailedEventAttributes {
                    workflow_type: new.workflow_type,
                    cause: StartChildWorkflowExecutionFailedCause::WorkflowAlreadyRunning,
                    workflow_id: new.workflow_id,
                    initiated_event_id,
                    decision_task_completed_event_id,
                    control,
                },
            );
            return;
        }
        let workflow_type = new.workflow_type.clone();
        let workflow_id = new.workflow_id.clone();
        let child_run_id = self.create_run(new);
        let started_event_id = self.record(
            parent,
            ChildWorkflowExecutionStartedEventAttributes {
                workflow_execution: WorkflowExecution::new(
                    workflow_id.clone(),
                    child_run_id.clone(),
                ),
                workflow_type: workflow_type.clone(),
                initiated_event_id,
            },
        );
        self.run_mut(parent).children.insert(
            initiated_event_id,
            Child {
                workflow_id,
                run_id: child_run_id,
                workflow_type,
                started_event_id,
            },
        );
    }

    /// Where an external signal or cancel request goes: `None` when its source closed
    /// meanwhile (nothing to do), `Some(None)` when no open run matches, else the target run.
    fn reach(&self, target: &ExternalTarget) -> Option<Option<String>> {
        let source = self.runs.get(&target.source).filter(|r| r.is_open())?;
        Some(self.find_open(
            &source.domain,
            &target.workflow_id,
            target.run_id.as_deref(),
        ))
    }

    /// Delivers an external signal or cancel request to its target's open run, recording the
    /// delivery in both runs, or records the `…Failed` event in the source when there is no
    /// such run.
    fn deliver(&mut self, target: ExternalTarget, delivery: Delivery) {
        let Some(to) = self.reach(&target) else {
            return;
        };
        let source = target.source.as_str();
        let initiated = target.initiated_event_id;
        let Some(to) = to else {
            let failed: EventAttributes = match delivery {
                Delivery::Signal { .. } => undelivered!(
                    SignalExternalWorkflowExecutionFailedEventAttributes,
                    SignalExternalWorkflowExecutionFailedCause,
                    target
                )
                .into(),
                Delivery::Cancel => undelivered!(
                    RequestCancelExternalWorkflowExecutionFailedEventAttributes,
                    RequestCancelExternalWorkflowExecutionFailedCause,
                    target
                )
                .into(),
            };
            self.record(source, failed);
            return;
        };
        let from = Some(self.execution_of(source));
        let workflow_execution = self.execution_of(&to);
        match delivery {
            Delivery::Signal { signal_name, input } => {
                self.record(
                    &to,
                    WorkflowExecutionSignaledEventAttributes {
                        signal_name,
                        input,
                        external_workflow_execution: from,
                        external_initiated_event_id: Some(initiated),
                    },
                );
                self.record(
                    source,
                    ExternalWorkflowExecutionSignaledEventAttributes {
                        workflow_execution,
                        initiated_event_id: initiated,
                    },
                );
            }
            Delivery::Cancel => {
                self.record_cancel_requested(
                    &to,
                    WorkflowExecutionCancelRequestedEventAttributes {
                        external_workflow_execution: from,
                        external_initiated_event_id: Some(initiated),
                        cause: None,
                    },
                );
                self.record(
                    source,
                    ExternalWorkflowExecutionCancelRequestedEventAttributes {
                        workflow_execution,
                        initiated_event_id: initiated,
                    },
                );
            }
        }
    }
}

/// The ChildWorkflowExecution<outcome> event a parent records when its child closes (not for
/// continue-as-new, where the child's place passes to the new run).
fn child_closed(
    workflow_execution: WorkflowExecution,
    workflow_type: WorkflowType,
    initiated_event_id: i64,
    started_event_id: i64,
    outcome: Outcome,
) -> EventAttributes {
    match outcome {
        Outcome::Completed(result) => ChildWorkflowExecutionCompletedEventAttributes {
            workflow_execution,
            workflow_type,
            result,
            initiated_event_id,
            started_event_id,
        }
        .into(),
        Outcome::Failed(reason, details) => ChildWorkflowExecutionFailedEventAttributes {
            workflow_execution,
            workflow_type,
            reason,
            details,
            initiated_event_id,
            started_event_id,
        }
        .into(),
        Outcome::Canceled(details) => ChildWorkflowExecutionCanceledEventAttributes {
            workflow_execution,
            workflow_type,
            details,
            initiated_event_id,
            started_event_id,
        }
        .into(),
        Outcome::Terminated => ChildWorkflowExecutionTerminatedEventAttributes {
            workflow_execution,
            workflow_type,
            initiated_event_id,
            started_event_id,
        }
        .into(),
        Outcome::TimedOut => ChildWorkflowExecutionTimedOutEventAttributes {
            workflow_execution,
            workflow_type,
            timeout_type: WorkflowExecutionTimeoutType::StartToClose,
            initiated_event_id,
            started_event_id,
        }
        .into(),
        Outcome::ContinuedAsNew(_) => unreachable!("a continued child keeps its place"),
    }
}
