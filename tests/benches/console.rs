//! How fast the console renders what the issue sets as its load: a domain with 10,000 open
//! executions (the first page of the list) and a run with a 25,000-event history (its first
//! page of 1,000 events with the timeline, and its last page). An in-process local-swf with
//! fast commits, filled through the API; each page fetched over HTTP, median of 20.
//!
//! `cargo bench -p swfwasm-tests --bench console` (prints the figures; asserts nothing about
//! time).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use local_swf::{Durability, LocalSwf, LocalSwfConfig};
use serde_json::{Value, json};

/// One HTTP/1.1 request; the status and body.
fn http(addr: SocketAddr, method: &str, path: &str, headers: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{headers}\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    (
        status,
        response.split_once("\r\n\r\n").unwrap().1.to_owned(),
    )
}

fn swf(addr: SocketAddr, action: &str, input: Value) -> Value {
    let headers = format!(
        "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: SimpleWorkflowService.{action}\r\n"
    );
    let (status, body) = http(addr, "POST", "/", &headers, &input.to_string());
    assert_eq!(status, 200, "{action}: {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time_page(addr: SocketAddr, path: &str) -> (Duration, usize) {
    let mut samples = Vec::new();
    let mut size = 0;
    for _ in 0..20 {
        let started = Instant::now();
        let (status, body) = http(addr, "GET", path, "", "");
        samples.push(started.elapsed());
        assert_eq!(status, 200, "{path}");
        size = body.len();
    }
    (median(samples), size)
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = LocalSwfConfig::new(dir.path().join("bench.sqlite"));
    config.verifier = None;
    config.durability = Durability::Normal;
    let service = runtime.block_on(LocalSwf::start(config)).unwrap();
    let addr = service.addr();
    swf(
        addr,
        "RegisterDomain",
        json!({"name": "bench",
        "workflowExecutionRetentionPeriodInDays": "1"}),
    );
    swf(
        addr,
        "RegisterWorkflowType",
        json!({"domain": "bench", "name": "Load", "version": "1",
        "defaultTaskList": {"name": "nobody"}, "defaultTaskStartToCloseTimeout": "NONE",
        "defaultExecutionStartToCloseTimeout": "31536000", "defaultChildPolicy": "TERMINATE"}),
    );
    let filling = Instant::now();
    let mut long_run = String::new();
    for n in 0..10_000 {
        let started = swf(
            addr,
            "StartWorkflowExecution",
            json!({"domain": "bench",
            "workflowId": format!("run-{n:05}"), "workflowType": {"name": "Load", "version": "1"}}),
        );
        if n == 0 {
            long_run = started["runId"].as_str().unwrap().to_owned();
        }
    }
    // Started, DecisionTaskScheduled, 24,997 signals: the last one brings the history to
    // SWF's limit, where the run is terminated as event 25,000.
    for n in 0..24_997 {
        swf(
            addr,
            "SignalWorkflowExecution",
            json!({"domain": "bench", "workflowId": "run-00000",
            "signalName": format!("s{n}"), "input": "{}"}),
        );
    }
    println!(
        "filled 10,000 runs and a 25,000-event history in {:.1?}",
        filling.elapsed()
    );

    let (list, list_bytes) = time_page(addr, "/console/bench?status=open");
    println!(
        "executions list, first 100 of 10,000 open runs: {list:.1?} median ({list_bytes} bytes)"
    );
    let run = format!("/console/bench/run-00000/{long_run}");
    let (first, first_bytes) = time_page(addr, &run);
    println!(
        "25,000-event run, first page of 1,000 events + timeline: {first:.1?} median ({first_bytes} bytes)"
    );
    let history = swf(
        addr,
        "GetWorkflowExecutionHistory",
        json!({"domain": "bench",
        "execution": {"workflowId": "run-00000", "runId": long_run}, "maximumPageSize": 1000,
        "reverseOrder": true}),
    );
    assert_eq!(
        history["events"][0]["eventId"], 25_000,
        "the history has 25,000 events"
    );
    let mut token = String::new();
    let mut page = run.clone();
    for _ in 0..24 {
        let (_, body) = http(addr, "GET", &page, "", "");
        token = body
            .split("?token=")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a next page")
            .to_owned();
        page = format!("{run}?token={token}");
    }
    let (last, last_bytes) = time_page(addr, &format!("{run}?token={token}"));
    println!(
        "25,000-event run, last page (events 24,001 to 25,000): {last:.1?} median ({last_bytes} bytes)"
    );
    runtime.block_on(service.stop());
}
