//! The SWF client against a real moto server (the seed's HelloWorld end to end, faults) and
//! against scripted HTTP stubs (history paging, retries, empty bodies, signing headers, dead
//! endpoints).

use crate::common::{self, http_stub, moto};
use std::time::{Duration, Instant};

use serde_json::json;
use swf_model::{
    ActivityType, ChildPolicy, CloseStatus, CompleteWorkflowExecutionDecisionAttributes, Decision,
    ExecutionTimeFilter, FaultKind, ListClosedWorkflowExecutionsInput,
    ListOpenWorkflowExecutionsInput, RegisterActivityTypeInput, RegisterDomainInput,
    RegisterWorkflowTypeInput, RespondDecisionTaskCompleted,
    ScheduleActivityTaskDecisionAttributes, StartWorkflowExecutionInput, TaskList,
    WorkflowExecution, WorkflowType,
};
use swfwasm::swf::{ClientConfig, Credentials, RetryConfig, SwfClient, SwfError};

use http_stub::{Recorded, Reply, Stub};
use moto::Moto;

const DOMAIN: &str = "swfwasm-test";
const TASK_LIST: &str = "default";

fn stub_client(endpoint: String, retry: RetryConfig) -> SwfClient {
    let config = ClientConfig {
        endpoint: Some(endpoint),
        region: Some("us-east-1".to_owned()),
        call_timeout: Duration::from_secs(5),
        poll_timeout: Duration::from_secs(10),
        retry,
        ..ClientConfig::default()
    };
    SwfClient::new(
        config,
        Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"),
    )
    .expect("client")
}

/// Retries that do not slow the tests down.
fn quick_retries(max_attempts: u32) -> RetryConfig {
    RetryConfig {
        max_attempts,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    }
}

fn moto_client(moto: &Moto) -> SwfClient {
    SwfClient::with_static_credentials(moto.endpoint(), "us-east-1", "AKIDEXAMPLE", "secret", None)
        .expect("client")
}

async fn register_hello(client: &SwfClient) {
    client
        .register_domain(&RegisterDomainInput {
            name: DOMAIN.to_owned(),
            workflow_execution_retention_period_in_days: "1".to_owned(),
            ..Default::default()
        })
        .await
        .expect("register domain");
    client
        .register_workflow_type(&RegisterWorkflowTypeInput {
            domain: DOMAIN.to_owned(),
            name: "HelloWorkflow".to_owned(),
            version: "1.0".to_owned(),
            default_task_list: Some(TaskList::new(TASK_LIST)),
            default_execution_start_to_close_timeout: Some("3600".to_owned()),
            default_task_start_to_close_timeout: Some("300".to_owned()),
            default_child_policy: Some(ChildPolicy::Terminate),
            ..Default::default()
        })
        .await
        .expect("register workflow type");
    client
        .register_activity_type(&hello_activity_type())
        .await
        .expect("register activity type");
}

fn hello_activity_type() -> RegisterActivityTypeInput {
    RegisterActivityTypeInput {
        domain: DOMAIN.to_owned(),
        name: "HelloWorld".to_owned(),
        version: "1.0".to_owned(),
        default_task_list: Some(TaskList::new(TASK_LIST)),
        default_task_heartbeat_timeout: Some("600".to_owned()),
        default_task_schedule_to_start_timeout: Some("300".to_owned()),
        default_task_schedule_to_close_timeout: Some("3900".to_owned()),
        default_task_start_to_close_timeout: Some("3600".to_owned()),
        ..Default::default()
    }
}

fn event_types(events: &[swf_model::HistoryEvent]) -> Vec<String> {
    events.iter().map(|e| e.event_type().to_owned()).collect()
}

/// The seed's HelloWorld, driven by hand through the typed helpers: decide → execute → decide.
#[tokio::test]
async fn hello_workflow_against_moto() {
    let moto = Moto::start(common::workspace());
    let client = moto_client(&moto);
    register_hello(&client).await;

    // Registering again is AlreadyExists, which callers treat as success.
    let again = client
        .register_domain(&RegisterDomainInput {
            name: DOMAIN.to_owned(),
            workflow_execution_retention_period_in_days: "1".to_owned(),
            ..Default::default()
        })
        .await
        .expect_err("domain exists");
    assert!(again.is_already_exists(), "{again}");
    assert_eq!(
        again.fault_kind(),
        Some(&FaultKind::DomainAlreadyExistsFault)
    );
    let again = client
        .register_activity_type(&hello_activity_type())
        .await
        .expect_err("type exists");
    assert!(again.is_already_exists(), "{again}");
    assert_eq!(again.fault_kind(), Some(&FaultKind::TypeAlreadyExistsFault));

    let run_id = client
        .start_workflow_execution(&StartWorkflowExecutionInput {
            domain: DOMAIN.to_owned(),
            workflow_id: "hello-1".to_owned(),
            workflow_type: WorkflowType::new("HelloWorkflow", "1.0"),
            ..Default::default()
        })
        .await
        .expect("start");
    assert!(!run_id.is_empty());
    let execution = WorkflowExecution::new("hello-1", run_id.clone());

    let open = client
        .list_open_workflow_executions(&ListOpenWorkflowExecutionsInput {
            domain: DOMAIN.to_owned(),
            start_time_filter: ExecutionTimeFilter::default(),
            ..Default::default()
        })
        .await
        .expect("list open");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].execution, execution);

    // First decision task: the complete history so far.
    let task = client
        .poll_for_decision_task(DOMAIN, TASK_LIST, "decider-1")
        .await
        .expect("poll decision")
        .expect("a decision task");
    assert_eq!(
        event_types(&task.events),
        [
            "WorkflowExecutionStarted",
            "DecisionTaskScheduled",
            "DecisionTaskStarted"
        ]
    );
    assert_eq!(task.workflow_execution, execution);
    assert_eq!(
        task.workflow_type,
        WorkflowType::new("HelloWorkflow", "1.0")
    );
    assert_eq!(task.started_event_id, 3);
    assert_eq!(task.next_page_token, None);
    let first_token = task.task_token.clone();
    client
        .respond_decision_task_completed(&RespondDecisionTaskCompleted {
            task_token: task.task_token,
            decisions: vec![Decision::ScheduleActivityTask(
                ScheduleActivityTaskDecisionAttributes {
                    activity_type: ActivityType::new("HelloWorld", "1.0"),
                    activity_id: "saying_hi".to_owned(),
                    task_list: Some(TaskList::new(TASK_LIST)),
                    ..Default::default()
                },
            )],
            ..Default::default()
        })
        .await
        .expect("respond decision 1");

    // A task already answered is gone: UnknownResourceFault, not retried.
    let gone = client
        .respond_decision_task_completed(&RespondDecisionTaskCompleted {
            task_token: first_token,
            ..Default::default()
        })
        .await
        .expect_err("task already completed");
    assert!(gone.is_unknown_resource(), "{gone}");

    // The activity.
    let activity = client
        .poll_for_activity_task(DOMAIN, TASK_LIST, "worker-1")
        .await
        .expect("poll activity")
        .expect("an activity task");
    assert_eq!(activity.activity_id, "saying_hi");
    assert_eq!(
        activity.activity_type,
        ActivityType::new("HelloWorld", "1.0")
    );
    assert_eq!(activity.workflow_execution, execution);
    let cancel_requested = client
        .record_activity_task_heartbeat(&activity.task_token, Some("halfway"))
        .await
        .expect("heartbeat");
    assert!(!cancel_requested);
    client
        .respond_activity_task_completed(&activity.task_token, Some("Hello, World!"))
        .await
        .expect("respond activity");

    // Second decision task: complete the run.
    let task = client
        .poll_for_decision_task(DOMAIN, TASK_LIST, "decider-1")
        .await
        .expect("poll decision")
        .expect("a second decision task");
    assert_eq!(task.events.len(), 9);
    assert_eq!(task.events[6].event_type(), "ActivityTaskCompleted");
    assert_eq!(task.previous_started_event_id, 3);
    client
        .respond_decision_task_completed(&RespondDecisionTaskCompleted {
            task_token: task.task_token,
            decisions: vec![Decision::CompleteWorkflowExecution(
                CompleteWorkflowExecutionDecisionAttributes::default(),
            )],
            ..Default::default()
        })
        .await
        .expect("respond decision 2");

    // The history is the seed's, event type for event type.
    let history = client
        .get_workflow_execution_history(DOMAIN, &execution)
        .await
        .expect("history");
    let seed = common::read_json(&common::data("hello_history.json"));
    let seed_types: Vec<String> = seed
        .as_array()
        .expect("seed history is an array")
        .iter()
        .map(|e| e["eventType"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seed_types.len(), 11);
    assert_eq!(event_types(&history), seed_types);

    let description = client
        .describe_workflow_execution(DOMAIN, &execution)
        .await
        .expect("describe");
    assert_eq!(
        description.execution_info.close_status,
        Some(CloseStatus::Completed)
    );
    let closed = client
        .list_closed_workflow_executions(&ListClosedWorkflowExecutionsInput {
            domain: DOMAIN.to_owned(),
            start_time_filter: Some(ExecutionTimeFilter::default()),
            ..Default::default()
        })
        .await
        .expect("list closed");
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].execution, execution);

    // Nothing left to do: empty polls (moto answers them after about a second, without a
    // taskToken) are None.
    let none = client
        .poll_for_decision_task(DOMAIN, TASK_LIST, "decider-1")
        .await
        .expect("empty decision poll");
    assert!(none.is_none());
    let none = client
        .poll_for_activity_task(DOMAIN, TASK_LIST, "worker-1")
        .await
        .expect("empty activity poll");
    assert!(none.is_none());
}

#[tokio::test]
async fn fault_from_moto_is_typed() {
    let moto = Moto::start(common::workspace());
    let client = moto_client(&moto);
    let error = client
        .start_workflow_execution(&StartWorkflowExecutionInput {
            domain: "no-such-domain".to_owned(),
            workflow_id: "w".to_owned(),
            workflow_type: WorkflowType::new("HelloWorkflow", "1.0"),
            ..Default::default()
        })
        .await
        .expect_err("unknown domain");
    match &error {
        SwfError::Fault {
            kind,
            message,
            status,
        } => {
            assert_eq!(kind, &FaultKind::UnknownResourceFault);
            assert_eq!(message, "Unknown domain: no-such-domain");
            assert_eq!(*status, 400);
        }
        other => panic!("expected a fault, got {other:?}"),
    }
    assert!(error.is_unknown_resource());
    assert!(!error.is_retryable());
    assert_eq!(
        error.to_string(),
        "UnknownResourceFault: Unknown domain: no-such-domain (HTTP 400)"
    );
}

#[tokio::test]
async fn dead_endpoint_is_a_transport_error_after_bounded_retries() {
    let port = moto::free_port();
    let client = stub_client(format!("http://127.0.0.1:{port}"), quick_retries(3));
    let started = Instant::now();
    let error = client
        .register_domain(&RegisterDomainInput {
            name: "d".to_owned(),
            workflow_execution_retention_period_in_days: "1".to_owned(),
            ..Default::default()
        })
        .await
        .expect_err("nothing listens there");
    assert!(matches!(error, SwfError::Transport { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}

fn event(id: i64, event_type: &str, attributes: serde_json::Value) -> serde_json::Value {
    let key = format!(
        "{}{}EventAttributes",
        event_type[..1].to_ascii_lowercase(),
        &event_type[1..]
    );
    json!({"eventId": id, "eventTimestamp": 1_700_000_000.0 + id as f64,
           "eventType": event_type, key: attributes})
}

/// PollForDecisionTask answered in two pages: the client follows the token and returns one task
/// with every event, in order.
#[tokio::test]
async fn decision_task_pages_are_followed() {
    let first_page = vec![
        event(
            1,
            "WorkflowExecutionStarted",
            json!({"childPolicy": "TERMINATE", "taskList": {"name": "default"},
                   "workflowType": {"name": "HelloWorkflow", "version": "1.0"},
                   "executionStartToCloseTimeout": "3600", "taskStartToCloseTimeout": "300",
                   "parentInitiatedEventId": 0}),
        ),
        event(
            2,
            "DecisionTaskScheduled",
            json!({"taskList": {"name": "default"}, "startToCloseTimeout": "300"}),
        ),
    ];
    let second_page = vec![event(
        3,
        "DecisionTaskStarted",
        json!({"scheduledEventId": 2, "identity": "decider-1"}),
    )];
    let stub = Stub::start(move |index, _request: &Recorded| {
        let mut body = json!({
            "taskToken": "token-1",
            "startedEventId": 3,
            "previousStartedEventId": 0,
            "workflowExecution": {"workflowId": "w", "runId": "r"},
            "workflowType": {"name": "HelloWorkflow", "version": "1.0"},
        });
        if index == 0 {
            body["events"] = json!(first_page);
            body["nextPageToken"] = json!("page-2");
        } else {
            body["events"] = json!(second_page);
        }
        Reply::json(200, body)
    })
    .await;
    let client = stub_client(stub.endpoint(), quick_retries(1));

    let task = client
        .poll_for_decision_task("dom", "default", "decider-1")
        .await
        .expect("poll")
        .expect("a task");
    assert_eq!(task.task_token, "token-1");
    assert_eq!(task.next_page_token, None);
    assert_eq!(
        task.events.iter().map(|e| e.event_id).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(
        event_types(&task.events),
        [
            "WorkflowExecutionStarted",
            "DecisionTaskScheduled",
            "DecisionTaskStarted"
        ]
    );

    let requests = stub.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    for request in &requests {
        assert_eq!(
            request.header("x-amz-target"),
            "SimpleWorkflowService.PollForDecisionTask"
        );
        assert_eq!(request.body["domain"], "dom");
        assert_eq!(request.body["taskList"], json!({"name": "default"}));
        assert_eq!(request.body["identity"], "decider-1");
    }
    assert!(requests[0].body.get("nextPageToken").is_none());
    assert_eq!(requests[1].body["nextPageToken"], "page-2");
}

/// Requests carry the AWS JSON 1.0 headers and a SigV4 signature; an empty 200 body reads as
/// `{}`; an empty poll answer is None.
#[tokio::test]
async fn requests_are_signed_and_empty_bodies_accepted() {
    let stub = Stub::start(|index, _request: &Recorded| match index {
        0 => Reply {
            status: 200,
            headers: vec![],
            body: String::new(),
        },
        _ => Reply::json(200, json!({"startedEventId": 0})),
    })
    .await;
    let client = stub_client(stub.endpoint(), quick_retries(1));
    client
        .respond_activity_task_completed("tok", None)
        .await
        .expect("empty body is success");
    let none = client
        .poll_for_activity_task("dom", "default", "worker-1")
        .await
        .expect("poll");
    assert!(none.is_none());

    let request = &stub.requests()[0];
    assert_eq!(
        request.header("x-amz-target"),
        "SimpleWorkflowService.RespondActivityTaskCompleted"
    );
    assert_eq!(request.header("content-type"), "application/x-amz-json-1.0");
    assert_eq!(request.body, json!({"taskToken": "tok"}));
    let authorization = request.header("authorization");
    assert!(
        authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
        "{authorization}"
    );
    assert!(authorization.contains("/us-east-1/swf/aws4_request, "));
    assert!(authorization.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target, "));
    assert!(!request.header("x-amz-date").is_empty());
    // Exactly one Host header, the one that was signed.
    let hosts: Vec<_> = request.headers.get_all("host").iter().collect();
    assert_eq!(hosts.len(), 1);
    assert_eq!(
        Some(hosts[0].to_str().unwrap()),
        stub.endpoint().strip_prefix("http://")
    );
}

/// Throttling and 5xx are retried up to the policy's bound; validation errors and SWF faults
/// are returned after one call.
#[tokio::test]
async fn only_retryable_errors_are_retried() {
    // Two 503s, then success: three calls.
    let stub = Stub::start(|index, _request: &Recorded| {
        if index < 2 {
            Reply::json(
                503,
                json!({"__type": "com.amazon.coral.availability#ServiceUnavailable"}),
            )
        } else {
            Reply::json(200, json!({"cancelRequested": true}))
        }
    })
    .await;
    let client = stub_client(stub.endpoint(), quick_retries(5));
    let cancel = client
        .record_activity_task_heartbeat("tok", None)
        .await
        .expect("third attempt succeeds");
    assert!(cancel);
    assert_eq!(stub.requests().len(), 3);

    // Throttling forever: exactly max_attempts calls, then the throttling error.
    let stub = Stub::start(|_, _request: &Recorded| Reply {
        status: 400,
        headers: vec![(
            "x-amzn-errortype",
            "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/"
                .to_owned(),
        )],
        body: json!({"message": "Rate exceeded"}).to_string(),
    })
    .await;
    let client = stub_client(stub.endpoint(), quick_retries(4));
    let error = client
        .record_activity_task_heartbeat("tok", None)
        .await
        .expect_err("always throttled");
    assert_eq!(error.fault_kind(), Some(&FaultKind::ThrottlingException));
    assert_eq!(
        error.to_string(),
        "ThrottlingException: Rate exceeded (HTTP 400)"
    );
    assert_eq!(stub.requests().len(), 4);

    // A validation error: one call.
    let stub = Stub::start(|_, _request: &Recorded| {
        Reply::json(
            400,
            json!({"__type": "com.amazon.coral.validate#ValidationException",
                   "message": "1 validation error detected"}),
        )
    })
    .await;
    let client = stub_client(stub.endpoint(), quick_retries(5));
    let error = client
        .respond_activity_task_failed("tok", Some("boom"), None)
        .await
        .expect_err("invalid");
    assert_eq!(error.fault_kind(), Some(&FaultKind::ValidationException));
    assert_eq!(stub.requests().len(), 1);
}

#[tokio::test]
async fn configuration_is_checked() {
    // from_env: the configured region wins; the endpoint defaults to the regional one.
    let client = SwfClient::from_env(ClientConfig {
        region: Some("eu-west-1".to_owned()),
        ..ClientConfig::default()
    })
    .await
    .expect("from_env with a region");
    assert_eq!(client.region(), "eu-west-1");
    if std::env::var_os("AWS_ENDPOINT_URL").is_none() {
        assert_eq!(
            client.endpoint().as_str(),
            "https://swf.eu-west-1.amazonaws.com/"
        );
    }
    let client = SwfClient::from_env(ClientConfig {
        region: Some("eu-west-1".to_owned()),
        endpoint: Some("http://127.0.0.1:4566".to_owned()),
        ..ClientConfig::default()
    })
    .await
    .expect("from_env with an endpoint");
    assert_eq!(client.endpoint().as_str(), "http://127.0.0.1:4566/");

    // Bad endpoints and a missing region are configuration errors.
    for endpoint in ["ftp://example.com", "not a url", "http://"] {
        let error =
            SwfClient::with_static_credentials(endpoint, "us-east-1", "a", "s", None).unwrap_err();
        assert!(
            matches!(error, SwfError::Config { .. }),
            "{endpoint}: {error:?}"
        );
    }
    let error = SwfClient::new(
        ClientConfig::default(),
        Credentials::new("a", "s", None, None, "test"),
    )
    .unwrap_err();
    assert!(matches!(error, SwfError::Config { .. }), "{error:?}");
}

/// How the raw server below treats a connection after answering a request on it.
#[derive(Clone, Copy)]
enum AfterAnswer {
    /// Keep it open for the next request.
    KeepOpen,
    /// Say `Connection: close` and close it.
    CloseSaying,
    /// Close it without a word, as a server whose keep-alive timeout ran out does.
    CloseSilently,
    /// Announce a body 100 bytes long, send 10 of them and close.
    CutBodyShort,
    /// Read the request and never answer.
    NeverAnswer,
}

/// A raw HTTP/1.1 server on 127.0.0.1 that answers every request `{}` and counts the
/// connections it accepted; `plan(i)` says what happens after the i-th answer (0-based, over
/// all connections). Each closed connection is reported on the channel.
async fn raw_server(
    plan: fn(usize) -> AfterAnswer,
) -> (
    String,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
    tokio::sync::mpsc::UnboundedReceiver<()>,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let accepted = std::sync::Arc::new(AtomicUsize::new(0));
    let answered = std::sync::Arc::new(AtomicUsize::new(0));
    let (closed_tx, closed_rx) = tokio::sync::mpsc::unbounded_channel();
    let counter = accepted.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let answered = answered.clone();
            let closed = closed_tx.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                loop {
                    // One request: headers, then Content-Length bytes of body.
                    let request_end = loop {
                        if let Some(end) = find_request_end(&buffer) {
                            break end;
                        }
                        let mut chunk = [0u8; 4096];
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    };
                    buffer.drain(..request_end);
                    let index = answered.fetch_add(1, Ordering::SeqCst);
                    let after = plan(index);
                    let answer: &[u8] = match after {
                        AfterAnswer::KeepOpen | AfterAnswer::CloseSilently => {
                            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"
                        }
                        AfterAnswer::CloseSaying => {
                            b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}"
                        }
                        AfterAnswer::CutBodyShort => {
                            b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"a\": \"12"
                        }
                        AfterAnswer::NeverAnswer => {
                            tokio::time::sleep(Duration::from_secs(30)).await;
                            return;
                        }
                    };
                    socket.write_all(answer).await.unwrap();
                    if matches!(after, AfterAnswer::CloseSilently) {
                        // Later, once the client has put the connection back in its pool.
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    if !matches!(after, AfterAnswer::KeepOpen) {
                        drop(socket);
                        let _ = closed.send(());
                        return;
                    }
                }
            });
        }
    });
    (endpoint, accepted, closed_rx)
}

/// Where the first complete request in `buffer` ends, if it is complete.
fn find_request_end(buffer: &[u8]) -> Option<usize> {
    let head_end = buffer.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .map_or(0, |value| value.trim().parse().unwrap());
    (buffer.len() >= head_end + length).then_some(head_end + length)
}

/// Calls go over one kept-alive connection; when the server closes it, saying so or not, the
/// next call opens a new one and succeeds without a retry.
#[tokio::test]
async fn connections_are_kept_alive_and_replaced_when_the_server_closes_them() {
    let (endpoint, accepted, mut closed) = raw_server(|index| match index {
        2 => AfterAnswer::CloseSaying,
        4 => AfterAnswer::CloseSilently,
        _ => AfterAnswer::KeepOpen,
    })
    .await;
    // No retries: a call that met a closed connection would fail.
    let client = stub_client(endpoint, quick_retries(1));
    let heartbeat = || client.record_activity_task_heartbeat("tok", None);
    for _ in 0..3 {
        heartbeat().await.expect("answered");
    }
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
    closed.recv().await.unwrap();
    for _ in 0..2 {
        heartbeat().await.expect("answered on a new connection");
    }
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 2);
    // The silent close has reached the client before its next call.
    closed.recv().await.unwrap();
    heartbeat()
        .await
        .expect("answered on a new connection after a silent close");
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 3);
}

/// An answer cut short, and a server that never answers, are transport errors (retryable)
/// naming what happened; the client neither hangs nor reuses the broken connection.
#[tokio::test]
async fn broken_answers_are_transport_errors() {
    let (endpoint, accepted, _closed) = raw_server(|index| match index {
        0 => AfterAnswer::CutBodyShort,
        _ => AfterAnswer::KeepOpen,
    })
    .await;
    let client = stub_client(endpoint, quick_retries(1));
    let error = client
        .record_activity_task_heartbeat("tok", None)
        .await
        .expect_err("the body was cut short");
    assert!(matches!(error, SwfError::Transport { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert!(error.to_string().contains("request failed"), "{error}");
    client
        .record_activity_task_heartbeat("tok", None)
        .await
        .expect("the next call gets a new connection");
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 2);

    let (endpoint, _accepted, _closed) = raw_server(|_| AfterAnswer::NeverAnswer).await;
    let config = ClientConfig {
        endpoint: Some(endpoint),
        region: Some("us-east-1".to_owned()),
        call_timeout: Duration::from_millis(300),
        retry: quick_retries(1),
        ..ClientConfig::default()
    };
    let client = SwfClient::new(
        config,
        Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"),
    )
    .unwrap();
    let started = Instant::now();
    let error = client
        .record_activity_task_heartbeat("tok", None)
        .await
        .expect_err("never answered");
    assert!(matches!(error, SwfError::Transport { .. }), "{error:?}");
    assert!(error.to_string().contains("timed out"), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

fn client_through(endpoint: String, proxy: String) -> SwfClient {
    let config = ClientConfig {
        endpoint: Some(endpoint),
        region: Some("us-east-1".to_owned()),
        proxy: Some(proxy),
        retry: quick_retries(1),
        ..ClientConfig::default()
    };
    SwfClient::new(
        config,
        Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"),
    )
    .unwrap()
}

/// With a proxy set, calls go through a CONNECT tunnel of a real proxy (Debian's tinyproxy),
/// with its Basic credentials; a proxy that refuses them, or is not there, is a transport error
/// that names the proxy but never its password.
#[tokio::test]
async fn calls_go_through_a_proxy_tunnel_with_its_credentials() {
    use common::tinyproxy::{PASSWORD, Tinyproxy};

    let dir = tempfile::tempdir().unwrap();
    let proxy = Tinyproxy::start(dir.path());
    let (endpoint, accepted, _closed) = raw_server(|_| AfterAnswer::KeepOpen).await;
    let target = endpoint.strip_prefix("http://").unwrap().to_owned();

    let client = client_through(endpoint.clone(), proxy.url(true));
    for _ in 0..3 {
        client
            .record_activity_task_heartbeat("tok", None)
            .await
            .expect("answered through the tunnel");
    }
    // One tunnel, kept alive for the three calls.
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
    let log = proxy.log();
    let tunnels = log.matches(&format!("CONNECT {target} HTTP/1.1")).count();
    assert_eq!(tunnels, 1, "{log}");

    let refused = client_through(endpoint.clone(), proxy.url(false))
        .record_activity_task_heartbeat("tok", None)
        .await
        .expect_err("no credentials");
    assert!(matches!(refused, SwfError::Transport { .. }), "{refused:?}");
    let message = refused.to_string();
    assert!(message.contains("asks for credentials"), "{message}");
    assert!(message.contains(&proxy.url(false)), "{message}");

    let wrong = proxy.url(true).replace(PASSWORD, "wrong-password");
    let refused = client_through(endpoint.clone(), wrong)
        .record_activity_task_heartbeat("tok", None)
        .await
        .expect_err("wrong credentials");
    let message = refused.to_string();
    assert!(message.contains("the ones given were refused"), "{message}");
    assert!(!message.contains("wrong-password"), "{message}");
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);

    let absent = format!("http://user:{PASSWORD}@127.0.0.1:{}", moto::free_port());
    let error = client_through(endpoint, absent)
        .record_activity_task_heartbeat("tok", None)
        .await
        .expect_err("no proxy listens there");
    let message = format!("{error} {error:?}");
    assert!(
        message.contains("through the proxy http://127.0.0.1:"),
        "{message}"
    );
    assert!(!message.contains(PASSWORD), "{message}");
}

/// The command line takes its proxy from the environment (`HTTP_PROXY` for moto's `http`
/// endpoint) unless `NO_PROXY` covers the endpoint's host.
#[test]
fn the_command_line_takes_its_proxy_from_the_environment() {
    use common::tinyproxy::{PASSWORD, Tinyproxy};

    let moto = Moto::start(common::workspace());
    let dir = tempfile::tempdir().unwrap();
    let proxy = Tinyproxy::start(dir.path());
    std::fs::write(
        dir.path().join("swfwasm.toml"),
        format!(
            "domain = \"proxied\"\nendpoint = \"{}\"\nregion = \"us-east-1\"\nplugins = [{:?}, {:?}]\n",
            moto.endpoint(),
            common::plugin("hello-decider"),
            common::plugin("hello-activity")
        ),
    )
    .unwrap();
    let target = moto.endpoint().strip_prefix("http://").unwrap().to_owned();
    let tunnels = || {
        proxy
            .log()
            .matches(&format!("CONNECT {target} HTTP/1.1"))
            .count()
    };
    let register = |no_proxy: &str| {
        let output = common::swfwasm_in(dir.path())
            .env("HTTP_PROXY", proxy.url(true))
            .env("NO_PROXY", no_proxy)
            .arg("register")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(!stderr.contains(PASSWORD), "{stderr}");
        let stdout = common::succeeded(output, "swfwasm register");
        assert!(!stdout.contains(PASSWORD), "{stdout}");
    };
    register("example.com");
    assert!(tunnels() >= 1, "{}", proxy.log());
    let before = tunnels();
    register("example.com,127.0.0.1");
    assert_eq!(tunnels(), before, "{}", proxy.log());
}
