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
//! Decision tasks that do not close their run are answered with the worker's sticky task list
//! (see `sticky`), which the worker polls besides the configured ones, so a run's next decision
//! task comes back with only the new events.
//!
//! Shutdown: once [`Shutdown::trigger`] is called no new poll starts, polls already in
//! flight return normally and what they return is run, and [`Worker::serve`] returns when every
//! task in flight has been answered.

mod activity;
mod config;
mod context;
mod deadlines;
mod decision;
mod error;
mod heartbeat;
pub mod pin;
pub mod plugin_dir;
mod plugins;
mod polling;
pub mod registration;
mod shutdown;
pub mod sources;
mod sticky;
mod upgrades;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::metrics::Health;
use crate::runtime::PluginRuntime;
use crate::swf::SwfClient;
use context::Context;
use polling::Polling;

pub use config::{
    ConfigError, DeciderFailurePolicy, StickyConfig, TaskKind, TaskListConfig, WorkerConfig,
};
pub use error::WorkerError;
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
        let verify = std::env::var_os("SWFWASM_STICKY_VERIFY").is_some_and(|v| v == "1");
        let sticky = sticky::Sticky::new(&config.sticky, &identity, verify);
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
                deadlines: Default::default(),
                type_defaults: Default::default(),
                sticky,
                shutdown: Default::default(),
                failure: Mutex::new(None),
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

    /// The task list that brings this worker's runs back to it (see `[sticky]`), if on.
    pub fn sticky_task_list(&self) -> Option<&str> {
        self.context.sticky.as_ref().map(|s| s.task_list())
    }

    /// Polls until `shutdown` is triggered, then finishes the tasks in flight. Returns an
    /// error when the worker stopped itself (verification mode found a difference).
    pub async fn serve(self, shutdown: Shutdown) -> Result<(), WorkerError> {
        self.context.health.plugins_loaded();
        // A worker that stops itself (`Context::fail`) triggers the caller's handle, so a stop
        // either way reaches every poller at once.
        let _ = self.context.shutdown.set(shutdown.clone());
        let mut polling = Polling::default();
        self.start_polling(&mut polling, &self.task_lists, &shutdown);
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
                    self.start_polling(&mut polling, &set.default_task_lists(), &shutdown);
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
        let mut failure = self
            .context
            .failure
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        failure.take().map_or(Ok(()), Err)
    }

    /// Starts polling `lists` (those not polled yet), and the sticky list with the first
    /// decision list.
    fn start_polling(&self, polling: &mut Polling, lists: &[TaskListConfig], shutdown: &Shutdown) {
        for list in lists {
            polling.start(&self.context, list, shutdown);
        }
        if let Some(sticky) = &self.context.sticky
            && lists.iter().any(|list| list.kind == TaskKind::Decision)
        {
            let list = TaskListConfig::new(sticky.task_list(), TaskKind::Decision);
            polling.start(&self.context, &list, shutdown);
        }
    }
}
