//! Serde types for the JSON wire API of Amazon SWF (Simple Workflow Service, API 2012-01-25).
//!
//! The crate is shared by the host (client and local server) and by WebAssembly guests, so it
//! does no I/O and depends only on serde, serde_json and thiserror. Field names follow the wire
//! exactly (lower camelCase); absent optional members stay absent when serialized, and JSON
//! `null` is read as absent.
//!
//! * [`common`]: the small identifier structs shared everywhere.
//! * [`enums`]: the string enums (statuses, timeout types, failure causes).
//! * [`event`], [`event_attrs`]: [`HistoryEvent`] and its 54 attribute structs.
//! * [`decision`], [`decision_attrs`]: [`Decision`] and its 13 attribute structs.
//! * [`task`]: decision and activity tasks as handed to deciders and workers.
//! * [`request`]: inputs and outputs of the 39 actions, plus [`Action`].
//! * [`fault`]: error bodies and error codes.
//! * [`limits`]: documented limits, value checks and validation of a decider's response.
//! * [`time`]: calendar arithmetic for timestamps (printing, ISO 8601, `X-Amz-Date`).
//! * [`sigv4`]: the canonical request and string to sign of an AWS JSON call.
//!
//! Everything is also re-exported at the crate root.
#![warn(missing_docs)]

#[macro_use]
mod macros;

pub mod common;
pub mod decision;
pub mod decision_attrs;
pub mod enums;
pub mod event;
pub mod event_attrs;
pub mod fault;
pub mod limits;
pub mod request;
mod serde_util;
pub mod sigv4;
pub mod task;
pub mod time;

pub use common::*;
pub use decision::*;
pub use decision_attrs::*;
pub use enums::*;
pub use event::*;
pub use event_attrs::*;
pub use fault::*;
pub use limits::*;
pub use request::*;
pub use task::*;
