//! The timeline of a history page: decision tasks, activity attempts, timers and child
//! workflows as bars on a time axis (scheduled → started → closed), drawn as inline SVG. Built
//! from typed swf-model events; a leaf.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use swf_model::{EventAttributes, HistoryEvent};

use super::html::escape;

/// One bar: a lane, when it was scheduled, started and closed (seconds), and how it ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bar {
    pub(crate) lane: String,
    pub(crate) scheduled: f64,
    pub(crate) started: Option<f64>,
    pub(crate) closed: Option<f64>,
    pub(crate) outcome: &'static str,
}

/// The bars of `events`, keyed by the event that opened them; rows in first-seen order.
pub(crate) fn bars(events: &[HistoryEvent]) -> Vec<Bar> {
    let mut open: BTreeMap<i64, Bar> = BTreeMap::new();
    let at = |event: &HistoryEvent| event.event_timestamp;
    for event in events {
        let mut begin = |lane: String| {
            open.insert(
                event.event_id,
                Bar {
                    lane,
                    scheduled: at(event),
                    started: None,
                    closed: None,
                    outcome: "open",
                },
            );
        };
        use EventAttributes as E;
        match &event.attributes {
            E::DecisionTaskScheduled(_) => begin("decision tasks".into()),
            E::ActivityTaskScheduled(a) => begin(format!("activity {}", a.activity_id)),
            E::TimerStarted(t) => begin(format!("timer {}", t.timer_id)),
            E::StartChildWorkflowExecutionInitiated(c) => begin(format!("child {}", c.workflow_id)),
            _ => {}
        }
        let (key, started, outcome) = match &event.attributes {
            E::DecisionTaskStarted(d) => (d.scheduled_event_id, true, "open"),
            E::DecisionTaskCompleted(d) => (d.scheduled_event_id, false, "completed"),
            E::DecisionTaskTimedOut(d) => (d.scheduled_event_id, false, "timed-out"),
            E::ActivityTaskStarted(a) => (a.scheduled_event_id, true, "open"),
            E::ActivityTaskCompleted(a) => (a.scheduled_event_id, false, "completed"),
            E::ActivityTaskFailed(a) => (a.scheduled_event_id, false, "failed"),
            E::ActivityTaskTimedOut(a) => (a.scheduled_event_id, false, "timed-out"),
            E::ActivityTaskCanceled(a) => (a.scheduled_event_id, false, "canceled"),
            E::TimerFired(t) => (t.started_event_id, false, "completed"),
            E::TimerCanceled(t) => (t.started_event_id, false, "canceled"),
            E::ChildWorkflowExecutionStarted(c) => (c.initiated_event_id, true, "open"),
            E::ChildWorkflowExecutionCompleted(c) => (c.initiated_event_id, false, "completed"),
            E::ChildWorkflowExecutionFailed(c) => (c.initiated_event_id, false, "failed"),
            E::ChildWorkflowExecutionTimedOut(c) => (c.initiated_event_id, false, "timed-out"),
            E::ChildWorkflowExecutionCanceled(c) => (c.initiated_event_id, false, "canceled"),
            E::ChildWorkflowExecutionTerminated(c) => (c.initiated_event_id, false, "failed"),
            _ => continue,
        };
        if let Some(bar) = open.get_mut(&key) {
            if started {
                bar.started = Some(at(event));
            } else {
                bar.closed = Some(at(event));
                bar.outcome = outcome;
            }
        }
    }
    open.into_values().collect()
}

/// The SVG of `bars` between `start` and `end` (seconds): one row per lane, a time axis with
/// ticks, a light segment while scheduled and a solid one while running.
pub(crate) fn svg(bars: &[Bar], start: f64, end: f64) -> String {
    let mut lanes: Vec<&str> = Vec::new();
    for bar in bars {
        if !lanes.contains(&bar.lane.as_str()) {
            lanes.push(&bar.lane);
        }
    }
    let (label_width, width, row) = (220.0, 960.0, 22.0);
    let span = (end - start).max(0.001);
    let x = |t: f64| label_width + (t - start) / span * (width - label_width - 10.0);
    let height = row * lanes.len() as f64 + 30.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="timeline">"#
    );
    for (index, lane) in lanes.iter().enumerate() {
        let y = index as f64 * row;
        let _ = write!(
            out,
            r#"<text x="4" y="{}" class="lane">{}</text>"#,
            y + 15.0,
            escape(lane)
        );
    }
    for bar in bars {
        let index = lanes.iter().position(|l| *l == bar.lane).unwrap_or(0);
        let y = index as f64 * row + 4.0;
        let until = bar.closed.unwrap_or(end);
        let running_from = bar.started.unwrap_or(until);
        let _ = write!(
            out,
            r#"<rect class="waiting" x="{:.1}" y="{y}" width="{:.1}" height="14"/>"#,
            x(bar.scheduled),
            (x(running_from) - x(bar.scheduled)).max(1.0)
        );
        if bar.started.is_some() {
            let _ = write!(
                out,
                r#"<rect class="bar {}" x="{:.1}" y="{y}" width="{:.1}" height="14"><title>{}: {}</title></rect>"#,
                bar.outcome,
                x(running_from),
                (x(until) - x(running_from)).max(2.0),
                escape(&bar.lane),
                bar.outcome
            );
        }
    }
    let axis = row * lanes.len() as f64 + 4.0;
    let _ = write!(
        out,
        r#"<line x1="{label_width}" y1="{axis}" x2="{}" y2="{axis}" class="axis"/>"#,
        width - 10.0
    );
    for tick in 0..=4 {
        let t = start + span * f64::from(tick) / 4.0;
        let label = if span < 1.0 {
            format!("+{:.0}ms", (t - start) * 1000.0)
        } else {
            format!("+{:.1}s", t - start)
        };
        let anchor = match tick {
            0 => "start",
            4 => "end",
            _ => "middle",
        };
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{}" text-anchor="{anchor}" class="tick">{label}</text>"#,
            x(t),
            axis + 16.0,
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: i64, at: f64, json: serde_json::Value) -> HistoryEvent {
        let mut value = json;
        value["eventId"] = id.into();
        value["eventTimestamp"] = at.into();
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn attempts_timers_and_decisions_become_bars() {
        let events = vec![
            event(
                1,
                10.0,
                serde_json::json!({"eventType": "DecisionTaskScheduled",
                "decisionTaskScheduledEventAttributes": {"taskList": {"name": "d"}}}),
            ),
            event(
                2,
                11.0,
                serde_json::json!({"eventType": "DecisionTaskStarted",
                "decisionTaskStartedEventAttributes": {"scheduledEventId": 1}}),
            ),
            event(
                3,
                12.0,
                serde_json::json!({"eventType": "DecisionTaskCompleted",
                "decisionTaskCompletedEventAttributes": {"scheduledEventId": 1, "startedEventId": 2}}),
            ),
            event(
                4,
                12.0,
                serde_json::json!({"eventType": "TimerStarted",
                "timerStartedEventAttributes": {"timerId": "t1", "startToFireTimeout": "5",
                "decisionTaskCompletedEventId": 3}}),
            ),
            event(
                5,
                17.0,
                serde_json::json!({"eventType": "TimerFired",
                "timerFiredEventAttributes": {"timerId": "t1", "startedEventId": 4}}),
            ),
        ];
        let bars = bars(&events);
        assert_eq!(bars.len(), 2);
        assert_eq!(bars[0].lane, "decision tasks");
        assert_eq!((bars[0].started, bars[0].closed), (Some(11.0), Some(12.0)));
        assert_eq!(bars[1].lane, "timer t1");
        assert_eq!(bars[1].outcome, "completed");
        let svg = svg(&bars, 10.0, 17.0);
        assert!(svg.starts_with("<svg") && svg.contains("timer t1") && svg.contains("+7.0s"));
    }
}
