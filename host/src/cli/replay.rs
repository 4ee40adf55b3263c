//! `swfwasm replay`: check a decider against a recorded history (see [`swfwasm::replay`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use swf_model::WorkflowExecution;
use swfwasm::replay::{Replayed, parse_history, replay};
use swfwasm::runtime::PluginRuntime;

use super::ops::{load_config, resolve_run};
use super::run::client;

/// Where the history comes from.
pub struct Source {
    pub history: Option<PathBuf>,
    pub workflow_id: Option<String>,
    pub run_id: Option<String>,
}

pub async fn run(
    runtime: &PluginRuntime,
    config_path: &Path,
    plugin_path: &Path,
    source: Source,
) -> anyhow::Result<ExitCode> {
    let plugin = runtime
        .load_file(plugin_path)
        .await
        .with_context(|| format!("cannot load plugin {}", plugin_path.display()))?;
    let (events, execution) = match (&source.history, &source.workflow_id) {
        (Some(file), _) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let events = parse_history(&text).with_context(|| file.display().to_string())?;
            let execution = source
                .workflow_id
                .clone()
                .zip(source.run_id.clone())
                .map(|(w, r)| WorkflowExecution::new(w, r));
            (events, execution)
        }
        (None, Some(workflow_id)) => {
            let config = load_config(config_path)?;
            let client = client(&config).await?;
            let execution =
                resolve_run(&client, &config.domain, workflow_id, source.run_id.clone()).await?;
            let events = client
                .get_workflow_execution_history(&config.domain, &execution)
                .await?;
            (events, Some(execution))
        }
        (None, None) => bail!("give --history FILE or --workflow-id ID"),
    };
    match replay(runtime, &plugin, &events, execution).await? {
        Replayed::Identical(points) => {
            println!(
                "replayed {points} decision tasks of {} events: identical",
                events.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Replayed::Diverged(divergence) => {
            println!("{divergence}");
            Ok(ExitCode::FAILURE)
        }
    }
}
