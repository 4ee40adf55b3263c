//! Closing runs and the effects that cross from one run to another (spec §6.12–§6.15): the
//! parent hearing about its child's close, child policies, and the deferred deliveries of a
//! decision list (child starts, external signals and cancel requests), which SWF performs after
//! the deciding run's own events.

use serde_json::{Value, json};
use swf_model::{ChildPolicy, CloseStatus, WorkflowExecution, WorkflowType};

use super::machine::StateMachine;
use super::shared::{Deferred, Outcome, Termination};
use crate::error::ServiceResult;
use crate::run::{Child, Closed, DecisionState, ParentLink, RunConfig};

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
                        cause: "CHILD_POLICY_APPLIED",
                    },
                ),
                ChildPolicy::RequestCancel => self.record_cancel_requested(
                    &child.run_id,
                    json!({"cause": "CHILD_POLICY_APPLIED"}),
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
        let mut attributes = json!({
            "workflowExecution": WorkflowExecution::new(child.workflow_id.clone(), child_run_id),
            "workflowType": child.workflow_type,
            "initiatedEventId": parent.initiated_event_id,
            "startedEventId": child.started_event_id,
        });
        let event_type = match outcome {
            Outcome::Completed(result) => {
                if let Some(result) = result {
                    attributes["result"] = json!(result);
                }
                "ChildWorkflowExecutionCompleted"
            }
            Outcome::Failed(reason, details) => {
                if let Some(reason) = reason {
                    attributes["reason"] = json!(reason);
                }
                if let Some(details) = details {
                    attributes["details"] = json!(details);
                }
                "ChildWorkflowExecutionFailed"
            }
            Outcome::Canceled(details) => {
                if let Some(details) = details {
                    attributes["details"] = json!(details);
                }
                "ChildWorkflowExecutionCanceled"
            }
            Outcome::Terminated => "ChildWorkflowExecutionTerminated",
            Outcome::TimedOut => {
                attributes["timeoutType"] = json!("START_TO_CLOSE");
                "ChildWorkflowExecutionTimedOut"
            }
            Outcome::ContinuedAsNew(_) => unreachable!("handled above"),
        };
        self.record(&parent_id, event_type, attributes);
    }

    /// Terminates an open run.
    pub(super) fn terminate(&mut self, run_id: &str, termination: Termination) {
        let policy = termination
            .child_policy
            .unwrap_or_else(|| self.runs[run_id].config.child_policy.clone());
        let mut attributes = json!({"childPolicy": policy, "cause": termination.cause});
        if let Some(reason) = termination.reason {
            attributes["reason"] = json!(reason);
        }
        if let Some(details) = termination.details {
            attributes["details"] = json!(details);
        }
        self.record(run_id, "WorkflowExecutionTerminated", attributes);
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
            } => {
                if !self.runs.get(&parent).is_some_and(|r| r.is_open()) {
                    return Ok(());
                }
                if self
                    .find_open(&new.domain, &new.workflow_id, None)
                    .is_some()
                {
                    let mut attributes = json!({
                        "workflowType": new.workflow_type,
                        "cause": "WORKFLOW_ALREADY_RUNNING",
                        "workflowId": new.workflow_id,
                        "initiatedEventId": initiated_event_id,
                        "decisionTaskCompletedEventId": decision_task_completed_event_id,
                    });
                    if let Some(control) = control {
                        attributes["control"] = json!(control);
                    }
                    self.record(&parent, "StartChildWorkflowExecutionFailed", attributes);
                    return Ok(());
                }
                let workflow_type: WorkflowType = new.workflow_type.clone();
                let workflow_id = new.workflow_id.clone();
                let child_run_id = self.create_run(*new);
                let started_event_id = self.record(
                    &parent,
                    "ChildWorkflowExecutionStarted",
                    json!({
                        "workflowExecution": WorkflowExecution::new(workflow_id.clone(), child_run_id.clone()),
                        "workflowType": workflow_type,
                        "initiatedEventId": initiated_event_id,
                    }),
                );
                self.run_mut(&parent).children.insert(
                    initiated_event_id,
                    Child {
                        workflow_id,
                        run_id: child_run_id,
                        workflow_type,
                        started_event_id,
                    },
                );
            }
            Deferred::Signal {
                source,
                initiated_event_id,
                decision_task_completed_event_id,
                workflow_id,
                run_id,
                signal_name,
                input,
                control,
            } => {
                if !self.runs.get(&source).is_some_and(|r| r.is_open()) {
                    return Ok(());
                }
                let domain = self.runs[&source].domain.clone();
                match self.find_open(&domain, &workflow_id, run_id.as_deref()) {
                    Some(target) => {
                        let mut attributes = json!({
                            "signalName": signal_name,
                            "externalWorkflowExecution": self.execution_json(&source),
                            "externalInitiatedEventId": initiated_event_id,
                        });
                        if let Some(input) = input {
                            attributes["input"] = json!(input);
                        }
                        self.record(&target, "WorkflowExecutionSignaled", attributes);
                        let target_execution = self.execution_json(&target);
                        self.record(
                            &source,
                            "ExternalWorkflowExecutionSignaled",
                            json!({"workflowExecution": target_execution, "initiatedEventId": initiated_event_id}),
                        );
                    }
                    None => self.record_external_failure(
                        &source,
                        "SignalExternalWorkflowExecutionFailed",
                        (initiated_event_id, decision_task_completed_event_id),
                        &workflow_id,
                        run_id,
                        control,
                    ),
                }
            }
            Deferred::Cancel {
                source,
                initiated_event_id,
                decision_task_completed_event_id,
                workflow_id,
                run_id,
                control,
            } => {
                if !self.runs.get(&source).is_some_and(|r| r.is_open()) {
                    return Ok(());
                }
                let domain = self.runs[&source].domain.clone();
                match self.find_open(&domain, &workflow_id, run_id.as_deref()) {
                    Some(target) => {
                        let source_execution = self.execution_json(&source);
                        self.record_cancel_requested(
                            &target,
                            json!({
                                "externalWorkflowExecution": source_execution,
                                "externalInitiatedEventId": initiated_event_id,
                            }),
                        );
                        let target_execution = self.execution_json(&target);
                        self.record(
                            &source,
                            "ExternalWorkflowExecutionCancelRequested",
                            json!({"workflowExecution": target_execution, "initiatedEventId": initiated_event_id}),
                        );
                    }
                    None => self.record_external_failure(
                        &source,
                        "RequestCancelExternalWorkflowExecutionFailed",
                        (initiated_event_id, decision_task_completed_event_id),
                        &workflow_id,
                        run_id,
                        control,
                    ),
                }
            }
        }
        Ok(())
    }

    fn record_external_failure(
        &mut self,
        source: &str,
        event_type: &str,
        (initiated, completed): (i64, i64),
        workflow_id: &str,
        run_id: Option<String>,
        control: Option<String>,
    ) {
        let mut attributes = json!({
            "workflowId": workflow_id,
            "cause": "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
            "initiatedEventId": initiated,
            "decisionTaskCompletedEventId": completed,
        });
        if let Some(run_id) = run_id {
            attributes["runId"] = json!(run_id);
        }
        if let Some(control) = control {
            attributes["control"] = json!(control);
        }
        self.record(source, event_type, attributes);
    }
}

/// The resolved settings of a run as event attributes (Initiated / ContinuedAsNew events).
pub(super) fn config_attributes(config: &RunConfig) -> Value {
    let mut attributes = json!({
        "executionStartToCloseTimeout": config.execution_start_to_close_timeout,
        "taskStartToCloseTimeout": config.task_start_to_close_timeout,
        "taskList": config.task_list,
        "taskPriority": config.task_priority,
        "childPolicy": config.child_policy,
    });
    if let Some(role) = &config.lambda_role {
        attributes["lambdaRole"] = json!(role);
    }
    attributes
}
