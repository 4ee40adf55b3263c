//! Starting runs (the API, child workflows and continue-as-new share [`StateMachine::create_run`]) and
//! the external controls: signal, cancel request, terminate (spec §3.3, §6.9, §6.12).

use serde_json::{Value, json};
use swf_model::*;

use super::machine::StateMachine;
use super::settings::{StartSettings, resolve_settings};
use super::shared::{NewRun, Termination, describe_execution};
use crate::error::{ServiceError, ServiceResult};
use crate::run::{DecisionState, Run};

impl StateMachine {
    /// StartWorkflowExecution.
    pub fn start_workflow(&mut self, input: StartWorkflowExecutionInput) -> ServiceResult<Value> {
        let domain = self.require_domain(&input.domain)?;
        if domain.status == "DEPRECATED" {
            return Err(ServiceError::new(
                FaultKind::DomainDeprecatedFault,
                format!("Domain is deprecated: {}", input.domain),
            ));
        }
        let wt = &input.workflow_type;
        let t = self
            .find_type(&input.domain, "workflow", &wt.name, &wt.version)?
            .ok_or_else(|| {
                ServiceError::unknown(format!(
                    "Unknown type: WorkflowType=[name={}, version={}]",
                    wt.name, wt.version
                ))
            })?;
        if t.status == "DEPRECATED" {
            return Err(ServiceError::new(
                FaultKind::TypeDeprecatedFault,
                format!("WorkflowType=[name={}, version={}]", wt.name, wt.version),
            ));
        }
        if self
            .find_open(&input.domain, &input.workflow_id, None)
            .is_some()
        {
            return Err(ServiceError::new(
                FaultKind::WorkflowExecutionAlreadyStartedFault,
                format!(
                    "An open run of workflowId {} already exists",
                    input.workflow_id
                ),
            ));
        }
        let settings = StartSettings {
            task_list: input.task_list,
            task_priority: input.task_priority,
            execution_start_to_close_timeout: input.execution_start_to_close_timeout,
            task_start_to_close_timeout: input.task_start_to_close_timeout,
            child_policy: input.child_policy,
            lambda_role: input.lambda_role,
        };
        let config = resolve_settings(&t, settings).map_err(|missing| {
            ServiceError::new(
                FaultKind::DefaultUndefinedFault,
                format!(
                    "{} was not given and the workflow type has no default for it",
                    missing.member()
                ),
            )
        })?;
        if config.execution_start_to_close_timeout == "NONE" {
            return Err(ServiceError::invalid_member(
                "executionStartToCloseTimeout",
                "NONE is not allowed for a workflow execution",
            ));
        }
        let run_id = self.create_run(NewRun {
            domain: input.domain,
            workflow_id: input.workflow_id,
            workflow_type: input.workflow_type,
            config,
            tags: input.tag_list.unwrap_or_default(),
            input: input.input,
            parent: None,
            continued_from: None,
        });
        Ok(json!({"runId": run_id}))
    }

    /// Creates a run and records its WorkflowExecutionStarted (its first decision task is
    /// scheduled when the transaction ends).
    pub(super) fn create_run(&mut self, new: NewRun) -> String {
        let run_id = new_run_id();
        let run = Run {
            domain: new.domain,
            execution: WorkflowExecution::new(new.workflow_id, run_id.clone()),
            workflow_type: new.workflow_type.clone(),
            config: new.config.clone(),
            tags: new.tags.clone(),
            parent: new.parent.clone(),
            start_ts: self.now_secs(),
            closed: None,
            cancel_requested: false,
            next_event_id: 1,
            decision: DecisionState::None,
            pending: false,
            needs_decision: false,
            last_decision_event_id: 0,
            previous_started_event_id: 0,
            temporary_task_list: None,
            activities: Default::default(),
            timers: Default::default(),
            children: Default::default(),
            latest_execution_context: None,
            latest_activity_ts: None,
        };
        self.insert_run(run);
        self.record(
            &run_id,
            WorkflowExecutionStartedEventAttributes {
                input: new.input,
                execution_start_to_close_timeout: Some(new.config.execution_start_to_close_timeout),
                task_start_to_close_timeout: Some(new.config.task_start_to_close_timeout),
                child_policy: new.config.child_policy,
                task_list: new.config.task_list,
                task_priority: Some(new.config.task_priority),
                workflow_type: new.workflow_type,
                tag_list: Some(new.tags).filter(|tags| !tags.is_empty()),
                continued_execution_run_id: new.continued_from,
                parent_initiated_event_id: Some(
                    new.parent.as_ref().map_or(0, |p| p.initiated_event_id),
                ),
                parent_workflow_execution: new.parent.map(|p| p.execution),
                lambda_role: new.config.lambda_role,
            },
        );
        run_id
    }

    /// The open run a Signal/RequestCancel/Terminate call addresses.
    fn addressed_run(
        &self,
        domain: &str,
        workflow_id: &str,
        run_id: Option<&str>,
    ) -> ServiceResult<String> {
        self.require_domain(domain)?;
        self.find_open(domain, workflow_id, run_id).ok_or_else(|| {
            ServiceError::unknown(format!(
                "Unknown execution: {}",
                describe_execution(&WorkflowExecution::new(
                    workflow_id,
                    run_id.unwrap_or_default()
                ))
            ))
        })
    }

    /// SignalWorkflowExecution.
    pub fn signal_workflow(&mut self, input: SignalWorkflowExecutionInput) -> ServiceResult<()> {
        let run_id =
            self.addressed_run(&input.domain, &input.workflow_id, input.run_id.as_deref())?;
        self.record(
            &run_id,
            WorkflowExecutionSignaledEventAttributes {
                signal_name: input.signal_name,
                input: input.input,
                external_workflow_execution: None,
                external_initiated_event_id: None,
            },
        );
        Ok(())
    }

    /// RequestCancelWorkflowExecution.
    pub fn request_cancel_workflow(
        &mut self,
        input: RequestCancelWorkflowExecutionInput,
    ) -> ServiceResult<()> {
        let run_id =
            self.addressed_run(&input.domain, &input.workflow_id, input.run_id.as_deref())?;
        self.record_cancel_requested(
            &run_id,
            WorkflowExecutionCancelRequestedEventAttributes {
                external_workflow_execution: None,
                external_initiated_event_id: None,
                cause: None,
            },
        );
        Ok(())
    }

    /// Records WorkflowExecutionCancelRequested with `attributes` and flags the run.
    pub(super) fn record_cancel_requested(
        &mut self,
        run_id: &str,
        attributes: WorkflowExecutionCancelRequestedEventAttributes,
    ) {
        self.record(run_id, attributes);
        self.run_mut(run_id).cancel_requested = true;
    }

    /// TerminateWorkflowExecution.
    pub fn terminate_workflow(
        &mut self,
        input: TerminateWorkflowExecutionInput,
    ) -> ServiceResult<()> {
        let run_id =
            self.addressed_run(&input.domain, &input.workflow_id, input.run_id.as_deref())?;
        self.terminate(
            &run_id,
            Termination {
                reason: input.reason,
                details: input.details,
                child_policy: input.child_policy,
                cause: WorkflowExecutionTerminatedCause::OperatorInitiated,
            },
        );
        Ok(())
    }
}

/// A fresh opaque run id (32 hex characters).
fn new_run_id() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}
