//! Capability grants (issue 11): activities in Rust, JavaScript, Python and C reach exactly what
//! the operator grants — outbound hosts (with the SSRF rule and per-task limits), config values
//! from every source, directories — and nothing else; 0.1.0 artifacts keep running; deciders get
//! no I/O. Servers are real and on loopback: a raw HTTP server, moto for Secrets Manager and SSM.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::{LogCapture, data, echo_server, moto, plugin, swfwasm_in, workspace};
use echo_server::EchoServer;
use serde_json::{Value, json};
use swf_model::{ActivityTask, Decision, DecisionTask};
use swfwasm::grant::{CapabilitiesConfig, Grants, ValueStore};
use swfwasm::runtime::{
    ActivityOutcome, Contract, LoadError, NoHeartbeat, Plugin, PluginRuntime, RuntimeConfig,
};
use swfwasm::swf::SwfClient;

/// The probes of /tmp/probe-spec: one per language, same behaviour.
const PROBES: [&str; 3] = [
    "http-probe",
    "js-http-probe-activity",
    "python-http-probe-activity",
];

/// A runtime whose grants are `toml` (the capability sections of `swfwasm.toml`), sharing one
/// compile cache across the tests of this file.
fn runtime_with(toml: &str, aws: Option<SwfClient>) -> PluginRuntime {
    runtime_with_grants(grants(toml, aws))
}

/// The grants of `toml`; AWS-sourced config values are read with `aws`.
fn grants(toml: &str, aws: Option<SwfClient>) -> Grants {
    let config: CapabilitiesConfig = toml::from_str(toml).expect("test grants parse");
    Grants::new(
        &config.grants,
        config.outbound_http.clone(),
        ValueStore::new(config.config_sources.clone(), aws),
    )
    .expect("test grants are valid")
}

fn runtime_with_grants(grants: Grants) -> PluginRuntime {
    PluginRuntime::new(RuntimeConfig {
        cache_dir: Some(workspace().join("target/tmp/capabilities-cache")),
        ..RuntimeConfig::default()
    })
    .expect("runtime")
    .with_grants(grants)
}

fn task(activity_id: &str, input: Value) -> ActivityTask {
    serde_json::from_value(json!({
        "taskToken": "token", "activityId": activity_id, "startedEventId": 6,
        "workflowExecution": {"workflowId": "wf-capabilities", "runId": "run-1"},
        "activityType": {"name": "HttpProbe", "version": "1.0"},
        "input": input.to_string(),
    }))
    .unwrap()
}

async fn execute(
    runtime: &PluginRuntime,
    plugin: &Plugin,
    activity_id: &str,
    input: Value,
    deadline: Duration,
) -> ActivityOutcome {
    runtime
        .execute(
            plugin,
            &task(activity_id, input),
            deadline,
            Arc::new(NoHeartbeat),
        )
        .await
        .unwrap_or_else(|e| panic!("{activity_id}: host error {e}"))
}

fn completed(outcome: ActivityOutcome, what: &str) -> Value {
    match outcome {
        ActivityOutcome::Completed(result) => serde_json::from_str(&result).unwrap(),
        other => panic!("{what}: expected a result, got {other:?}"),
    }
}

/// (reason, details) of a failed outcome.
fn failed(outcome: ActivityOutcome, what: &str) -> (String, String) {
    match outcome {
        ActivityOutcome::Failed { reason, details } => (reason, details.unwrap_or_default()),
        other => panic!("{what}: expected a failure, got {other:?}"),
    }
}

fn request(method: &str, url: String, body: Option<&str>) -> Value {
    let mut request = json!({"method": method, "url": url,
        "headers": {"x-probe": "granted", "content-type": "application/json"}});
    if let Some(body) = body {
        request["body"] = json!(body);
    }
    json!({ "request": request })
}

#[tokio::test(flavor = "multi_thread")]
async fn activities_in_rust_js_and_python_call_granted_hosts_only() {
    let logs = LogCapture::global();
    let granted = EchoServer::start().await;
    let other = EchoServer::start().await;
    let runtime = runtime_with(
        &format!(
            "[[grant]]\nplugin = \"HttpProbe\"\nallowed_outbound_hosts = [\"{}\"]\n",
            granted.origin()
        ),
        None,
    );
    for probe in PROBES {
        let plugin = runtime.load_file(&plugin(probe)).await.expect(probe);
        assert_eq!(plugin.contract(), Contract::V0_2);

        let get = completed(
            execute(
                &runtime,
                &plugin,
                &format!("{probe}-get"),
                request("GET", format!("{}/echo?status=200", granted.origin()), None),
                Duration::from_secs(30),
            )
            .await,
            probe,
        );
        assert_eq!(get["status"], 200, "{probe}: {get}");
        assert_eq!(get["headers"]["x-echo"], "yes", "{probe}: {get}");
        let echoed: Value = serde_json::from_str(get["body"].as_str().unwrap()).unwrap();
        assert_eq!(echoed["method"], "GET", "{probe}");
        assert_eq!(echoed["headers"]["x-probe"], "granted", "{probe}");

        let body = r#"{"amount": 42, "note": "café"}"#;
        let post = completed(
            execute(
                &runtime,
                &plugin,
                &format!("{probe}-post"),
                request(
                    "POST",
                    format!("{}/echo?status=201", granted.origin()),
                    Some(body),
                ),
                Duration::from_secs(30),
            )
            .await,
            probe,
        );
        assert_eq!(post["status"], 201, "{probe}: {post}");
        let echoed: Value = serde_json::from_str(post["body"].as_str().unwrap()).unwrap();
        assert_eq!(echoed["method"], "POST", "{probe}");
        assert_eq!(echoed["body"], body, "{probe}");
        assert_eq!(
            echoed["headers"]["content-type"], "application/json",
            "{probe}"
        );

        let denied_id = format!("{probe}-denied");
        let (reason, details) = failed(
            execute(
                &runtime,
                &plugin,
                &denied_id,
                request("GET", format!("{}/echo", other.origin()), None),
                Duration::from_secs(30),
            )
            .await,
            probe,
        );
        assert_eq!(reason, "http-error", "{probe}");
        assert!(
            details.contains(&format!("127.0.0.1:{}", other.port()))
                && details.contains("HTTP-request-denied"),
            "{probe}: {details}"
        );
        let logged = logs.lines_with(&denied_id);
        assert!(
            logged.iter().any(|l| l.contains("outbound request denied")
                && l.contains(&format!("http://127.0.0.1:{}", other.port()))
                && l.contains("no grant allows this host")),
            "{probe}: the denial is logged with the task's ids and the refused origin: {logged:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn wildcards_never_reach_special_addresses() {
    let server = EchoServer::start().await;
    let port = server.port();
    let wildcards = "[[grant]]\nplugin = \"http-probe\"\nallowed_outbound_hosts = [\"https://*\", \"http://*:*\"]\n";
    let runtime = runtime_with(wildcards, None);
    let probe = runtime.load_file(&plugin("http-probe")).await.unwrap();
    let special = [
        format!("http://127.0.0.1:{port}/echo"),
        format!("http://[::1]:{port}/echo"),
        format!("http://localhost:{port}/echo"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "https://169.254.169.254/latest/meta-data/".to_owned(),
        "http://10.0.0.1/".to_owned(),
        "http://[fd00::1]/".to_owned(),
    ];
    for (i, url) in special.iter().enumerate() {
        let (reason, details) = failed(
            execute(
                &runtime,
                &probe,
                &format!("ssrf-{i}"),
                request("GET", url.clone(), None),
                Duration::from_secs(30),
            )
            .await,
            url,
        );
        assert_eq!(reason, "http-error");
        assert!(
            details.contains("destination-IP-prohibited"),
            "{url}: {details}"
        );
    }

    // Named explicitly, the address is reachable; the same server by another name is not.
    let explicit = format!(
        "{wildcards}\n[[grant]]\nplugin = \"http-probe\"\nallowed_outbound_hosts = [\"http://127.0.0.1:{port}\"]\n"
    );
    let runtime = runtime_with(&explicit, None);
    let probe = runtime.load_file(&plugin("http-probe")).await.unwrap();
    let ok = completed(
        execute(
            &runtime,
            &probe,
            "explicit-ip",
            request("GET", format!("http://127.0.0.1:{port}/echo"), None),
            Duration::from_secs(30),
        )
        .await,
        "explicit 127.0.0.1",
    );
    assert_eq!(ok["status"], 200);
    let (_, details) = failed(
        execute(
            &runtime,
            &probe,
            "localhost-not-named",
            request("GET", format!("http://localhost:{port}/echo"), None),
            Duration::from_secs(30),
        )
        .await,
        "localhost",
    );
    assert!(details.contains("destination-IP-prohibited"), "{details}");

    let by_name = format!(
        "[[grant]]\nplugin = \"http-probe\"\nallowed_outbound_hosts = [\"http://localhost:{port}\"]\n"
    );
    let runtime = runtime_with(&by_name, None);
    let probe = runtime.load_file(&plugin("http-probe")).await.unwrap();
    let ok = completed(
        execute(
            &runtime,
            &probe,
            "explicit-localhost",
            request("GET", format!("http://localhost:{port}/echo"), None),
            Duration::from_secs(30),
        )
        .await,
        "explicit localhost",
    );
    assert_eq!(ok["status"], 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn limits_end_requests_with_named_errors_and_the_worker_keeps_serving() {
    let server = EchoServer::start().await;
    let origin = server.origin();
    let runtime = runtime_with(
        &format!(
            "[outbound_http]\nmax_response_body_bytes = 4096\nmax_concurrent_requests = 2\n\
             first_byte_timeout_ms = 60000\n\n\
             [[grant]]\nplugin = \"http-probe\"\nallowed_outbound_hosts = [\"{origin}\"]\n"
        ),
        None,
    );
    let probe = runtime.load_file(&plugin("http-probe")).await.unwrap();

    for (id, url) in [
        ("big-length", format!("{origin}/big?bytes=100000")),
        (
            "big-chunked",
            format!("{origin}/big?bytes=100000&chunked=1"),
        ),
    ] {
        let (reason, details) = failed(
            execute(
                &runtime,
                &probe,
                id,
                request("GET", url, None),
                Duration::from_secs(30),
            )
            .await,
            id,
        );
        assert_eq!(reason, "http-error", "{id}");
        assert!(
            details.contains("HTTP-response-body-size"),
            "{id}: {details}"
        );
    }
    let small = completed(
        execute(
            &runtime,
            &probe,
            "small",
            request("GET", format!("{origin}/big?bytes=4000&chunked=1"), None),
            Duration::from_secs(30),
        )
        .await,
        "under the limit",
    );
    assert_eq!(small["body"].as_str().unwrap().len(), 4000);

    // A server that never answers: the first-byte timeout is clamped to the task's deadline, so
    // the guest still gets a named error before its own deadline.
    let started = Instant::now();
    let deadline = Duration::from_secs(4);
    let (reason, details) = failed(
        execute(
            &runtime,
            &probe,
            "hang",
            request("GET", format!("{origin}/hang"), None),
            deadline,
        )
        .await,
        "hang",
    );
    assert_eq!(reason, "http-error");
    assert!(details.contains("connection-read-timeout"), "{details}");
    assert!(started.elapsed() < deadline, "within the task's deadline");

    let slow = |i: usize| json!({"method": "GET", "url": format!("{origin}/slow?ms=1500&i={i}"), "headers": {}});
    let concurrent = completed(
        execute(
            &runtime,
            &probe,
            "concurrent",
            json!({"concurrent": [slow(1), slow(2), slow(3)]}),
            Duration::from_secs(30),
        )
        .await,
        "concurrent",
    );
    let responses = concurrent["responses"].as_array().unwrap();
    let limited = responses
        .iter()
        .filter(|r| r["error"] == "connection-limit-reached")
        .count();
    let answered = responses.iter().filter(|r| r["status"] == 200).count();
    assert_eq!((answered, limited), (2, 1), "{concurrent}");

    let healthy = completed(
        execute(
            &runtime,
            &probe,
            "healthy",
            request("GET", format!("{origin}/echo"), None),
            Duration::from_secs(30),
        )
        .await,
        "healthy task after the breaches",
    );
    assert_eq!(healthy["status"], 200);
}

/// Creates a secret and a SecureString parameter in moto with the host's own signed client.
async fn seed_moto(moto: &moto::Moto) -> SwfClient {
    let client = SwfClient::with_static_credentials(
        moto.endpoint(),
        "us-east-1",
        "testing",
        "testing",
        None,
    )
    .unwrap();
    let endpoint = moto.endpoint().parse().unwrap();
    client
        .call_json_service(
            "secretsmanager",
            &endpoint,
            "secretsmanager.CreateSecret",
            &json!({"Name": "swfwasm/db-password", "SecretString": "db-Secret-9f8e7d"}),
        )
        .await
        .expect("create secret");
    client
        .call_json_service(
            "ssm",
            &endpoint,
            "AmazonSSM.PutParameter",
            &json!({"Name": "/swfwasm/ssm-value", "Value": "ssm-Secret-1a2b3c", "Type": "SecureString"}),
        )
        .await
        .expect("put parameter");
    client
}

const SECRETS: [&str; 5] = [
    "literal-Secret-5e6f",
    "env-Secret-7a8b",
    "file-Secret-3c4d",
    "db-Secret-9f8e7d",
    "ssm-Secret-1a2b3c",
];

fn config_grants(dir: &Path, moto: &str) -> String {
    std::fs::write(dir.join("value.txt"), "file-Secret-3c4d\n").unwrap();
    format!(
        "domain = \"capabilities\"\nregion = \"us-east-1\"\nendpoint = \"http://127.0.0.1:9\"\nplugins = [{:?}]\n\n\
         [config_sources]\nsecrets_manager_endpoint = \"{moto}\"\nssm_endpoint = \"{moto}\"\n\n\
         [[grant]]\nplugin = \"HttpProbe\"\nconfig = {{ GREETING = \"literal-Secret-5e6f\", \
         API_KEY = {{ env = \"SWFWASM_TEST_API_KEY\" }}, FILE_VALUE = {{ file = \"{}\" }}, \
         DB_PASSWORD = {{ aws_secret = \"swfwasm/db-password\" }}, \
         SSM_VALUE = {{ aws_parameter = \"/swfwasm/ssm-value\" }} }}\n\n\
         [[grant]]\nplugin = \"CConfigProbe\"\nconfig = {{ GREETING = \"literal-Secret-5e6f\" }}\n",
        plugin("http-probe"),
        dir.join("value.txt").display()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn config_values_from_every_source_reach_the_guest_and_no_log() {
    let logs = LogCapture::global();
    let moto = moto::Moto::start(workspace());
    let aws = seed_moto(&moto).await;
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: set before any thread of this test reads the environment; no other test of this
    // binary reads this variable.
    unsafe { std::env::set_var("SWFWASM_TEST_API_KEY", "env-Secret-7a8b") };
    let grants = config_grants(dir.path(), &moto.endpoint());
    let runtime = runtime_with(&grants, Some(aws));
    let keys = [
        "GREETING",
        "API_KEY",
        "FILE_VALUE",
        "DB_PASSWORD",
        "SSM_VALUE",
    ];
    for probe in PROBES {
        let plugin = runtime.load_file(&plugin(probe)).await.expect(probe);
        let result = completed(
            execute(
                &runtime,
                &plugin,
                &format!("{probe}-config"),
                json!({ "config": keys }),
                Duration::from_secs(30),
            )
            .await,
            probe,
        );
        let expected: serde_json::Map<String, Value> = keys
            .iter()
            .zip(SECRETS)
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        assert_eq!(result["config"], Value::Object(expected), "{probe}");

        let (reason, details) = failed(
            execute(
                &runtime,
                &plugin,
                &format!("{probe}-undeclared"),
                json!({ "config": ["NOT_DECLARED"] }),
                Duration::from_secs(30),
            )
            .await,
            probe,
        );
        assert_eq!(reason, "config-error", "{probe}");
        assert!(
            details.contains("NOT_DECLARED") && details.contains("undeclared"),
            "{probe}: {details}"
        );
    }
    // A careless plugin that logs and prints a secret: the host redacts what it logs.
    let rust_probe = runtime.load_file(&plugin("http-probe")).await.unwrap();
    let leaked = completed(
        execute(
            &runtime,
            &rust_probe,
            "leak-config",
            json!({"leak_config": "DB_PASSWORD"}),
            Duration::from_secs(30),
        )
        .await,
        "leak",
    );
    assert_eq!(leaked["leaked"], true);
    let lines = logs.lines_with("DB_PASSWORD");
    assert!(
        lines.iter().filter(|l| l.contains("[redacted]")).count() >= 3,
        "log, stdout and stderr lines are logged redacted: {lines:?}"
    );

    let c_probe = runtime
        .load_file(&plugin("c-config-probe-activity"))
        .await
        .expect("C config probe");
    let result = completed(
        execute(
            &runtime,
            &c_probe,
            "c-config",
            json!({"config": ["GREETING", "API_KEY"]}),
            Duration::from_secs(30),
        )
        .await,
        "C",
    );
    assert_eq!(
        result["config"],
        json!({"GREETING": "literal-Secret-5e6f", "API_KEY": null})
    );

    // The CLI shows keys and sources, never values; its logs neither.
    std::fs::write(dir.path().join("swfwasm.toml"), &grants).unwrap();
    let mut outputs = Vec::new();
    for args in [
        vec![
            "plugin".to_owned(),
            "inspect".to_owned(),
            plugin("http-probe").display().to_string(),
        ],
        vec![
            "plugin".to_owned(),
            "inspect".to_owned(),
            "--json".to_owned(),
            plugin("http-probe").display().to_string(),
        ],
        vec!["plugins".to_owned()],
    ] {
        let output = swfwasm_in(dir.path())
            .env("SWFWASM_TEST_API_KEY", "env-Secret-7a8b")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("RUST_LOG", "debug")
            .args(&args)
            .output()
            .unwrap();
        outputs.push((args, output));
    }
    let task_file = dir.path().join("task.json");
    std::fs::write(
        &task_file,
        serde_json::to_string(&task("cli-config", json!({"config": ["NOT_DECLARED"]}))).unwrap(),
    )
    .unwrap();
    let output = swfwasm_in(dir.path())
        .env("SWFWASM_TEST_API_KEY", "env-Secret-7a8b")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("RUST_LOG", "debug")
        .args(["execute", "--plugin"])
        .arg(plugin("http-probe"))
        .arg("--task")
        .arg(&task_file)
        .output()
        .unwrap();
    outputs.push((vec!["execute".to_owned()], output));
    let inspect = String::from_utf8_lossy(&outputs[0].1.stdout).into_owned();
    let listed = String::from_utf8_lossy(&outputs[2].1.stdout).into_owned();
    assert!(
        listed.contains(
            "granted: hosts []; config keys [API_KEY, DB_PASSWORD, FILE_VALUE, GREETING, SSM_VALUE]"
        ),
        "swfwasm plugins shows what the artifact was granted: {listed}"
    );
    assert!(
        inspect.contains("DB_PASSWORD (aws_secret swfwasm/db-password)")
            && inspect.contains("GREETING (literal)"),
        "inspect shows keys and sources: {inspect}"
    );
    for (args, output) in &outputs {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        for secret in SECRETS {
            assert!(!all.contains(secret), "{args:?} printed a secret:\n{all}");
        }
    }
    for secret in SECRETS {
        assert!(
            logs.lines_with(secret).is_empty(),
            "a log line holds a secret"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_required_grant_keeps_the_artifact_inactive() {
    let runtime = runtime_with("", None);
    match runtime.load_file(&plugin("booking-activities")).await {
        Err(LoadError::Ungranted(why)) => {
            assert!(why.to_string().contains("PAYMENT_URL"), "{why}");
        }
        other => panic!("booking-activities without grants: {other:?}"),
    }
    let runtime = runtime_with(
        "[[grant]]\nplugin = \"booking-activities\"\nconfig = { PAYMENT_URL = \"http://127.0.0.1:9/v1\" }\n",
        None,
    );
    match runtime.load_file(&plugin("booking-activities")).await {
        Err(LoadError::Ungranted(why)) => {
            assert!(why.to_string().contains("PAYMENT_KEY"), "{why}")
        }
        other => panic!("booking-activities without PAYMENT_KEY: {other:?}"),
    }
    let runtime = runtime_with(
        "[[grant]]\nplugin = \"booking-activities\"\nconfig = { PAYMENT_URL = \"http://127.0.0.1:9/v1\", PAYMENT_KEY = \"k\" }\n",
        None,
    );
    match runtime.load_file(&plugin("booking-activities")).await {
        Err(LoadError::Ungranted(why)) => {
            assert!(
                why.to_string().contains("http://127.0.0.1:9"),
                "the host of PAYMENT_URL: {why}"
            )
        }
        other => panic!("booking-activities without its host: {other:?}"),
    }

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("swfwasm.toml"),
        format!(
            "domain = \"d\"\nplugins = [{:?}]\n",
            plugin("booking-activities")
        ),
    )
    .unwrap();
    let output = swfwasm_in(dir.path())
        .args(["plugins"])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("ungranted") && stdout.contains("requires config key PAYMENT_URL"),
        "swfwasm plugins names the missing grant: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn directories_are_granted_read_only_or_read_write() {
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    let rw = dir.path().join("rw");
    std::fs::create_dir_all(&ro).unwrap();
    std::fs::create_dir_all(&rw).unwrap();
    std::fs::write(ro.join("report.txt"), "quarterly").unwrap();
    std::fs::write(dir.path().join("outside.txt"), "private").unwrap();
    let runtime = runtime_with(
        &format!(
            "[[grant]]\nplugin = \"http-probe\"\ndirs = [{{ host = \"{}\", guest = \"/reports\" }}, \
             {{ host = \"{}\", guest = \"/out\", mode = \"read-write\" }}]\n",
            ro.display(),
            rw.display()
        ),
        None,
    );
    let probe = runtime.load_file(&plugin("http-probe")).await.unwrap();
    let run = |id: &'static str, input: Value| {
        let runtime = &runtime;
        let probe = &probe;
        async move { execute(runtime, probe, id, input, Duration::from_secs(30)).await }
    };
    let read = completed(
        run("read", json!({"read_file": "/reports/report.txt"})).await,
        "read",
    );
    assert_eq!(read["contents"], "quarterly");
    let listed = completed(run("list", json!({"list_dir": "/reports"})).await, "list");
    assert_eq!(listed["entries"], json!(["report.txt"]));
    let (reason, _) = failed(
        run(
            "write-ro",
            json!({"write_file": {"path": "/reports/new.txt", "contents": "x"}}),
        )
        .await,
        "write to read-only",
    );
    assert_eq!(reason, "fs-error");
    assert!(!ro.join("new.txt").exists());
    let written = completed(
        run(
            "write-rw",
            json!({"write_file": {"path": "/out/result.txt", "contents": "done"}}),
        )
        .await,
        "write to read-write",
    );
    assert_eq!(written["written"], 4);
    assert_eq!(
        std::fs::read_to_string(rw.join("result.txt")).unwrap(),
        "done"
    );
    for outside in ["/reports/../outside.txt", "/outside.txt", "/etc/hostname"] {
        let (reason, _) = failed(run("outside", json!({"read_file": outside})).await, outside);
        assert_eq!(reason, "fs-error", "{outside}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn contract_0_1_artifacts_run_unchanged_and_deciders_get_no_io() {
    let runtime = runtime_with("", None);
    let frozen =
        |name: &str| -> PathBuf { workspace().join("tests/fixtures/wit-0.1.0").join(name) };
    let activity = runtime
        .load_file(&frozen("c-hello-activity.wasm"))
        .await
        .unwrap();
    assert_eq!(activity.contract(), Contract::V0_1);
    let mut hello = task("saying_hi", json!(null));
    hello.activity_type.name = "HelloWorld".into();
    hello.input = Some("Ada".into());
    let outcome = runtime
        .execute(
            &activity,
            &hello,
            Duration::from_secs(10),
            Arc::new(NoHeartbeat),
        )
        .await
        .unwrap();
    assert_eq!(outcome, ActivityOutcome::Completed("Hello, Ada!".into()));

    let decider = runtime
        .load_file(&frozen("c-hello-decider.wasm"))
        .await
        .unwrap();
    assert_eq!(decider.contract(), Contract::V0_1);
    let decision_task: DecisionTask =
        serde_json::from_str(&std::fs::read_to_string(data("hello_task_after_3.json")).unwrap())
            .unwrap();
    let response = runtime.decide(&decider, &decision_task).await.unwrap();
    assert!(matches!(
        response.decisions.as_slice(),
        [Decision::ScheduleActivityTask(a)] if a.activity_id == "saying_hi"
    ));

    let decider_with_http = r#"(component
        (import "wasi:http/outgoing-handler@0.2.12" (instance (export "handle" (func))))
        (core module $m (func (export "f")))
        (core instance $i (instantiate $m))
        (func $f (canon lift (core func $i "f")))
        (export "describe" (func $f))
        (export "decide" (func $f))
    )"#;
    match runtime.load_bytes(decider_with_http.as_bytes()).await {
        Err(error @ LoadError::DeciderIo { .. }) => {
            let message = error.to_string();
            assert!(
                message.contains("a decider gets no I/O")
                    && message.contains("wasi:http/outgoing-handler@0.2.12"),
                "{message}"
            );
        }
        other => panic!("a decider importing wasi:http must be refused: {other:?}"),
    }
}

#[test]
fn invalid_grants_are_refused_at_start_naming_the_pattern() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("swfwasm.toml"),
        "domain = \"d\"\n[[grant]]\nplugin = \"x\"\nallowed_outbound_hosts = [\"https://exa mple.com\"]\n",
    )
    .unwrap();
    let output = swfwasm_in(dir.path())
        .args(["plugin", "inspect"])
        .arg(plugin("http-probe"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("invalid outbound host pattern \"https://exa mple.com\""),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// AWS grants (issue 18): the host signs for the plugin with the grant's role.

/// A moto server that checks signatures and IAM policies, set up by `moto_aws_setup.py`: the
/// worker's own keys may only assume roles; the role may use S3, DynamoDB and SQS.
struct AwsMoto {
    moto: moto::Moto,
    setup: Value,
}

impl AwsMoto {
    fn start() -> AwsMoto {
        let moto = moto::Moto::start_with_auth(workspace(), 8);
        let output = std::process::Command::new(workspace().join(".venv/bin/python"))
            .arg(workspace().join("host/tests/all/common/moto_aws_setup.py"))
            .arg(moto.endpoint())
            .output()
            .expect("run moto_aws_setup.py");
        assert!(
            output.status.success(),
            "moto setup failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let setup = serde_json::from_slice(&output.stdout).expect("setup prints JSON");
        AwsMoto { moto, setup }
    }

    fn endpoint(&self) -> String {
        self.moto.endpoint()
    }

    fn worker_key(&self) -> (&str, &str) {
        (
            self.setup["access_key_id"].as_str().unwrap(),
            self.setup["secret_access_key"].as_str().unwrap(),
        )
    }

    fn role_arn(&self) -> &str {
        self.setup["role_arn"].as_str().unwrap()
    }

    /// The worker's AWS configuration: its own keys, STS at `sts_endpoint`.
    async fn worker_sdk(&self, sts_endpoint: &str) -> aws_config::SdkConfig {
        let (key, secret) = self.worker_key();
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(sts_endpoint)
            .credentials_provider(aws_credential_types::Credentials::new(
                key, secret, None, None, "worker",
            ))
            .http_client(
                aws_smithy_http_client::Builder::new()
                    .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                        aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
                    ))
                    .build_https(),
            )
            .load()
            .await
    }

    /// A runtime whose grants are `toml`, signing with `sdk`.
    fn runtime(&self, toml: &str, sdk: aws_config::SdkConfig) -> PluginRuntime {
        runtime_with_grants(grants(toml, None).with_aws(sdk))
    }

    /// A grant of S3, DynamoDB and SQS on this moto, through `role` (or the worker's credentials).
    fn grant(&self, role: Option<&str>, extra: &str) -> String {
        let who = match role {
            Some(role) => format!("role = \"{role}\""),
            None => "use_worker_credentials = true".to_owned(),
        };
        let endpoint = self.endpoint();
        format!(
            "[[grant]]\nplugin = \"HttpProbe\"\naws = [\
             {{ service = \"s3\", region = \"us-east-1\", endpoint = \"{endpoint}\", {who}{extra} }}, \
             {{ service = \"dynamodb\", region = \"us-east-1\", endpoint = \"{endpoint}\", {who}{extra} }}, \
             {{ service = \"sqs\", region = \"us-east-1\", endpoint = \"{endpoint}\", {who}{extra} }}]\n"
        )
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn activities_call_aws_with_the_role_the_host_assumes_for_them() {
    let aws = AwsMoto::start();
    let runtime = aws.runtime(
        &aws.grant(Some(aws.role_arn()), ""),
        aws.worker_sdk(&aws.endpoint()).await,
    );
    for probe in PROBES {
        let plugin = runtime.load_file(&plugin(probe)).await.expect(probe);
        let key = format!("objects/{probe} café.txt");
        let put = execute(
            &runtime,
            &plugin,
            &format!("{probe}-s3-put"),
            json!({"s3_put": {"bucket": "swfwasm-tests", "key": key, "body": format!("from {probe}")}}),
            Duration::from_secs(30),
        )
        .await;
        completed(put, &format!("{probe} s3_put"));
        let got = completed(
            execute(
                &runtime,
                &plugin,
                &format!("{probe}-s3-get"),
                json!({"s3_get": {"bucket": "swfwasm-tests", "key": key}}),
                Duration::from_secs(30),
            )
            .await,
            &format!("{probe} s3_get"),
        );
        assert_eq!(got["body"], format!("from {probe}"));

        let item = json!({"id": {"S": probe}, "language": {"S": probe}});
        completed(
            execute(
                &runtime,
                &plugin,
                &format!("{probe}-ddb-put"),
                json!({"ddb_put": {"table": "bookings", "item": item}}),
                Duration::from_secs(30),
            )
            .await,
            &format!("{probe} ddb_put"),
        );
        let got = completed(
            execute(
                &runtime,
                &plugin,
                &format!("{probe}-ddb-get"),
                json!({"ddb_get": {"table": "bookings", "key": {"id": {"S": probe}}}}),
                Duration::from_secs(30),
            )
            .await,
            &format!("{probe} ddb_get"),
        );
        assert_eq!(got["item"], item, "{probe}");

        let sent = completed(
            execute(
                &runtime,
                &plugin,
                &format!("{probe}-sqs-send"),
                json!({"sqs_send": {"queue_url": aws.setup["queue_url"], "body": format!("booked by {probe}")}}),
                Duration::from_secs(30),
            )
            .await,
            &format!("{probe} sqs_send"),
        );
        assert!(
            sent["message_id"].as_str().is_some_and(|id| !id.is_empty()),
            "{probe}: {sent}"
        );
    }

    // The control: the worker's own credentials may not use S3 (moto checks the policy), so
    // the successes above were signed with the role's.
    let as_worker = aws.runtime(&aws.grant(None, ""), aws.worker_sdk(&aws.endpoint()).await);
    let probe = as_worker.load_file(&plugin("http-probe")).await.unwrap();
    let (reason, details) = failed(
        execute(
            &as_worker,
            &probe,
            "worker-credentials",
            json!({"s3_put": {"bucket": "swfwasm-tests", "key": "denied.txt", "body": "x"}}),
            Duration::from_secs(30),
        )
        .await,
        "worker credentials",
    );
    assert_eq!(reason, "aws-error");
    assert!(details.contains("403"), "{details}");
}

#[tokio::test(flavor = "multi_thread")]
async fn aws_is_reached_only_through_an_aws_grant_and_never_with_the_guests_signature() {
    let aws = AwsMoto::start();
    let (worker_key, worker_secret) = aws.worker_key();
    let everything = "[[grant]]\nplugin = \"HttpProbe\"\nallowed_outbound_hosts = [\"https://*\", \"http://*:*\"]\n";
    let runtime = aws.runtime(everything, aws.worker_sdk(&aws.endpoint()).await);
    let probe = runtime.load_file(&plugin("http-probe")).await.unwrap();
    for (id, input) in [
        (
            "no-aws-grant",
            json!({"s3_put": {"bucket": "swfwasm-tests", "key": "x", "body": "x"}}),
        ),
        (
            "straight-to-aws",
            request(
                "GET",
                "https://s3.us-east-1.amazonaws.com/swfwasm-tests/x".into(),
                None,
            ),
        ),
    ] {
        let (reason, details) = failed(
            execute(&runtime, &probe, id, input, Duration::from_secs(30)).await,
            id,
        );
        assert_eq!(reason, "http-error", "{id}");
        assert!(details.contains("HTTP-request-denied"), "{id}: {details}");
    }

    let runtime = aws.runtime(
        &aws.grant(Some(aws.role_arn()), ""),
        aws.worker_sdk(&aws.endpoint()).await,
    );
    let probe = runtime.load_file(&plugin("http-probe")).await.unwrap();
    completed(
        execute(
            &runtime,
            &probe,
            "put-for-forged",
            json!({"s3_put": {"bucket": "swfwasm-tests", "key": "forged.txt", "body": "signed by the host"}}),
            Duration::from_secs(30),
        )
        .await,
        "put",
    );
    // A guest's own signing headers are dropped: had they reached moto, it would refuse the
    // unknown key.
    let forged = completed(
        execute(
            &runtime,
            &probe,
            "forged-signature",
            json!({"aws": {"name": "s3", "method": "GET", "path": "/swfwasm-tests/forged.txt",
                "headers": {
                    "authorization": "AWS4-HMAC-SHA256 Credential=AKIDFORGED/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
                    "x-amz-security-token": "forged", "x-amz-date": "20260101T000000Z"}}}),
            Duration::from_secs(30),
        )
        .await,
        "forged signature",
    );
    assert_eq!(forged["status"], 200, "{forged}");
    assert_eq!(forged["body"], "signed by the host");
    // Nothing the guest sees holds the worker's credentials.
    let seen = forged.to_string();
    assert!(!seen.contains(worker_key) && !seen.contains(worker_secret));
    let (reason, _) = failed(
        execute(
            &runtime,
            &probe,
            "no-credentials-in-config",
            json!({"config": ["AWS_SECRET_ACCESS_KEY"]}),
            Duration::from_secs(30),
        )
        .await,
        "config",
    );
    assert_eq!(reason, "config-error");
}

#[tokio::test(flavor = "multi_thread")]
async fn role_sessions_are_renewed_before_expiry_and_sts_failures_are_named() {
    let logs = LogCapture::global();
    let aws = AwsMoto::start();
    // A grant of its own name, so that its log lines are this test's alone.
    let renewal = format!(
        "[[grant]]\nplugin = \"HttpProbe\"\naws = [{{ name = \"renewal\", service = \"s3\", \
         region = \"us-east-1\", endpoint = \"{}\", role = \"{}\", session_seconds = 900, \
         refresh_before_expiry_secs = 899 }}]\n",
        aws.endpoint(),
        aws.role_arn()
    );
    let runtime = aws.runtime(&renewal, aws.worker_sdk(&aws.endpoint()).await);
    let probe = runtime.load_file(&plugin("http-probe")).await.unwrap();
    for round in 0..2 {
        let put = completed(
            execute(
                &runtime,
                &probe,
                &format!("renew-{round}"),
                json!({"aws": {"name": "renewal", "method": "PUT",
                    "path": format!("/swfwasm-tests/renew-{round}"), "body": "x"}}),
                Duration::from_secs(30),
            )
            .await,
            "renewal round",
        );
        assert_eq!(put["status"], 200, "{put}");
        // 900 s sessions renewed 899 s before they end: stale after one second.
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    let source = format!("AWS grant renewal for {}", probe.digest().short());
    let loads: std::collections::BTreeSet<String> = logs
        .lines_with(&source)
        .iter()
        .filter_map(|l| l.split("access_key_id=").nth(1))
        .map(|rest| {
            rest.split_whitespace()
                .next()
                .unwrap_or("")
                .trim_matches('"')
                .to_owned()
        })
        .collect();
    assert!(loads.len() >= 2, "two sessions were assumed: {loads:?}");
    assert!(
        loads.iter().all(|k| k.starts_with("ASIA")),
        "role sessions: {loads:?}"
    );

    let unreachable_sts = aws.runtime(
        &aws.grant(Some(aws.role_arn()), ""),
        aws.worker_sdk("http://127.0.0.1:9").await,
    );
    let probe = unreachable_sts
        .load_file(&plugin("http-probe"))
        .await
        .unwrap();
    let (reason, details) = failed(
        execute(
            &unreachable_sts,
            &probe,
            "sts-down",
            json!({"s3_put": {"bucket": "swfwasm-tests", "key": "x", "body": "x"}}),
            Duration::from_secs(60),
        )
        .await,
        "STS down",
    );
    assert_eq!(reason, "http-error");
    assert!(
        details.contains("no AWS credentials for grant s3"),
        "{details}"
    );
}
