//! [`Context`]: what every task handler of a running worker shares.

use std::sync::{Arc, Mutex, OnceLock};

use super::config::WorkerConfig;
use super::deadlines::{ScheduledDeadlines, TypeDefaults};
use super::error::WorkerError;
use super::plugins::LivePlugins;
use super::shutdown::Shutdown;
use super::sticky::Sticky;
use super::upgrades::UpgradeVerdicts;
use crate::metrics::Health;
use crate::runtime::PluginRuntime;
use crate::swf::SwfClient;

/// What every task handler needs.
pub(crate) struct Context {
    pub(crate) client: SwfClient,
    pub(crate) runtime: Arc<PluginRuntime>,
    pub(crate) plugins: Arc<LivePlugins>,
    pub(crate) config: WorkerConfig,
    pub(crate) identity: String,
    /// What `/readyz` answers: the pollers report to it.
    pub(crate) health: Arc<Health>,
    /// Replay verdicts of upgrades to a newer artifact, bounded.
    pub(crate) upgrades: UpgradeVerdicts,
    /// Start-to-close timeouts of the activities this worker's deciders scheduled.
    pub(crate) deadlines: ScheduledDeadlines,
    /// Registered start-to-close defaults of activity types.
    pub(crate) type_defaults: TypeDefaults,
    /// The sticky decision task list and the runs it keeps; `None` when turned off.
    pub(crate) sticky: Option<Sticky>,
    /// The caller's shutdown, once the worker serves; [`Context::fail`] triggers it.
    pub(crate) shutdown: OnceLock<Shutdown>,
    /// Why the worker stopped itself, if it did.
    pub(crate) failure: Mutex<Option<WorkerError>>,
}

impl Context {
    /// Stops the worker gracefully because of `error`, which `serve` returns (the first one,
    /// if several tasks fail).
    pub(crate) fn fail(&self, error: WorkerError) {
        tracing::error!(%error, "stopping the worker");
        let mut failure = self.failure.lock().unwrap_or_else(|p| p.into_inner());
        failure.get_or_insert(error);
        if let Some(shutdown) = self.shutdown.get() {
            shutdown.trigger();
        }
    }

    /// Whether the worker is stopping.
    pub(crate) fn stopping(&self) -> bool {
        self.shutdown.get().is_some_and(Shutdown::is_triggered)
    }
}
