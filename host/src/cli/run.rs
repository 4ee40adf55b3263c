//! `swfwasm run`: load the plugins, connect to SWF, poll until SIGINT/SIGTERM.
//!
//! The first signal starts a graceful shutdown (no new polls; polls in flight return and what
//! they return is run; tasks in flight finish); a second signal exits at once.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use swfwasm::runtime::{LoadError, Plugin, PluginRuntime};
use swfwasm::swf::{ClientConfig, SwfClient};
use swfwasm::worker::plugin_dir::PluginDirectory;
use swfwasm::worker::{PluginSet, Shutdown, Worker, WorkerConfig};

pub async fn run(
    runtime: PluginRuntime,
    config_path: &Path,
    extra_plugins: &[PathBuf],
    plugin_dir: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    // Signals first: a SIGTERM while plugins are still compiling must stop the worker cleanly,
    // not kill it with the default action.
    let shutdown = Shutdown::new();
    tokio::spawn(watch_signals(shutdown.clone()));
    let mut config = WorkerConfig::load(config_path)?;
    config.plugins.extend(extra_plugins.iter().cloned());
    let runtime = Arc::new(runtime);
    let client = client(&config).await?;
    let files = load_files(&runtime, &config.plugins).await?;
    let (plugins, directory) = match plugin_dir {
        Some(dir) => {
            let registrar = Some((client.clone(), config.domain.clone()));
            let (directory, set) = PluginDirectory::open(dir, runtime.clone(), files, registrar)
                .await
                .with_context(|| format!("cannot read the plugin directory {}", dir.display()))?;
            (set, Some(directory))
        }
        None => {
            let mut set = PluginSet::default();
            files.into_iter().for_each(|p| set.insert(p));
            (set, None)
        }
    };
    if plugins.plugins().is_empty() {
        anyhow::bail!(
            "no plugins: list them under `plugins` in the configuration file, or give --plugins DIR"
        );
    }
    let worker = Worker::new(client, runtime, plugins, config);
    if let Some(directory) = directory {
        tokio::spawn(directory.watch(worker.live_plugins(), shutdown.clone()));
    }
    worker.serve(shutdown).await;
    Ok(ExitCode::SUCCESS)
}

/// Loads every artifact; one that fails to load stops the start, with its path and reason. One
/// whose required needs are not granted is not activated (logged), and the others serve.
async fn load_files(runtime: &PluginRuntime, paths: &[PathBuf]) -> anyhow::Result<Vec<Plugin>> {
    let mut plugins = Vec::new();
    for path in paths {
        match runtime.load_file(path).await {
            Ok(plugin) => plugins.push(plugin),
            Err(LoadError::Ungranted(why)) => {
                tracing::error!(path = %path.display(), reason = %why, "plugin not activated: a required need is not granted");
            }
            Err(error) => {
                return Err(anyhow::Error::new(error))
                    .with_context(|| format!("cannot load plugin {}", path.display()));
            }
        }
    }
    Ok(plugins)
}

/// Loads every artifact into a set for what it declares (types to register, versions to
/// start): grants do not matter here, so an activity whose needs are not granted is included.
/// Fails if there are none.
pub async fn load_plugins(runtime: &PluginRuntime, paths: &[PathBuf]) -> anyhow::Result<PluginSet> {
    if paths.is_empty() {
        anyhow::bail!("no plugins configured: list them under `plugins` in the configuration file");
    }
    let mut set = PluginSet::default();
    for path in paths {
        let (plugin, _granted) = runtime
            .inspect_file(path)
            .await
            .with_context(|| format!("cannot load plugin {}", path.display()))?;
        set.insert(plugin);
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
