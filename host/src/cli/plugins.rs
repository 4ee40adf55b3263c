//! `swfwasm plugins`: the artifacts a worker with this configuration (and plugin directory)
//! loads, which of them are active, and how many open runs are pinned to each.

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

use swf_model::{ExecutionTimeFilter, ListOpenWorkflowExecutionsInput};
use swfwasm::artifact::ArtifactSource;
use swfwasm::runtime::{LoadError, Plugin, PluginRuntime, PluginTypes};
use swfwasm::worker::PluginSet;
use swfwasm::worker::pin;

use super::ops::load_config;
use super::run::client;
use super::sources;

/// One artifact and what became of it.
enum Loaded {
    Ok(Plugin),
    /// Loads, but a required need is not granted: never activated.
    Ungranted(String),
    Rejected(String),
}

pub async fn list(
    runtime: &PluginRuntime,
    config_path: &Path,
    plugin_dir: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let config = load_config(config_path)?;
    let mut sources = sources::parse(&config.plugins, Path::new(""))?;
    if let Some(dir) = plugin_dir {
        // The worker's order: oldest modification time first, so the newest is active.
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "wasm") {
                found.push((std::fs::metadata(&path)?.modified().ok(), path));
            }
        }
        found.sort();
        sources.extend(
            found
                .into_iter()
                .map(|(_, path)| ArtifactSource::File(path)),
        );
    }
    let fetcher =
        sources::fetcher(runtime, &config.sources, config.region.clone(), &sources).await?;
    let mut loaded = Vec::new();
    let mut set = PluginSet::default();
    for source in sources {
        let outcome = sources::load_all(
            runtime,
            fetcher.as_deref(),
            std::slice::from_ref(&source),
            false,
        )
        .await;
        let state = match outcome.map(|mut all| all.remove(0).plugin) {
            Ok(Ok(plugin)) => {
                set.insert(plugin.clone());
                Loaded::Ok(plugin)
            }
            Ok(Err(LoadError::Ungranted(why))) => Loaded::Ungranted(why.to_string()),
            Ok(Err(error)) => Loaded::Rejected(format!("{error:#}")),
            Err(error) => Loaded::Rejected(format!("{error:#}")),
        };
        loaded.push((source, state));
    }
    // The artifacts' states do not depend on SWF; only the pinned counts do.
    let pinned = match pinned_runs(&config).await {
        Ok(pinned) => Some(pinned),
        Err(error) => {
            tracing::warn!(error = %format!("{error:#}"), "cannot ask SWF for pinned runs; their counts are shown as ?");
            None
        }
    };
    println!(
        "{:<9} {:<12} {:>6}  {:<28} source",
        "state", "digest", "pinned", "types"
    );
    for (file, outcome) in &loaded {
        match outcome {
            Loaded::Ok(plugin) => {
                let digest = plugin.digest();
                let pins = pinned
                    .as_ref()
                    .map(|p| p.get(digest.hex()).copied().unwrap_or(0));
                let (types, active) = describe(&set, plugin);
                let state = if active {
                    "active"
                } else if pins.is_none_or(|p| p > 0) {
                    "draining"
                } else {
                    "inactive"
                };
                println!(
                    "{state:<9} {:<12} {:>6}  {types:<28} {}",
                    digest.short(),
                    pins.map_or("?".to_owned(), |p| p.to_string()),
                    file
                );
                let capabilities = plugin.capabilities();
                if !capabilities.grants.is_empty() {
                    let keys: Vec<String> = capabilities
                        .config_keys()
                        .into_iter()
                        .map(|(k, _)| k)
                        .collect();
                    let dirs: Vec<String> = capabilities
                        .dirs
                        .iter()
                        .map(|d| format!("{} ({:?})", d.guest, d.mode))
                        .collect();
                    println!(
                        "          granted: hosts [{}]; config keys [{}]; dirs [{}]",
                        capabilities.granted_hosts().join(", "),
                        keys.join(", "),
                        dirs.join(", ")
                    );
                }
            }
            Loaded::Ungranted(why) => {
                println!(
                    "{:<9} {:<12} {:>6}  {:<28} {}",
                    "ungranted", "-", "-", "-", file
                );
                println!("          {why}");
            }
            Loaded::Rejected(why) => {
                println!(
                    "{:<9} {:<12} {:>6}  {:<28} {}",
                    "rejected", "-", "-", "-", file
                );
                println!("          {why}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The plugin's types as `name version` and whether it is the active artifact of any.
fn describe(set: &PluginSet, plugin: &Plugin) -> (String, bool) {
    let mut names = Vec::new();
    let mut active = false;
    match plugin.types() {
        PluginTypes::Workflows(types) => {
            for t in types {
                names.push(format!("{} {}", t.name, t.version));
                active |= set
                    .decider(&t.name, &t.version)
                    .is_some_and(|p| p.digest() == plugin.digest());
            }
        }
        PluginTypes::Activities(types) => {
            for t in types {
                names.push(format!("{} {}", t.name, t.version));
                active |= set
                    .activity(&t.name, &t.version)
                    .is_some_and(|(p, _)| p.digest() == plugin.digest());
            }
        }
    }
    (names.join(", "), active)
}

/// Open runs of the domain by the digest (hex) of the artifact that made their latest decision.
async fn pinned_runs(
    config: &swfwasm::worker::WorkerConfig,
) -> anyhow::Result<HashMap<String, usize>> {
    let client = client(config).await?;
    let open = client
        .list_open_workflow_executions(&ListOpenWorkflowExecutionsInput {
            domain: config.domain.clone(),
            start_time_filter: ExecutionTimeFilter {
                oldest_date: 0.0,
                latest_date: None,
            },
            ..Default::default()
        })
        .await?;
    let mut pinned = HashMap::new();
    for info in open {
        let mut events = client
            .get_workflow_execution_history(&config.domain, &info.execution)
            .await?;
        if let Some(digest) = pin::strip_events(&mut events) {
            *pinned.entry(digest).or_default() += 1;
        }
    }
    Ok(pinned)
}
