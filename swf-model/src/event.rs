//! History events: [`HistoryEvent`] and the [`EventAttributes`] union of the 54 event types.
//!
//! On the wire an event is a flat object whose attributes live under a key derived from its type:
//! `{"eventId": 5, "eventTimestamp": 1381095177.855, "eventType": "ActivityTaskScheduled",
//! "activityTaskScheduledEventAttributes": {...}}`. Serde's derive cannot express "the key depends
//! on another member", so the (de)serialization here is hand-written around a table of
//! (event type, attributes key, attributes struct) triples.

use serde::de::{Error as _, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::event_attrs::*;

/// One entry of a run's history.
///
/// Deserializing an event with an `eventType` this crate does not know yields
/// [`EventAttributes::Unknown`] rather than an error, so a history is never unreadable because the
/// service added an event type. A known type whose attributes do not fit their struct is an error
/// whose message names the `eventId` and `eventType`.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    /// Position in the history, starting at 1.
    pub event_id: i64,
    /// When the event was recorded, in seconds since the Unix epoch.
    pub event_timestamp: f64,
    /// The event type together with its attributes.
    pub attributes: EventAttributes,
}

impl HistoryEvent {
    /// The wire `eventType`, e.g. `"ActivityTaskScheduled"`.
    pub fn event_type(&self) -> &str {
        self.attributes.event_type()
    }
}

/// Lists every event type once; expands to the enum, [`EVENT_TYPES`] and the per-type dispatch.
///
/// A row is `Variant "attributesKey" AttributesStruct needs_decision_task`, the last column being
/// the "Y" column of the spec's §5 table (see [`EventAttributes::needs_decision_task`]).
macro_rules! event_types {
    ($( $variant:ident $key:literal $attrs:ident $decides:literal, )+) => {
        /// The attributes of a history event, one variant per `eventType`.
        ///
        /// Variants are named exactly like the wire `eventType`. Each attributes struct converts
        /// into its variant with `From`, so code that records events builds the struct, every
        /// member named and checked by the compiler, and converts it:
        ///
        /// ```
        /// use swf_model::{EventAttributes, WorkflowExecutionCompletedEventAttributes};
        ///
        /// let attributes: EventAttributes = WorkflowExecutionCompletedEventAttributes {
        ///     result: Some("done".into()),
        ///     decision_task_completed_event_id: 4,
        /// }
        /// .into();
        /// assert_eq!(attributes.event_type(), "WorkflowExecutionCompleted");
        /// ```
        ///
        /// A misspelt member does not compile (where a JSON object would have carried it to the
        /// wire unnoticed):
        ///
        /// ```compile_fail,E0560
        /// use swf_model::{EventAttributes, WorkflowExecutionCompletedEventAttributes};
        ///
        /// let attributes: EventAttributes = WorkflowExecutionCompletedEventAttributes {
        ///     reslt: Some("done".into()),
        ///     decision_task_completed_event_id: 4,
        /// }
        /// .into();
        /// ```
        #[derive(Debug, Clone, PartialEq)]
        pub enum EventAttributes {
            $(
                #[doc = concat!("`", stringify!($variant), "`, attributes under `", $key, "`.")]
                $variant($attrs),
            )+
            /// An event type this crate does not know.
            Unknown {
                /// The wire `eventType`.
                event_type: String,
                /// The whole event object as received, `eventId` and `eventTimestamp` included.
                /// Serialization writes this object verbatim (ignoring the copies in
                /// [`HistoryEvent`]) so that the event round-trips unchanged.
                raw: Map<String, Value>,
            },
        }

        /// Every event type of the SWF model, in the order of the spec's table.
        pub const EVENT_TYPES: [&str; 54] = [$( stringify!($variant), )+];

        impl EventAttributes {
            /// The wire `eventType`.
            pub fn event_type(&self) -> &str {
                match self {
                    $( Self::$variant(_) => stringify!($variant), )+
                    Self::Unknown { event_type, .. } => event_type,
                }
            }

            /// The wire key holding the attributes (lowerFirst(eventType) + "EventAttributes");
            /// `None` for unknown types.
            pub fn attributes_key(&self) -> Option<&'static str> {
                match self {
                    $( Self::$variant(_) => Some($key), )+
                    Self::Unknown { .. } => None,
                }
            }

            /// Whether recording this event calls for a decision task: SWF schedules one (or, while
            /// one is started, another one after it completes) so that the decider sees the
            /// event. These are the "Y" events of the spec's §5 table: every `…Failed` event
            /// except the run's own `WorkflowExecutionFailed`, the run's start, cancel requests
            /// and signals it receives, decision task timeouts, the results of activities,
            /// timers, children, external signals and cancel requests, and Lambda results.
            /// Events the decider caused itself (`…Scheduled`, `…Started`, `…Initiated`,
            /// markers, the run's close) do not. An unknown event type does not.
            ///
            /// ```
            /// use swf_model::{EventAttributes, TimerFiredEventAttributes, TimerStartedEventAttributes};
            ///
            /// let fired = EventAttributes::from(TimerFiredEventAttributes {
            ///     timer_id: "t1".into(),
            ///     started_event_id: 5,
            /// });
            /// assert!(fired.needs_decision_task());
            /// let started = EventAttributes::from(TimerStartedEventAttributes {
            ///     timer_id: "t1".into(),
            ///     control: None,
            ///     start_to_fire_timeout: "10".into(),
            ///     decision_task_completed_event_id: 4,
            /// });
            /// assert!(!started.needs_decision_task());
            /// ```
            pub fn needs_decision_task(&self) -> bool {
                match self {
                    $( Self::$variant(_) => $decides, )+
                    Self::Unknown { .. } => false,
                }
            }

            /// [`Self::needs_decision_task`] by wire `eventType`; `None` for unknown types.
            #[cfg(test)]
            fn needs_decision_task_of(event_type: &str) -> Option<bool> {
                match event_type {
                    $( stringify!($variant) => Some($decides), )+
                    _ => None,
                }
            }

            /// Writes the attributes entry of a known type; unknown types are written from their
            /// raw object by the caller instead.
            fn serialize_entry<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
                match self {
                    $( Self::$variant(attrs) => map.serialize_entry($key, attrs), )+
                    Self::Unknown { .. } => Ok(()),
                }
            }

            /// Reads the value under `key` straight into its attributes struct when `key` is the
            /// attributes key of a known type (`Ok(None)` for a JSON `null`); `None` when it
            /// is not. Deserializing in one pass, without an intermediate `Value`, is what keeps
            /// parsing a long history cheap, natively and inside wasm guests.
            fn next_attributes<'de, A: MapAccess<'de>>(
                key: &str,
                map: &mut A,
            ) -> Option<Result<Option<Self>, A::Error>> {
                Some(match key {
                    $( $key => map.next_value::<Option<$attrs>>().map(|a| a.map(Self::$variant)), )+
                    _ => return None,
                })
            }

            /// The attributes key of a known event type.
            fn key_of(event_type: &str) -> Option<&'static str> {
                match event_type {
                    $( stringify!($variant) => Some($key), )+
                    _ => None,
                }
            }

            /// Parses buffered attributes of a known type; `null` (or an absent key) reads as
            /// `{}`, since SWF omits empty attribute objects. `None` when the type is unknown.
            fn from_value(event_type: &str, value: Value) -> Option<Result<Self, serde_json::Error>> {
                let value = if value.is_null() { Value::Object(Map::new()) } else { value };
                Some(match event_type {
                    $( stringify!($variant) => serde_json::from_value(value).map(Self::$variant), )+
                    _ => return None,
                })
            }
        }

        $(
            impl From<$attrs> for EventAttributes {
                fn from(attributes: $attrs) -> Self {
                    Self::$variant(attributes)
                }
            }
        )+
    };
}

event_types! {
    WorkflowExecutionStarted "workflowExecutionStartedEventAttributes" WorkflowExecutionStartedEventAttributes true,
    WorkflowExecutionCancelRequested "workflowExecutionCancelRequestedEventAttributes" WorkflowExecutionCancelRequestedEventAttributes true,
    WorkflowExecutionCompleted "workflowExecutionCompletedEventAttributes" WorkflowExecutionCompletedEventAttributes false,
    CompleteWorkflowExecutionFailed "completeWorkflowExecutionFailedEventAttributes" CompleteWorkflowExecutionFailedEventAttributes true,
    WorkflowExecutionFailed "workflowExecutionFailedEventAttributes" WorkflowExecutionFailedEventAttributes false,
    FailWorkflowExecutionFailed "failWorkflowExecutionFailedEventAttributes" FailWorkflowExecutionFailedEventAttributes true,
    WorkflowExecutionTimedOut "workflowExecutionTimedOutEventAttributes" WorkflowExecutionTimedOutEventAttributes false,
    WorkflowExecutionCanceled "workflowExecutionCanceledEventAttributes" WorkflowExecutionCanceledEventAttributes false,
    CancelWorkflowExecutionFailed "cancelWorkflowExecutionFailedEventAttributes" CancelWorkflowExecutionFailedEventAttributes true,
    WorkflowExecutionContinuedAsNew "workflowExecutionContinuedAsNewEventAttributes" WorkflowExecutionContinuedAsNewEventAttributes false,
    ContinueAsNewWorkflowExecutionFailed "continueAsNewWorkflowExecutionFailedEventAttributes" ContinueAsNewWorkflowExecutionFailedEventAttributes true,
    WorkflowExecutionTerminated "workflowExecutionTerminatedEventAttributes" WorkflowExecutionTerminatedEventAttributes false,
    DecisionTaskScheduled "decisionTaskScheduledEventAttributes" DecisionTaskScheduledEventAttributes false,
    DecisionTaskStarted "decisionTaskStartedEventAttributes" DecisionTaskStartedEventAttributes false,
    DecisionTaskCompleted "decisionTaskCompletedEventAttributes" DecisionTaskCompletedEventAttributes false,
    DecisionTaskTimedOut "decisionTaskTimedOutEventAttributes" DecisionTaskTimedOutEventAttributes true,
    ActivityTaskScheduled "activityTaskScheduledEventAttributes" ActivityTaskScheduledEventAttributes false,
    ScheduleActivityTaskFailed "scheduleActivityTaskFailedEventAttributes" ScheduleActivityTaskFailedEventAttributes true,
    ActivityTaskStarted "activityTaskStartedEventAttributes" ActivityTaskStartedEventAttributes false,
    ActivityTaskCompleted "activityTaskCompletedEventAttributes" ActivityTaskCompletedEventAttributes true,
    ActivityTaskFailed "activityTaskFailedEventAttributes" ActivityTaskFailedEventAttributes true,
    ActivityTaskTimedOut "activityTaskTimedOutEventAttributes" ActivityTaskTimedOutEventAttributes true,
    ActivityTaskCanceled "activityTaskCanceledEventAttributes" ActivityTaskCanceledEventAttributes true,
    ActivityTaskCancelRequested "activityTaskCancelRequestedEventAttributes" ActivityTaskCancelRequestedEventAttributes false,
    RequestCancelActivityTaskFailed "requestCancelActivityTaskFailedEventAttributes" RequestCancelActivityTaskFailedEventAttributes true,
    WorkflowExecutionSignaled "workflowExecutionSignaledEventAttributes" WorkflowExecutionSignaledEventAttributes true,
    MarkerRecorded "markerRecordedEventAttributes" MarkerRecordedEventAttributes false,
    RecordMarkerFailed "recordMarkerFailedEventAttributes" RecordMarkerFailedEventAttributes true,
    TimerStarted "timerStartedEventAttributes" TimerStartedEventAttributes false,
    StartTimerFailed "startTimerFailedEventAttributes" StartTimerFailedEventAttributes true,
    TimerFired "timerFiredEventAttributes" TimerFiredEventAttributes true,
    TimerCanceled "timerCanceledEventAttributes" TimerCanceledEventAttributes false,
    CancelTimerFailed "cancelTimerFailedEventAttributes" CancelTimerFailedEventAttributes true,
    StartChildWorkflowExecutionInitiated "startChildWorkflowExecutionInitiatedEventAttributes" StartChildWorkflowExecutionInitiatedEventAttributes false,
    StartChildWorkflowExecutionFailed "startChildWorkflowExecutionFailedEventAttributes" StartChildWorkflowExecutionFailedEventAttributes true,
    ChildWorkflowExecutionStarted "childWorkflowExecutionStartedEventAttributes" ChildWorkflowExecutionStartedEventAttributes true,
    ChildWorkflowExecutionCompleted "childWorkflowExecutionCompletedEventAttributes" ChildWorkflowExecutionCompletedEventAttributes true,
    ChildWorkflowExecutionFailed "childWorkflowExecutionFailedEventAttributes" ChildWorkflowExecutionFailedEventAttributes true,
    ChildWorkflowExecutionTimedOut "childWorkflowExecutionTimedOutEventAttributes" ChildWorkflowExecutionTimedOutEventAttributes true,
    ChildWorkflowExecutionCanceled "childWorkflowExecutionCanceledEventAttributes" ChildWorkflowExecutionCanceledEventAttributes true,
    ChildWorkflowExecutionTerminated "childWorkflowExecutionTerminatedEventAttributes" ChildWorkflowExecutionTerminatedEventAttributes true,
    SignalExternalWorkflowExecutionInitiated "signalExternalWorkflowExecutionInitiatedEventAttributes" SignalExternalWorkflowExecutionInitiatedEventAttributes false,
    SignalExternalWorkflowExecutionFailed "signalExternalWorkflowExecutionFailedEventAttributes" SignalExternalWorkflowExecutionFailedEventAttributes true,
    ExternalWorkflowExecutionSignaled "externalWorkflowExecutionSignaledEventAttributes" ExternalWorkflowExecutionSignaledEventAttributes true,
    RequestCancelExternalWorkflowExecutionInitiated "requestCancelExternalWorkflowExecutionInitiatedEventAttributes" RequestCancelExternalWorkflowExecutionInitiatedEventAttributes false,
    RequestCancelExternalWorkflowExecutionFailed "requestCancelExternalWorkflowExecutionFailedEventAttributes" RequestCancelExternalWorkflowExecutionFailedEventAttributes true,
    ExternalWorkflowExecutionCancelRequested "externalWorkflowExecutionCancelRequestedEventAttributes" ExternalWorkflowExecutionCancelRequestedEventAttributes true,
    LambdaFunctionScheduled "lambdaFunctionScheduledEventAttributes" LambdaFunctionScheduledEventAttributes false,
    LambdaFunctionStarted "lambdaFunctionStartedEventAttributes" LambdaFunctionStartedEventAttributes false,
    LambdaFunctionCompleted "lambdaFunctionCompletedEventAttributes" LambdaFunctionCompletedEventAttributes true,
    LambdaFunctionFailed "lambdaFunctionFailedEventAttributes" LambdaFunctionFailedEventAttributes true,
    LambdaFunctionTimedOut "lambdaFunctionTimedOutEventAttributes" LambdaFunctionTimedOutEventAttributes true,
    ScheduleLambdaFunctionFailed "scheduleLambdaFunctionFailedEventAttributes" ScheduleLambdaFunctionFailedEventAttributes true,
    StartLambdaFunctionFailed "startLambdaFunctionFailedEventAttributes" StartLambdaFunctionFailedEventAttributes true,
}

impl Serialize for HistoryEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let EventAttributes::Unknown { raw, .. } = &self.attributes {
            return raw.serialize(serializer);
        }
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("eventId", &self.event_id)?;
        map.serialize_entry("eventTimestamp", &self.event_timestamp)?;
        map.serialize_entry("eventType", self.event_type())?;
        self.attributes.serialize_entry(&mut map)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for HistoryEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EventVisitor)
    }
}

/// Reads an event in one pass: `eventId`, `eventTimestamp` and `eventType` as they come, a known
/// attributes key straight into its struct, anything else kept raw in case the type turns out
/// to be unknown.
struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = HistoryEvent;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an SWF history event object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HistoryEvent, A::Error> {
        let mut id: Option<Value> = None;
        let mut timestamp: Option<Value> = None;
        let mut event_type: Option<String> = None;
        let mut attributes: Option<EventAttributes> = None;
        let mut rest = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "eventId" => id = Some(map.next_value()?),
                "eventTimestamp" => timestamp = Some(map.next_value()?),
                "eventType" => event_type = Some(map.next_value()?),
                // The fast path needs the type first (SWF's and our own order); attributes
                // that arrive before `eventType` are buffered and parsed at the end.
                other if event_type.as_deref().and_then(EventAttributes::key_of) == Some(other) => {
                    if let Some(parsed) = EventAttributes::next_attributes(other, &mut map) {
                        attributes = parsed.map_err(|e| {
                            A::Error::custom(format!("{} {other}: {e}", describe(&id, &event_type)))
                        })?;
                    }
                }
                _ => {
                    rest.insert(key, map.next_value()?);
                }
            }
        }
        let event_id = id
            .as_ref()
            .and_then(Value::as_i64)
            .ok_or_else(|| A::Error::custom("history event without an integer eventId"))?;
        let event_timestamp = timestamp.as_ref().and_then(Value::as_f64).ok_or_else(|| {
            A::Error::custom(format!(
                "eventId {event_id}: missing or non-numeric eventTimestamp"
            ))
        })?;
        let event_type = event_type.ok_or_else(|| {
            A::Error::custom(format!(
                "eventId {event_id}: missing or non-string eventType"
            ))
        })?;
        let context = |e: &dyn std::fmt::Display| {
            A::Error::custom(format!("eventId {event_id} ({event_type}): {e}"))
        };
        let attributes = match (attributes, EventAttributes::key_of(&event_type)) {
            (Some(parsed), _) => parsed,
            (None, Some(key)) => {
                let value = rest.remove(key).unwrap_or(Value::Null);
                match EventAttributes::from_value(&event_type, value) {
                    Some(parsed) => parsed.map_err(|e| context(&format!("{key}: {e}")))?,
                    None => unreachable!("key_of and from_value cover the same types"),
                }
            }
            (None, None) => {
                // An unknown type keeps the whole object, exactly as received.
                rest.insert("eventId".into(), id.unwrap_or_default());
                rest.insert("eventTimestamp".into(), timestamp.unwrap_or_default());
                rest.insert("eventType".into(), Value::String(event_type.clone()));
                EventAttributes::Unknown {
                    event_type,
                    raw: rest,
                }
            }
        };
        Ok(HistoryEvent {
            event_id,
            event_timestamp,
            attributes,
        })
    }
}

/// Names an event in an error raised before all of it was read.
fn describe(id: &Option<Value>, event_type: &Option<String>) -> String {
    match (id, event_type) {
        (Some(id), Some(t)) => format!("eventId {id} ({t})"),
        (None, Some(t)) => format!("{t} event"),
        _ => "event".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table's decision column says what the spec's §5 rule says: every `…Failed` event
    /// except `WorkflowExecutionFailed`, and the listed results, timeouts and deliveries.
    #[test]
    fn the_decision_column_follows_the_spec_rule() {
        let listed = [
            "WorkflowExecutionStarted",
            "WorkflowExecutionCancelRequested",
            "DecisionTaskTimedOut",
            "ActivityTaskCompleted",
            "ActivityTaskTimedOut",
            "ActivityTaskCanceled",
            "WorkflowExecutionSignaled",
            "TimerFired",
            "ChildWorkflowExecutionStarted",
            "ChildWorkflowExecutionCompleted",
            "ChildWorkflowExecutionTimedOut",
            "ChildWorkflowExecutionCanceled",
            "ChildWorkflowExecutionTerminated",
            "ExternalWorkflowExecutionSignaled",
            "ExternalWorkflowExecutionCancelRequested",
            "LambdaFunctionCompleted",
            "LambdaFunctionTimedOut",
        ];
        for event_type in EVENT_TYPES {
            let rule = (event_type.ends_with("Failed") && event_type != "WorkflowExecutionFailed")
                || listed.contains(&event_type);
            assert_eq!(
                EventAttributes::needs_decision_task_of(event_type),
                Some(rule),
                "{event_type}"
            );
        }
        assert_eq!(
            EventAttributes::needs_decision_task_of("SomethingNew"),
            None
        );
    }

    #[test]
    fn needs_decision_task_reads_the_variant() {
        let completed = EventAttributes::from(ActivityTaskCompletedEventAttributes {
            result: None,
            scheduled_event_id: 5,
            started_event_id: 6,
        });
        assert!(completed.needs_decision_task());
        let closed = EventAttributes::from(WorkflowExecutionFailedEventAttributes {
            reason: None,
            details: None,
            decision_task_completed_event_id: 4,
        });
        assert!(!closed.needs_decision_task());
        let unknown = EventAttributes::Unknown {
            event_type: "SomethingNew".into(),
            raw: Map::new(),
        };
        assert!(!unknown.needs_decision_task());
    }
}
