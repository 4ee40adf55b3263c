//! The loaded plugins, indexed for routing: decision tasks by workflow type, activity tasks by
//! activity type, both as (name, version).
//!
//! Several artifacts may declare the same type: the one added last is *active* (new runs, and
//! activity tasks, go to it); the earlier ones stay loaded for runs pinned to them (see
//! [`super::pin`]). [`LivePlugins`] holds the current set in a watch channel whose value is an
//! `Arc`, so a swap is atomic, a task keeps the artifact it started with, and the worker hears of
//! every swap (to poll task lists that new artifacts declare).

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::metrics::metrics;
use crate::runtime::{Plugin, PluginTypes};

use super::config::{TaskKind, TaskListConfig};

type TypeKey = (String, String);

/// Plugins by the types they declared.
#[derive(Default, Clone)]
pub struct PluginSet {
    /// Oldest first; the last one is active.
    deciders: HashMap<TypeKey, Vec<Plugin>>,
    activities: HashMap<TypeKey, (Plugin, Option<Duration>)>,
    task_lists: BTreeSet<(String, TaskKindKey)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TaskKindKey {
    Decision,
    Activity,
}

impl PluginSet {
    /// Adds a plugin; for every type it declares it becomes the active artifact (an artifact
    /// already in the set is not added twice).
    pub fn insert(&mut self, plugin: Plugin) {
        match plugin.types() {
            PluginTypes::Workflows(types) => {
                for t in types {
                    let key = (t.name.clone(), t.version.clone());
                    if let Some(list) = &t.default_task_list {
                        self.task_lists
                            .insert((list.clone(), TaskKindKey::Decision));
                    }
                    let versions = self.deciders.entry(key).or_default();
                    versions.retain(|p| p.digest() != plugin.digest());
                    versions.push(plugin.clone());
                }
            }
            PluginTypes::Activities(types) => {
                for t in types {
                    let key = (t.name.clone(), t.version.clone());
                    if let Some(list) = &t.default_task_list {
                        self.task_lists
                            .insert((list.clone(), TaskKindKey::Activity));
                    }
                    let timeout = t
                        .default_task_start_to_close_timeout
                        .as_deref()
                        .and_then(swf_model::duration_secs)
                        .map(Duration::from_secs);
                    self.activities.insert(key, (plugin.clone(), timeout));
                }
            }
        }
    }

    /// The active decider for a workflow type.
    pub fn decider(&self, name: &str, version: &str) -> Option<&Plugin> {
        self.deciders
            .get(&(name.to_owned(), version.to_owned()))
            .and_then(|versions| versions.last())
    }

    /// The loaded decider of a workflow type with this digest (hex), active or not.
    pub fn decider_with_digest(&self, name: &str, version: &str, digest: &str) -> Option<&Plugin> {
        self.deciders
            .get(&(name.to_owned(), version.to_owned()))?
            .iter()
            .find(|p| p.digest().hex() == digest)
    }

    /// The activity plugin for an activity type, and the type's declared start-to-close
    /// timeout.
    pub fn activity(&self, name: &str, version: &str) -> Option<(&Plugin, Option<Duration>)> {
        self.activities
            .get(&(name.to_owned(), version.to_owned()))
            .map(|(p, t)| (p, *t))
    }

    /// Every distinct plugin, deciders first.
    pub fn plugins(&self) -> Vec<Plugin> {
        let mut seen = BTreeSet::new();
        self.deciders
            .values()
            .flatten()
            .chain(self.activities.values().map(|(p, _)| p))
            .filter(|p| seen.insert(p.digest().clone()))
            .cloned()
            .collect()
    }

    /// One default-settings entry per task list the plugins declare.
    pub fn default_task_lists(&self) -> Vec<TaskListConfig> {
        self.task_lists
            .iter()
            .map(|(name, kind)| {
                let kind = match kind {
                    TaskKindKey::Decision => TaskKind::Decision,
                    TaskKindKey::Activity => TaskKind::Activity,
                };
                TaskListConfig::new(name.clone(), kind)
            })
            .collect()
    }
}

/// The next number of [`activation_order`]: one counter for the process, so the directory's
/// activations and the watched sources' are ordered together.
static ACTIVATIONS: AtomicU64 = AtomicU64::new(0);

/// A number greater than that of every activation before: where an artifact activated now
/// stands among all activations (the latest activated for a type is active).
pub fn activation_order() -> u64 {
    ACTIVATIONS.fetch_add(1, Ordering::Relaxed)
}

/// The current plugin set of a running worker, replaced whole when artifacts come and go.
///
/// Two things change it: the plugin directory rescans and hands over its whole set
/// ([`replace`](Self::replace)); a watched source activates one new artifact
/// ([`activate`](Self::activate)). A rescan keeps what sources activated: each artifact is
/// inserted in the order it was activated, so the latest for a type stays active whichever of
/// the two brought it.
pub struct LivePlugins {
    current: watch::Sender<Arc<PluginSet>>,
    /// What watched sources activated, with its [`activation_order`].
    from_sources: Mutex<Vec<(u64, Plugin)>>,
}

impl Default for LivePlugins {
    fn default() -> Self {
        Self::new(PluginSet::default())
    }
}

impl LivePlugins {
    /// Starts with `set`.
    pub fn new(set: PluginSet) -> Self {
        Self {
            current: watch::Sender::new(Arc::new(set)),
            from_sources: Mutex::new(Vec::new()),
        }
    }

    /// The set now; it stays valid (and its artifacts loaded) for as long as it is held.
    pub fn snapshot(&self) -> Arc<PluginSet> {
        self.current.borrow().clone()
    }

    /// Makes the current set `base` plus `activated` (artifacts with their
    /// [`activation_order`]) plus what watched sources activated, inserted in activation order.
    pub fn replace(&self, base: &[Plugin], activated: &[(u64, Plugin)]) {
        metrics().activations.inc();
        let from_sources = self
            .from_sources
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        let mut ordered: Vec<&(u64, Plugin)> = activated.iter().chain(&from_sources).collect();
        ordered.sort_by_key(|(order, _)| *order);
        let mut set = PluginSet::default();
        for plugin in base {
            set.insert(plugin.clone());
        }
        for (_, plugin) in ordered {
            set.insert(plugin.clone());
        }
        self.current.send_replace(Arc::new(set));
    }

    /// Adds `plugin` to the current set, active for every type it declares (what a watched
    /// source does with a new artifact; the rest of the set stays as it is, and later
    /// [`replace`](Self::replace)s keep it).
    pub fn activate(&self, plugin: Plugin) {
        metrics().activations.inc();
        self.from_sources
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((activation_order(), plugin.clone()));
        self.current
            .send_modify(|set| Arc::make_mut(set).insert(plugin));
    }

    /// A receiver that sees every later [`replace`](Self::replace).
    pub fn subscribe(&self) -> watch::Receiver<Arc<PluginSet>> {
        self.current.subscribe()
    }
}
