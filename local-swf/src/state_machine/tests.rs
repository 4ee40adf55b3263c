//! The state machine's core rules, driven directly (no HTTP) over a temporary SQLite file with
//! a clock the test moves: one open decision task per run, UNHANDLED_DECISION, decision and
//! activity timeouts, a child's close reaching its parent, and a failed group commit. Assertions are on typed
//! swf-model events read back from the stored history.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use swf_model::*;

use super::dispatch::Polled;
use super::machine::{StateMachine, StateMachineConfig};
use crate::commits::CommitLost;
use crate::database::{Database, Durability};
use crate::error::ServiceResult;

/// The test clock's start, epoch ms.
const START_MS: i64 = 1_700_000_000_000;

/// A state machine over a temporary database, with domain `d`, workflow type `W/1` (decision
/// tasks on `dtl`, 10 s to decide) and activity type `A/1` (on `atl`, 5 s to start, 20 s to
/// run) registered.
struct Service {
    machine: Arc<Mutex<StateMachine>>,
    now_ms: Arc<AtomicI64>,
    _dir: tempfile::TempDir,
}

impl Service {
    fn new() -> Service {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("swf.sqlite"), Durability::Normal).unwrap();
        let config = StateMachineConfig {
            region: "us-east-1".into(),
            account_id: "000000000000".into(),
            lenient_heartbeat_timeout: false,
        };
        let mut machine = StateMachine::new(db, config).unwrap();
        let now_ms = Arc::new(AtomicI64::new(START_MS));
        let clock = now_ms.clone();
        machine.set_clock(move || clock.load(Ordering::SeqCst));
        let service = Service {
            machine: Arc::new(Mutex::new(machine)),
            now_ms,
            _dir: dir,
        };
        service.register();
        service
    }

    fn register(&self) {
        let workflow = WorkflowTypeConfiguration {
            default_task_start_to_close_timeout: Some("10".into()),
            default_execution_start_to_close_timeout: Some("3600".into()),
            default_task_list: Some(TaskList::new("dtl")),
            default_child_policy: Some(ChildPolicy::Terminate),
            ..Default::default()
        };
        let activity = ActivityTypeConfiguration {
            default_task_start_to_close_timeout: Some("20".into()),
            default_task_heartbeat_timeout: Some("NONE".into()),
            default_task_list: Some(TaskList::new("atl")),
            default_task_schedule_to_start_timeout: Some("5".into()),
            default_task_schedule_to_close_timeout: Some("100".into()),
            ..Default::default()
        };
        self.transact(|m| {
            m.register_domain(RegisterDomainInput {
                name: "d".into(),
                workflow_execution_retention_period_in_days: "1".into(),
                ..Default::default()
            })?;
            let workflow = serde_json::to_value(workflow).unwrap();
            m.register_type("d", "workflow", "W", "1", None, workflow)?;
            let activity = serde_json::to_value(activity).unwrap();
            m.register_type("d", "activity", "A", "1", None, activity)
        });
    }

    fn transact<T>(&self, action: impl FnOnce(&mut StateMachine) -> ServiceResult<T>) -> T {
        self.machine.lock().unwrap().transact(action).unwrap()
    }

    fn advance_secs(&self, secs: i64) {
        self.now_ms.fetch_add(secs * 1000, Ordering::SeqCst);
    }

    /// Fires the due deadlines; how many runs had one.
    fn fire_due(&self) -> usize {
        self.machine.lock().unwrap().fire_due().unwrap()
    }

    fn start(&self, workflow_id: &str) -> WorkflowExecution {
        let answer = self.transact(|m| {
            m.start_workflow(StartWorkflowExecutionInput {
                domain: "d".into(),
                workflow_id: workflow_id.into(),
                workflow_type: WorkflowType::new("W", "1"),
                ..Default::default()
            })
        });
        WorkflowExecution::new(workflow_id, answer["runId"].as_str().unwrap())
    }

    fn signal(&self, run: &WorkflowExecution) {
        self.transact(|m| {
            m.signal_workflow(SignalWorkflowExecutionInput {
                domain: "d".into(),
                workflow_id: run.workflow_id.clone(),
                run_id: Some(run.run_id.clone()),
                signal_name: "poke".into(),
                ..Default::default()
            })
        });
    }

    /// The token of the next decision task on `list`, if one is queued.
    fn poll_decision(&self, list: &str) -> Option<String> {
        let input = PollForDecisionTaskInput {
            domain: "d".into(),
            task_list: TaskList::new(list),
            identity: Some("decider".into()),
            ..Default::default()
        };
        let mut machine = self.machine.lock().unwrap();
        match machine.poll_decision(&self.machine, &input).unwrap() {
            Polled::Answer(answer) => {
                let task: PollForDecisionTaskResponse = serde_json::from_str(&answer).unwrap();
                task.task_token
            }
            Polled::Wait(_) => None,
        }
    }

    /// The token of the next activity task on `atl`, if one is queued.
    fn poll_activity(&self) -> Option<String> {
        let input = PollForActivityTaskInput {
            domain: "d".into(),
            task_list: TaskList::new("atl"),
            identity: Some("worker".into()),
        };
        let mut machine = self.machine.lock().unwrap();
        match machine.poll_activity(&self.machine, &input).unwrap() {
            Polled::Answer(answer) => {
                let task: PollForActivityTaskResponse = serde_json::from_str(&answer).unwrap();
                task.task_token
            }
            Polled::Wait(_) => None,
        }
    }

    fn respond(&self, token: &str, decisions: Vec<Decision>) -> ServiceResult<()> {
        let input = RespondDecisionTaskCompleted {
            task_token: token.into(),
            decisions,
            ..Default::default()
        };
        self.machine
            .lock()
            .unwrap()
            .transact(|m| m.respond_decision(input))
    }

    fn decide(&self, token: &str, decisions: Vec<Decision>) {
        self.respond(token, decisions).unwrap();
    }

    fn history(&self, run: &WorkflowExecution) -> Vec<HistoryEvent> {
        let input = GetWorkflowExecutionHistoryInput {
            domain: "d".into(),
            execution: run.clone(),
            ..Default::default()
        };
        let page = self.machine.lock().unwrap().history(&input).unwrap();
        serde_json::from_value(page["events"].clone()).unwrap()
    }

    fn is_open(&self, run: &WorkflowExecution) -> bool {
        let answer = self
            .machine
            .lock()
            .unwrap()
            .describe_execution("d", run)
            .unwrap();
        answer["executionInfo"]["executionStatus"] == "OPEN"
    }
}

fn count(events: &[HistoryEvent], event_type: &str) -> usize {
    events
        .iter()
        .filter(|e| e.event_type() == event_type)
        .count()
}

fn complete(result: &str) -> Decision {
    Decision::CompleteWorkflowExecution(CompleteWorkflowExecutionDecisionAttributes {
        result: Some(result.into()),
    })
}

fn schedule_activity(activity_id: &str) -> Decision {
    Decision::ScheduleActivityTask(ScheduleActivityTaskDecisionAttributes {
        activity_type: ActivityType::new("A", "1"),
        activity_id: activity_id.into(),
        ..Default::default()
    })
}

/// Events that arrive while a decision task is started schedule exactly one more task, after
/// the started one completes; a run never has two open decision tasks.
#[test]
fn a_run_has_at_most_one_open_decision_task() {
    let service = Service::new();
    let run = service.start("w1");
    let token = service
        .poll_decision("dtl")
        .expect("the first decision task");
    service.signal(&run);
    service.signal(&run);
    let events = service.history(&run);
    assert_eq!(count(&events, "WorkflowExecutionSignaled"), 2);
    assert_eq!(
        count(&events, "DecisionTaskScheduled"),
        1,
        "no second task while one is started"
    );
    assert_eq!(service.poll_decision("dtl"), None, "nothing else is queued");

    service.decide(&token, vec![]);
    let events = service.history(&run);
    assert_eq!(
        count(&events, "DecisionTaskScheduled"),
        2,
        "exactly one more"
    );
    let last = events.last().unwrap();
    assert!(
        matches!(&last.attributes, EventAttributes::DecisionTaskScheduled(a) if a.task_list.name == "dtl"),
        "{last:?}"
    );
    let second = service.poll_decision("dtl").expect("the second task");
    service.decide(&second, vec![]);
    assert_eq!(
        count(&service.history(&run), "DecisionTaskScheduled"),
        2,
        "no new events, no new task"
    );
}

/// A close decision made on a task that started before a new event arrived is refused with
/// UNHANDLED_DECISION, and the run gets a decision task to see the event.
#[test]
fn a_close_decision_racing_a_new_event_is_unhandled() {
    let service = Service::new();
    let run = service.start("w1");

    let token = service.poll_decision("dtl").unwrap();
    service.signal(&run);
    service.decide(&token, vec![complete("done")]);
    let events = service.history(&run);
    let completed_id = events
        .iter()
        .rfind(|e| e.event_type() == "DecisionTaskCompleted")
        .unwrap()
        .event_id;
    let failed = events
        .iter()
        .find_map(|e| match &e.attributes {
            EventAttributes::CompleteWorkflowExecutionFailed(a) => Some(a),
            _ => None,
        })
        .expect("CompleteWorkflowExecutionFailed");
    assert_eq!(
        failed.cause,
        CompleteWorkflowExecutionFailedCause::UnhandledDecision
    );
    assert_eq!(failed.decision_task_completed_event_id, completed_id);
    assert_eq!(count(&events, "WorkflowExecutionCompleted"), 0);
    assert!(service.is_open(&run));

    let token = service
        .poll_decision("dtl")
        .expect("a task to see the signal");
    service.signal(&run);
    let fail = Decision::FailWorkflowExecution(FailWorkflowExecutionDecisionAttributes {
        reason: Some("no".into()),
        details: None,
    });
    service.decide(&token, vec![fail]);
    let events = service.history(&run);
    assert!(events.iter().any(|e| matches!(
        &e.attributes,
        EventAttributes::FailWorkflowExecutionFailed(a)
            if a.cause == FailWorkflowExecutionFailedCause::UnhandledDecision
    )));
    assert!(service.is_open(&run));

    let token = service.poll_decision("dtl").unwrap();
    service.decide(&token, vec![complete("done")]);
    let events = service.history(&run);
    assert!(matches!(
        &events.last().unwrap().attributes,
        EventAttributes::WorkflowExecutionCompleted(a) if a.result.as_deref() == Some("done")
    ));
    assert!(!service.is_open(&run));
}

/// A started decision task that is not answered within its start-to-close timeout times out,
/// a new one is scheduled, and the late answer is refused.
#[test]
fn a_decision_task_times_out_after_its_start_to_close_timeout() {
    let service = Service::new();
    let run = service.start("w1");
    let token = service.poll_decision("dtl").unwrap();
    service.advance_secs(9);
    assert_eq!(service.fire_due(), 0, "not due yet");
    service.advance_secs(1);
    assert_eq!(service.fire_due(), 1);

    let events = service.history(&run);
    let n = events.len();
    match &events[n - 2].attributes {
        EventAttributes::DecisionTaskTimedOut(a) => {
            assert_eq!(a.timeout_type, DecisionTaskTimeoutType::StartToClose);
            assert_eq!(a.scheduled_event_id, 2);
            assert_eq!(a.started_event_id, 3);
        }
        other => panic!("expected DecisionTaskTimedOut, got {other:?}"),
    }
    assert_eq!(events[n - 1].event_type(), "DecisionTaskScheduled");
    let late = service.respond(&token, vec![complete("late")]).unwrap_err();
    assert_eq!(late.kind, FaultKind::UnknownResourceFault);
    assert!(service.is_open(&run));
}

/// An activity task not picked up within its schedule-to-start timeout, and one not finished
/// within its start-to-close timeout, time out with the right type, ids and heartbeat details,
/// and each timeout schedules a decision task.
#[test]
fn activity_tasks_time_out() {
    let service = Service::new();
    let run = service.start("w1");
    let token = service.poll_decision("dtl").unwrap();
    service.decide(&token, vec![schedule_activity("a1")]);
    service.advance_secs(5);
    assert_eq!(service.fire_due(), 1);
    let events = service.history(&run);
    let scheduled = events
        .iter()
        .find(|e| e.event_type() == "ActivityTaskScheduled")
        .unwrap()
        .event_id;
    match &events[events.len() - 2].attributes {
        EventAttributes::ActivityTaskTimedOut(a) => {
            assert_eq!(a.timeout_type, ActivityTaskTimeoutType::ScheduleToStart);
            assert_eq!(a.scheduled_event_id, scheduled);
            assert_eq!(a.started_event_id, 0);
            assert_eq!(a.details, None);
        }
        other => panic!("expected ActivityTaskTimedOut, got {other:?}"),
    }
    assert_eq!(events.last().unwrap().event_type(), "DecisionTaskScheduled");

    let token = service.poll_decision("dtl").unwrap();
    service.decide(&token, vec![schedule_activity("a2")]);
    let task = service.poll_activity().expect("the activity task");
    service.advance_secs(3);
    service.transact(|m| m.heartbeat(&task, Some("half way".into())));
    service.advance_secs(17);
    assert_eq!(service.fire_due(), 1);
    let events = service.history(&run);
    let started = events
        .iter()
        .rfind(|e| e.event_type() == "ActivityTaskStarted")
        .unwrap()
        .event_id;
    match &events[events.len() - 2].attributes {
        EventAttributes::ActivityTaskTimedOut(a) => {
            assert_eq!(a.timeout_type, ActivityTaskTimeoutType::StartToClose);
            assert_eq!(a.started_event_id, started);
            assert_eq!(a.details.as_deref(), Some("half way"));
        }
        other => panic!("expected ActivityTaskTimedOut, got {other:?}"),
    }
    assert_eq!(events.last().unwrap().event_type(), "DecisionTaskScheduled");
}

/// A child started by a decision reports its completion to the parent, which gets a decision
/// task to see it.
#[test]
fn a_child_close_reaches_its_parent() {
    let service = Service::new();
    let parent = service.start("parent");
    let token = service.poll_decision("dtl").unwrap();
    let start_child =
        Decision::StartChildWorkflowExecution(StartChildWorkflowExecutionDecisionAttributes {
            workflow_type: WorkflowType::new("W", "1"),
            workflow_id: "child".into(),
            task_list: Some(TaskList::new("ctl")),
            ..Default::default()
        });
    service.decide(&token, vec![start_child]);
    let events = service.history(&parent);
    let (child, initiated, started) = events
        .iter()
        .find_map(|e| match &e.attributes {
            EventAttributes::ChildWorkflowExecutionStarted(a) => Some((
                a.workflow_execution.clone(),
                a.initiated_event_id,
                e.event_id,
            )),
            _ => None,
        })
        .expect("ChildWorkflowExecutionStarted");
    assert_eq!(
        events[initiated as usize - 1].event_type(),
        "StartChildWorkflowExecutionInitiated"
    );
    match &service.history(&child)[0].attributes {
        EventAttributes::WorkflowExecutionStarted(a) => {
            assert_eq!(a.parent_workflow_execution.as_ref(), Some(&parent));
            assert_eq!(a.parent_initiated_event_id, Some(initiated));
        }
        other => panic!("expected WorkflowExecutionStarted, got {other:?}"),
    }

    let child_token = service.poll_decision("ctl").expect("the child's task");
    service.decide(&child_token, vec![complete("child result")]);
    assert!(!service.is_open(&child));
    let events = service.history(&parent);
    match &events.last().unwrap().attributes {
        EventAttributes::ChildWorkflowExecutionCompleted(a) => {
            assert_eq!(a.workflow_execution, child);
            assert_eq!(a.workflow_type, WorkflowType::new("W", "1"));
            assert_eq!(a.result.as_deref(), Some("child result"));
            assert_eq!(a.initiated_event_id, initiated);
            assert_eq!(a.started_event_id, started);
        }
        other => panic!("expected ChildWorkflowExecutionCompleted, got {other:?}"),
    }
    assert!(service.is_open(&parent));
    assert!(
        service.poll_decision("dtl").is_some(),
        "the parent has a decision task to see its child's close"
    );
}

/// Time skipping: a queued decision task holds the clock for STALL_MS after the start (its
/// decider may be slow to poll), and a started one while its decider was heard from within
/// STALL_MS; then the clock jumps to its start-to-close deadline, which fires with the deadline
/// as its timestamp. A task nobody polls stops holding the clock STALL_MS after the last call
/// on its run, and the clock jumps to the execution timeout.
#[test]
fn time_skips_to_the_next_deadline_only_when_nothing_holds_it() {
    use super::skipping::{QUIET_MS, STALL_MS};
    let service = Service::new();
    let advance_ms = |ms: i64| service.now_ms.fetch_add(ms, Ordering::SeqCst);
    let skip = || service.machine.lock().unwrap().skip_to_next_deadline();
    let run = service.start("w1");
    advance_ms(STALL_MS - 1);
    assert_eq!(skip(), 0, "a freshly queued task waits for its decider");
    let token = service.poll_decision("dtl").unwrap();
    advance_ms(QUIET_MS);
    assert_eq!(skip(), 0, "a decider holds its task");
    advance_ms(STALL_MS);
    let skipped = skip();
    assert_eq!(
        skipped,
        10_000 - QUIET_MS - STALL_MS,
        "to the 10 s start-to-close deadline"
    );
    assert_eq!(service.fire_due(), 1);
    let events = service.history(&run);
    let timed_out = events
        .iter()
        .find(|e| e.event_type() == "DecisionTaskTimedOut")
        .expect("the decision task timed out");
    assert_eq!(
        timed_out.event_timestamp,
        (START_MS + STALL_MS - 1 + 10_000) as f64 / 1000.0
    );
    drop(token);

    // The rescheduled task is polled by nobody: STALL_MS after the timeout touched its run, the
    // clock jumps to the execution timeout (3600 s after the start).
    advance_ms(QUIET_MS);
    assert_eq!(skip(), 0, "the rescheduled task is fresh");
    advance_ms(STALL_MS - QUIET_MS);
    assert!(skip() > 0);
    service.fire_due();
    let events = service.history(&run);
    let last = events.last().unwrap();
    assert_eq!(last.event_type(), "WorkflowExecutionTimedOut");
    assert_eq!(last.event_timestamp, (START_MS + 3_600_000) as f64 / 1000.0);
    assert!(!service.is_open(&run));
}

#[test]
fn a_failed_commit_undoes_every_call_of_its_group_in_memory_and_on_disk() {
    let service = Service::new();
    let kept = service.start("kept");
    service.machine.lock().unwrap().commit_applied();
    let commits = service.machine.lock().unwrap().commits();

    service.machine.lock().unwrap().db.refuse_commits(true);
    let lost = service.start("lost");
    service.signal(&kept);
    let group = commits.applied();
    service.machine.lock().unwrap().commit_applied();
    let settled = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(commits.durable(group));
    assert_eq!(settled, Err(CommitLost), "the group's callers hear of it");

    service.machine.lock().unwrap().db.refuse_commits(false);
    {
        let machine = service.machine.lock().unwrap();
        assert!(
            machine.open_run(&lost.run_id).is_none(),
            "the started run is gone"
        );
        assert!(machine.db.run("d", &lost.run_id).unwrap().is_none());
    }
    let kept_history = service.history(&kept);
    assert_eq!(
        count(&kept_history, "WorkflowExecutionSignaled"),
        0,
        "the signal is gone"
    );
    // Memory and disk agree: the lost run's workflow id is free again, and the kept run's first
    // decision task is still the one queued.
    let again = service.start("lost");
    assert_ne!(again.run_id, lost.run_id);
    assert!(service.poll_decision("dtl").is_some());
    assert!(service.poll_decision("dtl").is_some());
    assert!(service.poll_decision("dtl").is_none());
}
