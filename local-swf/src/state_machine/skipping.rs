//! Time skipping: the service's clock is the real clock plus an offset, and with time skipping
//! on, the timer task moves the offset straight to the next deadline (timer, timeout) when
//! nothing needs time to flow. Event timestamps, timers and every timeout read this clock, so a
//! history written with skips is an ordinary SWF history whose clock ran faster while the
//! workflow only waited.
//!
//! Time flows normally (nothing is skipped) while
//! - a call came in within the last [`QUIET_MS`] of real time (a worker between a response and
//!   its next poll is not idle),
//! - a decision or activity task is queued or started on a run some call touched (started it,
//!   completed a task, heartbeat, anything) within the last [`STALL_MS`] of real time: a worker
//!   is on it, or is about to poll for it (a client that started a run and polls next may take
//!   longer than [`QUIET_MS`] on a loaded machine, and the run must not time out under it). A
//!   worker silent for longer no longer holds the clock, so its start-to-close or heartbeat
//!   timeout, or a never-polled task's timeout, fires at the right time without waiting for it
//!   in real time; a long computation under time skipping should heartbeat,
//! - a queued task has a poller waiting for it (it is about to be handed out).
//!
//! A clock hold ([`StateMachine::hold_clock_at`]) is a point in time skipping stops at until it
//! is released: a test driver that must act at a given time (send a signal 30 hours in) holds
//! the clock there, waits for the clock to reach it, acts, and releases it.
//!
//! The offset lives in memory: a restarted service starts from the real clock again.

use super::machine::StateMachine;
use crate::run::DecisionState;

/// Real time after the latest call during which the clock is not skipped, ms.
pub const QUIET_MS: i64 = 200;
/// Real time after the latest call touching a run during which its queued or started task
/// holds the clock, ms.
pub const STALL_MS: i64 = 2_000;

impl StateMachine {
    /// With nothing holding the clock (see the module docs), moves it to the next deadline and
    /// returns how far it moved, ms; 0 if it did not move.
    pub fn skip_to_next_deadline(&mut self) -> i64 {
        let now = self.clock_ms();
        let hold = self.clock_holds.first().copied();
        let Some(next) = [self.next_deadline_ms(), hold].into_iter().flatten().min() else {
            return 0;
        };
        if next <= now || self.holds_time(self.real_ms()) {
            return 0;
        }
        self.skipped_ms += next - now;
        next - now
    }

    /// The service's clock, epoch ms (the real clock plus what was skipped).
    pub fn now_ms(&mut self) -> i64 {
        self.clock_ms()
    }

    /// Makes time skipping stop at `at_ms` (service clock) until [`Self::release_clock`].
    pub fn hold_clock_at(&mut self, at_ms: i64) {
        self.clock_holds.insert(at_ms);
    }

    /// Releases the hold at `at_ms`.
    pub fn release_clock(&mut self, at_ms: i64) {
        self.clock_holds.remove(&at_ms);
    }

    /// Whether time must flow at real time `real_now`.
    fn holds_time(&self, real_now: i64) -> bool {
        if real_now - self.last_call_ms < QUIET_MS {
            return true;
        }
        let worked_on = |run_id: &str| {
            self.contact_ms
                .get(run_id)
                .is_some_and(|&at| real_now - at < STALL_MS)
        };
        let in_flight = self.runs.values().any(|run| {
            let has_task = run.decision != DecisionState::None || !run.activities.is_empty();
            has_task && worked_on(&run.execution.run_id)
        });
        in_flight
            || self.queues.iter().any(|((kind, key), queued)| {
                !queued.is_empty() && self.waiters.is_waiting(*kind, key)
            })
    }
}
