//! The long-poll waiting room: pollers waiting for a task, per task list, oldest first. A leaf
//! apart from the queue key types of [`super::shared`].

use std::collections::{HashMap, VecDeque};

use tokio::sync::oneshot;

use super::shared::{QueueKey, QueueKind};
use crate::error::{ServiceError, ServiceResult};

/// Most pollers that may wait on one task list at once (spec §6.16).
const MAX_POLLERS: usize = 1_000;

/// Pollers waiting for a task, per list, oldest first.
#[derive(Default)]
pub(super) struct Waiters {
    lists: HashMap<(QueueKind, QueueKey), VecDeque<oneshot::Sender<()>>>,
}

impl Waiters {
    /// Wakes the oldest poller of the list that is still waiting.
    pub(super) fn wake(&mut self, kind: QueueKind, key: &QueueKey) {
        let Some(list) = self.lists.get_mut(&(kind, key.clone())) else {
            return;
        };
        while let Some(waiter) = list.pop_front() {
            if waiter.send(()).is_ok() {
                break;
            }
        }
        if list.is_empty() {
            self.lists.remove(&(kind, key.clone()));
        }
    }

    /// Whether a poller is waiting on the list (and has not gone away).
    pub(super) fn is_waiting(&self, kind: QueueKind, key: &QueueKey) -> bool {
        self.lists
            .get(&(kind, key.clone()))
            .is_some_and(|list| list.iter().any(|waiter| !waiter.is_closed()))
    }

    /// Wakes every waiting poller (the service is stopping).
    pub(super) fn wake_all(&mut self) {
        for (_, list) in self.lists.drain() {
            for waiter in list {
                let _ = waiter.send(());
            }
        }
    }

    pub(super) fn register(
        &mut self,
        kind: QueueKind,
        key: QueueKey,
    ) -> ServiceResult<oneshot::Receiver<()>> {
        let list = self.lists.entry((kind, key)).or_default();
        list.retain(|waiter| !waiter.is_closed());
        if list.len() >= MAX_POLLERS {
            return Err(ServiceError::new(
                swf_model::FaultKind::LimitExceededFault,
                format!("More than {MAX_POLLERS} pollers are waiting on this task list"),
            ));
        }
        let (tx, rx) = oneshot::channel();
        list.push_back(tx);
        Ok(rx)
    }
}
