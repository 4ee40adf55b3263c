//! [`WorkerError`]: why a running worker stopped on its own. A leaf.

/// Why [`Worker::serve`](super::Worker::serve) stopped the worker.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkerError {
    /// Verification mode (`[sticky] verify`) found a decision task whose history, assembled
    /// from kept events, or whose decisions differ from those of the full history.
    #[error("sticky verification failed for run {run_id}: {difference}")]
    StickyMismatch {
        /// The run whose decision task differed.
        run_id: String,
        /// The first difference.
        difference: String,
    },
}
