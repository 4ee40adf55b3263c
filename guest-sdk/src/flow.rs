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
//! the decisions not yet made are emitted.
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

use std::collections::HashMap;

use serde::Serialize;
use serde::de::DeserializeOwned;
use swf_model::{Decision, EventAttributes, MAX_DECISIONS};

use crate::{ActivityState, DecisionTask, Decisions};

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

/// Why an activity did not produce a result.
#[derive(Debug, Clone, PartialEq)]
pub enum ActivityFailure {
    /// The worker reported a failure.
    Failed {
        /// Reason.
        reason: Option<String>,
        /// Details.
        details: Option<String>,
    },
    /// A timeout expired (`START_TO_CLOSE`, `HEARTBEAT`, …).
    TimedOut(String),
    /// The activity was canceled.
    Canceled(Option<String>),
    /// SWF refused to schedule it (the cause); never retried, so a misconfiguration cannot
    /// fill the history with attempts.
    ScheduleFailed(String),
    /// The result is not the JSON the code expects.
    BadResult(String),
}

impl std::fmt::Display for ActivityFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Failed { reason, details } => write!(
                f,
                "failed: {}{}",
                reason.as_deref().unwrap_or("(no reason)"),
                details
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            ),
            Self::TimedOut(kind) => write!(f, "timed out ({kind})"),
            Self::Canceled(_) => write!(f, "canceled"),
            Self::ScheduleFailed(cause) => write!(f, "could not be scheduled: {cause}"),
            Self::BadResult(problem) => write!(f, "returned an unreadable result: {problem}"),
        }
    }
}

impl std::error::Error for ActivityFailure {}

/// Retries of an activity: attempts, and exponential backoff between them with a jitter that is
/// derived from the run id (so a replay waits exactly as long as the first run did).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all (1 = no retry).
    pub max_attempts: u32,
    /// Wait before the second attempt, in seconds.
    pub initial_interval_secs: u64,
    /// Factor between consecutive waits.
    pub backoff: f64,
    /// Longest wait, in seconds.
    pub max_interval_secs: u64,
}

impl RetryPolicy {
    /// `attempts` attempts, waiting 1 s, 2 s, 4 s, … (at most 5 minutes) between them.
    pub fn attempts(attempts: u32) -> Self {
        Self {
            max_attempts: attempts.max(1),
            initial_interval_secs: 1,
            backoff: 2.0,
            max_interval_secs: 300,
        }
    }

    /// The wait after failed attempt `attempt` (1-based): the exponential interval scaled by a
    /// jitter in [0.5, 1.0] drawn from `seed`.
    fn wait_secs(&self, attempt: u32, seed: u64) -> u64 {
        let exponential = self.initial_interval_secs as f64 * self.backoff.powi(attempt as i32 - 1);
        let capped = exponential.min(self.max_interval_secs as f64);
        let jitter = 0.5 + (seed % 1_000) as f64 / 2_000.0;
        (capped * jitter).round() as u64
    }
}

/// The history, indexed once per decision task.
#[derive(Default)]
struct Index {
    timers_started: HashMap<String, i64>,
    timers_fired: HashMap<String, i64>,
    signals: Vec<(String, Option<String>)>,
    markers: Vec<(String, Option<String>)>,
    /// Child workflow id → its latest state.
    children: HashMap<String, ChildState>,
}

/// Where a child workflow stands.
#[derive(Debug, Clone)]
enum ChildState {
    Pending,
    Closed(Result<Option<String>, ChildFailure>),
}

/// Why a child workflow did not produce a result.
#[derive(Debug, Clone, PartialEq)]
pub enum ChildFailure {
    /// SWF refused to start it (the `StartChildWorkflowExecutionFailed` cause).
    StartFailed(String),
    /// It failed, with its reason and details.
    Failed {
        /// Reason.
        reason: Option<String>,
        /// Details.
        details: Option<String>,
    },
    /// Its execution timed out.
    TimedOut,
    /// It was canceled.
    Canceled(Option<String>),
    /// It was terminated.
    Terminated,
    /// The result is not the JSON the code expects.
    BadResult(String),
}

impl std::fmt::Display for ChildFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::StartFailed(cause) => write!(f, "could not be started: {cause}"),
            Self::Failed { reason, .. } => {
                write!(f, "failed: {}", reason.as_deref().unwrap_or("(no reason)"))
            }
            Self::TimedOut => write!(f, "timed out"),
            Self::Canceled(_) => write!(f, "canceled"),
            Self::Terminated => write!(f, "terminated"),
            Self::BadResult(problem) => write!(f, "returned an unreadable result: {problem}"),
        }
    }
}

impl std::error::Error for ChildFailure {}

/// A workflow's view of one decision task; see the module docs.
pub struct Workflow<'t> {
    task: &'t DecisionTask,
    index: Index,
    decisions: Decisions,
    counters: HashMap<String, u32>,
}

impl<'t> Workflow<'t> {
    /// Runs `body` over `task` and returns the decisions to send: what `body` asked for that the
    /// history lacks and, if it returned, the closing decision. More than SWF's 100 decisions
    /// per response are cut to 99 plus a 0-second timer; the next task replays and asks for the
    /// rest.
    pub fn decide(
        task: &'t DecisionTask,
        body: impl FnOnce(&mut Workflow<'t>) -> Step<Ending>,
    ) -> Decisions {
        let mut wf = Workflow::new(task);
        let ending = body(&mut wf);
        let mut decisions: Vec<Decision> = wf.decisions.as_slice().to_vec();
        let mut out = Decisions::new();
        if decisions.len() >= MAX_DECISIONS {
            decisions.truncate(MAX_DECISIONS - 1);
            for decision in decisions {
                out.push(decision);
            }
            out.start_timer(format!("swfwasm.batch.{}", task.started_event_id), "0");
            return out;
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
        out
    }

    /// A view of `task` (use [`Workflow::decide`] to run a workflow).
    pub fn new(task: &'t DecisionTask) -> Self {
        let mut index = Index::default();
        for event in task.events() {
            match &event.attributes {
                EventAttributes::TimerStarted(a) => {
                    index
                        .timers_started
                        .insert(a.timer_id.clone(), event.event_id);
                }
                EventAttributes::TimerFired(a) => {
                    index
                        .timers_fired
                        .insert(a.timer_id.clone(), event.event_id);
                }
                EventAttributes::WorkflowExecutionSignaled(a) => {
                    index.signals.push((a.signal_name.clone(), a.input.clone()));
                }
                EventAttributes::MarkerRecorded(a) => {
                    index
                        .markers
                        .push((a.marker_name.clone(), a.details.clone()));
                }
                other => {
                    if let Some((id, state)) = child_transition(other) {
                        index.children.insert(id, state);
                    }
                }
            }
        }
        Self {
            task,
            index,
            decisions: Decisions::new(),
            counters: HashMap::new(),
        }
    }

    /// The workflow input parsed as JSON.
    pub fn input<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        self.task.input_json()
    }

    /// How many times `key` was asked for so far, this call included.
    fn next_count(&mut self, key: &str) -> u32 {
        let n = self.counters.entry(key.to_owned()).or_insert(0);
        *n += 1;
        *n
    }

    /// The next id for `name` in call order: `name-1`, `name-2`, …
    fn next_id(&mut self, name: &str) -> String {
        format!("{name}-{}", self.next_count(name))
    }

    /// Asks for activity `name`/`version`; configure it, then [`ActivityCall::run`] it.
    pub fn activity(&mut self, name: &str, version: &str) -> ActivityCall<'_, 't> {
        let id = self.next_id(name);
        ActivityCall {
            wf: self,
            id,
            name: name.to_owned(),
            version: version.to_owned(),
            input: None,
            task_list: None,
            retry: RetryPolicy::attempts(1),
        }
    }

    /// How many events the history has: past a few thousand, end with
    /// [`Ending::ContinueAsNew`] to carry on in a fresh run.
    pub fn history_len(&self) -> usize {
        self.task.events().len()
    }

    /// Records marker `name` with `details` (JSON) the first time this call is reached; the
    /// n-th call for a name stands for the n-th marker of that name.
    pub fn record_marker<T: Serialize + ?Sized>(&mut self, name: &str, details: &T) {
        let n = self.next_count(&format!("marker:{name}")) as usize;
        if self.markers(name).len() < n {
            self.decisions
                .record_marker(name, serde_json::to_string(details).ok());
        }
    }

    /// The details of every marker `name` in the history, oldest first.
    pub fn markers(&self, name: &str) -> Vec<Option<String>> {
        self.index
            .markers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, details)| details.clone())
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
        let id = format!(
            "{}:{}",
            self.task.workflow_execution.workflow_id,
            self.next_id(name)
        );
        match self.index.children.get(&id) {
            None => {
                self.decisions
                    .start_child_workflow_execution(&id, name, version)
                    .input = serde_json::to_string(input).ok();
                Err(Suspend)
            }
            Some(ChildState::Pending) => Err(Suspend),
            Some(ChildState::Closed(Ok(result))) => {
                Ok(serde_json::from_str(result.as_deref().unwrap_or("null"))
                    .map_err(|e| ChildFailure::BadResult(e.to_string())))
            }
            Some(ChildState::Closed(Err(failure))) => Ok(Err(failure.clone())),
        }
    }

    /// Waits `seconds` (a timer).
    pub fn sleep(&mut self, seconds: u64) -> Step<()> {
        let id = self.next_id("sleep");
        self.timer(&id, seconds)
    }

    /// A timer `id` of `seconds`: done once it fired; started (and waiting) otherwise.
    fn timer(&mut self, id: &str, seconds: u64) -> Step<()> {
        if self.index.timers_fired.contains_key(id) {
            return Ok(());
        }
        if !self.index.timers_started.contains_key(id) {
            self.decisions.start_timer(id, seconds.to_string());
        }
        Err(Suspend)
    }

    /// The inputs of every signal `name` received so far, oldest first.
    pub fn signals(&self, name: &str) -> Vec<Option<String>> {
        self.index
            .signals
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, input)| input.clone())
            .collect()
    }

    /// The input of the first signal `name`, waiting for it if none came yet.
    pub fn wait_signal(&mut self, name: &str) -> Step<Option<String>> {
        self.signals(name).into_iter().next().ok_or(Suspend)
    }

    /// Waits for the first of several steps to be ready; returns its position and value. The
    /// steps are evaluated in order, so all their requests are made on this task.
    pub fn first<T>(&mut self, steps: Vec<Branch<'_, 't, T>>) -> Step<(usize, T)> {
        let mut winner = None;
        for (i, step) in steps.into_iter().enumerate() {
            if let Ok(value) = step(self)
                && winner.is_none()
            {
                winner = Some((i, value));
            }
        }
        winner.ok_or(Suspend)
    }
}

/// One branch of [`Workflow::first`].
pub type Branch<'a, 't, T> = Box<dyn FnOnce(&mut Workflow<'t>) -> Step<T> + 'a>;

/// Waits for every step: parallel branches are started by evaluating each (without `?`), then
/// joined here.
pub fn all<T>(steps: Vec<Step<T>>) -> Step<Vec<T>> {
    steps.into_iter().collect()
}

/// An activity request being configured; see [`Workflow::activity`].
pub struct ActivityCall<'w, 't> {
    wf: &'w mut Workflow<'t>,
    id: String,
    name: String,
    version: String,
    input: Option<String>,
    task_list: Option<String>,
    retry: RetryPolicy,
}

impl ActivityCall<'_, '_> {
    /// The activity's input, serialized as JSON.
    pub fn input<T: Serialize + ?Sized>(mut self, input: &T) -> Self {
        self.input = serde_json::to_string(input).ok();
        self
    }

    /// The task list (default: the activity type's).
    pub fn task_list(mut self, name: impl Into<String>) -> Self {
        self.task_list = Some(name.into());
        self
    }

    /// Retry failures and timeouts with `policy` (attempts `<id>.1`, `<id>.2`, … with backoff
    /// timers `<id>.<n>.retry` between them).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Runs the activity (and its retries) and reads its JSON result.
    pub fn run<O: DeserializeOwned>(self) -> Step<Result<O, ActivityFailure>> {
        let seed = fnv1a(
            self.wf.task.workflow_execution.run_id.as_bytes(),
            self.id.as_bytes(),
        );
        for attempt in 1..=self.retry.max_attempts {
            let attempt_id = if self.retry.max_attempts == 1 {
                self.id.clone()
            } else {
                format!("{}.{attempt}", self.id)
            };
            let failure = match self.wf.task.activity(&attempt_id) {
                None => {
                    let options = self.wf.decisions.schedule_activity_task(
                        &attempt_id,
                        &self.name,
                        &self.version,
                    );
                    options.input = self.input.clone();
                    options.task_list = self.task_list.clone().map(swf_model::TaskList::new);
                    return Err(Suspend);
                }
                Some(ActivityState::Scheduled | ActivityState::Started) => return Err(Suspend),
                Some(ActivityState::Completed { result }) => {
                    return Ok(serde_json::from_str(result.as_deref().unwrap_or("null"))
                        .map_err(|e| ActivityFailure::BadResult(e.to_string())));
                }
                Some(ActivityState::ScheduleFailed { cause }) => {
                    return Ok(Err(ActivityFailure::ScheduleFailed(cause)));
                }
                Some(ActivityState::Canceled { details }) => {
                    return Ok(Err(ActivityFailure::Canceled(details)));
                }
                Some(ActivityState::Failed { reason, details }) => {
                    ActivityFailure::Failed { reason, details }
                }
                Some(ActivityState::TimedOut { timeout_type, .. }) => {
                    ActivityFailure::TimedOut(timeout_type)
                }
            };
            if attempt == self.retry.max_attempts {
                return Ok(Err(failure));
            }
            let wait = self.retry.wait_secs(attempt, seed.rotate_left(attempt));
            self.wf.timer(&format!("{attempt_id}.retry"), wait)?;
        }
        unreachable!("the last attempt returns")
    }
}

/// The child workflow (by workflow id) an event is about, and where that leaves it.
fn child_transition(attributes: &EventAttributes) -> Option<(String, ChildState)> {
    use ChildState::{Closed, Pending};
    let id = |e: &swf_model::WorkflowExecution| e.workflow_id.clone();
    Some(match attributes {
        EventAttributes::StartChildWorkflowExecutionInitiated(a) => {
            (a.workflow_id.clone(), Pending)
        }
        EventAttributes::StartChildWorkflowExecutionFailed(a) => (
            a.workflow_id.clone(),
            Closed(Err(ChildFailure::StartFailed(a.cause.as_str().to_owned()))),
        ),
        EventAttributes::ChildWorkflowExecutionCompleted(a) => {
            (id(&a.workflow_execution), Closed(Ok(a.result.clone())))
        }
        EventAttributes::ChildWorkflowExecutionFailed(a) => (
            id(&a.workflow_execution),
            Closed(Err(ChildFailure::Failed {
                reason: a.reason.clone(),
                details: a.details.clone(),
            })),
        ),
        EventAttributes::ChildWorkflowExecutionTimedOut(a) => (
            id(&a.workflow_execution),
            Closed(Err(ChildFailure::TimedOut)),
        ),
        EventAttributes::ChildWorkflowExecutionCanceled(a) => (
            id(&a.workflow_execution),
            Closed(Err(ChildFailure::Canceled(a.details.clone()))),
        ),
        EventAttributes::ChildWorkflowExecutionTerminated(a) => (
            id(&a.workflow_execution),
            Closed(Err(ChildFailure::Terminated)),
        ),
        _ => return None,
    })
}

/// FNV-1a over two byte strings: a stable, dependency-free seed for the retry jitter.
fn fnv1a(a: &[u8], b: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in a.iter().chain([0u8].iter()).chain(b) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}
