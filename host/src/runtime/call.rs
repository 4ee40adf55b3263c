//! Calling a guest export once: a fresh store holding the task's sandbox and deadline, a
//! backstop timeout for time spent in host calls, and the translation of whatever happened
//! into a value or the [`GuestError`] that names its cause (after logging the guest's captured
//! output, redacted).

use std::sync::Arc;
use std::time::{Duration, Instant};

use swf_model::truncate_chars;
use wasmtime::{Engine, Store, Trap, UpdateDeadline};

use super::config::RuntimeConfig;
use super::digest::Digest;
use super::error::GuestError;
use super::heartbeat::HeartbeatHandler;
use super::label::TaskLabel;
use super::sandbox::{ActivitySandbox, Determinism, GuestState};

/// A fresh store for one call: the sandbox for `label`'s task, the memory limiter, and an epoch
/// deadline `deadline` from now that yields to the executor on every tick.
pub(crate) fn new_store(
    engine: &Engine,
    config: &RuntimeConfig,
    label: TaskLabel,
    determinism: Option<Determinism>,
    heartbeat: Option<Arc<dyn HeartbeatHandler>>,
    activity: Option<ActivitySandbox>,
    deadline: Duration,
) -> Result<Store<GuestState>, GuestError> {
    let state = GuestState::new(
        label,
        config.memory_limit,
        config.output_limit,
        determinism,
        heartbeat,
        activity,
    )
    .map_err(|source| GuestError::Host { source })?;
    let mut store = Store::new(engine, state);
    store.limiter(|s| &mut s.limiter);
    arm_deadline(&mut store, deadline);
    Ok(store)
}

/// Gives the next call in `store` `deadline` from now (a warm instance's store is armed again
/// before each call).
pub(crate) fn arm_deadline(store: &mut Store<GuestState>, deadline: Duration) {
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
}

/// The label for log lines of `describe`, which runs outside any task.
pub(crate) fn load_label(digest: &Digest) -> TaskLabel {
    TaskLabel {
        plugin: digest.short().to_owned(),
        ..TaskLabel::default()
    }
}

/// Logs the guest's captured output and turns a failed call into the [`GuestError`] that
/// names its cause.
pub(crate) fn finish<T>(
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
        Some(Trap::MemoryOutOfBounds) => GuestError::Trap {
            message: format!(
                "{}: the guest accessed memory out of bounds (a bug in the guest, or its shadow \
                 stack overflowed from deep recursion)",
                error.root_cause()
            ),
            source: error,
        },
        Some(_) => {
            let panic = stderr_tail(&state.redact(&stderr))
                .map(|tail| format!("; guest stderr: {tail}"))
                .unwrap_or_default();
            GuestError::Trap {
                message: format!("{}{panic}", error.root_cause()),
                source: error,
            }
        }
        None => GuestError::Host { source: error },
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
