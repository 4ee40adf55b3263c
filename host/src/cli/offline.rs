//! Offline commands: inspect an artifact, run `decide` or `execute` on a task file, no SWF
//! involved. They are how plugin authors try a plugin before deploying it.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::json;
use swf_model::{ActivityTask, DecisionTask};
use swfwasm::runtime::{ActivityOutcome, CacheOutcome, NoHeartbeat, PluginRuntime, PluginTypes};

pub async fn inspect(
    runtime: &PluginRuntime,
    file: &Path,
    as_json: bool,
) -> anyhow::Result<ExitCode> {
    let (plugin, granted) = runtime
        .inspect_file(file)
        .await
        .with_context(|| format!("cannot load plugin {}", file.display()))?;
    let needs = |list: &[swfwasm::grant::Need]| {
        list.iter()
            .map(|n| json!({"name": n.name, "required": n.required}))
            .collect::<Vec<_>>()
    };
    let requirements = plugin.requirements();
    let capabilities = plugin.capabilities();
    let declares = json!({
        "outboundHosts": needs(&requirements.outbound_hosts),
        "configKeys": needs(&requirements.config_keys),
    });
    let granted = match &granted {
        Ok(()) => json!({
            "activated": true,
            "grants": capabilities.grants,
            "outboundHosts": capabilities.granted_hosts(),
            "configKeys": capabilities.config_keys().into_iter().map(|(k, source)| json!({"key": k, "source": source})).collect::<Vec<_>>(),
            "dirs": capabilities.dirs.iter().map(|d| json!({"host": d.host.display().to_string(), "guest": d.guest, "mode": format!("{:?}", d.mode)})).collect::<Vec<_>>(),
        }),
        Err(ungranted) => json!({"activated": false, "reason": ungranted.to_string()}),
    };
    let types = match plugin.types() {
        PluginTypes::Workflows(types) => types
            .iter()
            .map(|t| {
                json!({"kind": "workflow", "name": t.name, "version": t.version,
                "description": t.description, "defaultTaskList": t.default_task_list,
                "defaultExecutionStartToCloseTimeout": t.default_execution_start_to_close_timeout,
                "defaultTaskStartToCloseTimeout": t.default_task_start_to_close_timeout,
                "defaultChildPolicy": t.default_child_policy,
                "defaultTaskPriority": t.default_task_priority})
            })
            .collect::<Vec<_>>(),
        PluginTypes::Activities(types) => types
            .iter()
            .map(|t| {
                json!({"kind": "activity", "name": t.name, "version": t.version,
                "description": t.description, "defaultTaskList": t.default_task_list,
                "defaultTaskStartToCloseTimeout": t.default_task_start_to_close_timeout,
                "defaultTaskHeartbeatTimeout": t.default_task_heartbeat_timeout,
                "defaultTaskScheduleToStartTimeout": t.default_task_schedule_to_start_timeout,
                "defaultTaskScheduleToCloseTimeout": t.default_task_schedule_to_close_timeout,
                "defaultTaskPriority": t.default_task_priority})
            })
            .collect(),
    };
    let cached = matches!(plugin.cache_outcome(), CacheOutcome::Hit(_));
    if as_json {
        let out = json!({
            "file": file.display().to_string(),
            "digest": plugin.digest().to_string(),
            "world": plugin.world().name(),
            "contract": plugin.contract().version(),
            "size": plugin.size(),
            "cached": cached,
            "types": types,
            "declares": declares,
            "granted": granted,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("file:    {}", file.display());
        println!("digest:  {}", plugin.digest());
        println!("world:   {}", plugin.world().name());
        println!("contract: swfwasm:plugin@{}", plugin.contract().version());
        println!("size:    {} bytes", plugin.size());
        println!(
            "compile: {}",
            if cached {
                "loaded from cache"
            } else {
                "compiled"
            }
        );
        println!("types:");
        for t in &types {
            println!(
                "  {} {} {}",
                t["kind"].as_str().unwrap_or(""),
                t["name"].as_str().unwrap_or(""),
                t["version"].as_str().unwrap_or("")
            );
        }
        if plugin.world() == swfwasm::runtime::World::Activity {
            let list = |needs: &[swfwasm::grant::Need]| {
                needs
                    .iter()
                    .map(|n| format!("{}{}", n.name, if n.required { "" } else { " (optional)" }))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            println!("declares:");
            println!("  outbound hosts: {}", list(&requirements.outbound_hosts));
            println!("  config keys:    {}", list(&requirements.config_keys));
            match granted["activated"].as_bool() {
                Some(true) => {
                    println!("granted (by this configuration):");
                    println!(
                        "  outbound hosts: {}",
                        capabilities.granted_hosts().join(", ")
                    );
                    let keys: Vec<String> = capabilities
                        .config_keys()
                        .into_iter()
                        .map(|(k, source)| format!("{k} ({source})"))
                        .collect();
                    println!("  config keys:    {}", keys.join(", "));
                    for dir in &capabilities.dirs {
                        println!(
                            "  dir:            {} -> {} ({:?})",
                            dir.host.display(),
                            dir.guest,
                            dir.mode
                        );
                    }
                }
                _ => println!(
                    "not activated by this configuration: {}",
                    granted["reason"].as_str().unwrap_or("")
                ),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn decide(
    runtime: &PluginRuntime,
    plugin: &Path,
    task: &Path,
) -> anyhow::Result<ExitCode> {
    let task: DecisionTask = serde_json::from_str(&read_input(task)?)
        .context("the task file is not a valid PollForDecisionTask response")?;
    let plugin = runtime
        .load_file(plugin)
        .await
        .with_context(|| format!("cannot load plugin {}", plugin.display()))?;
    let response = runtime
        .decide(&plugin, &task)
        .await
        .context("decide failed")?;
    println!("{}", serde_json::to_string(&response)?);
    Ok(ExitCode::SUCCESS)
}

pub async fn execute(
    runtime: &PluginRuntime,
    plugin: &Path,
    task: &Path,
    timeout: Duration,
) -> anyhow::Result<ExitCode> {
    let task: ActivityTask = serde_json::from_str(&read_input(task)?)
        .context("the task file is not a valid PollForActivityTask response")?;
    let plugin = runtime
        .load_file(plugin)
        .await
        .with_context(|| format!("cannot load plugin {}", plugin.display()))?;
    match runtime
        .execute(&plugin, &task, timeout, Arc::new(NoHeartbeat))
        .await
        .context("execute failed")?
    {
        ActivityOutcome::Completed(result) => {
            println!("{result}");
            Ok(ExitCode::SUCCESS)
        }
        ActivityOutcome::Failed { reason, details } => {
            println!(
                "{}",
                json!({"failed": {"reason": reason, "details": details}})
            );
            bail!("the activity failed: {reason}")
        }
        ActivityOutcome::Canceled { details } => {
            println!("{}", json!({"canceled": {"details": details}}));
            bail!("the activity canceled itself")
        }
    }
}

fn read_input(path: &Path) -> anyhow::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the task from stdin")?;
        return Ok(text);
    }
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}
