//! The [`StateMachine`] itself: its fields, the transaction that every call runs in, and the
//! bookkeeping every action shares (recording events, scheduling decision tasks, re-indexing
//! task queues and deadlines). The actions are `impl StateMachine` blocks in the sibling
//! modules; this module imports none of them.
//!
//! A transaction is a savepoint inside one open SQLite transaction that collects every call
//! applied since the last commit; [`StateMachine::commit_applied`] commits them as a group (see
//! [`crate::commits`]). Until then the undo logs of the group are kept, so a failed commit
//! restores memory to what the disk holds.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use swf_model::{
    DecisionTaskScheduledEventAttributes, EventAttributes, HistoryEvent, WorkflowExecution,
    WorkflowExecutionTerminatedCause,
};

use super::shared::{Deferred, QueueKey, QueueKind, Queued, Termination};
use super::waiters::Waiters;
use crate::commits::Commits;
use crate::database::{Database, DomainRow, TypeRow};
use crate::error::{ServiceError, ServiceResult};
use crate::run::{DecisionState, Run};

/// Settings of the state machine that callers can change.
#[derive(Debug, Clone)]
pub struct StateMachineConfig {
    /// Region used in ARNs.
    pub region: String,
    /// Account id used in ARNs.
    pub account_id: String,
    /// Treat an unresolvable heartbeat timeout as `NONE` instead of failing the decision.
    pub lenient_heartbeat_timeout: bool,
}

/// What one transaction changed, to commit or undo.
#[derive(Default)]
pub(super) struct TxLog {
    /// Touched runs, with their state before the transaction (`None` for runs it created).
    pub(super) touched: Touched,
    /// New events: (run id, event id, wire JSON).
    pub(super) events: Vec<(String, i64, String)>,
    /// Cross-run effects to run once the current decisions are applied.
    pub(super) deferred: Vec<Deferred>,
}

/// The runs a transaction touched, with their state before it (`None` for runs it created).
type Touched = BTreeMap<String, Option<Run>>;

/// The state machine of the service; see the [module docs](super).
pub struct StateMachine {
    pub(super) db: Database,
    /// The group-commit ledger this machine counts its transactions in.
    commits: Arc<Commits>,
    /// The undo logs of the transactions applied since the last commit, oldest first.
    uncommitted: Vec<Touched>,
    pub(super) config: StateMachineConfig,
    pub(super) runs: HashMap<String, Run>,
    pub(super) open_by_workflow: HashMap<(String, String), String>,
    pub(super) queues: HashMap<(QueueKind, QueueKey), BTreeSet<Queued>>,
    pub(super) queued_of_run: HashMap<String, Vec<(QueueKind, QueueKey, Queued)>>,
    pub(super) deadlines: BTreeSet<(i64, String)>,
    pub(super) deadline_of_run: HashMap<String, i64>,
    pub(super) waiters: Waiters,
    pub(super) log: TxLog,
    pub(super) now_ms: i64,
    pub(super) last_ms: i64,
    /// Where time comes from, epoch ms: the system clock, or a test's.
    pub(super) clock: Box<dyn Fn() -> i64 + Send>,
    /// How far the service's clock is ahead of `clock` (time skipping), ms.
    pub(super) skipped_ms: i64,
    /// `clock` at the latest transaction (an API call or the timer task), epoch ms.
    pub(super) last_call_ms: i64,
    /// `clock` at the latest transaction touching each open run, epoch ms.
    pub(super) contact_ms: HashMap<String, i64>,
    /// Times (service clock, epoch ms) time skipping stops at until released.
    pub(super) clock_holds: BTreeSet<i64>,
}

impl StateMachine {
    /// Builds the state machine over `db`, loading every open run.
    pub fn new(db: Database, config: StateMachineConfig) -> rusqlite::Result<StateMachine> {
        let mut machine = StateMachine {
            db,
            commits: Arc::default(),
            uncommitted: Vec::new(),
            config,
            runs: HashMap::new(),
            open_by_workflow: HashMap::new(),
            queues: HashMap::new(),
            queued_of_run: HashMap::new(),
            deadlines: BTreeSet::new(),
            deadline_of_run: HashMap::new(),
            waiters: Waiters::default(),
            log: TxLog::default(),
            now_ms: 0,
            last_ms: 0,
            clock: Box::new(system_clock_ms),
            skipped_ms: 0,
            last_call_ms: 0,
            contact_ms: HashMap::new(),
            clock_holds: BTreeSet::new(),
        };
        for run in machine.db.open_runs()? {
            let id = run.execution.run_id.clone();
            machine.runs.insert(id.clone(), run);
            machine.reindex(&id);
        }
        machine.rebuild_open_index();
        Ok(machine)
    }

    /// Number of open runs (for the startup log).
    pub fn open_run_count(&self) -> usize {
        self.runs.len()
    }

    /// The group-commit ledger of this machine's transactions.
    pub fn commits(&self) -> Arc<Commits> {
        self.commits.clone()
    }

    /// Runs `action` as one transaction and applies it; see the module docs. It is durable once
    /// [`StateMachine::commit_applied`] commits it.
    pub fn transact<T>(
        &mut self,
        action: impl FnOnce(&mut StateMachine) -> ServiceResult<T>,
    ) -> ServiceResult<T> {
        self.now_ms = self.clock_ms();
        self.log = TxLog::default();
        self.db.begin()?;
        // A bug that panics mid-transaction must not leave half-applied state behind: the
        // panic is caught here and undone like any other failure.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            action(self).and_then(|value| {
                self.finish_transitions()?;
                self.flush()?;
                self.db.release()?;
                Ok(value)
            })
        }))
        .unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("a panic");
            tracing::error!("internal error, transaction undone: {what}");
            Err(ServiceError::internal(format!("internal error: {what}")))
        });
        match result {
            Ok(value) => {
                self.after_apply();
                self.commits.count_applied();
                Ok(value)
            }
            Err(e) => {
                self.db.roll_back_call();
                self.undo();
                Err(e)
            }
        }
    }

    /// Commits every transaction applied since the last commit, as one group, and settles them
    /// in the ledger. If the commit fails, they are all rolled back and memory is restored to
    /// what the disk holds: their callers get an internal error.
    pub fn commit_applied(&mut self) {
        let up_to = self.commits.applied();
        if self.uncommitted.is_empty() {
            return;
        }
        let committed = match self.db.commit() {
            Ok(()) => {
                self.uncommitted.clear();
                // The group's answers go out now: time skipping's quiet period counts from here.
                self.last_call_ms = self.real_ms();
                true
            }
            Err(e) => {
                tracing::error!(
                    transactions = self.uncommitted.len(),
                    "commit failed, the group is rolled back: {e}"
                );
                self.db.rollback();
                self.undo_uncommitted();
                false
            }
        };
        self.commits.settle(up_to, committed);
    }

    /// Restores the runs the transactions of a failed commit touched, newest first.
    fn undo_uncommitted(&mut self) {
        let mut restored = BTreeSet::new();
        for touched in std::mem::take(&mut self.uncommitted).into_iter().rev() {
            for (run_id, before) in touched {
                match before {
                    Some(run) => self.runs.insert(run_id.clone(), run),
                    None => self.runs.remove(&run_id),
                };
                restored.insert(run_id);
            }
        }
        for run_id in &restored {
            self.reindex(run_id);
        }
        self.rebuild_open_index();
    }

    /// The service's clock, milliseconds since the epoch, never going backwards: the real clock
    /// plus what time skipping skipped.
    pub(super) fn clock_ms(&mut self) -> i64 {
        let now = (self.clock)() + self.skipped_ms;
        self.last_ms = self.last_ms.max(now);
        self.last_ms
    }

    /// The real clock, epoch ms (the system's, or a test's).
    pub(super) fn real_ms(&self) -> i64 {
        (self.clock)()
    }

    /// Replaces the clock (tests drive timeouts with their own).
    #[cfg(test)]
    pub(super) fn set_clock(&mut self, clock: impl Fn() -> i64 + Send + 'static) {
        self.clock = Box::new(clock);
    }

    /// The transaction's time, epoch seconds (millisecond precision, like SWF).
    pub(super) fn now_secs(&self) -> f64 {
        self.now_ms as f64 / 1000.0
    }

    /// The domain `name`, or UnknownResourceFault.
    pub(super) fn require_domain(&self, name: &str) -> ServiceResult<DomainRow> {
        self.db
            .domain(name)?
            .ok_or_else(|| ServiceError::unknown(format!("Unknown domain: {name}")))
    }

    /// A registered type, or `None`.
    pub(super) fn find_type(
        &self,
        domain: &str,
        kind: &'static str,
        name: &str,
        version: &str,
    ) -> ServiceResult<Option<TypeRow>> {
        Ok(self.db.type_row(domain, kind, name, version)?)
    }

    /// An open run, for reading.
    pub(super) fn open_run(&self, run_id: &str) -> Option<&Run> {
        self.runs.get(run_id)
    }

    /// The open run of `workflow_id` (or exactly `run_id` if given and open).
    pub(super) fn find_open(
        &self,
        domain: &str,
        workflow_id: &str,
        run_id: Option<&str>,
    ) -> Option<String> {
        let current = self
            .open_by_workflow
            .get(&(domain.to_owned(), workflow_id.to_owned()))?;
        match run_id {
            Some(id) if !id.is_empty() && id != current => None,
            _ => Some(current.clone()),
        }
    }

    /// An open run, for changing; records it in the undo log first.
    pub(super) fn run_mut(&mut self, run_id: &str) -> &mut Run {
        if !self.log.touched.contains_key(run_id) {
            let before = self.runs.get(run_id).cloned();
            self.log.touched.insert(run_id.to_owned(), before);
        }
        self.runs
            .get_mut(run_id)
            .expect("run_mut is only called for runs in memory")
    }

    /// Adds a new run to memory.
    pub(super) fn insert_run(&mut self, run: Run) {
        let id = run.execution.run_id.clone();
        self.open_by_workflow.insert(
            (run.domain.clone(), run.execution.workflow_id.clone()),
            id.clone(),
        );
        self.log.touched.entry(id.clone()).or_insert(None);
        self.runs.insert(id, run);
    }

    /// Appends an event to a run's history and returns its id. An event that calls for a
    /// decision task ([`EventAttributes::needs_decision_task`]) marks the run so the transaction
    /// ends by scheduling one (or, while one is started, so its completion does).
    pub(super) fn record(&mut self, run_id: &str, attributes: impl Into<EventAttributes>) -> i64 {
        let attributes = attributes.into();
        let now_ms = self.now_ms;
        let run = self.run_mut(run_id);
        let id = run.next_event_id;
        run.next_event_id += 1;
        if attributes.needs_decision_task() {
            run.last_decision_event_id = id;
            match run.decision {
                DecisionState::None => run.needs_decision = true,
                DecisionState::Started { .. } => run.pending = true,
                DecisionState::Scheduled { .. } => {}
            }
        }
        let event = HistoryEvent {
            event_id: id,
            event_timestamp: now_ms as f64 / 1000.0,
            attributes,
        };
        let json = serde_json::to_string(&event).expect("history events serialize");
        self.log.events.push((run_id.to_owned(), id, json));
        id
    }

    /// Ends the transitions of every touched run: runs deferred cross-run effects, schedules
    /// the decision tasks that new events call for, and enforces the history size limit. Each
    /// of these may touch further runs (a parent hears of its child's close), so it repeats
    /// until nothing is left to do.
    pub(super) fn finish_transitions(&mut self) -> ServiceResult<()> {
        let limit = swf_model::MAX_HISTORY_EVENTS as i64;
        loop {
            for effect in std::mem::take(&mut self.log.deferred) {
                self.apply_deferred(effect)?;
            }
            let due: Vec<String> = self
                .log
                .touched
                .keys()
                .filter(|id| {
                    self.runs.get(*id).is_some_and(|run| {
                        run.is_open() && (run.needs_decision || run.next_event_id >= limit)
                    })
                })
                .cloned()
                .collect();
            if due.is_empty() && self.log.deferred.is_empty() {
                return Ok(());
            }
            for run_id in due {
                if self.runs[&run_id].next_event_id >= limit {
                    self.terminate(
                        &run_id,
                        Termination {
                            reason: Some("the history reached the 25,000-event limit".into()),
                            details: None,
                            child_policy: None,
                            cause: WorkflowExecutionTerminatedCause::EventLimitExceeded,
                        },
                    );
                    continue;
                }
                if self.runs[&run_id].decision == DecisionState::None {
                    self.schedule_decision(&run_id);
                }
                self.run_mut(&run_id).needs_decision = false;
            }
        }
    }

    /// Records DecisionTaskScheduled and queues the task.
    pub(super) fn schedule_decision(&mut self, run_id: &str) {
        let now_ms = self.now_ms;
        let run = &self.runs[run_id];
        let (task_list, start_limit) = match &run.temporary_task_list {
            Some((list, secs)) => (list.clone(), Some(*secs)),
            None => (run.config.task_list.clone(), None),
        };
        let priority = run.config.task_priority.clone();
        let attributes = DecisionTaskScheduledEventAttributes {
            task_list: task_list.clone(),
            task_priority: Some(priority.clone()),
            start_to_close_timeout: Some(run.config.task_start_to_close_timeout.clone()),
            schedule_to_start_timeout: start_limit.map(|secs| secs.to_string()),
        };
        let id = self.record(run_id, attributes);
        self.run_mut(run_id).decision = DecisionState::Scheduled {
            scheduled_event_id: id,
            task_list,
            priority: priority.parse().unwrap_or(0),
            at_ms: now_ms,
            start_deadline_ms: start_limit.map(|secs| now_ms + secs as i64 * 1000),
        };
    }

    /// Writes the transaction's events and touched runs.
    pub(super) fn flush(&mut self) -> ServiceResult<()> {
        for (run_id, event_id, json) in &self.log.events {
            self.db.put_event(run_id, *event_id, json)?;
        }
        for run_id in self.log.touched.keys() {
            if let Some(run) = self.runs.get(run_id) {
                self.db.put_run(run)?;
            }
        }
        Ok(())
    }

    /// After a transaction was applied: drops closed runs from memory, re-indexes queues and
    /// deadlines, wakes pollers of lists that got tasks, and keeps the undo log until the
    /// commit.
    pub(super) fn after_apply(&mut self) {
        let touched = std::mem::take(&mut self.log.touched);
        let ids: Vec<String> = touched.keys().cloned().collect();
        self.uncommitted.push(touched);
        self.log.events.clear();
        let real_now = self.real_ms();
        self.last_call_ms = real_now;
        for run_id in ids {
            self.reindex(&run_id);
            self.contact_ms.insert(run_id.clone(), real_now);
            if self.runs.get(&run_id).is_some_and(|run| !run.is_open()) {
                let run = self.runs.remove(&run_id).expect("checked above");
                self.contact_ms.remove(&run_id);
                let key = (run.domain.clone(), run.execution.workflow_id.clone());
                if self.open_by_workflow.get(&key) == Some(&run_id) {
                    self.open_by_workflow.remove(&key);
                }
            }
        }
    }

    /// Restores the runs a failed transaction touched.
    pub(super) fn undo(&mut self) {
        for (run_id, before) in std::mem::take(&mut self.log.touched) {
            match before {
                Some(run) => {
                    self.runs.insert(run_id, run);
                }
                None => {
                    self.runs.remove(&run_id);
                }
            }
        }
        self.log = TxLog::default();
        self.rebuild_open_index();
    }

    pub(super) fn rebuild_open_index(&mut self) {
        self.open_by_workflow = self
            .runs
            .values()
            .filter(|run| run.is_open())
            .map(|run| {
                (
                    (run.domain.clone(), run.execution.workflow_id.clone()),
                    run.execution.run_id.clone(),
                )
            })
            .collect();
    }

    /// Brings the queue entries and the deadline of one run in line with its state.
    pub(super) fn reindex(&mut self, run_id: &str) {
        let before = self.queued_of_run.remove(run_id).unwrap_or_default();
        for (kind, key, queued) in before.iter().cloned() {
            if let Some(set) = self.queues.get_mut(&(kind, key.clone())) {
                set.remove(&queued);
                if set.is_empty() {
                    self.queues.remove(&(kind, key));
                }
            }
        }
        if let Some(at) = self.deadline_of_run.remove(run_id) {
            self.deadlines.remove(&(at, run_id.to_owned()));
        }
        let Some(run) = self.runs.get(run_id).filter(|run| run.is_open()) else {
            return;
        };
        let mut entries = Vec::new();
        if let DecisionState::Scheduled {
            scheduled_event_id,
            task_list,
            priority,
            at_ms,
            ..
        } = &run.decision
        {
            entries.push((
                QueueKind::Decision,
                (run.domain.clone(), task_list.name.clone()),
                Queued {
                    neg_priority: -priority,
                    at_ms: *at_ms,
                    run_id: run_id.to_owned(),
                    scheduled_event_id: *scheduled_event_id,
                },
            ));
        }
        for activity in run.activities.values().filter(|a| a.started.is_none()) {
            entries.push((
                QueueKind::Activity,
                (run.domain.clone(), activity.task_list.name.clone()),
                Queued {
                    neg_priority: -activity.priority,
                    at_ms: activity.scheduled_ms,
                    run_id: run_id.to_owned(),
                    scheduled_event_id: activity.scheduled_event_id,
                },
            ));
        }
        if let Some(at) = run.next_deadline_ms() {
            self.deadlines.insert((at, run_id.to_owned()));
            self.deadline_of_run.insert(run_id.to_owned(), at);
        }
        for (kind, key, queued) in &entries {
            self.queues
                .entry((*kind, key.clone()))
                .or_default()
                .insert(queued.clone());
            // Only a newly queued task is news to a waiting poller.
            if !before.contains(&(*kind, key.clone(), queued.clone())) {
                self.waiters.wake(*kind, key);
            }
        }
        self.queued_of_run.insert(run_id.to_owned(), entries);
    }

    /// The earliest pending deadline of any run, epoch ms.
    pub fn next_deadline_ms(&self) -> Option<i64> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// The domain ARN.
    pub(super) fn domain_arn(&self, domain: &str) -> String {
        format!(
            "arn:aws:swf:{}:{}:/domain/{domain}",
            self.config.region, self.config.account_id
        )
    }

    /// A run's `{workflowId, runId}`.
    pub(super) fn execution_of(&self, run_id: &str) -> WorkflowExecution {
        self.runs[run_id].execution.clone()
    }
}

/// The system clock, epoch ms.
fn system_clock_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
