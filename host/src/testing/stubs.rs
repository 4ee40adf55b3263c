//! Stubbed activities: activity types a scenario answers with canned outcomes instead of an
//! activity plugin. They are registered with [`STUB_TASK_LIST`] as their default task list, and
//! one poller answers every task on it with the next outcome of its type (one per attempt, the
//! last repeating), after the outcome's delay on the service's clock.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use local_swf::LocalSwf;
use swf_model::{RegisterActivityTypeInput, TaskList};

use super::scenario::{StubOutcome, stub_type};
use crate::swf::{SwfClient, SwfError};
use crate::worker::Shutdown;

/// The task list of stubbed activity types.
pub const STUB_TASK_LIST: &str = "swfwasm-stubs";

/// Registers every stubbed type in `domain`, with generous default timeouts.
pub(super) async fn register(
    client: &SwfClient,
    domain: &str,
    stubs: &BTreeMap<String, Vec<StubOutcome>>,
) -> Result<(), SwfError> {
    for key in stubs.keys() {
        let (name, version) = stub_type(key);
        let input = RegisterActivityTypeInput {
            domain: domain.to_owned(),
            name: name.to_owned(),
            version: version.to_owned(),
            description: Some("stubbed by the scenario".into()),
            default_task_list: Some(TaskList::new(STUB_TASK_LIST)),
            default_task_schedule_to_start_timeout: Some("86400".into()),
            default_task_start_to_close_timeout: Some("86400".into()),
            default_task_schedule_to_close_timeout: Some("172800".into()),
            default_task_heartbeat_timeout: Some("NONE".into()),
            ..Default::default()
        };
        match client.register_activity_type(&input).await {
            Err(e) if !e.is_already_exists() => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// Answers the stubbed activity tasks of `domain` until `shutdown`.
pub(super) async fn serve(
    client: SwfClient,
    service: Arc<LocalSwf>,
    domain: String,
    stubs: BTreeMap<String, Vec<StubOutcome>>,
    shutdown: Shutdown,
) {
    let mut attempts: HashMap<String, usize> = HashMap::new();
    loop {
        let polled = tokio::select! {
            polled = client.poll_for_activity_task(&domain, STUB_TASK_LIST, "swfwasm-test-stubs") => polled,
            _ = shutdown.triggered() => return,
        };
        let task = match polled {
            Ok(Some(task)) => task,
            Ok(None) => continue,
            Err(error) => {
                tracing::warn!(%error, "polling the stubbed activities failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let (name, version) = (&task.activity_type.name, &task.activity_type.version);
        let key = if version == "1.0" {
            name.clone()
        } else {
            format!("{name}@{version}")
        };
        let outcomes = stubs.get(&key).map(Vec::as_slice).unwrap_or_default();
        let attempt = attempts.entry(key.clone()).or_insert(0);
        let outcome = outcomes
            .get(*attempt)
            .or(outcomes.last())
            .cloned()
            .unwrap_or_default();
        *attempt += 1;
        if outcome.after_secs > 0 {
            let at = service.now_ms() + outcome.after_secs as i64 * 1000;
            wait_until(&service, at, &shutdown).await;
        }
        let answered = match &outcome.fail {
            Some(reason) => {
                client
                    .respond_activity_task_failed(
                        &task.task_token,
                        Some(reason),
                        outcome.details.as_deref(),
                    )
                    .await
            }
            None => {
                client
                    .respond_activity_task_completed(&task.task_token, outcome.result.as_deref())
                    .await
            }
        };
        if let Err(error) = answered {
            tracing::warn!(%error, activity = %key, "answering a stubbed activity failed");
        }
    }
}

/// Waits until the service's clock reads `at_ms`, holding time skipping there (see
/// [`LocalSwf::hold_clock_at`]) so the clock stops at that point instead of jumping past it.
pub(super) async fn wait_until(service: &LocalSwf, at_ms: i64, shutdown: &Shutdown) {
    service.hold_clock_at(at_ms);
    while service.now_ms() < at_ms {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(10)) => {}
            _ = shutdown.triggered() => break,
        }
    }
    service.release_clock(at_ms);
}
