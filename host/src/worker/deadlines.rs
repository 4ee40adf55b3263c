//! [`ScheduledDeadlines`]: the start-to-close timeout of every activity task this worker's own
//! deciders scheduled, so that running the task needs no history read to learn its deadline
//! (PollForActivityTask does not carry it).
//!
//! Data flow: `decision::handle` records the ScheduleActivityTask decisions of a response just
//! before sending it (after would race the activity poller); `activity::handle` takes the entry
//! of the task it runs. A decision that names no start-to-close means the type's registered
//! default, which `activity::handle` asks SWF once per type ([`TypeDefaults`]; SWF types are
//! immutable). A task scheduled by another process, or whose entry the bound dropped, costs one
//! history read as before.
//!
//! Bounded: at most [`ScheduledDeadlines::CAPACITY`] entries, least recently recorded dropped
//! first. A leaf.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use hashlink::LruCache;
use swf_model::Decision;

/// What a ScheduleActivityTask decision said about the task's start-to-close timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheduled {
    /// The decision set it: a duration, or `None` for `NONE`.
    Timeout(Option<Duration>),
    /// The decision left it to the activity type's registered default.
    TypeDefault,
}

/// Start-to-close timeouts by (run id, activity id); shared by a worker's task handlers.
pub(crate) struct ScheduledDeadlines {
    entries: Mutex<LruCache<(String, String), Scheduled>>,
}

impl Default for ScheduledDeadlines {
    fn default() -> Self {
        Self {
            entries: Mutex::new(LruCache::new(Self::CAPACITY)),
        }
    }
}

impl ScheduledDeadlines {
    /// Most entries kept: activity tasks scheduled and not yet started on this worker.
    pub(crate) const CAPACITY: usize = 50_000;

    /// Remembers the timeouts of the activities `decisions` schedule in `run_id`.
    pub(crate) fn record(&self, run_id: &str, decisions: &[Decision]) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        for decision in decisions {
            if let Decision::ScheduleActivityTask(a) = decision {
                let scheduled = match &a.start_to_close_timeout {
                    Some(timeout) => Scheduled::Timeout(
                        swf_model::duration_secs(timeout).map(Duration::from_secs),
                    ),
                    None => Scheduled::TypeDefault,
                };
                entries.insert((run_id.to_owned(), a.activity_id.clone()), scheduled);
            }
        }
    }

    /// What the decision that scheduled activity `activity_id` of `run_id` said, if this
    /// worker sent it; forgets it.
    pub(crate) fn take(&self, run_id: &str, activity_id: &str) -> Option<Scheduled> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(&(run_id.to_owned(), activity_id.to_owned()))
    }
}

/// The registered default start-to-close timeout of each activity type asked about, by (name,
/// version): `None` for `NONE` or no default.
#[derive(Default)]
pub(crate) struct TypeDefaults {
    known: Mutex<HashMap<(String, String), Option<Duration>>>,
}

impl TypeDefaults {
    /// The cached default of a type, if it was asked about.
    pub(crate) fn get(&self, name: &str, version: &str) -> Option<Option<Duration>> {
        let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        known.get(&(name.to_owned(), version.to_owned())).copied()
    }

    /// Remembers a type's default (types are immutable, so for the worker's lifetime).
    pub(crate) fn insert(&self, name: &str, version: &str, default: Option<Duration>) {
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        known.insert((name.to_owned(), version.to_owned()), default);
    }
}

#[cfg(test)]
mod tests {
    use swf_model::{ActivityType, ScheduleActivityTaskDecisionAttributes};

    use super::*;

    fn schedule(id: &str, start_to_close: Option<&str>) -> Decision {
        Decision::ScheduleActivityTask(ScheduleActivityTaskDecisionAttributes {
            activity_id: id.to_owned(),
            activity_type: ActivityType {
                name: "A".to_owned(),
                version: "1".to_owned(),
            },
            start_to_close_timeout: start_to_close.map(str::to_owned),
            ..Default::default()
        })
    }

    #[test]
    fn a_recorded_decision_gives_the_deadline_once() {
        let deadlines = ScheduledDeadlines::default();
        deadlines.record(
            "run",
            &[
                schedule("a", Some("30")),
                schedule("b", None),
                schedule("c", Some("NONE")),
            ],
        );
        assert_eq!(
            deadlines.take("run", "a"),
            Some(Scheduled::Timeout(Some(Duration::from_secs(30))))
        );
        assert_eq!(deadlines.take("run", "a"), None);
        assert_eq!(deadlines.take("run", "b"), Some(Scheduled::TypeDefault));
        assert_eq!(deadlines.take("run", "c"), Some(Scheduled::Timeout(None)));
        assert_eq!(deadlines.take("other-run", "a"), None);
    }

    #[test]
    fn a_later_decision_for_the_same_activity_id_wins() {
        let deadlines = ScheduledDeadlines::default();
        deadlines.record("run", &[schedule("a", Some("30"))]);
        deadlines.record("run", &[schedule("a", Some("5"))]);
        assert_eq!(
            deadlines.take("run", "a"),
            Some(Scheduled::Timeout(Some(Duration::from_secs(5))))
        );
    }
}
