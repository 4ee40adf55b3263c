//! [`PluginRuntime`]: its implementation, in the order data flows through it: build (engine,
//! cache, linkers), load an artifact into a [`Plugin`] (compile or cache, world and contract,
//! link, `describe`, `requires`, grants), and run an activity task (`execute`). Deciding is in
//! `decide`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use swf_model::{ActivityTask, MAX_DATA_LEN, MAX_REASON_LEN, truncate_chars};
use wasmtime::component::Component;

use super::bindings::warm_decider::WarmDeciderPre;
use super::bindings::{self, Linkers, WitActivityError, WitNeed, WitRequirements};
use super::cache::{CacheOutcome, CompileCache};
use super::call::{finish, load_label, new_store};
use super::component::{check_component_header, detect_world, names};
use super::config::RuntimeConfig;
use super::digest::Digest;
use super::engine::{AllocationStrategy, HostEngine};
use super::error::{GuestError, LoadError, RuntimeError};
use super::heartbeat::HeartbeatHandler;
use super::label::TaskLabel;
use super::plugin::{Linked, Plugin, PluginInner};
use super::sandbox::{ActivitySandbox, Determinism, GuestState};
use super::types::{ActivityOutcome, Contract, PluginTypes, World};
use crate::grant::{ArtifactIdentity, Capabilities, Grants, Need, Requirements, Ungranted};
use crate::metrics::{CauseLabels, Metrics, metrics};

/// A future that instantiates `$pre` in `$store` and calls its export `$method($args)`, timing
/// both phases under `$export`. A macro because each world and contract version has its own
/// bindgen types, with no trait in common.
macro_rules! guest_call {
    ($export:literal, $store:ident, $pre:ident, $method:ident ( $($arg:expr),* )) => {
        async {
            let started = Instant::now();
            let instance = $pre.instantiate_async(&mut $store).await?;
            metrics().guest_phase($export, "instantiate", started.elapsed());
            let started = Instant::now();
            let result = instance.$method(&mut $store $(, $arg)*).await;
            metrics().guest_phase($export, "call", started.elapsed());
            result
        }
    };
}
pub(super) use guest_call;

/// Loads plugins and runs their exports. One per process; cheap to share behind an `Arc`.
pub struct PluginRuntime {
    pub(super) engine: HostEngine,
    cache: Option<CompileCache>,
    linkers: Linkers,
    pub(super) config: RuntimeConfig,
    grants: Arc<Grants>,
}

impl PluginRuntime {
    /// Builds the engine (pooling allocator if possible), the linkers and the cache.
    pub fn new(config: RuntimeConfig) -> Result<Self, RuntimeError> {
        let engine = HostEngine::new(&config)?;
        let cache = match &config.cache_dir {
            Some(dir) => Some(
                CompileCache::open(dir, engine.engine())
                    .map_err(|e| RuntimeError::Cache(dir.clone(), e))?,
            ),
            None => None,
        };
        let linkers = Linkers::new(engine.engine()).map_err(RuntimeError::Engine)?;
        Ok(Self {
            engine,
            cache,
            linkers,
            config,
            grants: Arc::new(Grants::default()),
        })
    }

    /// Gives activities loaded from now on what `grants` allow (default: nothing).
    pub fn with_grants(mut self, grants: Grants) -> Self {
        self.grants = Arc::new(grants);
        self
    }

    /// The grants activities are loaded with.
    pub fn grants(&self) -> &Grants {
        &self.grants
    }

    /// The settings this runtime was built with.
    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    /// How instances are allocated on this machine.
    pub fn allocation_strategy(&self) -> AllocationStrategy {
        self.engine.strategy()
    }

    /// The compile cache, if one is configured.
    pub fn cache(&self) -> Option<&CompileCache> {
        self.cache.as_ref()
    }

    /// Loads the artifact at `path`; grants may match it by its file name. An activity whose
    /// required needs are not granted fails with [`LoadError::Ungranted`].
    pub async fn load_file(&self, path: &Path) -> Result<Plugin, LoadError> {
        let bytes = std::fs::read(path).map_err(|e| LoadError::Read(path.to_path_buf(), e))?;
        let file_name = path.file_name().and_then(|n| n.to_str());
        let (plugin, granted) = self.load(&bytes, file_name).await?;
        granted?;
        Ok(plugin)
    }

    /// Loads an artifact fetched from elsewhere (a registry, a bucket, a URL); grants may
    /// match it by `name` as by a file name (see `ArtifactSource::name`). An activity whose
    /// required needs are not granted fails with [`LoadError::Ungranted`].
    pub async fn load_fetched(&self, bytes: &[u8], name: &str) -> Result<Plugin, LoadError> {
        let (plugin, granted) = self.load(bytes, Some(name)).await?;
        granted?;
        Ok(plugin)
    }

    /// [`load_fetched`](Self::load_fetched) to look at it: an activity whose required needs
    /// are not granted still loads (with no capabilities); the second value says why it would
    /// not be activated.
    pub async fn inspect_fetched(
        &self,
        bytes: &[u8],
        name: &str,
    ) -> Result<(Plugin, Result<(), Ungranted>), LoadError> {
        self.load(bytes, Some(name)).await
    }

    /// Loads an artifact from memory (a component binary, or component text for tests), with
    /// the grants that match its digest or types.
    pub async fn load_bytes(&self, bytes: &[u8]) -> Result<Plugin, LoadError> {
        let (plugin, granted) = self.load(bytes, None).await?;
        granted?;
        Ok(plugin)
    }

    /// Loads the artifact at `path` to look at it: an activity whose required needs are not
    /// granted still loads (with no capabilities), and the second value says why it would
    /// not be activated.
    pub async fn inspect_file(
        &self,
        path: &Path,
    ) -> Result<(Plugin, Result<(), Ungranted>), LoadError> {
        let bytes = std::fs::read(path).map_err(|e| LoadError::Read(path.to_path_buf(), e))?;
        self.load(&bytes, path.file_name().and_then(|n| n.to_str()))
            .await
    }

    async fn load(
        &self,
        bytes: &[u8],
        file_name: Option<&str>,
    ) -> Result<(Plugin, Result<(), Ungranted>), LoadError> {
        let result = self.load_artifact(bytes, file_name).await;
        let outcome = match &result {
            Ok((_, Ok(()))) => "loaded",
            Ok((_, Err(_))) => "ungranted",
            Err(_) => "rejected",
        };
        Metrics::count(&metrics().plugin_loads, outcome);
        result
    }

    async fn load_artifact(
        &self,
        bytes: &[u8],
        file_name: Option<&str>,
    ) -> Result<(Plugin, Result<(), Ungranted>), LoadError> {
        check_component_header(bytes)?;
        let digest = Digest::of(bytes);
        let (component, cache) = self.compiled(bytes, &digest).await?;
        let cached = if matches!(cache, CacheOutcome::Hit(_)) {
            "hit"
        } else {
            "miss"
        };
        Metrics::count(&metrics().compile_cache, cached);
        let world = detect_world(&component, self.engine.engine())?;
        let imports = names(&component, self.engine.engine()).1;
        if world == World::Decider {
            let io: Vec<String> = imports
                .iter()
                // Sockets stay linkable (language runtimes such as componentize-py's import
                // them whether used or not); the sandbox refuses every socket operation.
                .filter(|i| i.starts_with("wasi:http/") || i.starts_with("swfwasm:plugin/config"))
                .cloned()
                .collect();
            if !io.is_empty() {
                return Err(LoadError::DeciderIo { imports: io });
            }
        }
        let contract = if imports
            .iter()
            .any(|i| i.starts_with("swfwasm:plugin/") && i.ends_with("@0.1.0"))
        {
            Contract::V0_1
        } else {
            Contract::V0_2
        };
        let (linked, warm) = self.link(&component, world, contract)?;
        let types = self.describe(&linked, &digest).await?;
        let requirements = self.requirements(&linked, &digest).await?;
        let type_names: Vec<String> = match &types {
            PluginTypes::Workflows(t) => t.iter().map(|t| t.name.clone()).collect(),
            PluginTypes::Activities(t) => t.iter().map(|t| t.name.clone()).collect(),
        };
        let (capabilities, granted) = match world {
            World::Decider => (Capabilities::default(), Ok(())),
            World::Activity => match self
                .grants
                .capabilities(
                    ArtifactIdentity {
                        file_name,
                        digest: digest.hex(),
                        type_names: &type_names,
                    },
                    &requirements,
                )
                .await
            {
                Ok(capabilities) => (capabilities, Ok(())),
                Err(ungranted) => (Capabilities::default(), Err(ungranted)),
            },
        };
        tracing::info!(plugin = %digest.short(), world = world.name(), contract = contract.version(),
            cached = matches!(cache, CacheOutcome::Hit(_)), "plugin loaded");
        let plugin = Plugin::new(PluginInner {
            digest,
            world,
            contract,
            types,
            requirements,
            capabilities: Arc::new(capabilities),
            cache,
            size: bytes.len(),
            linked,
            warm,
        });
        Ok((plugin, granted))
    }

    async fn compiled(
        &self,
        bytes: &[u8],
        digest: &Digest,
    ) -> Result<(Component, CacheOutcome), LoadError> {
        let engine = self.engine.engine().clone();
        let reason = match &self.cache {
            Some(cache) => match cache.load(&engine, digest) {
                Ok(component) => {
                    return Ok((component, CacheOutcome::Hit(cache.entry_path(digest))));
                }
                Err(reason) => Some(reason),
            },
            None => None,
        };
        // Compiling is CPU-bound for up to seconds: keep it off the async workers.
        let owned = bytes.to_vec();
        let code = tokio::task::spawn_blocking(move || engine.precompile_component(&owned))
            .await
            .map_err(|e| LoadError::Compile(wasmtime::Error::new(e)))?
            .map_err(LoadError::Compile)?;
        if let Some(cache) = &self.cache
            && let Err(error) = cache.store(digest, &code)
        {
            tracing::warn!(%error, plugin = %digest.short(), "cannot write compile cache entry");
        }
        // SAFETY: `code` was produced just now by this engine's `precompile_component`.
        let component = unsafe { Component::deserialize(self.engine.engine(), &code) }
            .map_err(LoadError::Compile)?;
        Ok((component, CacheOutcome::Compiled { reason }))
    }

    /// Links `component`; a decider that exports `decide-since` gets its `warm-decider`
    /// bindings too.
    fn link(
        &self,
        component: &Component,
        world: World,
        contract: Contract,
    ) -> Result<(Linked, Option<WarmDeciderPre<GuestState>>), LoadError> {
        let link_error = |e: wasmtime::Error| LoadError::Link {
            message: format!("{e:#}"),
            imports: names(component, self.engine.engine()).1,
        };
        let linked = match world {
            World::Decider => {
                let pre = self
                    .linkers
                    .decider
                    .instantiate_pre(component)
                    .map_err(link_error)?;
                let exports = names(component, self.engine.engine()).0;
                let warm = if exports.iter().any(|e| e == "decide-since") {
                    Some(WarmDeciderPre::new(pre.clone()).map_err(link_error)?)
                } else {
                    None
                };
                return Ok((
                    Linked::Decider(bindings::decider::DeciderPre::new(pre).map_err(link_error)?),
                    warm,
                ));
            }
            World::Activity => {
                let pre = self
                    .linkers
                    .activity
                    .instantiate_pre(component)
                    .map_err(link_error)?;
                match contract {
                    Contract::V0_2 => Linked::Activity(
                        bindings::activity::ActivityPre::new(pre).map_err(link_error)?,
                    ),
                    Contract::V0_1 => Linked::ActivityV01(
                        bindings::v0_1::activity::ActivityPre::new(pre).map_err(link_error)?,
                    ),
                }
            }
        };
        Ok((linked, None))
    }

    /// Runs an activity's `execute` on `task` with a wall-clock `deadline` (normally the
    /// task's start-to-close timeout); heartbeats go to `heartbeat`. The guest gets what its
    /// capabilities allow: granted outbound hosts, its config values (read now, or from the
    /// cache), granted directories.
    pub async fn execute(
        &self,
        plugin: &Plugin,
        task: &ActivityTask,
        deadline: Duration,
        heartbeat: Arc<dyn HeartbeatHandler>,
    ) -> Result<ActivityOutcome, GuestError> {
        let result = self.execute_task(plugin, task, deadline, heartbeat).await;
        count_error("execute", &result);
        result
    }

    async fn execute_task(
        &self,
        plugin: &Plugin,
        task: &ActivityTask,
        deadline: Duration,
        heartbeat: Arc<dyn HeartbeatHandler>,
    ) -> Result<ActivityOutcome, GuestError> {
        if !matches!(
            plugin.linked(),
            Linked::Activity(_) | Linked::ActivityV01(_)
        ) {
            return Err(wrong_world(plugin, "an activity"));
        }
        let json = serde_json::to_string(task).map_err(GuestError::InvalidTask)?;
        let label = TaskLabel {
            plugin: plugin.digest().short().to_owned(),
            workflow_id: task.workflow_execution.workflow_id.clone(),
            run_id: task.workflow_execution.run_id.clone(),
            activity_id: Some(task.activity_id.clone()),
        };
        let capabilities = plugin.capabilities().clone();
        let sandbox = ActivitySandbox {
            config: self.grants.task_config(&capabilities).await,
            capabilities,
            limits: self.grants.limits().clone(),
            deadline: Instant::now() + deadline,
        };
        let mut store = self.store(label, None, Some(heartbeat), Some(sandbox), deadline)?;
        let call = async {
            match plugin.linked() {
                Linked::Activity(pre) => {
                    guest_call!("execute", store, pre, call_execute(&json)).await
                }
                Linked::ActivityV01(pre) => {
                    guest_call!("execute", store, pre, call_execute(&json)).await
                }
                Linked::Decider(_) => unreachable!("checked above"),
            }
        };
        let result = self.engine.bounded(call, deadline).await;
        Ok(match finish(&store, result, deadline)? {
            Ok(result) if result.chars().count() > MAX_DATA_LEN => {
                return Err(GuestError::InvalidOutput(format!(
                    "the result is {} characters; SWF accepts at most {MAX_DATA_LEN}",
                    result.chars().count()
                )));
            }
            Ok(result) => ActivityOutcome::Completed(result),
            Err(WitActivityError::Failed(f)) => ActivityOutcome::Failed {
                reason: truncate_chars(&f.reason, MAX_REASON_LEN).to_owned(),
                details: f
                    .details
                    .map(|d| truncate_chars(&d, MAX_DATA_LEN).to_owned()),
            },
            Err(WitActivityError::Canceled(details)) => ActivityOutcome::Canceled {
                details: details.map(|d| truncate_chars(&d, MAX_DATA_LEN).to_owned()),
            },
        })
    }

    /// Calls `describe` at load time and checks the declaration is usable.
    async fn describe(&self, linked: &Linked, digest: &Digest) -> Result<PluginTypes, LoadError> {
        let timeout = self.config.describe_timeout;
        let mut store = self
            .store(load_label(digest), None, None, None, timeout)
            .map_err(LoadError::Describe)?;
        let types = match linked {
            Linked::Decider(pre) => {
                let call = guest_call!("describe", store, pre, call_describe());
                let result = self.engine.bounded(call, timeout).await;
                PluginTypes::Workflows(declared(finish(&store, result, timeout))?)
            }
            Linked::Activity(pre) => {
                let call = guest_call!("describe", store, pre, call_describe());
                let result = self.engine.bounded(call, timeout).await;
                PluginTypes::Activities(declared(finish(&store, result, timeout))?)
            }
            Linked::ActivityV01(pre) => {
                let call = guest_call!("describe", store, pre, call_describe());
                let result = self.engine.bounded(call, timeout).await;
                PluginTypes::Activities(declared(finish(&store, result, timeout))?)
            }
        };
        let names: Vec<(&str, &str)> = match &types {
            PluginTypes::Workflows(t) => t
                .iter()
                .map(|t| (t.name.as_str(), t.version.as_str()))
                .collect(),
            PluginTypes::Activities(t) => t
                .iter()
                .map(|t| (t.name.as_str(), t.version.as_str()))
                .collect(),
        };
        if names.is_empty() {
            return Err(LoadError::Declaration(
                "the plugin declares no types".into(),
            ));
        }
        for (name, version) in names {
            swf_model::check_identifier(name, swf_model::MAX_ID_LEN)
                .map_err(|e| LoadError::Declaration(format!("declared type name {name:?}: {e}")))?;
            swf_model::check_identifier(version, swf_model::MAX_VERSION_LEN).map_err(|e| {
                LoadError::Declaration(format!("declared type version {version:?}: {e}"))
            })?;
        }
        Ok(types)
    }

    /// Calls `requires` at load time (0.2.0 activities; others need nothing).
    async fn requirements(
        &self,
        linked: &Linked,
        digest: &Digest,
    ) -> Result<Requirements, LoadError> {
        let Linked::Activity(pre) = linked else {
            return Ok(Requirements::default());
        };
        let timeout = self.config.describe_timeout;
        let mut store = self
            .store(load_label(digest), None, None, None, timeout)
            .map_err(LoadError::Requires)?;
        let call = guest_call!("requires", store, pre, call_requires());
        let result = self.engine.bounded(call, timeout).await;
        let WitRequirements {
            outbound_hosts,
            config_keys,
        } = finish(&store, result, timeout).map_err(LoadError::Requires)?;
        let needs = |list: Vec<_>| {
            list.into_iter()
                .map(|n: WitNeed| Need {
                    name: n.name,
                    required: n.required,
                })
                .collect()
        };
        Ok(Requirements {
            outbound_hosts: needs(outbound_hosts),
            config_keys: needs(config_keys),
        })
    }

    pub(super) fn store(
        &self,
        label: TaskLabel,
        determinism: Option<Determinism>,
        heartbeat: Option<Arc<dyn HeartbeatHandler>>,
        activity: Option<ActivitySandbox>,
        deadline: Duration,
    ) -> Result<wasmtime::Store<GuestState>, GuestError> {
        new_store(
            self.engine.engine(),
            &self.config,
            label,
            determinism,
            heartbeat,
            activity,
            deadline,
        )
    }
}

/// The declarations `describe` returned, as the runtime's own types.
fn declared<W, T: From<W>>(result: Result<Vec<W>, GuestError>) -> Result<Vec<T>, LoadError> {
    Ok(result
        .map_err(LoadError::Describe)?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Counts a failed guest call under its cause.
pub(super) fn count_error<T>(export: &'static str, result: &Result<T, GuestError>) {
    if let Err(error) = result {
        metrics()
            .sandbox_errors
            .get_or_create(&CauseLabels {
                export,
                cause: error.cause(),
            })
            .inc();
    }
}

pub(super) fn wrong_world(plugin: &Plugin, expected: &'static str) -> GuestError {
    GuestError::WrongWorld {
        digest: plugin.digest().to_string(),
        actual: match plugin.world() {
            World::Decider => "a decider",
            World::Activity => "an activity",
        },
        expected,
    }
}
