//! swf-model's integration tests, one binary (as wasmtime does): one module per area.

mod decisions;
mod event_types;
mod faults;
mod history;
mod requests;
mod validate;
