//! Loading the plugins of a configuration from wherever they are (files, registries, buckets,
//! URLs), for `run`, `register`, `start` and `plugins`; and `swfwasm push`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use swfwasm::artifact::{ArtifactSource, ArtifactStore, Fetcher, SourcesConfig};
use swfwasm::runtime::{LoadError, Plugin, PluginRuntime, PluginTypes};

/// One configured artifact, loaded.
pub struct Loaded {
    /// Where it came from.
    pub source: ArtifactSource,
    /// What identifies the loaded version at the source (for watched sources).
    pub version: String,
    /// The plugin, or why it was not loaded (a required need not granted, or any error).
    pub plugin: Result<Plugin, LoadError>,
}

/// The sources of `texts` (paths are taken from `base`).
pub fn parse(texts: &[String], base: &Path) -> anyhow::Result<Vec<ArtifactSource>> {
    texts
        .iter()
        .map(|text| Ok(ArtifactSource::parse(text, base)?))
        .collect()
}

/// A fetcher for `sources` if any is remote, with the artifact store next to the compile
/// cache (none with `--no-cache`).
pub async fn fetcher(
    runtime: &PluginRuntime,
    config: &SourcesConfig,
    region: Option<String>,
    sources: &[ArtifactSource],
) -> anyhow::Result<Option<Arc<Fetcher>>> {
    if sources.iter().all(|s| matches!(s, ArtifactSource::File(_))) {
        return Ok(None);
    }
    let store = match &runtime.config().cache_dir {
        Some(dir) => {
            let dir = dir.join("artifacts");
            Some(
                ArtifactStore::open(&dir)
                    .with_context(|| format!("cannot open the artifact store {}", dir.display()))?,
            )
        }
        None => None,
    };
    Ok(Some(Arc::new(
        Fetcher::new(config, store, region, sources).await?,
    )))
}

/// Loads each source. Files are read; remote sources are fetched and verified (from the local
/// store when unreachable). With `inspect`, an activity whose needs are not granted still
/// loads (for its declarations). A source that cannot be had at all is an error naming it.
pub async fn load_all(
    runtime: &PluginRuntime,
    fetcher: Option<&Fetcher>,
    sources: &[ArtifactSource],
    inspect: bool,
) -> anyhow::Result<Vec<Loaded>> {
    let mut loaded = Vec::new();
    for source in sources {
        let (plugin, version) = match (source, fetcher) {
            (ArtifactSource::File(path), _) => {
                let plugin = if inspect {
                    runtime.inspect_file(path).await.map(|(plugin, _)| plugin)
                } else {
                    runtime.load_file(path).await
                };
                (plugin, String::new())
            }
            (_, Some(fetcher)) => {
                let fetched = fetcher
                    .fetch_or_recall(source)
                    .await
                    .with_context(|| format!("cannot load plugin {source}"))?;
                let plugin = if inspect {
                    runtime
                        .inspect_fetched(&fetched.bytes, &source.name())
                        .await
                        .map(|(plugin, _)| plugin)
                } else {
                    runtime.load_fetched(&fetched.bytes, &source.name()).await
                };
                (plugin, fetched.version)
            }
            (_, None) => anyhow::bail!("no fetcher for {source}"),
        };
        loaded.push(Loaded {
            source: source.clone(),
            version,
            plugin,
        });
    }
    Ok(loaded)
}

/// `swfwasm push FILE TARGET`: publishes an artifact to an OCI tag or an S3 key, with its
/// declared types as annotations, and prints the pinned source to deploy.
pub async fn push(
    runtime: &PluginRuntime,
    config_path: &Path,
    file: &Path,
    target: &str,
) -> anyhow::Result<ExitCode> {
    let (config, region) = settings(config_path)?;
    let config = &config;
    let target = ArtifactSource::parse(target, Path::new("."))?;
    let (plugin, _granted) = runtime
        .inspect_file(file)
        .await
        .with_context(|| format!("cannot load plugin {}", file.display()))?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let fetcher = Fetcher::new(config, None, region, std::slice::from_ref(&target)).await?;
    let pinned = fetcher
        .push(bytes, &target, annotations(&plugin, file))
        .await?;
    eprintln!(
        "pushed {} ({}) to {target}",
        file.display(),
        plugin.digest()
    );
    println!("{pinned}");
    Ok(ExitCode::SUCCESS)
}

/// What `swfwasm push` records about an artifact, readable without running it.
fn annotations(plugin: &Plugin, file: &Path) -> BTreeMap<String, String> {
    let types = match plugin.types() {
        PluginTypes::Workflows(types) => types
            .iter()
            .map(|t| format!("{} {}", t.name, t.version))
            .collect::<Vec<_>>(),
        PluginTypes::Activities(types) => types
            .iter()
            .map(|t| format!("{} {}", t.name, t.version))
            .collect(),
    };
    let title = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    BTreeMap::from([
        ("org.opencontainers.image.title".to_owned(), title),
        (
            "dev.swfwasm.world".to_owned(),
            plugin.world().name().to_owned(),
        ),
        (
            "dev.swfwasm.contract".to_owned(),
            plugin.contract().version().to_owned(),
        ),
        ("dev.swfwasm.types".to_owned(), types.join(", ")),
        ("dev.swfwasm.digest".to_owned(), plugin.digest().to_string()),
    ])
}

/// The `[sources]` section and `region` of the configuration file, if there is one (`push`
/// and `plugin inspect oci://…` need nothing else from it).
pub fn settings(config_path: &Path) -> anyhow::Result<(SourcesConfig, Option<String>)> {
    #[derive(serde::Deserialize, Default)]
    struct Partial {
        #[serde(default)]
        sources: SourcesConfig,
        region: Option<String>,
    }
    if !config_path.exists() {
        return Ok((SourcesConfig::default(), None));
    }
    let text = std::fs::read_to_string(config_path)
        .with_context(|| format!("cannot read {}", config_path.display()))?;
    let partial: Partial =
        toml::from_str(&text).with_context(|| format!("{}", config_path.display()))?;
    let mut sources = partial.sources;
    if let (Some(ca_file), Some(base)) = (&mut sources.ca_file, config_path.parent())
        && ca_file.is_relative()
    {
        *ca_file = base.join(&*ca_file);
    }
    Ok((sources, partial.region))
}

/// `swfwasm plugin inspect oci://…`: the manifest's digest and the annotations `swfwasm push`
/// wrote (declared types, world, contract), without pulling or running the artifact.
pub async fn inspect_oci(
    config_path: &Path,
    text: &str,
    as_json: bool,
) -> anyhow::Result<ExitCode> {
    let source = ArtifactSource::parse(text, Path::new("."))?;
    let ArtifactSource::Oci(oci) = &source else {
        anyhow::bail!("{text} is not an oci:// reference");
    };
    let (config, region) = settings(config_path)?;
    let fetcher = Fetcher::new(&config, None, region, std::slice::from_ref(&source)).await?;
    let (digest, annotations) = fetcher.oci_annotations(oci).await?;
    if as_json {
        let json = serde_json::json!({"source": source.to_string(), "manifestDigest": digest,
            "annotations": annotations});
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        println!("source:   {source}");
        println!("manifest: {digest}");
        for (key, value) in &annotations {
            println!("{key}: {value}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
