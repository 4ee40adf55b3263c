//! Attribute structs of the 54 history event types (§5 of the spec), grouped by subject.
//!
//! Members marked required in the SWF model are plain fields; the rest are `Option`s that stay
//! absent when serialized. Required event ids carry `#[serde(default)]` because real histories
//! omit or zero them when the referenced event does not exist (for example `startedEventId` of a
//! task that timed out before it started), and one missing id must not make a history unreadable.

mod activity;
mod child;
mod external;
mod lambda;
mod timer_marker_signal;
mod workflow;

pub use activity::*;
pub use child::*;
pub use external::*;
pub use lambda::*;
pub use timer_marker_signal::*;
pub use workflow::*;
