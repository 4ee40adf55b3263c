//! Inputs and outputs of the 39 SWF actions (§3 of the spec), the structures they share (§2) and
//! the [`Action`] names used in `X-Amz-Target`.
//!
//! Inputs derive `Default` so callers can fill in only what they need. Required members are plain
//! fields and a missing one is a deserialization error (the server answers ValidationException);
//! optional members are `Option`s that stay absent when serialized. Actions whose response body
//! is empty have no output type.
//!
//! The decider and activity-worker payloads that are also tasks live in [`crate::task`]; aliases
//! with the `…Input`/`…Output` names are provided here so every action has both names.

mod action;
mod execution;
mod registration;
mod shared;
mod tagging;
mod visibility;

pub use action::*;
pub use execution::*;
pub use registration::*;
pub use shared::*;
pub use tagging::*;
pub use visibility::*;

use crate::{
    PollForActivityTaskResponse, PollForDecisionTaskResponse, RespondDecisionTaskCompleted,
};

/// Output of PollForDecisionTask.
pub type PollForDecisionTaskOutput = PollForDecisionTaskResponse;
/// Input of RespondDecisionTaskCompleted.
pub type RespondDecisionTaskCompletedInput = RespondDecisionTaskCompleted;
/// Output of PollForActivityTask.
pub type PollForActivityTaskOutput = PollForActivityTaskResponse;
