//! The wasmtime engine every plugin shares, the thread that advances its epoch while guest
//! code runs, and [`HostEngine::bounded`], through which every guest call goes.
//!
//! Settings chosen for plugins that must be contained and (for deciders) deterministic:
//! epoch interruption for wall-clock deadlines, NaN canonicalisation and deterministic
//! relaxed SIMD so floating point gives the same bits on every machine, and the pooling
//! allocator so a fresh instance per task costs microseconds.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::{JoinHandle, Thread};
use std::time::Duration;

use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Trap,
};

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

    /// Runs `call`, a guest call (instantiation included), with the epoch ticking, so that the
    /// guest yields at every tick and is interrupted at its epoch deadline; a backstop of
    /// `deadline` plus a second covers time spent in host calls, where epochs do not count.
    pub(crate) async fn bounded<T>(
        &self,
        call: impl Future<Output = wasmtime::Result<T>>,
        deadline: Duration,
    ) -> wasmtime::Result<T> {
        let _in_flight = self.ticker.as_ref().map(|t| t.calls.begin());
        match tokio::time::timeout(deadline + Duration::from_secs(1), call).await {
            Ok(result) => result,
            Err(_) => Err(wasmtime::Error::new(Trap::Interrupt)),
        }
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

/// A background thread that increments the engine's epoch every [`EPOCH_TICK`] while guest
/// calls are in flight, and sleeps while none is: an idle worker costs no CPU for it.
struct EpochTicker {
    calls: Arc<CallsInFlight>,
    handle: JoinHandle<()>,
}

impl EpochTicker {
    fn start(engine: Engine) -> Self {
        let calls = Arc::new(CallsInFlight::default());
        let waiting = calls.clone();
        let handle = std::thread::Builder::new()
            .name("swfwasm-epoch".into())
            .spawn(move || {
                while waiting.wait_for_a_call() {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .expect("spawning the epoch thread");
        calls.set_ticker(handle.thread().clone());
        Self { calls, handle }
    }

    fn stop(self) {
        self.calls.stop();
        let _ = self.handle.join();
    }
}

/// The guest calls in flight, which the ticker waits for.
///
/// Written by hand rather than with a `Mutex` and `Condvar`: a busy worker begins a few guest
/// calls per task, one after another, so the count goes from 0 to 1 each time, and a condvar
/// costs a futex call (and a wake-up of the ticker) at every one of them. Here a call costs two
/// atomic operations; the ticker parks only when it finds no call in flight after a tick, so
/// while calls keep coming it is woken at most once per tick.
#[derive(Default)]
struct CallsInFlight {
    in_flight: AtomicUsize,
    stopped: AtomicBool,
    /// The thread that waits, set before any call can begin.
    ticker: OnceLock<Thread>,
}

impl CallsInFlight {
    /// Sets the thread that [`CallsInFlight::wait_for_a_call`] parks; before any call begins.
    fn set_ticker(&self, ticker: Thread) {
        let _ = self.ticker.set(ticker);
    }

    /// Counts a call until the returned guard is dropped.
    fn begin(self: &Arc<Self>) -> InFlight {
        // SeqCst here and in `wait_for_a_call`: either the ticker's load sees this call, or it
        // parks after this unpark, which then makes `park` return at once.
        if self.in_flight.fetch_add(1, Ordering::SeqCst) == 0 {
            self.unpark();
        }
        InFlight(self.clone())
    }

    fn unpark(&self) {
        if let Some(ticker) = self.ticker.get() {
            ticker.unpark();
        }
    }

    /// Wakes the ticker for good.
    fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.unpark();
    }

    /// Parks the calling thread (the ticker) while no call is in flight; `false` once stopped.
    fn wait_for_a_call(&self) -> bool {
        loop {
            if self.stopped.load(Ordering::SeqCst) {
                return false;
            }
            if self.in_flight.load(Ordering::SeqCst) > 0 {
                return true;
            }
            std::thread::park();
        }
    }
}

/// One guest call in flight.
struct InFlight(Arc<CallsInFlight>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// The ticker's loop blocks while no guest call is in flight, runs once one begins, blocks
    /// again once it ended, and ends when stopped.
    #[test]
    fn the_ticker_waits_while_no_call_is_in_flight() {
        let calls = Arc::new(CallsInFlight::default());
        let (tick, ticks) = mpsc::channel();
        let waiting = calls.clone();
        let ticker = std::thread::spawn(move || {
            while waiting.wait_for_a_call() {
                tick.send(()).unwrap();
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        calls.set_ticker(ticker.thread().clone());
        let none = |what: &str| {
            assert!(
                ticks.recv_timeout(Duration::from_millis(100)).is_err(),
                "ticked {what}"
            );
        };
        none("before any call");
        let first = calls.begin();
        let second = calls.begin();
        ticks
            .recv_timeout(Duration::from_secs(5))
            .expect("ticks once a call begins");
        drop(first);
        ticks
            .recv_timeout(Duration::from_secs(5))
            .expect("ticks while a call is still in flight");
        drop(second);
        // The tick under way when the last call ended may still come.
        std::thread::sleep(Duration::from_millis(20));
        while ticks.try_recv().is_ok() {}
        none("after the calls ended");
        calls.stop();
        ticker.join().unwrap();
    }
}
