//! Watched artifact sources, the fleet counterpart of the plugin directory: each OCI tag or S3
//! prefix the configuration names is polled every `poll_interval_ms`; a new artifact there is
//! fetched, verified, compiled in the background, registered, and activated in the running
//! worker's set with the same swap, pinning and replay-gated upgrade as the plugin directory.
//!
//! A source that fails (unreachable, refused) keeps its current artifact; the watcher logs the
//! first failure of a streak, retries with backoff, and logs when the source is back.

use std::sync::Arc;
use std::time::Duration;

use super::plugins::LivePlugins;
use super::registration;
use super::shutdown::Shutdown;
use crate::artifact::{ArtifactSource, Fetched, Fetcher};
use crate::backoff::Backoff;
use crate::runtime::{LoadError, Plugin, PluginRuntime};
use crate::swf::SwfClient;

/// One watched source and the version of it that is active.
struct Watched {
    source: ArtifactSource,
    version: String,
    failures: u32,
}

/// The watched sources of a worker.
pub struct SourceWatcher {
    fetcher: Arc<Fetcher>,
    runtime: Arc<PluginRuntime>,
    watched: Vec<Watched>,
    interval: Duration,
    registrar: Option<(SwfClient, String)>,
}

impl SourceWatcher {
    /// Watches `sources` (each with the version loaded at start) every `interval`; the types
    /// of new artifacts are registered through `registrar` (client, domain) when given.
    pub fn new(
        fetcher: Arc<Fetcher>,
        runtime: Arc<PluginRuntime>,
        sources: Vec<(ArtifactSource, String)>,
        interval: Duration,
        registrar: Option<(SwfClient, String)>,
    ) -> Self {
        Self {
            fetcher,
            runtime,
            watched: sources
                .into_iter()
                .map(|(source, version)| Watched {
                    source,
                    version,
                    failures: 0,
                })
                .collect(),
            interval,
            registrar,
        }
    }

    /// Polls until `shutdown`, activating new artifacts in `live`.
    pub async fn watch(mut self, live: Arc<LivePlugins>, shutdown: Shutdown) {
        let backoff = Backoff {
            base: self.interval,
            max: self.interval.max(Duration::from_secs(300)),
        };
        loop {
            let failing = self.watched.iter().map(|w| w.failures).max().unwrap_or(0);
            let pause = if failing == 0 {
                self.interval
            } else {
                self.interval.max(backoff.delay(failing))
            };
            tokio::select! {
                _ = shutdown.triggered() => return,
                _ = tokio::time::sleep(pause) => {}
            }
            for index in 0..self.watched.len() {
                self.poll(index, &live).await;
            }
        }
    }

    async fn poll(&mut self, index: usize, live: &LivePlugins) {
        let watched = &self.watched[index];
        let outcome = self.fetcher.poll(&watched.source, &watched.version).await;
        let watched = &mut self.watched[index];
        match outcome {
            Ok(None) => {
                if watched.failures > 0 {
                    tracing::info!(source = %watched.source, "source reachable again");
                }
                watched.failures = 0;
            }
            Ok(Some(fetched)) => {
                watched.failures = 0;
                let source = watched.source.clone();
                if let Some(plugin) = self.load(&source, &fetched).await {
                    self.register(&plugin).await;
                    live.activate(plugin);
                    tracing::info!(%source, digest = %&fetched.digest[..12],
                        "new artifact activated");
                }
                self.watched[index].version = fetched.version;
            }
            Err(error) => {
                watched.failures += 1;
                if watched.failures == 1 {
                    tracing::warn!(source = %watched.source, %error,
                        "cannot poll the source; the current artifact keeps serving, retrying");
                }
            }
        }
    }

    async fn load(&self, source: &ArtifactSource, fetched: &Fetched) -> Option<Plugin> {
        match self
            .runtime
            .load_fetched(&fetched.bytes, &source.name())
            .await
        {
            Ok(plugin) => Some(plugin),
            Err(LoadError::Ungranted(why)) => {
                tracing::error!(%source, reason = %why,
                    "new artifact not activated: a required need is not granted");
                None
            }
            Err(error) => {
                tracing::error!(%source, %error,
                    "new artifact rejected; what served its types before keeps serving");
                None
            }
        }
    }

    async fn register(&self, plugin: &Plugin) {
        if let Some((client, domain)) = &self.registrar {
            registration::register_arrival(client, domain, plugin).await;
        }
    }
}
