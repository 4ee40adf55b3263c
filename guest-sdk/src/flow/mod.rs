//! The high-level decider API: a workflow written as ordinary code.
//!
//! On every decision task the workflow's function runs again from the top over a [`Workflow`]
//! built from the complete history (stateless replay: the plugin keeps nothing between tasks).
//! Each request it makes — run an activity, sleep, wait for a signal — is answered from the
//! history when the history has the answer; otherwise the request becomes a decision (schedule
//! the activity, start the timer) and the call returns [`Suspend`], which the code propagates
//! with `?`. When the function returns an [`Ending`], the workflow closes.
//!
//! Activities, timers ([`Workflow::sleep`]), signals, child workflows ([`Workflow::child`]),
//! markers and continue-as-new ([`Ending::ContinueAsNew`]) are covered.
//!
//! Ids are derived from the order of calls (`<activity name>-<n>`, `sleep-<n>`), so a replay of
//! the same code over the same history asks for the same things under the same ids and only
//! the decisions not yet made are emitted. When the code no longer asks for a step the history
//! holds (it was changed), [`Workflow::decide`] fails with [`NonDeterminism`] instead of
//! deciding. [`Workflow::first`] is won by the branch answered earliest in the history.
//!
//! The JavaScript and Python flow APIs follow the same contract (`guest-sdk/FLOW.md`): the same
//! workflow written in any of the three produces the same history.
//!
//! ```
//! use swfwasm_guest::flow::{Ending, Step, Workflow};
//!
//! fn greet(wf: &mut Workflow) -> Step<Ending> {
//!     let name: String = wf.input().unwrap_or_default();
//!     match wf.activity("HelloWorld", "1.0").input(&name).run::<String>()? {
//!         Ok(greeting) => Ok(Ending::complete(greeting)),
//!         Err(error) => Ok(Ending::fail("greeting failed", error.to_string())),
//!     }
//! }
//! ```

mod failure;
mod index;
mod retry;

use std::cell::RefCell;

use serde::Serialize;
use serde::de::DeserializeOwned;
use swf_model::{Decision, MAX_DECISIONS};

pub use failure::{ActivityFailure, ChildFailure, NonDeterminism};
use index::{ChildState, Index, Map, OWN_TIMER_PREFIX, StepRef};
pub use retry::RetryPolicy;

use crate::{ActivityState, DecisionTask, Decisions};

thread_local! {
    /// The index of this instance's latest decision task, by run id: a warm instance's next
    /// task (see [`DecisionTask::carried_over`]) only indexes its new events.
    static KEPT_INDEX: RefCell<Option<(String, Index)>> = const { RefCell::new(None) };
}

/// The index of `task`: the kept one extended with the new events when `task` continues the
/// kept one's task, else built from all of them.
fn index_for(task: &DecisionTask) -> Index {
    match KEPT_INDEX.take() {
        Some((run_id, mut index))
            if task.carried_over() > 0
                && run_id == task.workflow_execution.run_id
                && index.indexed == task.carried_over() =>
        {
            index.extend(&task.events()[index.indexed..]);
            index
        }
        _ => Index::new(task),
    }
}

/// "Not in the history yet": the code cannot go further on this decision task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suspend;

/// The result of a step that may have to wait.
pub type Step<T> = Result<T, Suspend>;

/// How the workflow ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    /// CompleteWorkflowExecution with a result.
    Complete(Option<String>),
    /// FailWorkflowExecution.
    Fail {
        /// Short reason.
        reason: String,
        /// Details.
        details: Option<String>,
    },
    /// CancelWorkflowExecution.
    Cancel(Option<String>),
    /// ContinueAsNewWorkflowExecution with a new input: the run closes and a new run of the
    /// same type starts with a fresh history (use it when [`Workflow::history_len`] grows).
    ContinueAsNew(Option<String>),
}

impl Ending {
    /// Completes with `result`.
    pub fn complete(result: impl Into<String>) -> Self {
        Self::Complete(Some(result.into()))
    }

    /// Fails with `reason` and `details`.
    pub fn fail(reason: impl Into<String>, details: impl Into<String>) -> Self {
        Self::Fail {
            reason: reason.into(),
            details: Some(details.into()),
        }
    }
}

/// A workflow's view of one decision task; see the module docs.
pub struct Workflow<'t> {
    task: &'t DecisionTask,
    index: Index,
    decisions: Decisions,
    counters: Map<String, u32>,
    /// The counter key of the latest marker (`marker:<name>`), written in place on every call.
    marker_key: String,
    /// The buffers the next activity call or sleep writes its texts into.
    call_text: CallText,
    /// The latest event id that answered a step of the branch being evaluated (see `first`).
    settled_at: i64,
    /// The latest event id that answered any step: how far the replay has reached.
    position: i64,
    /// The first step the code asked for that the history lacks.
    first_new: Option<String>,
    /// A step asked for under a history step's key as something else.
    mismatch: Option<NonDeterminism>,
}

impl<'t> Workflow<'t> {
    /// Runs `body` over `task` and returns the decisions to send: what `body` asked for that the
    /// history lacks and, if it returned, the closing decision. More than SWF's 100 decisions
    /// per response are cut to 99 plus a 0-second timer; the next task replays and asks for the
    /// rest.
    ///
    /// Fails with [`NonDeterminism`] when the code asks, under the id of a step of the history,
    /// for something else, or leaves a step of the history unasked: the history was written by
    /// other code.
    pub fn decide(
        task: &'t DecisionTask,
        body: impl FnOnce(&mut Workflow<'t>) -> Step<Ending>,
    ) -> Result<Decisions, NonDeterminism> {
        let mut wf = Workflow::with_index(task, index_for(task));
        let ending = body(&mut wf);
        let verdict = wf.check_replay();
        KEPT_INDEX.set(Some((
            task.workflow_execution.run_id.clone(),
            std::mem::take(&mut wf.index),
        )));
        verdict?;
        let mut decisions: Vec<Decision> = wf.decisions.as_slice().to_vec();
        let mut out = Decisions::new();
        if decisions.len() >= MAX_DECISIONS {
            decisions.truncate(MAX_DECISIONS - 1);
            for decision in decisions {
                out.push(decision);
            }
            out.start_timer(
                format!("{OWN_TIMER_PREFIX}batch.{}", task.started_event_id),
                "0",
            );
            return Ok(out);
        }
        for decision in decisions {
            out.push(decision);
        }
        match ending {
            Ok(Ending::Complete(result)) => {
                out.complete_workflow_execution(result);
            }
            Ok(Ending::Fail { reason, details }) => {
                out.fail_workflow_execution(reason, details);
            }
            Ok(Ending::Cancel(details)) => {
                out.cancel_workflow_execution(details);
            }
            Ok(Ending::ContinueAsNew(input)) => {
                out.continue_as_new_workflow_execution(input);
            }
            Err(Suspend) => {}
        }
        Ok(out)
    }

    /// A view of `task` (use [`Workflow::decide`] to run a workflow).
    pub fn new(task: &'t DecisionTask) -> Self {
        Self::with_index(task, Index::new(task))
    }

    fn with_index(task: &'t DecisionTask, mut index: Index) -> Self {
        index.steps.begin_replay();
        Self {
            task,
            index,
            decisions: Decisions::new(),
            counters: Map::default(),
            marker_key: String::new(),
            call_text: CallText::default(),
            settled_at: 0,
            position: 0,
            first_new: None,
            mismatch: None,
        }
    }

    /// The replay's verdict: a mismatch, else the history step with the lowest event id the
    /// code did not ask for.
    fn check_replay(&mut self) -> Result<(), NonDeterminism> {
        if let Some(mismatch) = self.mismatch.take() {
            return Err(mismatch);
        }
        match self.index.steps.first_unclaimed() {
            None => Ok(()),
            Some((event_id, history)) => Err(NonDeterminism {
                event_id,
                history,
                code: self.first_new.clone(),
            }),
        }
    }

    /// The code asks for step `asked`: true if the history holds it (as the same thing, or a
    /// mismatch is noted and the code must stop), false if it is new. Its text is only written
    /// for an error.
    fn ask(&mut self, asked: StepRef<'_>) -> Result<bool, Suspend> {
        match self.index.steps.claim(asked) {
            Ok(true) => Ok(true),
            Ok(false) => {
                self.first_new.get_or_insert_with(|| asked.to_string());
                Ok(false)
            }
            Err((event_id, history)) => {
                self.mismatch.get_or_insert(NonDeterminism {
                    event_id,
                    history,
                    code: Some(asked.to_string()),
                });
                Err(Suspend)
            }
        }
    }

    /// A step was answered by event `event_id`.
    fn answered(&mut self, event_id: i64) {
        self.settled_at = self.settled_at.max(event_id);
        self.position = self.position.max(event_id);
    }

    /// The last event the decision task the replay has reached had seen: the first
    /// DecisionTaskStarted at or after the position (every event, past the last one).
    fn seen_up_to(&self) -> i64 {
        let starts = &self.index.decision_starts;
        let i = starts.partition_point(|&start| start < self.position);
        starts.get(i).copied().unwrap_or(i64::MAX)
    }

    /// The workflow input parsed as JSON.
    pub fn input<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        self.task.input_json()
    }

    /// How many times `key` was asked for so far, this call included.
    fn next_count(&mut self, key: &str) -> u32 {
        count(&mut self.counters, key)
    }

    /// Asks for activity `name`/`version`; configure it, then [`ActivityCall::run`] it.
    pub fn activity(&mut self, name: &str, version: &str) -> ActivityCall<'_, 't> {
        let n = self.next_count(name);
        let mut text = std::mem::take(&mut self.call_text);
        text.write_activity(name, version, n);
        let in_history = self.index.steps.holds_activity(&text.id);
        ActivityCall {
            wf: self,
            text,
            in_history,
            input: None,
            task_list: None,
            retry: RetryPolicy::attempts(1),
        }
    }

    /// How many events the decision task the replay has reached had (so the same code sees the
    /// same number on every replay): past a few thousand, end with [`Ending::ContinueAsNew`] to
    /// carry on in a fresh run.
    pub fn history_len(&self) -> usize {
        usize::try_from(self.seen_up_to())
            .unwrap_or(usize::MAX)
            .min(self.task.events().len())
    }

    /// Records marker `name` with `details` (JSON) the first time this call is reached; the
    /// n-th call for a name stands for the n-th marker of that name.
    pub fn record_marker<T: Serialize + ?Sized>(&mut self, name: &str, details: &T) {
        self.marker_key.clear();
        self.marker_key.push_str("marker:");
        self.marker_key.push_str(name);
        let n = count(&mut self.counters, &self.marker_key) as usize;
        if let Ok(false) = self.ask(StepRef::marker(name, n)) {
            self.decisions
                .record_marker(name, serde_json::to_string(details).ok());
        }
    }

    /// The details of the markers `name` the decision task the replay has reached had seen,
    /// oldest first.
    pub fn markers(&self, name: &str) -> Vec<Option<String>> {
        let seen = self.seen_up_to();
        self.index
            .markers
            .iter()
            .filter(|(n, _, at)| n == name && *at <= seen)
            .map(|(_, details, _)| details.clone())
            .collect()
    }

    /// Runs child workflow `name`/`version` (workflow id `<this workflow id>:<name>-<n>`) with
    /// `input` (JSON) and reads its JSON result.
    pub fn child<I: Serialize + ?Sized, O: DeserializeOwned>(
        &mut self,
        name: &str,
        version: &str,
        input: &I,
    ) -> Step<Result<O, ChildFailure>> {
        let n = self.next_count(name);
        let id = format!("{}:{name}-{n}", self.task.workflow_execution.workflow_id);
        if !self.ask(StepRef::child(&id, name, version))? {
            self.decisions
                .start_child_workflow_execution(&id, name, version)
                .input = serde_json::to_string(input).ok();
            return Err(Suspend);
        }
        let Some((ChildState::Closed(outcome), event_id)) = self.index.children.get(&id) else {
            return Err(Suspend);
        };
        let event_id = *event_id;
        let outcome = match outcome {
            Ok(result) => serde_json::from_str(result.as_deref().unwrap_or("null"))
                .map_err(|e| ChildFailure::BadResult(e.to_string())),
            Err(failure) => Err(failure.clone()),
        };
        self.answered(event_id);
        Ok(outcome)
    }

    /// Waits `seconds` (a timer).
    pub fn sleep(&mut self, seconds: u64) -> Step<()> {
        let n = self.next_count("sleep");
        let mut text = std::mem::take(&mut self.call_text);
        text.write_id("sleep", n);
        let slept = self.timer(&text.id, seconds);
        self.call_text = text;
        slept
    }

    /// A timer `id` of `seconds`: done once it fired; started (and waiting) otherwise.
    fn timer(&mut self, id: &str, seconds: u64) -> Step<()> {
        if !self.ask(StepRef::timer(id))? {
            self.decisions.start_timer(id, seconds.to_string());
            return Err(Suspend);
        }
        match self.index.timers_fired.get(id) {
            Some(&event_id) => {
                self.answered(event_id);
                Ok(())
            }
            None => Err(Suspend),
        }
    }

    /// The inputs of the signals `name` the decision task the replay has reached had seen,
    /// oldest first.
    pub fn signals(&self, name: &str) -> Vec<Option<String>> {
        let seen = self.seen_up_to();
        self.index
            .signals
            .iter()
            .filter(|(n, _, at)| n == name && *at <= seen)
            .map(|(_, input, _)| input.clone())
            .collect()
    }

    /// The input of the first signal `name`, waiting for it if none came yet.
    pub fn wait_signal(&mut self, name: &str) -> Step<Option<String>> {
        let (_, input, event_id) = self
            .index
            .signals
            .iter()
            .find(|(n, ..)| n == name)
            .cloned()
            .ok_or(Suspend)?;
        self.answered(event_id);
        Ok(input)
    }

    /// Waits for the first of several steps to be ready; returns its position and value. Every
    /// step is evaluated, in order, so all their requests are made on this task; the winner is
    /// the step answered earliest in the history (by the latest event it needed), the first in
    /// order on a tie. So the same branch wins on every replay, as in `Promise.race` over the
    /// JavaScript flow API.
    pub fn first<T>(&mut self, steps: Vec<Branch<'_, 't, T>>) -> Step<(usize, T)> {
        let outer = self.settled_at;
        let mut winner: Option<(i64, usize, T)> = None;
        for (i, step) in steps.into_iter().enumerate() {
            self.settled_at = 0;
            if let Ok(value) = step(self)
                && winner
                    .as_ref()
                    .is_none_or(|(best, ..)| self.settled_at < *best)
            {
                winner = Some((self.settled_at, i, value));
            }
        }
        self.settled_at = outer;
        let (at, i, value) = winner.ok_or(Suspend)?;
        self.answered(at);
        Ok((i, value))
    }
}

/// How many times `key` was counted in `counters` so far, this time included (the key is only
/// copied the first time).
fn count(counters: &mut Map<String, u32>, key: &str) -> u32 {
    match counters.get_mut(key) {
        Some(n) => {
            *n += 1;
            *n
        }
        None => {
            counters.insert(key.to_owned(), 1);
            1
        }
    }
}

/// One branch of [`Workflow::first`].
pub type Branch<'a, 't, T> = Box<dyn FnOnce(&mut Workflow<'t>) -> Step<T> + 'a>;

/// Waits for every step: parallel branches are started by evaluating each (without `?`), then
/// joined here.
pub fn all<T>(steps: Vec<Step<T>>) -> Step<Vec<T>> {
    steps.into_iter().collect()
}

/// The texts of an activity call (or a sleep: its id), in buffers that the workflow lends to
/// each call in turn and [`ActivityCall::run`] gives back: a call writes into them rather than
/// allocate. (`ActivityCall` gives them back in `run`, not on drop: a `Drop` impl would make a
/// call that is not run borrow the workflow up to the end of its scope.)
#[derive(Default)]
struct CallText {
    /// `<name>-<n>`.
    id: String,
    /// The id of the attempt asked for when retried: `<id>.<k>`.
    attempt: String,
    name: String,
    version: String,
}

impl CallText {
    /// Writes call `n` of activity `name`/`version`.
    fn write_activity(&mut self, name: &str, version: &str, n: u32) {
        self.write_id(name, n);
        self.name.clear();
        self.name.push_str(name);
        self.version.clear();
        self.version.push_str(version);
    }

    /// Writes `<name>-<n>` as the id. (The number is written with `itoa`: through `write!`
    /// and `core::fmt`, ids cost a tenth of a warm replay's CPU in wasm.)
    fn write_id(&mut self, name: &str, n: u32) {
        self.id.clear();
        self.id.push_str(name);
        self.id.push('-');
        self.id.push_str(itoa::Buffer::new().format(n));
    }

    /// Writes `<id>.<attempt>` as the attempt id.
    fn write_attempt(&mut self, attempt: u32) {
        self.attempt.clear();
        self.attempt.push_str(&self.id);
        self.attempt.push('.');
        self.attempt.push_str(itoa::Buffer::new().format(attempt));
    }
}

/// An activity request being configured; see [`Workflow::activity`].
pub struct ActivityCall<'w, 't> {
    wf: &'w mut Workflow<'t>,
    text: CallText,
    /// Whether the history holds a step under the call's id. Then no decision needs the call's
    /// input or task list: that step answers the call or, if the call is retried (its attempts
    /// are `<id>.<k>`), is left unasked, and the replay fails.
    in_history: bool,
    input: Option<String>,
    task_list: Option<String>,
    retry: RetryPolicy,
}

impl ActivityCall<'_, '_> {
    /// The activity's input, serialized as JSON (unless the history holds the call already).
    pub fn input<T: Serialize + ?Sized>(mut self, input: &T) -> Self {
        if !self.in_history {
            self.input = serde_json::to_string(input).ok();
        }
        self
    }

    /// The task list (default: the activity type's).
    pub fn task_list(mut self, name: impl Into<String>) -> Self {
        if !self.in_history {
            self.task_list = Some(name.into());
        }
        self
    }

    /// Retry failures and timeouts with `policy` (attempts `<id>.1`, `<id>.2`, … with backoff
    /// timers `<id>.<n>.retry` between them).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Runs the activity (and its retries) and reads its JSON result. `O` is an owned type: a
    /// result it cannot read gives the same [`ActivityFailure::BadResult`] on every replay,
    /// and a warm instance works that out once per result and type.
    pub fn run<O: DeserializeOwned + 'static>(mut self) -> Step<Result<O, ActivityFailure>> {
        let outcome = self.run_attempts();
        self.wf.call_text = std::mem::take(&mut self.text);
        outcome
    }

    /// [`ActivityCall::run`], but for giving the buffers back.
    fn run_attempts<O: DeserializeOwned + 'static>(&mut self) -> Step<Result<O, ActivityFailure>> {
        let attempts = self.retry.max_attempts;
        for attempt in 1..=attempts {
            let attempt_id = if attempts == 1 {
                &self.text.id
            } else {
                self.text.write_attempt(attempt);
                &self.text.attempt
            };
            let (name, version) = (&self.text.name, &self.text.version);
            if !self.wf.ask(StepRef::activity(attempt_id, name, version))? {
                let options = self
                    .wf
                    .decisions
                    .schedule_activity_task(attempt_id, name, version);
                options.input = self.input.take();
                options.task_list = self.task_list.take().map(swf_model::TaskList::new);
                return Err(Suspend);
            }
            let Some(record) = self.wf.index.activities.get(attempt_id.as_str()) else {
                return Err(Suspend);
            };
            let event_id = record.event_id;
            let failure = match &record.state {
                ActivityState::Scheduled | ActivityState::Started => return Err(Suspend),
                ActivityState::Completed { result } => {
                    let result = self.wf.index.unreadable.read(event_id, result.as_deref());
                    self.wf.answered(event_id);
                    return Ok(result);
                }
                ActivityState::ScheduleFailed { cause } => {
                    let failure = ActivityFailure::ScheduleFailed(cause.clone());
                    self.wf.answered(event_id);
                    return Ok(Err(failure));
                }
                ActivityState::Canceled { details } => {
                    let failure = ActivityFailure::Canceled(details.clone());
                    self.wf.answered(event_id);
                    return Ok(Err(failure));
                }
                ActivityState::Failed { reason, details } => ActivityFailure::Failed {
                    reason: reason.clone(),
                    details: details.clone(),
                },
                ActivityState::TimedOut { timeout_type, .. } => {
                    ActivityFailure::TimedOut(timeout_type.clone())
                }
            };
            if attempt == attempts {
                self.wf.answered(event_id);
                return Ok(Err(failure));
            }
            let seed = retry::jitter_seed(&self.wf.task.workflow_execution.run_id, &self.text.id);
            let wait = self.retry.wait_secs(attempt, seed.rotate_left(attempt));
            self.wf.timer(&format!("{attempt_id}.retry"), wait)?;
        }
        unreachable!("the last attempt returns")
    }
}
