//! Loading an artifact into a [`Plugin`]: identify it by digest, get compiled code (cache or
//! compiler), recognise its world and contract version, link it once, ask it what it serves
//! and (activities) what it needs, and meet those needs with the operator's grants.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use sha2::{Digest as _, Sha256};
use wasmtime::component::Component;

use super::bindings::{self, ActivityTypeDecl, WorkflowTypeDecl};
use super::cache::CacheOutcome;
use super::error::LoadError;
use super::sandbox::{GuestState, TaskLabel};
use super::{PluginRuntime, invoke};
use crate::grant::{ArtifactIdentity, Capabilities, Requirements};

/// The sha256 of an artifact's bytes: the identity of a plugin everywhere in swfwasm.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(String);

impl Digest {
    /// Digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(hex::encode(Sha256::digest(bytes)))
    }

    /// The 64 hex digits.
    pub fn hex(&self) -> &str {
        &self.0
    }

    /// The first 12 hex digits, for log lines.
    pub fn short(&self) -> &str {
        &self.0[..12]
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.0)
    }
}

/// Which world of the swfwasm WIT package a component implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum World {
    /// `swfwasm:plugin/decider`.
    Decider,
    /// `swfwasm:plugin/activity`.
    Activity,
}

impl World {
    /// `"decider"` or `"activity"`.
    pub fn name(self) -> &'static str {
        match self {
            World::Decider => "decider",
            World::Activity => "activity",
        }
    }
}

/// The types a plugin declared through `describe`.
#[derive(Debug, Clone)]
pub enum PluginTypes {
    /// Workflow types of a decider.
    Workflows(Vec<WorkflowTypeDecl>),
    /// Activity types of an activity plugin.
    Activities(Vec<ActivityTypeDecl>),
}

pub(crate) enum Linked {
    /// A decider of either contract version (their exports are the same).
    Decider(bindings::decider::DeciderPre<GuestState>),
    Activity(bindings::activity::ActivityPre<GuestState>),
    ActivityV01(bindings::v0_1::activity::ActivityPre<GuestState>),
}

/// Which version of the `swfwasm:plugin` contract an artifact was built against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contract {
    /// 0.1.0: no outbound HTTP, no config, no `requires`.
    V0_1,
    /// 0.2.0: activities may declare needs and use what is granted.
    V0_2,
}

impl Contract {
    /// `"0.1.0"` or `"0.2.0"`.
    pub fn version(self) -> &'static str {
        match self {
            Contract::V0_1 => "0.1.0",
            Contract::V0_2 => "0.2.0",
        }
    }
}

/// A loaded, linked plugin. Cloning is cheap; clones share the compiled code.
#[derive(Clone)]
pub struct Plugin {
    inner: Arc<PluginInner>,
}

struct PluginInner {
    digest: Digest,
    world: World,
    contract: Contract,
    types: PluginTypes,
    requirements: Requirements,
    capabilities: Arc<Capabilities>,
    cache: CacheOutcome,
    size: usize,
    linked: Linked,
}

impl Plugin {
    /// The artifact's digest.
    pub fn digest(&self) -> &Digest {
        &self.inner.digest
    }

    /// The world it implements.
    pub fn world(&self) -> World {
        self.inner.world
    }

    /// The contract version it was built against.
    pub fn contract(&self) -> Contract {
        self.inner.contract
    }

    /// What it declared it serves.
    pub fn types(&self) -> &PluginTypes {
        &self.inner.types
    }

    /// What it declared it needs (nothing for deciders and 0.1.0 activities).
    pub fn requirements(&self) -> &Requirements {
        &self.inner.requirements
    }

    /// What it was granted: its requirements met by the grants that match it.
    pub fn capabilities(&self) -> &Arc<Capabilities> {
        &self.inner.capabilities
    }

    /// Whether its code came from the compile cache.
    pub fn cache_outcome(&self) -> &CacheOutcome {
        &self.inner.cache
    }

    /// Size of the artifact in bytes.
    pub fn size(&self) -> usize {
        self.inner.size
    }

    pub(crate) fn linked(&self) -> &Linked {
        &self.inner.linked
    }
}

impl fmt::Debug for Plugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plugin")
            .field("digest", &self.inner.digest)
            .field("world", &self.inner.world)
            .field("types", &self.inner.types)
            .finish()
    }
}

impl PluginRuntime {
    /// Loads the artifact at `path`; grants may match it by its file name. An activity whose
    /// required needs are not granted fails with [`LoadError::Ungranted`].
    pub async fn load_file(&self, path: &Path) -> Result<Plugin, LoadError> {
        let bytes = std::fs::read(path).map_err(|e| LoadError::Read(path.to_path_buf(), e))?;
        let file_name = path.file_name().and_then(|n| n.to_str());
        let (plugin, granted) = self.load(&bytes, file_name).await?;
        granted?;
        Ok(plugin)
    }

    /// Loads an artifact from memory (a component binary, or component text for tests), with
    /// the grants that match its digest or types.
    pub async fn load_bytes(&self, bytes: &[u8]) -> Result<Plugin, LoadError> {
        let (plugin, granted) = self.load(bytes, None).await?;
        granted?;
        Ok(plugin)
    }

    /// Loads the artifact at `path` to look at it: an activity whose required needs are not
    /// granted still loads (with no capabilities), and the second value says why it would
    /// not be activated.
    pub async fn inspect_file(
        &self,
        path: &Path,
    ) -> Result<(Plugin, Result<(), crate::grant::Ungranted>), LoadError> {
        let bytes = std::fs::read(path).map_err(|e| LoadError::Read(path.to_path_buf(), e))?;
        self.load(&bytes, path.file_name().and_then(|n| n.to_str()))
            .await
    }

    async fn load(
        &self,
        bytes: &[u8],
        file_name: Option<&str>,
    ) -> Result<(Plugin, Result<(), crate::grant::Ungranted>), LoadError> {
        check_component_header(bytes)?;
        let digest = Digest::of(bytes);
        let (component, cache) = self.compiled(bytes, &digest).await?;
        let world = detect_world(&component, self.engine.engine())?;
        let imports = names(&component, self.engine.engine()).1;
        if world == World::Decider {
            let io: Vec<String> = imports
                .iter()
                // Sockets stay linkable (language runtimes such as componentize-py's import
                // them whether used or not); the sandbox refuses every socket operation.
                .filter(|i| i.starts_with("wasi:http/") || i.starts_with("swfwasm:plugin/config"))
                .cloned()
                .collect();
            if !io.is_empty() {
                return Err(LoadError::DeciderIo { imports: io });
            }
        }
        let contract = if imports
            .iter()
            .any(|i| i.starts_with("swfwasm:plugin/") && i.ends_with("@0.1.0"))
        {
            Contract::V0_1
        } else {
            Contract::V0_2
        };
        let linked = self.link(&component, world, contract)?;
        let types = invoke::describe(self, &linked, &digest).await?;
        let requirements = invoke::requirements(self, &linked, &digest).await?;
        let type_names: Vec<String> = match &types {
            PluginTypes::Workflows(t) => t.iter().map(|t| t.name.clone()).collect(),
            PluginTypes::Activities(t) => t.iter().map(|t| t.name.clone()).collect(),
        };
        let (capabilities, granted) = match world {
            World::Decider => (Capabilities::default(), Ok(())),
            World::Activity => match self
                .grants
                .capabilities(
                    ArtifactIdentity {
                        file_name,
                        digest: digest.hex(),
                        type_names: &type_names,
                    },
                    &requirements,
                )
                .await
            {
                Ok(capabilities) => (capabilities, Ok(())),
                Err(ungranted) => (Capabilities::default(), Err(ungranted)),
            },
        };
        tracing::info!(plugin = %digest.short(), world = world.name(), contract = contract.version(),
            cached = matches!(cache, CacheOutcome::Hit(_)), "plugin loaded");
        let plugin = Plugin {
            inner: Arc::new(PluginInner {
                digest,
                world,
                contract,
                types,
                requirements,
                capabilities: Arc::new(capabilities),
                cache,
                size: bytes.len(),
                linked,
            }),
        };
        Ok((plugin, granted))
    }

    async fn compiled(
        &self,
        bytes: &[u8],
        digest: &Digest,
    ) -> Result<(Component, CacheOutcome), LoadError> {
        let engine = self.engine.engine().clone();
        let reason = match &self.cache {
            Some(cache) => match cache.load(&engine, digest) {
                Ok(component) => {
                    return Ok((component, CacheOutcome::Hit(cache.entry_path(digest))));
                }
                Err(reason) => Some(reason),
            },
            None => None,
        };
        // Compiling is CPU-bound for up to seconds: keep it off the async workers.
        let owned = bytes.to_vec();
        let code = tokio::task::spawn_blocking(move || engine.precompile_component(&owned))
            .await
            .map_err(|e| LoadError::Compile(wasmtime::Error::msg(e.to_string())))?
            .map_err(LoadError::Compile)?;
        if let Some(cache) = &self.cache
            && let Err(error) = cache.store(digest, &code)
        {
            tracing::warn!(%error, plugin = %digest.short(), "cannot write compile cache entry");
        }
        // SAFETY: `code` was produced just now by this engine's `precompile_component`.
        let component = unsafe { Component::deserialize(self.engine.engine(), &code) }
            .map_err(LoadError::Compile)?;
        Ok((component, CacheOutcome::Compiled { reason }))
    }

    fn link(
        &self,
        component: &Component,
        world: World,
        contract: Contract,
    ) -> Result<Linked, LoadError> {
        let link_error = |e: wasmtime::Error| LoadError::Link {
            message: format!("{e:#}"),
            imports: names(component, self.engine.engine()).1,
        };
        Ok(match world {
            World::Decider => {
                let pre = self
                    .linkers
                    .decider
                    .instantiate_pre(component)
                    .map_err(link_error)?;
                Linked::Decider(bindings::decider::DeciderPre::new(pre).map_err(link_error)?)
            }
            World::Activity => {
                let pre = self
                    .linkers
                    .activity
                    .instantiate_pre(component)
                    .map_err(link_error)?;
                match contract {
                    Contract::V0_2 => Linked::Activity(
                        bindings::activity::ActivityPre::new(pre).map_err(link_error)?,
                    ),
                    Contract::V0_1 => Linked::ActivityV01(
                        bindings::v0_1::activity::ActivityPre::new(pre).map_err(link_error)?,
                    ),
                }
            }
        })
    }
}

/// Rejects anything that is not a component, with the reason in words.
fn check_component_header(bytes: &[u8]) -> Result<(), LoadError> {
    const CORE_VERSION: [u8; 4] = [1, 0, 0, 0];
    match bytes {
        [0, b'a', b's', b'm', version @ ..] if version.starts_with(&CORE_VERSION) => {
            Err(LoadError::NotAComponent(
                "this is a core WebAssembly module; build for wasm32-wasip2 or wrap it with \
                 `wasm-tools component new`"
                    .into(),
            ))
        }
        [0, b'a', b's', b'm', ..] => Ok(()),
        // Component text format, accepted for tests and experiments.
        _ if bytes.trim_ascii_start().starts_with(b"(component") => Ok(()),
        _ => Err(LoadError::NotAComponent(
            "the file does not start with the WebAssembly magic number".into(),
        )),
    }
}

fn detect_world(component: &Component, engine: &wasmtime::Engine) -> Result<World, LoadError> {
    let (exports, imports) = names(component, engine);
    let has = |name: &str| exports.iter().any(|e| e == name);
    if has("describe") && has("decide") {
        Ok(World::Decider)
    } else if has("describe") && has("execute") {
        Ok(World::Activity)
    } else {
        Err(LoadError::UnknownWorld { exports, imports })
    }
}

fn names(component: &Component, engine: &wasmtime::Engine) -> (Vec<String>, Vec<String>) {
    let ty = component.component_type();
    let exports = ty.exports(engine).map(|(n, _)| n.to_owned()).collect();
    let imports = ty.imports(engine).map(|(n, _)| n.to_owned()).collect();
    (exports, imports)
}

/// The label for log lines of `describe`, which runs outside any task.
pub(crate) fn load_label(digest: &Digest) -> TaskLabel {
    TaskLabel {
        plugin: digest.short().to_owned(),
        ..TaskLabel::default()
    }
}
