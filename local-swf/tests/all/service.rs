//! local-swf in-process, over real HTTP on loopback: restart durability, group commit, schema
//! refusal, vanished pollers and the history size limit. (The broad wire-level suite is the boto3 one in
//! tests/py.)

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use local_swf::{Durability, LocalSwf, LocalSwfConfig};
use serde_json::{Value, json};

/// An unsigned JSON 1.0 client (the services here run with signature checks off).
struct Client {
    http: reqwest::Client,
    endpoint: String,
}

impl Client {
    fn new(service: &LocalSwf) -> Client {
        Client {
            http: reqwest::Client::new(),
            endpoint: service.endpoint(),
        }
    }

    /// Calls `action`; `Err((code, message))` for an error answer.
    async fn call(&self, action: &str, body: Value) -> Result<Value, (String, String)> {
        let response = self
            .http
            .post(&self.endpoint)
            .header("x-amz-target", format!("SimpleWorkflowService.{action}"))
            .header("content-type", "application/x-amz-json-1.0")
            .body(body.to_string())
            .send()
            .await
            .expect("the service answers");
        let ok = response.status().is_success();
        let text = response.text().await.unwrap();
        let value: Value = if text.is_empty() {
            json!({})
        } else {
            serde_json::from_str(&text).unwrap()
        };
        if ok {
            Ok(value)
        } else {
            let code = value["__type"].as_str().unwrap_or_default();
            let code = code.rsplit('#').next().unwrap_or_default().to_owned();
            Err((
                code,
                value["message"].as_str().unwrap_or_default().to_owned(),
            ))
        }
    }

    async fn ok(&self, action: &str, body: Value) -> Value {
        self.call(action, body)
            .await
            .unwrap_or_else(|e| panic!("{action} failed: {e:?}"))
    }

    async fn history(&self, run: &Value) -> Vec<Value> {
        let mut events = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut body = json!({"domain": "d", "execution": run});
            if let Some(token) = &token {
                body["nextPageToken"] = json!(token);
            }
            let page = self.ok("GetWorkflowExecutionHistory", body).await;
            events.extend(page["events"].as_array().unwrap().iter().cloned());
            match page["nextPageToken"].as_str() {
                Some(next) => token = Some(next.to_owned()),
                None => return events,
            }
        }
    }
}

fn config(db: &Path) -> LocalSwfConfig {
    let mut config = LocalSwfConfig::new(db.to_path_buf());
    config.verifier = None;
    config.poll_hold = Duration::from_secs(2);
    config
}

/// Registers domain `d`, workflow type `W` 1 (decision list `tl`) and activity type `A` 1
/// (list `atl`), and starts run `w1`; returns its execution.
async fn start_run(client: &Client) -> Value {
    client
        .ok(
            "RegisterDomain",
            json!({"name": "d", "workflowExecutionRetentionPeriodInDays": "1"}),
        )
        .await;
    client
        .ok(
            "RegisterWorkflowType",
            json!({"domain": "d", "name": "W", "version": "1", "defaultTaskList": {"name": "tl"},
                   "defaultExecutionStartToCloseTimeout": "600",
                   "defaultTaskStartToCloseTimeout": "30", "defaultChildPolicy": "TERMINATE"}),
        )
        .await;
    client
        .ok(
            "RegisterActivityType",
            json!({"domain": "d", "name": "A", "version": "1", "defaultTaskList": {"name": "atl"},
                   "defaultTaskStartToCloseTimeout": "60", "defaultTaskScheduleToStartTimeout": "60",
                   "defaultTaskScheduleToCloseTimeout": "120", "defaultTaskHeartbeatTimeout": "NONE"}),
        )
        .await;
    let started = client
        .ok(
            "StartWorkflowExecution",
            json!({"domain": "d", "workflowId": "w1", "workflowType": {"name": "W", "version": "1"}}),
        )
        .await;
    json!({"workflowId": "w1", "runId": started["runId"]})
}

async fn decide(client: &Client, decisions: Value) -> Value {
    let task = client
        .ok(
            "PollForDecisionTask",
            json!({"domain": "d", "taskList": {"name": "tl"}}),
        )
        .await;
    let token = task["taskToken"].as_str().expect("a decision task");
    client
        .ok(
            "RespondDecisionTaskCompleted",
            json!({"taskToken": token, "decisions": decisions}),
        )
        .await;
    task
}

fn types(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_restart_on_the_same_file_continues_runs_and_fires_pending_timers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("swf.sqlite");
    let service = LocalSwf::start(config(&db)).await.unwrap();
    let client = Client::new(&service);
    let run = start_run(&client).await;
    decide(
        &client,
        json!([{"decisionType": "StartTimer",
                "startTimerDecisionAttributes": {"timerId": "t1", "startToFireTimeout": "2"}},
               {"decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {
                    "activityType": {"name": "A", "version": "1"}, "activityId": "a1"}}]),
    )
    .await;
    let before = client.history(&run).await;
    service.stop().await;

    let service = LocalSwf::start(config(&db)).await.unwrap();
    assert_eq!(service.open_runs_at_start(), 1);
    let client = Client::new(&service);
    // The queued activity task survived the restart.
    let task = client
        .ok(
            "PollForActivityTask",
            json!({"domain": "d", "taskList": {"name": "atl"}}),
        )
        .await;
    assert_eq!(task["activityId"], "a1");
    // The timer fires without any client call touching the run.
    let mut fired = Vec::new();
    for _ in 0..100 {
        fired = client.history(&run).await;
        if types(&fired).contains(&"TimerFired") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(types(&fired).contains(&"TimerFired"), "{:?}", types(&fired));
    assert_eq!(
        &fired[..before.len()],
        &before[..],
        "acknowledged events are kept as they were"
    );
    service.stop().await;
}

#[tokio::test]
async fn a_database_of_a_newer_schema_or_another_program_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let newer = dir.path().join("newer.sqlite");
    let conn = rusqlite_open(&newer);
    conn(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); \
          INSERT INTO meta VALUES ('schema_version', '99');",
    );
    let error = LocalSwf::start(config(&newer))
        .await
        .err()
        .expect("refused");
    let message = error.to_string();
    assert!(message.contains("schema version 99"), "{message}");
    assert!(message.contains("refusing to open it"), "{message}");

    let foreign = dir.path().join("foreign.sqlite");
    rusqlite_open(&foreign)("CREATE TABLE invoices (id INTEGER);");
    let message = LocalSwf::start(config(&foreign))
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(
        message.contains("not a local-swf one") && message.contains("invoices"),
        "{message}"
    );
    let conn = rusqlite::Connection::open(&foreign).unwrap();
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type='table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 1, "nothing was added to the foreign file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_commits_and_each_answer_is_on_disk_when_it_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("swf.sqlite");
    let service = LocalSwf::start(config(&db)).await.unwrap();
    let client = std::sync::Arc::new(Client::new(&service));
    start_run(&client).await;
    let before = service.commit_stats();
    let starts = (0..64).map(|i| {
        let client = client.clone();
        let db = db.clone();
        tokio::spawn(async move {
            let started = client
                .ok(
                    "StartWorkflowExecution",
                    json!({"domain": "d", "workflowId": format!("group-{i}"),
                           "workflowType": {"name": "W", "version": "1"}}),
                )
                .await;
            // Another connection sees committed data only: the run is there the moment the
            // answer is.
            let run_id = started["runId"].as_str().unwrap().to_owned();
            let conn = rusqlite::Connection::open(&db).unwrap();
            let stored: i64 = conn
                .query_row(
                    "SELECT count(*) FROM runs WHERE run_id=?1",
                    [&run_id],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(
                stored, 1,
                "run {run_id} was answered before it was committed"
            );
        })
    });
    for start in starts.collect::<Vec<_>>() {
        start.await.unwrap();
    }
    let after = service.commit_stats();
    let transactions = after.transactions - before.transactions;
    let commits = after.commits - before.commits;
    assert!(
        transactions >= 64,
        "{transactions} transactions for 64 starts"
    );
    assert!(
        commits < transactions,
        "64 concurrent starts made {commits} commits for {transactions} transactions: none shared"
    );
    service.stop().await;
}

/// Runs SQL on a database file directly (starting a service would create its schema).
fn rusqlite_open(path: &Path) -> impl Fn(&str) + '_ {
    move |sql: &str| {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch(sql).unwrap();
    }
}

#[tokio::test]
async fn a_poller_whose_connection_is_gone_does_not_get_the_task() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&dir.path().join("swf.sqlite"));
    config.poll_hold = Duration::from_secs(30);
    let service = LocalSwf::start(config).await.unwrap();
    let client = Client::new(&service);
    let run = start_run(&client).await;
    // A raw poll that is abandoned while the service holds it.
    let body =
        json!({"domain": "d", "taskList": {"name": "atl"}, "identity": "vanished"}).to_string();
    let mut socket = TcpStream::connect(service.addr()).unwrap();
    write!(
        socket,
        "POST / HTTP/1.1\r\nHost: {}\r\nX-Amz-Target: SimpleWorkflowService.PollForActivityTask\r\n\
         Content-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\n\r\n{body}",
        service.addr(),
        body.len()
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(socket);
    tokio::time::sleep(Duration::from_millis(300)).await;
    decide(
        &client,
        json!([{"decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {
                    "activityType": {"name": "A", "version": "1"}, "activityId": "a1"}}]),
    )
    .await;
    let task = client
        .ok(
            "PollForActivityTask",
            json!({"domain": "d", "taskList": {"name": "atl"}, "identity": "present"}),
        )
        .await;
    assert_eq!(
        task["activityId"], "a1",
        "the task waited for a live poller"
    );
    let started: Vec<Value> = client
        .history(&run)
        .await
        .into_iter()
        .filter(|e| e["eventType"] == "ActivityTaskStarted")
        .collect();
    assert_eq!(started.len(), 1);
    assert_eq!(
        started[0]["activityTaskStartedEventAttributes"]["identity"],
        "present"
    );
    service.stop().await;
}

#[tokio::test]
async fn a_run_is_terminated_when_its_history_reaches_25000_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&dir.path().join("swf.sqlite"));
    config.durability = Durability::Normal;
    let service = LocalSwf::start(config).await.unwrap();
    let client = Client::new(&service);
    let run = start_run(&client).await;
    let signal = json!({"domain": "d", "workflowId": "w1", "signalName": "s"});
    let mut sent = 0;
    let refused = loop {
        match client.call("SignalWorkflowExecution", signal.clone()).await {
            Ok(_) => sent += 1,
            Err(e) => break e,
        }
        assert!(sent < 25_000, "never terminated");
    };
    assert_eq!(refused.0, "UnknownResourceFault");
    let events = client.history(&run).await;
    assert_eq!(events.len(), 25_000);
    let last = events.last().unwrap();
    assert_eq!(last["eventType"], "WorkflowExecutionTerminated");
    assert_eq!(
        last["workflowExecutionTerminatedEventAttributes"]["cause"],
        "EVENT_LIMIT_EXCEEDED"
    );
    service.stop().await;
}

#[tokio::test]
async fn the_console_is_served_unless_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let on = LocalSwf::start(config(&dir.path().join("on.sqlite")))
        .await
        .unwrap();
    let mut off_config = config(&dir.path().join("off.sqlite"));
    off_config.console = false;
    let off = LocalSwf::start(off_config).await.unwrap();
    let status = |service: &LocalSwf| {
        let url = format!("{}/console", service.endpoint());
        async move { reqwest::get(url).await.unwrap().status().as_u16() }
    };
    assert_eq!(status(&on).await, 200);
    assert_eq!(
        status(&off).await,
        404,
        "no console, and no unsigned way in"
    );
    on.stop().await;
    off.stop().await;
}
