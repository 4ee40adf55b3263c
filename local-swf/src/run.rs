//! The state of one workflow execution (run) that is not in its history: where its decision task
//! is, its open activities, timers and children, its resolved settings. It is what the state machine
//! mutates on every call; the database keeps it as one JSON document next to the run's visibility
//! columns and history, so that a restart rebuilds the task queues and deadlines from it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use swf_model::{
    ActivityType, ChildPolicy, CloseStatus, TaskList, WorkflowExecution, WorkflowType,
};

/// One run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    /// Domain name.
    pub domain: String,
    /// Workflow id and run id.
    pub execution: WorkflowExecution,
    /// Type of the run.
    pub workflow_type: WorkflowType,
    /// Settings resolved at start.
    pub config: RunConfig,
    /// Tags given at start.
    pub tags: Vec<String>,
    /// The parent, for child runs.
    pub parent: Option<ParentLink>,
    /// Start time, epoch seconds.
    pub start_ts: f64,
    /// `None` while open.
    pub closed: Option<Closed>,
    /// Whether a WorkflowExecutionCancelRequested was recorded.
    pub cancel_requested: bool,
    /// Id the next history event gets.
    pub next_event_id: i64,
    /// Where the run's decision task is.
    pub decision: DecisionState,
    /// Set when an event that needs a decision was recorded while the decision task was started.
    pub pending: bool,
    /// Set during a transition when an event needing a decision was recorded; the transition
    /// ends by scheduling a decision task if none is open.
    #[serde(default)]
    pub needs_decision: bool,
    /// Id of the most recent event that needs a decision (UNHANDLED_DECISION detection).
    pub last_decision_event_id: i64,
    /// startedEventId of the last completed decision task.
    pub previous_started_event_id: i64,
    /// A temporary decision task list override (with its schedule-to-start limit in seconds).
    pub temporary_task_list: Option<(TaskList, u64)>,
    /// Open activities by activity id.
    pub activities: BTreeMap<String, Activity>,
    /// Open timers by timer id.
    pub timers: BTreeMap<String, Timer>,
    /// Open children by the id of their StartChildWorkflowExecutionInitiated event.
    pub children: BTreeMap<i64, Child>,
    /// Last executionContext given with a completed decision task.
    pub latest_execution_context: Option<String>,
    /// When the latest activity task was scheduled.
    pub latest_activity_ts: Option<f64>,
}

/// Settings of a run, resolved from the start call and its type's defaults.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunConfig {
    /// Decision task list.
    pub task_list: TaskList,
    /// Decision task priority.
    pub task_priority: String,
    /// Decision task start-to-close timeout (seconds or `NONE`).
    pub task_start_to_close_timeout: String,
    /// Execution start-to-close timeout (seconds).
    pub execution_start_to_close_timeout: String,
    /// Child policy.
    pub child_policy: ChildPolicy,
    /// Lambda role.
    pub lambda_role: Option<String>,
}

/// How a run is linked to its parent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParentLink {
    /// The parent run.
    pub execution: WorkflowExecution,
    /// Id of the StartChildWorkflowExecutionInitiated event in the parent.
    pub initiated_event_id: i64,
}

/// How and when a run closed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Closed {
    /// Close status.
    pub status: CloseStatus,
    /// Close time, epoch seconds.
    pub ts: f64,
}

/// Where a run's (single) decision task is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub enum DecisionState {
    /// No decision task is open.
    #[default]
    None,
    /// Queued on `task_list` since `at_ms`, waiting for a poller.
    Scheduled {
        /// Id of the DecisionTaskScheduled event.
        scheduled_event_id: i64,
        /// The list it is queued on.
        task_list: TaskList,
        /// Priority (larger first).
        priority: i64,
        /// When it was scheduled, epoch ms.
        at_ms: i64,
        /// Schedule-to-start deadline (only with a temporary task-list override), epoch ms.
        start_deadline_ms: Option<i64>,
    },
    /// Handed to a decider.
    Started {
        /// Id of the DecisionTaskScheduled event.
        scheduled_event_id: i64,
        /// Id of the DecisionTaskStarted event.
        started_event_id: i64,
        /// Start-to-close deadline, epoch ms.
        deadline_ms: Option<i64>,
    },
}

/// One open activity task.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Activity {
    /// Id of the ActivityTaskScheduled event.
    pub scheduled_event_id: i64,
    /// Activity type.
    pub activity_type: ActivityType,
    /// Task list it is queued on.
    pub task_list: TaskList,
    /// Priority (larger first).
    pub priority: i64,
    /// Input for the worker.
    pub input: Option<String>,
    /// When it was scheduled, epoch ms.
    pub scheduled_ms: i64,
    /// Resolved timeouts in seconds; `None` = NONE.
    pub schedule_to_start: Option<u64>,
    /// See `schedule_to_start`.
    pub schedule_to_close: Option<u64>,
    /// See `schedule_to_start`.
    pub start_to_close: Option<u64>,
    /// See `schedule_to_start`.
    pub heartbeat: Option<u64>,
    /// Set once handed to a worker.
    pub started: Option<ActivityStarted>,
    /// Id of the latest ActivityTaskCancelRequested for it, 0 if none.
    pub latest_cancel_requested_event_id: i64,
    /// Details of the latest heartbeat.
    pub heartbeat_details: Option<String>,
}

/// The started part of an activity task.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActivityStarted {
    /// Id of the ActivityTaskStarted event.
    pub started_event_id: i64,
    /// When it started, epoch ms.
    pub at_ms: i64,
    /// Last heartbeat (or start), epoch ms.
    pub last_heartbeat_ms: i64,
}

/// One open timer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Timer {
    /// Id of the TimerStarted event.
    pub started_event_id: i64,
    /// When it fires, epoch ms.
    pub fire_ms: i64,
}

/// One open child run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Child {
    /// The child's workflow id.
    pub workflow_id: String,
    /// The child's run id.
    pub run_id: String,
    /// The child's type.
    pub workflow_type: WorkflowType,
    /// Id of the ChildWorkflowExecutionStarted event in this run.
    pub started_event_id: i64,
}

/// Which timeout of a run is due.
#[derive(Debug, Clone, PartialEq)]
pub enum Deadline {
    /// Execution start-to-close.
    Execution,
    /// The decision task's start-to-close (or schedule-to-start on an override list).
    Decision,
    /// An activity's schedule-to-start, schedule-to-close, start-to-close or heartbeat.
    Activity(String, swf_model::ActivityTaskTimeoutType),
    /// A timer fires.
    Timer(String),
}

impl Run {
    /// Whether the run is open.
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    /// When the execution times out, epoch ms.
    pub fn execution_deadline_ms(&self) -> i64 {
        let secs = swf_model::duration_secs(&self.config.execution_start_to_close_timeout)
            .unwrap_or(swf_model::MAX_EXECUTION_TIMEOUT_SECS);
        (self.start_ts * 1000.0).round() as i64 + secs as i64 * 1000
    }

    /// Every deadline of the run with its time, epoch ms, earliest first.
    pub fn deadlines(&self) -> Vec<(i64, Deadline)> {
        use swf_model::ActivityTaskTimeoutType as T;
        if !self.is_open() {
            return Vec::new();
        }
        let mut out = vec![(self.execution_deadline_ms(), Deadline::Execution)];
        match &self.decision {
            DecisionState::Scheduled {
                start_deadline_ms: Some(at),
                ..
            }
            | DecisionState::Started {
                deadline_ms: Some(at),
                ..
            } => out.push((*at, Deadline::Decision)),
            _ => {}
        }
        for (id, activity) in &self.activities {
            let after = |from: i64, secs: Option<u64>| secs.map(|s| from + s as i64 * 1000);
            let mut push = |at: Option<i64>, kind: T| {
                if let Some(at) = at {
                    out.push((at, Deadline::Activity(id.clone(), kind)));
                }
            };
            push(
                after(activity.scheduled_ms, activity.schedule_to_close),
                T::ScheduleToClose,
            );
            match &activity.started {
                None => push(
                    after(activity.scheduled_ms, activity.schedule_to_start),
                    T::ScheduleToStart,
                ),
                Some(started) => {
                    push(
                        after(started.at_ms, activity.start_to_close),
                        T::StartToClose,
                    );
                    push(
                        after(started.last_heartbeat_ms, activity.heartbeat),
                        T::Heartbeat,
                    );
                }
            }
        }
        for (id, timer) in &self.timers {
            out.push((timer.fire_ms, Deadline::Timer(id.clone())));
        }
        out.sort_by_key(|(at, _)| *at);
        out
    }

    /// The earliest deadline, epoch ms.
    pub fn next_deadline_ms(&self) -> Option<i64> {
        self.deadlines().first().map(|(at, _)| *at)
    }
}
