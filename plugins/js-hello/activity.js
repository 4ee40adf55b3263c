// The seed's HelloWorker in JavaScript: greet the name in the task's input (default "World"),
// heartbeating first so a cancellation request is honoured.

import {
  ActivityCanceled,
  ActivityFailed,
  activity,
  activityType,
  heartbeat,
  info,
  noRequirements,
} from '../../guest-sdk/js/activity.js';

const MAX_NAME = 64;

export function describe() {
  return [
    activityType('HelloWorld', '1.0', {
      description: "The seed's HelloWorld activity, in JavaScript",
      defaultTaskList: 'default',
      defaultTaskScheduleToStartTimeout: '300',
      defaultTaskStartToCloseTimeout: '3600',
      defaultTaskScheduleToCloseTimeout: '3900',
      defaultTaskHeartbeatTimeout: '600',
    }),
  ];
}

/** HelloWorld needs no network and no configuration. */
export function requires() {
  return noRequirements;
}

export const execute = activity((task) => {
  const name = task.input || 'World';
  const length = [...name].length;
  if (length > MAX_NAME) {
    throw new ActivityFailed('NameTooLong', `a name has at most ${MAX_NAME} characters; got ${length}`);
  }
  if (heartbeat(`greeting ${name}`) !== 'ok') {
    throw new ActivityCanceled(`canceled before greeting ${name}`);
  }
  const greeting = `Hello, ${name}!`;
  info(greeting);
  return greeting;
});
