//! The history of one decision task, indexed once (one pass over the events) for the requests
//! of a replay: activities, timers, signals, markers and child workflows with the event ids
//! that answered them, and the steps the history holds, which the code must ask for again.
//! An index can be extended with later events of the same run (a warm instance's next task).
//!
//! Steps are looked up by borrowed ids and compared by their fields, so a replayed step costs
//! no allocation; the text of a step is only written for a non-determinism error.

use std::any::TypeId;
use std::collections::HashMap;
use std::fmt;

use serde::de::DeserializeOwned;

use swf_model::EventAttributes;

use super::failure::{ActivityFailure, ChildFailure};
use crate::history::activity_transition;
use crate::{ActivityState, DecisionTask};

/// A step by what identifies it on replay: its kind and id.
#[derive(Debug, Clone, Copy)]
pub(super) enum StepKey<'a> {
    Activity(&'a str),
    Timer(&'a str),
    Child(&'a str),
    /// A marker name and its ordinal (1-based) among the markers of that name.
    Marker(&'a str, usize),
}

/// A step with, for an activity or a child workflow, its type (name, version): what the code
/// asks for, or what the history holds. It displays as it reads in a non-determinism error.
#[derive(Debug, Clone, Copy)]
pub(super) struct StepRef<'a> {
    pub key: StepKey<'a>,
    pub ty: Option<(&'a str, &'a str)>,
}

impl<'a> StepRef<'a> {
    pub fn activity(activity_id: &'a str, name: &'a str, version: &'a str) -> Self {
        Self {
            key: StepKey::Activity(activity_id),
            ty: Some((name, version)),
        }
    }

    pub fn timer(timer_id: &'a str) -> Self {
        Self {
            key: StepKey::Timer(timer_id),
            ty: None,
        }
    }

    pub fn child(workflow_id: &'a str, name: &'a str, version: &'a str) -> Self {
        Self {
            key: StepKey::Child(workflow_id),
            ty: Some((name, version)),
        }
    }

    pub fn marker(name: &'a str, ordinal: usize) -> Self {
        Self {
            key: StepKey::Marker(name, ordinal),
            ty: None,
        }
    }
}

impl fmt::Display for StepRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, version) = self.ty.unwrap_or_default();
        match self.key {
            StepKey::Activity(id) => write!(f, "activity {name} {version} ({id})"),
            StepKey::Timer(id) => write!(f, "timer {id}"),
            StepKey::Child(id) => write!(f, "child workflow {name} {version} ({id})"),
            StepKey::Marker(name, ordinal) => write!(f, "marker {name} #{ordinal}"),
        }
    }
}

/// Whether a history step of type `held` is what the code asks for as type `asked`: whether
/// both read the same in a step's text (`<name> <version>`), which is what the flow APIs of
/// every language compare. Equal fields are the common case, and read the same.
fn same_type(held: Option<(&str, &str)>, asked: Option<(&str, &str)>) -> bool {
    fn text<'a>((name, version): (&'a str, &'a str)) -> impl Iterator<Item = u8> + 'a {
        name.bytes().chain([b' ']).chain(version.bytes())
    }
    held == asked
        || held
            .zip(asked)
            .is_some_and(|(held, asked)| text(held).eq(text(asked)))
}

/// A step the history holds: where, and its type (activities and child workflows).
#[derive(Debug, Clone)]
pub(super) struct HistoryStep {
    pub event_id: i64,
    ty: Option<(String, String)>,
    /// The number of the last replay that asked for it (see [`Steps::replay`]).
    claimed_in: u64,
}

impl HistoryStep {
    fn ty(&self) -> Option<(&str, &str)> {
        self.ty
            .as_ref()
            .map(|(name, version)| (name.as_str(), version.as_str()))
    }
}

/// Every step of the history by kind and id (the latest, for an id scheduled more than once),
/// and how many of them the current replay asked for again: when that is all of them, the
/// verdict of the replay needs no pass over the steps.
#[derive(Default)]
pub(super) struct Steps {
    activities: Map<String, HistoryStep>,
    timers: Map<String, HistoryStep>,
    children: Map<String, HistoryStep>,
    /// By marker name, in ordinal order.
    markers: Map<String, Vec<HistoryStep>>,
    /// How many steps there are.
    len: usize,
    /// The number of the current replay: the steps it asked for have it as `claimed_in`, so
    /// starting a replay clears no step.
    replay: u64,
    /// How many steps the current replay asked for.
    claimed: usize,
}

impl Steps {
    /// Starts a replay: no step is asked for yet.
    pub fn begin_replay(&mut self) {
        self.replay += 1;
        self.claimed = 0;
    }

    /// Whether the history holds an activity step under `activity_id`.
    pub fn holds_activity(&self, activity_id: &str) -> bool {
        self.activities.contains_key(activity_id)
    }

    /// The code asks for `asked`: true if the history holds it (it is now claimed by this
    /// replay), false if the history holds no step under its key. Fails with the event id and
    /// the text of the history's step under that key when that step is something else.
    pub fn claim(&mut self, asked: StepRef<'_>) -> Result<bool, (i64, String)> {
        let replay = self.replay;
        let step = match asked.key {
            StepKey::Activity(id) => self.activities.get_mut(id),
            StepKey::Timer(id) => self.timers.get_mut(id),
            StepKey::Child(id) => self.children.get_mut(id),
            StepKey::Marker(name, ordinal) => self
                .markers
                .get_mut(name)
                .and_then(|steps| steps.get_mut(ordinal.checked_sub(1)?)),
        };
        let Some(step) = step else {
            return Ok(false);
        };
        if !same_type(step.ty(), asked.ty) {
            let held = StepRef {
                key: asked.key,
                ty: step.ty(),
            };
            return Err((step.event_id, held.to_string()));
        }
        let first_ask = step.claimed_in != replay;
        step.claimed_in = replay;
        if first_ask {
            self.claimed += 1;
        }
        Ok(true)
    }

    /// The step with the lowest event id the current replay did not ask for, with its text.
    pub fn first_unclaimed(&self) -> Option<(i64, String)> {
        if self.claimed == self.len {
            return None;
        }
        fn by_id<'s>(
            steps: &'s Map<String, HistoryStep>,
            key: fn(&'s str) -> StepKey<'s>,
        ) -> impl Iterator<Item = (StepKey<'s>, &'s HistoryStep)> {
            steps.iter().map(move |(id, step)| (key(id), step))
        }
        let markers = self.markers.iter().flat_map(|(name, steps)| {
            (1..)
                .zip(steps)
                .map(|(ordinal, step)| (StepKey::Marker(name, ordinal), step))
        });
        by_id(&self.activities, StepKey::Activity)
            .chain(by_id(&self.timers, StepKey::Timer))
            .chain(by_id(&self.children, StepKey::Child))
            .chain(markers)
            .filter(|(_, step)| step.claimed_in != self.replay)
            .min_by_key(|(_, step)| step.event_id)
            .map(|(key, step)| {
                let held = StepRef { key, ty: step.ty() };
                (step.event_id, held.to_string())
            })
    }

    /// Adds the step `held` by event `event_id`, in place of an earlier one under its key (a
    /// marker is the next of its name).
    fn record(&mut self, held: StepRef<'_>, event_id: i64) {
        let step = HistoryStep {
            event_id,
            ty: held
                .ty
                .map(|(name, version)| (name.to_owned(), version.to_owned())),
            claimed_in: 0,
        };
        let replaced = match held.key {
            StepKey::Activity(id) => self.activities.insert(id.to_owned(), step),
            StepKey::Timer(id) => self.timers.insert(id.to_owned(), step),
            StepKey::Child(id) => self.children.insert(id.to_owned(), step),
            StepKey::Marker(name, _) => {
                self.markers.entry(name.to_owned()).or_default().push(step);
                None
            }
        };
        if replaced.is_none() {
            self.len += 1;
        }
    }

    /// How many markers `name` the history holds.
    fn marker_count(&self, name: &str) -> usize {
        self.markers.get(name).map_or(0, Vec::len)
    }
}

/// An activity id's latest scheduling and where it stands, with the event that got it there.
#[derive(Debug, Clone)]
pub(super) struct ActivityRecord {
    pub state: ActivityState,
    pub event_id: i64,
}

/// Where a child workflow stands.
#[derive(Debug, Clone)]
pub(super) enum ChildState {
    Pending,
    Closed(Result<Option<String>, ChildFailure>),
}

/// The indexed history; see the module docs.
#[derive(Default)]
pub(super) struct Index {
    pub activities: Map<String, ActivityRecord>,
    pub timers_fired: Map<String, i64>,
    /// Signal name, input, event id, in history order.
    pub signals: Vec<(String, Option<String>, i64)>,
    /// Marker name, details, event id, in history order.
    pub markers: Vec<(String, Option<String>, i64)>,
    /// Child workflow id → its latest state and the event that set it.
    pub children: Map<String, (ChildState, i64)>,
    /// Every step of the history.
    pub steps: Steps,
    /// The ids of the DecisionTaskStarted events, in order.
    pub decision_starts: Vec<i64>,
    /// ActivityTaskScheduled event id → activity id, for the events that close an attempt.
    scheduled: Map<i64, String>,
    /// Activity results a type could not read.
    pub unreadable: UnreadableResults,
    /// How many events are indexed.
    pub indexed: usize,
}

/// Activity results a type could not read, by the event that answered them: the type and the
/// problem. A replay reads a result again on every step; reading one that cannot be read once
/// per type spares building and formatting the same serde_json error each time.
#[derive(Default)]
pub(super) struct UnreadableResults(Map<i64, (TypeId, String)>);

impl UnreadableResults {
    /// Reads `result`, which event `event_id` answered, as JSON of type `O` (`null` when
    /// absent).
    pub fn read<O: DeserializeOwned + 'static>(
        &mut self,
        event_id: i64,
        result: Option<&str>,
    ) -> Result<O, ActivityFailure> {
        let ty = TypeId::of::<O>();
        if let Some((kept, problem)) = self.0.get(&event_id)
            && *kept == ty
        {
            return Err(ActivityFailure::BadResult(problem.clone()));
        }
        serde_json::from_str(result.unwrap_or("null")).map_err(|e| {
            let problem = e.to_string();
            self.0.insert(event_id, (ty, problem.clone()));
            ActivityFailure::BadResult(problem)
        })
    }
}

/// The index's maps. Their keys are ids from the history and the workflow's own calls, looked
/// up on every replayed step: a fast hash with a fixed seed (SipHash's protection against
/// chosen keys is not needed for a plugin's own data, and a fixed seed keeps it deterministic).
pub(super) type Map<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// Timers whose ids start with this are the flow API's own (the batch timer), not steps.
pub(super) const OWN_TIMER_PREFIX: &str = "swfwasm.";

impl Index {
    pub fn new(task: &DecisionTask) -> Self {
        let mut index = Index::default();
        index.extend(task.events());
        index
    }

    /// Indexes `events`, which follow those indexed so far.
    pub fn extend(&mut self, events: &[swf_model::HistoryEvent]) {
        let index = self;
        index.indexed += events.len();
        for event in events {
            let id = event.event_id;
            match &event.attributes {
                EventAttributes::ActivityTaskScheduled(a) => {
                    index.scheduled.insert(id, a.activity_id.clone());
                    index.activity(&a.activity_id, ActivityState::Scheduled, id);
                    index.activity_step(&a.activity_id, &a.activity_type, id);
                }
                EventAttributes::ScheduleActivityTaskFailed(a) => {
                    let cause = a.cause.as_str().to_owned();
                    index.activity(&a.activity_id, ActivityState::ScheduleFailed { cause }, id);
                    index.activity_step(&a.activity_id, &a.activity_type, id);
                }
                EventAttributes::TimerStarted(a) => {
                    if !a.timer_id.starts_with(OWN_TIMER_PREFIX) {
                        index.steps.record(StepRef::timer(&a.timer_id), id);
                    }
                }
                EventAttributes::TimerFired(a) => {
                    index.timers_fired.insert(a.timer_id.clone(), id);
                }
                EventAttributes::DecisionTaskStarted(_) => index.decision_starts.push(id),
                EventAttributes::WorkflowExecutionSignaled(a) => {
                    index
                        .signals
                        .push((a.signal_name.clone(), a.input.clone(), id));
                }
                EventAttributes::MarkerRecorded(a) => {
                    let ordinal = index.steps.marker_count(&a.marker_name) + 1;
                    let marker = StepRef::marker(&a.marker_name, ordinal);
                    index.steps.record(marker, id);
                    index
                        .markers
                        .push((a.marker_name.clone(), a.details.clone(), id));
                }
                EventAttributes::StartChildWorkflowExecutionInitiated(a) => {
                    index.child_step(&a.workflow_id, &a.workflow_type, id);
                    index
                        .children
                        .insert(a.workflow_id.clone(), (ChildState::Pending, id));
                }
                EventAttributes::StartChildWorkflowExecutionFailed(a) => {
                    index.child_step(&a.workflow_id, &a.workflow_type, id);
                    let failure = ChildFailure::StartFailed(a.cause.as_str().to_owned());
                    index.children.insert(
                        a.workflow_id.clone(),
                        (ChildState::Closed(Err(failure)), id),
                    );
                }
                other => {
                    if let Some((of, state)) = activity_transition(other) {
                        if let Some(activity_id) = index.scheduled.get(&of).cloned() {
                            index.activity(&activity_id, state, id);
                        }
                    } else if let Some((child, state)) = child_transition(other) {
                        index.children.insert(child, (state, id));
                    }
                }
            }
        }
    }

    fn activity(&mut self, activity_id: &str, state: ActivityState, event_id: i64) {
        self.activities
            .insert(activity_id.to_owned(), ActivityRecord { state, event_id });
    }

    fn activity_step(
        &mut self,
        activity_id: &str,
        activity_type: &swf_model::ActivityType,
        id: i64,
    ) {
        let (name, version) = (&activity_type.name, &activity_type.version);
        self.steps
            .record(StepRef::activity(activity_id, name, version), id);
    }

    fn child_step(&mut self, workflow_id: &str, workflow_type: &swf_model::WorkflowType, id: i64) {
        let (name, version) = (&workflow_type.name, &workflow_type.version);
        self.steps
            .record(StepRef::child(workflow_id, name, version), id);
    }
}

/// The child workflow (by workflow id) a closing event is about, and where that leaves it.
fn child_transition(attributes: &EventAttributes) -> Option<(String, ChildState)> {
    use ChildState::Closed;
    let (execution, outcome) = match attributes {
        EventAttributes::ChildWorkflowExecutionCompleted(a) => {
            (&a.workflow_execution, Ok(a.result.clone()))
        }
        EventAttributes::ChildWorkflowExecutionFailed(a) => (
            &a.workflow_execution,
            Err(ChildFailure::Failed {
                reason: a.reason.clone(),
                details: a.details.clone(),
            }),
        ),
        EventAttributes::ChildWorkflowExecutionTimedOut(a) => {
            (&a.workflow_execution, Err(ChildFailure::TimedOut))
        }
        EventAttributes::ChildWorkflowExecutionCanceled(a) => (
            &a.workflow_execution,
            Err(ChildFailure::Canceled(a.details.clone())),
        ),
        EventAttributes::ChildWorkflowExecutionTerminated(a) => {
            (&a.workflow_execution, Err(ChildFailure::Terminated))
        }
        _ => return None,
    };
    Some((execution.workflow_id.clone(), Closed(outcome)))
}
