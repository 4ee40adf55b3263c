//! Error bodies and codes.

use serde_json::json;
use swf_model::{FaultBody, FaultKind};

#[test]
fn parses_namespaced_and_bare_types() {
    assert_eq!(
        FaultKind::from_type("com.amazonaws.swf.base.model#UnknownResourceFault"),
        FaultKind::UnknownResourceFault
    );
    assert_eq!(
        FaultKind::from_type("UnknownResourceFault"),
        FaultKind::UnknownResourceFault
    );
    assert_eq!(
        FaultKind::from_type("com.amazon.coral.validate#ValidationException"),
        FaultKind::ValidationException
    );
    assert_eq!(
        FaultKind::from_type("ValidationError"),
        FaultKind::ValidationException
    );
    assert_eq!(
        FaultKind::from_type("com.amazon.coral.availability#ThrottlingException"),
        FaultKind::ThrottlingException
    );
    assert_eq!(
        FaultKind::from_type("com.amazon.coral.service#InternalFailure"),
        FaultKind::InternalFailure
    );
}

#[test]
fn drops_everything_after_a_colon() {
    assert_eq!(
        FaultKind::from_type(
            "com.amazonaws.swf.base.model#LimitExceededFault:http://internal.amazon.com/#x"
        ),
        FaultKind::LimitExceededFault
    );
    assert_eq!(
        FaultKind::from_type("TypeDeprecatedFault:extra"),
        FaultKind::TypeDeprecatedFault
    );
}

#[test]
fn unknown_codes_are_kept() {
    let kind = FaultKind::from_type("com.example#BrandNewFault");
    assert_eq!(kind, FaultKind::Other("BrandNewFault".into()));
    assert_eq!(kind.name(), "BrandNewFault");
    assert_eq!(kind.http_status(), 400);
    assert!(!kind.is_retryable());
    assert_eq!(kind.wire_type(), "BrandNewFault");
}

#[test]
fn every_named_kind_round_trips_through_its_wire_type() {
    let kinds = [
        FaultKind::UnknownResourceFault,
        FaultKind::TypeAlreadyExistsFault,
        FaultKind::DomainAlreadyExistsFault,
        FaultKind::TypeDeprecatedFault,
        FaultKind::TypeNotDeprecatedFault,
        FaultKind::DomainDeprecatedFault,
        FaultKind::WorkflowExecutionAlreadyStartedFault,
        FaultKind::DefaultUndefinedFault,
        FaultKind::LimitExceededFault,
        FaultKind::OperationNotPermittedFault,
        FaultKind::TooManyTagsFault,
        FaultKind::ValidationException,
        FaultKind::SerializationException,
        FaultKind::ThrottlingException,
        FaultKind::AccessDeniedException,
        FaultKind::IncompleteSignature,
        FaultKind::InvalidSignatureException,
        FaultKind::InvalidAction,
        FaultKind::UnknownOperationException,
        FaultKind::InvalidClientTokenId,
        FaultKind::UnrecognizedClientException,
        FaultKind::MissingAuthenticationToken,
        FaultKind::NotAuthorized,
        FaultKind::OptInRequired,
        FaultKind::RequestExpired,
        FaultKind::InternalFailure,
        FaultKind::ServiceUnavailable,
    ];
    for kind in kinds {
        assert_eq!(FaultKind::from_type(&kind.wire_type()), kind);
        assert_eq!(FaultKind::from_type(kind.name()), kind);
        assert_eq!(kind.to_string(), kind.name());
    }
}

#[test]
fn wire_types_use_the_service_namespaces() {
    assert_eq!(
        FaultKind::UnknownResourceFault.wire_type(),
        "com.amazonaws.swf.base.model#UnknownResourceFault"
    );
    assert_eq!(
        FaultKind::ValidationException.wire_type(),
        "com.amazon.coral.validate#ValidationException"
    );
    assert_eq!(
        FaultKind::ThrottlingException.wire_type(),
        "com.amazon.coral.availability#ThrottlingException"
    );
    assert_eq!(
        FaultKind::UnknownOperationException.wire_type(),
        "com.amazon.coral.service#UnknownOperationException"
    );
    assert!(FaultKind::TooManyTagsFault.is_swf_fault());
    assert!(!FaultKind::ValidationException.is_swf_fault());
}

#[test]
fn statuses_and_retryability() {
    assert_eq!(FaultKind::UnknownResourceFault.http_status(), 400);
    assert_eq!(FaultKind::ValidationException.http_status(), 400);
    assert_eq!(FaultKind::ThrottlingException.http_status(), 400);
    assert_eq!(FaultKind::UnrecognizedClientException.http_status(), 403);
    assert_eq!(FaultKind::MissingAuthenticationToken.http_status(), 403);
    assert_eq!(FaultKind::InternalFailure.http_status(), 500);
    assert_eq!(FaultKind::ServiceUnavailable.http_status(), 503);
    assert!(FaultKind::ThrottlingException.is_retryable());
    assert!(FaultKind::InternalFailure.is_retryable());
    assert!(FaultKind::ServiceUnavailable.is_retryable());
    assert!(!FaultKind::UnknownResourceFault.is_retryable());
    assert!(!FaultKind::ValidationException.is_retryable());
}

#[test]
fn fault_body_wire_form() {
    let body: FaultBody = serde_json::from_value(json!({
        "__type": "com.amazonaws.swf.base.model#UnknownResourceFault",
        "message": "Unknown domain: d"
    }))
    .unwrap();
    assert_eq!(body.kind(), FaultKind::UnknownResourceFault);
    assert_eq!(body.message.as_deref(), Some("Unknown domain: d"));

    let capitalized: FaultBody =
        serde_json::from_value(json!({"__type": "ThrottlingException", "Message": "slow down"}))
            .unwrap();
    assert_eq!(capitalized.message.as_deref(), Some("slow down"));

    let bare: FaultBody = serde_json::from_value(json!({"__type": "InternalFailure"})).unwrap();
    assert_eq!(bare.message, None);
    assert_eq!(
        serde_json::to_value(&bare).unwrap(),
        json!({"__type": "InternalFailure"})
    );

    let built = FaultBody::new(
        &FaultKind::TypeAlreadyExistsFault,
        "WorkflowType=[name=x, version=1]",
    );
    assert_eq!(
        serde_json::to_value(&built).unwrap(),
        json!({
            "__type": "com.amazonaws.swf.base.model#TypeAlreadyExistsFault",
            "message": "WorkflowType=[name=x, version=1]"
        })
    );
}
