//! The plugin runtime: from a `.wasm` artifact to a decision or an activity result.
//!
//! Data flow:
//! 1. [`PluginRuntime::load_file`] reads an artifact, names it by its sha256 [`Digest`], and
//!    gets compiled code from the [`CompileCache`] or compiles it (then caches it).
//! 2. It checks which world the component implements ([`World`]), links it against the host
//!    imports once into an `InstancePre`, and calls `describe` to learn the types it serves.
//!    The result is a cheap-to-clone [`Plugin`].
//!    Activities are also asked what they need (`requires`), which meets the operator's
//!    [`Grants`] in the plugin's capabilities; an unmet required need fails the load
//!    ([`LoadError::Ungranted`]).
//! 3. [`PluginRuntime::decide`] / [`PluginRuntime::execute`] instantiate a fresh instance per
//!    task inside a [`sandbox`] (memory cap, epoch deadline, captured stdio; for deciders a
//!    clock and random source derived from the history; for activities their granted outbound
//!    HTTP, config values and directories), call the export, and turn traps and bad output
//!    into a [`GuestError`] that names the cause.

mod bindings;
mod cache;
mod engine;
mod error;
mod invoke;
mod outbound;
mod plugin;
pub mod sandbox;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::grant::Grants;

pub use cache::{CacheOutcome, CompileCache};
pub use engine::AllocationStrategy;
pub use error::{GuestError, LoadError, RuntimeError};
pub use invoke::{ActivityOutcome, HeartbeatHandler, HeartbeatStatus, NoHeartbeat};
pub use plugin::{Contract, Digest, Plugin, PluginTypes, World};

/// Settings of a [`PluginRuntime`].
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Where precompiled artifacts are cached; `None` compiles on every load.
    pub cache_dir: Option<PathBuf>,
    /// Most linear memory one instance may use, in bytes.
    pub memory_limit: usize,
    /// Wall-clock bound on one `decide` call. Deciders should be quick: SWF's decision task
    /// timeout covers polling, history paging and responding too.
    pub decide_timeout: Duration,
    /// Bound on `describe` at load time.
    pub describe_timeout: Duration,
    /// Bytes of guest stdout and of stderr kept per call; the rest is counted and dropped.
    pub output_limit: usize,
    /// Most instances alive at once (sizes the pooling allocator).
    pub max_instances: u32,
    /// Try the pooling allocator (falls back to on-demand if the machine refuses it).
    pub pooling: bool,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            cache_dir: None,
            memory_limit: 64 << 20,
            decide_timeout: Duration::from_secs(5),
            describe_timeout: Duration::from_secs(5),
            output_limit: 64 << 10,
            max_instances: 256,
            pooling: true,
        }
    }
}

/// Loads plugins and runs their exports. One per process; cheap to share behind an `Arc`.
pub struct PluginRuntime {
    engine: engine::HostEngine,
    cache: Option<CompileCache>,
    linkers: bindings::Linkers,
    config: RuntimeConfig,
    grants: Arc<Grants>,
}

impl PluginRuntime {
    /// Builds the engine (pooling allocator if possible), the linkers and the cache.
    pub fn new(config: RuntimeConfig) -> Result<Self, RuntimeError> {
        let engine = engine::HostEngine::new(&config)?;
        let cache = match &config.cache_dir {
            Some(dir) => Some(
                CompileCache::open(dir, engine.engine())
                    .map_err(|e| RuntimeError::Cache(dir.clone(), e))?,
            ),
            None => None,
        };
        let linkers = bindings::Linkers::new(engine.engine()).map_err(RuntimeError::Engine)?;
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
}
