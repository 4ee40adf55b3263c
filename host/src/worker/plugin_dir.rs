//! A watched plugin directory: artifacts dropped in are loaded and activated while the worker
//! runs, without a restart.
//!
//! The directory is rescanned whenever `notify` reports a change in it (and every few seconds
//! as a backstop for filesystems that report nothing). A scan loads every `*.wasm` that is new
//! or changed (size or modification time) — compiling it, checking its world and its
//! `describe` — and only then swaps the worker's [`LivePlugins`] for a set that includes it:
//! tasks already running keep the artifact they started with. An artifact that fails to load is
//! rejected with a log line saying why, and whatever served its types before keeps serving. An
//! artifact replaced in place stays loaded (inactive) for the runs pinned to it; a deleted one
//! stops receiving tasks. Types a new artifact declares are registered with SWF.
//!
//! Write artifacts atomically (write elsewhere, then rename into the directory): a scan that
//! sees a half-written file rejects it, and the next change event loads it whole.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use notify::{RecursiveMode, Watcher};

use super::plugins::{LivePlugins, PluginSet, activation_order};
use super::registration;
use super::shutdown::Shutdown;
use crate::runtime::{Plugin, PluginRuntime};
use crate::swf::SwfClient;

/// How often the directory is rescanned when no change is reported.
const BACKSTOP_SCAN: Duration = Duration::from_secs(5);
/// Changes closer together than this are handled by one scan.
const SETTLE: Duration = Duration::from_millis(200);

/// One file's state.
struct Entry {
    stamp: (u64, Option<SystemTime>),
    /// `None` while the file at this path has never loaded.
    plugin: Option<Plugin>,
}

/// A plugin directory being served.
pub struct PluginDirectory {
    dir: PathBuf,
    runtime: Arc<PluginRuntime>,
    live: Arc<LivePlugins>,
    registrar: Option<(SwfClient, String)>,
    /// Artifacts loaded from elsewhere (the configuration file), older than any in the directory.
    base: Vec<Plugin>,
    files: BTreeMap<PathBuf, Entry>,
    /// Every artifact ever activated and not deleted, with its [`activation_order`].
    activated: Vec<(u64, PathBuf, Plugin)>,
}

impl PluginDirectory {
    /// Loads the directory's artifacts (oldest modification time first, so the newest artifact
    /// for a type is active) and returns the directory with the initial set, which starts with
    /// `base`. With a `registrar` (client, domain), the types of every artifact loaded, now or
    /// later, are registered in that domain, which must exist.
    pub async fn open(
        dir: &Path,
        runtime: Arc<PluginRuntime>,
        base: Vec<Plugin>,
        registrar: Option<(SwfClient, String)>,
    ) -> std::io::Result<(PluginDirectory, PluginSet)> {
        let mut directory = PluginDirectory {
            dir: dir.to_owned(),
            runtime,
            live: Arc::new(LivePlugins::default()),
            registrar,
            base,
            files: BTreeMap::new(),
            activated: Vec::new(),
        };
        directory.scan().await?;
        let set = directory.plugin_set();
        Ok((directory, set))
    }

    /// Registers the types of artifacts that arrive from now on through `client` in `domain`
    /// (for a caller that registered the initial set itself, domain first).
    pub fn registering(mut self, client: SwfClient, domain: String) -> Self {
        self.registrar = Some((client, domain));
        self
    }

    /// Serves `live` (the running worker's set) until `shutdown`.
    pub async fn watch(mut self, live: Arc<LivePlugins>, shutdown: Shutdown) {
        self.live = live;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if event.is_ok() {
                let _ = tx.send(());
            }
        })
        .and_then(|mut watcher| {
            watcher.watch(&self.dir, RecursiveMode::NonRecursive)?;
            Ok(watcher)
        });
        let _watcher = match watcher {
            Ok(watcher) => Some(watcher),
            Err(error) => {
                tracing::warn!(dir = %self.dir.display(), %error,
                    "cannot watch the plugin directory; rescanning it every few seconds instead");
                None
            }
        };
        loop {
            tokio::select! {
                _ = shutdown.triggered() => return,
                _ = rx.recv() => {
                    tokio::time::sleep(SETTLE).await;
                    while rx.try_recv().is_ok() {}
                }
                _ = tokio::time::sleep(BACKSTOP_SCAN) => {}
            }
            match self.scan().await {
                Ok(true) => {
                    let activated: Vec<(u64, Plugin)> = self
                        .activated
                        .iter()
                        .map(|(order, _, plugin)| (*order, plugin.clone()))
                        .collect();
                    self.live.replace(&self.base, &activated);
                }
                Ok(false) => {}
                Err(error) => tracing::warn!(dir = %self.dir.display(), %error,
                    "cannot read the plugin directory"),
            }
        }
    }

    /// Loads what changed; `true` if the set of active artifacts changed.
    async fn scan(&mut self) -> std::io::Result<bool> {
        let mut present = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "wasm") {
                let meta = std::fs::metadata(&path)?;
                present.push((meta.modified().ok(), path, meta.len()));
            }
        }
        present.sort();
        let mut changed = false;
        let gone: Vec<PathBuf> = self
            .files
            .keys()
            .filter(|path| !present.iter().any(|(_, p, _)| p == *path))
            .cloned()
            .collect();
        for path in gone {
            self.files.remove(&path);
            self.activated.retain(|(_, p, _)| *p != path);
            tracing::info!(path = %path.display(), "plugin removed: it receives no new tasks");
            changed = true;
        }
        for (modified, path, len) in present {
            let stamp = (len, modified);
            if self.files.get(&path).is_some_and(|e| e.stamp == stamp) {
                continue;
            }
            let previous = self.files.remove(&path).and_then(|e| e.plugin);
            match self.runtime.load_file(&path).await {
                Ok(plugin)
                    if previous
                        .as_ref()
                        .is_some_and(|p| p.digest() == plugin.digest()) =>
                {
                    self.files.insert(
                        path,
                        Entry {
                            stamp,
                            plugin: previous,
                        },
                    );
                }
                Ok(plugin) => {
                    tracing::info!(path = %path.display(), digest = %plugin.digest().short(),
                        "plugin activated");
                    self.register(&plugin).await;
                    self.activated
                        .push((activation_order(), path.clone(), plugin.clone()));
                    self.files.insert(
                        path,
                        Entry {
                            stamp,
                            plugin: Some(plugin),
                        },
                    );
                    changed = true;
                }
                Err(error) => {
                    tracing::error!(path = %path.display(), error = %format!("{error:#}"),
                        "plugin rejected; what served its types before keeps serving");
                    self.files.insert(
                        path,
                        Entry {
                            stamp,
                            plugin: previous,
                        },
                    );
                }
            }
        }
        Ok(changed)
    }

    /// Every activated artifact still on disk (or replaced in place), oldest first, so the
    /// newest for each type is active.
    fn plugin_set(&self) -> PluginSet {
        let mut set = PluginSet::default();
        for plugin in &self.base {
            set.insert(plugin.clone());
        }
        for (_, _, plugin) in &self.activated {
            set.insert(plugin.clone());
        }
        set
    }

    async fn register(&self, plugin: &Plugin) {
        if let Some((client, domain)) = &self.registrar {
            registration::register_arrival(client, domain, plugin).await;
        }
    }
}
