//! Helpers shared by the host's integration tests: where the built plugins and the seed's
//! task files are.

pub mod booking;
pub mod browser;
pub mod echo_server;
pub mod fault_proxy;
pub mod http_stub;
pub mod local_swf;
pub mod moto;
pub mod payment;
pub mod registry;
pub mod tinyproxy;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host/ has a parent")
        .to_path_buf()
}

/// A plugin or test fixture built by `scripts/build-plugins`.
pub fn plugin(name: &str) -> PathBuf {
    let file = format!("{name}.wasm");
    let plugins = workspace().join("target/plugins").join(&file);
    let path = if plugins.exists() {
        plugins
    } else {
        workspace().join("target/fixtures").join(&file)
    };
    assert!(
        path.exists(),
        "{} is missing: run scripts/build-plugins (the README's test command does)",
        path.display()
    );
    path
}

/// Starts `binary` with `args`, its standard streams closed (a server a test runs).
pub fn spawn_quiet(binary: &Path, args: &[&std::ffi::OsStr]) -> Child {
    Command::new(binary)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()))
}

/// `swfwasm` run in `dir`, with credentials for a local endpoint, no instance-metadata
/// lookups, and a compile cache inside `dir`.
pub fn swfwasm_in(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_swfwasm"));
    command
        .current_dir(dir)
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("SWFWASM_CACHE_DIR", dir.join("cache"))
        .env("SWFWASM_STICKY_VERIFY", "1")
        .env("RUST_LOG", "info");
    command
}

/// The history of `workflow_id` as `swfwasm history --json` prints it, through `swfwasm` (a
/// command from [`swfwasm_in`] with the configuration's directory).
pub fn history_of(mut swfwasm: Command, workflow_id: &str) -> Vec<serde_json::Value> {
    let text = succeeded(
        swfwasm
            .args(["history", workflow_id, "--json"])
            .output()
            .expect("run swfwasm history"),
        "history",
    );
    serde_json::from_str(&text).expect("the history is JSON")
}

/// The history of `workflow_id` (through `swfwasm()`, a fresh command each poll) once `done`
/// accepts it, polled every `every`; fails after `timeout_secs` with the event types seen and
/// the log `log`.
pub fn history_until(
    swfwasm: impl Fn() -> Command,
    workflow_id: &str,
    timeout_secs: u64,
    every: Duration,
    log: &Path,
    mut done: impl FnMut(&[serde_json::Value]) -> bool,
) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(timeout_secs);
    loop {
        let events = history_of(swfwasm(), workflow_id);
        if done(&events) {
            return events;
        }
        assert!(
            Instant::now() < deadline,
            "{workflow_id}: not there in {timeout_secs} s: {:?}\n{}",
            events
                .iter()
                .map(|e| e["eventType"].clone())
                .collect::<Vec<_>>(),
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(every);
    }
}

/// Whether `events` hold the event that closed their run.
pub fn is_closed(events: &[serde_json::Value]) -> bool {
    events.iter().any(|e| {
        matches!(
            e["eventType"].as_str(),
            Some(
                "WorkflowExecutionCompleted"
                    | "WorkflowExecutionFailed"
                    | "WorkflowExecutionCanceled"
                    | "WorkflowExecutionTimedOut"
                    | "WorkflowExecutionTerminated"
                    | "WorkflowExecutionContinuedAsNew"
            )
        )
    })
}

/// The stdout of a command that must have succeeded; otherwise fails with both streams.
pub fn succeeded(output: Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A file of swf-model's test data (the seed's history and tasks cut from it).
pub fn data(name: &str) -> PathBuf {
    workspace().join("swf-model/tests/data").join(name)
}

/// The event types of the seed's HelloWorld history, in order (11 of them).
pub fn seed_event_types() -> Vec<String> {
    read_json(&data("hello_history.json"))
        .as_array()
        .expect("the seed history is an array")
        .iter()
        .map(|e| e["eventType"].as_str().expect("eventType").to_owned())
        .collect()
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read test data"))
        .expect("test data is JSON")
}

/// Everything the host logs in this test binary. A global subscriber, because tracing caches
/// per-callsite interest across threads, which makes thread-local subscribers miss events when
/// tests run in parallel; tests find their own lines by the unique ids they use.
#[derive(Clone, Default)]
pub struct LogCapture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl LogCapture {
    pub fn global() -> &'static LogCapture {
        static CAPTURE: std::sync::OnceLock<LogCapture> = std::sync::OnceLock::new();
        CAPTURE.get_or_init(|| {
            let capture = LogCapture::default();
            let subscriber = tracing_subscriber::fmt()
                .with_writer(capture.clone())
                .with_ansi(false)
                .with_max_level(tracing::Level::INFO)
                .finish();
            tracing::subscriber::set_global_default(subscriber).expect("first subscriber");
            capture
        })
    }

    /// The lines that mention `needle`.
    pub fn lines_with(&self, needle: &str) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock().unwrap())
            .lines()
            .filter(|l| l.contains(needle))
            .map(str::to_owned)
            .collect()
    }
}

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogCapture {
    type Writer = LogCapture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// A long-running `swfwasm` (a worker) logging to a file; stopped with SIGTERM, and killed if
/// the test fails before stopping it.
pub struct Running(Child);

impl Running {
    pub fn spawn(command: &mut Command, log: &Path) -> Running {
        let log = std::fs::File::create(log).unwrap();
        Running(command.stdout(Stdio::null()).stderr(log).spawn().unwrap())
    }

    /// Whether the process has not exited.
    pub fn is_running(&mut self) -> bool {
        self.0.try_wait().unwrap().is_none()
    }

    /// The exit status, once the process has exited on its own (waits up to 60 s).
    pub fn exited(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the process did not exit");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn stop(&mut self) {
        let pid = self.0.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.0.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "worker {pid} did not stop");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits up to 60 s for `done`; on timeout fails with `log`'s content.
pub fn wait_until(what: &str, log: &Path, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
