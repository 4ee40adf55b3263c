//! The booking activities, steered by their input so tests can drive every path of the
//! BookTrip workflow. All but one are deterministic fakes; ValidatePayment calls a payment
//! service over HTTP.
//!
//! - `SelectItinerary`: the first of `itineraries` not in `exclude`; fails when none is left.
//! - `SubmitDetails`: accepts any non-empty traveller name.
//! - `ValidatePayment`: POSTs the charge to the payment service at config key `PAYMENT_URL`
//!   (`<PAYMENT_URL>/charges`, JSON `{"itinerary", "attempt", "declines", "traveller"?}`,
//!   `Authorization: Bearer <PAYMENT_KEY>`), then takes `seconds` (heartbeating) and returns
//!   the receipt. The attempt number is the activity id's `.n` suffix the flow API gives
//!   retries; the input's `declines` travels with the charge, and the fake payment services
//!   (`fake_payment.py` beside this crate, `host/tests/common/payment.rs`) decline while
//!   `attempt <= declines`, so tests still steer the retries. Answers: 201 `{"receipt"}`
//!   succeeds; 402 `{"reason", "details"}` fails "payment declined" with the details; 401 fails
//!   "payment service refused the API key"; another status fails "payment service error"; no
//!   answer (refused, denied, timed out…) fails "payment service unreachable" with the HTTP
//!   error (`POST <origin>: <code>`) as details.
//! - `ConfirmBooking`: confirms the itinerary paid for.
//!
//! The plugin declares config keys `PAYMENT_URL` and `PAYMENT_KEY` (a secret) and the outbound
//! host `{PAYMENT_URL}` (the origin of the URL), all required: the artifact stays inactive
//! unless the operator grants the keys and a host pattern covering that origin (a key whose
//! value cannot be read at run time fails the task "payment service not configured"). To run
//! it locally, start the fake service and grant it in the worker configuration
//! (`swfwasm.toml`):
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
use swfwasm_guest::config;
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
        ActivityTask::from_json(
            &serde_json::json!({
                "activityId": id,
                "activityType": {"name": "ValidatePayment", "version": "1.0"},
                "workflowExecution": {"workflowId": "w", "runId": "r"},
                "input": input.to_string(),
            })
            .to_string(),
        )
        .unwrap()
    }

    #[test]
    fn declares_the_payment_service() {
        let needs = BookingActivities::requirements();
        assert_eq!(needs.outbound_hosts[0].name, "{PAYMENT_URL}");
        assert!(needs.outbound_hosts[0].required);
        let keys: Vec<_> = needs
            .config_keys
            .iter()
            .map(|n| (n.name.as_str(), n.required))
            .collect();
        assert_eq!(keys, [("PAYMENT_URL", true), ("PAYMENT_KEY", true)]);
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
