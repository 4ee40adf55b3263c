//! `swfwasm run` against moto through a fault-injecting proxy: throttling, HTTP 500s and
//! dropped connections on every kind of call, and respond calls that take effect but whose answer
//! is lost (the retry meets `UnknownResourceFault`). Every workflow must still complete, and no
//! activity may run twice for the same scheduled event.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use swf_model::{
    CloseStatus, EventAttributes, ExecutionTimeFilter, ListClosedWorkflowExecutionsInput,
    StartWorkflowExecutionInput, WorkflowExecution, WorkflowType,
};
use swfwasm::swf::SwfClient;

use crate::common::{self, fault_proxy, moto, plugin, workspace};
use fault_proxy::{FaultProxy, Plan};
use moto::Moto;

const DOMAIN: &str = "fault-injection";
const EXECUTIONS: usize = 50;

/// Per thousand requests: 24 % fail before forwarding; 20 % of the respond calls that get
/// through are forwarded and then dropped. No identical request fails more than 3 times in a
/// row, so the client's 5 attempts always suffice.
const PLAN: Plan = Plan {
    seed: 0x5EED_F417,
    throttle: 120,
    server_error: 70,
    drop_before: 50,
    drop_after_respond: 200,
    max_failures_per_request: 3,
    corrupt_partial_histories: false,
};

/// A configuration for `endpoint`, with `extra` appended.
fn write_config(dir: &Path, name: &str, endpoint: &str, extra: &str) {
    let config = format!(
        "domain = \"{DOMAIN}\"\nendpoint = \"{endpoint}\"\nregion = \"us-east-1\"\n\
         plugins = [{:?}, {:?}]\n{extra}",
        plugin("hello-decider"),
        plugin("hello-activity")
    );
    std::fs::write(dir.join(name), config).unwrap();
}

/// Enough concurrency that 50 runs finish quickly despite moto's 1 s empty polls.
const TASK_LISTS: &str = "
[[task_list]]
name = \"default\"
kind = \"decision\"
pollers = 4
max_in_flight = 8

[[task_list]]
name = \"default\"
kind = \"activity\"
pollers = 4
max_in_flight = 8
";

/// Kills the worker if the test fails before stopping it.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn worker_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("worker.log")).unwrap_or_default()
}

async fn completed_runs(client: &SwfClient) -> usize {
    let closed = client
        .list_closed_workflow_executions(&ListClosedWorkflowExecutionsInput {
            domain: DOMAIN.to_owned(),
            start_time_filter: Some(ExecutionTimeFilter::default()),
            ..Default::default()
        })
        .await
        .expect("list closed runs");
    closed
        .iter()
        .filter(|info| info.close_status == Some(CloseStatus::Completed))
        .count()
}

/// Per history: the run completed, and each scheduled activity started and completed once.
async fn check_history(client: &SwfClient, execution: &WorkflowExecution) {
    let events = client
        .get_workflow_execution_history(DOMAIN, execution)
        .await
        .expect("history");
    let types: Vec<&str> = events.iter().map(|e| e.event_type()).collect();
    assert_eq!(
        types.last(),
        Some(&"WorkflowExecutionCompleted"),
        "{}: {types:?}",
        execution.workflow_id
    );
    // scheduled event id → (started, completed)
    let mut activities: HashMap<i64, (u32, u32)> = HashMap::new();
    for event in &events {
        match &event.attributes {
            EventAttributes::ActivityTaskScheduled(_) => {
                assert!(activities.insert(event.event_id, (0, 0)).is_none());
            }
            EventAttributes::ActivityTaskStarted(a) => {
                activities.entry(a.scheduled_event_id).or_default().0 += 1;
            }
            EventAttributes::ActivityTaskCompleted(a) => {
                activities.entry(a.scheduled_event_id).or_default().1 += 1;
            }
            _ => {}
        }
    }
    assert_eq!(activities.len(), 1, "{}: {types:?}", execution.workflow_id);
    for (scheduled, counts) in activities {
        assert_eq!(
            counts,
            (1, 1),
            "{}: activity scheduled at event {scheduled} (started, completed): {types:?}",
            execution.workflow_id
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_hello_workflows_complete_despite_injected_faults() {
    let began = Instant::now();
    let moto = Moto::start(workspace());
    let proxy = FaultProxy::start(&moto.endpoint(), PLAN).await;
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    write_config(dir, "moto.toml", &moto.endpoint(), "");
    write_config(dir, "worker.toml", &proxy.endpoint(), TASK_LISTS);

    // Registration and starts go straight to moto.
    let registered = swfwasm(dir, "moto.toml").arg("register").output().unwrap();
    assert!(
        registered.status.success(),
        "register: {}",
        String::from_utf8_lossy(&registered.stderr)
    );
    let moto_client = SwfClient::with_static_credentials(
        moto.endpoint(),
        "us-east-1",
        "AKIDEXAMPLE",
        "secret",
        None,
    )
    .unwrap();
    let mut executions = Vec::new();
    for i in 0..EXECUTIONS {
        let workflow_id = format!("hello-fault-{i:02}");
        let run_id = moto_client
            .start_workflow_execution(&StartWorkflowExecutionInput {
                domain: DOMAIN.to_owned(),
                workflow_id: workflow_id.clone(),
                workflow_type: WorkflowType::new("HelloWorkflow", "1.0"),
                ..Default::default()
            })
            .await
            .expect("start");
        executions.push(WorkflowExecution::new(workflow_id, run_id));
    }

    // The worker talks to SWF only through the proxy.
    let log = std::fs::File::create(dir.join("worker.log")).unwrap();
    let mut worker = Running(
        swfwasm(dir, "worker.toml")
            .arg("run")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );

    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let done = completed_runs(&moto_client).await;
        if done == EXECUTIONS {
            break;
        }
        if let Some(status) = worker.0.try_wait().unwrap() {
            panic!("the worker exited with {status}:\n{}", worker_log(dir));
        }
        assert!(
            Instant::now() < deadline,
            "{done} of {EXECUTIONS} runs completed in 300 s; injected {:?}\n{}",
            proxy.injected(),
            worker_log(dir)
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let completed_after = began.elapsed();
    for execution in &executions {
        check_history(&moto_client, execution).await;
    }

    // SIGTERM: the worker stops polling, finishes, and exits 0.
    let pid = worker.0.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let stop_deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = worker.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < stop_deadline,
            "the worker did not stop after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let log = worker_log(dir);
    assert!(status.success(), "worker exit {status}:\n{log}");

    // The activity ran exactly once per run: one greeting per workflow id.
    let greetings: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("guest: Hello, World!"))
        .collect();
    assert_eq!(greetings.len(), EXECUTIONS, "{log}");
    for execution in &executions {
        let needle = format!("workflow_id={} ", execution.workflow_id);
        let runs = greetings.iter().filter(|l| l.contains(&needle)).count();
        assert_eq!(runs, 1, "{}:\n{log}", execution.workflow_id);
    }

    // Every kind of fault happened, and lost answers were taken for "the task is gone".
    let injected = proxy.injected();
    assert!(injected.forwarded > 0, "{injected:?}");
    assert!(injected.throttled > 0, "{injected:?}");
    assert!(injected.server_errors > 0, "{injected:?}");
    assert!(injected.dropped_before > 0, "{injected:?}");
    assert!(injected.dropped_after > 0, "{injected:?}");
    assert!(log.contains("ThrottlingException"), "{log}");
    assert!(log.contains("transport error"), "{log}");
    let gone = |what: &str| {
        log.lines()
            .filter(|l| l.contains(what) && l.contains("UnknownResourceFault"))
            .count()
    };
    let decisions_gone = gone("the decision task is gone");
    let activities_gone = gone("the activity task is gone");
    assert!(
        decisions_gone + activities_gone > 0,
        "no UnknownResourceFault on respond was taken for a finished task:\n{log}"
    );
    assert!(
        !log.contains("cannot answer"),
        "a respond call ran out of attempts:\n{log}"
    );
    eprintln!(
        "{EXECUTIONS} runs completed in {completed_after:?}; injected {injected:?}; \
         tasks gone on retry: {decisions_gone} decision, {activities_gone} activity"
    );
}

/// `swfwasm --config CONFIG` in `dir` (see [`common::swfwasm_in`]).
fn swfwasm(dir: &Path, config: &str) -> Command {
    let mut command = common::swfwasm_in(dir);
    command.args(["--config", config]);
    command
}
