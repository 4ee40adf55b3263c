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
//! flight return normally and what they return is run, and [`Worker::serve`] returns when every
//! task in flight has been answered.

mod activity;
mod config;
mod context;
mod decision;
mod heartbeat;
pub mod pin;
pub mod plugin_dir;
mod plugins;
mod polling;
pub mod registration;
mod shutdown;
pub mod sources;
mod upgrades;

use std::sync::Arc;
use std::time::Duration;

use crate::metrics::Health;
use crate::runtime::PluginRuntime;
use crate::swf::SwfClient;
use context::Context;
use polling::Polling;

pub use config::{ConfigError, DeciderFailurePolicy, TaskKind, TaskListConfig, WorkerConfig};
pub use plugins::{LivePlugins, PluginSet};
pub use shutdown::Shutdown;

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
        let grace = Duration::from_secs(config.readiness_grace_secs);
        Self {
            context: Arc::new(Context {
                client,
                runtime,
                plugins: Arc::new(LivePlugins::new(plugins)),
                config,
                identity,
                health: Arc::new(Health::new(grace)),
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

    /// Reports readiness to `health` (one made before the plugins loaded, so an endpoint
    /// started early answers "not ready" until the worker serves).
    pub fn with_health(mut self, health: Arc<Health>) -> Self {
        if let Some(context) = Arc::get_mut(&mut self.context) {
            context.health = health;
        }
        self
    }

    /// The worker's readiness, for the `/readyz` endpoint: ready once it serves, until its
    /// polls have failed for longer than `readiness_grace_secs`.
    pub fn health(&self) -> Arc<Health> {
        self.context.health.clone()
    }

    /// The task lists this worker polls.
    pub fn task_lists(&self) -> &[TaskListConfig] {
        &self.task_lists
    }

    /// Polls until `shutdown` is triggered, then finishes the tasks in flight.
    pub async fn serve(self, shutdown: Shutdown) {
        self.context.health.plugins_loaded();
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
