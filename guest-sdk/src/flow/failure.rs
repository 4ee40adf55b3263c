//! What a request of the flow API can end in besides its result, and the error a replay that
//! no longer matches its history ends in. The messages are the ones the JavaScript and Python
//! flow APIs give (`guest-sdk/FLOW.md`).

/// Why an activity did not produce a result.
#[derive(Debug, Clone, PartialEq)]
pub enum ActivityFailure {
    /// The worker reported a failure.
    Failed {
        /// Reason.
        reason: Option<String>,
        /// Details.
        details: Option<String>,
    },
    /// A timeout expired (`START_TO_CLOSE`, `HEARTBEAT`, …).
    TimedOut(String),
    /// The activity was canceled.
    Canceled(Option<String>),
    /// SWF refused to schedule it (the cause); never retried, so a misconfiguration cannot
    /// fill the history with attempts.
    ScheduleFailed(String),
    /// The result is not the JSON the code expects.
    BadResult(String),
}

impl std::fmt::Display for ActivityFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Failed { reason, details } => write!(
                f,
                "failed: {}{}",
                reason.as_deref().unwrap_or("(no reason)"),
                details
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            ),
            Self::TimedOut(kind) => write!(f, "timed out ({kind})"),
            Self::Canceled(_) => write!(f, "canceled"),
            Self::ScheduleFailed(cause) => write!(f, "could not be scheduled: {cause}"),
            Self::BadResult(problem) => write!(f, "returned an unreadable result: {problem}"),
        }
    }
}

impl std::error::Error for ActivityFailure {}

/// Why a child workflow did not produce a result.
#[derive(Debug, Clone, PartialEq)]
pub enum ChildFailure {
    /// SWF refused to start it (the `StartChildWorkflowExecutionFailed` cause).
    StartFailed(String),
    /// It failed, with its reason and details.
    Failed {
        /// Reason.
        reason: Option<String>,
        /// Details.
        details: Option<String>,
    },
    /// Its execution timed out.
    TimedOut,
    /// It was canceled.
    Canceled(Option<String>),
    /// It was terminated.
    Terminated,
    /// The result is not the JSON the code expects.
    BadResult(String),
}

impl std::fmt::Display for ChildFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::StartFailed(cause) => write!(f, "could not be started: {cause}"),
            Self::Failed { reason, .. } => {
                write!(f, "failed: {}", reason.as_deref().unwrap_or("(no reason)"))
            }
            Self::TimedOut => write!(f, "timed out"),
            Self::Canceled(_) => write!(f, "canceled"),
            Self::Terminated => write!(f, "terminated"),
            Self::BadResult(problem) => write!(f, "returned an unreadable result: {problem}"),
        }
    }
}

impl std::error::Error for ChildFailure {}

/// The code no longer asks for what the history says it asked for: replaying this history on
/// this code would not reproduce it, so the decider refuses to decide.
///
/// Reads `non-determinism at event 5: the history has activity SelectItinerary 1.0
/// (SelectItinerary-1), the code asks for activity SubmitDetails 1.0 (SubmitDetails-1)`, or
/// `…, the code does not ask for it` when the code asks for nothing new.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NonDeterminism {
    /// The history event of the step the code does not match.
    pub event_id: i64,
    /// That step, e.g. `activity SelectItinerary 1.0 (SelectItinerary-1)`.
    pub history: String,
    /// What the code asks for instead, if anything.
    pub code: Option<String>,
}

impl std::fmt::Display for NonDeterminism {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "non-determinism at event {}: the history has {}, ",
            self.event_id, self.history
        )?;
        match &self.code {
            Some(code) => write!(f, "the code asks for {code}"),
            None => write!(f, "the code does not ask for it"),
        }
    }
}

impl std::error::Error for NonDeterminism {}
