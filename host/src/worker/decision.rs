//! Decision tasks: poll (a shared list, or the sticky one), route by workflow type, run the
//! decider, answer SWF (sending the run's next decision task to the sticky list), keep the
//! history for that task.

use swf_model::{
    Decision, DecisionTask, FailWorkflowExecutionDecisionAttributes, HistoryEvent, MAX_DATA_LEN,
    MAX_REASON_LEN, RespondDecisionTaskCompleted, truncate_chars,
};

use super::config::DeciderFailurePolicy;
use super::context::Context;
use super::error::WorkerError;
use super::pin;
use super::plugins::PluginSet;
use super::sticky::{self, Assembly, KeptRun, Sticky};
use crate::metrics::{Metrics, metrics};
use crate::replay::{Replayed, replay};
use crate::runtime::{Digest, GuestError, Plugin, WarmDecider};
use crate::swf::SwfError;

/// A polled decision task, with its complete history (artifact pins stripped), the artifact
/// the latest decision was pinned to, and the run's warm decider instance if this worker kept
/// one.
pub(crate) struct Polled {
    pub(crate) task: DecisionTask,
    pub(crate) assembly: Assembly,
    pub(crate) pinned: Option<String>,
    pub(crate) warm: Option<WarmDecider>,
}

/// One long poll of `task_list` (the sticky list's own way when it is that one).
pub(crate) async fn poll(context: &Context, task_list: &str) -> Result<Option<Polled>, SwfError> {
    if let Some(sticky) = context
        .sticky
        .as_ref()
        .filter(|s| s.task_list() == task_list)
    {
        return poll_sticky(context, sticky).await;
    }
    let task = context
        .client
        .poll_for_decision_task(&context.config.domain, task_list, &context.identity)
        .await?;
    Ok(task.map(|mut task| Polled {
        pinned: pin::strip(&mut task),
        task,
        assembly: Assembly::Polled,
        warm: None,
    }))
}

/// One long poll of the sticky list, and the task's complete history: kept events joined
/// with the new ones, or read in full.
async fn poll_sticky(context: &Context, sticky: &Sticky) -> Result<Option<Polled>, SwfError> {
    let Some(mut task) = context
        .client
        .poll_for_decision_task_since_previous(
            &context.config.domain,
            sticky.task_list(),
            &context.identity,
        )
        .await?
    else {
        return Ok(None);
    };
    // A service that ignores startAtPreviousStartedEvent, or a run's first decision task,
    // gives the complete history.
    // Kept events were stripped when they were new: only the new ones are.
    let pinned = pin::strip(&mut task);
    let first_new = task.events.first().map_or(1, |e| e.event_id);
    if first_new <= 1 {
        return Ok(Some(Polled {
            task,
            assembly: Assembly::Polled,
            pinned,
            warm: None,
        }));
    }
    let run_id = task.workflow_execution.run_id.clone();
    match sticky
        .take(&run_id)
        .filter(|kept| sticky::joins(&kept.events, first_new))
    {
        Some(KeptRun {
            events: mut kept,
            warm,
        }) => {
            kept.truncate(usize::try_from(first_new - 1).unwrap_or(usize::MAX));
            kept.append(&mut task.events);
            task.events = kept;
            Metrics::count(&metrics().sticky_histories, "kept");
            Ok(Some(Polled {
                task,
                assembly: Assembly::Kept,
                pinned,
                warm,
            }))
        }
        None => {
            tracing::debug!(%run_id, "the run's history is not kept; reading it in full");
            task.events = read_in_full(context, &task).await?;
            Metrics::count(&metrics().sticky_histories, "read");
            let pinned = pin::strip(&mut task);
            Ok(Some(Polled {
                task,
                assembly: Assembly::Read,
                pinned,
                warm: None,
            }))
        }
    }
}

/// The complete history of `task`'s run up to its DecisionTaskStarted event, read from SWF.
async fn read_in_full(
    context: &Context,
    task: &DecisionTask,
) -> Result<Vec<HistoryEvent>, SwfError> {
    context
        .client
        .workflow_history_until(
            &context.config.domain,
            &task.workflow_execution,
            task.started_event_id,
        )
        .await
}

pub(crate) async fn handle(context: &Context, polled: Polled) {
    let Polled {
        task,
        assembly,
        pinned,
        warm,
    } = polled;
    let plugins = context.plugins.snapshot();
    let Some(plugin) = choose_decider(context, &plugins, &task, pinned.as_deref()).await else {
        count_task(&task, None, "unserved");
        return;
    };
    count_task(&task, Some(&plugin), "started");
    let (decided, warm) = decide(context, &plugin, &task, warm).await;
    let mut response = match decided {
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
    if assembly == Assembly::Kept && context.sticky.as_ref().is_some_and(|s| s.verifies()) {
        // Boxed, as is the replay below: opt-in or rare paths whose futures would otherwise
        // enlarge every decision task's future, which is moved as a whole.
        response = Box::pin(verify(context, &plugin, &task, response)).await;
    }
    response.task_token = task.task_token.clone();
    match pin::encode(plugin.digest(), response.execution_context.as_deref()) {
        Some(pinned) => response.execution_context = Some(pinned),
        None => tracing::warn!(
            "the decider's executionContext leaves no room for the artifact pin; answering unpinned"
        ),
    }
    let run_id = task.workflow_execution.run_id.clone();
    let closes = closes_run(&response);
    // Once stopping, runs go back to their shared lists rather than wait out the sticky
    // schedule-to-start timeout.
    let sticky = context
        .sticky
        .as_ref()
        .filter(|_| !closes && !context.stopping());
    if let Some(sticky) = sticky {
        sticky.route(&mut response);
    }
    context.deadlines.record(&run_id, &response.decisions);
    match context
        .client
        .respond_decision_task_completed(&response)
        .await
    {
        Ok(()) => {
            count_task(&task, Some(&plugin), "completed");
            Metrics::count(&metrics().responds, "ok");
            if closes {
                context.upgrades.forget_run(&run_id);
            }
            if let Some(sticky) = sticky {
                let events = task.events;
                sticky.keep(&run_id, KeptRun { events, warm });
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

/// Runs the decider on `task`: on the run's warm instance with only the new events when one
/// of `plugin` was kept, else on a fresh instance, which is kept warm when the worker is sticky
/// and the plugin can be. A warm instance that fails is dropped and the task decided afresh.
async fn decide(
    context: &Context,
    plugin: &Plugin,
    task: &DecisionTask,
    warm: Option<WarmDecider>,
) -> (
    Result<RespondDecisionTaskCompleted, GuestError>,
    Option<WarmDecider>,
) {
    let runtime = &context.runtime;
    if let Some(warm) = warm.filter(|w| w.digest() == plugin.digest()) {
        match runtime.decide_since(warm, task).await {
            Ok((response, warm)) => return (Ok(response), Some(warm)),
            Err(error) => {
                tracing::warn!(%error, "the warm decider instance failed; deciding afresh")
            }
        }
    }
    if context.sticky.is_none() {
        return (runtime.decide(plugin, task).await, None);
    }
    match runtime.decide_and_keep(plugin, task).await {
        Ok((response, warm)) => (Ok(response), warm),
        Err(error) => (Err(error), None),
    }
}

/// Verification mode: reads the history of `task` (assembled from kept events) in full and
/// decides from it too. Any difference in the events or the decisions stops the worker; the
/// task is answered from the full history either way.
async fn verify(
    context: &Context,
    plugin: &Plugin,
    task: &DecisionTask,
    response: RespondDecisionTaskCompleted,
) -> RespondDecisionTaskCompleted {
    let mut full = DecisionTask {
        events: match read_in_full(context, task).await {
            Ok(events) => events,
            Err(error) => {
                tracing::warn!(%error,
                    "sticky verification: cannot read the full history; answering from the assembled one");
                return response;
            }
        },
        ..task.clone()
    };
    pin::strip(&mut full);
    let from_full = context.runtime.decide(plugin, &full).await;
    let difference =
        sticky::first_difference(&task.events, &full.events).or_else(|| match &from_full {
            Ok(from_full) if *from_full == response => None,
            Ok(from_full) => Some(format!(
                "the decisions differ: from the assembled history [{}], from the full one [{}]",
                decision_types(&response),
                decision_types(from_full)
            )),
            Err(error) => Some(format!("deciding from the full history failed: {error}")),
        });
    match difference {
        None => Metrics::count(&metrics().sticky_histories, "verified"),
        Some(difference) => {
            Metrics::count(&metrics().sticky_histories, "mismatch");
            context.fail(WorkerError::StickyMismatch {
                run_id: task.workflow_execution.run_id.clone(),
                difference,
            });
        }
    }
    from_full.unwrap_or(response)
}

/// The types of a response's decisions, for a verification error (their attributes may carry
/// workflow data, which stays out of logs).
fn decision_types(response: &RespondDecisionTaskCompleted) -> String {
    let types: Vec<&str> = response
        .decisions
        .iter()
        .map(Decision::decision_type)
        .collect();
    types.join(", ")
}

/// Counts a decision task by its workflow type, the artifact deciding it and `outcome`.
fn count_task(task: &DecisionTask, plugin: Option<&Plugin>, outcome: &'static str) {
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
            let verdict = match Box::pin(replay(
                &context.runtime,
                active,
                &task.events,
                Some(execution.clone()),
            ))
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
