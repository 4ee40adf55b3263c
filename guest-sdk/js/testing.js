// Building decision tasks by hand, to unit-test JavaScript deciders without a server (under
// node's test runner): start a history, append what happened, and run the workflow on the
// decision task a decider would receive. The events are the ones Rust's
// `swfwasm_guest::testing::History` builds.
//
//   const h = History.started('"World"');
//   const scheduled = h.scheduled('Greet-1', 'Greet', '1.0');
//   h.finished(scheduled, 'ActivityTaskCompleted', { result: '"Hi"' });
//   const decisions = await decideWith(greet, h);   // [{ decisionType: 'CompleteWorkflowExecution', ... }]

import { DecisionTask } from './swfwasm-guest.js';
import { replay } from './flow.js';

/** A history under construction; every method appends events as SWF would record them. */
export class History {
  constructor() {
    this.events = [];
  }

  /** WorkflowExecutionStarted with `input` (a string, or undefined), then the first decision task. */
  static started(input) {
    const history = new History();
    history.push('WorkflowExecutionStarted', {
      input,
      childPolicy: 'TERMINATE',
      taskList: { name: 'decisions' },
      workflowType: { name: 'Workflow', version: '1' },
    });
    history.decisionTask();
    return history;
  }

  /** Appends an event of `eventType` with `attributes`; returns its id. */
  push(eventType, attributes) {
    const eventId = this.events.length + 1;
    const key = `${eventType.charAt(0).toLowerCase()}${eventType.slice(1)}EventAttributes`;
    this.events.push({ eventId, eventTimestamp: 1_700_000_000 + eventId, eventType, [key]: attributes });
    return eventId;
  }

  /** DecisionTaskScheduled and DecisionTaskStarted: a decision task is open. */
  decisionTask() {
    const scheduled = this.push('DecisionTaskScheduled', { taskList: { name: 'decisions' } });
    this.push('DecisionTaskStarted', { scheduledEventId: scheduled });
  }

  /** DecisionTaskCompleted for the open decision task; returns its id. */
  completed() {
    const started = this.events.length;
    return this.push('DecisionTaskCompleted', { scheduledEventId: started - 1, startedEventId: started });
  }

  /** Completes the open decision task with ActivityTaskScheduled; returns the scheduled id. */
  scheduled(activityId, name, version) {
    const completed = this.completed();
    return this.push('ActivityTaskScheduled', {
      activityId,
      activityType: { name, version },
      taskList: { name: 'activities' },
      decisionTaskCompletedEventId: completed,
    });
  }

  /** ActivityTaskStarted, then `eventType` (Completed, Failed, TimedOut, Canceled) with `extra`; then a decision task. */
  finished(scheduled, eventType, extra = {}) {
    const started = this.push('ActivityTaskStarted', { scheduledEventId: scheduled });
    this.push(eventType, { scheduledEventId: scheduled, startedEventId: started, ...extra });
    this.decisionTask();
  }

  /** Completes the open decision task with TimerStarted, then TimerFired and a decision task. */
  timerFired(timerId) {
    const started = this.timerStarted(timerId);
    this.push('TimerFired', { timerId, startedEventId: started });
    this.decisionTask();
  }

  /** Completes the open decision task with TimerStarted; returns its id. */
  timerStarted(timerId, startToFireTimeout = '1') {
    const completed = this.completed();
    return this.push('TimerStarted', { timerId, startToFireTimeout, decisionTaskCompletedEventId: completed });
  }

  /** WorkflowExecutionSignaled, then a decision task. */
  signaled(signalName, input) {
    this.push('WorkflowExecutionSignaled', { signalName, input });
    this.decisionTask();
  }

  /** Completes the open decision task with StartChildWorkflowExecutionInitiated; returns its id. */
  childInitiated(workflowId, name, version) {
    const completed = this.completed();
    return this.push('StartChildWorkflowExecutionInitiated', {
      workflowId,
      workflowType: { name, version },
      childPolicy: 'TERMINATE',
      taskList: { name: 'decisions' },
      decisionTaskCompletedEventId: completed,
    });
  }

  /** The child's closing event `eventType` (ChildWorkflowExecutionCompleted, ...Failed, ...) with `extra`; then a decision task. */
  childClosed(initiated, workflowId, eventType, extra = {}) {
    this.push(eventType, {
      workflowExecution: { workflowId, runId: `${workflowId}-run` },
      workflowType: { name: 'Child', version: '1' },
      initiatedEventId: initiated,
      startedEventId: initiated + 1,
      ...extra,
    });
    this.decisionTask();
  }

  /** Completes the open decision task with MarkerRecorded. */
  marker(markerName, details) {
    const completed = this.completed();
    return this.push('MarkerRecorded', { markerName, details, decisionTaskCompletedEventId: completed });
  }

  /** The decision task a decider receives for this history, as JSON. */
  toJSON() {
    return {
      taskToken: 'test',
      startedEventId: this.events.length,
      previousStartedEventId: 0,
      workflowExecution: { workflowId: 'workflow', runId: 'run' },
      workflowType: { name: 'Workflow', version: '1' },
      events: this.events,
    };
  }

  /** The decision task, parsed. */
  task() {
    return DecisionTask.parse(JSON.stringify(this));
  }
}

/** Runs workflow `body` on `history`'s decision task; resolves with the decisions (SWF's JSON shape). */
export async function decideWith(body, history) {
  return (await replay(history.task(), body)).decisions;
}
