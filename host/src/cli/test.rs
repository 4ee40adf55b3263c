//! `swfwasm test`: runs scenario files (see [`swfwasm::testing`]) concurrently, each on its own
//! in-process service, and prints a verdict per scenario, with the unmet expectations and the
//! history of each failed one. Exit 0 when all passed, 1 otherwise.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use swfwasm::runtime::PluginRuntime;
use swfwasm::testing::{Scenario, run_scenario};

/// Runs the scenarios in `paths` (files or directories), each with `decider` if given.
pub async fn run(
    runtime: PluginRuntime,
    paths: &[PathBuf],
    decider: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let mut scenarios = Vec::new();
    for path in paths {
        for file in Scenario::files(path)? {
            let mut scenario = Scenario::load(&file)?;
            if let Some(decider) = &decider {
                scenario.decider = decider.clone();
            }
            scenarios.push(scenario);
        }
    }
    if scenarios.is_empty() {
        anyhow::bail!("no scenario (*.toml) in {}", display(paths));
    }
    let runtime = Arc::new(runtime);
    let mut runs = tokio::task::JoinSet::new();
    for (i, scenario) in scenarios.into_iter().enumerate() {
        let runtime = runtime.clone();
        runs.spawn(async move { (i, run_scenario(runtime, &scenario).await) });
    }
    let mut results = runs.join_all().await;
    results.sort_by_key(|(i, _)| *i);
    let (mut passed, mut failed) = (0, 0);
    for (_, result) in results {
        match result {
            Ok(verdict) => {
                println!("{}", verdict.report());
                if verdict.passed() {
                    passed += 1;
                } else {
                    failed += 1;
                }
            }
            Err(error) => {
                println!("ERROR {error}");
                failed += 1;
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn display(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| Path::display(p).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
