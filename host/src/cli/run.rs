//! `swfwasm run`: load the plugins, connect to SWF, poll until SIGINT/SIGTERM.
//!
//! The first signal starts a graceful shutdown (no new polls; polls in flight return and what
//! they return is run; tasks in flight finish); a second signal exits at once.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use swfwasm::runtime::PluginRuntime;
use swfwasm::swf::{ClientConfig, SwfClient};
use swfwasm::worker::{PluginSet, Shutdown, Worker, WorkerConfig};

pub async fn run(
    runtime: PluginRuntime,
    config_path: &Path,
    extra_plugins: &[PathBuf],
) -> anyhow::Result<ExitCode> {
    // Signals first: a SIGTERM while plugins are still compiling must stop the worker cleanly,
    // not kill it with the default action.
    let shutdown = Shutdown::new();
    tokio::spawn(watch_signals(shutdown.clone()));
    let mut config = WorkerConfig::load(config_path)?;
    config.plugins.extend(extra_plugins.iter().cloned());
    let runtime = Arc::new(runtime);
    let plugins = load_plugins(&runtime, &config.plugins).await?;
    let client = client(&config).await?;
    let worker = Worker::new(client, runtime, plugins, config);
    worker.run(shutdown).await;
    Ok(ExitCode::SUCCESS)
}

/// Loads every artifact; one that fails to load stops the start, with its path and reason.
pub async fn load_plugins(runtime: &PluginRuntime, paths: &[PathBuf]) -> anyhow::Result<PluginSet> {
    if paths.is_empty() {
        anyhow::bail!("no plugins configured: list them under `plugins` in the configuration file");
    }
    let mut set = PluginSet::default();
    for path in paths {
        let plugin = runtime
            .load_file(path)
            .await
            .with_context(|| format!("cannot load plugin {}", path.display()))?;
        set.insert(plugin)?;
    }
    Ok(set)
}

pub async fn client(config: &WorkerConfig) -> anyhow::Result<SwfClient> {
    Ok(SwfClient::from_env(ClientConfig {
        endpoint: config.endpoint.clone(),
        region: config.region.clone(),
        ..ClientConfig::default()
    })
    .await?)
}

async fn watch_signals(shutdown: Shutdown) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot install signal handlers; stop the worker with SIGKILL");
        return;
    };
    tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
    tracing::info!("shutting down: finishing tasks in flight (signal again to exit at once)");
    shutdown.trigger();
    tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
    tracing::warn!("second signal: exiting without waiting");
    std::process::exit(130);
}
