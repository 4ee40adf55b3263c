//! The booking activities as deterministic fakes: what they do is written in their input, so
//! tests can steer every path of the BookTrip workflow.
//!
//! - `SelectItinerary`: the first of `itineraries` not in `exclude`; fails when none is left.
//! - `SubmitDetails`: accepts any non-empty traveller name.
//! - `ValidatePayment`: declines the first `declines` attempts (the attempt number is the
//!   activity id's `.n` suffix the flow API gives retries), then takes `seconds` (heartbeating)
//!   and succeeds.
//! - `ConfirmBooking`: confirms the itinerary paid for.

use serde::Deserialize;
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
}

/// Input of ConfirmBooking.
#[derive(Deserialize)]
struct Confirmation {
    itinerary: String,
    receipt: String,
}

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
                if attempt <= request.declines {
                    return Err(ActivityError::failed(
                        "payment declined",
                        Some(format!("attempt {attempt} for {}", request.itinerary)),
                    ));
                }
                for _ in 0..request.seconds * 10 {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    if heartbeat(None) != HeartbeatStatus::Ok {
                        return Err(ActivityError::canceled(Some("payment abandoned".into())));
                    }
                }
                Ok(
                    serde_json::to_string(&format!("receipt for {}", request.itinerary))
                        .unwrap_or_default(),
                )
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

export_activity!(BookingActivities);
