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
macro_rules! event_types {
    ($( $variant:ident $key:literal $attrs:ident, )+) => {
        /// The attributes of a history event, one variant per `eventType`.
        ///
        /// Variants are named exactly like the wire `eventType`.
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
    };
}

event_types! {
    WorkflowExecutionStarted "workflowExecutionStartedEventAttributes" WorkflowExecutionStartedEventAttributes,
    WorkflowExecutionCancelRequested "workflowExecutionCancelRequestedEventAttributes" WorkflowExecutionCancelRequestedEventAttributes,
    WorkflowExecutionCompleted "workflowExecutionCompletedEventAttributes" WorkflowExecutionCompletedEventAttributes,
    CompleteWorkflowExecutionFailed "completeWorkflowExecutionFailedEventAttributes" CompleteWorkflowExecutionFailedEventAttributes,
    WorkflowExecutionFailed "workflowExecutionFailedEventAttributes" WorkflowExecutionFailedEventAttributes,
    FailWorkflowExecutionFailed "failWorkflowExecutionFailedEventAttributes" FailWorkflowExecutionFailedEventAttributes,
    WorkflowExecutionTimedOut "workflowExecutionTimedOutEventAttributes" WorkflowExecutionTimedOutEventAttributes,
    WorkflowExecutionCanceled "workflowExecutionCanceledEventAttributes" WorkflowExecutionCanceledEventAttributes,
    CancelWorkflowExecutionFailed "cancelWorkflowExecutionFailedEventAttributes" CancelWorkflowExecutionFailedEventAttributes,
    WorkflowExecutionContinuedAsNew "workflowExecutionContinuedAsNewEventAttributes" WorkflowExecutionContinuedAsNewEventAttributes,
    ContinueAsNewWorkflowExecutionFailed "continueAsNewWorkflowExecutionFailedEventAttributes" ContinueAsNewWorkflowExecutionFailedEventAttributes,
    WorkflowExecutionTerminated "workflowExecutionTerminatedEventAttributes" WorkflowExecutionTerminatedEventAttributes,
    DecisionTaskScheduled "decisionTaskScheduledEventAttributes" DecisionTaskScheduledEventAttributes,
    DecisionTaskStarted "decisionTaskStartedEventAttributes" DecisionTaskStartedEventAttributes,
    DecisionTaskCompleted "decisionTaskCompletedEventAttributes" DecisionTaskCompletedEventAttributes,
    DecisionTaskTimedOut "decisionTaskTimedOutEventAttributes" DecisionTaskTimedOutEventAttributes,
    ActivityTaskScheduled "activityTaskScheduledEventAttributes" ActivityTaskScheduledEventAttributes,
    ScheduleActivityTaskFailed "scheduleActivityTaskFailedEventAttributes" ScheduleActivityTaskFailedEventAttributes,
    ActivityTaskStarted "activityTaskStartedEventAttributes" ActivityTaskStartedEventAttributes,
    ActivityTaskCompleted "activityTaskCompletedEventAttributes" ActivityTaskCompletedEventAttributes,
    ActivityTaskFailed "activityTaskFailedEventAttributes" ActivityTaskFailedEventAttributes,
    ActivityTaskTimedOut "activityTaskTimedOutEventAttributes" ActivityTaskTimedOutEventAttributes,
    ActivityTaskCanceled "activityTaskCanceledEventAttributes" ActivityTaskCanceledEventAttributes,
    ActivityTaskCancelRequested "activityTaskCancelRequestedEventAttributes" ActivityTaskCancelRequestedEventAttributes,
    RequestCancelActivityTaskFailed "requestCancelActivityTaskFailedEventAttributes" RequestCancelActivityTaskFailedEventAttributes,
    WorkflowExecutionSignaled "workflowExecutionSignaledEventAttributes" WorkflowExecutionSignaledEventAttributes,
    MarkerRecorded "markerRecordedEventAttributes" MarkerRecordedEventAttributes,
    RecordMarkerFailed "recordMarkerFailedEventAttributes" RecordMarkerFailedEventAttributes,
    TimerStarted "timerStartedEventAttributes" TimerStartedEventAttributes,
    StartTimerFailed "startTimerFailedEventAttributes" StartTimerFailedEventAttributes,
    TimerFired "timerFiredEventAttributes" TimerFiredEventAttributes,
    TimerCanceled "timerCanceledEventAttributes" TimerCanceledEventAttributes,
    CancelTimerFailed "cancelTimerFailedEventAttributes" CancelTimerFailedEventAttributes,
    StartChildWorkflowExecutionInitiated "startChildWorkflowExecutionInitiatedEventAttributes" StartChildWorkflowExecutionInitiatedEventAttributes,
    StartChildWorkflowExecutionFailed "startChildWorkflowExecutionFailedEventAttributes" StartChildWorkflowExecutionFailedEventAttributes,
    ChildWorkflowExecutionStarted "childWorkflowExecutionStartedEventAttributes" ChildWorkflowExecutionStartedEventAttributes,
    ChildWorkflowExecutionCompleted "childWorkflowExecutionCompletedEventAttributes" ChildWorkflowExecutionCompletedEventAttributes,
    ChildWorkflowExecutionFailed "childWorkflowExecutionFailedEventAttributes" ChildWorkflowExecutionFailedEventAttributes,
    ChildWorkflowExecutionTimedOut "childWorkflowExecutionTimedOutEventAttributes" ChildWorkflowExecutionTimedOutEventAttributes,
    ChildWorkflowExecutionCanceled "childWorkflowExecutionCanceledEventAttributes" ChildWorkflowExecutionCanceledEventAttributes,
    ChildWorkflowExecutionTerminated "childWorkflowExecutionTerminatedEventAttributes" ChildWorkflowExecutionTerminatedEventAttributes,
    SignalExternalWorkflowExecutionInitiated "signalExternalWorkflowExecutionInitiatedEventAttributes" SignalExternalWorkflowExecutionInitiatedEventAttributes,
    SignalExternalWorkflowExecutionFailed "signalExternalWorkflowExecutionFailedEventAttributes" SignalExternalWorkflowExecutionFailedEventAttributes,
    ExternalWorkflowExecutionSignaled "externalWorkflowExecutionSignaledEventAttributes" ExternalWorkflowExecutionSignaledEventAttributes,
    RequestCancelExternalWorkflowExecutionInitiated "requestCancelExternalWorkflowExecutionInitiatedEventAttributes" RequestCancelExternalWorkflowExecutionInitiatedEventAttributes,
    RequestCancelExternalWorkflowExecutionFailed "requestCancelExternalWorkflowExecutionFailedEventAttributes" RequestCancelExternalWorkflowExecutionFailedEventAttributes,
    ExternalWorkflowExecutionCancelRequested "externalWorkflowExecutionCancelRequestedEventAttributes" ExternalWorkflowExecutionCancelRequestedEventAttributes,
    LambdaFunctionScheduled "lambdaFunctionScheduledEventAttributes" LambdaFunctionScheduledEventAttributes,
    LambdaFunctionStarted "lambdaFunctionStartedEventAttributes" LambdaFunctionStartedEventAttributes,
    LambdaFunctionCompleted "lambdaFunctionCompletedEventAttributes" LambdaFunctionCompletedEventAttributes,
    LambdaFunctionFailed "lambdaFunctionFailedEventAttributes" LambdaFunctionFailedEventAttributes,
    LambdaFunctionTimedOut "lambdaFunctionTimedOutEventAttributes" LambdaFunctionTimedOutEventAttributes,
    ScheduleLambdaFunctionFailed "scheduleLambdaFunctionFailedEventAttributes" ScheduleLambdaFunctionFailedEventAttributes,
    StartLambdaFunctionFailed "startLambdaFunctionFailedEventAttributes" StartLambdaFunctionFailedEventAttributes,
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
