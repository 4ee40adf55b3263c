//! [`PluginRuntime`]'s deciding: `decide` on a fresh instance with the complete history, and
//! for `warm-decider` plugins `decide_and_keep` (the same, keeping the instance) and
//! `decide_since` (a kept instance handed only the new events). Each returns the validated
//! RespondDecisionTaskCompleted body.

use std::time::Instant;

use swf_model::{DecisionTask, HistoryEvent, RespondDecisionTaskCompleted, truncate_chars};
use wasmtime::Store;

use super::call::{arm_deadline, finish};
use super::error::GuestError;
use super::label::TaskLabel;
use super::plugin::{Linked, Plugin};
use super::plugin_runtime::{PluginRuntime, count_error, guest_call, wrong_world};
use super::sandbox::{Determinism, GuestState};
use super::warm::{TaskSince, WarmDecider};
use crate::metrics::metrics;

impl PluginRuntime {
    /// Runs a decider's `decide` on `task` (which must hold the complete history) and returns
    /// the validated RespondDecisionTaskCompleted body.
    pub async fn decide(
        &self,
        plugin: &Plugin,
        task: &DecisionTask,
    ) -> Result<RespondDecisionTaskCompleted, GuestError> {
        let result = self.decide_task(plugin, task).await;
        count_error("decide", &result);
        result
    }

    async fn decide_task(
        &self,
        plugin: &Plugin,
        task: &DecisionTask,
    ) -> Result<RespondDecisionTaskCompleted, GuestError> {
        let Linked::Decider(pre) = plugin.linked() else {
            return Err(wrong_world(plugin, "a decider"));
        };
        let (json, mut store) = self.decision_call(plugin, task)?;
        let timeout = self.config.decide_timeout;
        let call = guest_call!("decide", store, pre, call_decide(&json));
        let result = self.engine.bounded(call, timeout).await;
        let body = finish(&store, result, timeout)?.map_err(GuestError::Returned)?;
        decided("decide", &body)
    }

    /// [`decide`](Self::decide), and for a plugin that [keeps warm](Plugin::keeps_warm) the
    /// instance that decided, for [`decide_since`](Self::decide_since) on the run's next
    /// decision task.
    pub async fn decide_and_keep(
        &self,
        plugin: &Plugin,
        task: &DecisionTask,
    ) -> Result<(RespondDecisionTaskCompleted, Option<WarmDecider>), GuestError> {
        let Some(pre) = plugin.warm_pre() else {
            return Ok((self.decide(plugin, task).await?, None));
        };
        let result = async {
            let (json, mut store) = self.decision_call(plugin, task)?;
            let timeout = self.config.decide_timeout;
            let call = async {
                let started = Instant::now();
                let instance = pre.instantiate_async(&mut store).await?;
                metrics().guest_phase("decide", "instantiate", started.elapsed());
                let started = Instant::now();
                let result = instance.call_decide(&mut store, &json).await;
                metrics().guest_phase("decide", "call", started.elapsed());
                result.map(|r| (r, instance))
            };
            let result = self.engine.bounded(call, timeout).await;
            let (body, instance) = finish(&store, result, timeout)?;
            let response = decided("decide", &body.map_err(GuestError::Returned)?)?;
            let warm = WarmDecider {
                store,
                instance,
                digest: plugin.digest().clone(),
                run_id: task.workflow_execution.run_id.clone(),
                seen: task.events.last().map_or(0, |e| e.event_id),
                latest_timestamp: latest_timestamp(&task.events, 0.0),
            };
            Ok((response, Some(warm)))
        }
        .await;
        count_error("decide", &result);
        result
    }

    /// Runs `decide-since` on `warm` (an instance of `task`'s run) with the events of `task`
    /// after those it has seen. Returns the validated response and the instance, still warm;
    /// on any failure (including events that do not continue what it has seen) the instance
    /// is dropped and the caller decides afresh.
    pub async fn decide_since(
        &self,
        mut warm: WarmDecider,
        task: &DecisionTask,
    ) -> Result<(RespondDecisionTaskCompleted, WarmDecider), GuestError> {
        let result = async {
            // In a complete history event n is at index n - 1: look there before searching.
            let at = |i: usize| task.events.get(i).is_some_and(|e| e.event_id == warm.seen + 1);
            let start = usize::try_from(warm.seen)
                .ok()
                .filter(|&i| at(i))
                .or_else(|| (0..task.events.len()).find(|&i| at(i)))
                .filter(|_| warm.run_id == task.workflow_execution.run_id)
                .ok_or_else(|| {
                    GuestError::InvalidOutput(format!(
                        "the task does not continue the warm instance's history (it has seen                          events up to {} of run {})",
                        warm.seen, warm.run_id
                    ))
                })?;
            let since = TaskSince {
                task_token: &task.task_token,
                started_event_id: task.started_event_id,
                previous_started_event_id: task.previous_started_event_id,
                workflow_execution: &task.workflow_execution,
                workflow_type: &task.workflow_type,
                events: &task.events[start..],
            };
            let json = serde_json::to_string(&since).map_err(GuestError::InvalidTask)?;
            let timeout = self.config.decide_timeout;
            // The same clock a fresh instance gets from the whole history, from the new events.
            let latest = latest_timestamp(since.events, warm.latest_timestamp);
            let determinism =
                Determinism::for_task(&task.workflow_execution.run_id, latest);
            warm.store.data_mut().next_decision(&determinism);
            arm_deadline(&mut warm.store, timeout);
            let call = async {
                let started = Instant::now();
                let result = warm
                    .instance
                    .call_decide_since(&mut warm.store, &json)
                    .await;
                metrics().guest_phase("decide-since", "call", started.elapsed());
                result
            };
            let result = self.engine.bounded(call, timeout).await;
            let body = finish(&warm.store, result, timeout)?.map_err(GuestError::Returned)?;
            let response = decided("decide-since", &body)?;
            warm.seen = task.events.last().map_or(warm.seen, |e| e.event_id);
            warm.latest_timestamp = latest;
            Ok(response)
        }
        .await;
        count_error("decide", &result);
        result.map(|response| (response, warm))
    }
}

impl PluginRuntime {
    /// The JSON of `task` and a fresh store to decide it in.
    fn decision_call(
        &self,
        plugin: &Plugin,
        task: &DecisionTask,
    ) -> Result<(String, Store<GuestState>), GuestError> {
        let json = serde_json::to_string(task).map_err(GuestError::InvalidTask)?;
        let store = self.store(
            decision_label(plugin, task),
            Some(determinism(task)),
            None,
            None,
            self.config.decide_timeout,
        )?;
        Ok((json, store))
    }
}

/// The environment of a decision task: its run id and latest event (see [`Determinism`]).
fn determinism(task: &DecisionTask) -> Determinism {
    Determinism::for_task(
        &task.workflow_execution.run_id,
        latest_timestamp(&task.events, 0.0),
    )
}

/// The latest timestamp among `events` and `since`.
fn latest_timestamp(events: &[HistoryEvent], since: f64) -> f64 {
    events
        .iter()
        .map(|e| e.event_timestamp)
        .fold(since, f64::max)
}

/// The log label of a decision task.
fn decision_label(plugin: &Plugin, task: &DecisionTask) -> TaskLabel {
    TaskLabel {
        plugin: plugin.digest().short().to_owned(),
        workflow_id: task.workflow_execution.workflow_id.clone(),
        run_id: task.workflow_execution.run_id.clone(),
        activity_id: None,
    }
}

/// The validated RespondDecisionTaskCompleted body `export` returned.
fn decided(export: &str, body: &str) -> Result<RespondDecisionTaskCompleted, GuestError> {
    let response: RespondDecisionTaskCompleted = serde_json::from_str(body).map_err(|e| {
        GuestError::InvalidOutput(format!(
            "{export} returned text that is not a RespondDecisionTaskCompleted JSON body ({e}): {}",
            truncate_chars(body, 200)
        ))
    })?;
    swf_model::validate_response(&response)?;
    Ok(response)
}
