//! The booking activities, steered by their input so tests can drive every path of the
//! BookTrip workflow. SelectItinerary and SubmitDetails are deterministic fakes;
//! ValidatePayment calls a payment service over HTTP; ConfirmBooking may store the
//! confirmation in S3 through the host.
//!
//! - `SelectItinerary`: the first of `itineraries` not in `exclude`; fails when none is left.
//! - `SubmitDetails`: accepts any non-empty traveller name.
//! - `ValidatePayment`: POSTs the charge to the payment service at config key `PAYMENT_URL`
//!   (`<PAYMENT_URL>/charges`, JSON `{"itinerary", "attempt", "declines", "traveller"?}`,
//!   `Authorization: Bearer <PAYMENT_KEY>`), then takes `seconds` (heartbeating) and returns
//!   the receipt. The attempt number is the activity id's `.n` suffix the flow API gives
//!   retries; the input's `declines` travels with the charge, and the fake payment services
//!   (`fake_payment.py` beside this crate, `host/tests/all/common/payment.rs`) decline while
//!   `attempt <= declines`, so tests still steer the retries. Answers: 201 `{"receipt"}`
//!   succeeds; 402 `{"reason", "details"}` fails "payment declined" with the details; 401 fails
//!   "payment service refused the API key"; another status fails "payment service error"; no
//!   answer (refused, denied, timed out…) fails "payment service unreachable" with the HTTP
//!   error (`POST <origin>: <code>`) as details.
//! - `ConfirmBooking`: confirms the itinerary paid for (`"booked <itinerary> (<receipt>)"`).
//!   When the operator grants config key `CONFIRMATION_BUCKET`, it first stores the
//!   confirmation as the S3 object `confirmations/<workflow id>.json` of that bucket, JSON
//!   `{"itinerary", "receipt", "workflowId"}`, through the virtual host
//!   `https://s3.aws.internal` (`swfwasm_guest::aws`: the host signs with the operator's AWS
//!   grant named `s3`; the plugin holds no AWS credentials). Any failure to store it (no AWS
//!   grant, S3 refusing, a bucket value that cannot be read) fails the task "cannot store the
//!   confirmation" with the error as details. Without the key nothing is stored.
//!
//! The plugin declares config keys `PAYMENT_URL` and `PAYMENT_KEY` (a secret) and the outbound
//! host `{PAYMENT_URL}` (the origin of the URL), all required: the artifact stays inactive
//! unless the operator grants the keys and a host pattern covering that origin (a key whose
//! value cannot be read at run time fails the task "payment service not configured"). It also
//! declares, optional, the config key `CONFIRMATION_BUCKET` and the outbound host
//! `https://s3.aws.internal`. To run it locally, start the fake service and grant it in the
//! worker configuration (`swfwasm.toml`):
//!
//! ```text
//! python3 plugins/booking-activities/fake_payment.py --port 8099 --api-key dev-key
//! ```
//!
//! ```toml
//! [[grant]]
//! plugin = "booking-activities"
//! allowed_outbound_hosts = ["http://127.0.0.1:8099"]
//! config = { PAYMENT_URL = "http://127.0.0.1:8099", PAYMENT_KEY = "dev-key" }
//! ```

use std::time::Duration;

use serde::{Deserialize, Serialize};
use swfwasm_guest::aws;
use swfwasm_guest::config::{self, ConfigError};
use swfwasm_guest::http::{self, Response};
use swfwasm_guest::prelude::*;

/// Input of SelectItinerary.
#[derive(Deserialize)]
struct Selection {
    itineraries: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

/// Input of ValidatePayment.
#[derive(Deserialize)]
struct PaymentRequest {
    itinerary: String,
    #[serde(default)]
    declines: u32,
    #[serde(default)]
    seconds: u64,
    #[serde(default)]
    traveller: Option<String>,
}

/// The body of `POST <PAYMENT_URL>/charges`.
#[derive(Debug, PartialEq, Serialize)]
struct Charge<'a> {
    itinerary: &'a str,
    attempt: u32,
    declines: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    traveller: Option<&'a str>,
}

/// The payment service's 201 body.
#[derive(Deserialize)]
struct Approval {
    receipt: String,
}

/// The payment service's 402 body.
#[derive(Deserialize)]
struct Decline {
    #[serde(default)]
    details: Option<String>,
}

/// Input of ConfirmBooking.
#[derive(Deserialize)]
struct Confirmation {
    itinerary: String,
    receipt: String,
}

/// The confirmation object ConfirmBooking stores in S3.
#[derive(Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct StoredConfirmation<'a> {
    itinerary: &'a str,
    receipt: &'a str,
    workflow_id: &'a str,
}

/// The config key naming the bucket confirmations are stored in.
const CONFIRMATION_BUCKET: &str = "CONFIRMATION_BUCKET";

/// Time allowed to connect to the payment service, and for its answer to begin.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const ANSWER_TIMEOUT: Duration = Duration::from_secs(20);

struct BookingActivities;

/// Every booking activity: task list `booking`, short timeouts.
fn declare(name: &str) -> ActivityTypeDecl {
    ActivityTypeDecl::new(name, "1.0")
        .default_task_list("booking")
        .default_task_schedule_to_start_timeout("300")
        .default_task_start_to_close_timeout("60")
        .default_task_schedule_to_close_timeout("360")
        .default_task_heartbeat_timeout("NONE")
}

fn bad_input(error: serde_json::Error) -> ActivityError {
    ActivityError::failed("bad input", Some(error.to_string()))
}

impl Activity for BookingActivities {
    fn requirements() -> Requirements {
        Requirements::new()
            .outbound_host("{PAYMENT_URL}", true)
            .config_key("PAYMENT_URL", true)
            .config_key("PAYMENT_KEY", true)
            .outbound_host(aws::host("s3"), false)
            .config_key(CONFIRMATION_BUCKET, false)
    }

    fn activity_types() -> Vec<ActivityTypeDecl> {
        [
            "SelectItinerary",
            "SubmitDetails",
            "ValidatePayment",
            "ConfirmBooking",
        ]
        .into_iter()
        .map(declare)
        .collect()
    }

    fn execute(task: &ActivityTask) -> Result<String, ActivityError> {
        match task.activity_type.name.as_str() {
            "SelectItinerary" => {
                let selection: Selection = task.input_json().map_err(bad_input)?;
                let choice = selection
                    .itineraries
                    .iter()
                    .find(|i| !selection.exclude.contains(i))
                    .ok_or_else(|| ActivityError::failed("no itinerary left", None))?;
                Ok(serde_json::to_string(choice).unwrap_or_default())
            }
            "SubmitDetails" => {
                let traveller: String = task.input_json().map_err(bad_input)?;
                if traveller.trim().is_empty() {
                    return Err(ActivityError::failed("no traveller name", None));
                }
                Ok(serde_json::to_string(&format!("details of {traveller}")).unwrap_or_default())
            }
            "ValidatePayment" => {
                let request: PaymentRequest = task.input_json().map_err(bad_input)?;
                let attempt: u32 = task
                    .activity_id
                    .rsplit_once('.')
                    .and_then(|(_, n)| n.parse().ok())
                    .unwrap_or(1);
                let receipt = charge(&request, attempt)?;
                for _ in 0..request.seconds * 10 {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    if heartbeat(None) != HeartbeatStatus::Ok {
                        return Err(ActivityError::canceled(Some("payment abandoned".into())));
                    }
                }
                Ok(serde_json::to_string(&receipt).unwrap_or_default())
            }
            "ConfirmBooking" => {
                let confirmation: Confirmation = task.input_json().map_err(bad_input)?;
                store(&confirmation, &task.workflow_execution.workflow_id)?;
                Ok(serde_json::to_string(&format!(
                    "booked {} ({})",
                    confirmation.itinerary, confirmation.receipt
                ))
                .unwrap_or_default())
            }
            other => Err(ActivityError::failed(
                format!("unknown activity {other}"),
                None,
            )),
        }
    }
}

/// Stores `confirmation` in the bucket the operator granted, if any.
fn store(confirmation: &Confirmation, workflow_id: &str) -> Result<(), ActivityError> {
    let failed =
        |details: String| ActivityError::failed("cannot store the confirmation", Some(details));
    let bucket = match config::get(CONFIRMATION_BUCKET) {
        Ok(Some(bucket)) => bucket,
        // Not granted: nothing to store (undeclared only happens natively, without a fake).
        Ok(None) | Err(ConfigError::Undeclared { .. }) => return Ok(()),
        Err(error) => return Err(failed(error.to_string())),
    };
    let object = StoredConfirmation {
        itinerary: &confirmation.itinerary,
        receipt: &confirmation.receipt,
        workflow_id,
    };
    let body = serde_json::to_vec(&object).map_err(|e| failed(e.to_string()))?;
    aws::s3_put_object(
        &bucket,
        &confirmation_key(workflow_id),
        body,
        Some("application/json"),
    )
    .map_err(|e| failed(e.to_string()))?;
    Ok(())
}

/// The S3 key of a workflow's confirmation.
fn confirmation_key(workflow_id: &str) -> String {
    format!("confirmations/{workflow_id}.json")
}

/// Asks the payment service to charge for `request`; the receipt, or why not.
fn charge(request: &PaymentRequest, attempt: u32) -> Result<String, ActivityError> {
    let url = setting("PAYMENT_URL")?;
    let key = setting("PAYMENT_KEY")?;
    let charge = Charge {
        itinerary: &request.itinerary,
        attempt,
        declines: request.declines,
        traveller: request.traveller.as_deref(),
    };
    let response = http::Request::post(charges_url(&url))
        .header("authorization", format!("Bearer {key}"))
        .json(&charge)
        .connect_timeout(CONNECT_TIMEOUT)
        .first_byte_timeout(ANSWER_TIMEOUT)
        .send()
        .map_err(|e| ActivityError::failed("payment service unreachable", Some(e.to_string())))?;
    answer(&response)
}

/// A granted config value; a key without one fails the task.
fn setting(key: &str) -> Result<String, ActivityError> {
    match config::get(key) {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(ActivityError::failed(
            "payment service not configured",
            Some(format!("{key} has no value")),
        )),
        Err(error) => Err(ActivityError::failed(
            "payment service not configured",
            Some(error.to_string()),
        )),
    }
}

/// `<base>/charges`, whether or not `base` ends with a slash.
fn charges_url(base: &str) -> String {
    format!("{}/charges", base.trim_end_matches('/'))
}

/// What the payment service's answer means for the activity.
fn answer(response: &Response) -> Result<String, ActivityError> {
    match response.status {
        201 => response.json::<Approval>().map(|a| a.receipt).map_err(|e| {
            ActivityError::failed(
                "payment service error",
                Some(format!("unreadable approval: {e}")),
            )
        }),
        402 => Err(ActivityError::failed(
            "payment declined",
            Some(
                response
                    .json::<Decline>()
                    .ok()
                    .and_then(|d| d.details)
                    .unwrap_or_else(|| response.text()),
            ),
        )),
        401 => Err(ActivityError::failed(
            "payment service refused the API key",
            None,
        )),
        status => Err(ActivityError::failed(
            "payment service error",
            Some(format!("HTTP {status}: {}", response.text())),
        )),
    }
}

export_activity!(BookingActivities);

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;
    use swfwasm_guest::http::Headers;

    fn response(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: Headers::default(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn task(id: &str, input: serde_json::Value) -> ActivityTask {
        typed_task("ValidatePayment", id, input)
    }

    fn typed_task(name: &str, id: &str, input: serde_json::Value) -> ActivityTask {
        ActivityTask::from_json(
            &serde_json::json!({
                "activityId": id,
                "activityType": {"name": name, "version": "1.0"},
                "workflowExecution": {"workflowId": "w", "runId": "r"},
                "input": input.to_string(),
            })
            .to_string(),
        )
        .unwrap()
    }

    #[test]
    fn declares_the_payment_service_and_optionally_s3() {
        let needs = BookingActivities::requirements();
        let hosts: Vec<_> = needs
            .outbound_hosts
            .iter()
            .map(|n| (n.name.as_str(), n.required))
            .collect();
        assert_eq!(
            hosts,
            [("{PAYMENT_URL}", true), ("https://s3.aws.internal", false)]
        );
        let keys: Vec<_> = needs
            .config_keys
            .iter()
            .map(|n| (n.name.as_str(), n.required))
            .collect();
        assert_eq!(
            keys,
            [
                ("PAYMENT_URL", true),
                ("PAYMENT_KEY", true),
                ("CONFIRMATION_BUCKET", false)
            ]
        );
    }

    fn confirm(workflow_id: &str) -> Result<String, ActivityError> {
        let task = ActivityTask::from_json(
            &serde_json::json!({
                "activityId": "ConfirmBooking-1",
                "activityType": {"name": "ConfirmBooking", "version": "1.0"},
                "workflowExecution": {"workflowId": workflow_id, "runId": "r"},
                "input": r#"{"itinerary": "LHR-JFK", "receipt": "receipt for LHR-JFK"}"#,
            })
            .to_string(),
        )
        .unwrap();
        BookingActivities::execute(&task)
    }

    const BOOKED: &str = r#""booked LHR-JFK (receipt for LHR-JFK)""#;

    /// Answers every request with `answer`; returns the requests sent.
    fn fake_s3(answer: Result<Response, &'static str>) -> Rc<RefCell<Vec<http::FakeRequest>>> {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let log = seen.clone();
        http::fake(move |request| {
            log.borrow_mut().push(request.clone());
            answer.clone()
        });
        seen
    }

    #[test]
    fn without_a_bucket_the_confirmation_is_not_stored() {
        let seen = fake_s3(Err("HTTP-request-denied"));
        assert_eq!(confirm("trip-1"), Ok(BOOKED.into()));
        config::fake(CONFIRMATION_BUCKET, None);
        assert_eq!(confirm("trip-1"), Ok(BOOKED.into()));
        assert!(seen.borrow().is_empty());
        // Other activities never touch S3.
        let selected = BookingActivities::execute(&typed_task(
            "SelectItinerary",
            "SelectItinerary-1",
            serde_json::json!({"itineraries": ["LHR-JFK"]}),
        ));
        assert_eq!(selected, Ok(r#""LHR-JFK""#.into()));
        assert!(seen.borrow().is_empty());
    }

    #[test]
    fn with_a_bucket_the_confirmation_goes_to_s3() {
        config::fake(CONFIRMATION_BUCKET, Some("bookings"));
        let seen = fake_s3(Ok(response(200, "")));
        assert_eq!(confirm("trip 1"), Ok(BOOKED.into()));
        let seen = seen.borrow();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].method, "PUT");
        assert_eq!(
            seen[0].url,
            "https://s3.aws.internal/bookings/confirmations/trip%201.json"
        );
        assert_eq!(seen[0].header("content-type"), Some("application/json"));
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&seen[0].body).unwrap(),
            serde_json::json!({
                "itinerary": "LHR-JFK",
                "receipt": "receipt for LHR-JFK",
                "workflowId": "trip 1",
            })
        );
        assert!(seen[0].header("authorization").is_none());
    }

    #[test]
    fn failing_to_store_the_confirmation_fails_the_task() {
        config::fake(CONFIRMATION_BUCKET, Some("bookings"));
        fake_s3(Err("HTTP-request-denied"));
        assert_eq!(
            confirm("trip-1"),
            Err(ActivityError::failed(
                "cannot store the confirmation",
                Some("PUT https://s3.aws.internal:443: HTTP-request-denied".into())
            ))
        );
        let mut refused = response(
            403,
            "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
        );
        refused.headers = Headers::from_pairs([("content-type", "application/xml")]);
        fake_s3(Ok(refused));
        assert_eq!(
            confirm("trip-1"),
            Err(ActivityError::failed(
                "cannot store the confirmation",
                Some("s3 PutObject: 403 AccessDenied: Access Denied".into())
            ))
        );
    }

    #[test]
    fn confirmations_are_keyed_by_workflow() {
        assert_eq!(confirmation_key("trip-1"), "confirmations/trip-1.json");
    }

    #[test]
    fn charges_go_to_the_charges_path() {
        assert_eq!(
            charges_url("http://127.0.0.1:8099"),
            "http://127.0.0.1:8099/charges"
        );
        assert_eq!(
            charges_url("https://pay.example.com/v1/"),
            "https://pay.example.com/v1/charges"
        );
    }

    #[test]
    fn the_charge_carries_the_steering() {
        let charge = Charge {
            itinerary: "LHR-JFK",
            attempt: 2,
            declines: 1,
            traveller: None,
        };
        assert_eq!(
            serde_json::to_value(&charge).unwrap(),
            serde_json::json!({"itinerary": "LHR-JFK", "attempt": 2, "declines": 1})
        );
        let charge = Charge {
            traveller: Some("Ada"),
            ..charge
        };
        assert_eq!(serde_json::to_value(&charge).unwrap()["traveller"], "Ada");
    }

    #[test]
    fn answers_become_receipts_or_failures() {
        assert_eq!(
            answer(&response(201, r#"{"receipt": "receipt for LHR-JFK"}"#)),
            Ok("receipt for LHR-JFK".into())
        );
        assert_eq!(
            answer(&response(
                402,
                r#"{"reason": "payment declined", "details": "attempt 1 for LHR-JFK"}"#
            )),
            Err(ActivityError::failed(
                "payment declined",
                Some("attempt 1 for LHR-JFK".into())
            ))
        );
        assert_eq!(
            answer(&response(401, "{}")),
            Err(ActivityError::failed(
                "payment service refused the API key",
                None
            ))
        );
        assert_eq!(
            answer(&response(503, "busy")),
            Err(ActivityError::failed(
                "payment service error",
                Some("HTTP 503: busy".into())
            ))
        );
        assert!(matches!(
            answer(&response(201, "not json")),
            Err(ActivityError::Failed { reason, .. }) if reason == "payment service error"
        ));
    }

    #[test]
    fn without_a_host_the_payment_service_is_unreachable() {
        let input = serde_json::json!({"itinerary": "LHR-JFK", "declines": 1});
        assert_eq!(
            BookingActivities::execute(&task("ValidatePayment-1.2", input.clone())),
            Err(ActivityError::failed(
                "payment service not configured",
                Some("PAYMENT_URL: undeclared".into())
            ))
        );
        config::fake("PAYMENT_URL", Some("http://127.0.0.1:8099/"));
        config::fake("PAYMENT_KEY", Some("secret"));
        // A native build has no wasi:http: the request fails, naming method and origin.
        match BookingActivities::execute(&task("ValidatePayment-1.2", input)) {
            Err(ActivityError::Failed { reason, details }) => {
                assert_eq!(reason, "payment service unreachable");
                let details = details.unwrap();
                assert!(
                    details.starts_with("POST http://127.0.0.1:8099: internal-error"),
                    "{details}"
                );
                assert!(!details.contains("secret"), "{details}");
            }
            other => panic!("{other:?}"),
        }
    }
}
