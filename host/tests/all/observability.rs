//! Issue 13 (the worker's part): `/metrics` after real work, parsed as Prometheus text, and
//! `/readyz` before the plugins load, while polling works, and once the endpoint is dead.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

use crate::common::{Running, local_swf, moto, plugin, succeeded as ok, swfwasm_in, wait_until};
use local_swf::LocalSwf;
use prometheus_parse::{Sample, Scrape, Value};
use serde_json::Value as Json;

/// `GET path` on 127.0.0.1:port: the status code and body, if anything answered.
pub(crate) fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.get(9..12)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}

pub(crate) struct Node {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) port: u16,
}

impl Node {
    pub(crate) fn new(endpoint: &str, plugins: &[PathBuf], extra: &str) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let port = moto::free_port();
        let plugins: Vec<String> = plugins.iter().map(|p| format!("{p:?}")).collect();
        std::fs::write(
            dir.path().join("worker.toml"),
            format!(
                "domain = \"observed\"\nendpoint = \"{endpoint}\"\nregion = \"us-east-1\"\n\
                 metrics_addr = \"127.0.0.1:{port}\"\nplugins = [{}]\n{extra}",
                plugins.join(", ")
            ),
        )
        .unwrap();
        Node { dir, port }
    }

    pub(crate) fn swfwasm(&self, args: &[&str]) -> Output {
        swfwasm_in(self.dir.path())
            .arg("--config")
            .arg(self.dir.path().join("worker.toml"))
            .args(args)
            .output()
            .unwrap()
    }

    pub(crate) fn worker(&self) -> Running {
        let mut command = swfwasm_in(self.dir.path());
        command
            .arg("--config")
            .arg(self.dir.path().join("worker.toml"))
            .arg("run");
        Running::spawn(&mut command, &self.log())
    }

    pub(crate) fn log(&self) -> PathBuf {
        self.dir.path().join("worker.log")
    }

    /// Starts version 1.0 of `workflow_type` and waits until its run closes with `closing`.
    pub(crate) fn run(&self, workflow_type: &str, workflow_id: &str, input: &str, closing: &str) {
        ok(
            self.swfwasm(&[
                "start",
                workflow_type,
                "--version",
                "1.0",
                "--workflow-id",
                workflow_id,
                "--input",
                input,
            ]),
            "start",
        );
        wait_until(&format!("{workflow_id}: {closing}"), &self.log(), || {
            let text = ok(self.swfwasm(&["history", workflow_id, "--json"]), "history");
            let events: Vec<Json> = serde_json::from_str(&text).unwrap();
            events.iter().any(|e| e["eventType"] == closing)
        });
    }

    pub(crate) fn scrape(&self) -> Vec<Sample> {
        let (status, body) = get(self.port, "/metrics").expect("the metrics endpoint answers");
        assert_eq!(status, 200, "{body}");
        Scrape::parse(body.lines().map(|l| Ok(l.to_owned())))
            .expect("Prometheus text")
            .samples
    }
}

/// The value of the sample named `name` whose labels include `labels`, summed over the rest.
pub(crate) fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match &s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
            Value::Histogram(buckets) => buckets.last().map_or(0.0, |b| b.count),
            Value::Summary(_) => 0.0,
        })
        .sum()
}

fn short_digest(name: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(plugin(name)).unwrap()))[..12].to_owned()
}

#[test]
fn metrics_count_polls_tasks_guest_calls_and_a_hostile_deadline() {
    // `swfwasm dev` on a directory of the four plugins, its worker's metrics on a port of the
    // test's choosing; workflows are started against its SWF endpoint.
    let plugins_dir = tempfile::tempdir().unwrap();
    for name in [
        "hello-decider",
        "hello-activity",
        "steer-decider",
        "hostile-activity",
    ] {
        std::fs::copy(
            plugin(name),
            plugins_dir.path().join(format!("{name}.wasm")),
        )
        .unwrap();
    }
    let placeholder = Node::new("http://127.0.0.1:1", &[], "");
    let log = placeholder.log();
    let mut command = swfwasm_in(placeholder.dir.path());
    command
        .args(["dev", "--plugins"])
        .arg(plugins_dir.path())
        .arg("--data-dir")
        .arg(placeholder.dir.path().join("data"))
        .args(["--domain", "observed", "--access-key-id", "AKIDEXAMPLE"])
        .args(["--secret-access-key", "secret", "--metrics-addr"])
        .arg(format!("127.0.0.1:{}", placeholder.port));
    let _dev = Running::spawn(&mut command, &log);
    let mut endpoint = String::new();
    wait_until("the dev endpoint", &log, || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let found = text
            .lines()
            .find_map(|l| l.strip_prefix("SWF endpoint: "))
            .map(str::to_owned);
        endpoint = found.unwrap_or_default();
        !endpoint.is_empty()
    });
    // The CLI's configuration names dev's endpoint; the worker is dev's own.
    let node = Node {
        dir: placeholder.dir,
        port: placeholder.port,
    };
    std::fs::write(
        node.dir.path().join("worker.toml"),
        format!("domain = \"observed\"\nendpoint = \"{endpoint}\"\nregion = \"us-east-1\"\n"),
    )
    .unwrap();
    node.run(
        "HelloWorkflow",
        "hello",
        "\"metrics\"",
        "WorkflowExecutionCompleted",
    );
    node.run("Steer", "failing", "fail-long", "WorkflowExecutionFailed");
    node.run("Steer", "looping", "loop", "WorkflowExecutionFailed");

    let samples = node.scrape();
    let hello = short_digest("hello-decider");
    let decisions = [
        ("kind", "decision"),
        ("type", "HelloWorkflow"),
        ("version", "1.0"),
        ("digest", hello.as_str()),
    ];
    let completed = [&decisions[..], &[("outcome", "completed")]].concat();
    assert_eq!(value(&samples, "swfwasm_tasks_total", &completed), 2.0);
    let greeted = [("type", "HelloWorld"), ("outcome", "completed")];
    assert_eq!(value(&samples, "swfwasm_tasks_total", &greeted), 1.0);
    let steer = [("kind", "activity"), ("type", "Steerable")];
    let failed = [&steer[..], &[("outcome", "failed")]].concat();
    // fail-long fails; loop is stopped at its 2 s deadline and reported failed too.
    assert_eq!(value(&samples, "swfwasm_tasks_total", &failed), 2.0);
    let deadline = [("export", "execute"), ("cause", "deadline")];
    assert_eq!(
        value(&samples, "swfwasm_sandbox_errors_total", &deadline),
        1.0
    );
    let instantiated = [("export", "decide"), ("phase", "instantiate")];
    assert!(value(&samples, "swfwasm_guest_seconds", &instantiated) >= 6.0);
    let called = [("export", "execute"), ("phase", "call")];
    assert!(value(&samples, "swfwasm_guest_seconds", &called) >= 3.0);
    assert!(value(&samples, "swfwasm_polls_total", &[("outcome", "task")]) >= 9.0);
    assert!(value(&samples, "swfwasm_poll_seconds", &[("kind", "activity")]) >= 3.0);
    assert_eq!(
        value(
            &samples,
            "swfwasm_plugin_loads_total",
            &[("outcome", "loaded")]
        ),
        4.0
    );
    assert!(value(&samples, "swfwasm_responds_total", &[("outcome", "ok")]) >= 8.0);
    let responded = [
        ("action", "RespondDecisionTaskCompleted"),
        ("outcome", "ok"),
    ];
    assert!(value(&samples, "swfwasm_swf_calls_total", &responded) >= 6.0);
    assert_eq!(value(&samples, "swfwasm_tasks_in_flight", &[]), 0.0);
    assert!(value(&samples, "swfwasm_task_slots", &[]) >= 2.0);
    // No run, workflow or activity id is a label.
    for sample in &samples {
        for key in ["workflow_id", "run_id", "activity_id"] {
            assert!(
                !sample.labels.contains_key(key),
                "{} has {key}",
                sample.metric
            );
        }
    }
}

#[test]
fn readyz_waits_for_the_plugins_and_fails_once_polls_have_failed_past_the_grace() {
    // A source that accepts connections and never answers: the worker stays loading.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let zeros = "0".repeat(64);
    let dir = tempfile::tempdir().unwrap();
    let swf = LocalSwf::start(dir.path(), 1);
    let loading = Node::new(swf.endpoint(), &[], "");
    std::fs::write(
        loading.dir.path().join("worker.toml"),
        std::fs::read_to_string(loading.dir.path().join("worker.toml"))
            .unwrap()
            .replace(
                "plugins = []",
                &format!(
                    "plugins = [\"http://127.0.0.1:{silent_port}/never.wasm#sha256={zeros}\"]"
                ),
            ),
    )
    .unwrap();
    let mut worker = loading.worker();
    wait_until("/healthz", &loading.log(), || {
        get(loading.port, "/healthz").is_some_and(|(status, _)| status == 200)
    });
    let (status, body) = get(loading.port, "/readyz").unwrap();
    assert_eq!(
        (status, body.trim()),
        (503, "not ready: the plugins are not loaded yet")
    );
    worker.stop();
    drop(silent);

    let mut swf = Some(swf);
    let endpoint = swf.as_ref().unwrap().endpoint().to_owned();
    let node = Node::new(
        &endpoint,
        &[plugin("hello-decider"), plugin("hello-activity")],
        "readiness_grace_secs = 1\n",
    );
    ok(node.swfwasm(&["register"]), "register");
    let _worker = node.worker();
    wait_until("ready", &node.log(), || {
        get(node.port, "/readyz").is_some_and(|(status, _)| status == 200)
    });
    // The endpoint dies: within the grace the worker stays ready, after it, not.
    let died = Instant::now();
    swf.take();
    wait_until("unready", &node.log(), || {
        get(node.port, "/readyz").is_some_and(|(status, _)| status == 503)
    });
    assert!(died.elapsed() >= Duration::from_secs(1));
    let (_, body) = get(node.port, "/readyz").unwrap();
    assert!(body.contains("polls have failed"), "{body}");
    assert_eq!(
        get(node.port, "/healthz").unwrap().0,
        200,
        "alive all the same"
    );
}
