//! Error responses: the `{"__type": …, "message": …}` body and the error codes it carries
//! (§1.5 of the spec).

use serde::{Deserialize, Serialize};

/// Namespace of the faults modeled by SWF itself.
const SWF_NAMESPACE: &str = "com.amazonaws.swf.base.model";

/// An error code: one of the SWF-modeled faults, one of the common AWS errors, or anything else.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// A named domain, type, execution or task does not exist or is not usable.
    UnknownResourceFault,
    /// The type is already registered (or, for undeprecate, not deprecated).
    TypeAlreadyExistsFault,
    /// The domain already exists (or, for undeprecate, is not deprecated).
    DomainAlreadyExistsFault,
    /// The type is deprecated.
    TypeDeprecatedFault,
    /// Delete of a type that is not deprecated.
    TypeNotDeprecatedFault,
    /// The domain is deprecated.
    DomainDeprecatedFault,
    /// An open run with this workflow id already exists.
    WorkflowExecutionAlreadyStartedFault,
    /// A start parameter is neither given nor defaulted on the type.
    DefaultUndefinedFault,
    /// A quota was hit.
    LimitExceededFault,
    /// IAM denied the call.
    OperationNotPermittedFault,
    /// Too many tags on a domain.
    TooManyTagsFault,
    /// A constraint on the input was violated (also read from the documented `ValidationError`).
    ValidationException,
    /// The request body does not match the expected JSON types.
    SerializationException,
    /// The caller is sending too fast.
    ThrottlingException,
    /// Access denied.
    AccessDeniedException,
    /// The authentication header is malformed or missing parts.
    IncompleteSignature,
    /// The signature does not match.
    InvalidSignatureException,
    /// Unknown action.
    InvalidAction,
    /// Unknown `X-Amz-Target` operation.
    UnknownOperationException,
    /// Unknown access key id.
    InvalidClientTokenId,
    /// Unknown access key id (SigV4 form).
    UnrecognizedClientException,
    /// No authentication given.
    MissingAuthenticationToken,
    /// Not authorized.
    NotAuthorized,
    /// The account is not subscribed to the service.
    OptInRequired,
    /// The request timestamp is too far from the server clock.
    RequestExpired,
    /// Server-side bug.
    InternalFailure,
    /// Transient server unavailability.
    ServiceUnavailable,
    /// Any other code, kept as parsed (without namespace).
    Other(String),
}

impl FaultKind {
    /// Parses a `__type` value (or `X-Amzn-ErrorType` header) the way AWS clients do: everything
    /// from the first `:` on and then everything up to the last `#` are dropped.
    pub fn from_type(type_value: &str) -> Self {
        // `:` first: what follows it may be a URL that itself contains `#`.
        let code = type_value.split(':').next().unwrap_or(type_value);
        let code = code.rsplit('#').next().unwrap_or(code).trim();
        match code {
            "UnknownResourceFault" => Self::UnknownResourceFault,
            "TypeAlreadyExistsFault" => Self::TypeAlreadyExistsFault,
            "DomainAlreadyExistsFault" => Self::DomainAlreadyExistsFault,
            "TypeDeprecatedFault" => Self::TypeDeprecatedFault,
            "TypeNotDeprecatedFault" => Self::TypeNotDeprecatedFault,
            "DomainDeprecatedFault" => Self::DomainDeprecatedFault,
            "WorkflowExecutionAlreadyStartedFault" => Self::WorkflowExecutionAlreadyStartedFault,
            "DefaultUndefinedFault" => Self::DefaultUndefinedFault,
            "LimitExceededFault" => Self::LimitExceededFault,
            "OperationNotPermittedFault" => Self::OperationNotPermittedFault,
            "TooManyTagsFault" => Self::TooManyTagsFault,
            "ValidationException" | "ValidationError" => Self::ValidationException,
            "SerializationException" => Self::SerializationException,
            "ThrottlingException" | "Throttling" => Self::ThrottlingException,
            "AccessDeniedException" => Self::AccessDeniedException,
            "IncompleteSignature" => Self::IncompleteSignature,
            "InvalidSignatureException" => Self::InvalidSignatureException,
            "InvalidAction" => Self::InvalidAction,
            "UnknownOperationException" => Self::UnknownOperationException,
            "InvalidClientTokenId" => Self::InvalidClientTokenId,
            "UnrecognizedClientException" => Self::UnrecognizedClientException,
            "MissingAuthenticationToken" => Self::MissingAuthenticationToken,
            "NotAuthorized" => Self::NotAuthorized,
            "OptInRequired" => Self::OptInRequired,
            "RequestExpired" => Self::RequestExpired,
            "InternalFailure" => Self::InternalFailure,
            "ServiceUnavailable" => Self::ServiceUnavailable,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The bare error code, e.g. `"UnknownResourceFault"`.
    pub fn name(&self) -> &str {
        match self {
            Self::UnknownResourceFault => "UnknownResourceFault",
            Self::TypeAlreadyExistsFault => "TypeAlreadyExistsFault",
            Self::DomainAlreadyExistsFault => "DomainAlreadyExistsFault",
            Self::TypeDeprecatedFault => "TypeDeprecatedFault",
            Self::TypeNotDeprecatedFault => "TypeNotDeprecatedFault",
            Self::DomainDeprecatedFault => "DomainDeprecatedFault",
            Self::WorkflowExecutionAlreadyStartedFault => "WorkflowExecutionAlreadyStartedFault",
            Self::DefaultUndefinedFault => "DefaultUndefinedFault",
            Self::LimitExceededFault => "LimitExceededFault",
            Self::OperationNotPermittedFault => "OperationNotPermittedFault",
            Self::TooManyTagsFault => "TooManyTagsFault",
            Self::ValidationException => "ValidationException",
            Self::SerializationException => "SerializationException",
            Self::ThrottlingException => "ThrottlingException",
            Self::AccessDeniedException => "AccessDeniedException",
            Self::IncompleteSignature => "IncompleteSignature",
            Self::InvalidSignatureException => "InvalidSignatureException",
            Self::InvalidAction => "InvalidAction",
            Self::UnknownOperationException => "UnknownOperationException",
            Self::InvalidClientTokenId => "InvalidClientTokenId",
            Self::UnrecognizedClientException => "UnrecognizedClientException",
            Self::MissingAuthenticationToken => "MissingAuthenticationToken",
            Self::NotAuthorized => "NotAuthorized",
            Self::OptInRequired => "OptInRequired",
            Self::RequestExpired => "RequestExpired",
            Self::InternalFailure => "InternalFailure",
            Self::ServiceUnavailable => "ServiceUnavailable",
            Self::Other(code) => code,
        }
    }

    /// Whether this is one of the faults modeled by SWF (namespace
    /// `com.amazonaws.swf.base.model`).
    pub fn is_swf_fault(&self) -> bool {
        matches!(
            self,
            Self::UnknownResourceFault
                | Self::TypeAlreadyExistsFault
                | Self::DomainAlreadyExistsFault
                | Self::TypeDeprecatedFault
                | Self::TypeNotDeprecatedFault
                | Self::DomainDeprecatedFault
                | Self::WorkflowExecutionAlreadyStartedFault
                | Self::DefaultUndefinedFault
                | Self::LimitExceededFault
                | Self::OperationNotPermittedFault
                | Self::TooManyTagsFault
        )
    }

    /// The HTTP status the service answers this error with.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::InvalidClientTokenId
            | Self::UnrecognizedClientException
            | Self::InvalidSignatureException
            | Self::MissingAuthenticationToken
            | Self::OptInRequired => 403,
            Self::InternalFailure => 500,
            Self::ServiceUnavailable => 503,
            _ => 400,
        }
    }

    /// Whether a client should retry the call (throttling and transient server errors).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::ThrottlingException | Self::InternalFailure | Self::ServiceUnavailable
        )
    }

    /// The namespaced `__type` the service sends: `com.amazonaws.swf.base.model#…` for SWF
    /// faults, Coral namespaces for framework errors, and other codes unchanged.
    pub fn wire_type(&self) -> String {
        let namespace = match self {
            Self::Other(code) => return code.clone(),
            _ if self.is_swf_fault() => SWF_NAMESPACE,
            Self::ValidationException => "com.amazon.coral.validate",
            Self::ThrottlingException | Self::ServiceUnavailable => "com.amazon.coral.availability",
            _ => "com.amazon.coral.service",
        };
        format!("{namespace}#{}", self.name())
    }
}

impl std::fmt::Display for FaultKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The JSON body of an error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultBody {
    /// The `__type` member, usually namespaced; see [`FaultKind::from_type`].
    #[serde(rename = "__type")]
    pub kind_type: String,
    /// Human-readable message (`message`; `Message` is accepted when reading).
    #[serde(default, alias = "Message", skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl FaultBody {
    /// Builds the body the service would send for `kind`.
    pub fn new(kind: &FaultKind, message: impl Into<String>) -> Self {
        Self {
            kind_type: kind.wire_type(),
            message: Some(message.into()),
        }
    }

    /// The error code carried by `__type`.
    pub fn kind(&self) -> FaultKind {
        FaultKind::from_type(&self.kind_type)
    }
}
