//! The per-task sandbox: what a guest instance can see and how much it may use.
//!
//! Every task gets a fresh [`GuestState`]: a WASI context with no filesystem, network,
//! environment, arguments or stdin; stdout and stderr captured into bounded buffers; a memory
//! limiter that remembers what it refused (so a failure can be reported as "memory limit", not
//! as the abort it causes in the guest); and the task's ids to tag every log line with.
//!
//! Activities additionally get what their [`Capabilities`] allow (an [`ActivitySandbox`]):
//! outbound HTTP through [`OutboundHooks`], their config values, and preopened directories.
//! Config values are secrets: any of them that shows up in a guest's log line or output is
//! replaced by `[redacted]` before it is logged.
//!
//! Deciders additionally get [`Determinism`]: the wall clock reads the timestamp of the task's
//! latest event, the monotonic clock stands still, and both random sources are seeded from the
//! run id. Replaying the same history therefore gives the same decisions.

use std::borrow::Cow;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand::SeedableRng;
use rand::rngs::StdRng;
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWrite;
use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::clocks::{HostMonotonicClock, HostWallClock};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use super::heartbeat::{HeartbeatHandler, HeartbeatStatus};
use super::label::TaskLabel;
use super::outbound::OutboundHooks;
use crate::grant::{Capabilities, ConfigAnswer, DirMode, OutboundLimits, TaskConfig};

/// Inputs that make a decider's environment a function of its history.
#[derive(Debug, Clone)]
pub struct Determinism {
    /// What the wall clock reads: the latest event's timestamp (seconds since the epoch).
    pub now: Duration,
    /// Seed for the random sources, derived from the run id.
    pub seed: [u8; 32],
}

impl Determinism {
    /// Derives the environment of a decision task from its run id and latest event.
    pub fn for_task(run_id: &str, latest_event_timestamp: f64) -> Self {
        let seed: [u8; 32] = Sha256::new()
            .chain_update(b"swfwasm decider random v1\0")
            .chain_update(run_id.as_bytes())
            .finalize()
            .into();
        Self {
            // SWF timestamps carry milliseconds; rounding there keeps binary float noise
            // (1381095177.5439999…) from showing up as a different millisecond.
            now: Duration::from_millis((latest_event_timestamp.max(0.0) * 1000.0).round() as u64),
            seed,
        }
    }
}

/// What an activity task may use beyond computing.
pub(crate) struct ActivitySandbox {
    /// The artifact's capabilities.
    pub(crate) capabilities: Arc<Capabilities>,
    /// The task's config values.
    pub(crate) config: TaskConfig,
    /// Outbound HTTP limits.
    pub(crate) limits: OutboundLimits,
    /// When the task must be done (outbound timeouts are clamped to it).
    pub(crate) deadline: Instant,
}

/// The store data of one guest instance.
pub(crate) struct GuestState {
    wasi: WasiCtx,
    table: ResourceTable,
    http: WasiHttpCtx,
    outbound: OutboundHooks,
    config: TaskConfig,
    secrets: Vec<String>,
    pub(crate) limiter: MemoryLimiter,
    pub(crate) label: TaskLabel,
    pub(crate) stdout: CapturedOutput,
    pub(crate) stderr: CapturedOutput,
    pub(crate) heartbeat: Option<Arc<dyn HeartbeatHandler>>,
}

/// WASI without sockets, output captured, and for deciders the clock and random sources of
/// `determinism`.
fn wasi_builder(
    stdout: &CapturedOutput,
    stderr: &CapturedOutput,
    determinism: Option<&Determinism>,
) -> WasiCtxBuilder {
    let mut builder = WasiCtxBuilder::new();
    builder
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false);
    if let Some(d) = determinism {
        let mut secure = d.seed;
        secure[0] ^= 0x01;
        builder
            .wall_clock(FixedWallClock(d.now))
            .monotonic_clock(FrozenMonotonicClock)
            .secure_random(StdRng::from_seed(secure))
            .insecure_random(StdRng::from_seed(d.seed))
            .insecure_random_seed(u128::from_le_bytes(
                d.seed[..16].try_into().expect("16 bytes"),
            ));
    }
    builder
}

impl GuestState {
    /// A sandbox for one call. `determinism` is `Some` for deciders, `activity` for activity
    /// tasks. Fails if a granted directory cannot be opened.
    pub(crate) fn new(
        label: TaskLabel,
        memory_limit: usize,
        output_limit: usize,
        determinism: Option<Determinism>,
        heartbeat: Option<Arc<dyn HeartbeatHandler>>,
        activity: Option<ActivitySandbox>,
    ) -> wasmtime::Result<Self> {
        let stdout = CapturedOutput::new(output_limit);
        let stderr = CapturedOutput::new(output_limit);
        let mut builder = wasi_builder(&stdout, &stderr, determinism.as_ref());
        let (outbound, config) = match activity {
            Some(activity) => {
                for dir in &activity.capabilities.dirs {
                    let perms = match dir.mode {
                        DirMode::ReadOnly => FsPerms::ReadOnly,
                        DirMode::ReadWrite => FsPerms::ReadWrite,
                    };
                    builder
                        .preopened_dir(&dir.host, &dir.guest, perms)
                        .map_err(|e| {
                            e.context(format!(
                                "cannot open the granted directory {}",
                                dir.host.display()
                            ))
                        })?;
                }
                let outbound = if activity.capabilities.has_outbound() {
                    OutboundHooks::new(
                        activity.capabilities.clone(),
                        activity.limits,
                        activity.deadline,
                        label.clone(),
                    )
                } else {
                    OutboundHooks::deny_all()
                };
                (outbound, activity.config)
            }
            None => (OutboundHooks::deny_all(), TaskConfig::default()),
        };
        Ok(Self {
            wasi: builder.build(),
            table: ResourceTable::new(),
            http: WasiHttpCtx::new(),
            outbound,
            secrets: config.secrets(),
            config,
            limiter: MemoryLimiter::new(memory_limit),
            label,
            stdout,
            stderr,
            heartbeat,
        })
    }

    /// Readies a warm decider's sandbox for its next call: the clock and random sources of
    /// `determinism`, as a fresh instance's would be. The resource table stays (the instance
    /// may hold handles in it).
    pub(crate) fn next_decision(&mut self, determinism: &Determinism) {
        self.wasi = wasi_builder(&self.stdout, &self.stderr, Some(determinism)).build();
    }

    /// The resource table (for host functions written outside bindgen).
    pub(crate) fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }

    /// `text` with every config value of the task replaced by `[redacted]`.
    pub(crate) fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = Cow::Borrowed(text);
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = Cow::Owned(text.replace(secret.as_str(), "[redacted]"));
            }
        }
        text
    }

    /// Logs one line the guest sent through `host.log`, tagged with the task and redacted.
    pub(crate) fn log_line(&self, level: tracing::Level, message: &str) {
        let l = &self.label;
        let message = self.redact(message);
        let activity_id = l.activity_id.as_deref().unwrap_or("");
        macro_rules! emit {
            ($lvl:ident) => {
                tracing::$lvl!(target: "guest", plugin = %l.plugin, workflow_id = %l.workflow_id,
                    run_id = %l.run_id, activity_id, "{message}")
            };
        }
        match level {
            tracing::Level::TRACE => emit!(trace),
            tracing::Level::DEBUG => emit!(debug),
            tracing::Level::INFO => emit!(info),
            tracing::Level::WARN => emit!(warn),
            // `ERROR`, the one level left.
            _ => emit!(error),
        }
    }

    /// Delivers a heartbeat to the task's handler (none: the task is offline, `Ok`).
    pub(crate) async fn send_heartbeat(&mut self, details: Option<String>) -> HeartbeatStatus {
        match &self.heartbeat {
            Some(handler) => handler.heartbeat(details).await,
            None => HeartbeatStatus::Ok,
        }
    }

    /// A config value for the guest; a denied or unavailable read is logged here.
    pub(crate) fn config_get(&self, key: &str) -> ConfigAnswer {
        let answer = self.config.get(key);
        let l = &self.label;
        match &answer {
            ConfigAnswer::Value(_) => {}
            ConfigAnswer::Undeclared => {
                tracing::warn!(plugin = %l.plugin, workflow_id = %l.workflow_id, run_id = %l.run_id,
                    activity_id = l.activity_id.as_deref().unwrap_or(""), key,
                    "config read denied: the plugin does not declare this key");
            }
            ConfigAnswer::Unavailable(reason) => {
                tracing::warn!(plugin = %l.plugin, workflow_id = %l.workflow_id, run_id = %l.run_id,
                    key, %reason, "config value unavailable");
            }
        }
        answer
    }
}

impl WasiView for GuestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for GuestState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.outbound,
        }
    }
}

/// Caps linear memory growth and remembers the first refusal.
pub(crate) struct MemoryLimiter {
    pub(crate) limit: usize,
    pub(crate) refused: Option<usize>,
}

impl MemoryLimiter {
    fn new(limit: usize) -> Self {
        Self {
            limit,
            refused: None,
        }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.refused.get_or_insert(desired);
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Tables hold function references; a million entries is far beyond any real plugin.
        Ok(desired <= 1_000_000)
    }
}

struct FixedWallClock(Duration);

impl HostWallClock for FixedWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }
    fn now(&self) -> Duration {
        self.0
    }
}

struct FrozenMonotonicClock;

impl HostMonotonicClock for FrozenMonotonicClock {
    fn resolution(&self) -> u64 {
        1
    }
    fn now(&self) -> u64 {
        0
    }
}

/// A guest's stdout or stderr: keeps the first `limit` bytes and counts the rest, so a chatty
/// guest can neither exhaust host memory nor fail because its writes were refused.
#[derive(Clone)]
pub(crate) struct CapturedOutput {
    inner: Arc<Mutex<Captured>>,
}

#[derive(Default)]
struct Captured {
    bytes: Vec<u8>,
    dropped: usize,
    limit: usize,
}

impl CapturedOutput {
    fn new(limit: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Captured {
                limit,
                ..Captured::default()
            })),
        }
    }

    /// The captured text and how many bytes were dropped beyond the limit.
    pub(crate) fn take(&self) -> (String, usize) {
        let mut c = self.inner.lock().expect("output lock");
        let text = String::from_utf8_lossy(&std::mem::take(&mut c.bytes)).into_owned();
        (text, std::mem::take(&mut c.dropped))
    }
}

impl IsTerminal for CapturedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CapturedOutput {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }

    // Writing straight into the buffer (instead of through wasmtime's async adapter, which
    // hands bytes to a background task) makes everything the guest wrote visible the moment
    // its call returns.
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
}

impl CapturedOutput {
    fn append(&self, buf: &[u8]) {
        let mut c = self.inner.lock().expect("output lock");
        let room = c.limit.saturating_sub(c.bytes.len());
        let kept = room.min(buf.len());
        c.bytes.extend_from_slice(&buf[..kept]);
        c.dropped += buf.len() - kept;
    }
}

#[wasmtime_wasi::async_trait]
impl OutputStream for CapturedOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.append(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        // Always accept: output beyond the limit is counted and dropped, never refused.
        Ok(64 << 10)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CapturedOutput {
    async fn ready(&mut self) {}
}

impl AsyncWrite for CapturedOutput {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.append(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
