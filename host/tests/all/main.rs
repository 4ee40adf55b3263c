//! The host's integration tests, one binary for all of them (wasmtime and SQLite are linked
//! once, not once per area), with a module per area, as wasmtime's `tests/all` does.
//!
//! Every server a test needs (local-swf, moto, stub and echo servers, the fake payment
//! service) is started by the test on 127.0.0.1 and stopped when it ends, pass or fail.

mod common;

mod artifacts;
mod booking;
mod capabilities;
mod cli;
mod console;
mod fault_injection;
mod flow_languages;
mod hot_swap;
mod observability;
mod polyglot;
mod replay;
mod runtime;
mod scenarios;
mod sticky;
mod swf_client;
mod time_skipping;
mod worker;
mod worker_failures;
