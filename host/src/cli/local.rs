//! `swfwasm local` (the local SWF service alone) and `swfwasm dev` (the service in-process with
//! a worker running the plugins of a directory).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use local_swf::{Durability, LocalSwf, LocalSwfConfig, Verifier};
use swf_model::{CloseStatus, StartWorkflowExecutionInput, WorkflowExecution, WorkflowType};
use swfwasm::metrics::Health;
use swfwasm::runtime::{PluginRuntime, PluginTypes};
use swfwasm::swf::SwfClient;
use swfwasm::worker::plugin_dir::PluginDirectory;
use swfwasm::worker::registration::{self, Registered};
use swfwasm::worker::{PluginSet, Shutdown, Worker, WorkerConfig};

/// Options of the local SWF service.
#[derive(Debug, Args)]
pub struct ServiceArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// How long an empty poll is held, in seconds (SWF holds 60).
    #[arg(long, default_value_t = 60)]
    poll_hold_secs: u64,
    /// Accept requests whatever their signature.
    #[arg(long)]
    no_verify_signature: bool,
    /// Access key id requests must be signed with.
    #[arg(long, default_value = "local")]
    access_key_id: String,
    /// Secret access key requests must be signed with.
    #[arg(long, default_value = "local")]
    secret_access_key: String,
    /// Region used in ARNs (clients may sign for any region).
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Commit without waiting for the disk to flush (survives a killed process, not a power
    /// loss).
    #[arg(long)]
    fast_commits: bool,
    /// Treat an activity heartbeat timeout that neither the decision nor the type gives as NONE
    /// instead of failing the ScheduleActivityTask decision.
    #[arg(long)]
    lenient_heartbeat_timeout: bool,
    /// Serve the web console (/console) even when --host is not a loopback address; it checks
    /// no signature, so anyone who reaches the port can start and terminate runs.
    #[arg(long)]
    console: bool,
    /// Skip time: when no task is in flight or about to be handed out, the service's clock
    /// jumps to the next timer or timeout. For tests of workflows that wait hours or days.
    #[arg(long)]
    time_skipping: bool,
}

impl ServiceArgs {
    fn config(&self, database: PathBuf) -> LocalSwfConfig {
        let mut config = LocalSwfConfig::new(database);
        config.listen = (self.host, self.port).into();
        config.poll_hold = Duration::from_secs(self.poll_hold_secs);
        config.verifier = (!self.no_verify_signature)
            .then(|| Verifier::new(&self.access_key_id, &self.secret_access_key));
        config.region = self.region.clone();
        if self.fast_commits {
            config.durability = Durability::Normal;
        }
        config.lenient_heartbeat_timeout = self.lenient_heartbeat_timeout;
        config.time_skipping = self.time_skipping;
        config.console = self.host.is_loopback() || self.console;
        if !config.console {
            tracing::warn!(host = %self.host, "web console off: not a loopback address (give --console to serve it anyway)");
        }
        config
    }
}

/// `swfwasm local`: serves until SIGINT/SIGTERM.
pub async fn local(args: ServiceArgs, database: &Path) -> anyhow::Result<ExitCode> {
    let service = start_service(&args, database).await?;
    println!("local-swf listening on {}", service.endpoint());
    std::io::stdout().flush()?;
    print_snippet(&service, &args, None);
    wait_for_signal().await;
    service.stop().await;
    Ok(ExitCode::SUCCESS)
}

async fn start_service(args: &ServiceArgs, database: &Path) -> anyhow::Result<LocalSwf> {
    if let Some(dir) = database.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let service = LocalSwf::start(args.config(database.to_owned())).await?;
    tracing::info!(
        "local SWF on {} (database {}, {} open runs)",
        service.endpoint(),
        database.display(),
        service.open_runs_at_start()
    );
    Ok(service)
}

/// How to talk to the service, on stderr (stdout is for results).
fn print_snippet(service: &LocalSwf, args: &ServiceArgs, domain: Option<&str>) {
    let endpoint = service.endpoint();
    let (key, secret, region) = (&args.access_key_id, &args.secret_access_key, &args.region);
    let domain = domain.unwrap_or("my-domain");
    eprintln!(
        "\nSWF endpoint: {endpoint}\n\
         boto3:\n    import boto3, botocore.config\n    swf = boto3.client(\"swf\", endpoint_url=\"{endpoint}\", region_name=\"{region}\",\n        aws_access_key_id=\"{key}\", aws_secret_access_key=\"{secret}\",\n        config=botocore.config.Config(read_timeout=70))\n    swf.list_open_workflow_executions(domain=\"{domain}\", startTimeFilter={{\"oldestDate\": 0}})\n\
         AWS CLI:\n    AWS_ACCESS_KEY_ID={key} AWS_SECRET_ACCESS_KEY={secret} aws swf --endpoint-url {endpoint} --region {region} \\\n        --cli-read-timeout 70 list-domains --registration-status REGISTERED\n\
         swfwasm:\n    AWS_ACCESS_KEY_ID={key} AWS_SECRET_ACCESS_KEY={secret} AWS_REGION={region} swfwasm --config <file with endpoint = \"{endpoint}\"> history <workflow id>\n"
    );
}

/// Options of `swfwasm dev`.
#[derive(Debug, Args)]
pub struct DevArgs {
    #[command(flatten)]
    service: ServiceArgs,
    /// Directory whose `*.wasm` plugins are loaded, and watched: artifacts added or replaced
    /// are activated without a restart.
    #[arg(long, default_value = "target/plugins")]
    plugins: PathBuf,
    /// Directory for the service's data file.
    #[arg(long, default_value = ".swfwasm")]
    data_dir: PathBuf,
    /// Domain to register and poll.
    #[arg(long, default_value = "swfwasm-dev")]
    domain: String,
    /// Start one execution of this workflow type, wait for it to close, print its history and
    /// exit (0 if it completed).
    #[arg(long, value_name = "WORKFLOW_TYPE")]
    run: Option<String>,
    /// Input of the execution started by --run.
    #[arg(long, requires = "run")]
    input: Option<String>,
    /// How long --run waits for the execution to close, in seconds.
    #[arg(long, default_value_t = 120, requires = "run")]
    timeout_secs: u64,
    /// Serve the worker's /metrics, /healthz and /readyz on this address.
    #[arg(long)]
    metrics_addr: Option<std::net::SocketAddr>,
}

/// `swfwasm dev`.
pub async fn dev(runtime: PluginRuntime, args: DevArgs) -> anyhow::Result<ExitCode> {
    let shutdown = Shutdown::new();
    let signalled = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        signalled.trigger();
    });
    let runtime = Arc::new(runtime);
    let health = Arc::new(Health::new(Duration::from_secs(30)));
    if let Some(addr) = args.metrics_addr {
        super::run::serve_metrics(addr, health.clone()).await?;
    }
    let service = start_service(&args.service, &args.data_dir.join("local-swf.sqlite")).await?;
    let client = SwfClient::with_static_credentials(
        service.endpoint(),
        args.service.region.clone(),
        args.service.access_key_id.clone(),
        args.service.secret_access_key.clone(),
        None,
    )?;
    // The initial set is registered below, domain first; the directory registers what
    // arrives later.
    let (directory, plugins) =
        PluginDirectory::open(&args.plugins, runtime.clone(), Vec::new(), None)
            .await
            .with_context(|| {
                format!(
                    "cannot read the plugin directory {} (build the plugins with \
                     scripts/build-plugins, or pass --plugins DIR)",
                    args.plugins.display()
                )
            })?;
    if plugins.plugins().is_empty() {
        service.stop().await;
        bail!("no loadable *.wasm plugins in {}", args.plugins.display());
    }
    register(&client, &args.domain, &plugins).await?;
    let directory = directory.registering(client.clone(), args.domain.clone());
    print_snippet(&service, &args.service, Some(&args.domain));
    let mut config = WorkerConfig::new(args.domain.clone());
    config.endpoint = Some(service.endpoint());
    config.region = Some(args.service.region.clone());
    let run_once = match &args.run {
        Some(workflow_type) => {
            let version = declared_version(&plugins, workflow_type)?;
            Some(start(&client, &args, workflow_type, version).await?)
        }
        None => None,
    };
    let worker = Worker::new(client.clone(), runtime, plugins, config).with_health(health);
    tokio::spawn(directory.watch(worker.live_plugins(), shutdown.clone()));
    let worker = tokio::spawn(worker.serve(shutdown.clone()));
    let code = match run_once {
        Some(execution) => {
            let waited = tokio::select! {
                closed = wait_closed(&client, &args.domain, &execution, args.timeout_secs) => Some(closed),
                _ = shutdown.triggered() => None,
            };
            match waited {
                Some(Ok(status)) => {
                    let events = client
                        .get_workflow_execution_history(&args.domain, &execution)
                        .await?;
                    println!("{}", serde_json::to_string_pretty(&events)?);
                    eprintln!("{} closed: {}", execution.workflow_id, status.as_str());
                    if status == CloseStatus::Completed {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::FAILURE
                    }
                }
                Some(Err(e)) => {
                    shutdown.trigger();
                    service.stop().await;
                    return Err(e);
                }
                None => ExitCode::FAILURE,
            }
        }
        None => {
            shutdown.triggered().await;
            ExitCode::SUCCESS
        }
    };
    shutdown.trigger();
    service.stop().await;
    worker.await??;
    Ok(code)
}

async fn register(client: &SwfClient, domain: &str, plugins: &PluginSet) -> anyhow::Result<()> {
    let mut done = vec![registration::register_domain(client, domain, 1).await?];
    for plugin in plugins.plugins() {
        done.extend(registration::register_types(client, domain, &plugin).await?);
    }
    for outcome in done {
        match outcome {
            Registered::Created(what) => eprintln!("registered {what}"),
            Registered::Existing(what) => eprintln!("already registered: {what}"),
        }
    }
    Ok(())
}

/// The single version of workflow type `name` the plugins declare.
pub(super) fn declared_version(plugins: &PluginSet, name: &str) -> anyhow::Result<String> {
    let mut versions = Vec::new();
    for plugin in plugins.plugins() {
        if let PluginTypes::Workflows(types) = plugin.types() {
            versions.extend(
                types
                    .iter()
                    .filter(|t| t.name == name)
                    .map(|t| t.version.clone()),
            );
        }
    }
    match versions.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("no plugin declares workflow type {name}"),
        many => bail!(
            "workflow type {name} has several versions: {}",
            many.join(", ")
        ),
    }
}

async fn start(
    client: &SwfClient,
    args: &DevArgs,
    workflow_type: &str,
    version: String,
) -> anyhow::Result<WorkflowExecution> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let workflow_id = format!("{workflow_type}-{nanos}");
    let run_id = client
        .start_workflow_execution(&StartWorkflowExecutionInput {
            domain: args.domain.clone(),
            workflow_id: workflow_id.clone(),
            workflow_type: WorkflowType::new(workflow_type, version),
            input: args.input.clone(),
            ..Default::default()
        })
        .await?;
    eprintln!("started workflowId={workflow_id} runId={run_id}");
    Ok(WorkflowExecution::new(workflow_id, run_id))
}

async fn wait_closed(
    client: &SwfClient,
    domain: &str,
    execution: &WorkflowExecution,
    timeout_secs: u64,
) -> anyhow::Result<CloseStatus> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout_secs);
    loop {
        let described = client
            .describe_workflow_execution(domain, execution)
            .await?;
        if let Some(status) = described.execution_info.close_status {
            return Ok(status);
        }
        if tokio::time::Instant::now() > deadline {
            bail!(
                "{} did not close within {timeout_secs} s",
                execution.workflow_id
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
        }
        _ => std::future::pending().await,
    }
}
