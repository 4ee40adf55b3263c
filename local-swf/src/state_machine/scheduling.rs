//! The decisions that start something: activity tasks (and their cancellation), timers, child
//! runs and continue-as-new (spec §6.7). Each records its success event or its `…Failed` event
//! with the cause SWF gives.

use serde_json::Value;
use swf_model::*;

use super::machine::StateMachine;
use super::settings::{StartSettings, resolve_settings};
use super::shared::{Deferred, NewRun, Outcome};
use crate::database::TypeRow;
use crate::error::ServiceResult;
use crate::run::{Activity, ParentLink, Timer};

/// An activity's settings resolved from its decision and its type's defaults.
struct ActivitySettings {
    task_list: TaskList,
    schedule_to_start: String,
    schedule_to_close: String,
    start_to_close: String,
    heartbeat: String,
    priority: String,
}

impl StateMachine {
    /// ScheduleActivityTask.
    pub(super) fn schedule_activity(
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
        let settings = match self.check_activity(run_id, &a, t.as_ref()) {
            Ok(settings) => settings,
            Err(cause) => {
                self.record(
                    run_id,
                    ScheduleActivityTaskFailedEventAttributes {
                        activity_type: a.activity_type,
                        activity_id: a.activity_id,
                        cause,
                        decision_task_completed_event_id: completed,
                    },
                );
                return Ok(());
            }
        };
        let scheduled = self.record(
            run_id,
            ActivityTaskScheduledEventAttributes {
                activity_type: a.activity_type.clone(),
                activity_id: a.activity_id.clone(),
                input: a.input.clone(),
                control: a.control,
                schedule_to_start_timeout: Some(settings.schedule_to_start.clone()),
                schedule_to_close_timeout: Some(settings.schedule_to_close.clone()),
                start_to_close_timeout: Some(settings.start_to_close.clone()),
                task_list: settings.task_list.clone(),
                task_priority: Some(settings.priority.clone()),
                decision_task_completed_event_id: completed,
                heartbeat_timeout: Some(settings.heartbeat.clone()),
            },
        );
        let now_ms = self.now_ms;
        let now = self.now_secs();
        let run = self.run_mut(run_id);
        run.latest_activity_ts = Some(now);
        run.activities.insert(
            a.activity_id,
            Activity {
                scheduled_event_id: scheduled,
                activity_type: a.activity_type,
                task_list: settings.task_list,
                priority: settings.priority.parse().unwrap_or(0),
                input: a.input,
                scheduled_ms: now_ms,
                schedule_to_start: duration_secs(&settings.schedule_to_start),
                schedule_to_close: duration_secs(&settings.schedule_to_close),
                start_to_close: duration_secs(&settings.start_to_close),
                heartbeat: duration_secs(&settings.heartbeat),
                started: None,
                latest_cancel_requested_event_id: 0,
                heartbeat_details: None,
            },
        );
        Ok(())
    }

    /// Resolves a ScheduleActivityTask decision's settings, or the cause of its failure, in
    /// SWF's check order.
    fn check_activity(
        &self,
        run_id: &str,
        a: &ScheduleActivityTaskDecisionAttributes,
        t: Option<&TypeRow>,
    ) -> Result<ActivitySettings, ScheduleActivityTaskFailedCause> {
        use ScheduleActivityTaskFailedCause as Cause;
        let default = |key: &str| {
            t.and_then(|t| t.config.get(key))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let run = &self.runs[run_id];
        let t = t.ok_or(Cause::ActivityTypeDoesNotExist)?;
        if t.status == "DEPRECATED" {
            return Err(Cause::ActivityTypeDeprecated);
        }
        if run.activities.contains_key(&a.activity_id) {
            return Err(Cause::ActivityIdAlreadyInUse);
        }
        if run.activities.len() >= MAX_OPEN_ACTIVITIES {
            return Err(Cause::OpenActivitiesLimitExceeded);
        }
        let task_list = a
            .task_list
            .clone()
            .or_else(|| {
                t.config
                    .get("defaultTaskList")
                    .and_then(|v| serde_json::from_value(v.clone()).ok())
            })
            .ok_or(Cause::DefaultTaskListUndefined)?;
        let schedule_to_close = a
            .schedule_to_close_timeout
            .clone()
            .or_else(|| default("defaultTaskScheduleToCloseTimeout"))
            .ok_or(Cause::DefaultScheduleToCloseTimeoutUndefined)?;
        let schedule_to_start = a
            .schedule_to_start_timeout
            .clone()
            .or_else(|| default("defaultTaskScheduleToStartTimeout"))
            .ok_or(Cause::DefaultScheduleToStartTimeoutUndefined)?;
        let start_to_close = a
            .start_to_close_timeout
            .clone()
            .or_else(|| default("defaultTaskStartToCloseTimeout"))
            .ok_or(Cause::DefaultStartToCloseTimeoutUndefined)?;
        let lenient = self.config.lenient_heartbeat_timeout;
        let heartbeat = a
            .heartbeat_timeout
            .clone()
            .or_else(|| default("defaultTaskHeartbeatTimeout"))
            .or_else(|| lenient.then(|| "NONE".to_owned()))
            .ok_or(Cause::DefaultHeartbeatTimeoutUndefined)?;
        let priority = a
            .task_priority
            .clone()
            .or_else(|| default("defaultTaskPriority"))
            .unwrap_or_else(|| "0".into());
        Ok(ActivitySettings {
            task_list,
            schedule_to_start,
            schedule_to_close,
            start_to_close,
            heartbeat,
            priority,
        })
    }

    /// RequestCancelActivityTask: a task not yet started is canceled at once.
    pub(super) fn request_cancel_activity(
        &mut self,
        run_id: &str,
        completed: i64,
        activity_id: String,
    ) {
        if !self.runs[run_id].activities.contains_key(&activity_id) {
            self.record(
                run_id,
                RequestCancelActivityTaskFailedEventAttributes {
                    activity_id,
                    cause: RequestCancelActivityTaskFailedCause::ActivityIdUnknown,
                    decision_task_completed_event_id: completed,
                },
            );
            return;
        }
        let requested = self.record(
            run_id,
            ActivityTaskCancelRequestedEventAttributes {
                decision_task_completed_event_id: completed,
                activity_id: activity_id.clone(),
            },
        );
        let run = self.run_mut(run_id);
        let activity = run.activities.get_mut(&activity_id).expect("checked above");
        activity.latest_cancel_requested_event_id = requested;
        if activity.started.is_none() {
            let scheduled = activity.scheduled_event_id;
            run.activities.remove(&activity_id);
            self.record(
                run_id,
                ActivityTaskCanceledEventAttributes {
                    details: None,
                    scheduled_event_id: scheduled,
                    started_event_id: 0,
                    latest_cancel_requested_event_id: Some(requested),
                },
            );
        }
    }

    /// StartTimer.
    pub(super) fn start_timer(
        &mut self,
        run_id: &str,
        completed: i64,
        a: StartTimerDecisionAttributes,
    ) {
        let run = &self.runs[run_id];
        let cause = if run.timers.contains_key(&a.timer_id) {
            Some(StartTimerFailedCause::TimerIdAlreadyInUse)
        } else if run.timers.len() >= MAX_OPEN_TIMERS {
            Some(StartTimerFailedCause::OpenTimersLimitExceeded)
        } else {
            None
        };
        if let Some(cause) = cause {
            self.record(
                run_id,
                StartTimerFailedEventAttributes {
                    timer_id: a.timer_id,
                    cause,
                    decision_task_completed_event_id: completed,
                },
            );
            return;
        }
        let fire_ms =
            self.now_ms + duration_secs(&a.start_to_fire_timeout).unwrap_or(0) as i64 * 1000;
        let started = self.record(
            run_id,
            TimerStartedEventAttributes {
                timer_id: a.timer_id.clone(),
                control: a.control,
                start_to_fire_timeout: a.start_to_fire_timeout,
                decision_task_completed_event_id: completed,
            },
        );
        self.run_mut(run_id).timers.insert(
            a.timer_id,
            Timer {
                started_event_id: started,
                fire_ms,
            },
        );
    }

    /// ContinueAsNewWorkflowExecution: starts the new run and closes this one.
    pub(super) fn continue_as_new(
        &mut self,
        run_id: &str,
        completed: i64,
        a: ContinueAsNewWorkflowExecutionDecisionAttributes,
    ) -> ServiceResult<()> {
        use ContinueAsNewWorkflowExecutionFailedCause as Cause;
        let run = &self.runs[run_id];
        let domain = run.domain.clone();
        let workflow_type = WorkflowType::new(
            run.workflow_type.name.clone(),
            a.workflow_type_version
                .clone()
                .unwrap_or_else(|| run.workflow_type.version.clone()),
        );
        let wt = &workflow_type;
        let resolved = match self.find_type(&domain, "workflow", &wt.name, &wt.version)? {
            None => Err(Cause::WorkflowTypeDoesNotExist),
            Some(t) if t.status == "DEPRECATED" => Err(Cause::WorkflowTypeDeprecated),
            Some(t) => resolve_settings(&t, StartSettings::from(&a)).map_err(Cause::from),
        };
        let config = match resolved {
            Ok(config) => config,
            Err(cause) => {
                self.record(
                    run_id,
                    ContinueAsNewWorkflowExecutionFailedEventAttributes {
                        cause,
                        decision_task_completed_event_id: completed,
                    },
                );
                return Ok(());
            }
        };
        let run = &self.runs[run_id];
        let tags = a.tag_list.unwrap_or_default();
        let new_run_id = self.create_run(NewRun {
            domain,
            workflow_id: run.execution.workflow_id.clone(),
            workflow_type: workflow_type.clone(),
            config: config.clone(),
            tags: tags.clone(),
            input: a.input.clone(),
            parent: run.parent.clone(),
            continued_from: Some(run_id.to_owned()),
        });
        self.record(
            run_id,
            WorkflowExecutionContinuedAsNewEventAttributes {
                input: a.input,
                decision_task_completed_event_id: completed,
                new_execution_run_id: new_run_id.clone(),
                execution_start_to_close_timeout: Some(config.execution_start_to_close_timeout),
                task_list: config.task_list,
                task_priority: Some(config.task_priority),
                task_start_to_close_timeout: Some(config.task_start_to_close_timeout),
                child_policy: config.child_policy,
                tag_list: Some(tags).filter(|tags| !tags.is_empty()),
                workflow_type,
                lambda_role: config.lambda_role,
            },
        );
        self.close_run(
            run_id,
            CloseStatus::ContinuedAsNew,
            Outcome::ContinuedAsNew(new_run_id),
        );
        Ok(())
    }

    /// StartChildWorkflowExecution: records the Initiated event; the child starts once the
    /// whole list is applied.
    pub(super) fn start_child(
        &mut self,
        run_id: &str,
        completed: i64,
        a: StartChildWorkflowExecutionDecisionAttributes,
    ) -> ServiceResult<()> {
        use StartChildWorkflowExecutionFailedCause as Cause;
        let run = &self.runs[run_id];
        let domain = run.domain.clone();
        let open_children = run.children.len();
        let wt = &a.workflow_type;
        let resolved = match self.find_type(&domain, "workflow", &wt.name, &wt.version)? {
            None => Err(Cause::WorkflowTypeDoesNotExist),
            Some(t) if t.status == "DEPRECATED" => Err(Cause::WorkflowTypeDeprecated),
            Some(_) if open_children >= MAX_OPEN_CHILDREN => Err(Cause::OpenChildrenLimitExceeded),
            Some(t) => resolve_settings(&t, StartSettings::from(&a)).map_err(Cause::from),
        };
        let config = match resolved {
            Ok(config) => config,
            Err(cause) => {
                self.record(
                    run_id,
                    StartChildWorkflowExecutionFailedEventAttributes {
                        workflow_type: a.workflow_type,
                        cause,
                        workflow_id: a.workflow_id,
                        initiated_event_id: 0,
                        decision_task_completed_event_id: completed,
                        control: a.control,
                    },
                );
                return Ok(());
            }
        };
        let tags = a.tag_list.unwrap_or_default();
        let initiated = self.record(
            run_id,
            StartChildWorkflowExecutionInitiatedEventAttributes {
                workflow_id: a.workflow_id.clone(),
                workflow_type: a.workflow_type.clone(),
                control: a.control.clone(),
                input: a.input.clone(),
                execution_start_to_close_timeout: Some(
                    config.execution_start_to_close_timeout.clone(),
                ),
                task_list: config.task_list.clone(),
                task_priority: Some(config.task_priority.clone()),
                decision_task_completed_event_id: completed,
                child_policy: config.child_policy.clone(),
                task_start_to_close_timeout: Some(config.task_start_to_close_timeout.clone()),
                tag_list: Some(tags.clone()).filter(|tags| !tags.is_empty()),
                lambda_role: config.lambda_role.clone(),
            },
        );
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
                tags,
                input: a.input,
                parent: Some(parent),
                continued_from: None,
            }),
            control: a.control,
        });
        Ok(())
    }
}
