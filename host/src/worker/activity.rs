//! Activity tasks: poll, route by activity type, run the activity with its deadline and
//! heartbeats, answer SWF with completed, failed or canceled.
//!
//! The deadline is the start-to-close timeout the task was scheduled with, which the poll does
//! not carry. When this worker's own decider scheduled it, the decision said it (or left it to
//! the type's registered default, asked of SWF once per type): no call. Otherwise it is read
//! from the run's history, newest page first.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use swf_model::{
    Action, ActivityTask, ActivityType, DescribeActivityTypeInput, DescribeActivityTypeOutput,
    EventAttributes, GetWorkflowExecutionHistoryInput, GetWorkflowExecutionHistoryOutput,
    MAX_DATA_LEN, MAX_REASON_LEN, truncate_chars,
};

use super::context::Context;
use super::deadlines::Scheduled;
use super::heartbeat::SwfHeartbeat;
use crate::metrics::{Metrics, metrics};
use crate::runtime::{ActivityOutcome, Plugin};
use crate::swf::SwfError;

pub(crate) async fn poll(
    context: &Context,
    task_list: &str,
) -> Result<Option<ActivityTask>, SwfError> {
    context
        .client
        .poll_for_activity_task(&context.config.domain, task_list, &context.identity)
        .await
}

pub(crate) async fn handle(context: &Context, task: ActivityTask) {
    let activity_type = &task.activity_type;
    let plugins = context.plugins.snapshot();
    let Some((plugin, declared_timeout)) =
        plugins.activity(&activity_type.name, &activity_type.version)
    else {
        tracing::warn!(activity_type = %activity_type.name,
            version = %activity_type.version,
            "no loaded plugin serves this activity type; leaving the task");
        count_task(&task, None, "unserved");
        return;
    };
    let fallback =
        declared_timeout.unwrap_or(Duration::from_secs(context.config.activity_timeout_secs));
    let scheduled = match context
        .deadlines
        .take(&task.workflow_execution.run_id, &task.activity_id)
    {
        Some(Scheduled::Timeout(timeout)) => Ok(timeout),
        // Without DescribeActivityType (a role that may not call it, say), the history says it.
        Some(Scheduled::TypeDefault) => match type_default(context, activity_type).await {
            Ok(default) => Ok(default),
            Err(error) => {
                tracing::debug!(%error, "cannot describe the activity type; reading the history");
                scheduled_start_to_close(context, &task).await
            }
        },
        None => scheduled_start_to_close(context, &task).await,
    };
    let deadline = match scheduled {
        Ok(scheduled) => scheduled.unwrap_or(fallback),
        Err(error) => {
            tracing::warn!(%error,
                "cannot read the activity's scheduled timeout; using the declared default");
            fallback
        }
    };
    let heartbeat = Arc::new(SwfHeartbeat::new(
        context.client.clone(),
        task.task_token.clone(),
        Duration::from_millis(context.config.heartbeat_interval_ms),
    ));
    let execute = || {
        context
            .runtime
            .execute(plugin, &task, deadline, heartbeat.clone())
    };
    let outcome = match heartbeat.while_running(execute).await {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::error!(plugin = %plugin.digest(), %error, "activity failed in the host");
            let message = error.to_string();
            ActivityOutcome::Failed {
                reason: truncate_chars(&message, MAX_REASON_LEN).to_owned(),
                details: Some(truncate_chars(&message, MAX_DATA_LEN).to_owned()),
            }
        }
    };
    let counted = match &outcome {
        ActivityOutcome::Completed(_) => "completed",
        ActivityOutcome::Failed { .. } => "failed",
        ActivityOutcome::Canceled { .. } => "canceled",
    };
    count_task(&task, Some(plugin), counted);
    let token = &task.task_token;
    let answered = match &outcome {
        ActivityOutcome::Completed(result) => {
            context
                .client
                .respond_activity_task_completed(token, Some(result))
                .await
        }
        ActivityOutcome::Failed { reason, details } => {
            context
                .client
                .respond_activity_task_failed(token, Some(reason), details.as_deref())
                .await
        }
        ActivityOutcome::Canceled { details } => {
            context
                .client
                .respond_activity_task_canceled(token, details.as_deref())
                .await
        }
    };
    match answered {
        Ok(()) => Metrics::count(&metrics().responds, "ok"),
        Err(error) if error.is_unknown_resource() => {
            Metrics::count(&metrics().responds, "task_gone");
            tracing::warn!(%error,
                "the activity task is gone (timed out, canceled or answered already); dropping the result");
        }
        Err(error) => {
            Metrics::count(&metrics().responds, "error");
            tracing::error!(%error,
                "cannot answer the activity task; SWF will time it out");
        }
    }
}

/// Counts an activity task by its type, the artifact running it and `outcome`.
fn count_task(task: &ActivityTask, plugin: Option<&Plugin>, outcome: &'static str) {
    let t = &task.activity_type;
    let digest = plugin.map(|p| p.digest().short());
    metrics().task("activity", &t.name, &t.version, digest, outcome);
}

/// The registered default start-to-close timeout of `activity_type` (`None` for `NONE` or
/// none registered), asked of SWF the first time.
async fn type_default(
    context: &Context,
    activity_type: &ActivityType,
) -> Result<Option<Duration>, SwfError> {
    let (name, version) = (&activity_type.name, &activity_type.version);
    if let Some(known) = context.type_defaults.get(name, version) {
        return Ok(known);
    }
    let input = DescribeActivityTypeInput {
        domain: context.config.domain.clone(),
        activity_type: activity_type.clone(),
    };
    let described: DescribeActivityTypeOutput = context
        .client
        .call(Action::DescribeActivityType, &input)
        .await?;
    let default = described
        .configuration
        .default_task_start_to_close_timeout
        .as_deref()
        .and_then(swf_model::duration_secs)
        .map(Duration::from_secs);
    context.type_defaults.insert(name, version, default);
    Ok(default)
}

/// The start-to-close timeout this attempt was scheduled with (`None` for `NONE` or when the
/// history does not show it). The poll response does not carry it, so it is read from the
/// history, newest page first: the ActivityTaskStarted event names its scheduled event, which is
/// normally close behind.
async fn scheduled_start_to_close(
    context: &Context,
    task: &ActivityTask,
) -> Result<Option<Duration>, SwfError> {
    let mut input = GetWorkflowExecutionHistoryInput {
        domain: context.config.domain.clone(),
        execution: task.workflow_execution.clone(),
        reverse_order: Some(true),
        maximum_page_size: Some(100),
        ..Default::default()
    };
    let mut scheduled_id = None;
    let mut scheduled_timeouts = HashMap::new();
    loop {
        let page: GetWorkflowExecutionHistoryOutput = context
            .client
            .call(Action::GetWorkflowExecutionHistory, &input)
            .await?;
        for event in &page.events {
            match &event.attributes {
                EventAttributes::ActivityTaskStarted(a)
                    if event.event_id == task.started_event_id =>
                {
                    scheduled_id = Some(a.scheduled_event_id);
                }
                EventAttributes::ActivityTaskScheduled(a) => {
                    scheduled_timeouts.insert(event.event_id, a.start_to_close_timeout.clone());
                }
                _ => {}
            }
        }
        if let Some(timeout) = scheduled_id.and_then(|id| scheduled_timeouts.remove(&id)) {
            return Ok(timeout
                .and_then(|t| swf_model::duration_secs(&t))
                .map(Duration::from_secs));
        }
        match page.next_page_token {
            Some(token) if !token.is_empty() => input.next_page_token = Some(token),
            _ => return Ok(None),
        }
    }
}
