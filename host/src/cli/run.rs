//! `swfwasm run`: load the plugins, connect to SWF, poll until SIGINT/SIGTERM.
//!
//! The first signal starts a graceful shutdown (no new polls; polls in flight return and what
//! they return is run; tasks in flight finish); a second signal exits at once.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use swfwasm::metrics::Health;
use swfwasm::runtime::{LoadError, PluginRuntime};
use swfwasm::swf::{ClientConfig, SwfClient};
use swfwasm::worker::plugin_dir::PluginDirectory;
use swfwasm::worker::sources::SourceWatcher;
use swfwasm::worker::{PluginSet, Shutdown, Worker, WorkerConfig};

use super::sources;

pub async fn run(
    runtime: PluginRuntime,
    config_path: &Path,
    extra_plugins: &[String],
    plugin_dir: Option<&Path>,
    metrics_addr: Option<SocketAddr>,
) -> anyhow::Result<ExitCode> {
    // Signals first: a SIGTERM while plugins are still compiling must stop the worker cleanly,
    // not kill it with the default action.
    let shutdown = Shutdown::new();
    tokio::spawn(watch_signals(shutdown.clone()));
    let mut config = WorkerConfig::load(config_path)?;
    if metrics_addr.is_some() {
        config.metrics_addr = metrics_addr;
    }
    let health = Arc::new(Health::new(Duration::from_secs(
        config.readiness_grace_secs,
    )));
    if let Some(addr) = config.metrics_addr {
        serve_metrics(addr, health.clone()).await?;
    }
    let mut sources = sources::parse(&config.plugins, Path::new(""))?;
    sources.extend(sources::parse(extra_plugins, Path::new("."))?);
    let runtime = Arc::new(runtime);
    let client = client(&config).await?;
    let fetcher =
        sources::fetcher(&runtime, &config.sources, config.region.clone(), &sources).await?;
    let mut base = Vec::new();
    let mut watched = Vec::new();
    // Fetching and compiling may take long (a slow registry, a large Python guest): a signal
    // meanwhile stops the worker before it polls.
    let loading = sources::load_all(&runtime, fetcher.as_deref(), &sources, false);
    let all = tokio::select! {
        all = loading => all?,
        _ = shutdown.triggered() => {
            tracing::info!("stopped while loading the plugins");
            return Ok(ExitCode::SUCCESS);
        }
    };
    for loaded in all {
        match loaded.plugin {
            Ok(plugin) => base.push(plugin),
            Err(LoadError::Ungranted(why)) => {
                tracing::error!(source = %loaded.source, reason = %why, "plugin not activated: a required need is not granted");
            }
            Err(error) => {
                return Err(anyhow::Error::new(error))
                    .with_context(|| format!("cannot load plugin {}", loaded.source));
            }
        }
        if loaded.source.is_watched() {
            watched.push((loaded.source, loaded.version));
        }
    }
    let registrar = Some((client.clone(), config.domain.clone()));
    let (plugins, directory) = match plugin_dir {
        Some(dir) => {
            let (directory, set) =
                PluginDirectory::open(dir, runtime.clone(), base, registrar.clone())
                    .await
                    .with_context(|| {
                        format!("cannot read the plugin directory {}", dir.display())
                    })?;
            (set, Some(directory))
        }
        None => {
            let mut set = PluginSet::default();
            base.into_iter().for_each(|p| set.insert(p));
            (set, None)
        }
    };
    if plugins.plugins().is_empty() {
        anyhow::bail!(
            "no plugins: list them under `plugins` in the configuration file, or give --plugins DIR"
        );
    }
    let interval = config.sources.poll_interval();
    let worker = Worker::new(client, runtime.clone(), plugins, config).with_health(health);
    if let Some(directory) = directory {
        tokio::spawn(directory.watch(worker.live_plugins(), shutdown.clone()));
    }
    if let (Some(fetcher), false) = (fetcher, watched.is_empty()) {
        let watcher = SourceWatcher::new(fetcher, runtime, watched, interval, registrar);
        tokio::spawn(watcher.watch(worker.live_plugins(), shutdown.clone()));
    }
    worker.serve(shutdown).await?;
    Ok(ExitCode::SUCCESS)
}

/// Starts `/metrics`, `/healthz` and `/readyz` on `addr` (see `swfwasm::metrics`).
pub async fn serve_metrics(addr: SocketAddr, health: Arc<Health>) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} for metrics"))?;
    tracing::info!("metrics on http://{}/metrics", listener.local_addr()?);
    tokio::spawn(swfwasm::metrics::serve(listener, health));
    Ok(())
}

/// Loads every configured artifact into a set for what it declares (types to register,
/// versions to start): grants do not matter here, so an activity whose needs are not granted
/// is included. Fails if there are none.
pub async fn load_plugins(
    runtime: &PluginRuntime,
    config: &WorkerConfig,
) -> anyhow::Result<PluginSet> {
    if config.plugins.is_empty() {
        anyhow::bail!("no plugins configured: list them under `plugins` in the configuration file");
    }
    let sources = sources::parse(&config.plugins, Path::new(""))?;
    let fetcher =
        sources::fetcher(runtime, &config.sources, config.region.clone(), &sources).await?;
    let mut set = PluginSet::default();
    for loaded in sources::load_all(runtime, fetcher.as_deref(), &sources, true).await? {
        let plugin = loaded
            .plugin
            .with_context(|| format!("cannot load plugin {}", loaded.source))?;
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
