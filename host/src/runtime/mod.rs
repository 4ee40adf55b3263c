//! The plugin runtime: from a `.wasm` artifact to a decision or an activity result.
//!
//! Data flow:
//! 1. [`PluginRuntime::load_file`] reads an artifact, names it by its sha256 [`Digest`], and
//!    gets compiled code from the [`CompileCache`] or compiles it (then caches it).
//! 2. It checks which world the component implements ([`World`]), links it against the host
//!    imports once into an `InstancePre`, and calls `describe` to learn the types it serves.
//!    The result is a cheap-to-clone [`Plugin`].
//!    Activities are also asked what they need (`requires`), which meets the operator's
//!    [`Grants`](crate::grant::Grants) in the plugin's capabilities; an unmet required need
//!    fails the load ([`LoadError::Ungranted`]).
//! 3. [`PluginRuntime::decide`] / [`PluginRuntime::execute`] instantiate a fresh instance per
//!    task inside a sandbox (memory cap, epoch deadline, captured stdio; for deciders a clock
//!    and random source derived from the history; for activities their granted outbound HTTP,
//!    config values and directories), call the export, and turn traps and bad output into a
//!    [`GuestError`] that names the cause. A decider that implements `warm-decider` can also
//!    be kept warm for its run ([`PluginRuntime::decide_and_keep`], a [`WarmDecider`]) and
//!    handed only the next task's new events ([`PluginRuntime::decide_since`]).
//!
//! Modules, leaves first (each imports only modules above it in this list):
//! `digest`, `config`, `error`, `heartbeat`, `label`, `types` (leaves: plain data);
//! `engine` (the shared wasmtime engine and its epoch thread), `cache` (compiled code on disk),
//! `component` (what a component's bytes and shape say); `outbound` (the HTTP hooks),
//! `sandbox` (a task's store data), `bindings` (the WIT bindings, linkers and host-interface
//! implementations); `plugin` (a loaded plugin), `call` (one guest call: store, deadline,
//! errors), `warm` (a kept decider instance); `plugin_runtime` ([`PluginRuntime`]: build,
//! load, execute), `decide` (its deciding, fresh and warm).

mod bindings;
mod cache;
mod call;
mod component;
mod config;
mod decide;
mod digest;
mod engine;
mod error;
mod heartbeat;
mod label;
mod outbound;
mod plugin;
mod plugin_runtime;
mod sandbox;
mod types;
mod warm;

pub use cache::{CacheOutcome, CompileCache};
pub use config::RuntimeConfig;
pub use digest::Digest;
pub use engine::AllocationStrategy;
pub use error::{GuestError, LoadError, RuntimeError};
pub use heartbeat::{HeartbeatHandler, HeartbeatStatus, NoHeartbeat};
pub use plugin::Plugin;
pub use plugin_runtime::PluginRuntime;
pub use types::{
    ActivityOutcome, ActivityTypeDecl, Contract, PluginTypes, WorkflowTypeDecl, World,
};
pub use warm::WarmDecider;
