// Unit tests of the JavaScript guest helper under node, with the WIT imports stubbed
// (host-stub.mjs). Run: npm test --prefix guest-sdk/js
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { beforeEach, test } from 'node:test';

import { stub } from './host-stub.mjs';
import { DecisionTask, Decisions, info, log, warn, workflowType } from '../swfwasm-guest.js';
import { ActivityCanceled, ActivityFailed, activity, activityType, heartbeat } from '../activity.js';

const seed = (name) =>
  readFileSync(new URL(`../../../swf-model/tests/data/${name}`, import.meta.url), 'utf8');

beforeEach(() => {
  stub.logged.length = 0;
  stub.heartbeats.length = 0;
  stub.status = 'ok';
});

test('a decision task finds its events', () => {
  const task = DecisionTask.parse(seed('hello_task_after_9.json'));
  assert.deepEqual(task.events.map((e) => e.eventId), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(task.workflowEvents().map((e) => e.eventType), [
    'WorkflowExecutionStarted',
    'ActivityTaskScheduled',
    'ActivityTaskStarted',
    'ActivityTaskCompleted',
  ]);
  assert.equal(task.lastWorkflowEvent().attributes.scheduledEventId, 5);
  assert.equal(task.event(5).eventType, 'ActivityTaskScheduled');
  assert.equal(task.event(99), undefined);
  assert.equal(task.eventsOfType('DecisionTaskScheduled').length, 2);
  assert.equal(task.input, undefined);
  assert.equal(task.workflowType.name, 'HelloWorkflow');
});

test('a task without events is refused by name', () => {
  assert.throws(() => DecisionTask.parse('{"taskToken":"t"}'), /no events array/);
});

test('decisions carry SWF field names and omit what is unset', () => {
  const decisions = new Decisions()
    .scheduleActivityTask('a-1', 'Work', '2.0', { taskList: 'jobs', input: 'x', heartbeatTimeout: '60' })
    .startTimer('t-1', '30')
    .cancelTimer('t-0')
    .recordMarker('m', 'd')
    .requestCancelActivityTask('a-0')
    .push('SignalExternalWorkflowExecution', { workflowId: 'other', signalName: 'go', input: undefined });
  decisions.executionContext = 'ctx';
  assert.deepEqual(JSON.parse(decisions.toResponse()), {
    executionContext: 'ctx',
    decisions: [
      {
        decisionType: 'ScheduleActivityTask',
        scheduleActivityTaskDecisionAttributes: {
          activityId: 'a-1',
          activityType: { name: 'Work', version: '2.0' },
          taskList: { name: 'jobs' },
          input: 'x',
          heartbeatTimeout: '60',
        },
      },
      { decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 't-1', startToFireTimeout: '30' } },
      { decisionType: 'CancelTimer', cancelTimerDecisionAttributes: { timerId: 't-0' } },
      { decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName: 'm', details: 'd' } },
      {
        decisionType: 'RequestCancelActivityTask',
        requestCancelActivityTaskDecisionAttributes: { activityId: 'a-0' },
      },
      {
        decisionType: 'SignalExternalWorkflowExecution',
        signalExternalWorkflowExecutionDecisionAttributes: { workflowId: 'other', signalName: 'go' },
      },
    ],
  });
});

test('closing decisions', () => {
  const body = (d) => JSON.parse(d.toResponse()).decisions[0];
  assert.deepEqual(body(new Decisions().completeWorkflowExecution('done')), {
    decisionType: 'CompleteWorkflowExecution',
    completeWorkflowExecutionDecisionAttributes: { result: 'done' },
  });
  assert.deepEqual(body(new Decisions().failWorkflowExecution('why')).failWorkflowExecutionDecisionAttributes, {
    reason: 'why',
  });
  assert.deepEqual(body(new Decisions().cancelWorkflowExecution()).cancelWorkflowExecutionDecisionAttributes, {});
});

test('declarations', () => {
  assert.deepEqual(workflowType('W', '1.0', { defaultTaskList: 'main' }), {
    name: 'W',
    version: '1.0',
    defaultTaskList: 'main',
  });
  assert.deepEqual(activityType('A', '1.0'), { name: 'A', version: '1.0' });
});

test('activity outcomes become the WIT activity-error', () => {
  const execute = activity((task) => {
    if (task.input === 'fail') throw new ActivityFailed('Bad', 'details');
    if (task.input === 'bug') throw new TypeError('x is not a function');
    if (task.input === 'odd') throw 'a string';
    if (heartbeat(`working on ${task.input}`) !== 'ok') throw new ActivityCanceled('stopped');
    info(`greeting ${task.input}`);
    return `hi ${task.input} from ${task.activityId}`;
  });
  const run = (input) => JSON.stringify({ activityId: 'a-1', activityType: { name: 'G', version: '1' }, input });
  const thrown = (input) => {
    try {
      execute(run(input));
    } catch (e) {
      return e;
    }
    assert.fail(`${input} did not throw`);
  };

  assert.equal(execute(run('Ada')), 'hi Ada from a-1');
  assert.deepEqual(stub.heartbeats, ['working on Ada']);
  assert.deepEqual(stub.logged, [['info', 'greeting Ada']]);
  assert.deepEqual(thrown('fail'), { tag: 'failed', val: { reason: 'Bad', details: 'details' } });
  assert.deepEqual(thrown('bug'), { tag: 'failed', val: { reason: 'TypeError', details: 'x is not a function' } });
  assert.deepEqual(thrown('odd'), { tag: 'failed', val: { reason: 'Error', details: 'a string' } });
  stub.status = 'cancel-requested';
  assert.deepEqual(thrown('Bob'), { tag: 'canceled', val: 'stopped' });
});

test('heartbeat passes details and the host answer through', () => {
  stub.status = 'task-gone';
  assert.equal(heartbeat(42), 'task-gone');
  assert.equal(heartbeat(), 'task-gone');
  assert.deepEqual(stub.heartbeats, ['42', undefined]);
});

test('log levels', () => {
  warn('w');
  log('error', 7);
  assert.deepEqual(stub.logged, [
    ['warn', 'w'],
    ['error', '7'],
  ]);
});
