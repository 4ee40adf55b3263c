//! Building decision tasks by hand, to unit-test deciders without a server: start a history,
//! append what happened, and take the decision task a decider would receive.
//!
//! ```
//! use serde_json::json;
//! use swfwasm_guest::testing::History;
//!
//! let mut history = History::started("\"World\"");
//! let scheduled = history.scheduled("Greet-1", "Greet", "1.0");
//! history.finished(scheduled, "ActivityTaskCompleted", json!({"result": "\"Hi\""}));
//! let task = history.task();
//! assert_eq!(task.events().len(), 9);
//! ```

use serde_json::{Value, json};

use crate::DecisionTask;

/// A history under construction; every method appends events as SWF would record them.
#[derive(Debug, Clone)]
pub struct History(Vec<Value>);

impl History {
    /// WorkflowExecutionStarted with `input`, then the first decision task (scheduled, started).
    pub fn started(input: &str) -> History {
        let mut history = History(Vec::new());
        history.push(
            "WorkflowExecutionStarted",
            json!({"input": input, "childPolicy": "TERMINATE", "taskList": {"name": "decisions"},
                   "workflowType": {"name": "Workflow", "version": "1"}}),
        );
        history.decision_task();
        history
    }

    /// Appends an event of `event_type` with `attributes`; returns its id.
    pub fn push(&mut self, event_type: &str, attributes: Value) -> i64 {
        let id = self.0.len() as i64 + 1;
        let key = format!(
            "{}{}EventAttributes",
            event_type[..1].to_lowercase(),
            &event_type[1..]
        );
        self.0.push(
            json!({"eventId": id, "eventTimestamp": 1_700_000_000.0 + id as f64,
            "eventType": event_type, key: attributes}),
        );
        id
    }

    /// DecisionTaskScheduled and DecisionTaskStarted: a decision task is open.
    pub fn decision_task(&mut self) {
        let scheduled = self.push(
            "DecisionTaskScheduled",
            json!({"taskList": {"name": "decisions"}}),
        );
        self.push(
            "DecisionTaskStarted",
            json!({"scheduledEventId": scheduled}),
        );
    }

    /// DecisionTaskCompleted for the open decision task; returns its id.
    pub fn completed(&mut self) -> i64 {
        let started = self.0.len() as i64;
        self.push(
            "DecisionTaskCompleted",
            json!({"scheduledEventId": started - 1, "startedEventId": started}),
        )
    }

    /// Completes the open decision task with ActivityTaskScheduled; returns the scheduled id.
    pub fn scheduled(&mut self, activity_id: &str, name: &str, version: &str) -> i64 {
        let completed = self.completed();
        self.push(
            "ActivityTaskScheduled",
            json!({"activityId": activity_id, "activityType": {"name": name, "version": version},
                   "taskList": {"name": "activities"}, "decisionTaskCompletedEventId": completed}),
        )
    }

    /// ActivityTaskStarted and then `event_type` (Completed, Failed, TimedOut, Canceled) with
    /// `extra` attributes for the activity scheduled as `scheduled`; then a decision task.
    pub fn finished(&mut self, scheduled: i64, event_type: &str, extra: Value) {
        let started = self.push(
            "ActivityTaskStarted",
            json!({"scheduledEventId": scheduled}),
        );
        let mut attributes = json!({"scheduledEventId": scheduled, "startedEventId": started});
        if let (Some(attributes), Some(extra)) = (attributes.as_object_mut(), extra.as_object()) {
            attributes.extend(extra.clone());
        }
        self.push(event_type, attributes);
        self.decision_task();
    }

    /// Completes the open decision task with TimerStarted, then TimerFired and a decision task.
    pub fn timer_fired(&mut self, timer_id: &str) {
        let completed = self.completed();
        let started = self.push(
            "TimerStarted",
            json!({"timerId": timer_id, "startToFireTimeout": "1",
                   "decisionTaskCompletedEventId": completed}),
        );
        self.push(
            "TimerFired",
            json!({"timerId": timer_id, "startedEventId": started}),
        );
        self.decision_task();
    }

    /// WorkflowExecutionSignaled, then a decision task.
    pub fn signaled(&mut self, name: &str, input: Option<&str>) {
        self.push(
            "WorkflowExecutionSignaled",
            json!({"signalName": name, "input": input}),
        );
        self.decision_task();
    }

    /// Number of events so far.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no event was recorded yet (never, after [`History::started`]).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The decision task a decider receives for this history.
    pub fn task(&self) -> DecisionTask {
        DecisionTask::from_json(
            &json!({
                "taskToken": "test", "startedEventId": self.0.len(), "previousStartedEventId": 0,
                "workflowExecution": {"workflowId": "workflow", "runId": "run"},
                "workflowType": {"name": "Workflow", "version": "1"}, "events": self.0})
            .to_string(),
        )
        .expect("a history built here parses")
    }
}
