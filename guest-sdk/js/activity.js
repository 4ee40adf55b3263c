// swfwasm guest helper for JavaScript activities: everything in ./swfwasm-guest.js plus the
// `activity` world's services. An activity module exports `describe()`, `requires()` (what it
// needs from the operator: outbound hosts and config keys; `noRequirements` if nothing) and
// `execute = activity((task) => result)`; the wrapper parses the task and turns exceptions into
// the WIT `activity-error` the host reports to SWF. An activity that talks HTTP is a generator
// that yields where it would await (`activity(function* (task) { ... yield fetch(url) ... })`,
// see ./http.js for why). AWS calls go through the host, which signs them: `awsRequest` and the
// typed helpers (`s3PutObject`, `dynamodbGetItem`, ...) of ./aws.js.

import { heartbeat as hostHeartbeat } from 'swfwasm:plugin/activity-host@0.2.0';
import { get as hostConfigGet } from 'swfwasm:plugin/config@0.2.0';
import { wait } from './http.js';

export * from './swfwasm-guest.js';
export { decodeUtf8, encodeUtf8, fetch, Headers, HttpError, Pending, Response, wait } from './http.js';
export {
  AwsError,
  awsHost,
  awsRequest,
  dynamodbGetItem,
  dynamodbPutItem,
  encodeQuery,
  parseAwsError,
  percentEncode,
  s3GetObject,
  s3PutObject,
  sqsSendMessage,
} from './aws.js';

/**
 * An activity type the plugin executes, for `describe()`. `defaults`: description,
 * defaultTaskList, defaultTaskPriority, defaultTaskStartToCloseTimeout,
 * defaultTaskHeartbeatTimeout, defaultTaskScheduleToStartTimeout,
 * defaultTaskScheduleToCloseTimeout.
 */
export function activityType(name, version, defaults = {}) {
  return { name, version, ...defaults };
}

/**
 * One need for `requirements`: a name (`{ name, required }` or just the name, which is
 * required).
 */
function need(item, what) {
  const { name, required = true } = typeof item === 'string' ? { name: item } : (item ?? {});
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`${what}: a need has a non-empty string name`);
  }
  if (typeof required !== 'boolean') {
    throw new TypeError(`${what} ${name}: required must be true or false`);
  }
  return { name, required };
}

/** An optional need, for `requirements`: the activity runs without it (the grant may be absent). */
export function optional(name) {
  return { name, required: false };
}

/**
 * What `requires()` returns: the outbound hosts the activity sends requests to and the config
 * keys it reads. Each need is `{ name, required }`, a name (required) or `optional(name)`.
 * Host names use Spin's syntax (`https://api.example.com`, `http://127.0.0.1:8099`,
 * `https://*.example.com`, `*://*:*`), or `{KEY}` for the origin of config key KEY's value. A
 * required need the operator does not grant keeps the artifact inactive; the activity gets
 * what it declares and the operator grants, nothing more.
 */
export function requirements({ outboundHosts = [], configKeys = [] } = {}) {
  return {
    outboundHosts: outboundHosts.map((item) => need(item, 'outbound host')),
    configKeys: configKeys.map((item) => need(item, 'config key')),
  };
}

/**
 * What `requires()` returns for an activity that needs no network and no configuration:
 * `export function requires() { return noRequirements; }`.
 */
export const noRequirements = Object.freeze({
  outboundHosts: Object.freeze([]),
  configKeys: Object.freeze([]),
});

/**
 * Why `config.get` gave no value: `kind` is 'undeclared' (the key is not in `requires()`) or
 * 'unavailable' (its source could not be read; `detail` names the source, never a value). The
 * message is `<KEY>: undeclared` or `<KEY>: unavailable: <detail>`.
 */
export class ConfigError extends Error {
  constructor(key, kind, detail) {
    super(kind === 'unavailable' ? `${key}: unavailable: ${detail}` : `${key}: ${kind}`);
    this.name = 'ConfigError';
    this.key = key;
    this.kind = kind;
    this.detail = detail;
  }
}

/** The configuration the operator granted (literals, environment, files, Secrets Manager, SSM). */
export const config = Object.freeze({
  /**
   * The value of a key declared in `requires()`: a string, or null when the operator granted
   * none. Throws ConfigError when the key is undeclared or its source is unavailable.
   */
  get(key) {
    const name = String(key);
    try {
      return hostConfigGet(name) ?? null;
    } catch (e) {
      const error = e !== null && typeof e === 'object' ? e.payload : undefined;
      if (error?.tag === 'undeclared' || error?.tag === 'unavailable') {
        throw new ConfigError(name, error.tag, error.val);
      }
      throw e;
    }
  },
});

/** A PollForActivityTask response: activityId, activityType, workflowExecution, input. */
export class ActivityTask {
  static parse(json) {
    return new ActivityTask(JSON.parse(json));
  }

  constructor(raw) {
    this.raw = raw;
    this.activityId = raw.activityId;
    this.activityType = raw.activityType;
    this.workflowExecution = raw.workflowExecution;
    this.input = raw.input;
  }
}

/** Throw to fail the task: SWF records `reason` and `details` in ActivityTaskFailed. */
export class ActivityFailed extends Error {
  constructor(reason, details) {
    super(reason);
    this.name = 'ActivityFailed';
    this.reason = reason;
    this.details = details;
  }
}

/** Throw to acknowledge a cancellation request (RespondActivityTaskCanceled). */
export class ActivityCanceled extends Error {
  constructor(details) {
    super('canceled');
    this.name = 'ActivityCanceled';
    this.details = details;
  }
}

/**
 * Records a heartbeat. Returns 'ok', 'cancel-requested' (stop and throw ActivityCanceled) or
 * 'task-gone' (the task timed out or its workflow closed; any result is discarded).
 */
export function heartbeat(details) {
  return hostHeartbeat(details === undefined ? undefined : String(details));
}

/** Whether `value` is a generator (what a `function*` returns). */
function isGenerator(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof value.next === 'function' &&
    typeof value.throw === 'function' &&
    typeof value[Symbol.iterator] === 'function'
  );
}

/**
 * Runs a generator to its end, synchronously: what it yields is waited for (`wait`: a fetch or
 * body Pending, or an array of them) and sent back in, a failure is thrown in at the yield.
 */
function drive(generator) {
  let step = generator.next();
  while (!step.done) {
    let value;
    let failure;
    let failed = false;
    try {
      value = wait(step.value);
    } catch (e) {
      failure = e;
      failed = true;
    }
    step = failed ? generator.throw(failure) : generator.next(value);
  }
  return wait(step.value);
}

/**
 * Wraps `run(task: ActivityTask) => string` as the world's `execute` export. `run` may be a
 * generator function (`function*`) that yields fetches and body reads where async code would
 * await them; it may also return a Pending. A thrown ActivityFailed or ActivityCanceled becomes
 * that outcome; any other exception fails the task with the error's name as reason and its
 * message as details, so a bug is reported, not lost. An `async` function cannot be used: see
 * ./http.js.
 */
export function activity(run) {
  return (json) => {
    try {
      const result = run(ActivityTask.parse(json));
      return String(isGenerator(result) ? drive(result) : wait(result));
    } catch (e) {
      if (e instanceof ActivityCanceled) {
        throw { tag: 'canceled', val: e.details };
      }
      if (e instanceof ActivityFailed) {
        throw { tag: 'failed', val: { reason: e.reason, details: e.details } };
      }
      const reason = e instanceof Error ? e.name : 'Error';
      throw { tag: 'failed', val: { reason, details: e instanceof Error ? e.message : String(e) } };
    }
  };
}
