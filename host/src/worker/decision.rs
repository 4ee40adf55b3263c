//! Decision tasks: poll, route by workflow type, run the decider, answer SWF.

use swf_model::{
    Decision, DecisionTask, FailWorkflowExecutionDecisionAttributes, MAX_DATA_LEN, MAX_REASON_LEN,
    RespondDecisionTaskCompleted, truncate_chars,
};

use super::config::DeciderFailurePolicy;
use super::context::Context;
use super::pin;
use super::plugins::PluginSet;
use crate::metrics::{Metrics, metrics};
use crate::replay::{Replayed, replay};
use crate::runtime::{Digest, Plugin};
use crate::swf::SwfError;

/// One long poll; the task it returns carries the complete history.
pub(crate) async fn poll(
    context: &Context,
    task_list: &str,
) -> Result<Option<DecisionTask>, SwfError> {
    context
        .client
        .poll_for_decision_task(&context.config.domain, task_list, &context.identity)
        .await
}

pub(crate) async fn handle(context: &Context, mut task: DecisionTask) {
    let pinned = pin::strip(&mut task);
    let plugins = context.plugins.snapshot();
    let Some(plugin) = choose_decider(context, &plugins, &task, pinned.as_deref()).await else {
        count_task(&task, None, "unserved");
        return;
    };
    count_task(&task, Some(&plugin), "started");
    let mut response = match context.runtime.decide(&plugin, &task).await {
        Ok(response) => response,
        Err(error) => {
            count_task(&task, Some(&plugin), "error");
            tracing::error!(plugin = %plugin.digest(), %error, policy = ?context.config.decider_failure,
                "decider failed");
            match context.config.decider_failure {
                DeciderFailurePolicy::Timeout => return,
                DeciderFailurePolicy::FailWorkflow => fail_workflow(&error.to_string()),
            }
        }
    };
    response.task_token = task.task_token.clone();
    match pin::encode(plugin.digest(), response.execution_context.as_deref()) {
        Some(pinned) => response.execution_context = Some(pinned),
        None => tracing::warn!(
            "the decider's executionContext leaves no room for the artifact pin; answering unpinned"
        ),
    }
    match context
        .client
        .respond_decision_task_completed(&response)
        .await
    {
        Ok(()) => {
            count_task(&task, Some(&plugin), "completed");
            Metrics::count(&metrics().responds, "ok");
            if closes_run(&response) {
                context.upgrades.forget_run(&task.workflow_execution.run_id);
            }
        }
        Err(error) if error.is_unknown_resource() => {
            Metrics::count(&metrics().responds, "task_gone");
            tracing::warn!(%error,
                "the decision task is gone (timed out or the run closed); dropping it");
        }
        Err(error) => {
            Metrics::count(&metrics().responds, "error");
            tracing::error!(%error,
                "cannot answer the decision task; SWF will time it out and retry");
        }
    }
}

/// Counts a decision task by its workflow type, the artifact deciding it and `outcome`.
fn count_task(task: &DecisionTask, plugin: Option<&Plugin>, outcome: &str) {
    let t = &task.workflow_type;
    let digest = plugin.map(|p| p.digest().short());
    metrics().task("decision", &t.name, &t.version, digest, outcome);
}

/// Whether answering `response` closes the run (a new run of a continued one has its own id).
fn closes_run(response: &RespondDecisionTaskCompleted) -> bool {
    response.decisions.iter().any(|decision| {
        matches!(
            decision,
            Decision::CompleteWorkflowExecution(_)
                | Decision::FailWorkflowExecution(_)
                | Decision::CancelWorkflowExecution(_)
                | Decision::ContinueAsNewWorkflowExecution(_)
        )
    })
}

/// The response of the fail-workflow policy: the error's first line as the reason.
fn fail_workflow(error: &str) -> RespondDecisionTaskCompleted {
    RespondDecisionTaskCompleted {
        decisions: vec![Decision::FailWorkflowExecution(
            FailWorkflowExecutionDecisionAttributes {
                reason: Some(
                    truncate_chars(&format!("decider failed: {error}"), MAX_REASON_LEN).to_owned(),
                ),
                details: Some(truncate_chars(error, MAX_DATA_LEN).to_owned()),
            },
        )],
        ..RespondDecisionTaskCompleted::default()
    }
}

/// The artifact that decides this task. A run's first decision goes to the active artifact of
/// its type; later ones to the artifact that made the run's latest decision (its pin). When a
/// newer artifact is active for the type, the run moves to it only if its history replays
/// identically on it; otherwise it stays on its pinned artifact, and if that one is no longer
/// loaded the task is left to time out rather than decided by code that would diverge.
async fn choose_decider(
    context: &Context,
    plugins: &PluginSet,
    task: &DecisionTask,
    pinned: Option<&str>,
) -> Option<Plugin> {
    let execution = &task.workflow_execution;
    let wf_type = &task.workflow_type;
    let Some(active) = plugins.decider(&wf_type.name, &wf_type.version) else {
        // Answering with anything would be a guess; SWF will time the task out and the type's
        // owner (another worker, or this one after a deploy) will get it again.
        tracing::warn!(workflow_type = %wf_type.name, version = %wf_type.version,
            "no loaded plugin serves this workflow type; leaving the decision task");
        return None;
    };
    let Some(pinned) = pinned.filter(|digest| *digest != active.digest().hex()) else {
        return Some(active.clone());
    };
    let previous = plugins.decider_with_digest(&wf_type.name, &wf_type.version, pinned);
    let known = context
        .upgrades
        .get(&execution.run_id, active.digest().hex());
    let identical = match known {
        Some(verdict) => verdict,
        None => {
            let verdict = match replay(
                &context.runtime,
                active,
                &task.events,
                Some(execution.clone()),
            )
            .await
            {
                Ok(Replayed::Identical(_)) => {
                    tracing::info!(from = %Digest::shorten(pinned), to = %active.digest().short(),
                        "history replays identically on the new artifact; the run moves to it");
                    Metrics::count(&metrics().upgrade_verdicts, "identical");
                    true
                }
                Ok(Replayed::Diverged(divergence)) => {
                    tracing::warn!(pinned = %Digest::shorten(pinned), candidate = %active.digest().short(), %divergence,
                        "history diverges on the new artifact; the run stays on its artifact");
                    Metrics::count(&metrics().upgrade_verdicts, "diverged");
                    false
                }
                Err(error) => {
                    tracing::warn!(pinned = %Digest::shorten(pinned), candidate = %active.digest().short(), %error,
                        "history does not replay on the new artifact; the run stays on its artifact");
                    Metrics::count(&metrics().upgrade_verdicts, "error");
                    false
                }
            };
            context
                .upgrades
                .insert(&execution.run_id, active.digest().hex(), verdict);
            verdict
        }
    };
    match (identical, previous) {
        (true, _) => Some(active.clone()),
        (false, Some(previous)) => Some(previous.clone()),
        (false, None) => {
            tracing::error!(pinned = %Digest::shorten(pinned),
                "the run's artifact is no longer loaded and the active one diverges; leaving the \
                 decision task (load the artifact again to continue the run)");
            None
        }
    }
}
