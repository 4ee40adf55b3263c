//! The web console, on the SWF endpoint's port under `/console`: domains; a domain's open and
//! closed executions with filters (status, type, workflow id, tag), paged; an execution's page
//! with its summary, payloads, a timeline, the events table (attributes folded as JSON, the
//! artifact pin of each decision, links to parent and child runs), paged by 1,000 events; and
//! forms to start, signal, request cancel and terminate.
//!
//! Server-rendered HTML without script. Every page reads, and every form writes, through
//! [`api::call`], the function the SWF API runs, so the console sees and does exactly what a
//! client would.

mod html;
mod timeline;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use swf_model::{Action, HistoryEvent};

use crate::api::{self, Shared};
use html::{escape, json_details, page, url};

/// Events per page of an execution.
const EVENTS_PER_PAGE: u32 = 1_000;
/// Executions per page of a domain.
const EXECUTIONS_PER_PAGE: u32 = 100;

/// The console's routes.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/console", get(domains))
        .route("/console/{domain}", get(executions))
        .route("/console/{domain}/start", post(start))
        .route("/console/{domain}/{workflow_id}/{run_id}", get(execution))
        .route(
            "/console/{domain}/{workflow_id}/{run_id}/signal",
            post(signal),
        )
        .route(
            "/console/{domain}/{workflow_id}/{run_id}/cancel",
            post(cancel),
        )
        .route(
            "/console/{domain}/{workflow_id}/{run_id}/terminate",
            post(terminate),
        )
        .with_state(shared)
}

/// Runs `action` as the API would; an error becomes the page's answer.
async fn call(shared: &Shared, action: Action, body: Value) -> Result<Value, Response> {
    match api::call(shared, action, body.to_string().as_bytes()).await {
        Ok(answer) => Ok(answer.map_or(Value::Null, |json| {
            serde_json::from_str(&json).expect("the API answers JSON it wrote")
        })),
        Err(error) => Err((
            StatusCode::BAD_REQUEST,
            Html(page(
                "Error",
                &format!("<p>{action} failed: {}</p>", escape(&error.to_string())),
            )),
        )
            .into_response()),
    }
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("")
}

/// Seconds since the epoch as `YYYY-MM-DD hh:mm:ss` UTC.
fn time(value: &Value) -> String {
    let Some(seconds) = value.as_f64() else {
        return String::new();
    };
    let seconds = seconds as i64;
    let (year, month, day) = swf_model::time::civil_from_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

async fn domains(State(shared): State<Arc<Shared>>) -> Response {
    let answer = match call(
        &shared,
        Action::ListDomains,
        json!({"registrationStatus": "REGISTERED", "maximumPageSize": 1000}),
    )
    .await
    {
        Ok(answer) => answer,
        Err(page) => return page,
    };
    let mut rows = String::new();
    for info in answer["domainInfos"].as_array().into_iter().flatten() {
        let name = text(&info["name"]);
        rows.push_str(&format!(
            r#"<tr><td><a href="/console/{}">{}</a></td><td>{}</td></tr>"#,
            url(name),
            escape(name),
            escape(text(&info["description"]))
        ));
    }
    Html(page(
        "Domains",
        &format!("<table><tr><th>domain</th><th>description</th></tr>{rows}</table>"),
    ))
    .into_response()
}

/// The filters of a domain's execution list.
#[derive(Debug, Default, Deserialize)]
struct Filters {
    /// `open` (default) or `closed`.
    status: Option<String>,
    #[serde(rename = "type")]
    workflow_type: Option<String>,
    workflow_id: Option<String>,
    tag: Option<String>,
    token: Option<String>,
}

async fn executions(
    State(shared): State<Arc<Shared>>,
    Path(domain): Path<String>,
    Query(filters): Query<Filters>,
) -> Response {
    let closed = filters.status.as_deref() == Some("closed");
    let mut body = json!({"domain": domain, "startTimeFilter": {"oldestDate": 0},
        "maximumPageSize": EXECUTIONS_PER_PAGE});
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    // SWF takes one filter besides time; the console applies the most specific one given.
    if let Some(id) = nonempty(&filters.workflow_id) {
        body["executionFilter"] = json!({"workflowId": id});
    } else if let Some(name) = nonempty(&filters.workflow_type) {
        body["typeFilter"] = json!({"name": name});
    } else if let Some(tag) = nonempty(&filters.tag) {
        body["tagFilter"] = json!({"tag": tag});
    }
    if let Some(token) = nonempty(&filters.token) {
        body["nextPageToken"] = json!(token);
    }
    let action = if closed {
        Action::ListClosedWorkflowExecutions
    } else {
        Action::ListOpenWorkflowExecutions
    };
    let answer = match call(&shared, action, body).await {
        Ok(answer) => answer,
        Err(page) => return page,
    };
    let d = url(&domain);
    let mut rows = String::new();
    for info in answer["executionInfos"].as_array().into_iter().flatten() {
        let execution = &info["execution"];
        let status = info["closeStatus"]
            .as_str()
            .unwrap_or(text(&info["executionStatus"]));
        rows.push_str(&format!(
            r#"<tr><td><a href="/console/{d}/{}/{}">{}</a></td><td>{} {}</td><td class="status-{status}">{status}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            url(text(&execution["workflowId"])),
            url(text(&execution["runId"])),
            escape(text(&execution["workflowId"])),
            escape(text(&info["workflowType"]["name"])),
            escape(text(&info["workflowType"]["version"])),
            time(&info["startTimestamp"]),
            time(&info["closeTimestamp"]),
            escape(&info["tagList"].as_array().map(|t| t.iter().map(text).collect::<Vec<_>>().join(", ")).unwrap_or_default()),
        ));
    }
    let value = |v: &Option<String>| escape(v.as_deref().unwrap_or(""));
    let next = answer["nextPageToken"]
        .as_str()
        .map(|token| {
            format!(
                r#"<p><a href="/console/{d}?status={}&amp;type={}&amp;workflow_id={}&amp;tag={}&amp;token={}">next page</a></p>"#,
                if closed { "closed" } else { "open" },
                url(filters.workflow_type.as_deref().unwrap_or("")),
                url(filters.workflow_id.as_deref().unwrap_or("")),
                url(filters.tag.as_deref().unwrap_or("")),
                url(token)
            )
        })
        .unwrap_or_default();
    let body = format!(
        r#"<p><a href="/console/{d}?status=open">open</a> · <a href="/console/{d}?status=closed">closed</a></p>
<form method="get" action="/console/{d}"><input type="hidden" name="status" value="{status}">
type <input name="type" value="{wt}"> workflow id <input name="workflow_id" value="{wid}"> tag <input name="tag" value="{tag}"> <button>filter</button></form>
<form method="post" action="/console/{d}/start" id="start">type <input name="workflow_type" required> version <input name="version" required>
workflow id <input name="workflow_id"> input <input name="input"> <button>start</button></form>
<table id="executions"><tr><th>workflow id</th><th>type</th><th>status</th><th>started</th><th>closed</th><th>tags</th></tr>{rows}</table>{next}"#,
        status = if closed { "closed" } else { "open" },
        wt = value(&filters.workflow_type),
        wid = value(&filters.workflow_id),
        tag = value(&filters.tag),
    );
    let title = format!(
        "{domain}: {} executions",
        if closed { "closed" } else { "open" }
    );
    Html(page(&title, &body)).into_response()
}

/// The form that starts an execution.
#[derive(Debug, Deserialize)]
struct StartForm {
    workflow_type: String,
    version: String,
    workflow_id: Option<String>,
    input: Option<String>,
}

async fn start(
    State(shared): State<Arc<Shared>>,
    Path(domain): Path<String>,
    Form(form): Form<StartForm>,
) -> Response {
    let workflow_id = form
        .workflow_id
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            format!("{}-{nanos}", form.workflow_type)
        });
    let mut body = json!({"domain": domain, "workflowId": workflow_id,
        "workflowType": {"name": form.workflow_type, "version": form.version}});
    if let Some(input) = form.input.filter(|i| !i.is_empty()) {
        body["input"] = json!(input);
    }
    match call(&shared, Action::StartWorkflowExecution, body).await {
        Ok(answer) => Redirect::to(&format!(
            "/console/{}/{}/{}",
            url(&domain),
            url(&workflow_id),
            url(text(&answer["runId"]))
        ))
        .into_response(),
        Err(page) => page,
    }
}

/// Which page of a history.
#[derive(Debug, Default, Deserialize)]
struct EventsPage {
    token: Option<String>,
}

async fn execution(
    State(shared): State<Arc<Shared>>,
    Path((domain, workflow_id, run_id)): Path<(String, String, String)>,
    Query(paging): Query<EventsPage>,
) -> Response {
    let target = json!({"workflowId": workflow_id, "runId": run_id});
    let described = match call(
        &shared,
        Action::DescribeWorkflowExecution,
        json!({"domain": domain, "execution": target}),
    )
    .await
    {
        Ok(answer) => answer,
        Err(page) => return page,
    };
    let mut body = json!({"domain": domain, "execution": target,
        "maximumPageSize": EVENTS_PER_PAGE});
    if let Some(token) = paging.token.filter(|t| !t.is_empty()) {
        body["nextPageToken"] = json!(token);
    }
    let history = match call(&shared, Action::GetWorkflowExecutionHistory, body).await {
        Ok(answer) => answer,
        Err(page) => return page,
    };
    let raw: Vec<Value> = history["events"].as_array().cloned().unwrap_or_default();
    let typed: Vec<HistoryEvent> = raw
        .iter()
        .filter_map(|e| serde_json::from_value(e.clone()).ok())
        .collect();
    let d = url(&domain);
    let base = format!("/console/{d}/{}/{}", url(&workflow_id), url(&run_id));
    let info = &described["executionInfo"];
    let status = info["closeStatus"]
        .as_str()
        .unwrap_or(text(&info["executionStatus"]));
    let mut out = format!(
        r#"<table id="summary"><tr><th>domain</th><td><a href="/console/{d}">{}</a></td></tr>
<tr><th>run id</th><td>{}</td></tr><tr><th>type</th><td>{} {}</td></tr>
<tr><th>status</th><td class="status-{status}">{status}</td></tr>
<tr><th>started</th><td>{}</td></tr><tr><th>closed</th><td>{}</td></tr>"#,
        escape(&domain),
        escape(&run_id),
        escape(text(&info["workflowType"]["name"])),
        escape(text(&info["workflowType"]["version"])),
        time(&info["startTimestamp"]),
        time(&info["closeTimestamp"]),
    );
    if let Some(parent) = info.get("parent").filter(|p| p.is_object()) {
        out.push_str(&format!(
            r#"<tr><th>parent</th><td><a href="/console/{d}/{}/{}">{}</a></td></tr>"#,
            url(text(&parent["workflowId"])),
            url(text(&parent["runId"])),
            escape(text(&parent["workflowId"]))
        ));
    }
    out.push_str("</table>");
    if status == "OPEN" {
        out.push_str(&format!(
            r#"<form method="post" action="{base}/signal" id="signal">signal <input name="signal_name" required> input <input name="input"> <button>signal</button></form>
<form method="post" action="{base}/cancel" id="cancel"><button>request cancel</button></form>
<form method="post" action="{base}/terminate" id="terminate">reason <input name="reason"> <button>terminate</button></form>"#
        ));
    }
    out.push_str(&payloads(&raw));
    if let (Some(first), Some(last)) = (typed.first(), typed.last()) {
        out.push_str("<h2>Timeline</h2>");
        out.push_str(&timeline::svg(
            &timeline::bars(&typed),
            first.event_timestamp,
            last.event_timestamp,
        ));
    }
    out.push_str(&events_table(&raw, &d));
    if let Some(token) = history["nextPageToken"].as_str() {
        out.push_str(&format!(
            r#"<p><a href="{base}?token={}">next {EVENTS_PER_PAGE} events</a></p>"#,
            url(token)
        ));
    }
    Html(page(&workflow_id, &out)).into_response()
}

/// The run's input, result or failure, from its start and close events on this page.
fn payloads(events: &[Value]) -> String {
    let mut out = String::new();
    for event in events {
        let (label, attributes) = match text(&event["eventType"]) {
            "WorkflowExecutionStarted" => {
                ("input", &event["workflowExecutionStartedEventAttributes"])
            }
            "WorkflowExecutionCompleted" => (
                "result",
                &event["workflowExecutionCompletedEventAttributes"],
            ),
            "WorkflowExecutionFailed" => {
                ("failure", &event["workflowExecutionFailedEventAttributes"])
            }
            _ => continue,
        };
        let shown = match label {
            "input" => attributes["input"].clone(),
            "result" => attributes["result"].clone(),
            _ => json!({"reason": attributes["reason"], "details": attributes["details"]}),
        };
        out.push_str(&format!(
            "<h2>{label}</h2><pre id=\"{label}\">{}</pre>",
            escape(&match &shown {
                Value::String(s) => s.clone(),
                Value::Null => "(none)".to_owned(),
                other => serde_json::to_string_pretty(other).unwrap_or_default(),
            })
        ));
    }
    out
}

/// The events table: id, type, time, attributes (folded JSON), and for decisions the artifact
/// pin, for child runs a link.
fn events_table(events: &[Value], domain_url: &str) -> String {
    let start = events
        .first()
        .and_then(|e| e["eventTimestamp"].as_f64())
        .unwrap_or(0.0);
    let mut rows = String::new();
    for event in events {
        let event_type = text(&event["eventType"]);
        let attributes = event
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.ends_with("EventAttributes")))
            .map_or(&Value::Null, |(_, v)| v);
        let mut notes = String::new();
        if let Some(pin) = attributes["executionContext"]
            .as_str()
            .and_then(|c| c.strip_prefix("swfwasm-decider:"))
        {
            notes = format!("decider {}", escape(&pin[..pin.len().min(12)]));
        }
        if event_type == "ChildWorkflowExecutionStarted" {
            let child = &attributes["workflowExecution"];
            notes = format!(
                r#"<a href="/console/{domain_url}/{}/{}">child {}</a>"#,
                url(text(&child["workflowId"])),
                url(text(&child["runId"])),
                escape(text(&child["workflowId"]))
            );
        }
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>+{:.3}s</td><td>{}</td><td>{}</td></tr>",
            event["eventId"],
            escape(event_type),
            event["eventTimestamp"].as_f64().unwrap_or(start) - start,
            notes,
            json_details("attributes", attributes)
        ));
    }
    format!(
        r#"<h2>Events</h2><table id="events"><tr><th>id</th><th>type</th><th>time</th><th></th><th>attributes</th></tr>{rows}</table>"#
    )
}

/// The signal form.
#[derive(Debug, Deserialize)]
struct SignalForm {
    signal_name: String,
    input: Option<String>,
}

async fn signal(
    State(shared): State<Arc<Shared>>,
    Path((domain, workflow_id, run_id)): Path<(String, String, String)>,
    Form(form): Form<SignalForm>,
) -> Response {
    let mut body = json!({"domain": domain, "workflowId": workflow_id, "runId": run_id,
        "signalName": form.signal_name});
    if let Some(input) = form.input.filter(|i| !i.is_empty()) {
        body["input"] = json!(input);
    }
    back(
        &shared,
        Action::SignalWorkflowExecution,
        body,
        &domain,
        &workflow_id,
        &run_id,
    )
    .await
}

async fn cancel(
    State(shared): State<Arc<Shared>>,
    Path((domain, workflow_id, run_id)): Path<(String, String, String)>,
) -> Response {
    let body = json!({"domain": domain, "workflowId": workflow_id, "runId": run_id});
    back(
        &shared,
        Action::RequestCancelWorkflowExecution,
        body,
        &domain,
        &workflow_id,
        &run_id,
    )
    .await
}

/// The terminate form.
#[derive(Debug, Deserialize)]
struct TerminateForm {
    reason: Option<String>,
}

async fn terminate(
    State(shared): State<Arc<Shared>>,
    Path((domain, workflow_id, run_id)): Path<(String, String, String)>,
    Form(form): Form<TerminateForm>,
) -> Response {
    let mut body = json!({"domain": domain, "workflowId": workflow_id, "runId": run_id});
    if let Some(reason) = form.reason.filter(|r| !r.is_empty()) {
        body["reason"] = json!(reason);
    }
    back(
        &shared,
        Action::TerminateWorkflowExecution,
        body,
        &domain,
        &workflow_id,
        &run_id,
    )
    .await
}

/// Runs an action on a run and returns to the run's page.
async fn back(
    shared: &Shared,
    action: Action,
    body: Value,
    domain: &str,
    workflow_id: &str,
    run_id: &str,
) -> Response {
    match call(shared, action, body).await {
        Ok(_) => Redirect::to(&format!(
            "/console/{}/{}/{}",
            url(domain),
            url(workflow_id),
            url(run_id)
        ))
        .into_response(),
        Err(page) => page,
    }
}
