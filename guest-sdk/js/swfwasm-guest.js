// swfwasm guest helper for JavaScript plugins: the basics of the Rust SDK (swfwasm-guest) for
// code built with `jco componentize`.
//
// A decider module exports `describe()` and `decide(taskJson)` (the `decider` world of
// guest-sdk/wit/plugin.wit); this module turns the task JSON into a `DecisionTask`, builds the
// RespondDecisionTaskCompleted body with `Decisions`, and logs through the host. Activities
// import `./activity.js` instead, which adds heartbeats and failures.
//
// Payloads are the JSON SWF itself speaks, so every field name below is SWF's (camelCase).

import { log as hostLog } from 'swfwasm:plugin/host@0.2.0';

/** Writes `message` to the host's log at `level` ('trace' | 'debug' | 'info' | 'warn' | 'error'). */
export function log(level, message) {
  hostLog(level, String(message));
}
export const trace = (message) => log('trace', message);
export const debug = (message) => log('debug', message);
export const info = (message) => log('info', message);
export const warn = (message) => log('warn', message);
export const error = (message) => log('error', message);

/**
 * A workflow type the decider handles, for `describe()`. `defaults` takes the WIT record's
 * optional fields in camelCase: description, defaultTaskList, defaultTaskPriority,
 * defaultExecutionStartToCloseTimeout, defaultTaskStartToCloseTimeout, defaultChildPolicy.
 */
export function workflowType(name, version, defaults = {}) {
  return { name, version, ...defaults };
}

/** The attributes member of an event or decision: `ActivityTaskCompleted` → `activityTaskCompletedEventAttributes`. */
function attributesKey(type, suffix) {
  return type.charAt(0).toLowerCase() + type.slice(1) + suffix;
}

/** One history event, with its attributes under `attributes` whatever its type. */
export class HistoryEvent {
  constructor(raw) {
    this.raw = raw;
    this.eventId = raw.eventId;
    this.eventType = raw.eventType;
    this.eventTimestamp = raw.eventTimestamp;
    this.attributes = raw[attributesKey(raw.eventType, 'EventAttributes')] ?? {};
  }
}

/** A PollForDecisionTask response holding the complete history. */
export class DecisionTask {
  /** Parses the task JSON the host passes to `decide`; throws on malformed JSON. */
  static parse(json) {
    const raw = JSON.parse(json);
    if (!Array.isArray(raw.events)) {
      throw new Error('the decision task has no events array');
    }
    return new DecisionTask(raw);
  }

  constructor(raw) {
    this.raw = raw;
    this.events = raw.events.map((e) => new HistoryEvent(e));
    this.workflowExecution = raw.workflowExecution;
    this.workflowType = raw.workflowType;
  }

  /** Events that are not decision-task bookkeeping (`DecisionTask*`): the workflow's own story. */
  workflowEvents() {
    return this.events.filter((e) => !e.eventType.startsWith('DecisionTask'));
  }

  /** The most recent workflow event (not `DecisionTask*`), or undefined. */
  lastWorkflowEvent() {
    const events = this.workflowEvents();
    return events[events.length - 1];
  }

  /** The event with this id, or undefined. */
  event(eventId) {
    return this.events.find((e) => e.eventId === eventId);
  }

  /** Events of one type, oldest first. */
  eventsOfType(eventType) {
    return this.events.filter((e) => e.eventType === eventType);
  }

  /** The workflow execution's input, from its WorkflowExecutionStarted event. */
  get input() {
    return this.eventsOfType('WorkflowExecutionStarted')[0]?.attributes.input;
  }
}

/** Drops undefined members so optional fields are absent rather than null on the wire. */
function defined(object) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

/** The decisions of one decision task, in order, and the RespondDecisionTaskCompleted body. */
export class Decisions {
  constructor() {
    this.decisions = [];
    this.executionContext = undefined;
  }

  /** Appends a decision of any type with its attributes (SWF's field names). */
  push(decisionType, attributes = {}) {
    this.decisions.push({
      decisionType,
      [attributesKey(decisionType, 'DecisionAttributes')]: defined(attributes),
    });
    return this;
  }

  /** `options`: input, taskList (a name), control, and the timeouts in SWF's names. */
  scheduleActivityTask(activityId, name, version, options = {}) {
    const { taskList, ...rest } = options;
    return this.push('ScheduleActivityTask', {
      activityId,
      activityType: { name, version },
      taskList: taskList === undefined ? undefined : { name: taskList },
      ...rest,
    });
  }

  completeWorkflowExecution(result) {
    return this.push('CompleteWorkflowExecution', { result });
  }

  failWorkflowExecution(reason, details) {
    return this.push('FailWorkflowExecution', { reason, details });
  }

  cancelWorkflowExecution(details) {
    return this.push('CancelWorkflowExecution', { details });
  }

  startTimer(timerId, startToFireTimeout, control) {
    return this.push('StartTimer', { timerId, startToFireTimeout, control });
  }

  cancelTimer(timerId) {
    return this.push('CancelTimer', { timerId });
  }

  recordMarker(markerName, details) {
    return this.push('RecordMarker', { markerName, details });
  }

  requestCancelActivityTask(activityId) {
    return this.push('RequestCancelActivityTask', { activityId });
  }

  /** The RespondDecisionTaskCompleted body: the JSON string `decide` returns. */
  toResponse() {
    return JSON.stringify(defined({ decisions: this.decisions, executionContext: this.executionContext }));
  }
}
