//! Testing workflows in milliseconds: a scenario ([`Scenario`]) runs its decider, its activity
//! plugins and its stubbed activities on an in-process local SWF with time skipping, sends its
//! signals at their times on the service's clock, and is judged against its expectations
//! ([`Verdict`]). `swfwasm test` runs scenario files; Rust authors call [`run_scenario`] from a
//! `#[tokio::test]` and assert on the typed history.
//!
//! How a run goes: a fresh service on a temporary SQLite file (removed afterwards), listening
//! on loopback; the domain `swfwasm-test` and every type the plugins declare and the stubs name
//! are registered; a worker serves the plugins, a poller answers the stubbed activities; the
//! run starts, each signal waits for its time (the clock is held there so skipping does not
//! jump past it); the run's close (or the wall-clock timeout) ends it, and the history is
//! checked.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use swfwasm::runtime::{PluginRuntime, RuntimeConfig};
//! use swfwasm::testing::{Scenario, run_scenario};
//!
//! let runtime = Arc::new(PluginRuntime::new(RuntimeConfig::default())?);
//! let scenario = Scenario::load("plugins/reminder/scenarios/paid-after-30h.toml".as_ref())?;
//! let verdict = run_scenario(runtime, &scenario).await?;
//! assert!(verdict.passed(), "{}", verdict.report());
//! # Ok(()) }
//! ```

mod scenario;
mod stubs;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use local_swf::{LocalSwf, LocalSwfConfig};
use swf_model::{
    EventAttributes, HistoryEvent, SignalWorkflowExecutionInput, StartWorkflowExecutionInput,
    WorkflowExecution, WorkflowType,
};

pub use scenario::{Close, Expect, Scenario, ScenarioError, ScheduledSignal, StubOutcome};
pub use stubs::STUB_TASK_LIST;

use crate::runtime::{LoadError, PluginRuntime, PluginTypes};
use crate::swf::{SwfClient, SwfError};
use crate::worker::registration;
use crate::worker::{PluginSet, Shutdown, Worker, WorkerConfig, WorkerError};

/// The domain scenarios run in.
pub const DOMAIN: &str = "swfwasm-test";

/// What came of a scenario.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Verdict {
    /// The scenario's name.
    pub name: String,
    /// Each expectation that was not met, as a sentence; empty when it passed.
    pub failures: Vec<String>,
    /// The run's history.
    pub history: Vec<HistoryEvent>,
    /// Wall-clock time the run took.
    pub wall: Duration,
    /// Time on the service's clock from the start to the last event, seconds.
    pub virtual_secs: f64,
}

impl Verdict {
    /// Whether every expectation was met.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// A readable account: the verdict line, and for a failed scenario each unmet
    /// expectation and the history (event id, time after the start, type, attributes).
    pub fn report(&self) -> String {
        let mut out = format!(
            "{} {}: {:.2} s of wall time, {} on the service's clock",
            if self.passed() { "PASS" } else { "FAIL" },
            self.name,
            self.wall.as_secs_f64(),
            virtual_span(self.virtual_secs)
        );
        if self.passed() {
            return out;
        }
        for failure in &self.failures {
            let _ = write!(out, "\n  expected {failure}");
        }
        out.push_str("\n  history:");
        let start = self.history.first().map_or(0.0, |e| e.event_timestamp);
        for event in &self.history {
            let attributes = serde_json::to_value(event)
                .ok()
                .and_then(|v| {
                    v.as_object()?
                        .iter()
                        .find(|(k, _)| k.ends_with("EventAttributes"))
                        .map(|(_, a)| a.to_string())
                })
                .unwrap_or_default();
            let _ = write!(
                out,
                "\n    {:>4} {:>12} {:<42} {}",
                event.event_id,
                format!("+{:.0} s", event.event_timestamp - start),
                event.event_type(),
                swf_model::truncate_chars(&attributes, 160)
            );
        }
        out
    }
}

fn virtual_span(secs: f64) -> String {
    if secs >= 86_400.0 {
        format!("{:.1} days", secs / 86_400.0)
    } else if secs >= 3_600.0 {
        format!("{:.1} h", secs / 3_600.0)
    } else {
        format!("{secs:.1} s")
    }
}

/// Why a scenario could not be run at all (its verdict is about the workflow, this about the
/// setup).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestError {
    /// The scenario file is unusable.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// An artifact cannot be loaded.
    #[error("{name}: cannot load {}: {source}", path.display())]
    Load {
        /// The scenario.
        name: String,
        /// The artifact.
        path: PathBuf,
        /// Why (boxed: a load error is large).
        source: Box<LoadError>,
    },
    /// The decider does not declare the workflow type.
    #[error("{name}: {decider} declares no workflow type {workflow}{}", version.as_deref().map(|v| format!(" {v}")).unwrap_or_default())]
    Undeclared {
        /// The scenario.
        name: String,
        /// The decider artifact.
        decider: String,
        /// The type's name.
        workflow: String,
        /// The type's version, if the scenario names one.
        version: Option<String>,
    },
    /// The in-process service did not start, or a file of it could not be made.
    #[error("{name}: the local SWF service: {message}")]
    Service {
        /// The scenario.
        name: String,
        /// What failed.
        message: String,
    },
    /// A call to the service failed.
    #[error("{name}: {source}")]
    Swf {
        /// The scenario.
        name: String,
        /// The call's error.
        source: SwfError,
    },
    /// The worker stopped itself (sticky verification found a difference).
    #[error("{name}: {source}")]
    Worker {
        /// The scenario.
        name: String,
        /// Why.
        source: WorkerError,
    },
}

/// Runs `scenario` (see the module docs) and judges it.
///
/// # Errors
///
/// [`TestError`] when the scenario cannot be run: an artifact that does not load, a decider
/// that does not declare the workflow, a service that does not start or answer. A run that
/// does not close in time is a failed [`Verdict`], not an error.
pub async fn run_scenario(
    runtime: Arc<PluginRuntime>,
    scenario: &Scenario,
) -> Result<Verdict, TestError> {
    let name = scenario.name.clone();
    let dir = scratch_dir(&name)?;
    let result = run_in(runtime, scenario, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn scratch_dir(name: &str) -> Result<PathBuf, TestError> {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("swfwasm-test-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| TestError::Service {
        name: name.to_owned(),
        message: format!("cannot create {}: {e}", dir.display()),
    })?;
    Ok(dir)
}

async fn run_in(
    runtime: Arc<PluginRuntime>,
    scenario: &Scenario,
    dir: &std::path::Path,
) -> Result<Verdict, TestError> {
    let name = &scenario.name;
    let swf = |source| TestError::Swf {
        name: name.clone(),
        source,
    };
    let mut plugins = PluginSet::default();
    for path in std::iter::once(&scenario.decider).chain(&scenario.activities) {
        let plugin = runtime
            .load_file(path)
            .await
            .map_err(|source| TestError::Load {
                name: name.clone(),
                path: path.clone(),
                source: Box::new(source),
            })?;
        plugins.insert(plugin);
    }
    let version = declared_version(scenario, &plugins)?;

    let mut config = LocalSwfConfig::new(dir.join("local-swf.sqlite"));
    config.time_skipping = true;
    config.poll_hold = Duration::from_secs(1);
    config.console = false;
    let service = Arc::new(
        LocalSwf::start(config)
            .await
            .map_err(|e| TestError::Service {
                name: name.clone(),
                message: e.to_string(),
            })?,
    );
    let client =
        SwfClient::with_static_credentials(service.endpoint(), "us-east-1", "local", "local", None)
            .map_err(swf)?;
    let shutdown = Shutdown::new();
    let mut tasks = Vec::new();
    let mut served = None;
    let outcome = async {
        registration::register_domain(&client, DOMAIN, 1)
            .await
            .map_err(swf)?;
        for plugin in plugins.plugins() {
            registration::register_types(&client, DOMAIN, &plugin)
                .await
                .map_err(swf)?;
        }
        stubs::register(&client, DOMAIN, &scenario.stubs)
            .await
            .map_err(swf)?;
        tasks.push(tokio::spawn(stubs::serve(
            client.clone(),
            service.clone(),
            DOMAIN.to_owned(),
            scenario.stubs.clone(),
            shutdown.clone(),
        )));
        let mut worker_config = WorkerConfig::new(DOMAIN);
        worker_config.endpoint = Some(service.endpoint());
        worker_config.heartbeat_interval_ms = 200;
        let worker = Worker::new(client.clone(), runtime, plugins, worker_config);
        served = Some(tokio::spawn(worker.serve(shutdown.clone())));
        drive(&client, &service, scenario, version, &shutdown).await
    }
    .await;
    shutdown.trigger();
    for task in tasks {
        let _ = task.await;
    }
    let outcome = match served {
        Some(served) => match served.await {
            Ok(Err(source)) => Err(TestError::Worker {
                name: name.clone(),
                source,
            }),
            _ => outcome,
        },
        None => outcome,
    };
    // The stub poller, the last other owner, has returned.
    if let Ok(service) = Arc::try_unwrap(service) {
        service.stop().await;
    }
    outcome
}

/// The version of the scenario's workflow type: its own, else the one the decider declares.
fn declared_version(scenario: &Scenario, plugins: &PluginSet) -> Result<String, TestError> {
    let declared: Vec<String> = plugins
        .plugins()
        .iter()
        .filter_map(|p| match p.types() {
            PluginTypes::Workflows(types) => Some(
                types
                    .iter()
                    .filter(|t| t.name == scenario.workflow)
                    .map(|t| t.version.clone())
                    .collect::<Vec<_>>(),
            ),
            PluginTypes::Activities(_) => None,
        })
        .flatten()
        .collect();
    let found = match &scenario.version {
        Some(version) => declared.contains(version).then(|| version.clone()),
        None => declared.first().cloned(),
    };
    found.ok_or_else(|| TestError::Undeclared {
        name: scenario.name.clone(),
        decider: scenario.decider.display().to_string(),
        workflow: scenario.workflow.clone(),
        version: scenario.version.clone(),
    })
}

/// Starts the run, sends its signals on time, waits for its close and judges it.
async fn drive(
    client: &SwfClient,
    service: &LocalSwf,
    scenario: &Scenario,
    version: String,
    shutdown: &Shutdown,
) -> Result<Verdict, TestError> {
    let swf = |source| TestError::Swf {
        name: scenario.name.clone(),
        source,
    };
    let began = Instant::now();
    let deadline = began + Duration::from_secs(scenario.timeout_secs);
    let mut signals = scenario.signals.clone();
    signals.sort_by_key(|s| s.at_secs);
    let start_ms = service.now_ms();
    let at = |signal: &ScheduledSignal| start_ms + signal.at_secs as i64 * 1000;
    for signal in &signals {
        service.hold_clock_at(at(signal));
    }
    let workflow_id = format!("scenario-{}", scenario.name);
    let run_id = client
        .start_workflow_execution(&StartWorkflowExecutionInput {
            domain: DOMAIN.to_owned(),
            workflow_id: workflow_id.clone(),
            workflow_type: WorkflowType::new(scenario.workflow.clone(), version),
            input: scenario.input.clone(),
            ..Default::default()
        })
        .await
        .map_err(swf)?;
    let execution = WorkflowExecution {
        workflow_id: workflow_id.clone(),
        run_id,
    };
    let mut closed = false;
    for signal in &signals {
        tokio::select! {
            () = stubs::wait_until(service, at(signal), shutdown) => {}
            () = tokio::time::sleep_until(deadline.into()) => break,
        }
        closed = is_closed(client, &execution).await.map_err(swf)?;
        if closed {
            break;
        }
        client
            .signal_workflow_execution(&SignalWorkflowExecutionInput {
                domain: DOMAIN.to_owned(),
                workflow_id: workflow_id.clone(),
                run_id: Some(execution.run_id.clone()),
                signal_name: signal.name.clone(),
                input: signal.input.clone(),
            })
            .await
            .map_err(swf)?;
    }
    for signal in &signals {
        service.release_clock(at(signal));
    }
    while !closed && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        closed = is_closed(client, &execution).await.map_err(swf)?;
    }
    let history = client
        .get_workflow_execution_history(DOMAIN, &execution)
        .await
        .map_err(swf)?;
    let mut failures = judge(&scenario.expect, &history);
    if !closed {
        failures.insert(
            0,
            format!(
                "the run to close within {} s of wall time; it is still open",
                scenario.timeout_secs
            ),
        );
    }
    let virtual_secs = match (history.first(), history.last()) {
        (Some(first), Some(last)) => last.event_timestamp - first.event_timestamp,
        _ => 0.0,
    };
    Ok(Verdict {
        name: scenario.name.clone(),
        failures,
        history,
        wall: began.elapsed(),
        virtual_secs,
    })
}

async fn is_closed(client: &SwfClient, execution: &WorkflowExecution) -> Result<bool, SwfError> {
    let described = client
        .describe_workflow_execution(DOMAIN, execution)
        .await?;
    Ok(described.execution_info.close_status.is_some())
}

/// The expectations `history` does not meet, as sentences.
fn judge(expect: &Expect, history: &[HistoryEvent]) -> Vec<String> {
    let mut failures = Vec::new();
    let closing = history.iter().rev().find_map(|e| closing_of(&e.attributes));
    if let Some(close) = expect.close {
        let got = closing.as_ref().map(|c| c.status.clone());
        if got != Some(close.status()) {
            failures.push(format!(
                "close {}, got {}",
                close.name(),
                closing
                    .as_ref()
                    .map_or("no close".to_owned(), |c| c.describe())
            ));
        }
    }
    let field = |what: &str, want: &Option<String>, got: Option<&Option<String>>| {
        let got = got.cloned().flatten();
        match want {
            Some(want) if got.as_deref() != Some(want.as_str()) => {
                Some(format!("{what} {want:?}, got {got:?}"))
            }
            _ => None,
        }
    };
    failures.extend(field(
        "result",
        &expect.result,
        closing.as_ref().map(|c| &c.result),
    ));
    failures.extend(field(
        "reason",
        &expect.reason,
        closing.as_ref().map(|c| &c.reason),
    ));
    failures.extend(field(
        "details",
        &expect.details,
        closing.as_ref().map(|c| &c.details),
    ));
    if let Some(want) = &expect.activities {
        let got: Vec<String> = history
            .iter()
            .filter_map(|e| match &e.attributes {
                EventAttributes::ActivityTaskScheduled(a) => Some(a.activity_type.name.clone()),
                _ => None,
            })
            .collect();
        if &got != want {
            failures.push(format!("activities {want:?}, got {got:?}"));
        }
    }
    if let Some(want) = &expect.timers_fired_at_secs {
        let start = history.first().map_or(0.0, |e| e.event_timestamp);
        let got: Vec<f64> = history
            .iter()
            .filter(|e| matches!(e.attributes, EventAttributes::TimerFired(_)))
            .map(|e| e.event_timestamp - start)
            .collect();
        let within = got.len() == want.len()
            && got
                .iter()
                .zip(want)
                .all(|(got, want)| (*want as f64..*want as f64 + 60.0).contains(got));
        if !within {
            failures.push(format!(
                "timers to fire at {want:?} s after the start (each within a minute), got {:?}",
                got.iter().map(|s| s.round() as i64).collect::<Vec<_>>()
            ));
        }
    }
    failures
}

/// How a run closed, from its closing event.
struct Closing {
    status: swf_model::CloseStatus,
    result: Option<String>,
    reason: Option<String>,
    details: Option<String>,
}

impl Closing {
    fn describe(&self) -> String {
        let mut text = self.status.as_str().to_lowercase();
        for value in [&self.result, &self.reason, &self.details]
            .into_iter()
            .flatten()
        {
            let _ = write!(text, " {value:?}");
        }
        text
    }
}

fn closing_of(attributes: &EventAttributes) -> Option<Closing> {
    use swf_model::CloseStatus as S;
    let closing = |status, result, reason, details| Closing {
        status,
        result,
        reason,
        details,
    };
    Some(match attributes {
        EventAttributes::WorkflowExecutionCompleted(a) => {
            closing(S::Completed, a.result.clone(), None, None)
        }
        EventAttributes::WorkflowExecutionFailed(a) => {
            closing(S::Failed, None, a.reason.clone(), a.details.clone())
        }
        EventAttributes::WorkflowExecutionCanceled(a) => {
            closing(S::Canceled, None, None, a.details.clone())
        }
        EventAttributes::WorkflowExecutionTimedOut(_) => closing(S::TimedOut, None, None, None),
        EventAttributes::WorkflowExecutionTerminated(a) => {
            closing(S::Terminated, None, a.reason.clone(), a.details.clone())
        }
        EventAttributes::WorkflowExecutionContinuedAsNew(a) => {
            closing(S::ContinuedAsNew, None, None, a.input.clone())
        }
        _ => return None,
    })
}
