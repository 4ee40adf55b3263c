//! Operator commands against SWF: register, start, history, list, signal, terminate, cancel.
//! They read the same configuration file as `swfwasm run` for the domain, endpoint and
//! plugins, and turn SWF faults into messages that say what to do.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde::de::IgnoredAny;
use swf_model::{
    Action, ExecutionTimeFilter, HistoryEvent, ListClosedWorkflowExecutionsInput,
    ListOpenWorkflowExecutionsInput, RequestCancelWorkflowExecutionInput,
    SignalWorkflowExecutionInput, StartWorkflowExecutionInput, StartWorkflowExecutionOutput,
    TaskList, TerminateWorkflowExecutionInput, WorkflowExecution, WorkflowExecutionFilter,
    WorkflowExecutionInfo, WorkflowType,
};
use swfwasm::runtime::PluginRuntime;
use swfwasm::swf::{SwfClient, SwfError};
use swfwasm::worker::WorkerConfig;
use swfwasm::worker::registration::{self, Registered};

use super::run::{client, load_plugins};

/// Turns an SWF fault into a message that says what to do about it.
fn explain(error: SwfError, domain: &str) -> anyhow::Error {
    let text = error.to_string();
    if error.is_unknown_resource() && text.contains("Unknown domain") {
        anyhow::anyhow!("domain '{domain}' is not registered; run swfwasm register ({text})")
    } else if error.is_unknown_resource() && text.contains("Unknown type") {
        anyhow::anyhow!(
            "the workflow type is not registered in domain '{domain}'; run swfwasm register ({text})"
        )
    } else {
        anyhow::Error::new(error)
    }
}

async fn call<I: serde::Serialize, O: serde::de::DeserializeOwned>(
    client: &SwfClient,
    domain: &str,
    action: Action,
    input: &I,
) -> anyhow::Result<O> {
    client
        .call(action, input)
        .await
        .map_err(|e| explain(e, domain))
}

/// Registers the domain and every type the configured plugins declare; what exists already is
/// left as it is.
pub async fn register(
    runtime: &PluginRuntime,
    config: &WorkerConfig,
    retention_days: u32,
) -> anyhow::Result<ExitCode> {
    let client = client(config).await?;
    let domain = &config.domain;
    let plugins = load_plugins(runtime, config).await?;
    let mut done = vec![
        registration::register_domain(&client, domain, retention_days)
            .await
            .map_err(|e| explain(e, domain))?,
    ];
    for plugin in plugins.plugins() {
        done.extend(
            registration::register_types(&client, domain, &plugin)
                .await
                .map_err(|e| explain(e, domain))?,
        );
    }
    for outcome in done {
        match outcome {
            Registered::Created(what) => println!("registered {what}"),
            Registered::Existing(what) => println!("already registered: {what}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `swfwasm start` was asked to start.
pub struct StartRequest {
    pub workflow_type: String,
    pub version: Option<String>,
    pub input: Option<String>,
    pub workflow_id: Option<String>,
    pub task_list: Option<String>,
}

pub async fn start(
    runtime: &PluginRuntime,
    config: &WorkerConfig,
    request: StartRequest,
) -> anyhow::Result<ExitCode> {
    let version = match request.version {
        Some(v) => v,
        None => declared_version(runtime, config, &request.workflow_type).await?,
    };
    let workflow_id = request.workflow_id.unwrap_or_else(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!("{}-{nanos}", request.workflow_type)
    });
    let input = StartWorkflowExecutionInput {
        domain: config.domain.clone(),
        workflow_id: workflow_id.clone(),
        workflow_type: WorkflowType {
            name: request.workflow_type,
            version,
        },
        task_list: request.task_list.map(|name| TaskList { name }),
        input: request.input,
        ..Default::default()
    };
    let client = client(config).await?;
    let out: StartWorkflowExecutionOutput = call(
        &client,
        &config.domain,
        Action::StartWorkflowExecution,
        &input,
    )
    .await?;
    println!("started workflowId={workflow_id} runId={}", out.run_id);
    Ok(ExitCode::SUCCESS)
}

/// The single version of `name` the configured deciders declare.
async fn declared_version(
    runtime: &PluginRuntime,
    config: &WorkerConfig,
    name: &str,
) -> anyhow::Result<String> {
    let plugins = load_plugins(runtime, config).await?;
    super::local::declared_version(&plugins, name)
        .map_err(|e| anyhow::anyhow!("{e}; pass --version"))
}

/// The run to show: the given one, else the open run of `workflow_id`, else its latest run.
pub(super) async fn resolve_run(
    client: &SwfClient,
    domain: &str,
    workflow_id: &str,
    run_id: Option<String>,
) -> anyhow::Result<WorkflowExecution> {
    if let Some(run_id) = run_id {
        return Ok(WorkflowExecution {
            workflow_id: workflow_id.to_owned(),
            run_id,
        });
    }
    let filter = Some(WorkflowExecutionFilter {
        workflow_id: workflow_id.to_owned(),
    });
    let open = client
        .list_open_workflow_executions(&ListOpenWorkflowExecutionsInput {
            domain: domain.to_owned(),
            start_time_filter: all_time(),
            execution_filter: filter.clone(),
            ..Default::default()
        })
        .await
        .map_err(|e| explain(e, domain))?;
    let closed = client
        .list_closed_workflow_executions(&ListClosedWorkflowExecutionsInput {
            domain: domain.to_owned(),
            start_time_filter: Some(all_time()),
            execution_filter: filter,
            ..Default::default()
        })
        .await
        .map_err(|e| explain(e, domain))?;
    open.into_iter()
        .chain(closed)
        .filter(|i| i.execution.workflow_id == workflow_id)
        .max_by(|a, b| a.start_timestamp.total_cmp(&b.start_timestamp))
        .map(|i| i.execution)
        .with_context(|| format!("no execution with workflowId {workflow_id} in domain '{domain}'"))
}

/// A start-time filter that matches every execution.
fn all_time() -> ExecutionTimeFilter {
    ExecutionTimeFilter {
        oldest_date: 0.0,
        latest_date: None,
    }
}

pub async fn history(
    config: &WorkerConfig,
    workflow_id: &str,
    run_id: Option<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let client = client(config).await?;
    let domain = &config.domain;
    let execution = resolve_run(&client, domain, workflow_id, run_id).await?;
    let events = client
        .get_workflow_execution_history(domain, &execution)
        .await
        .map_err(|e| explain(e, domain))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&events)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "workflowId {}  runId {}",
        execution.workflow_id, execution.run_id
    );
    println!(
        "{:>5}  {:<24}  {:<44}  details",
        "id", "time (UTC)", "event"
    );
    for event in &events {
        println!(
            "{:>5}  {:<24}  {:<44}  {}",
            event.event_id,
            format_time(event.event_timestamp),
            event.event_type(),
            summary(event)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The attributes an operator looks for first, in one short line.
fn summary(event: &HistoryEvent) -> String {
    let attributes = serde_json::to_value(event).unwrap_or_default();
    let Some(fields) = attributes
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.ends_with("EventAttributes")))
        .and_then(|(_, v)| v.as_object())
    else {
        return String::new();
    };
    const KEYS: [&str; 9] = [
        "activityId",
        "timerId",
        "signalName",
        "markerName",
        "result",
        "reason",
        "cause",
        "timeoutType",
        "input",
    ];
    let mut parts = Vec::new();
    if let Some(context) = fields.get("executionContext").and_then(|c| c.as_str())
        && let (Some(digest), _) = swfwasm::worker::pin::decode(context)
    {
        parts.push(format!("decider={}", &digest[..digest.len().min(12)]));
    }
    for key in KEYS {
        if let Some(value) = fields.get(key) {
            let text = value
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| value.to_string());
            parts.push(format!("{key}={}", swf_model::truncate_chars(&text, 60)));
        }
    }
    parts.join(" ")
}

fn format_time(timestamp: f64) -> String {
    let secs = timestamp.floor() as i64;
    let millis = ((timestamp - secs as f64) * 1000.0).round() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = swf_model::time::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{millis:03}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

pub async fn list(config: &WorkerConfig, closed: bool) -> anyhow::Result<ExitCode> {
    let client = client(config).await?;
    let domain = &config.domain;
    let infos = if closed {
        client
            .list_closed_workflow_executions(&ListClosedWorkflowExecutionsInput {
                domain: domain.clone(),
                start_time_filter: Some(all_time()),
                ..Default::default()
            })
            .await
    } else {
        client
            .list_open_workflow_executions(&ListOpenWorkflowExecutionsInput {
                domain: domain.clone(),
                start_time_filter: all_time(),
                ..Default::default()
            })
            .await
    }
    .map_err(|e| explain(e, domain))?;
    println!(
        "{:<36}  {:<24}  {:<20}  {:<10}  started (UTC)",
        "workflowId", "type", "runId", "status"
    );
    for WorkflowExecutionInfo {
        execution,
        workflow_type,
        start_timestamp,
        close_status,
        ..
    } in &infos
    {
        let status = close_status
            .as_ref()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_else(|| "OPEN".into());
        println!(
            "{:<36}  {:<24}  {:<20}  {:<10}  {}",
            execution.workflow_id,
            format!("{} {}", workflow_type.name, workflow_type.version),
            swf_model::truncate_chars(&execution.run_id, 20),
            status,
            format_time(*start_timestamp)
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn signal(
    config: &WorkerConfig,
    workflow_id: String,
    signal_name: String,
    input: Option<String>,
    run_id: Option<String>,
) -> anyhow::Result<ExitCode> {
    let client = client(config).await?;
    let input = SignalWorkflowExecutionInput {
        domain: config.domain.clone(),
        workflow_id,
        run_id,
        signal_name,
        input,
    };
    let _: IgnoredAny = call(
        &client,
        &config.domain,
        Action::SignalWorkflowExecution,
        &input,
    )
    .await?;
    println!("signaled");
    Ok(ExitCode::SUCCESS)
}

pub async fn terminate(
    config: &WorkerConfig,
    workflow_id: String,
    reason: Option<String>,
    run_id: Option<String>,
) -> anyhow::Result<ExitCode> {
    let client = client(config).await?;
    let input = TerminateWorkflowExecutionInput {
        domain: config.domain.clone(),
        workflow_id,
        run_id,
        reason,
        ..Default::default()
    };
    let _: IgnoredAny = call(
        &client,
        &config.domain,
        Action::TerminateWorkflowExecution,
        &input,
    )
    .await?;
    println!("terminated");
    Ok(ExitCode::SUCCESS)
}

pub async fn cancel(
    config: &WorkerConfig,
    workflow_id: String,
    run_id: Option<String>,
) -> anyhow::Result<ExitCode> {
    let client = client(config).await?;
    let input = RequestCancelWorkflowExecutionInput {
        domain: config.domain.clone(),
        workflow_id,
        run_id,
    };
    let _: IgnoredAny = call(
        &client,
        &config.domain,
        Action::RequestCancelWorkflowExecution,
        &input,
    )
    .await?;
    println!("cancel requested");
    Ok(ExitCode::SUCCESS)
}

/// Reads the configuration for an operator command.
pub fn load_config(path: &Path) -> anyhow::Result<WorkerConfig> {
    Ok(WorkerConfig::load(path)?)
}
