//! The wasmtime engine every plugin shares, and the thread that advances its epoch.
//!
//! Settings chosen for plugins that must be contained and (for deciders) deterministic:
//! epoch interruption for wall-clock deadlines, NaN canonicalisation and deterministic
//! relaxed SIMD so floating point gives the same bits on every machine, and the pooling
//! allocator so a fresh instance per task costs microseconds.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use super::config::RuntimeConfig;
use super::error::RuntimeError;

/// How often the epoch advances; deadlines are checked at this granularity.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Bytes of a pooled linear memory reset in place, and kept resident, when its instance is
/// dropped; more than a Rust or C guest dirties in a task.
const KEEP_RESIDENT_MEMORY: usize = 2 << 20;
/// The same for a pooled table.
const KEEP_RESIDENT_TABLE: usize = 64 << 10;

/// Which instance allocator the engine ended up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocationStrategy {
    /// Pre-reserved slots: instantiation is a few microseconds.
    Pooling,
    /// Memory mapped per instance (used when the machine refuses the pooling reservation).
    OnDemand,
}

pub(crate) struct HostEngine {
    engine: Engine,
    strategy: AllocationStrategy,
    ticker: Option<EpochTicker>,
}

impl HostEngine {
    pub(crate) fn new(config: &RuntimeConfig) -> Result<Self, RuntimeError> {
        let (engine, strategy) = if config.pooling {
            match Engine::new(&base_config(config, true)) {
                Ok(engine) => (engine, AllocationStrategy::Pooling),
                Err(error) => {
                    tracing::warn!(%error, "pooling allocator unavailable, using on-demand allocation");
                    (Self::on_demand(config)?, AllocationStrategy::OnDemand)
                }
            }
        } else {
            (Self::on_demand(config)?, AllocationStrategy::OnDemand)
        };
        let ticker = Some(EpochTicker::start(engine.clone()));
        Ok(Self {
            engine,
            strategy,
            ticker,
        })
    }

    fn on_demand(config: &RuntimeConfig) -> Result<Engine, RuntimeError> {
        Engine::new(&base_config(config, false)).map_err(RuntimeError::Engine)
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn strategy(&self) -> AllocationStrategy {
        self.strategy
    }
}

impl Drop for HostEngine {
    fn drop(&mut self) {
        if let Some(ticker) = self.ticker.take() {
            ticker.stop();
        }
    }
}

fn base_config(config: &RuntimeConfig, pooling: bool) -> Config {
    let mut c = Config::new();
    c.epoch_interruption(true);
    c.cranelift_nan_canonicalization(true);
    c.relaxed_simd_deterministic(true);
    c.wasm_component_model(true);
    if pooling {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(config.max_instances);
        pool.max_memory_size(config.memory_limit);
        // A slot's memory and tables are reset when its instance is dropped, once per task. By
        // default that is an madvise, whose TLB shootdown interrupts every thread of the
        // process: a tenth of a busy worker's CPU. Resetting the pages a guest dirtied with a
        // memset (found with PAGEMAP_SCAN where the kernel has it, Linux 6.7+) keeps them
        // resident for the slot's next instance instead. Beyond these sizes (a Python guest's
        // heap) the rest is still given back with madvise.
        pool.linear_memory_keep_resident(KEEP_RESIDENT_MEMORY);
        pool.table_keep_resident(KEEP_RESIDENT_TABLE);
        pool.pagemap_scan(Enabled::Auto);
        c.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    c
}

/// A background thread that increments the engine's epoch every [`EPOCH_TICK`].
struct EpochTicker {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<()>,
}

impl EpochTicker {
    fn start(engine: Engine) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("swfwasm-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .expect("spawning the epoch thread");
        Self { stop, handle }
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.handle.join();
    }
}
