//! [`SwfError`], the one error type of the SWF client, and the parsing of AWS JSON 1.0 error
//! responses into it (spec §1.5).

use std::sync::Arc;

use swf_model::FaultKind;

/// The cause of an [`SwfError`] that is not the service's answer (an I/O, TLS, signing or
/// JSON error), shared so the error stays cheap to clone: retries log and return it.
pub type Cause = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// Why an SWF call failed. Messages already include their cause's text (so a log line of the
/// error alone says everything); the cause is also kept as the error's `source`.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SwfError {
    /// The service answered with an error: an SWF fault (`UnknownResourceFault`, …) or a common
    /// AWS error (`ValidationException`, `ThrottlingException`, an HTTP 5xx, …).
    #[error("{kind}: {message} (HTTP {status})")]
    Fault {
        /// The error code, parsed from `__type` or the `X-Amzn-ErrorType` header.
        kind: FaultKind,
        /// The service's message (`message` or `Message`), or the raw body when there is none.
        message: String,
        /// The HTTP status of the response.
        status: u16,
    },
    /// The request did not get an HTTP answer: connection refused or reset, DNS failure, TLS
    /// failure, timeout, or a body cut short.
    #[error("transport error: {message}")]
    Transport {
        /// What failed, in words.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Cause>,
    },
    /// A request body could not be encoded, or a response body did not have the expected shape.
    #[error("cannot decode the response: {message}")]
    Decode {
        /// What failed, in words.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Cause>,
    },
    /// The client is misconfigured: no region, no credentials, a bad endpoint.
    #[error("configuration error: {message}")]
    Config {
        /// What is wrong, in words.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Cause>,
    },
}

/// `Some(error)` as a [`Cause`].
pub(crate) fn cause(error: impl std::error::Error + Send + Sync + 'static) -> Option<Cause> {
    Some(Arc::new(error))
}

/// Error codes that AWS clients treat as throttling (retryable), beyond the ones [`FaultKind`]
/// names itself.
const THROTTLING_CODES: &[&str] = &[
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes that AWS clients treat as transient (retryable) whatever the HTTP status.
const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException"];

impl SwfError {
    /// Whether retrying the same call may succeed: throttling, transient server errors (HTTP 5xx)
    /// and transport failures. Validation errors and modeled SWF faults are final.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Fault { kind, status, .. } => {
                *status >= 500
                    || *status == 429
                    || kind.is_retryable()
                    || matches!(kind, FaultKind::Other(code)
                        if THROTTLING_CODES.contains(&code.as_str())
                            || TRANSIENT_CODES.contains(&code.as_str()))
            }
            Self::Transport { .. } => true,
            Self::Decode { .. } | Self::Config { .. } => false,
        }
    }

    /// Whether this is an `UnknownResourceFault`: the domain, type, execution or task does not
    /// exist (or is no longer usable — a task whose token has timed out or was already answered).
    pub fn is_unknown_resource(&self) -> bool {
        self.fault_kind() == Some(&FaultKind::UnknownResourceFault)
    }

    /// Whether this is a `DomainAlreadyExistsFault` or `TypeAlreadyExistsFault`, which callers that
    /// register idempotently treat as success.
    pub fn is_already_exists(&self) -> bool {
        matches!(
            self.fault_kind(),
            Some(FaultKind::DomainAlreadyExistsFault | FaultKind::TypeAlreadyExistsFault)
        )
    }

    pub(crate) fn transport(message: impl Into<String>, source: Option<Cause>) -> Self {
        Self::Transport {
            message: message.into(),
            source,
        }
    }

    pub(crate) fn decode(message: impl Into<String>, source: Option<Cause>) -> Self {
        Self::Decode {
            message: message.into(),
            source,
        }
    }

    pub(crate) fn config(message: impl Into<String>, source: Option<Cause>) -> Self {
        Self::Config {
            message: message.into(),
            source,
        }
    }

    /// The error in one word, for metrics: the fault's code, or `transport`, `decode`,
    /// `config`.
    pub fn kind_label(&self) -> String {
        match self {
            Self::Fault { kind, .. } => kind.to_string(),
            Self::Transport { .. } => "transport".into(),
            Self::Decode { .. } => "decode".into(),
            Self::Config { .. } => "config".into(),
        }
    }

    /// The error code, when the service answered with one.
    pub fn fault_kind(&self) -> Option<&FaultKind> {
        match self {
            Self::Fault { kind, .. } => Some(kind),
            _ => None,
        }
    }

    /// Builds the error for a non-2xx response from its status, its `X-Amzn-ErrorType` header
    /// (if any) and its body.
    ///
    /// The code comes from the body's `__type`, else from the header, else (a body that is not an
    /// AWS error, e.g. from a proxy) it is the HTTP status itself. The message comes from
    /// `message` or `Message`, else it is the body text.
    pub(crate) fn from_response(status: u16, error_type_header: Option<&str>, body: &[u8]) -> Self {
        let json: Option<serde_json::Map<String, serde_json::Value>> =
            serde_json::from_slice(body).ok();
        let field = |name: &str| {
            json.as_ref()
                .and_then(|object| object.get(name))
                .and_then(|value| value.as_str())
        };
        let kind = match field("__type").or(error_type_header) {
            Some(code) => FaultKind::from_type(code),
            None => FaultKind::Other(status.to_string()),
        };
        let message = match field("message").or_else(|| field("Message")) {
            Some(message) => message.to_owned(),
            None => String::from_utf8_lossy(body).trim().to_owned(),
        };
        Self::Fault {
            kind,
            message,
            status,
        }
    }
}

/// `error` and its sources, joined with `: `.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(kind: FaultKind, status: u16) -> SwfError {
        SwfError::Fault {
            kind,
            message: String::new(),
            status,
        }
    }

    #[test]
    fn parses_namespaced_type_and_message() {
        let body = br#"{"__type": "com.amazonaws.swf.base.model#UnknownResourceFault",
                        "message": "Unknown domain: x"}"#;
        let err = SwfError::from_response(400, None, body);
        assert_eq!(
            err.to_string(),
            "UnknownResourceFault: Unknown domain: x (HTTP 400)"
        );
        assert!(err.is_unknown_resource());
        assert!(!err.is_retryable());
    }

    #[test]
    fn falls_back_to_header_then_status() {
        let err = SwfError::from_response(
            400,
            Some("ThrottlingException:http://internal.amazon.com/coral/"),
            br#"{"Message": "slow down"}"#,
        );
        assert_eq!(err.fault_kind(), Some(&FaultKind::ThrottlingException));
        assert!(err.to_string().contains("slow down"));
        assert!(err.is_retryable());

        let err = SwfError::from_response(502, None, b"<html>Bad Gateway</html>");
        assert_eq!(err.fault_kind(), Some(&FaultKind::Other("502".into())));
        assert!(err.is_retryable());
    }

    #[test]
    fn already_exists_faults() {
        assert!(fault(FaultKind::DomainAlreadyExistsFault, 400).is_already_exists());
        assert!(fault(FaultKind::TypeAlreadyExistsFault, 400).is_already_exists());
        assert!(!fault(FaultKind::UnknownResourceFault, 400).is_already_exists());
    }
}
