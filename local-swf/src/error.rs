//! The errors the service answers with: an SWF fault or a framework error, rendered as the
//! AWS JSON 1.0 error body `{"__type": …, "message": …}` with its HTTP status (spec §1.5).

use std::sync::Arc;

use swf_model::{FaultBody, FaultKind};

/// What caused an internal failure (a storage error), kept for logs and `Error::source`; the
/// client sees only the message.
type Cause = Arc<dyn std::error::Error + Send + Sync>;

/// One error answer. Every handler returns these; the HTTP layer renders them.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{kind:?}: {message}")]
pub struct ServiceError {
    /// The error code.
    pub kind: FaultKind,
    /// The human-readable message.
    pub message: String,
    /// The underlying error of an InternalFailure, if any.
    #[source]
    pub source: Option<Cause>,
}

/// Shorthand for handler results.
pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    /// An error of `kind` with `message`.
    pub fn new(kind: FaultKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// UnknownResourceFault.
    pub fn unknown(message: impl Into<String>) -> Self {
        Self::new(FaultKind::UnknownResourceFault, message)
    }

    /// ValidationException with a message in SWF's shape.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(FaultKind::ValidationException, message)
    }

    /// ValidationException for one member: "1 validation error detected: …".
    pub fn invalid_member(path: &str, problem: &str) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value at '{path}' failed to satisfy constraint: {problem}"
        ))
    }

    /// InternalFailure: a bug or a storage failure; clients retry it.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(FaultKind::InternalFailure, message)
    }

    /// The HTTP status of this error: swf-model's table, plus 413 for an oversized body.
    pub fn status(&self) -> u16 {
        match &self.kind {
            FaultKind::Other(code) if code == TOO_LARGE => 413,
            kind => kind.http_status(),
        }
    }

    /// The JSON error body.
    pub fn body(&self) -> String {
        serde_json::to_string(&FaultBody::new(&self.kind, self.message.clone()))
            .unwrap_or_else(|_| String::from("{}"))
    }

    /// The error for a request body over the size limit.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(FaultKind::Other(TOO_LARGE.to_owned()), message)
    }
}

/// The code of the "request too large" error (a Coral framework error, not an SWF fault).
const TOO_LARGE: &str = "com.amazon.coral.service#RequestEntityTooLargeException";

impl From<rusqlite::Error> for ServiceError {
    fn from(e: rusqlite::Error) -> Self {
        let mut error = Self::internal(format!("storage error: {e}"));
        error.source = Some(Arc::new(e));
        error
    }
}
