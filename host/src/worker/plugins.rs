//! The loaded plugins, indexed for routing: decision tasks by workflow type, activity tasks by
//! activity type, both as (name, version).

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use crate::runtime::{Plugin, PluginTypes};

use super::config::{TaskKind, TaskListConfig};

type TypeKey = (String, String);

/// Plugins by the types they declared.
#[derive(Default, Clone)]
pub struct PluginSet {
    deciders: HashMap<TypeKey, Plugin>,
    activities: HashMap<TypeKey, (Plugin, Option<Duration>)>,
    task_lists: BTreeSet<(String, TaskKindKey)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TaskKindKey {
    Decision,
    Activity,
}

/// Two loaded plugins declare the same type.
#[derive(Debug, thiserror::Error)]
#[error("{kind} type {name} {version} is declared by both {first} and {second}")]
pub struct DuplicateType {
    kind: &'static str,
    name: String,
    version: String,
    first: String,
    second: String,
}

impl PluginSet {
    /// Adds a plugin; a type declared twice is an error (which artifact would win is not
    /// something to leave to load order).
    pub fn insert(&mut self, plugin: Plugin) -> Result<(), DuplicateType> {
        match plugin.types() {
            PluginTypes::Workflows(types) => {
                for t in types {
                    let key = (t.name.clone(), t.version.clone());
                    if let Some(existing) = self.deciders.get(&key) {
                        return Err(duplicate("workflow", &key, existing, &plugin));
                    }
                    if let Some(list) = &t.default_task_list {
                        self.task_lists
                            .insert((list.clone(), TaskKindKey::Decision));
                    }
                    self.deciders.insert(key, plugin.clone());
                }
            }
            PluginTypes::Activities(types) => {
                for t in types {
                    let key = (t.name.clone(), t.version.clone());
                    if let Some((existing, _)) = self.activities.get(&key) {
                        return Err(duplicate("activity", &key, existing, &plugin));
                    }
                    if let Some(list) = &t.default_task_list {
                        self.task_lists
                            .insert((list.clone(), TaskKindKey::Activity));
                    }
                    let timeout = t
                        .default_task_start_to_close_timeout
                        .as_deref()
                        .and_then(|s| s.parse::<u64>().ok())
                        .map(Duration::from_secs);
                    self.activities.insert(key, (plugin.clone(), timeout));
                }
            }
        }
        Ok(())
    }

    /// The decider for a workflow type.
    pub fn decider(&self, name: &str, version: &str) -> Option<&Plugin> {
        self.deciders.get(&(name.to_owned(), version.to_owned()))
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

fn duplicate(kind: &'static str, key: &TypeKey, first: &Plugin, second: &Plugin) -> DuplicateType {
    DuplicateType {
        kind,
        name: key.0.clone(),
        version: key.1.clone(),
        first: first.digest().to_string(),
        second: second.digest().to_string(),
    }
}
