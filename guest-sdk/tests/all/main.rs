//! The Rust guest SDK's integration tests, natively (no wasm): one binary, a module per area.

mod flow;
mod flow_replay;
mod sdk;
