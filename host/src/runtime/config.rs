//! [`RuntimeConfig`]: the settings of a plugin runtime, with their defaults. A leaf.

use std::path::PathBuf;
use std::time::Duration;

/// Settings of a [`PluginRuntime`](super::PluginRuntime).
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
