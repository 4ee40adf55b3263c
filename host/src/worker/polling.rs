//! The poll loops of a running worker: per task list, `pollers` loops that each take a free
//! slot, long-poll SWF, and hand the task to [`decision::handle`] or [`activity::handle`] on a
//! tokio task of its own, inside a span that carries the task's ids. A failed poll is retried
//! after a [`Backoff`] of 200 ms doubling up to 30 s.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use tokio::sync::{Semaphore, watch};
use tracing::Instrument;

use super::config::{TaskKind, TaskListConfig};
use super::context::Context;
use super::shutdown::Shutdown;
use super::{activity, decision};
use crate::backoff::Backoff;
use crate::metrics::{ListLabels, PollLabels, metrics};

/// The wait after `n` polls in a row failed.
const POLL_BACKOFF: Backoff = Backoff {
    base: Duration::from_millis(200),
    max: Duration::from_secs(30),
};

/// The poll loops of a running worker, and the slots that bound each task list's tasks in
/// flight.
#[derive(Default)]
pub(crate) struct Polling {
    pub(crate) pollers: tokio::task::JoinSet<()>,
    pub(crate) slots: Vec<(Arc<Semaphore>, usize)>,
    polled: HashSet<(String, TaskKind)>,
}

impl Polling {
    /// Starts `list`'s pollers, unless the list is already polled.
    pub(crate) fn start(
        &mut self,
        context: &Arc<Context>,
        list: &TaskListConfig,
        shutdown: &Shutdown,
    ) {
        if !self.polled.insert((list.name.clone(), list.kind)) {
            return;
        }
        let size = list.max_in_flight.max(1);
        let slot = Arc::new(Semaphore::new(size));
        self.slots.push((slot.clone(), size));
        metrics()
            .slots
            .get_or_create(&list_labels(list))
            .set(i64::try_from(size).unwrap_or(i64::MAX));
        tracing::info!(task_list = %list.name, kind = ?list.kind, pollers = list.pollers, max_in_flight = list.max_in_flight, "polling");
        for _ in 0..list.pollers.max(1) {
            self.pollers.spawn(poll_loop(
                context.clone(),
                list.clone(),
                slot.clone(),
                shutdown.subscribe(),
            ));
        }
    }
}

async fn poll_loop(
    context: Arc<Context>,
    list: TaskListConfig,
    slots: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
) {
    let mut failures = 0u32;
    let counted = PollMetrics::of(&list);
    loop {
        if *stop.borrow() {
            return;
        }
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => permit.expect("the slot semaphore is never closed"),
            _ = stop.changed() => return,
        };
        // The poll itself is never abandoned: a task SWF hands to this poll would otherwise be
        // lost until it times out.
        let started = Instant::now();
        let outcome = match list.kind {
            TaskKind::Decision => decision::poll(&context, &list.name)
                .await
                .map(|polled| polled.map(PolledTask::Decision)),
            TaskKind::Activity => activity::poll(&context, &list.name)
                .await
                .map(|task| task.map(PolledTask::Activity)),
        };
        counted.seconds.observe(started.elapsed().as_secs_f64());
        match &outcome {
            Ok(Some(_)) => counted.tasks.inc(),
            Ok(None) => counted.empty.inc(),
            Err(_) => counted.errors.inc(),
        };
        match outcome {
            Ok(Some(task)) => {
                failures = 0;
                context.health.poll_succeeded();
                let context = context.clone();
                let span = task.span();
                let in_flight = counted.in_flight.clone();
                in_flight.inc();
                tokio::spawn(
                    async move {
                        // Boxed: the future of a task's handling holds those of its SWF calls
                        // and guest call (kilobytes), and tokio moves a task's future several
                        // times as it spawns and finishes it.
                        Box::pin(task.handle(&context)).await;
                        in_flight.dec();
                        drop(permit);
                    }
                    .instrument(span),
                );
            }
            Ok(None) => {
                failures = 0;
                context.health.poll_succeeded();
            }
            Err(error) => {
                failures += 1;
                context.health.poll_failed();
                let pause = POLL_BACKOFF.delay(failures);
                tracing::warn!(task_list = %list.name, %error, ?pause, "poll failed; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }
}

/// The metric labels of a task list.
fn list_labels(list: &TaskListConfig) -> ListLabels {
    ListLabels {
        kind: match list.kind {
            TaskKind::Decision => "decision",
            TaskKind::Activity => "activity",
        },
        task_list: list.name.clone(),
    }
}

/// The metrics a task list's poll loop updates, looked up once rather than by label set at
/// every poll (each handle shares its value with the registry's).
struct PollMetrics {
    seconds: Histogram,
    tasks: Counter,
    empty: Counter,
    errors: Counter,
    in_flight: Gauge,
}

impl PollMetrics {
    fn of(list: &TaskListConfig) -> Self {
        let labels = list_labels(list);
        let polls = |outcome| {
            metrics()
                .polls
                .get_or_create(&PollLabels {
                    kind: labels.kind,
                    task_list: labels.task_list.clone(),
                    outcome,
                })
                .clone()
        };
        Self {
            seconds: metrics().poll_seconds.get_or_create(&labels).clone(),
            tasks: polls("task"),
            empty: polls("empty"),
            errors: polls("error"),
            in_flight: metrics().in_flight.get_or_create(&labels).clone(),
        }
    }
}

/// A task taken from a poll, ready to run.
enum PolledTask {
    Decision(decision::Polled),
    Activity(swf_model::ActivityTask),
}

impl PolledTask {
    /// The span every log line of the task's handling is in: its kind and ids, once. At
    /// ERROR level, so that whatever level the log filter lets through, the span is enabled
    /// and its ids label the task's lines.
    fn span(&self) -> tracing::Span {
        match self {
            PolledTask::Decision(polled) => {
                let execution = &polled.task.workflow_execution;
                tracing::error_span!("decision_task", workflow_id = %execution.workflow_id,
                    run_id = %execution.run_id)
            }
            PolledTask::Activity(task) => {
                let execution = &task.workflow_execution;
                tracing::error_span!("activity_task", workflow_id = %execution.workflow_id,
                    run_id = %execution.run_id, activity_id = %task.activity_id)
            }
        }
    }

    async fn handle(self, context: &Context) {
        match self {
            PolledTask::Decision(polled) => decision::handle(context, polled).await,
            PolledTask::Activity(task) => activity::handle(context, task).await,
        }
    }
}
