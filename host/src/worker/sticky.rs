//! Sticky decision task lists: a run's decision tasks come back to the worker that decided it,
//! which keeps the run's events and so reads only the new ones (Temporal's sticky execution,
//! on SWF's own `taskList` + `taskListScheduleToStartTimeout` of RespondDecisionTaskCompleted).
//!
//! Data flow: `decision::handle` answers every decision task that does not close its run with
//! this worker's sticky task list ([`Sticky::route`]) and, once SWF took the answer, keeps the
//! task's events ([`Sticky::keep`]). The sticky list's pollers (`decision::poll`) ask only for the
//! events since the run's previous decision task (`startAtPreviousStartedEvent`) and put the
//! kept ones in front, and hand back the run's warm decider instance if one was kept (plugins
//! of the `warm-decider` world, which then get only the new events); when the run is not kept (evicted, or the worker restarted) or the kept
//! events do not reach the new ones (another worker decided in between), the history is read
//! in full. In verification mode `decision::handle` also reads every assembled history in full,
//! decides from both and stops the worker on any difference.
//!
//! A worker that dies leaves its runs' next decision tasks on its sticky list: SWF times each
//! out after `schedule_to_start_secs` (DecisionTaskTimedOut, SCHEDULE_TO_START) and schedules
//! it on the run's own task list, where any worker takes it with the full history.
//!
//! Memory is bounded by run count, event count and warm instance count; the least recently
//! decided run goes first (a run over the instance bound keeps its events, not its instance).

use std::sync::Mutex;

use hashlink::LruCache;
use swf_model::{HistoryEvent, RespondDecisionTaskCompleted, TaskList};

use super::config::StickyConfig;
use crate::metrics::{Metrics, metrics};
use crate::runtime::WarmDecider;

/// A worker's sticky task list and the runs it keeps.
pub(crate) struct Sticky {
    task_list: String,
    schedule_to_start: String,
    verify: bool,
    kept: Mutex<KeptRuns<WarmDecider>>,
}

/// Kept runs by run id, least recently decided first, with their warm instances `W`.
struct KeptRuns<W> {
    /// The runs' events.
    runs: LruCache<String, Vec<HistoryEvent>>,
    /// The warm instances of some of those runs, in an order of their own, so that the least
    /// recently decided one is found in constant time however many runs are kept.
    warm: LruCache<String, W>,
    events: usize,
    max_runs: usize,
    max_events: usize,
    max_warm: usize,
}

/// What is kept of a run: its complete history up to its latest decision task, and the
/// instance that decided it if the plugin keeps warm.
pub(crate) struct KeptRun<W = WarmDecider> {
    pub(crate) events: Vec<HistoryEvent>,
    pub(crate) warm: Option<W>,
}

/// How a decision task's history was put together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Assembly {
    /// The poll's pages held all of it.
    Polled,
    /// Kept events, then the ones the poll returned.
    Kept,
    /// Read in full after a sticky poll (the run was not kept).
    Read,
}

impl Sticky {
    /// The sticky side of a worker reporting `identity`, unless `config` turns it off;
    /// `verify` forces verification mode on.
    pub(crate) fn new(config: &StickyConfig, identity: &str, verify: bool) -> Option<Self> {
        if !config.enabled {
            return None;
        }
        // SWF task list names: no control characters, `:`, `/`, `|` or the text `arn`; the
        // random suffix keeps two workers with one identity apart.
        let identity: String = identity
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                    c
                } else {
                    '-'
                }
            })
            .take(200)
            .collect::<String>()
            .replace("arn", "a-rn");
        let suffix: u32 = rand::random();
        Some(Self {
            task_list: format!("swfwasm-sticky-{identity}-{suffix:08x}"),
            schedule_to_start: config.schedule_to_start_secs.max(1).to_string(),
            verify: verify || config.verify,
            kept: Mutex::new(KeptRuns {
                runs: LruCache::new_unbounded(),
                warm: LruCache::new_unbounded(),
                events: 0,
                max_runs: config.max_runs,
                max_events: config.max_events,
                max_warm: config.max_warm_instances,
            }),
        })
    }

    /// The task list only this worker polls.
    pub(crate) fn task_list(&self) -> &str {
        &self.task_list
    }

    /// Whether verification mode is on.
    pub(crate) fn verifies(&self) -> bool {
        self.verify
    }

    /// Sends the run's next decision task to this worker's sticky list.
    pub(crate) fn route(&self, response: &mut RespondDecisionTaskCompleted) {
        response.task_list = Some(TaskList::new(&self.task_list));
        response.task_list_schedule_to_start_timeout = Some(self.schedule_to_start.clone());
    }

    /// Keeps `run`, the complete history of `run_id`'s decision task just answered and the
    /// warm instance that decided it, if any.
    pub(crate) fn keep(&self, run_id: &str, run: KeptRun) {
        self.lock().keep(run_id, run);
    }

    /// What is kept of `run_id`, which is forgotten: the task being assembled owns it until
    /// it is answered and kept again.
    pub(crate) fn take(&self, run_id: &str) -> Option<KeptRun> {
        self.lock().remove(run_id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, KeptRuns<WarmDecider>> {
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<W> KeptRuns<W> {
    /// See [`Sticky::keep`].
    fn keep(&mut self, run_id: &str, run: KeptRun<W>) {
        self.remove(run_id);
        if run.events.len() > self.max_events || self.max_runs == 0 {
            return;
        }
        self.events += run.events.len();
        self.runs.insert(run_id.to_owned(), run.events);
        if let Some(warm) = run.warm.filter(|_| self.max_warm > 0) {
            self.warm.insert(run_id.to_owned(), warm);
        }
        while self.runs.len() > self.max_runs || self.events > self.max_events {
            let Some((evicted, events)) = self.runs.remove_lru() else {
                break;
            };
            self.events -= events.len();
            self.warm.remove(&evicted);
            Metrics::count(&metrics().sticky_histories, "evicted");
        }
        // Least recently decided first: those give up their instance, not their events.
        while self.warm.len() > self.max_warm {
            self.warm.remove_lru();
        }
    }

    fn remove(&mut self, run_id: &str) -> Option<KeptRun<W>> {
        let events = self.runs.remove(run_id)?;
        self.events -= events.len();
        Some(KeptRun {
            events,
            warm: self.warm.remove(run_id),
        })
    }
}

/// Whether `kept` (events 1..=n, in order) reaches the new events, which start at `first_new`.
/// Event ids in a history increase, so `kept` is 1..=n when its first event is 1 and its last
/// is n: checked in constant time, as it runs on every sticky task of ever longer histories.
pub(crate) fn joins(kept: &[HistoryEvent], first_new: i64) -> bool {
    let n = i64::try_from(kept.len()).unwrap_or(i64::MAX);
    let complete = kept.first().is_some_and(|e| e.event_id == 1)
        && kept.last().is_some_and(|e| e.event_id == n);
    complete && n >= first_new - 1
}

/// Where two histories of one decision task first differ, for the verification error: event
/// ids, types and times only (attributes may carry workflow data, which stays out of logs).
pub(crate) fn first_difference(kept: &[HistoryEvent], full: &[HistoryEvent]) -> Option<String> {
    if let Some((a, b)) = kept.iter().zip(full).find(|(a, b)| a != b) {
        return Some(format!(
            "event {}: assembled {} at {}, read in full {} at {} (attributes {})",
            a.event_id,
            a.event_type(),
            a.event_timestamp,
            b.event_type(),
            b.event_timestamp,
            if a.attributes == b.attributes {
                "equal"
            } else {
                "differ"
            }
        ));
    }
    (kept.len() != full.len()).then(|| {
        format!(
            "the assembled history has {} events, the full one {}",
            kept.len(),
            full.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use swf_model::{EventAttributes, MarkerRecordedEventAttributes};

    use super::*;

    fn events(ids: std::ops::RangeInclusive<i64>) -> Vec<HistoryEvent> {
        ids.map(|id| HistoryEvent {
            event_id: id,
            event_timestamp: id as f64,
            attributes: EventAttributes::MarkerRecorded(MarkerRecordedEventAttributes {
                marker_name: format!("m{id}"),
                details: None,
                decision_task_completed_event_id: 0,
            }),
        })
        .collect()
    }

    fn sticky(max_runs: usize, max_events: usize) -> Sticky {
        let config = StickyConfig {
            max_runs,
            max_events,
            ..StickyConfig::default()
        };
        Sticky::new(&config, "host:1/arn", false).unwrap()
    }

    #[test]
    fn the_task_list_name_is_one_swf_accepts() {
        let name = sticky(1, 1).task_list;
        assert!(name.starts_with("swfwasm-sticky-host-1-a-rn-"), "{name}");
        swf_model::check_identifier(&name, 256).unwrap();
    }

    #[test]
    fn kept_events_join_new_ones_only_without_a_gap() {
        assert!(joins(&events(1..=5), 6));
        assert!(joins(&events(1..=5), 4), "an overlap is dropped");
        assert!(
            !joins(&events(1..=5), 7),
            "a gap means someone else decided"
        );
        assert!(!joins(&events(2..=5), 3), "kept events must start at 1");
    }

    #[test]
    fn the_least_recently_decided_run_is_evicted_by_count_and_by_events() {
        let run = |ids| KeptRun {
            events: events(ids),
            warm: None,
        };
        let by_count = sticky(2, 1_000);
        by_count.keep("a", run(1..=3));
        by_count.keep("b", run(1..=3));
        by_count.keep("c", run(1..=3));
        assert!(by_count.take("a").is_none());
        assert_eq!(by_count.take("b").unwrap().events.len(), 3);

        let by_events = sticky(100, 10);
        by_events.keep("a", run(1..=4));
        by_events.keep("b", run(1..=4));
        by_events.keep("c", run(1..=4));
        assert!(by_events.take("a").is_none());
        assert!(by_events.take("b").is_some() && by_events.take("c").is_some());
        by_events.keep("huge", run(1..=11));
        assert!(by_events.take("huge").is_none(), "larger than the bound");
        assert_eq!(by_events.lock().events, 0);
    }

    #[test]
    fn over_the_instance_bound_the_least_recently_decided_run_keeps_its_events_only() {
        let mut kept = KeptRuns::<&str> {
            runs: LruCache::new_unbounded(),
            warm: LruCache::new_unbounded(),
            events: 0,
            max_runs: 100,
            max_events: 1_000,
            max_warm: 2,
        };
        let run = |warm| KeptRun {
            events: events(1..=3),
            warm: Some(warm),
        };
        kept.keep("a", run("a's instance"));
        kept.keep("b", run("b's instance"));
        kept.keep("a", run("a's instance"));
        kept.keep("c", run("c's instance"));
        let b = kept.remove("b").expect("b's events are kept");
        assert_eq!(
            (b.events.len(), b.warm),
            (3, None),
            "b was decided least recently"
        );
        assert_eq!(kept.remove("a").unwrap().warm, Some("a's instance"));
        assert_eq!(kept.remove("c").unwrap().warm, Some("c's instance"));

        kept.max_runs = 1;
        kept.keep("d", run("d's instance"));
        kept.keep("e", run("e's instance"));
        assert!(kept.remove("d").is_none(), "evicted with its instance");
        assert_eq!((kept.runs.len(), kept.warm.len(), kept.events), (1, 1, 3));
    }

    #[test]
    fn a_difference_names_the_first_differing_event() {
        let full = events(1..=4);
        let mut kept = full.clone();
        assert_eq!(first_difference(&kept, &full), None);
        kept[2].event_timestamp = 99.0;
        let difference = first_difference(&kept, &full).unwrap();
        assert!(difference.starts_with("event 3:"), "{difference}");
        kept.truncate(2);
        assert!(first_difference(&kept, &full).unwrap().contains("2 events"));
    }
}
