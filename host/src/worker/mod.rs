//! The worker behind `swfwasm run`: polls SWF task lists and feeds each task to the plugin
//! that serves its type.
//!
//! Data flow: for every configured task list, `pollers` loops each take a free slot (at most
//! `max_in_flight` tasks run per list), long-poll SWF, and hand the task to
//! [`decision::handle`] or [`activity::handle`] on its own tokio task. Those route by type,
//! run the plugin in the [`PluginRuntime`], and answer SWF. A worker whose configuration names
//! no task lists polls those its plugins declare, including the lists of artifacts that arrive
//! while it runs (hot swap).
//!
//! Shutdown: once [`Shutdown::trigger`] is called no new poll starts, polls already in
//! flight return normally and what they return is run, and [`Worker::run`] returns when every
//! task in flight has been answered.

mod activity;
pub mod config;
mod decision;
mod heartbeat;
pub mod pin;
pub mod plugin_dir;
mod plugins;
pub mod registration;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, watch};

use crate::runtime::PluginRuntime;
use crate::swf::SwfClient;

pub use config::{ConfigError, DeciderFailurePolicy, TaskKind, TaskListConfig, WorkerConfig};
pub use plugins::{LivePlugins, PluginSet};

/// Tells a running worker to stop polling and finish what it holds.
#[derive(Clone)]
pub struct Shutdown {
    tx: Arc<watch::Sender<bool>>,
}

impl Shutdown {
    /// A handle that has not been triggered.
    pub fn new() -> Self {
        Self {
            tx: Arc::new(watch::channel(false).0),
        }
    }

    /// Starts a graceful shutdown.
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }

    /// Resolves once a shutdown has been triggered.
    pub async fn triggered(&self) {
        let mut rx = self.subscribe();
        let _ = rx.wait_for(|stop| *stop).await;
    }

    fn subscribe(&self) -> watch::Receiver<bool> {
        self.tx.subscribe()
    }
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

/// What every task handler needs.
pub(crate) struct Context {
    pub(crate) client: SwfClient,
    pub(crate) runtime: Arc<PluginRuntime>,
    pub(crate) plugins: Arc<LivePlugins>,
    pub(crate) config: WorkerConfig,
    pub(crate) identity: String,
    /// Replay verdicts of upgrades: (run id, candidate digest) → replayed identically.
    pub(crate) upgrades: std::sync::Mutex<std::collections::HashMap<(String, String), bool>>,
}

/// A configured worker, ready to run.
pub struct Worker {
    context: Arc<Context>,
    task_lists: Vec<TaskListConfig>,
    /// The task lists come from the plugins (none configured): poll new artifacts' lists too.
    follow_plugins: bool,
}

impl Worker {
    /// A worker polling the task lists of `config` (or, if it names none, those the plugins
    /// declare).
    pub fn new(
        client: SwfClient,
        runtime: Arc<PluginRuntime>,
        plugins: PluginSet,
        config: WorkerConfig,
    ) -> Self {
        let follow_plugins = config.task_lists.is_empty();
        let task_lists = if follow_plugins {
            plugins.default_task_lists()
        } else {
            config.task_lists.clone()
        };
        let identity = config.identity();
        Self {
            context: Arc::new(Context {
                client,
                runtime,
                plugins: Arc::new(LivePlugins::new(plugins)),
                config,
                identity,
                upgrades: Default::default(),
            }),
            task_lists,
            follow_plugins,
        }
    }

    /// The worker's plugin set, for a [`plugin_dir::PluginDirectory`] to replace while it runs.
    pub fn live_plugins(&self) -> Arc<LivePlugins> {
        self.context.plugins.clone()
    }

    /// The task lists this worker polls.
    pub fn task_lists(&self) -> &[TaskListConfig] {
        &self.task_lists
    }

    /// Polls until `shutdown` is triggered, then finishes the tasks in flight.
    pub async fn run(self, shutdown: Shutdown) {
        let mut polling = Polling::default();
        for list in &self.task_lists {
            polling.start(&self.context, list, &shutdown);
        }
        let mut swaps = self.context.plugins.subscribe();
        // A swap between `Worker::new` and here is already marked seen: look at the set once.
        swaps.mark_changed();
        let mut stop = shutdown.subscribe();
        loop {
            let following = self.follow_plugins && !*stop.borrow();
            tokio::select! {
                Some(_) = polling.pollers.join_next() => {}
                Ok(()) = swaps.changed(), if following => {
                    let set = swaps.borrow_and_update().clone();
                    for list in set.default_task_lists() {
                        polling.start(&self.context, &list, &shutdown);
                    }
                }
                // Only wakes the loop, so that `following` turns false.
                _ = stop.changed(), if following => {}
                else => break,
            }
        }
        tracing::info!("polling stopped; waiting for tasks in flight");
        for (slot, size) in polling.slots {
            let _all = slot.acquire_many(size as u32).await;
        }
        tracing::info!("all tasks answered; worker stopped");
    }
}

/// The poll loops of a running worker, and the slots that bound each task list's tasks in
/// flight.
#[derive(Default)]
struct Polling {
    pollers: tokio::task::JoinSet<()>,
    slots: Vec<(Arc<Semaphore>, usize)>,
    polled: HashSet<(String, TaskKind)>,
}

impl Polling {
    /// Starts `list`'s pollers, unless the list is already polled.
    fn start(&mut self, context: &Arc<Context>, list: &TaskListConfig, shutdown: &Shutdown) {
        if !self.polled.insert((list.name.clone(), list.kind)) {
            return;
        }
        let size = list.max_in_flight.max(1);
        let slot = Arc::new(Semaphore::new(size));
        self.slots.push((slot.clone(), size));
        tracing::info!(task_list = %list.name, kind = ?list.kind, pollers = list.pollers, max_in_flight = list.max_in_flight, "polling");
        for _ in 0..list.pollers.max(1) {
            self.pollers.spawn(poll_loop(
                context.clone(),
                list.clone(),
                slot.clone(),
                shutdown.subscribe(),
            ));
        }
    }
}

async fn poll_loop(
    context: Arc<Context>,
    list: TaskListConfig,
    slots: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
) {
    let mut failures = 0u32;
    loop {
        if *stop.borrow() {
            return;
        }
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => permit.expect("the slot semaphore is never closed"),
            _ = stop.changed() => return,
        };
        // The poll itself is never abandoned: a task SWF hands to this poll would otherwise be
        // lost until it times out.
        let outcome = match list.kind {
            TaskKind::Decision => decision::poll(&context, &list.name).await,
            TaskKind::Activity => activity::poll(&context, &list.name).await,
        };
        match outcome {
            Ok(Some(task)) => {
                failures = 0;
                let context = context.clone();
                tokio::spawn(async move {
                    task.handle(&context).await;
                    drop(permit);
                });
            }
            Ok(None) => failures = 0,
            Err(error) => {
                failures += 1;
                let pause = backoff(failures);
                tracing::warn!(task_list = %list.name, %error, ?pause, "poll failed; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }
}

/// Exponential backoff with full jitter, 100 ms doubling up to 30 s.
fn backoff(failures: u32) -> Duration {
    let cap = Duration::from_millis(100)
        .saturating_mul(1 << failures.min(9))
        .min(Duration::from_secs(30));
    cap.mul_f64(rand::random::<f64>())
}

/// A task taken from a poll, ready to run.
pub(crate) enum PolledTask {
    Decision(swf_model::DecisionTask),
    Activity(swf_model::ActivityTask),
}

impl PolledTask {
    async fn handle(self, context: &Context) {
        match self {
            PolledTask::Decision(task) => decision::handle(context, task).await,
            PolledTask::Activity(task) => activity::handle(context, task).await,
        }
    }
}
