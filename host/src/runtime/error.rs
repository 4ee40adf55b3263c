//! Errors of the plugin runtime, split by when they happen: building the runtime, loading an
//! artifact, or running a guest on a task. Each names the cause in words an operator can act on.

use std::path::PathBuf;
use std::time::Duration;

use swf_model::DecisionError;

/// The runtime itself could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// wasmtime refused the engine configuration.
    #[error("cannot configure the WebAssembly engine: {0:#}")]
    Engine(#[source] wasmtime::Error),
    /// The compile cache directory is unusable.
    #[error("cannot use compile cache directory {0}: {1}")]
    Cache(PathBuf, #[source] std::io::Error),
}

/// An artifact could not be turned into a runnable plugin.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Reading the file failed.
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, #[source] std::io::Error),
    /// The bytes are not a WebAssembly component.
    #[error("not a WebAssembly component: {0}")]
    NotAComponent(String),
    /// wasmtime could not compile it.
    #[error("cannot compile the component: {0:#}")]
    Compile(#[source] wasmtime::Error),
    /// It implements neither the `decider` nor the `activity` world.
    #[error(
        "the component implements neither the swfwasm `decider` world (exports `describe`, \
         `decide`) nor the `activity` world (exports `describe`, `execute`); it exports [{}] and \
         imports [{}]",
        exports.join(", "),
        imports.join(", ")
    )]
    UnknownWorld {
        /// Names the component exports.
        exports: Vec<String>,
        /// Names the component imports.
        imports: Vec<String>,
    },
    /// Its imports or export signatures do not match what the host provides.
    #[error("the component does not link against the host: {message}; it imports [{}]", imports.join(", "))]
    Link {
        /// wasmtime's explanation.
        message: String,
        /// Names the component imports.
        imports: Vec<String>,
    },
    /// Calling `describe` failed.
    #[error("describe failed: {0}")]
    Describe(#[source] GuestError),
    /// `describe` declared nothing usable (no types, or a name SWF would refuse).
    #[error("describe failed: {0}")]
    Declaration(String),
    /// Calling `requires` failed.
    #[error("requires failed: {0}")]
    Requires(#[source] GuestError),
    /// A decider imports I/O.
    #[error(
        "a decider gets no I/O (its decisions must depend on the history alone), but this one imports [{}]; move the I/O into an activity",
        imports.join(", ")
    )]
    DeciderIo {
        /// The I/O interfaces it imports.
        imports: Vec<String>,
    },
    /// A required need is not granted: the artifact is not activated.
    #[error("not activated: {0}")]
    Ungranted(#[from] crate::grant::Ungranted),
}

/// Running a guest on one task failed. The task is not lost: the caller decides what to
/// tell SWF (a decider's task is left to time out or the workflow failed; an activity failed).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GuestError {
    /// The guest ran past its wall-clock deadline and was interrupted.
    #[error("deadline exceeded: the guest ran longer than {0:?} and was interrupted")]
    DeadlineExceeded(Duration),
    /// The guest tried to grow its memory past the cap.
    #[error(
        "memory limit exceeded: the guest asked for {requested} bytes, the limit is {limit} bytes"
    )]
    MemoryLimitExceeded {
        /// The cap, in bytes.
        limit: usize,
        /// The size the guest asked to grow to.
        requested: usize,
    },
    /// The guest's call stack overflowed (usually unbounded recursion).
    #[error("stack overflow in the guest (unbounded recursion?)")]
    StackOverflow,
    /// The guest trapped: a panic, an `unreachable`, a bad memory access, …
    #[error("the guest trapped: {message}")]
    Trap {
        /// The trap in words, with the tail of the guest's stderr (a panic message) if any.
        message: String,
        /// wasmtime's error, with the trap code and the guest backtrace.
        #[source]
        source: wasmtime::Error,
    },
    /// The guest returned its own error.
    #[error("the plugin returned an error: {0}")]
    Returned(String),
    /// The guest's output is not what the world promises (e.g. not valid JSON).
    #[error("invalid output from the plugin: {0}")]
    InvalidOutput(String),
    /// The decisions break SWF's limits and would be rejected.
    #[error("the decisions break SWF limits: {0}")]
    InvalidDecisions(#[from] DecisionError),
    /// The plugin implements the other world.
    #[error("plugin {digest} is {actual}, not {expected}")]
    WrongWorld {
        /// The plugin's digest.
        digest: String,
        /// What it is.
        actual: &'static str,
        /// What the caller needed.
        expected: &'static str,
    },
    /// The task given to the runtime cannot be serialised for the guest.
    #[error("invalid task: {0}")]
    InvalidTask(#[source] serde_json::Error),
    /// Instantiation or another host-side step failed.
    #[error("host error while running the guest: {source:#}")]
    Host {
        /// What failed.
        #[source]
        source: wasmtime::Error,
    },
}

impl GuestError {
    /// The cause in one word, for metrics: `deadline`, `memory`, `stack`, `trap`, `returned`,
    /// `invalid_output`, `invalid_decisions`, `wrong_world`, `invalid_task` or `host`.
    pub fn cause(&self) -> &'static str {
        match self {
            GuestError::DeadlineExceeded(_) => "deadline",
            GuestError::MemoryLimitExceeded { .. } => "memory",
            GuestError::StackOverflow => "stack",
            GuestError::Trap { .. } => "trap",
            GuestError::Returned(_) => "returned",
            GuestError::InvalidOutput(_) => "invalid_output",
            GuestError::InvalidDecisions(_) => "invalid_decisions",
            GuestError::WrongWorld { .. } => "wrong_world",
            GuestError::InvalidTask(_) => "invalid_task",
            GuestError::Host { .. } => "host",
        }
    }
}
