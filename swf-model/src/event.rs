//! History events: [`HistoryEvent`] and the [`EventAttributes`] union of the 54 event types.
//!
//! On the wire an event is a flat object whose attributes live under a key derived from its type:
//! `{"eventId": 5, "eventTimestamp": 1381095177.855, "eventType": "ActivityTaskScheduled",
//! "activityTaskScheduledEventAttributes": {...}}`. Serde's derive cannot express "the key depends
//! on another member", so the (de)serialization here is hand-written around a table of
//! (event type, attributes key, attributes struct) triples.

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::event_attrs::*;
use crate::serde_util::take_attributes;

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

            /// Parses the attributes of a known event type out of the event object; `None` when
            /// the type is unknown.
            fn parse_known(
                event_type: &str,
                event: &mut Map<String, Value>,
            ) -> Option<Result<Self, String>> {
                let parsed = match event_type {
                    $( stringify!($variant) => take_attributes(event, $key).map(Self::$variant), )+
                    _ => return None,
                };
                Some(parsed)
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

impl HistoryEvent {
    /// Builds an event from its wire object.
    fn from_wire(mut event: Map<String, Value>) -> Result<Self, String> {
        let event_id = event
            .get("eventId")
            .and_then(Value::as_i64)
            .ok_or("history event without an integer eventId")?;
        let event_timestamp = event
            .get("eventTimestamp")
            .and_then(Value::as_f64)
            .ok_or_else(|| format!("eventId {event_id}: missing or non-numeric eventTimestamp"))?;
        let event_type = event
            .get("eventType")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("eventId {event_id}: missing or non-string eventType"))?
            .to_owned();
        let attributes = match EventAttributes::parse_known(&event_type, &mut event) {
            Some(parsed) => {
                parsed.map_err(|e| format!("eventId {event_id} ({event_type}): {e}"))?
            }
            None => EventAttributes::Unknown {
                event_type,
                raw: event,
            },
        };
        Ok(Self {
            event_id,
            event_timestamp,
            attributes,
        })
    }
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
        let event = Map::<String, Value>::deserialize(deserializer)?;
        Self::from_wire(event).map_err(D::Error::custom)
    }
}
