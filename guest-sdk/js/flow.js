// The flow API for JavaScript deciders: a workflow is an ordinary `async function (wf, input)`,
// replayed over the complete history on every decision task. The contract it shares with the
// Rust and Python flow APIs (ids, backoff, payloads, endings, failures, non-determinism) is
// guest-sdk/FLOW.md: the same workflow written in any of them produces the same history.
//
//   export const { describe, decide } = flowDecider(
//     workflow(workflowType('BookTrip', '1.0', { defaultTaskList: 'booking' }), bookTrip),
//   );
//   async function bookTrip(wf, trip) {
//     const itinerary = await wf.activity('SelectItinerary', '1.0', { input: trip.itineraries });
//     await wf.sleep(60);
//     const [a, b] = await Promise.all([wf.activity('A', '1'), wf.activity('B', '1')]);
//     return `booked ${itinerary}`;
//   }
//
// How a decision task flows: `decide` parses the task and indexes its history once (`Index`);
// the workflow function runs; every request it makes (activity, timer, signal, child) is looked
// up in the index: a request the history lacks becomes a decision, and every request is a
// promise that stays pending for now. When the code waits (the microtask queue is empty: a
// zero-delay timer fires only then), the pending request answered earliest in the history is
// settled, and the code runs on; and so on in history order until the workflow returns or only
// unanswered requests are left. So `Promise.race` is won by the branch answered first in the
// history, on every replay. Then the decisions are checked against the history's steps
// (non-determinism) and returned with the closing decision, if the workflow returned.
//
// Build: a flow decider needs an engine that runs promise jobs inside a synchronous export, so
// scripts/build-plugins builds it with ComponentizeJS (StarlingMonkey), which runs the event
// loop until the promise `decide` returns settles; see guest-sdk/js/componentize.mjs.

import { DecisionTask, Decisions } from './swfwasm-guest.js';

// ---------------------------------------------------------------------------------------------
// Failures and endings

/** Why an activity gave no result. `kind`: failed, timedOut, canceled, scheduleFailed, badResult. */
export class ActivityFailure extends Error {
  constructor(kind, { activityId, reason, details, timeoutType, cause, problem } = {}) {
    super(activityMessage(kind, { reason, details, timeoutType, cause, problem }));
    this.name = 'ActivityFailure';
    Object.assign(this, { kind, activityId, reason, details, timeoutType, cause });
  }
}

function activityMessage(kind, { reason, details, timeoutType, cause, problem }) {
  switch (kind) {
    case 'failed':
      return `failed: ${reason ?? '(no reason)'}${details === undefined ? '' : ` (${details})`}`;
    case 'timedOut':
      return `timed out (${timeoutType})`;
    case 'canceled':
      return 'canceled';
    case 'scheduleFailed':
      return `could not be scheduled: ${cause}`;
    default:
      return `returned an unreadable result: ${problem}`;
  }
}

/** Why a child workflow gave no result. `kind`: startFailed, failed, timedOut, canceled, terminated, badResult. */
export class ChildFailure extends Error {
  constructor(kind, { workflowId, reason, details, cause, problem } = {}) {
    super(childMessage(kind, { reason, cause, problem }));
    this.name = 'ChildFailure';
    Object.assign(this, { kind, workflowId, reason, details, cause });
  }
}

function childMessage(kind, { reason, cause, problem }) {
  switch (kind) {
    case 'startFailed':
      return `could not be started: ${cause}`;
    case 'failed':
      return `failed: ${reason ?? '(no reason)'}`;
    case 'timedOut':
      return 'timed out';
    case 'canceled':
      return 'canceled';
    case 'terminated':
      return 'terminated';
    default:
      return `returned an unreadable result: ${problem}`;
  }
}

/** Thrown by a workflow: it fails (FailWorkflowExecution) with `reason` and `details`. */
export class WorkflowFailure extends Error {
  constructor(reason, details) {
    super(reason);
    this.name = 'WorkflowFailure';
    this.reason = reason;
    this.details = details;
  }
}

/** The code does not match its history (see FLOW.md): `decide` fails with it. */
export class NonDeterminismError extends Error {
  constructor(eventId, history, code) {
    super(
      `non-determinism at event ${eventId}: the history has ${history}, ` +
        (code === undefined ? 'the code does not ask for it' : `the code asks for ${code}`),
    );
    this.name = 'NonDeterminismError';
    Object.assign(this, { eventId, history, code });
  }
}

/** How a workflow ends when it returns one: `wf.fail`, `wf.cancel`, `wf.continueAsNew`. */
class Ending {
  constructor(decisionType, attributes) {
    this.decisionType = decisionType;
    this.attributes = attributes;
  }
}

// ---------------------------------------------------------------------------------------------
// Payloads, ids and backoff (FLOW.md)

/** Sorts object keys, recursively, as serde_json's `json!` values serialize. */
function sortedKeys(value) {
  if (Array.isArray(value)) {
    return value.map(sortedKeys);
  }
  if (value !== null && typeof value === 'object' && typeof value.toJSON !== 'function') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortedKeys(value[key])]),
    );
  }
  return value;
}

/** JSON with object keys sorted, no spaces: the flow API's payload form in every language. */
export function canonicalJson(value) {
  return JSON.stringify(sortedKeys(value));
}

/** A string as is, `undefined` as absent, anything else as canonical JSON. */
function payload(value) {
  return value === undefined || typeof value === 'string' ? value : canonicalJson(value);
}

/** A result read as JSON (`null` when absent); throws SyntaxError when it is not JSON. */
function parseResult(text) {
  return JSON.parse(text ?? 'null');
}

const MASK64 = (1n << 64n) - 1n;

/** UTF-8 bytes of `text` (QuickJS, one of the engines this may run on, has no TextEncoder). */
function utf8(text) {
  const bytes = [];
  for (const char of text) {
    const c = char.codePointAt(0);
    if (c < 0x80) bytes.push(c);
    else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return bytes;
}

/** FNV-1a 64 over the run id, a zero byte and the activity id: the jitter's seed. */
export function jitterSeed(runId, activityId) {
  let hash = 0xcbf29ce484222325n;
  for (const byte of [...utf8(runId), 0, ...utf8(activityId)]) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & MASK64;
  }
  return hash;
}

function rotateLeft64(value, bits) {
  const k = BigInt(bits % 64);
  return ((value << k) | (value >> ((64n - k) % 64n))) & MASK64;
}

/** `base` to the integer power `exponent` by repeated squaring, as Rust's `f64::powi` computes it. */
function powi(base, exponent) {
  let result = 1;
  let b = base;
  let e = Math.abs(exponent);
  for (;;) {
    if (e & 1) result *= b;
    e = Math.floor(e / 2);
    if (e === 0) break;
    b *= b;
  }
  return exponent < 0 ? 1 / result : result;
}

/** Rounds halves away from zero, as Rust's `f64::round`. */
function roundHalfAway(x) {
  const whole = Math.trunc(x);
  return Math.abs(x - whole) >= 0.5 ? whole + Math.sign(x) : whole;
}

/** A retry policy from `retry`: a number of attempts, or `{maxAttempts, initialIntervalSecs, backoff, maxIntervalSecs}`. */
export function retryPolicy(retry = 1) {
  const policy = typeof retry === 'number' ? { maxAttempts: retry } : { ...retry };
  return {
    maxAttempts: Math.max(1, policy.maxAttempts ?? 1),
    initialIntervalSecs: policy.initialIntervalSecs ?? 1,
    backoff: policy.backoff ?? 2,
    maxIntervalSecs: policy.maxIntervalSecs ?? 300,
  };
}

/** The wait, in seconds, after failed attempt `attempt` (1-based) of the activity seeded `seed`. */
export function backoffSecs(policy, attempt, seed) {
  const exponential = policy.initialIntervalSecs * powi(policy.backoff, attempt - 1);
  const capped = Math.min(exponential, policy.maxIntervalSecs);
  const jitter = 0.5 + Number(rotateLeft64(seed, attempt) % 1000n) / 2000;
  return roundHalfAway(capped * jitter);
}

// ---------------------------------------------------------------------------------------------
// The history, indexed once per task

const OWN_TIMER_PREFIX = 'swfwasm.';
const MAX_DECISIONS = 100;
const MAX_REASON = 256;

const describeActivity = (name, version, id) => `activity ${name} ${version} (${id})`;
const describeTimer = (id) => `timer ${id}`;
const describeChild = (name, version, id) => `child workflow ${name} ${version} (${id})`;
const describeMarker = (name, ordinal) => `marker ${name} #${ordinal}`;

const CHILD_CLOSED = {
  ChildWorkflowExecutionCompleted: (a) => ({ ok: true, result: a.result }),
  ChildWorkflowExecutionFailed: (a) => ({ kind: 'failed', reason: a.reason, details: a.details }),
  ChildWorkflowExecutionTimedOut: () => ({ kind: 'timedOut' }),
  ChildWorkflowExecutionCanceled: (a) => ({ kind: 'canceled', details: a.details }),
  ChildWorkflowExecutionTerminated: () => ({ kind: 'terminated' }),
};

const ACTIVITY_CLOSED = {
  ActivityTaskStarted: () => ({ state: 'started' }),
  ActivityTaskCompleted: (a) => ({ state: 'completed', result: a.result }),
  ActivityTaskFailed: (a) => ({ state: 'failed', reason: a.reason, details: a.details }),
  ActivityTaskTimedOut: (a) => ({ state: 'timedOut', timeoutType: a.timeoutType }),
  ActivityTaskCanceled: (a) => ({ state: 'canceled', details: a.details }),
};

class Index {
  constructor(task) {
    this.activities = new Map(); // activity id → { state, eventId, ... }
    this.timersFired = new Map(); // timer id → event id
    this.signals = []; // { name, input, eventId }
    this.markers = []; // { name, details, eventId }
    this.children = new Map(); // workflow id → { pending | closed outcome, eventId }
    this.steps = new Map(); // step key → { eventId, description }
    this.decisionStarts = []; // DecisionTaskStarted event ids
    const scheduled = new Map();
    const markerCounts = new Map();
    for (const event of task.events) {
      const a = event.attributes;
      const id = event.eventId;
      switch (event.eventType) {
        case 'ActivityTaskScheduled':
        case 'ScheduleActivityTaskFailed': {
          const failed = event.eventType === 'ScheduleActivityTaskFailed';
          if (!failed) scheduled.set(id, a.activityId);
          this.activities.set(a.activityId, failed ? { state: 'scheduleFailed', cause: a.cause, eventId: id } : { state: 'scheduled', eventId: id });
          this.#step(`activity:${a.activityId}`, id, describeActivity(a.activityType.name, a.activityType.version, a.activityId));
          break;
        }
        case 'TimerStarted':
          if (!a.timerId.startsWith(OWN_TIMER_PREFIX)) this.#step(`timer:${a.timerId}`, id, describeTimer(a.timerId));
          break;
        case 'TimerFired':
          this.timersFired.set(a.timerId, id);
          break;
        case 'WorkflowExecutionSignaled':
          this.signals.push({ name: a.signalName, input: a.input, eventId: id });
          break;
        case 'MarkerRecorded': {
          const n = (markerCounts.get(a.markerName) ?? 0) + 1;
          markerCounts.set(a.markerName, n);
          this.#step(`marker:${a.markerName}#${n}`, id, describeMarker(a.markerName, n));
          this.markers.push({ name: a.markerName, details: a.details, eventId: id });
          break;
        }
        case 'StartChildWorkflowExecutionInitiated':
        case 'StartChildWorkflowExecutionFailed': {
          const failed = event.eventType === 'StartChildWorkflowExecutionFailed';
          this.#step(`child:${a.workflowId}`, id, describeChild(a.workflowType.name, a.workflowType.version, a.workflowId));
          this.children.set(a.workflowId, failed ? { kind: 'startFailed', cause: a.cause, eventId: id } : { pending: true, eventId: id });
          break;
        }
        case 'DecisionTaskStarted':
          this.decisionStarts.push(id);
          break;
        default:
          if (ACTIVITY_CLOSED[event.eventType]) {
            const activityId = scheduled.get(a.scheduledEventId);
            if (activityId !== undefined) this.activities.set(activityId, { ...ACTIVITY_CLOSED[event.eventType](a), eventId: id });
          } else if (CHILD_CLOSED[event.eventType]) {
            this.children.set(a.workflowExecution.workflowId, { ...CHILD_CLOSED[event.eventType](a), eventId: id });
          }
      }
    }
  }

  #step(key, eventId, description) {
    this.steps.set(key, { eventId, description });
  }
}

// ---------------------------------------------------------------------------------------------
// The workflow's view of a task

/** A workflow's view of one decision task: what the workflow function gets as `wf`. */
export class Workflow {
  #task;
  #index;
  #decisions = new Decisions();
  #counters = new Map();
  #claimed = new Set();
  #firstNew;
  #mismatch;
  #requests = []; // { eventId, settle } not settled yet, in request order
  #position = 0; // the event id the replay has reached

  constructor(task) {
    this.#task = task;
    this.#index = new Index(task);
  }

  /** The workflow id of this run. */
  get workflowId() {
    return this.#task.workflowExecution.workflowId;
  }

  /** The run id. */
  get runId() {
    return this.#task.workflowExecution.runId;
  }

  /** The workflow's input as SWF holds it (a string, or undefined). */
  get rawInput() {
    return this.#task.input;
  }

  /** The input parsed as JSON; the raw string when it is not JSON; `null` when absent. */
  get input() {
    const raw = this.rawInput;
    if (raw === undefined || raw === null) return null;
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }

  /**
   * How many events the decision task the replay has reached had (the same number on every
   * replay): past a few thousand, `return wf.continueAsNew(...)`.
   */
  get historyLength() {
    return Math.min(this.#seenUpTo(), this.#task.events.length);
  }

  /**
   * Runs activity `name`/`version` (id `<name>-<n>`) and resolves with its JSON result.
   * `options`: `input` (any JSON value), `taskList` (a name), `retry` (attempts, or a policy:
   * `{maxAttempts, initialIntervalSecs, backoff, maxIntervalSecs}`). Rejects with
   * `ActivityFailure` once the last attempt failed.
   */
  activity(name, version, options = {}) {
    const id = this.#nextId(name);
    const policy = retryPolicy(options.retry);
    const input = options.input === undefined ? undefined : canonicalJson(options.input);
    const seed = jitterSeed(this.runId, id);
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      const attemptId = policy.maxAttempts === 1 ? id : `${id}.${attempt}`;
      const asked = this.#ask(`activity:${attemptId}`, describeActivity(name, version, attemptId));
      if (asked === 'mismatch') return this.#pending();
      if (asked === 'new') {
        this.#decisions.scheduleActivityTask(attemptId, name, version, { input, taskList: options.taskList });
        return this.#pending();
      }
      const record = this.#index.activities.get(attemptId);
      const at = record.eventId;
      switch (record.state) {
        case 'scheduled':
        case 'started':
          return this.#pending();
        case 'completed': {
          let value;
          try {
            value = parseResult(record.result);
          } catch (e) {
            return this.#settled(at, { error: new ActivityFailure('badResult', { activityId: attemptId, problem: e.message }) });
          }
          return this.#settled(at, { value });
        }
        case 'scheduleFailed':
          return this.#settled(at, { error: new ActivityFailure('scheduleFailed', { activityId: attemptId, cause: record.cause }) });
        case 'canceled':
          return this.#settled(at, { error: new ActivityFailure('canceled', { activityId: attemptId, details: record.details }) });
      }
      if (attempt === policy.maxAttempts) {
        return this.#settled(at, { error: new ActivityFailure(record.state, { activityId: attemptId, ...record }) });
      }
      const wait = backoffSecs(policy, attempt, seed);
      if (!this.#timer(`${attemptId}.retry`, wait)) return this.#pending();
    }
    throw new Error('unreachable: the last attempt returns');
  }

  /** Waits `seconds` (a timer `sleep-<n>`). */
  sleep(seconds) {
    if (!Number.isInteger(seconds) || seconds < 0) {
      throw new TypeError(`sleep takes whole seconds, not ${seconds}`);
    }
    const id = this.#nextId('sleep');
    const fired = this.#timer(id, seconds);
    return fired === undefined ? this.#pending() : this.#settled(fired, { value: undefined });
  }

  /** Resolves with the input (raw string, or undefined) of the first signal `name`. */
  signal(name) {
    const signal = this.#index.signals.find((s) => s.name === name);
    return signal ? this.#settled(signal.eventId, { value: signal.input ?? undefined }) : this.#pending();
  }

  /** The inputs (raw) of the signals `name` the decision task the replay has reached had seen. */
  signals(name) {
    const seen = this.#seenUpTo();
    return this.#index.signals.filter((s) => s.name === name && s.eventId <= seen).map((s) => s.input ?? undefined);
  }

  /** Runs child workflow `name`/`version` (id `<workflow id>:<name>-<n>`) with `input` (JSON); resolves with its JSON result. */
  child(name, version, input) {
    const id = `${this.workflowId}:${this.#nextId(name)}`;
    const asked = this.#ask(`child:${id}`, describeChild(name, version, id));
    if (asked === 'mismatch') return this.#pending();
    if (asked === 'new') {
      this.#decisions.push('StartChildWorkflowExecution', {
        workflowId: id,
        workflowType: { name, version },
        input: canonicalJson(input === undefined ? null : input),
      });
      return this.#pending();
    }
    const child = this.#index.children.get(id);
    if (child.pending) return this.#pending();
    if (child.ok) {
      try {
        return this.#settled(child.eventId, { value: parseResult(child.result) });
      } catch (e) {
        return this.#settled(child.eventId, { error: new ChildFailure('badResult', { workflowId: id, problem: e.message }) });
      }
    }
    return this.#settled(child.eventId, { error: new ChildFailure(child.kind, { workflowId: id, ...child }) });
  }

  /** Records marker `name` with `details` (JSON) the first time this call is reached. */
  recordMarker(name, details) {
    const n = this.#nextCount(`marker:${name}`);
    if (this.#ask(`marker:${name}#${n}`, describeMarker(name, n)) === 'new') {
      this.#decisions.recordMarker(name, canonicalJson(details === undefined ? null : details));
    }
  }

  /** The details (raw) of the markers `name` the decision task the replay has reached had seen. */
  markers(name) {
    const seen = this.#seenUpTo();
    return this.#index.markers.filter((m) => m.name === name && m.eventId <= seen).map((m) => m.details ?? undefined);
  }

  /** Ends the workflow with FailWorkflowExecution: `return wf.fail(reason, details)`. */
  fail(reason, details) {
    return new Ending('FailWorkflowExecution', { reason, details: payload(details) });
  }

  /** Ends the workflow with CancelWorkflowExecution: `return wf.cancel(details)`. */
  cancel(details) {
    return new Ending('CancelWorkflowExecution', { details: payload(details) });
  }

  /** Ends this run and starts a fresh one of the same type with `input`: `return wf.continueAsNew(input)`. */
  continueAsNew(input) {
    return new Ending('ContinueAsNewWorkflowExecution', { input: payload(input) });
  }

  #nextCount(key) {
    const n = (this.#counters.get(key) ?? 0) + 1;
    this.#counters.set(key, n);
    return n;
  }

  #nextId(name) {
    return `${name}-${this.#nextCount(name)}`;
  }

  /** 'known' (the history holds it: claimed), 'new', or 'mismatch' (noted; the code stops there). */
  #ask(key, description) {
    const step = this.#index.steps.get(key);
    if (step === undefined) {
      this.#firstNew ??= description;
      return 'new';
    }
    if (step.description !== description) {
      this.#mismatch ??= new NonDeterminismError(step.eventId, step.description, description);
      return 'mismatch';
    }
    this.#claimed.add(key);
    return 'known';
  }

  /** Timer `id` of `seconds`: the event id it fired at, or undefined (started now or waiting). */
  #timer(id, seconds) {
    const asked = this.#ask(`timer:${id}`, describeTimer(id));
    if (asked === 'new') this.#decisions.startTimer(id, String(seconds));
    return asked === 'known' ? this.#index.timersFired.get(id) : undefined;
  }

  #pending() {
    return new Promise(() => {});
  }

  /** A promise settled with `outcome` when the replay reaches event `eventId`. */
  #settled(eventId, outcome) {
    return new Promise((resolve, reject) => {
      this.#requests.push({ eventId, settle: () => ('error' in outcome ? reject(outcome.error) : resolve(outcome.value)) });
    });
  }

  /** The last event the decision task the replay has reached had seen. */
  #seenUpTo() {
    const start = this.#index.decisionStarts.find((id) => id >= this.#position);
    return start ?? Infinity;
  }

  /** Settles the requests answered earliest in the history; false when none is left. */
  settleNext() {
    if (this.#requests.length === 0) return false;
    const at = Math.min(...this.#requests.map((r) => r.eventId));
    this.#position = Math.max(this.#position, at);
    const due = this.#requests.filter((r) => r.eventId === at);
    this.#requests = this.#requests.filter((r) => r.eventId !== at);
    for (const request of due) request.settle();
    return true;
  }

  /** The decisions, after the replay: throws NonDeterminismError when the code does not match its history. */
  decisions(outcome) {
    if (this.#mismatch) throw this.#mismatch;
    let unasked;
    for (const [key, step] of this.#index.steps) {
      if (!this.#claimed.has(key) && (unasked === undefined || step.eventId < unasked.eventId)) unasked = step;
    }
    if (unasked) throw new NonDeterminismError(unasked.eventId, unasked.description, this.#firstNew);
    const out = new Decisions();
    const made = this.#decisions.decisions;
    if (made.length >= MAX_DECISIONS) {
      out.decisions = made.slice(0, MAX_DECISIONS - 1);
      out.startTimer(`${OWN_TIMER_PREFIX}batch.${this.#task.raw.startedEventId}`, '0');
      return out;
    }
    out.decisions = [...made];
    if (outcome === undefined) return out;
    const closing = closingDecision(outcome);
    return out.push(closing.decisionType, closing.attributes);
  }
}

/** The closing decision for what the workflow function returned or threw (FLOW.md, Endings). */
function closingDecision({ value, error }) {
  if (error === undefined) {
    if (value instanceof Ending) return value;
    return new Ending('CompleteWorkflowExecution', { result: payload(value) });
  }
  if (error instanceof WorkflowFailure) {
    return new Ending('FailWorkflowExecution', { reason: error.reason, details: payload(error.details) });
  }
  if (error instanceof ActivityFailure || error instanceof ChildFailure) {
    const id = error.activityId ?? error.workflowId;
    return new Ending('FailWorkflowExecution', {
      reason: `${id} ${error.message}`.slice(0, MAX_REASON),
      details: error.details ?? undefined,
    });
  }
  throw error;
}

/** A macrotask: it runs once every promise job queued before it (and by them) has run. */
function drained() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Replays `body` over `task` (a DecisionTask) and returns its Decisions; rejects with
 * NonDeterminismError when the code does not match the history, or with what the workflow threw
 * when that is not an ending (FLOW.md).
 */
export async function replay(task, body) {
  const wf = new Workflow(task);
  let outcome;
  (async () => body(wf, wf.input))().then(
    (value) => {
      outcome = { value };
    },
    (error) => {
      outcome = { error };
    },
  );
  do {
    await drained();
  } while (outcome === undefined && wf.settleNext());
  return wf.decisions(outcome);
}

/** A workflow type (`workflowType(...)` of swfwasm-guest.js) and the function that runs it. */
export function workflow(type, body) {
  return { type, body };
}

/**
 * The `describe` and `decide` exports of a decider running `workflows` (from `workflow(...)`),
 * routed by the task's workflow type. `decide` rejects with a string (the WIT error case):
 * `String(error)` of a NonDeterminismError, of an error the workflow threw that is not an ending,
 * of an unknown workflow type or of a task that does not parse.
 */
export function flowDecider(...workflows) {
  return {
    describe: () => workflows.map((w) => w.type),
    decide: async (json) => {
      try {
        const task = DecisionTask.parse(json);
        const { name, version } = task.workflowType ?? {};
        const chosen = workflows.find((w) => w.type.name === name && w.type.version === version);
        if (!chosen) {
          throw new Error(`no workflow ${name} ${version} in this decider`);
        }
        return (await replay(task, chosen.body)).toResponse();
      } catch (error) {
        // ComponentizeJS lowers the thrown value as the `err` payload: it must be a string.
        throw String(error);
      }
    },
  };
}
