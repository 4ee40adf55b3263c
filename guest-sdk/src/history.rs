//! Typed queries over a decision task's history.
//!
//! [`DecisionTask`] wraps the PollForDecisionTask response the host passed in (always the
//! complete history) and answers the questions a decider asks on every task: which events are
//! new since the last decision, what the workflow input was, and where each activity stands.

use std::ops::Deref;

use swf_model::{EventAttributes, HistoryEvent};

/// A decision task: the workflow execution, its type and its complete history.
///
/// Dereferences to [`swf_model::DecisionTask`] for the raw fields.
#[derive(Debug, Clone)]
pub struct DecisionTask {
    raw: swf_model::DecisionTask,
    /// How many leading events an earlier task of this instance held (see `carried_over`).
    carried: usize,
}

/// Where one activity (by activity id) stands, derived from the history.
///
/// When the same id was scheduled more than once (a retry after the earlier attempt closed),
/// this describes the latest attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum ActivityState {
    /// Scheduled, not yet picked up by a worker.
    Scheduled,
    /// A worker is running it.
    Started,
    /// Finished with a result.
    Completed {
        /// The activity's result.
        result: Option<String>,
    },
    /// Failed with SWF's reason and details.
    Failed {
        /// Failure reason.
        reason: Option<String>,
        /// Failure details.
        details: Option<String>,
    },
    /// Timed out.
    TimedOut {
        /// `START_TO_CLOSE`, `SCHEDULE_TO_START`, `SCHEDULE_TO_CLOSE` or `HEARTBEAT`.
        timeout_type: String,
        /// Details of the last heartbeat.
        details: Option<String>,
    },
    /// Canceled.
    Canceled {
        /// Details given by the worker.
        details: Option<String>,
    },
    /// SWF refused to schedule it (the `ScheduleActivityTaskFailed` cause).
    ScheduleFailed {
        /// Why scheduling failed, e.g. `ACTIVITY_TYPE_DOES_NOT_EXIST`.
        cause: String,
    },
}

impl ActivityState {
    /// True once the activity can make no more progress (completed, failed, timed out,
    /// canceled or never scheduled).
    pub fn is_closed(&self) -> bool {
        !matches!(self, Self::Scheduled | Self::Started)
    }
}

impl DecisionTask {
    /// Wraps a parsed decision task.
    pub fn new(raw: swf_model::DecisionTask) -> Self {
        Self { raw, carried: 0 }
    }

    /// Makes this task (the previous one of a warm instance) the run's next one: `next` is
    /// that task as `decide-since` hands it over, with only the events after this one's.
    /// Fails, leaving this task as it was, when `next` is of another run or its events do not
    /// follow on.
    pub fn continue_with(&mut self, next: swf_model::DecisionTask) -> Result<(), String> {
        let run = &self.raw.workflow_execution.run_id;
        let last = self.raw.events.last().map_or(0, |e| e.event_id);
        let first = next.events.first().map(|e| e.event_id);
        if next.workflow_execution.run_id != *run || first.is_some_and(|f| f != last + 1) {
            return Err(format!(
                "the task (run {}, events from {first:?}) does not continue this instance's                  (run {run}, events up to {last})",
                next.workflow_execution.run_id
            ));
        }
        let carried = self.raw.events.len();
        let mut events = std::mem::take(&mut self.raw.events);
        events.extend(next.events);
        self.raw = swf_model::DecisionTask { events, ..next };
        self.carried = carried;
        Ok(())
    }

    /// How many of the leading events an earlier task of this instance already held (0 unless
    /// made by [`continue_with`](Self::continue_with)): code that derives state from the
    /// history can update it with the rest rather than derive it again.
    pub fn carried_over(&self) -> usize {
        self.carried
    }

    /// Parses the JSON the host passes to `decide`.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json).map(Self::new)
    }

    /// The raw task.
    pub fn raw(&self) -> &swf_model::DecisionTask {
        &self.raw
    }

    /// The complete history, oldest first.
    pub fn events(&self) -> &[HistoryEvent] {
        &self.raw.events
    }

    /// Events recorded since the previous decision task this decider completed (all events on
    /// the first task): what this decision must react to.
    pub fn new_events(&self) -> impl DoubleEndedIterator<Item = &HistoryEvent> {
        let previous = self.raw.previous_started_event_id;
        self.events().iter().filter(move |e| e.event_id > previous)
    }

    /// Events that are not decision-task bookkeeping (`DecisionTask*`): the workflow's own
    /// story, as the seed's HelloDecider filters it.
    pub fn workflow_events(&self) -> impl DoubleEndedIterator<Item = &HistoryEvent> {
        self.events()
            .iter()
            .filter(|e| !e.event_type().starts_with("DecisionTask"))
    }

    /// The most recent event of the history.
    pub fn latest_event(&self) -> Option<&HistoryEvent> {
        self.events().last()
    }

    /// The workflow execution's input, from its `WorkflowExecutionStarted` event.
    pub fn input(&self) -> Option<&str> {
        self.events().iter().find_map(|e| match &e.attributes {
            EventAttributes::WorkflowExecutionStarted(a) => a.input.as_deref(),
            _ => None,
        })
    }

    /// The workflow input parsed as JSON into `T`.
    pub fn input_json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.input().unwrap_or("null"))
    }

    /// Where the activity with `activity_id` stands, or `None` if it was never scheduled.
    pub fn activity(&self, activity_id: &str) -> Option<ActivityState> {
        let mut state = None;
        let mut scheduled_id = None;
        for event in self.events() {
            match &event.attributes {
                EventAttributes::ActivityTaskScheduled(a) if a.activity_id == activity_id => {
                    scheduled_id = Some(event.event_id);
                    state = Some(ActivityState::Scheduled);
                }
                EventAttributes::ScheduleActivityTaskFailed(a) if a.activity_id == activity_id => {
                    scheduled_id = None;
                    state = Some(ActivityState::ScheduleFailed {
                        cause: a.cause.as_str().to_owned(),
                    });
                }
                other => {
                    if let Some((of, next)) = activity_transition(other)
                        && Some(of) == scheduled_id
                    {
                        state = Some(next);
                    }
                }
            }
        }
        state
    }
}

/// The state an activity event puts its activity in, with the activity's scheduled event id
/// (`None` for events that are not about a scheduled activity).
pub(crate) fn activity_transition(attributes: &EventAttributes) -> Option<(i64, ActivityState)> {
    Some(match attributes {
        EventAttributes::ActivityTaskStarted(a) => (a.scheduled_event_id, ActivityState::Started),
        EventAttributes::ActivityTaskCompleted(a) => (
            a.scheduled_event_id,
            ActivityState::Completed {
                result: a.result.clone(),
            },
        ),
        EventAttributes::ActivityTaskFailed(a) => (
            a.scheduled_event_id,
            ActivityState::Failed {
                reason: a.reason.clone(),
                details: a.details.clone(),
            },
        ),
        EventAttributes::ActivityTaskTimedOut(a) => (
            a.scheduled_event_id,
            ActivityState::TimedOut {
                timeout_type: a.timeout_type.as_str().to_owned(),
                details: a.details.clone(),
            },
        ),
        EventAttributes::ActivityTaskCanceled(a) => (
            a.scheduled_event_id,
            ActivityState::Canceled {
                details: a.details.clone(),
            },
        ),
        _ => return None,
    })
}

impl Deref for DecisionTask {
    type Target = swf_model::DecisionTask;

    fn deref(&self) -> &Self::Target {
        &self.raw
    }
}
