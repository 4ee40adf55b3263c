//! Running a guest export on one task: build the sandbox, instantiate from the linked
//! `InstancePre`, call, and turn whatever happened into a value or a [`GuestError`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use swf_model::{
    ActivityTask, DecisionTask, MAX_DATA_LEN, MAX_REASON_LEN, RespondDecisionTaskCompleted,
    truncate_chars,
};
use wasmtime::{Store, Trap, UpdateDeadline};

use super::PluginRuntime;
use super::bindings::{WitActivityError, WitRequirements};
use super::error::{GuestError, LoadError};
use super::plugin::{Digest, Linked, Plugin, PluginTypes, load_label};
use super::sandbox::{ActivitySandbox, Determinism, GuestState, TaskLabel};
use crate::grant::{Need, Requirements};

/// What SWF said about a heartbeat, as the host reports it to the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeartbeatStatus {
    /// Keep working.
    Ok,
    /// Cancellation was requested.
    CancelRequested,
    /// The task no longer exists.
    TaskGone,
}

/// Delivers an activity's heartbeats (to SWF, in the worker; to the log, offline).
#[async_trait::async_trait]
pub trait HeartbeatHandler: Send + Sync {
    /// Records one heartbeat with optional details.
    async fn heartbeat(&self, details: Option<String>) -> HeartbeatStatus;
}

/// A heartbeat handler for offline runs: logs each heartbeat and answers `Ok`.
pub struct NoHeartbeat;

#[async_trait::async_trait]
impl HeartbeatHandler for NoHeartbeat {
    async fn heartbeat(&self, details: Option<String>) -> HeartbeatStatus {
        tracing::info!(
            details = details.as_deref().unwrap_or(""),
            "heartbeat (offline: not sent to SWF)"
        );
        HeartbeatStatus::Ok
    }
}

/// How an activity task ended. Reasons and details are already truncated to SWF's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityOutcome {
    /// RespondActivityTaskCompleted with this result.
    Completed(String),
    /// RespondActivityTaskFailed.
    Failed {
        /// At most 256 characters.
        reason: String,
        /// At most 32,768 characters.
        details: Option<String>,
    },
    /// RespondActivityTaskCanceled.
    Canceled {
        /// At most 32,768 characters.
        details: Option<String>,
    },
}

impl PluginRuntime {
    /// Runs a decider's `decide` on `task` (which must hold the complete history) and returns
    /// the validated RespondDecisionTaskCompleted body.
    pub async fn decide(
        &self,
        plugin: &Plugin,
        task: &DecisionTask,
    ) -> Result<RespondDecisionTaskCompleted, GuestError> {
        let Linked::Decider(pre) = plugin.linked() else {
            return Err(wrong_world(plugin, "a decider"));
        };
        let json =
            serde_json::to_string(task).map_err(|e| GuestError::InvalidTask(e.to_string()))?;
        let latest = task
            .events
            .iter()
            .map(|e| e.event_timestamp)
            .fold(0.0, f64::max);
        let determinism = Determinism::for_task(&task.workflow_execution.run_id, latest);
        let label = TaskLabel {
            plugin: plugin.digest().short().to_owned(),
            workflow_id: task.workflow_execution.workflow_id.clone(),
            run_id: task.workflow_execution.run_id.clone(),
            activity_id: None,
        };
        let timeout = self.config.decide_timeout;
        let mut store = self.store(label, Some(determinism), None, None, timeout)?;
        let call = async {
            let instance = pre.instantiate_async(&mut store).await?;
            instance.call_decide(&mut store, &json).await
        };
        let result = bounded(call, timeout).await;
        let body = finish(&store, result, timeout)?.map_err(GuestError::Returned)?;
        let response: RespondDecisionTaskCompleted = serde_json::from_str(&body).map_err(|e| {
            GuestError::InvalidOutput(format!(
                "decide returned text that is not a RespondDecisionTaskCompleted JSON body ({e}): {}",
                truncate_chars(&body, 200)
            ))
        })?;
        swf_model::validate_response(&response)?;
        Ok(response)
    }

    /// Runs an activity's `execute` on `task` with a wall-clock `deadline` (normally the
    /// task's start-to-close timeout); heartbeats go to `heartbeat`. The guest gets what its
    /// capabilities allow: granted outbound hosts, its config values (read now, or from the
    /// cache), granted directories.
    pub async fn execute(
        &self,
        plugin: &Plugin,
        task: &ActivityTask,
        deadline: Duration,
        heartbeat: Arc<dyn HeartbeatHandler>,
    ) -> Result<ActivityOutcome, GuestError> {
        if !matches!(
            plugin.linked(),
            Linked::Activity(_) | Linked::ActivityV01(_)
        ) {
            return Err(wrong_world(plugin, "an activity"));
        }
        let json =
            serde_json::to_string(task).map_err(|e| GuestError::InvalidTask(e.to_string()))?;
        let label = TaskLabel {
            plugin: plugin.digest().short().to_owned(),
            workflow_id: task.workflow_execution.workflow_id.clone(),
            run_id: task.workflow_execution.run_id.clone(),
            activity_id: Some(task.activity_id.clone()),
        };
        let capabilities = plugin.capabilities().clone();
        let sandbox = ActivitySandbox {
            config: self.grants.task_config(&capabilities).await,
            capabilities,
            limits: self.grants.limits().clone(),
            deadline: Instant::now() + deadline,
        };
        let mut store = self.store(label, None, Some(heartbeat), Some(sandbox), deadline)?;
        let call = async {
            match plugin.linked() {
                Linked::Activity(pre) => {
                    let instance = pre.instantiate_async(&mut store).await?;
                    instance.call_execute(&mut store, &json).await
                }
                Linked::ActivityV01(pre) => {
                    let instance = pre.instantiate_async(&mut store).await?;
                    instance.call_execute(&mut store, &json).await
                }
                Linked::Decider(_) => unreachable!("checked above"),
            }
        };
        let result = bounded(call, deadline).await;
        Ok(match finish(&store, result, deadline)? {
            Ok(result) if result.chars().count() > MAX_DATA_LEN => {
                return Err(GuestError::InvalidOutput(format!(
                    "the result is {} characters; SWF accepts at most {MAX_DATA_LEN}",
                    result.chars().count()
                )));
            }
            Ok(result) => ActivityOutcome::Completed(result),
            Err(WitActivityError::Failed(f)) => ActivityOutcome::Failed {
                reason: truncate_chars(&f.reason, MAX_REASON_LEN).to_owned(),
                details: f
                    .details
                    .map(|d| truncate_chars(&d, MAX_DATA_LEN).to_owned()),
            },
            Err(WitActivityError::Canceled(details)) => ActivityOutcome::Canceled {
                details: details.map(|d| truncate_chars(&d, MAX_DATA_LEN).to_owned()),
            },
        })
    }

    fn store(
        &self,
        label: TaskLabel,
        determinism: Option<Determinism>,
        heartbeat: Option<Arc<dyn HeartbeatHandler>>,
        activity: Option<ActivitySandbox>,
        deadline: Duration,
    ) -> Result<Store<GuestState>, GuestError> {
        let state = GuestState::new(
            label,
            self.config.memory_limit,
            self.config.output_limit,
            determinism,
            heartbeat,
            activity,
        )
        .map_err(|e| GuestError::Host(format!("{e:#}")))?;
        let mut store = Store::new(self.engine.engine(), state);
        store.limiter(|s| &mut s.limiter);
        let end = Instant::now() + deadline;
        store.set_epoch_deadline(1);
        // Yield to the executor every tick so a busy guest never starves other tasks, and
        // interrupt it once the deadline has passed.
        store.epoch_deadline_callback(move |_| {
            Ok(if Instant::now() >= end {
                UpdateDeadline::Interrupt
            } else {
                UpdateDeadline::Yield(1)
            })
        });
        Ok(store)
    }
}

/// Calls `describe` at load time and checks the declaration is usable.
pub(crate) async fn describe(
    runtime: &PluginRuntime,
    linked: &Linked,
    digest: &Digest,
) -> Result<PluginTypes, LoadError> {
    let timeout = runtime.config.describe_timeout;
    let mut store = runtime
        .store(load_label(digest), None, None, None, timeout)
        .map_err(describe_error)?;
    let types = match linked {
        Linked::Decider(pre) => {
            let call = async {
                let instance = pre.instantiate_async(&mut store).await?;
                instance.call_describe(&mut store).await
            };
            let result = bounded(call, timeout).await;
            PluginTypes::Workflows(finish(&store, result, timeout).map_err(describe_error)?)
        }
        Linked::Activity(pre) => {
            let call = async {
                let instance = pre.instantiate_async(&mut store).await?;
                instance.call_describe(&mut store).await
            };
            let result = bounded(call, timeout).await;
            PluginTypes::Activities(finish(&store, result, timeout).map_err(describe_error)?)
        }
        Linked::ActivityV01(pre) => {
            let call = async {
                let instance = pre.instantiate_async(&mut store).await?;
                instance.call_describe(&mut store).await
            };
            let result = bounded(call, timeout).await;
            PluginTypes::Activities(finish(&store, result, timeout).map_err(describe_error)?)
        }
    };
    let names: Vec<(&str, &str)> = match &types {
        PluginTypes::Workflows(t) => t
            .iter()
            .map(|t| (t.name.as_str(), t.version.as_str()))
            .collect(),
        PluginTypes::Activities(t) => t
            .iter()
            .map(|t| (t.name.as_str(), t.version.as_str()))
            .collect(),
    };
    if names.is_empty() {
        return Err(LoadError::Describe("the plugin declares no types".into()));
    }
    for (name, version) in names {
        swf_model::check_identifier(name, swf_model::MAX_ID_LEN)
            .map_err(|e| LoadError::Describe(format!("declared type name {name:?}: {e}")))?;
        swf_model::check_identifier(version, swf_model::MAX_VERSION_LEN)
            .map_err(|e| LoadError::Describe(format!("declared type version {version:?}: {e}")))?;
    }
    Ok(types)
}

/// Calls `requires` at load time (0.2.0 activities; others need nothing).
pub(crate) async fn requirements(
    runtime: &PluginRuntime,
    linked: &Linked,
    digest: &Digest,
) -> Result<Requirements, LoadError> {
    let Linked::Activity(pre) = linked else {
        return Ok(Requirements::default());
    };
    let timeout = runtime.config.describe_timeout;
    let requires_error = |e: GuestError| LoadError::Requires(e.to_string());
    let mut store = runtime
        .store(load_label(digest), None, None, None, timeout)
        .map_err(requires_error)?;
    let call = async {
        let instance = pre.instantiate_async(&mut store).await?;
        instance.call_requires(&mut store).await
    };
    let result = bounded(call, timeout).await;
    let WitRequirements {
        outbound_hosts,
        config_keys,
    } = finish(&store, result, timeout).map_err(requires_error)?;
    let needs = |list: Vec<_>| {
        list.into_iter()
            .map(|n: super::bindings::WitNeed| Need {
                name: n.name,
                required: n.required,
            })
            .collect()
    };
    Ok(Requirements {
        outbound_hosts: needs(outbound_hosts),
        config_keys: needs(config_keys),
    })
}

fn describe_error(e: GuestError) -> LoadError {
    LoadError::Describe(e.to_string())
}

fn wrong_world(plugin: &Plugin, expected: &'static str) -> GuestError {
    GuestError::WrongWorld {
        digest: plugin.digest().to_string(),
        actual: match plugin.world() {
            super::World::Decider => "a decider",
            super::World::Activity => "an activity",
        },
        expected,
    }
}

/// A backstop over the epoch deadline, for time spent in host calls where epochs do not count.
async fn bounded<T>(
    call: impl Future<Output = wasmtime::Result<T>>,
    deadline: Duration,
) -> wasmtime::Result<T> {
    match tokio::time::timeout(deadline + Duration::from_secs(1), call).await {
        Ok(result) => result,
        Err(_) => Err(wasmtime::Error::new(Trap::Interrupt)),
    }
}

/// Logs the guest's captured output and turns a failed call into the [`GuestError`] that
/// names its cause.
fn finish<T>(
    store: &Store<GuestState>,
    result: wasmtime::Result<T>,
    deadline: Duration,
) -> Result<T, GuestError> {
    let state = store.data();
    let (stdout, stdout_dropped) = state.stdout.take();
    let (stderr, stderr_dropped) = state.stderr.take();
    let l = &state.label;
    for line in stdout.lines() {
        let line = state.redact(line);
        tracing::info!(target: "guest", plugin = %l.plugin, workflow_id = %l.workflow_id, run_id = %l.run_id, stream = "stdout", "{line}");
    }
    for line in stderr.lines() {
        let line = state.redact(line);
        tracing::warn!(target: "guest", plugin = %l.plugin, workflow_id = %l.workflow_id, run_id = %l.run_id, stream = "stderr", "{line}");
    }
    if stdout_dropped + stderr_dropped > 0 {
        tracing::warn!(target: "guest", plugin = %l.plugin, workflow_id = %l.workflow_id, run_id = %l.run_id, stdout_dropped, stderr_dropped, "guest output beyond the capture limit was dropped");
    }
    let error = match result {
        Ok(value) => return Ok(value),
        Err(error) => error,
    };
    if let Some(requested) = state.limiter.refused {
        return Err(GuestError::MemoryLimitExceeded {
            limit: state.limiter.limit,
            requested,
        });
    }
    Err(match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => GuestError::DeadlineExceeded(deadline),
        Some(Trap::StackOverflow) => GuestError::StackOverflow,
        // Guests compiled from C, C++ or Rust keep a shadow stack in linear memory; when deep
        // recursion exhausts it, the next access lands out of bounds.
        Some(Trap::MemoryOutOfBounds) => GuestError::Trap(format!(
            "{}: the guest accessed memory out of bounds (a bug in the guest, or its shadow stack \
             overflowed from deep recursion)",
            error.root_cause()
        )),
        Some(_) => {
            let panic = stderr_tail(&state.redact(&stderr))
                .map(|tail| format!("; guest stderr: {tail}"))
                .unwrap_or_default();
            GuestError::Trap(format!("{}{panic}", error.root_cause()))
        }
        None => GuestError::Host(format!("{error:#}")),
    })
}

/// The last few meaningful lines of a guest's stderr (a Rust panic message spans two lines and
/// is followed by a hint about backtraces), joined into one line for an error message.
fn stderr_tail(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("note: run with `RUST_BACKTRACE"))
        .collect();
    let tail = lines[lines.len().saturating_sub(3)..].join(" / ");
    (!tail.is_empty()).then(|| truncate_chars(&tail, 1_000).to_owned())
}
