//! Command-line parsing and dispatch. Each subcommand lives in its own module; this one holds
//! the options they share and the error reporting convention: exit 0 on success, otherwise a
//! single `error: …` line on stderr and a non-zero exit code.

mod local;
mod offline;
mod ops;
mod plugins;
mod replay;
mod run;
mod sources;
mod test;

use std::io::IsTerminal;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use swfwasm::grant::{CapabilitiesConfig, Grants, ValueStore};
use swfwasm::runtime::{PluginRuntime, RuntimeConfig};
use swfwasm::swf::{ClientConfig, SwfClient, load_sdk_config};

/// Run Amazon SWF deciders and activity workers as sandboxed WebAssembly components.
#[derive(Debug, Parser)]
#[command(name = "swfwasm", version, about)]
pub struct Cli {
    #[command(flatten)]
    runtime: RuntimeArgs,
    /// The worker configuration file (domain, endpoint, plugins); see the README.
    #[arg(
        long,
        global = true,
        default_value = "swfwasm.toml",
        env = "SWFWASM_CONFIG"
    )]
    config: PathBuf,
    /// Threads that run polls, SWF calls and plugin code [default: 1 for `run`, one per core
    /// otherwise]. One thread switches no threads between a task's calls, which is the
    /// cheapest per task; plugin code then runs on one core (a busy guest yields every epoch
    /// tick, so polls and heartbeats go on), so raise it for CPU-bound activities, or run one
    /// worker per core.
    #[arg(long, global = true, env = "SWFWASM_THREADS")]
    threads: Option<NonZeroUsize>,
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    /// Parses the process arguments (exits with clap's message on bad usage). The options
    /// every plugin-running command shares are global, so they may come before or after the
    /// command; `local` runs no plugins and reads no configuration, so its help leaves them out.
    pub fn parse_args() -> Self {
        // A subcommand that defines an argument itself does not get the global one of that
        // name; `local` gets hidden stand-ins.
        let hidden = [
            ("config", "config"),
            ("cache_dir", "cache-dir"),
            ("no_cache", "no-cache"),
            ("memory_limit_mib", "memory-limit-mib"),
            ("decide_timeout_ms", "decide-timeout-ms"),
        ];
        let command = <Self as clap::CommandFactory>::command().mut_subcommand("local", |local| {
            hidden.iter().fold(local, |local, (id, long)| {
                local.arg(clap::Arg::new(id).long(long).num_args(0..=1).hide(true))
            })
        });
        let matches = command.get_matches();
        <Self as clap::FromArgMatches>::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }

    /// The async runtime's threads: `--threads`, else 1 for `run`, else `None` (one per
    /// core: `local` and `dev` commit to SQLite on a runtime thread, and the other commands do
    /// little).
    pub fn threads(&self) -> Option<NonZeroUsize> {
        self.threads.or(match self.command {
            Command::Run { .. } => Some(NonZeroUsize::MIN),
            _ => None,
        })
    }
}

/// Plugin runtime options shared by every subcommand that runs plugins.
#[derive(Debug, Args)]
struct RuntimeArgs {
    /// Directory for compiled plugins [default: $XDG_CACHE_HOME/swfwasm, else ~/.cache/swfwasm].
    #[arg(long, global = true, env = "SWFWASM_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Compile plugins on every start instead of caching them.
    #[arg(long, global = true)]
    no_cache: bool,
    /// Most linear memory one plugin instance may use, in MiB.
    #[arg(long, global = true, default_value_t = 64)]
    memory_limit_mib: usize,
    /// Wall-clock bound on one `decide` call, in milliseconds.
    #[arg(long, global = true, default_value_t = 5_000)]
    decide_timeout_ms: u64,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Poll SWF and run the configured plugins until SIGINT/SIGTERM.
    Run {
        /// More plugin artifacts, in addition to the configuration file's: paths, or
        /// oci://, s3:// and https:// sources.
        #[arg(long = "plugin")]
        plugins: Vec<String>,
        /// A plugin directory, watched: artifacts added or replaced are activated without a
        /// restart.
        #[arg(long = "plugins", value_name = "DIR")]
        plugin_dir: Option<PathBuf>,
        /// Serve /metrics, /healthz and /readyz on this address (overrides `metrics_addr`).
        #[arg(long)]
        metrics_addr: Option<std::net::SocketAddr>,
    },
    /// Publish an artifact to an OCI registry (oci://REGISTRY/REPO:TAG) or S3
    /// (s3://BUCKET/KEY), with its declared types as annotations; prints the pinned source.
    Push {
        /// The component (.wasm).
        file: PathBuf,
        /// Where to publish it.
        target: String,
    },
    /// Register the domain and every type the configured plugins declare (idempotent).
    Register {
        /// Days SWF keeps closed executions.
        #[arg(long, default_value_t = 1)]
        retention_days: u32,
    },
    /// Start a workflow execution.
    Start {
        /// Workflow type name.
        workflow_type: String,
        /// Workflow type version [default: the one the configured plugins declare].
        #[arg(long)]
        version: Option<String>,
        /// Workflow input.
        #[arg(long)]
        input: Option<String>,
        /// Workflow id [default: <type>-<nanoseconds>].
        #[arg(long)]
        workflow_id: Option<String>,
        /// Decision task list [default: the type's].
        #[arg(long)]
        task_list: Option<String>,
    },
    /// Print an execution's history.
    History {
        /// Workflow id.
        workflow_id: String,
        /// Run id [default: the open run, else the latest].
        #[arg(long)]
        run_id: Option<String>,
        /// The raw events as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List open (or closed) executions.
    List {
        /// Closed executions instead of open ones.
        #[arg(long)]
        closed: bool,
    },
    /// Signal an execution.
    Signal {
        /// Workflow id.
        workflow_id: String,
        /// Signal name.
        signal_name: String,
        /// Signal input.
        #[arg(long)]
        input: Option<String>,
        /// Run id [default: the open run].
        #[arg(long)]
        run_id: Option<String>,
    },
    /// Terminate an execution.
    Terminate {
        /// Workflow id.
        workflow_id: String,
        /// Reason recorded in the history.
        #[arg(long)]
        reason: Option<String>,
        /// Run id [default: the open run].
        #[arg(long)]
        run_id: Option<String>,
    },
    /// Request cancellation of an execution (its decider decides).
    Cancel {
        /// Workflow id.
        workflow_id: String,
        /// Run id [default: the open run].
        #[arg(long)]
        run_id: Option<String>,
    },
    /// Run the local SWF service alone (for boto3, the AWS CLI or `swfwasm run`).
    Local {
        #[command(flatten)]
        service: local::ServiceArgs,
        /// The service's SQLite file.
        #[arg(long, default_value = ".swfwasm/local-swf.sqlite")]
        db: PathBuf,
    },
    /// Start the local SWF service in-process, register the plugins' types and run a worker
    /// with them.
    Dev(local::DevArgs),
    /// Re-run a decider at every decision point of a recorded history and report the first
    /// point where it decides differently (exit 1).
    Replay {
        /// The decider component (.wasm).
        #[arg(long)]
        plugin: PathBuf,
        /// A history exported as JSON (`swfwasm history --json`, boto3, the AWS console).
        #[arg(long, required_unless_present = "workflow_id")]
        history: Option<PathBuf>,
        /// Fetch the history of this workflow from SWF (the configuration's endpoint and
        /// domain); with --history, the run's id for deciders that use randomness.
        #[arg(long)]
        workflow_id: Option<String>,
        /// Run id [default: the open run, else the latest].
        #[arg(long)]
        run_id: Option<String>,
    },
    /// List the artifacts a worker with this configuration loads: state (active, draining,
    /// inactive, rejected), digest, open runs pinned to each, types.
    Plugins {
        /// The plugin directory the worker watches.
        #[arg(long = "plugins", value_name = "DIR")]
        plugin_dir: Option<PathBuf>,
    },
    /// Work with plugin artifacts.
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
    /// Run workflow scenarios (TOML files, or directories of them) on an in-process local SWF
    /// with time skipping: plugins and stubbed activities, signals at given times, expected
    /// outcome; prints a verdict per scenario and the history of each failed one (exit 1)
    Test {
        /// Scenario files, or directories of `*.toml` scenarios.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Run every scenario with this decider instead of the one it names.
        #[arg(long)]
        decider: Option<PathBuf>,
    },
    /// Run a decider on a decision task (a PollForDecisionTask response, JSON) and print the
    /// RespondDecisionTaskCompleted body it returns.
    Decide {
        /// The decider component (.wasm).
        #[arg(long)]
        plugin: PathBuf,
        /// The decision task JSON file, or `-` for stdin.
        #[arg(long)]
        task: PathBuf,
    },
    /// Run an activity on an activity task (a PollForActivityTask response, JSON) and print its
    /// result, or its failure as JSON (exit code 1).
    Execute {
        /// The activity component (.wasm).
        #[arg(long)]
        plugin: PathBuf,
        /// The activity task JSON file, or `-` for stdin.
        #[arg(long)]
        task: PathBuf,
        /// Deadline for the activity, in seconds (a worker uses the task's start-to-close timeout).
        #[arg(long, default_value_t = 300)]
        timeout_secs: u64,
    },
}

#[derive(Debug, Subcommand)]
enum PluginCommand {
    /// Print a plugin's world, digest and declared types.
    Inspect {
        /// The component (.wasm), or an oci:// reference (its annotations are read, nothing
        /// is pulled or run).
        file: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

impl RuntimeArgs {
    fn runtime(&self) -> anyhow::Result<PluginRuntime> {
        let cache_dir = if self.no_cache {
            None
        } else {
            self.cache_dir.clone().or_else(default_cache_dir)
        };
        let config = RuntimeConfig {
            cache_dir,
            memory_limit: self.memory_limit_mib << 20,
            decide_timeout: Duration::from_millis(self.decide_timeout_ms),
            ..RuntimeConfig::default()
        };
        Ok(PluginRuntime::new(config)?)
    }
}

/// The grants of the configuration file (none if there is no file). AWS-sourced config values
/// are fetched with the default credential chain and the file's region.
async fn grants(config_path: &Path) -> anyhow::Result<Grants> {
    if !config_path.exists() {
        return Ok(Grants::default());
    }
    let config = CapabilitiesConfig::load(config_path).map_err(anyhow::Error::msg)?;
    let sdk = match config.uses_aws() {
        true => Some(load_sdk_config(config.region.clone()).await),
        false => None,
    };
    let aws = match &sdk {
        Some(sdk) => match SwfClient::from_sdk_config(sdk, ClientConfig::default()) {
            Ok(client) => Some(client),
            Err(error) => {
                tracing::warn!(%error, "no AWS client for config values from Secrets Manager or SSM; they are unavailable");
                None
            }
        },
        None => None,
    };
    let values = ValueStore::new(config.config_sources.clone(), aws);
    let grants = Grants::new(&config.grants, config.outbound_http.clone(), values)
        .with_context(|| format!("invalid grants in {}", config_path.display()))?;
    Ok(match sdk {
        Some(sdk) => grants.with_aws(sdk),
        None => grants,
    })
}

fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("swfwasm"))
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Command::Local { service, db } = cli.command {
        return local::local(service, &db).await;
    }
    let runtime = cli
        .runtime
        .runtime()?
        .with_grants(grants(&cli.config).await?);
    match cli.command {
        Command::Local { .. } => unreachable!("handled above"),
        Command::Dev(args) => local::dev(runtime, args).await,
        Command::Plugins { plugin_dir } => {
            plugins::list(&runtime, &cli.config, plugin_dir.as_deref()).await
        }
        Command::Replay {
            plugin,
            history,
            workflow_id,
            run_id,
        } => {
            let source = replay::Source {
                history,
                workflow_id,
                run_id,
            };
            replay::run(&runtime, &cli.config, &plugin, source).await
        }
        Command::Plugin {
            command: PluginCommand::Inspect { file, json },
        } if file.starts_with("oci://") => sources::inspect_oci(&cli.config, &file, json).await,
        Command::Plugin {
            command: PluginCommand::Inspect { file, json },
        } => offline::inspect(&runtime, Path::new(&file), json).await,
        Command::Push { file, target } => {
            sources::push(&runtime, &cli.config, &file, &target).await
        }
        Command::Test { scenarios, decider } => test::run(runtime, &scenarios, decider).await,
        Command::Decide { plugin, task } => offline::decide(&runtime, &plugin, &task).await,
        Command::Execute {
            plugin,
            task,
            timeout_secs,
        } => offline::execute(&runtime, &plugin, &task, Duration::from_secs(timeout_secs)).await,
        Command::Run {
            plugins,
            plugin_dir,
            metrics_addr,
        } => {
            let dir = plugin_dir.as_deref();
            run::run(runtime, &cli.config, &plugins, dir, metrics_addr).await
        }
        Command::Register { retention_days } => {
            ops::register(&runtime, &ops::load_config(&cli.config)?, retention_days).await
        }
        Command::Start {
            workflow_type,
            version,
            input,
            workflow_id,
            task_list,
        } => {
            let request = ops::StartRequest {
                workflow_type,
                version,
                input,
                workflow_id,
                task_list,
            };
            ops::start(&runtime, &ops::load_config(&cli.config)?, request).await
        }
        Command::History {
            workflow_id,
            run_id,
            json,
        } => ops::history(&ops::load_config(&cli.config)?, &workflow_id, run_id, json).await,
        Command::List { closed } => ops::list(&ops::load_config(&cli.config)?, closed).await,
        Command::Signal {
            workflow_id,
            signal_name,
            input,
            run_id,
        } => {
            ops::signal(
                &ops::load_config(&cli.config)?,
                workflow_id,
                signal_name,
                input,
                run_id,
            )
            .await
        }
        Command::Terminate {
            workflow_id,
            reason,
            run_id,
        } => ops::terminate(&ops::load_config(&cli.config)?, workflow_id, reason, run_id).await,
        Command::Cancel {
            workflow_id,
            run_id,
        } => ops::cancel(&ops::load_config(&cli.config)?, workflow_id, run_id).await,
    }
}

/// Logs go to stderr so stdout carries only the command's result. `RUST_LOG` overrides the
/// default level (info).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

/// Prints `error` as one line on stderr and returns the failure exit code.
pub fn report(error: anyhow::Error) -> ExitCode {
    eprintln!("error: {}", one_line(&error));
    ExitCode::FAILURE
}

/// `error` and its causes joined with `: `, each cause left out when the text before already
/// says it (swfwasm's errors name their cause in their own message and keep it as the source).
fn one_line(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if message.contains(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_the_message_already_names_is_printed_once() {
        let io = std::io::Error::other("disk on fire");
        let config = swfwasm::worker::ConfigError::Read {
            path: "swfwasm.toml".into(),
            source: io,
        };
        let error = anyhow::Error::new(config).context("cannot start the worker");
        assert_eq!(
            one_line(&error),
            "cannot start the worker: invalid worker configuration: cannot read swfwasm.toml: \
             disk on fire"
        );
        let plain = anyhow::anyhow!("line one\nline two").context("outer");
        assert_eq!(one_line(&plain), "outer: line one line two");
    }

    #[test]
    fn run_uses_one_thread_unless_told_and_the_other_commands_one_per_core() {
        let threads = |args: &[&str]| {
            let cli = <Cli as Parser>::try_parse_from(["swfwasm"].iter().chain(args))
                .expect("valid arguments");
            cli.threads().map(NonZeroUsize::get)
        };
        assert_eq!(threads(&["run"]), Some(1));
        assert_eq!(threads(&["run", "--threads", "3"]), Some(3));
        assert_eq!(threads(&["--threads", "2", "run"]), Some(2));
        assert_eq!(threads(&["dev"]), None);
        assert_eq!(threads(&["dev", "--threads", "1"]), Some(1));
        assert_eq!(threads(&["local"]), None);
        assert!(<Cli as Parser>::try_parse_from(["swfwasm", "run", "--threads", "0"]).is_err());
    }
}
