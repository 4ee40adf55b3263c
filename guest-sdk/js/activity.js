// swfwasm guest helper for JavaScript activities: everything in ./swfwasm-guest.js plus the
// `activity` world's services. An activity module exports `describe()` and
// `execute = activity((task) => result)`; the wrapper parses the task and turns exceptions into
// the WIT `activity-error` the host reports to SWF.

import { heartbeat as hostHeartbeat } from 'swfwasm:plugin/activity-host@0.1.0';

export * from './swfwasm-guest.js';

/**
 * An activity type the plugin executes, for `describe()`. `defaults`: description,
 * defaultTaskList, defaultTaskPriority, defaultTaskStartToCloseTimeout,
 * defaultTaskHeartbeatTimeout, defaultTaskScheduleToStartTimeout,
 * defaultTaskScheduleToCloseTimeout.
 */
export function activityType(name, version, defaults = {}) {
  return { name, version, ...defaults };
}

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

/**
 * Wraps `run(task: ActivityTask) => string` as the world's `execute` export. A thrown
 * ActivityFailed or ActivityCanceled becomes that outcome; any other exception fails the task
 * with the error's name as reason and its message as details, so a bug is reported, not lost.
 */
export function activity(run) {
  return (json) => {
    try {
      return String(run(ActivityTask.parse(json)));
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
