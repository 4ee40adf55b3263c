//! Logging to the host.
//!
//! Lines go through the `host.log` import, so they reach the host's log tagged with the plugin
//! digest and the task's ids, whatever the guest's stdout is doing. Built for a native target
//! (unit tests, benchmarks), the same calls print to stderr.

/// Severity of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Very detailed tracing.
    Trace,
    /// Debugging detail.
    Debug,
    /// Normal operation.
    Info,
    /// Something unexpected the plugin recovered from.
    Warn,
    /// Something failed.
    Error,
}

/// Writes `message` to the host's log at `level`.
pub fn log(level: Level, message: &str) {
    imp::log(level, message)
}

/// Logs at trace level.
pub fn trace(message: impl AsRef<str>) {
    log(Level::Trace, message.as_ref())
}
/// Logs at debug level.
pub fn debug(message: impl AsRef<str>) {
    log(Level::Debug, message.as_ref())
}
/// Logs at info level.
pub fn info(message: impl AsRef<str>) {
    log(Level::Info, message.as_ref())
}
/// Logs at warn level.
pub fn warn(message: impl AsRef<str>) {
    log(Level::Warn, message.as_ref())
}
/// Logs at error level.
pub fn error(message: impl AsRef<str>) {
    log(Level::Error, message.as_ref())
}

#[cfg(all(target_arch = "wasm32", any(feature = "decider", feature = "activity")))]
mod imp {
    use super::Level;
    #[cfg(feature = "activity")]
    use crate::bindings::activity::swfwasm::plugin::{host, types::Level as WitLevel};
    #[cfg(all(feature = "decider", not(feature = "activity")))]
    use crate::bindings::decider::swfwasm::plugin::{host, types::Level as WitLevel};

    pub(super) fn log(level: Level, message: &str) {
        let level = match level {
            Level::Trace => WitLevel::Trace,
            Level::Debug => WitLevel::Debug,
            Level::Info => WitLevel::Info,
            Level::Warn => WitLevel::Warn,
            Level::Error => WitLevel::Error,
        };
        host::log(level, message);
    }
}

#[cfg(not(all(target_arch = "wasm32", any(feature = "decider", feature = "activity"))))]
mod imp {
    use super::Level;

    pub(super) fn log(level: Level, message: &str) {
        eprintln!("[{level:?}] {message}");
    }
}
