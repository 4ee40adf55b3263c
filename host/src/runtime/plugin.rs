//! [`Plugin`]: a loaded, linked artifact, as [`PluginRuntime`](super::PluginRuntime) hands it
//! out: its identity, what it declared and was granted, and the linked `InstancePre` every task
//! instantiates.

use std::fmt;
use std::sync::Arc;

use super::bindings;
use super::cache::CacheOutcome;
use super::digest::Digest;
use super::sandbox::GuestState;
use super::types::{Contract, PluginTypes, World};
use crate::grant::{Capabilities, Requirements};

/// The linked component, typed by world and contract version.
pub(crate) enum Linked {
    /// A decider of either contract version (their exports are the same).
    Decider(bindings::decider::DeciderPre<GuestState>),
    Activity(bindings::activity::ActivityPre<GuestState>),
    ActivityV01(bindings::v0_1::activity::ActivityPre<GuestState>),
}

/// A loaded, linked plugin. Cloning is cheap; clones share the compiled code.
#[derive(Clone)]
pub struct Plugin {
    inner: Arc<PluginInner>,
}

/// Everything a [`Plugin`] knows, shared by its clones.
pub(crate) struct PluginInner {
    pub(crate) digest: Digest,
    pub(crate) world: World,
    pub(crate) contract: Contract,
    pub(crate) types: PluginTypes,
    pub(crate) requirements: Requirements,
    pub(crate) capabilities: Arc<Capabilities>,
    pub(crate) cache: CacheOutcome,
    pub(crate) size: usize,
    pub(crate) linked: Linked,
    /// The `warm-decider` bindings, for a decider that exports `decide-since`.
    pub(crate) warm: Option<bindings::warm_decider::WarmDeciderPre<GuestState>>,
}

impl Plugin {
    pub(crate) fn new(inner: PluginInner) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }

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

    /// Whether it implements the `warm-decider` world: an instance can be kept for a run's
    /// next decision task and handed only the new events.
    pub fn keeps_warm(&self) -> bool {
        self.inner.warm.is_some()
    }

    pub(crate) fn linked(&self) -> &Linked {
        &self.inner.linked
    }

    pub(crate) fn warm_pre(&self) -> Option<&bindings::warm_decider::WarmDeciderPre<GuestState>> {
        self.inner.warm.as_ref()
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
