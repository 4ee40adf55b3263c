//! Group commit: the ledger between the state machine, which applies each call's changes at
//! once inside one open SQLite transaction, and the server's commit task, which commits
//! everything applied so far whenever it gets to run. Calls that arrive together therefore share
//! one commit (one WAL write and one fsync) instead of paying one each.
//!
//! Every applied transaction gets the next sequence number. A call is answered only once every
//! transaction applied before its answer is settled: committed (durable, under the configured
//! [`Durability`](crate::Durability)) or lost with a failed commit. So an answer never reports,
//! or depends on, a change the disk does not hold. A leaf: it imports nothing of the crate.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{Notify, watch};

/// How many failed commits are remembered for the calls still waiting on them.
const LOST_KEPT: usize = 64;

/// The ledger; see the module docs. Shared by the state machine and the server.
#[derive(Debug)]
pub struct Commits {
    /// Transactions applied so far; the state machine counts them under its lock.
    applied: AtomicU64,
    /// Wakes the commit task when a transaction was applied.
    pending: Notify,
    /// Where commits stand; calls wait on it.
    settled: watch::Sender<Settled>,
}

/// Where commits stand.
#[derive(Debug, Default)]
struct Settled {
    /// Every transaction up to this one is committed or lost.
    up_to: u64,
    /// Successful commits so far.
    commits: u64,
    /// The transactions of failed commits, `(first, last)`, newest last.
    lost: VecDeque<(u64, u64)>,
}

/// How many transactions were applied and how many commits wrote them: the ratio is the mean
/// size of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitStats {
    /// Transactions applied (calls that changed something, and fired deadlines).
    pub transactions: u64,
    /// Successful SQLite commits.
    pub commits: u64,
}

/// A transaction an answer depended on was lost: its commit failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitLost;

impl Default for Commits {
    fn default() -> Self {
        Commits {
            applied: AtomicU64::new(0),
            pending: Notify::new(),
            settled: watch::Sender::new(Settled::default()),
        }
    }
}

impl Commits {
    /// The sequence number of the latest applied transaction.
    pub fn applied(&self) -> u64 {
        self.applied.load(Ordering::SeqCst)
    }

    /// Counts one more applied transaction and wakes the commit task.
    pub fn count_applied(&self) {
        self.applied.fetch_add(1, Ordering::SeqCst);
        self.pending.notify_one();
    }

    /// Waits until a transaction was applied that is not settled yet (returns at once if one
    /// was applied since the last wait).
    pub async fn wait_pending(&self) {
        self.pending.notified().await;
    }

    /// Records the outcome of a commit of every transaction up to `up_to`.
    pub fn settle(&self, up_to: u64, committed: bool) {
        self.settled.send_modify(|settled| {
            if up_to <= settled.up_to {
                return;
            }
            if committed {
                settled.commits += 1;
            } else {
                if settled.lost.len() == LOST_KEPT {
                    settled.lost.pop_front();
                }
                settled.lost.push_back((settled.up_to + 1, up_to));
            }
            settled.up_to = up_to;
        });
    }

    /// Waits until transaction `seq` is settled: `Err` if its commit failed.
    pub async fn durable(&self, seq: u64) -> Result<(), CommitLost> {
        let mut settled = self.settled.subscribe();
        let settled = settled
            .wait_for(|settled| settled.up_to >= seq)
            .await
            .map_err(|_| CommitLost)?;
        match settled
            .lost
            .iter()
            .any(|(first, last)| (*first..=*last).contains(&seq))
        {
            true => Err(CommitLost),
            false => Ok(()),
        }
    }

    /// Transactions applied and commits made so far.
    pub fn stats(&self) -> CommitStats {
        CommitStats {
            transactions: self.applied(),
            commits: self.settled.borrow().commits,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_call_waits_for_the_commit_of_its_transaction_and_hears_of_a_lost_one() {
        let commits = Commits::default();
        commits.count_applied();
        commits.count_applied();
        commits.settle(2, true);
        assert_eq!(commits.durable(2).await, Ok(()));
        commits.count_applied();
        commits.settle(3, false);
        assert_eq!(commits.durable(3).await, Err(CommitLost));
        assert_eq!(commits.durable(1).await, Ok(()));
        assert_eq!(
            commits.stats(),
            CommitStats {
                transactions: 3,
                commits: 1
            }
        );
    }

    #[tokio::test]
    async fn a_waiting_call_is_answered_when_the_commit_lands() {
        let commits = std::sync::Arc::new(Commits::default());
        commits.count_applied();
        let waiter = tokio::spawn({
            let commits = commits.clone();
            async move { commits.durable(1).await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        commits.settle(1, true);
        assert_eq!(waiter.await.unwrap(), Ok(()));
    }
}
