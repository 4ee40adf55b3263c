//! The HTTP face of the service: `POST /` with AWS JSON 1.0 bodies, the timer task that fires
//! deadlines, and the commit task that commits what calls applied (group commit, see
//! [`crate::commits`]). [`LocalSwf::start`] binds the listener, loads the database and spawns
//! all three.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use swf_model::{Action, FaultKind};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::api::{self, Shared};
use crate::auth::Verifier;
use crate::commits::CommitStats;
use crate::database::{Database, DatabaseError, Durability};
use crate::error::ServiceError;
use crate::state_machine::{StateMachine, StateMachineConfig};

/// Largest request body accepted (SWF's request size limit).
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How the service is run. [`LocalSwfConfig::new`] gives the defaults named below.
#[derive(Debug, Clone)]
pub struct LocalSwfConfig {
    /// Address to listen on; port 0 picks a free port. Default: `127.0.0.1:0`.
    pub listen: SocketAddr,
    /// The SQLite file, created with the schema if it does not exist. No default.
    pub database: PathBuf,
    /// How long an empty poll is held before it answers empty. Default: 60 s, as SWF.
    pub poll_hold: Duration,
    /// Credentials requests must be signed with; `None` accepts any signature (and unsigned
    /// requests). Default: access key `local`, secret `local`.
    pub verifier: Option<Verifier>,
    /// Region used in ARNs. Default: `us-east-1`.
    pub region: String,
    /// Account id used in ARNs. Default: `000000000000`.
    pub account_id: String,
    /// Whether commits wait for the disk. Default: [`Durability::Full`].
    pub durability: Durability,
    /// Treat an activity heartbeat timeout that neither the decision nor the type gives as
    /// `NONE` instead of failing the decision with DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED.
    /// Default: `false` (SWF's behaviour).
    pub lenient_heartbeat_timeout: bool,
    /// Serve the web console under `/console`. The console checks no signature: whoever
    /// reaches the port can start, signal and terminate runs. Default: `true` (the default
    /// listener is loopback).
    pub console: bool,
    /// Skip time: when no task is in flight or about to be handed out, the service's clock
    /// jumps to the next timer or timeout (see [`QUIET_MS`](crate::QUIET_MS) and
    /// [`STALL_MS`](crate::STALL_MS) for what holds it). For tests of workflows that wait
    /// hours or days. Default: `false`.
    pub time_skipping: bool,
}

impl LocalSwfConfig {
    /// Defaults for `database`: loopback on a free port, 60 s polls, signatures checked against
    /// `local`/`local`, us-east-1, durable commits.
    pub fn new(database: PathBuf) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            console: true,
            database,
            poll_hold: Duration::from_secs(swf_model::LONG_POLL_SECS),
            verifier: Some(Verifier::new("local", "local")),
            region: "us-east-1".into(),
            account_id: "000000000000".into(),
            durability: Durability::Full,
            lenient_heartbeat_timeout: false,
            time_skipping: false,
        }
    }
}

/// Why the service could not start. Nothing is left running when [`LocalSwf::start`] fails.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The database could not be opened: SQLite failed, or the file belongs to another schema
    /// version or to something else than local-swf (it is then left untouched).
    #[error(transparent)]
    Database(#[from] DatabaseError),
    /// Loading the open runs failed.
    #[error("loading the open runs from {path}: {source}")]
    Load {
        /// The database file.
        path: String,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
}

/// A running service.
pub struct LocalSwf {
    addr: SocketAddr,
    state: Arc<AppState>,
    shutdown: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
    committer: tokio::task::JoinHandle<()>,
    open_runs: usize,
}

struct AppState {
    shared: Arc<Shared>,
    verifier: Option<Verifier>,
}

impl LocalSwf {
    /// Opens the database (loading every open run, so a restart continues them), binds the
    /// listener and starts serving, together with the timer task that fires timeouts and
    /// timers. Must be called inside a Tokio runtime.
    ///
    /// # Errors
    ///
    /// [`StartError::Database`] if the file cannot be opened or is not a local-swf database of
    /// this schema version, [`StartError::Load`] if its open runs cannot be read back, and
    /// [`StartError::Bind`] if the address cannot be listened on.
    pub async fn start(config: LocalSwfConfig) -> Result<LocalSwf, StartError> {
        let db = Database::open(&config.database, config.durability)?;
        let machine = StateMachine::new(
            db,
            StateMachineConfig {
                region: config.region.clone(),
                account_id: config.account_id.clone(),
                lenient_heartbeat_timeout: config.lenient_heartbeat_timeout,
            },
        )
        .map_err(|source| StartError::Load {
            path: config.database.display().to_string(),
            source,
        })?;
        let open_runs = machine.open_run_count();
        let commits = machine.commits();
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| StartError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
        let state = Arc::new(AppState {
            shared: Arc::new(Shared {
                machine: Arc::new(Mutex::new(machine)),
                commits,
                poll_hold: config.poll_hold,
                deadlines_changed: tokio::sync::Notify::new(),
                closing: Default::default(),
            }),
            verifier: config.verifier,
        });
        let (shutdown, mut stop) = watch::channel(false);
        let committer = tokio::spawn(commit_applied(state.shared.clone()));
        tokio::spawn(fire_deadlines(
            state.clone(),
            config.time_skipping,
            shutdown.subscribe(),
        ));
        let mut app = Router::new()
            .route("/", axum::routing::post(handle))
            .with_state(state.clone());
        if config.console {
            app = app.merge(crate::console::router(state.shared.clone()));
        }
        let server = tokio::spawn(async move {
            let stopped = async move {
                let _ = stop.wait_for(|stop| *stop).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await
            {
                tracing::error!("local-swf server failed: {e}");
            }
        });
        Ok(LocalSwf {
            addr,
            state,
            shutdown,
            server,
            committer,
            open_runs,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The endpoint URL for clients.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The service's clock, epoch ms: the real clock, plus what time skipping skipped.
    pub fn now_ms(&self) -> i64 {
        self.machine().now_ms()
    }

    /// Makes time skipping stop at `at_ms` (the service's clock, epoch ms) until
    /// [`LocalSwf::release_clock`]: for a driver that must act at that time (signal a run 30
    /// hours in). Holds do nothing without time skipping.
    pub fn hold_clock_at(&self, at_ms: i64) {
        self.machine().hold_clock_at(at_ms);
    }

    /// Releases a hold of [`LocalSwf::hold_clock_at`].
    pub fn release_clock(&self, at_ms: i64) {
        self.machine().release_clock(at_ms);
    }

    fn machine(&self) -> std::sync::MutexGuard<'_, StateMachine> {
        // A panic inside the state machine is undone there: a poisoned lock still guards
        // consistent state.
        self.state
            .shared
            .machine
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many transactions were applied and how many commits wrote them so far.
    pub fn commit_stats(&self) -> CommitStats {
        self.state.shared.commits.stats()
    }

    /// How many open runs were loaded from the database at start.
    pub fn open_runs_at_start(&self) -> usize {
        self.open_runs
    }

    /// Stops accepting requests, answers held polls empty, waits for the requests in flight,
    /// and commits what they applied.
    pub async fn stop(self) {
        self.state.shared.close();
        let _ = self.shutdown.send(true);
        let _ = self.server.await;
        self.committer.abort();
        // The timer task may have fired deadlines after the last commit.
        self.state.shared.commit_applied();
    }
}

/// The commit task: whenever a transaction was applied, commits every transaction applied so
/// far as one group. It first lets the calls that are ready to run (their requests already
/// read) apply theirs, so they join the group: under load, one commit serves many calls.
async fn commit_applied(shared: Arc<Shared>) {
    loop {
        shared.commits.wait_pending().await;
        tokio::task::yield_now().await;
        shared.commit_applied();
    }
}

/// How often the timer task looks for a chance to skip time, when time skipping is on.
const SKIP_CHECK: Duration = Duration::from_millis(50);

/// The timer task: sleeps until the earliest deadline (or until a call may have changed it) and
/// fires what is due; with `time_skipping`, also moves the clock to the next deadline whenever
/// nothing holds it.
async fn fire_deadlines(
    state: Arc<AppState>,
    time_skipping: bool,
    mut stop: watch::Receiver<bool>,
) {
    // Calls wake this task (a call may change the earliest deadline); the skip check keeps its
    // own schedule, so a stream of calls cannot postpone it forever.
    let mut skip_check = tokio::time::Instant::now() + SKIP_CHECK;
    loop {
        let (next, now) = state
            .shared
            .machine
            .lock()
            .map(|mut m| (m.next_deadline_ms(), m.now_ms()))
            .unwrap_or((None, 0));
        let wait = next.map_or(Duration::from_secs(60), |at| {
            Duration::from_millis((at - now).clamp(0, 60_000) as u64)
        });
        let mut wake = tokio::time::Instant::now() + wait;
        if time_skipping {
            wake = wake.min(skip_check);
        }
        tokio::select! {
            _ = tokio::time::sleep_until(wake) => {
                let fired = {
                    let mut machine = state.shared.machine.lock().unwrap_or_else(|p| p.into_inner());
                    if time_skipping && tokio::time::Instant::now() >= skip_check {
                        skip_check = tokio::time::Instant::now() + SKIP_CHECK;
                        let skipped = machine.skip_to_next_deadline();
                        if skipped > 0 {
                            tracing::debug!(skipped_ms = skipped, "time skipped to the next deadline");
                        }
                    }
                    machine.fire_due()
                };
                if let Err(e) = fired {
                    tracing::error!("firing deadlines failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            _ = state.shared.deadlines_changed.notified() => {}
            _ = stop.changed() => return,
        }
    }
}

async fn handle(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> Response {
    let request_id = request_id();
    let result = answer(&state, &headers, body).await;
    let mut response = match result {
        Ok(Some(json)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/x-amz-json-1.0")],
            json,
        )
            .into_response(),
        Ok(None) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/x-amz-json-1.0")],
            "",
        )
            .into_response(),
        Err(e) => {
            tracing::debug!("answering {}: {}", e.kind, e.message);
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            let mut response = (
                status,
                [(header::CONTENT_TYPE, "application/x-amz-json-1.0")],
                e.body(),
            )
                .into_response();
            if let Ok(value) = HeaderValue::from_str(e.kind.name()) {
                response.headers_mut().insert("x-amzn-errortype", value);
            }
            response
        }
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-amzn-requestid", value);
    }
    response
}

async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<Option<String>, ServiceError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(length) = declared.filter(|l| *l > MAX_BODY_BYTES) {
        return Err(too_large(length));
    }
    let body: Bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| too_large(MAX_BODY_BYTES + 1))?;
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let action = Action::from_target(target).ok_or_else(|| {
        ServiceError::new(
            FaultKind::UnknownOperationException,
            format!("Unknown operation: X-Amz-Target {target:?} is not an SWF action"),
        )
    })?;
    if let Some(verifier) = &state.verifier {
        verifier.verify(headers, &body)?;
    }
    // An empty body is an input with no members; anything else must be a JSON object, which
    // the action parses once into its input type.
    let body: &[u8] = match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => b"{}",
        Some(b'{') => &body,
        Some(_) => {
            return Err(ServiceError::new(
                FaultKind::SerializationException,
                "Request body must be a JSON object",
            ));
        }
    };
    api::call(&state.shared, action, body).await
}

fn too_large(length: usize) -> ServiceError {
    ServiceError::too_large(format!(
        "Request body of {length} bytes exceeds the {MAX_BODY_BYTES}-byte (1 MB) limit"
    ))
}

/// A request id in UUID shape: a random part drawn once per process, then a counter, so ids
/// are unique without drawing random bytes per request.
fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static PROCESS: OnceLock<u64> = OnceLock::new();
    let process = *PROCESS.get_or_init(rand::random);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        process >> 32,
        (process >> 16) & 0xffff,
        process & 0xffff,
        (n >> 48) & 0xffff,
        n & 0xffff_ffff_ffff
    )
}
