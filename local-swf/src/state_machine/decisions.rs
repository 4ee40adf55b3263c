//! RespondDecisionTaskCompleted: the decision list applied in order, each decision writing its
//! success or `…Failed` event (spec §4, §6.7). The list's shape has already been validated by
//! the API layer; what is checked here depends on state (types, ids in use, defaults, whether
//! new events arrived while the decider worked).

use serde_json::{Value, json};
use swf_model::*;

use super::closing::config_attributes;
use super::machine::StateMachine;
use super::settings::{StartSettings, resolve_settings};
use super::shared::{Deferred, NewRun, Outcome};
use crate::error::{ServiceError, ServiceResult};
use crate::run::{Activity, DecisionState, ParentLink, Timer, parse_secs};
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
        let started = DecisionState::Started {
            scheduled_event_id: token.scheduled_event_id,
            started_event_id: token.started_event_id,
            deadline_ms: None,
        };
        match (&run.decision, &started) {
            (
                DecisionState::Started {
                    scheduled_event_id: s,
                    started_event_id: t,
                    ..
                },
                DecisionState::Started {
                    scheduled_event_id: s2,
                    started_event_id: t2,
                    ..
                },
            ) if s == s2 && t == t2 => {}
            _ => return Err(stale()),
        }
        let unhandled = run.last_decision_event_id > token.started_event_id;
        let mut attributes = json!({
            "scheduledEventId": token.scheduled_event_id,
            "startedEventId": token.started_event_id,
        });
        if let Some(context) = &input.execution_context {
            attributes["executionContext"] = json!(context);
        }
        if let Some(list) = &input.task_list {
            attributes["taskList"] = json!(list);
        }
        if let Some(limit) = &input.task_list_schedule_to_start_timeout {
            attributes["taskListScheduleToStartTimeout"] = json!(limit);
        }
        let completed = self.record(&run_id, "DecisionTaskCompleted", attributes);
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
                .and_then(parse_secs)
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
                if unhandled {
                    self.unhandled(run_id, "CompleteWorkflowExecutionFailed", completed);
                } else {
                    let mut attributes = json!({"decisionTaskCompletedEventId": completed});
                    if let Some(result) = &a.result {
                        attributes["result"] = json!(result);
                    }
                    self.record(run_id, "WorkflowExecutionCompleted", attributes);
                    self.close_run(run_id, CloseStatus::Completed, Outcome::Completed(a.result));
                }
            }
            Decision::FailWorkflowExecution(a) => {
                if unhandled {
                    self.unhandled(run_id, "FailWorkflowExecutionFailed", completed);
                } else {
                    let mut attributes = json!({"decisionTaskCompletedEventId": completed});
                    if let Some(reason) = &a.reason {
                        attributes["reason"] = json!(reason);
                    }
                    if let Some(details) = &a.details {
                        attributes["details"] = json!(details);
                    }
                    self.record(run_id, "WorkflowExecutionFailed", attributes);
                    self.close_run(
                        run_id,
                        CloseStatus::Failed,
                        Outcome::Failed(a.reason, a.details),
                    );
                }
            }
            Decision::CancelWorkflowExecution(a) => {
                if unhandled {
                    self.unhandled(run_id, "CancelWorkflowExecutionFailed", completed);
                } else {
                    let mut attributes = json!({"decisionTaskCompletedEventId": completed});
                    if let Some(details) = &a.details {
                        attributes["details"] = json!(details);
                    }
                    self.record(run_id, "WorkflowExecutionCanceled", attributes);
                    self.close_run(run_id, CloseStatus::Canceled, Outcome::Canceled(a.details));
                }
            }
            Decision::ContinueAsNewWorkflowExecution(a) => {
                if unhandled {
                    self.unhandled(run_id, "ContinueAsNewWorkflowExecutionFailed", completed);
                } else {
                    self.continue_as_new(run_id, completed, a)?;
                }
            }
            Decision::RecordMarker(a) => {
                let mut attributes = json!({
                    "markerName": a.marker_name,
                    "decisionTaskCompletedEventId": completed,
                });
                if let Some(details) = a.details {
                    attributes["details"] = json!(details);
                }
                self.record(run_id, "MarkerRecorded", attributes);
            }
            Decision::StartTimer(a) => self.start_timer(run_id, completed, a),
            Decision::CancelTimer(a) => {
                match self.run_mut(run_id).timers.remove(&a.timer_id) {
                    Some(timer) => self.record(
                        run_id,
                        "TimerCanceled",
                        json!({
                            "timerId": a.timer_id,
                            "startedEventId": timer.started_event_id,
                            "decisionTaskCompletedEventId": completed,
                        }),
                    ),
                    None => self.record(
                        run_id,
                        "CancelTimerFailed",
                        json!({
                            "timerId": a.timer_id,
                            "cause": "TIMER_ID_UNKNOWN",
                            "decisionTaskCompletedEventId": completed,
                        }),
                    ),
                };
            }
            Decision::SignalExternalWorkflowExecution(a) => {
                let mut attributes = json!({
                    "workflowId": a.workflow_id,
                    "signalName": a.signal_name,
                    "decisionTaskCompletedEventId": completed,
                });
                set_opt(&mut attributes, "runId", &a.run_id);
                set_opt(&mut attributes, "input", &a.input);
                set_opt(&mut attributes, "control", &a.control);
                let initiated = self.record(
                    run_id,
                    "SignalExternalWorkflowExecutionInitiated",
                    attributes,
                );
                self.log.deferred.push(Deferred::Signal {
                    source: run_id.to_owned(),
                    initiated_event_id: initiated,
                    decision_task_completed_event_id: completed,
                    workflow_id: a.workflow_id,
                    run_id: a.run_id.filter(|id| !id.is_empty()),
                    signal_name: a.signal_name,
                    input: a.input,
                    control: a.control,
                });
            }
            Decision::RequestCancelExternalWorkflowExecution(a) => {
                let mut attributes = json!({
                    "workflowId": a.workflow_id,
                    "decisionTaskCompletedEventId": completed,
                });
                set_opt(&mut attributes, "runId", &a.run_id);
                set_opt(&mut attributes, "control", &a.control);
                let initiated = self.record(
                    run_id,
                    "RequestCancelExternalWorkflowExecutionInitiated",
                    attributes,
                );
                self.log.deferred.push(Deferred::Cancel {
                    source: run_id.to_owned(),
                    initiated_event_id: initiated,
                    decision_task_completed_event_id: completed,
                    workflow_id: a.workflow_id,
                    run_id: a.run_id.filter(|id| !id.is_empty()),
                    control: a.control,
                });
            }
            Decision::StartChildWorkflowExecution(a) => self.start_child(run_id, completed, a)?,
            Decision::ScheduleLambdaFunction(a) => {
                self.record(
                    run_id,
                    "ScheduleLambdaFunctionFailed",
                    json!({
                        "id": a.id,
                        "name": a.name,
                        "cause": "LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION",
                        "decisionTaskCompletedEventId": completed,
                    }),
                );
            }
        }
        Ok(())
    }

    fn unhandled(&mut self, run_id: &str, event_type: &str, completed: i64) {
        self.record(
            run_id,
            event_type,
            json!({"cause": "UNHANDLED_DECISION", "decisionTaskCompletedEventId": completed}),
        );
    }

    fn schedule_activity(
        &mut self,
        run_id: &str,
        completed: i64,
        a: ScheduleActivityTaskDecisionAttributes,
    ) -> ServiceResult<()> {
        let domain = self.runs[run_id].domain.clone();
        let t = self.find_type(
            &domain,
            "activity",
            &a.activity_type.name,
            &a.activity_type.version,
        )?;
        let default = |key: &str| {
            t.as_ref()
                .and_then(|t| t.config.get(key))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let lenient = self.config.lenient_heartbeat_timeout;
        let run = &self.runs[run_id];
        let task_list: Option<TaskList> = a.task_list.clone().or_else(|| {
            t.as_ref()
                .and_then(|t| t.config.get("defaultTaskList"))
                .and_then(|v| serde_json::from_value(v.clone()).ok())
        });
        let schedule_to_start = a
            .schedule_to_start_timeout
            .clone()
            .or_else(|| default("defaultTaskScheduleToStartTimeout"));
        let schedule_to_close = a
            .schedule_to_close_timeout
            .clone()
            .or_else(|| default("defaultTaskScheduleToCloseTimeout"));
        let start_to_close = a
            .start_to_close_timeout
            .clone()
            .or_else(|| default("defaultTaskStartToCloseTimeout"));
        let heartbeat = a
            .heartbeat_timeout
            .clone()
            .or_else(|| default("defaultTaskHeartbeatTimeout"))
            .or_else(|| lenient.then(|| "NONE".to_owned()));
        let cause = match &t {
            None => Some("ACTIVITY_TYPE_DOES_NOT_EXIST"),
            Some(t) if t.status == "DEPRECATED" => Some("ACTIVITY_TYPE_DEPRECATED"),
            Some(_) if run.activities.contains_key(&a.activity_id) => {
                Some("ACTIVITY_ID_ALREADY_IN_USE")
            }
            Some(_) if run.activities.len() >= MAX_OPEN_ACTIVITIES => {
                Some("OPEN_ACTIVITIES_LIMIT_EXCEEDED")
            }
            Some(_) if task_list.is_none() => Some("DEFAULT_TASK_LIST_UNDEFINED"),
            Some(_) if schedule_to_close.is_none() => {
                Some("DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED")
            }
            Some(_) if schedule_to_start.is_none() => {
                Some("DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED")
            }
            Some(_) if start_to_close.is_none() => Some("DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
            Some(_) if heartbeat.is_none() => Some("DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED"),
            Some(_) => None,
        };
        if let Some(cause) = cause {
            self.record(
                run_id,
                "ScheduleActivityTaskFailed",
                json!({
                    "activityType": a.activity_type,
                    "activityId": a.activity_id,
                    "cause": cause,
                    "decisionTaskCompletedEventId": completed,
                }),
            );
            return Ok(());
        }
        let (task_list, s2s, s2c, st2c, hb) = (
            task_list.expect("checked"),
            schedule_to_start.expect("checked"),
            schedule_to_close.expect("checked"),
            start_to_close.expect("checked"),
            heartbeat.expect("checked"),
        );
        let priority = a
            .task_priority
            .clone()
            .or_else(|| default("defaultTaskPriority"))
            .unwrap_or_else(|| "0".into());
        let mut attributes = json!({
            "activityType": a.activity_type,
            "activityId": a.activity_id,
            "scheduleToStartTimeout": s2s,
            "scheduleToCloseTimeout": s2c,
            "startToCloseTimeout": st2c,
            "heartbeatTimeout": hb,
            "taskList": task_list,
            "taskPriority": priority,
            "decisionTaskCompletedEventId": completed,
        });
        set_opt(&mut attributes, "input", &a.input);
        set_opt(&mut attributes, "control", &a.control);
        let scheduled = self.record(run_id, "ActivityTaskScheduled", attributes);
        let now_ms = self.now_ms;
        let now = self.now_secs();
        let run = self.run_mut(run_id);
        run.latest_activity_ts = Some(now);
        run.activities.insert(
            a.activity_id,
            Activity {
                scheduled_event_id: scheduled,
                activity_type: a.activity_type,
                task_list,
                priority: priority.parse().unwrap_or(0),
                input: a.input,
                scheduled_ms: now_ms,
                schedule_to_start: parse_secs(&s2s),
                schedule_to_close: parse_secs(&s2c),
                start_to_close: parse_secs(&st2c),
                heartbeat: parse_secs(&hb),
                started: None,
                latest_cancel_requested_event_id: 0,
                heartbeat_details: None,
            },
        );
        Ok(())
    }

    fn request_cancel_activity(&mut self, run_id: &str, completed: i64, activity_id: String) {
        if !self.runs[run_id].activities.contains_key(&activity_id) {
            self.record(
                run_id,
                "RequestCancelActivityTaskFailed",
                json!({
                    "activityId": activity_id,
                    "cause": "ACTIVITY_ID_UNKNOWN",
                    "decisionTaskCompletedEventId": completed,
                }),
            );
            return;
        }
        let requested = self.record(
            run_id,
            "ActivityTaskCancelRequested",
            json!({"activityId": activity_id, "decisionTaskCompletedEventId": completed}),
        );
        let run = self.run_mut(run_id);
        let activity = run.activities.get_mut(&activity_id).expect("checked above");
        activity.latest_cancel_requested_event_id = requested;
        if activity.started.is_none() {
            let scheduled = activity.scheduled_event_id;
            run.activities.remove(&activity_id);
            self.record(
                run_id,
                "ActivityTaskCanceled",
                json!({
                    "scheduledEventId": scheduled,
                    "startedEventId": 0,
                    "latestCancelRequestedEventId": requested,
                }),
            );
        }
    }

    fn start_timer(&mut self, run_id: &str, completed: i64, a: StartTimerDecisionAttributes) {
        let run = &self.runs[run_id];
        let cause = if run.timers.contains_key(&a.timer_id) {
            Some("TIMER_ID_ALREADY_IN_USE")
        } else if run.timers.len() >= MAX_OPEN_TIMERS {
            Some("OPEN_TIMERS_LIMIT_EXCEEDED")
        } else {
            None
        };
        if let Some(cause) = cause {
            self.record(
                run_id,
                "StartTimerFailed",
                json!({"timerId": a.timer_id, "cause": cause, "decisionTaskCompletedEventId": completed}),
            );
            return;
        }
        let mut attributes = json!({
            "timerId": a.timer_id,
            "startToFireTimeout": a.start_to_fire_timeout,
            "decisionTaskCompletedEventId": completed,
        });
        set_opt(&mut attributes, "control", &a.control);
        let started = self.record(run_id, "TimerStarted", attributes);
        let fire_ms = self.now_ms + parse_secs(&a.start_to_fire_timeout).unwrap_or(0) as i64 * 1000;
        self.run_mut(run_id).timers.insert(
            a.timer_id,
            Timer {
                started_event_id: started,
                fire_ms,
            },
        );
    }

    fn continue_as_new(
        &mut self,
        run_id: &str,
        completed: i64,
        a: ContinueAsNewWorkflowExecutionDecisionAttributes,
    ) -> ServiceResult<()> {
        let run = &self.runs[run_id];
        let domain = run.domain.clone();
        let workflow_type = WorkflowType::new(
            run.workflow_type.name.clone(),
            a.workflow_type_version
                .clone()
                .unwrap_or_else(|| run.workflow_type.version.clone()),
        );
        let settings = StartSettings {
            task_list: a.task_list.clone(),
            task_priority: a.task_priority.clone(),
            execution_start_to_close_timeout: a.execution_start_to_close_timeout.clone(),
            task_start_to_close_timeout: a.task_start_to_close_timeout.clone(),
            child_policy: a.child_policy.clone(),
            lambda_role: a.lambda_role.clone(),
        };
        let resolved = match self.find_type(
            &domain,
            "workflow",
            &workflow_type.name,
            &workflow_type.version,
        )? {
            None => Err("WORKFLOW_TYPE_DOES_NOT_EXIST"),
            Some(t) if t.status == "DEPRECATED" => Err("WORKFLOW_TYPE_DEPRECATED"),
            Some(t) => resolve_settings(&t, settings).map_err(|missing| missing.cause()),
        };
        let config = match resolved {
            Ok(config) => config,
            Err(cause) => {
                self.record(
                    run_id,
                    "ContinueAsNewWorkflowExecutionFailed",
                    json!({"cause": cause, "decisionTaskCompletedEventId": completed}),
                );
                return Ok(());
            }
        };
        let run = &self.runs[run_id];
        let new_run_id = self.create_run(NewRun {
            domain,
            workflow_id: run.execution.workflow_id.clone(),
            workflow_type: workflow_type.clone(),
            config: config.clone(),
            tags: a.tag_list.clone().unwrap_or_default(),
            input: a.input.clone(),
            parent: run.parent.clone(),
            continued_from: Some(run_id.to_owned()),
        });
        let mut attributes = config_attributes(&config);
        attributes["decisionTaskCompletedEventId"] = json!(completed);
        attributes["newExecutionRunId"] = json!(new_run_id);
        attributes["workflowType"] = json!(workflow_type);
        set_opt(&mut attributes, "input", &a.input);
        if let Some(tags) = a.tag_list.filter(|t| !t.is_empty()) {
            attributes["tagList"] = json!(tags);
        }
        self.record(run_id, "WorkflowExecutionContinuedAsNew", attributes);
        self.close_run(
            run_id,
            CloseStatus::ContinuedAsNew,
            Outcome::ContinuedAsNew(new_run_id),
        );
        Ok(())
    }

    fn start_child(
        &mut self,
        run_id: &str,
        completed: i64,
        a: StartChildWorkflowExecutionDecisionAttributes,
    ) -> ServiceResult<()> {
        let run = &self.runs[run_id];
        let domain = run.domain.clone();
        let open_children = run.children.len();
        let settings = StartSettings {
            task_list: a.task_list.clone(),
            task_priority: a.task_priority.clone(),
            execution_start_to_close_timeout: a.execution_start_to_close_timeout.clone(),
            task_start_to_close_timeout: a.task_start_to_close_timeout.clone(),
            child_policy: a.child_policy.clone(),
            lambda_role: a.lambda_role.clone(),
        };
        let wt = &a.workflow_type;
        let resolved = match self.find_type(&domain, "workflow", &wt.name, &wt.version)? {
            None => Err("WORKFLOW_TYPE_DOES_NOT_EXIST"),
            Some(t) if t.status == "DEPRECATED" => Err("WORKFLOW_TYPE_DEPRECATED"),
            Some(_) if open_children >= MAX_OPEN_CHILDREN => Err("OPEN_CHILDREN_LIMIT_EXCEEDED"),
            Some(t) => resolve_settings(&t, settings).map_err(|missing| missing.cause()),
        };
        let config = match resolved {
            Ok(config) => config,
            Err(cause) => {
                let mut attributes = json!({
                    "workflowType": a.workflow_type,
                    "cause": cause,
                    "workflowId": a.workflow_id,
                    "initiatedEventId": 0,
                    "decisionTaskCompletedEventId": completed,
                });
                set_opt(&mut attributes, "control", &a.control);
                self.record(run_id, "StartChildWorkflowExecutionFailed", attributes);
                return Ok(());
            }
        };
        let mut attributes = config_attributes(&config);
        attributes["workflowId"] = json!(a.workflow_id);
        attributes["workflowType"] = json!(a.workflow_type);
        attributes["decisionTaskCompletedEventId"] = json!(completed);
        set_opt(&mut attributes, "control", &a.control);
        set_opt(&mut attributes, "input", &a.input);
        if let Some(tags) = a.tag_list.clone().filter(|t| !t.is_empty()) {
            attributes["tagList"] = json!(tags);
        }
        let initiated = self.record(run_id, "StartChildWorkflowExecutionInitiated", attributes);
        let parent = ParentLink {
            execution: self.runs[run_id].execution.clone(),
            initiated_event_id: initiated,
        };
        self.log.deferred.push(Deferred::StartChild {
            parent: run_id.to_owned(),
            initiated_event_id: initiated,
            decision_task_completed_event_id: completed,
            new: Box::new(NewRun {
                domain,
                workflow_id: a.workflow_id,
                workflow_type: a.workflow_type,
                config,
                tags: a.tag_list.unwrap_or_default(),
                input: a.input,
                parent: Some(parent),
                continued_from: None,
            }),
            control: a.control,
        });
        Ok(())
    }
}

/// Sets `key` when `value` is present.
fn set_opt(attributes: &mut Value, key: &str, value: &Option<String>) {
    if let Some(value) = value {
        attributes[key] = json!(value);
    }
}
