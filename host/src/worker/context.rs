//! [`Context`]: what every task handler of a running worker shares.

use std::sync::Arc;

use super::config::WorkerConfig;
use super::plugins::LivePlugins;
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
}
