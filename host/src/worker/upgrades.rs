//! [`UpgradeVerdicts`]: what the worker learned about moving runs to a newer artifact (does the
//! run's history replay identically on it?), so each (run, artifact) pair is replayed once.
//!
//! Bounded: a closed run's verdicts are forgotten when its closing decision is answered, and
//! at most [`UpgradeVerdicts::CAPACITY`] runs are remembered (the oldest run is forgotten
//! first). A forgotten verdict only costs a replay on the run's next decision task. A leaf.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Replay verdicts by run id and candidate digest; shared by a worker's task handlers.
#[derive(Debug, Default)]
pub(crate) struct UpgradeVerdicts {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Run id → (candidate digest, replayed identically) for each candidate tried.
    runs: HashMap<String, Vec<(String, bool)>>,
    /// Run ids in the order they were first remembered; may hold forgotten ids, which
    /// [`Inner::compact`] drops.
    order: VecDeque<String>,
}

impl UpgradeVerdicts {
    /// Most runs remembered at once.
    pub(crate) const CAPACITY: usize = 10_000;

    /// The verdict for moving `run_id` to `digest`, if known.
    pub(crate) fn get(&self, run_id: &str, digest: &str) -> Option<bool> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let verdicts = inner.runs.get(run_id)?;
        verdicts.iter().find(|(d, _)| d == digest).map(|(_, v)| *v)
    }

    /// Remembers the verdict for moving `run_id` to `digest`.
    pub(crate) fn insert(&self, run_id: &str, digest: &str, identical: bool) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match inner.runs.get_mut(run_id) {
            Some(verdicts) => match verdicts.iter_mut().find(|(d, _)| d == digest) {
                Some(verdict) => verdict.1 = identical,
                None => verdicts.push((digest.to_owned(), identical)),
            },
            None => {
                while inner.runs.len() >= Self::CAPACITY {
                    let Some(oldest) = inner.order.pop_front() else {
                        break;
                    };
                    inner.runs.remove(&oldest);
                }
                inner
                    .runs
                    .insert(run_id.to_owned(), vec![(digest.to_owned(), identical)]);
                inner.order.push_back(run_id.to_owned());
                inner.compact();
            }
        }
    }

    /// Forgets a run (it closed).
    pub(crate) fn forget_run(&self, run_id: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.runs.remove(run_id);
        inner.compact();
    }
}

impl Inner {
    /// Drops forgotten runs from `order` once they make up half of it, so `order` stays within
    /// twice the runs remembered.
    fn compact(&mut self) {
        if self.order.len() > 2 * self.runs.len().max(16) {
            let runs = &self.runs;
            self.order.retain(|run| runs.contains_key(run));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(verdicts: &UpgradeVerdicts) -> usize {
        verdicts.inner.lock().unwrap().runs.len()
    }

    #[test]
    fn verdicts_are_kept_per_run_and_digest() {
        let verdicts = UpgradeVerdicts::default();
        verdicts.insert("run-1", "aaa", true);
        verdicts.insert("run-1", "bbb", false);
        assert_eq!(verdicts.get("run-1", "aaa"), Some(true));
        assert_eq!(verdicts.get("run-1", "bbb"), Some(false));
        assert_eq!(verdicts.get("run-1", "ccc"), None);
        assert_eq!(verdicts.get("run-2", "aaa"), None);
    }

    #[test]
    fn a_closed_run_is_forgotten() {
        let verdicts = UpgradeVerdicts::default();
        verdicts.insert("run-1", "aaa", true);
        verdicts.forget_run("run-1");
        assert_eq!(verdicts.get("run-1", "aaa"), None);
        assert_eq!(runs(&verdicts), 0);
    }

    #[test]
    fn memory_stays_bounded_and_the_oldest_run_goes_first() {
        let verdicts = UpgradeVerdicts::default();
        let total = UpgradeVerdicts::CAPACITY + 500;
        for n in 0..total {
            verdicts.insert(&format!("run-{n}"), "aaa", true);
        }
        assert_eq!(runs(&verdicts), UpgradeVerdicts::CAPACITY);
        assert_eq!(
            verdicts.get(&format!("run-{}", total - 1), "aaa"),
            Some(true)
        );
        assert_eq!(
            verdicts.get("run-1", "aaa"),
            None,
            "the oldest run was evicted"
        );
    }

    #[test]
    fn forgotten_runs_do_not_pile_up() {
        let verdicts = UpgradeVerdicts::default();
        for n in 0..100_000 {
            verdicts.insert(&format!("run-{n}"), "aaa", true);
            verdicts.forget_run(&format!("run-{n}"));
        }
        assert_eq!(runs(&verdicts), 0);
        assert!(verdicts.inner.lock().unwrap().order.len() <= 32);
    }
}
