//! Which artifact decided: every decision task this host answers carries the deciding
//! artifact's digest in its DecisionTaskCompleted event, so SWF's own history (and
//! `swfwasm history`) shows it and the next decision task of the run can be routed to the same
//! artifact ("pinning").
//!
//! The digest travels in `executionContext`, the only free-form member of
//! RespondDecisionTaskCompleted that lands in the history: `swfwasm-decider:<hex digest>`,
//! followed by a newline and the guest's own context when it set one. Before a decider sees a
//! history, the host strips the prefix again, so guests see exactly the context they wrote.

use swf_model::{DecisionTask, EventAttributes, HistoryEvent, MAX_DATA_LEN};

use crate::runtime::Digest;

/// The marker that starts a pinned `executionContext`.
pub const PREFIX: &str = "swfwasm-decider:";

/// The `executionContext` to send: the pin, then the guest's own context. `None` when the
/// guest's context is so long that the pin would not fit (the task is then answered unpinned).
pub fn encode(digest: &Digest, guest_context: Option<&str>) -> Option<String> {
    let pinned = match guest_context {
        None => format!("{PREFIX}{}", digest.hex()),
        Some(context) => format!("{PREFIX}{}\n{context}", digest.hex()),
    };
    (pinned.chars().count() <= MAX_DATA_LEN).then_some(pinned)
}

/// Splits an `executionContext` into (pinned digest, the guest's own context).
pub fn decode(context: &str) -> (Option<&str>, Option<&str>) {
    let Some(rest) = context.strip_prefix(PREFIX) else {
        return (None, Some(context));
    };
    match rest.split_once('\n') {
        Some((digest, guest)) => (Some(digest), Some(guest)),
        None => (Some(rest), None),
    }
}

/// Strips every pin from a decision task's history (so the guest sees its own contexts) and
/// returns the digest (hex) of the artifact that made the run's latest pinned decision.
pub fn strip(task: &mut DecisionTask) -> Option<String> {
    strip_events(&mut task.events)
}

/// [`strip`] for a list of events.
pub fn strip_events(events: &mut [HistoryEvent]) -> Option<String> {
    let mut latest = None;
    for event in events {
        if let EventAttributes::DecisionTaskCompleted(attributes) = &mut event.attributes
            && let Some(context) = attributes.execution_context.take()
        {
            let (digest, guest) = decode(&context);
            if let Some(digest) = digest {
                latest = Some(digest.to_owned());
            }
            attributes.execution_context = guest.map(str::to_owned);
        }
    }
    latest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_round_trip_with_and_without_a_guest_context() {
        let digest = Digest::of(b"artifact");
        let bare = encode(&digest, None).unwrap();
        assert_eq!(decode(&bare), (Some(digest.hex()), None));
        let with = encode(&digest, Some("guest\nstate")).unwrap();
        assert_eq!(decode(&with), (Some(digest.hex()), Some("guest\nstate")));
        assert_eq!(decode("plain"), (None, Some("plain")));
        assert!(encode(&digest, Some(&"x".repeat(MAX_DATA_LEN))).is_none());
    }
}
