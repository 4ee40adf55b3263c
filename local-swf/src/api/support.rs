//! What every action handler uses: the [`Shared`] state, parsing a body into its input type
//! with SWF's error shapes, and running an action on the state machine. A leaf: it imports none
//! of its siblings.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;
use swf_model::FaultKind;

use crate::commits::Commits;
use crate::error::{ServiceError, ServiceResult};
use crate::state_machine::StateMachine;

/// An action's answer: its JSON body, or `None` for an empty 200 answer.
pub(super) type Answer = ServiceResult<Option<String>>;

/// What the handlers share.
pub struct Shared {
    /// The state machine.
    pub machine: Arc<Mutex<StateMachine>>,
    /// The state machine's group-commit ledger.
    pub commits: Arc<Commits>,
    /// How long an empty poll is held.
    pub poll_hold: Duration,
    /// Woken after every call, so the timer task re-reads the earliest deadline.
    pub deadlines_changed: tokio::sync::Notify,
    /// Set when the service stops: polls answer empty at once instead of waiting.
    pub closing: std::sync::atomic::AtomicBool,
}

impl Shared {
    /// Whether the service is stopping.
    pub(super) fn is_closing(&self) -> bool {
        self.closing.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Makes held and future polls answer empty at once.
    pub fn close(&self) {
        self.closing
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.lock().release_pollers();
    }

    /// Commits every transaction applied so far (see [`crate::commits`]).
    pub fn commit_applied(&self) {
        self.lock().commit_applied();
    }

    /// Waits until everything applied before this call's answer is durable: an internal error
    /// if its commit failed.
    pub(super) async fn durable(&self) -> ServiceResult<()> {
        self.commits
            .durable(self.commits.applied())
            .await
            .map_err(|_| {
                ServiceError::internal(
                    "the database commit holding this call's changes failed; nothing of it was kept",
                )
            })
    }

    /// Locks the state machine.
    pub(super) fn lock(&self) -> MutexGuard<'_, StateMachine> {
        // A panic inside the state machine is caught and undone there; a poisoned lock
        // therefore still guards consistent state.
        self.machine
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Parses a request body (a JSON object) straight into its input type; serde's complaints
/// become SWF's errors: JSON that does not parse is a SerializationException, a missing or null
/// required member a ValidationException, a wrong JSON type a SerializationException.
pub(super) fn parse<T: DeserializeOwned>(body: &[u8]) -> ServiceResult<T> {
    serde_json::from_slice(body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            return ServiceError::new(
                FaultKind::SerializationException,
                format!("Request body is not valid JSON: {e}"),
            );
        }
        // The position in the body says nothing a client can use about its input's shape.
        let full = e.to_string();
        let position = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&position).unwrap_or(&full);
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            ServiceError::validation(format!(
                "1 validation error detected: Value null at '{field}' failed to satisfy \
                 constraint: Member must not be null"
            ))
        } else if message.starts_with("invalid type: null") {
            ServiceError::validation(format!(
                "1 validation error detected: a required member is null: {message}"
            ))
        } else if [
            "invalid type",
            "invalid value",
            "invalid length",
            "expected",
        ]
        .iter()
        .any(|prefix| message.starts_with(prefix))
        {
            ServiceError::new(
                FaultKind::SerializationException,
                format!("Request body does not match the input shape: {message}"),
            )
        } else {
            // swf-model's own checks (an unknown decisionType, a decision's missing member)
            // are constraint violations, as SWF reports them.
            ServiceError::validation(format!("1 validation error detected: {message}"))
        }
    })
}

/// Runs a writing action in a transaction; it answers empty.
pub(super) fn write(
    shared: &Shared,
    action: impl FnOnce(&mut StateMachine) -> ServiceResult<()>,
) -> Answer {
    shared.lock().transact(action).map(|()| None)
}

/// Runs a writing action in a transaction; it answers with a body.
pub(super) fn write_answer(
    shared: &Shared,
    action: impl FnOnce(&mut StateMachine) -> ServiceResult<Value>,
) -> Answer {
    shared.lock().transact(action).map(|v| Some(v.to_string()))
}

/// Runs a reading action (no transaction).
pub(super) fn read(
    shared: &Shared,
    action: impl FnOnce(&mut StateMachine) -> ServiceResult<Value>,
) -> Answer {
    action(&mut shared.lock()).map(|v| Some(v.to_string()))
}
