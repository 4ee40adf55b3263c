//! Decisions: what a decider asks the service to do, [`Decision`] (§4 of the spec).
//!
//! On the wire a decision is `{"decisionType": "StartTimer", "startTimerDecisionAttributes":
//! {...}}`; as with history events the attributes key depends on the type, so (de)serialization
//! is hand-written around a table of the 13 types.

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::decision_attrs::*;
use crate::serde_util::take_attributes;

/// Lists every decision type once; expands to the enum, [`DECISION_TYPES`] and the dispatch.
macro_rules! decision_types {
    ($( $variant:ident $key:literal $attrs:ident, )+) => {
        /// One decision of a decider's response, one variant per `decisionType`.
        ///
        /// An unknown `decisionType` is a deserialization error naming it: unlike events, a
        /// decision the service cannot understand must be rejected, not carried along.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Decision {
            $(
                #[doc = concat!("`", stringify!($variant), "`, attributes under `", $key, "`.")]
                $variant($attrs),
            )+
        }

        /// Every decision type of the SWF model, in the order of the spec's table.
        pub const DECISION_TYPES: [&str; 13] = [$( stringify!($variant), )+];

        impl Decision {
            /// The wire `decisionType`.
            pub fn decision_type(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => stringify!($variant), )+
                }
            }

            /// The wire key holding the attributes (lowerFirst(decisionType) +
            /// "DecisionAttributes").
            pub fn attributes_key(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => $key, )+
                }
            }

            fn serialize_entry<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
                match self {
                    $( Self::$variant(attrs) => map.serialize_entry($key, attrs), )+
                }
            }

            fn from_wire(mut decision: Map<String, Value>) -> Result<Self, String> {
                let decision_type = match decision.get("decisionType") {
                    Some(Value::String(decision_type)) => decision_type.clone(),
                    _ => return Err("decision without a string decisionType".to_owned()),
                };
                let parsed = match decision_type.as_str() {
                    $( stringify!($variant) => take_attributes(&mut decision, $key).map(Self::$variant), )+
                    other => return Err(format!("unknown decisionType \"{other}\"")),
                };
                parsed.map_err(|e| format!("{decision_type}: {e}"))
            }
        }
    };
}

decision_types! {
    ScheduleActivityTask "scheduleActivityTaskDecisionAttributes" ScheduleActivityTaskDecisionAttributes,
    RequestCancelActivityTask "requestCancelActivityTaskDecisionAttributes" RequestCancelActivityTaskDecisionAttributes,
    CompleteWorkflowExecution "completeWorkflowExecutionDecisionAttributes" CompleteWorkflowExecutionDecisionAttributes,
    FailWorkflowExecution "failWorkflowExecutionDecisionAttributes" FailWorkflowExecutionDecisionAttributes,
    CancelWorkflowExecution "cancelWorkflowExecutionDecisionAttributes" CancelWorkflowExecutionDecisionAttributes,
    ContinueAsNewWorkflowExecution "continueAsNewWorkflowExecutionDecisionAttributes" ContinueAsNewWorkflowExecutionDecisionAttributes,
    RecordMarker "recordMarkerDecisionAttributes" RecordMarkerDecisionAttributes,
    StartTimer "startTimerDecisionAttributes" StartTimerDecisionAttributes,
    CancelTimer "cancelTimerDecisionAttributes" CancelTimerDecisionAttributes,
    SignalExternalWorkflowExecution "signalExternalWorkflowExecutionDecisionAttributes" SignalExternalWorkflowExecutionDecisionAttributes,
    RequestCancelExternalWorkflowExecution "requestCancelExternalWorkflowExecutionDecisionAttributes" RequestCancelExternalWorkflowExecutionDecisionAttributes,
    StartChildWorkflowExecution "startChildWorkflowExecutionDecisionAttributes" StartChildWorkflowExecutionDecisionAttributes,
    ScheduleLambdaFunction "scheduleLambdaFunctionDecisionAttributes" ScheduleLambdaFunctionDecisionAttributes,
}

impl Decision {
    /// Whether this decision closes the run (complete, fail, cancel or continue-as-new); such a
    /// decision must be the last and only closing one in its list.
    pub fn is_close(&self) -> bool {
        matches!(
            self,
            Self::CompleteWorkflowExecution(_)
                | Self::FailWorkflowExecution(_)
                | Self::CancelWorkflowExecution(_)
                | Self::ContinueAsNewWorkflowExecution(_)
        )
    }
}

impl Serialize for Decision {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("decisionType", self.decision_type())?;
        self.serialize_entry(&mut map)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for Decision {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let decision = Map::<String, Value>::deserialize(deserializer)?;
        Self::from_wire(decision).map_err(D::Error::custom)
    }
}
