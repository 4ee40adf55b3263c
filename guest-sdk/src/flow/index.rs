//! The history of one decision task, indexed once (one pass over the events) for the requests
//! of a replay: activities, timers, signals, markers and child workflows with the event ids
//! that answered them, and the steps the history holds, which the code must ask for again.
//! An index can be extended with later events of the same run (a warm instance's next task).

use std::collections::HashMap;

use swf_model::EventAttributes;

use super::failure::ChildFailure;
use crate::history::activity_transition;
use crate::{ActivityState, DecisionTask};

/// A step of the history, by what identifies it on replay.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum StepKey {
    Activity(String),
    Timer(String),
    Child(String),
    /// A marker name and its ordinal (1-based) among the markers of that name.
    Marker(String, usize),
}

/// A step the history holds: where, and how it reads in a non-determinism error.
#[derive(Debug, Clone)]
pub(super) struct HistoryStep {
    pub event_id: i64,
    pub description: String,
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
    pub activities: HashMap<String, ActivityRecord>,
    pub timers_fired: HashMap<String, i64>,
    /// Signal name, input, event id, in history order.
    pub signals: Vec<(String, Option<String>, i64)>,
    /// Marker name, details, event id, in history order.
    pub markers: Vec<(String, Option<String>, i64)>,
    /// Child workflow id → its latest state and the event that set it.
    pub children: HashMap<String, (ChildState, i64)>,
    /// Every step of the history by key (the latest, for a key scheduled more than once).
    pub steps: HashMap<StepKey, HistoryStep>,
    /// The ids of the DecisionTaskStarted events, in order.
    pub decision_starts: Vec<i64>,
    /// ActivityTaskScheduled event id → activity id, for the events that close an attempt.
    scheduled: HashMap<i64, String>,
    /// Markers seen so far by name.
    marker_counts: HashMap<String, usize>,
    /// How many events are indexed.
    pub indexed: usize,
}

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
                        index.step(
                            StepKey::Timer(a.timer_id.clone()),
                            id,
                            describe_timer(&a.timer_id),
                        );
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
                    let count = index
                        .marker_counts
                        .entry(a.marker_name.clone())
                        .or_insert(0);
                    *count += 1;
                    let n = *count;
                    index.step(
                        StepKey::Marker(a.marker_name.clone(), n),
                        id,
                        describe_marker(&a.marker_name, n),
                    );
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
        let described = describe_activity(name, version, activity_id);
        self.step(StepKey::Activity(activity_id.to_owned()), id, described);
    }

    fn child_step(&mut self, workflow_id: &str, workflow_type: &swf_model::WorkflowType, id: i64) {
        let (name, version) = (&workflow_type.name, &workflow_type.version);
        let described = describe_child(name, version, workflow_id);
        self.step(StepKey::Child(workflow_id.to_owned()), id, described);
    }

    fn step(&mut self, key: StepKey, event_id: i64, description: String) {
        self.steps.insert(
            key,
            HistoryStep {
                event_id,
                description,
            },
        );
    }
}

/// How an activity step reads in a non-determinism error.
pub(super) fn describe_activity(name: &str, version: &str, activity_id: &str) -> String {
    format!("activity {name} {version} ({activity_id})")
}

/// How a timer step reads in a non-determinism error.
pub(super) fn describe_timer(timer_id: &str) -> String {
    format!("timer {timer_id}")
}

/// How a child workflow step reads in a non-determinism error.
pub(super) fn describe_child(name: &str, version: &str, workflow_id: &str) -> String {
    format!("child workflow {name} {version} ({workflow_id})")
}

/// How a marker step reads in a non-determinism error.
pub(super) fn describe_marker(name: &str, ordinal: usize) -> String {
    format!("marker {name} #{ordinal}")
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
