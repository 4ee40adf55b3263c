//! The service's state machine: every SWF action as a method on [`StateMachine`], run under one
//! lock.
//!
//! Data flow of a call: the HTTP layer parses and validates the request, locks the state machine
//! and calls [`StateMachine::transact`] with the action. The action reads what it needs (domains
//! and types from SQLite, open runs from memory), mutates open runs in memory and records history
//! events. When it returns, the transaction ends every touched run's transition (scheduling the
//! decision task that new events call for, starting children, delivering signals), writes the
//! events and the touched runs to SQLite and commits, and only then re-indexes the task queues
//! and deadlines and wakes the pollers. If anything fails, the SQLite transaction is rolled back
//! and the in-memory runs are restored from the undo log, so memory and disk never disagree.
//!
//! Open runs live in memory (rebuilt from SQLite at start); closed runs, domains, types and
//! histories are read from SQLite.
//!
//! Imports between the modules here go one way: [`shared`], [`settings`] and [`waiters`] are
//! leaves, [`machine`] holds the struct and its transaction and imports only leaves, and the
//! action modules import `machine` and the leaves, never each other.

mod activities;
mod closing;
mod decisions;
mod dispatch;
mod executions;
mod machine;
mod registry;
mod scheduling;
mod settings;
mod shared;
mod skipping;
#[cfg(test)]
mod tests;
mod timeouts;
mod visibility;
mod waiters;

pub use dispatch::Polled;
pub use machine::{StateMachine, StateMachineConfig};
pub use shared::{ActivityOutcome, QueueKind};
pub use skipping::{QUIET_MS, STALL_MS};
pub use visibility::VisibilityFilters;
