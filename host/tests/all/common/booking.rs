//! The booking workflow's test setup, shared by the tests that run it (booking, flow_languages):
//! a worker configuration granting booking-activities the payment service and S3, and the
//! inputs that steer each path.

use std::path::Path;

use serde_json::{Value, json};

/// A worker configuration polling `booking` on `domain` at `endpoint` with `decider` and the
/// Rust booking-activities, granted the payment service at `payments` (its key as the TOML
/// value `key`, e.g. `"literal"` or `{ env = "VAR" }`) and S3 at `s3`.
pub fn worker_config(
    domain: &str,
    endpoint: &str,
    decider: &Path,
    payments: &str,
    key: &str,
    s3: &str,
) -> String {
    format!(
        "domain = \"{domain}\"\nendpoint = \"{endpoint}\"\nregion = \"us-east-1\"\n\
         heartbeat_interval_ms = 200\nplugins = [{:?}, {:?}]\n\n\
         [[task_list]]\nname = \"booking\"\nkind = \"activity\"\npollers = 4\nmax_in_flight = 8\n\n\
         [[task_list]]\nname = \"booking\"\nkind = \"decision\"\n\n\
         [[grant]]\nplugin = \"booking-activities\"\nallowed_outbound_hosts = [\"{payments}\"]\n\
         aws = [{{ service = \"s3\", region = \"us-east-1\", endpoint = \"{s3}\", use_worker_credentials = true }}]\n\
         config = {{ PAYMENT_URL = \"{payments}/v1\", PAYMENT_KEY = {key}, CONFIRMATION_BUCKET = \"bookings\" }}\n",
        decider,
        super::plugin("booking-activities"),
    )
}

/// Every path of the booking, by workflow id, with the input that steers it (see
/// plugins/booking-activities): happy, retried twice, regressed to the second itinerary, all
/// declined, and a slow payment to cancel.
pub fn trips() -> Vec<(&'static str, Value)> {
    let steering = [
        ("happy", json!({})),
        ("two-declines", json!({"declines": {"LHR-JFK": 2}})),
        ("regress", json!({"declines": {"LHR-JFK": 3}})),
        (
            "all-declined",
            json!({"declines": {"LHR-JFK": 3, "LHR-BOS": 3, "LHR-ORD": 3}}),
        ),
        ("cancel", json!({"payment_seconds": 60})),
    ];
    steering
        .into_iter()
        .map(|(id, steer)| {
            let mut input = json!({"traveller": "Ada Lovelace",
                "itineraries": ["LHR-JFK", "LHR-BOS", "LHR-ORD"]});
            input
                .as_object_mut()
                .expect("an object")
                .extend(steer.as_object().expect("an object").clone());
            (id, input)
        })
        .collect()
}
