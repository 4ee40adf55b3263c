// Unit tests of the JavaScript flow API (flow.js) on histories built with testing.js, under node.
// Run: npm test --prefix guest-sdk/js
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  ActivityFailure,
  NonDeterminismError,
  WorkflowFailure,
  backoffSecs,
  flowDecider,
  jitterSeed,
  retryPolicy,
  workflow,
} from '../flow.js';
import { workflowType } from '../swfwasm-guest.js';
import { History, decideWith } from '../testing.js';

const attrs = (d) => d[`${d.decisionType.charAt(0).toLowerCase()}${d.decisionType.slice(1)}DecisionAttributes`];
const types = (decisions) => decisions.map((d) => d.decisionType);

async function greet(wf, name) {
  return await wf.activity('Greet', '1', { input: name });
}

test('an activity is scheduled once, then its result closes the workflow', async () => {
  const h = History.started('"World"');
  const [first] = await decideWith(greet, h);
  assert.equal(first.decisionType, 'ScheduleActivityTask');
  assert.deepEqual(attrs(first), { activityId: 'Greet-1', activityType: { name: 'Greet', version: '1' }, input: '"World"' });

  const scheduled = h.scheduled('Greet-1', 'Greet', '1');
  h.decisionTask();
  assert.deepEqual(await decideWith(greet, h), [], 'nothing new while the activity runs');

  h.finished(scheduled, 'ActivityTaskCompleted', { result: '"Hello, World!"' });
  const [done] = await decideWith(greet, h);
  assert.equal(done.decisionType, 'CompleteWorkflowExecution');
  assert.equal(attrs(done).result, 'Hello, World!', 'a string result is sent as is');
});

async function pay(wf) {
  return await wf.activity('Pay', '1', { retry: 3 });
}

test('failures are retried after backoff timers with the cross-language jitter, then given up', async () => {
  const h = History.started('null');
  assert.equal(attrs((await decideWith(pay, h))[0]).activityId, 'Pay-1.1');
  const seed = jitterSeed('run', 'Pay-1');
  for (const attempt of [1, 2]) {
    const scheduled = h.scheduled(`Pay-1.${attempt}`, 'Pay', '1');
    h.finished(scheduled, 'ActivityTaskFailed', { reason: 'declined' });
    const decisions = await decideWith(pay, h);
    assert.deepEqual(types(decisions), ['StartTimer']);
    assert.equal(attrs(decisions[0]).timerId, `Pay-1.${attempt}.retry`);
    assert.equal(attrs(decisions[0]).startToFireTimeout, String(backoffSecs(retryPolicy(3), attempt, seed)));
    assert.deepEqual(await decideWith(pay, h), decisions, 'the same history gives the same decisions');
    h.timerFired(`Pay-1.${attempt}.retry`);
    assert.equal(attrs((await decideWith(pay, h))[0]).activityId, `Pay-1.${attempt + 1}`);
  }
  const scheduled = h.scheduled('Pay-1.3', 'Pay', '1');
  h.finished(scheduled, 'ActivityTaskTimedOut', { timeoutType: 'START_TO_CLOSE' });
  const [failed] = await decideWith(pay, h);
  assert.equal(failed.decisionType, 'FailWorkflowExecution', 'an escaped ActivityFailure fails the workflow');
  assert.equal(attrs(failed).reason, 'Pay-1.3 timed out (START_TO_CLOSE)');
});

test('the backoff waits are the figures of the Rust and Python flow APIs', () => {
  const waits = (run, id, policy) =>
    Array.from({ length: policy.maxAttempts - 1 }, (_, k) => backoffSecs(policy, k + 1, jitterSeed(run, id)));
  assert.equal(jitterSeed('run', 'Pay-1'), 0xdcd3f233a38f3c1an);
  assert.deepEqual(waits('run', 'Pay-1', retryPolicy(6)), [1, 1, 2, 6, 10]);
  const policy = retryPolicy({ maxAttempts: 8, initialIntervalSecs: 7, backoff: 1.5, maxIntervalSecs: 100 });
  assert.deepEqual(waits('run-Ω-42', 'ValidatePayment-3', policy), [6, 7, 9, 15, 28, 32, 55]);
});

test('every kind of activity failure reads as in Rust and can be caught', async () => {
  const caught = async (wf) => {
    try {
      await wf.activity('Pay', '1');
    } catch (e) {
      assert.ok(e instanceof ActivityFailure);
      return `${e.kind}: ${e.message}`;
    }
  };
  const cases = [
    ['ActivityTaskFailed', { reason: 'declined', details: 'card' }, 'failed: failed: declined (card)'],
    ['ActivityTaskFailed', {}, 'failed: failed: (no reason)'],
    ['ActivityTaskTimedOut', { timeoutType: 'HEARTBEAT' }, 'timedOut: timed out (HEARTBEAT)'],
    ['ActivityTaskCanceled', {}, 'canceled: canceled'],
    ['ActivityTaskCompleted', { result: 'not json' }, /^badResult: returned an unreadable result: /],
  ];
  for (const [eventType, extra, expected] of cases) {
    const h = History.started('null');
    h.finished(h.scheduled('Pay-1', 'Pay', '1'), eventType, extra);
    const [closed] = await decideWith(caught, h);
    assert.match(attrs(closed).result, expected instanceof RegExp ? expected : new RegExp(`^${expected.replace(/[()]/g, '\\$&')}$`));
  }
  const h = History.started('null');
  const completed = h.completed();
  h.push('ScheduleActivityTaskFailed', {
    activityId: 'Pay-1',
    activityType: { name: 'Pay', version: '1' },
    cause: 'ACTIVITY_TYPE_DOES_NOT_EXIST',
    decisionTaskCompletedEventId: completed,
  });
  h.decisionTask();
  assert.equal(attrs((await decideWith(caught, h))[0]).result, 'scheduleFailed: could not be scheduled: ACTIVITY_TYPE_DOES_NOT_EXIST');
});

test('parallel activities are scheduled in one decision task and joined with Promise.all', async () => {
  const both = async (wf) => {
    const [a, b] = await Promise.all([wf.activity('A', '1'), wf.activity('B', '1', { taskList: 'fast' })]);
    return { a, b };
  };
  const h = History.started('null');
  const first = await decideWith(both, h);
  assert.deepEqual(first.map((d) => attrs(d).activityId), ['A-1', 'B-1']);
  assert.deepEqual(attrs(first[1]).taskList, { name: 'fast' });
  const completed = h.completed();
  const a = h.push('ActivityTaskScheduled', { activityId: 'A-1', activityType: { name: 'A', version: '1' }, decisionTaskCompletedEventId: completed });
  const b = h.push('ActivityTaskScheduled', { activityId: 'B-1', activityType: { name: 'B', version: '1' }, decisionTaskCompletedEventId: completed });
  h.finished(a, 'ActivityTaskCompleted', { result: '1' });
  assert.deepEqual(await decideWith(both, h), [], 'B still runs');
  h.finished(b, 'ActivityTaskCompleted', { result: '{"z":1,"y":[2]}' });
  assert.equal(attrs((await decideWith(both, h))[0]).result, '{"a":1,"b":{"y":[2],"z":1}}', 'results as canonical JSON');
});

async function payOrCancel(wf) {
  return await Promise.race([
    wf.activity('Pay', '1').then(() => 'paid'),
    wf.signal('cancel').then(() => wf.cancel('by signal')),
  ]);
}

test('Promise.race is won by the branch answered earliest in the history, whatever its position', async () => {
  const signalFirst = History.started('null');
  const pay1 = signalFirst.scheduled('Pay-1', 'Pay', '1');
  signalFirst.signaled('cancel', 'now');
  signalFirst.finished(pay1, 'ActivityTaskCompleted', { result: '"ok"' });
  assert.deepEqual(types(await decideWith(payOrCancel, signalFirst)), ['CancelWorkflowExecution']);

  const payFirst = History.started('null');
  const pay2 = payFirst.scheduled('Pay-1', 'Pay', '1');
  payFirst.finished(pay2, 'ActivityTaskCompleted', { result: '"ok"' });
  payFirst.signaled('cancel', 'now');
  const [done] = await decideWith(payOrCancel, payFirst);
  assert.equal(attrs(done).result, 'paid');
});

test('sleeping, then the first signal and the signals seen so far', async () => {
  const body = async (wf) => {
    const before = wf.signals('note');
    await wf.sleep(60);
    const approval = await wf.signal('approve');
    return { before, approval, after: wf.signals('note') };
  };
  const h = History.started('null');
  assert.deepEqual(attrs((await decideWith(body, h))[0]), { timerId: 'sleep-1', startToFireTimeout: '60' });
  h.signaled('note', 'early');
  h.timerFired('sleep-1');
  assert.deepEqual(await decideWith(body, h), [], 'waiting for approve');
  h.signaled('approve', 'yes');
  h.signaled('note', 'late');
  const [done] = await decideWith(body, h);
  assert.equal(attrs(done).result, '{"after":["early"],"approval":"yes","before":[]}');
  await assert.rejects(decideWith(async (wf) => wf.sleep(1.5), History.started('null')), /sleep takes whole seconds, not 1.5/);
});

test('a child workflow starts once and reports its result or failure', async () => {
  const parent = async (wf) => {
    try {
      return await wf.child('Child', '1', { n: 1 });
    } catch (e) {
      return `child ${e.kind}: ${e.message}`;
    }
  };
  const h = History.started('null');
  assert.deepEqual(attrs((await decideWith(parent, h))[0]), {
    workflowId: 'workflow:Child-1',
    workflowType: { name: 'Child', version: '1' },
    input: '{"n":1}',
  });
  const initiated = h.childInitiated('workflow:Child-1', 'Child', '1');
  h.decisionTask();
  assert.deepEqual(await decideWith(parent, h), []);
  const ok = History.started('null');
  ok.childClosed(ok.childInitiated('workflow:Child-1', 'Child', '1'), 'workflow:Child-1', 'ChildWorkflowExecutionCompleted', { result: '"done"' });
  assert.equal(attrs((await decideWith(parent, ok))[0]).result, 'done');
  for (const [eventType, extra, expected] of [
    ['ChildWorkflowExecutionFailed', { reason: 'boom' }, 'child failed: failed: boom'],
    ['ChildWorkflowExecutionTimedOut', {}, 'child timedOut: timed out'],
    ['ChildWorkflowExecutionCanceled', {}, 'child canceled: canceled'],
    ['ChildWorkflowExecutionTerminated', {}, 'child terminated: terminated'],
  ]) {
    const closed = History.started('null');
    closed.childClosed(closed.childInitiated('workflow:Child-1', 'Child', '1'), 'workflow:Child-1', eventType, extra);
    assert.equal(attrs((await decideWith(parent, closed))[0]).result, expected);
  }
  const refused = History.started('null');
  const completed = refused.completed();
  refused.push('StartChildWorkflowExecutionFailed', {
    workflowId: 'workflow:Child-1',
    workflowType: { name: 'Child', version: '1' },
    cause: 'WORKFLOW_TYPE_DOES_NOT_EXIST',
    initiatedEventId: initiated,
    decisionTaskCompletedEventId: completed,
  });
  refused.decisionTask();
  assert.equal(attrs((await decideWith(parent, refused))[0]).result, 'child startFailed: could not be started: WORKFLOW_TYPE_DOES_NOT_EXIST');
});

test('markers are recorded once; long histories continue as new', async () => {
  const body = async (wf, input) => {
    wf.recordMarker('checkpoint', { step: 1 });
    await wf.sleep(1);
    if (wf.historyLength > 4) return wf.continueAsNew({ from: input.n + 1 });
  };
  const h = History.started('{"n":1}');
  assert.deepEqual(types(await decideWith(body, h)), ['RecordMarker', 'StartTimer']);
  const completed = h.completed();
  h.push('MarkerRecorded', { markerName: 'checkpoint', details: '{"step":1}', decisionTaskCompletedEventId: completed });
  const started = h.push('TimerStarted', { timerId: 'sleep-1', startToFireTimeout: '1', decisionTaskCompletedEventId: completed });
  h.decisionTask();
  assert.deepEqual(await decideWith(body, h), [], 'the marker is not recorded twice');
  h.push('TimerFired', { timerId: 'sleep-1', startedEventId: started });
  h.decisionTask();
  const decisions = await decideWith(body, h);
  assert.deepEqual(types(decisions), ['ContinueAsNewWorkflowExecution']);
  assert.equal(attrs(decisions[0]).input, '{"from":2}');
});

test('endings: nothing, a value, fail, cancel, a thrown WorkflowFailure; other errors fail decide', async () => {
  const endings = [
    [async () => undefined, 'CompleteWorkflowExecution', {}],
    [async () => ({ b: 1, a: [true] }), 'CompleteWorkflowExecution', { result: '{"a":[true],"b":1}' }],
    [async (wf) => wf.fail('no seats', { left: 0 }), 'FailWorkflowExecution', { reason: 'no seats', details: '{"left":0}' }],
    [async (wf) => wf.cancel('by user'), 'CancelWorkflowExecution', { details: 'by user' }],
    [async () => { throw new WorkflowFailure('stop', 'why'); }, 'FailWorkflowExecution', { reason: 'stop', details: 'why' }],
  ];
  for (const [body, decisionType, expected] of endings) {
    const [closing] = await decideWith(body, History.started('null'));
    assert.equal(closing.decisionType, decisionType);
    assert.deepEqual(attrs(closing), expected);
  }
  await assert.rejects(decideWith(async () => null.x, History.started('null')), TypeError);
});

test('more than 100 requests are batched behind a zero-second timer', async () => {
  const many = async (wf) => Promise.all(Array.from({ length: 150 }, () => wf.activity('Step', '1')));
  const decisions = await decideWith(many, History.started('null'));
  assert.equal(decisions.length, 100);
  assert.deepEqual(attrs(decisions[99]), { timerId: 'swfwasm.batch.3', startToFireTimeout: '0' });
});

test('a changed first step, a step no longer asked for, and the same id as another type are non-determinism', async () => {
  const h = History.started('"World"');
  h.scheduled('Greet-1', 'Greet', '1');
  h.decisionTask();
  await assert.rejects(
    decideWith(async (wf) => wf.activity('Welcome', '1'), h),
    (e) =>
      e instanceof NonDeterminismError &&
      e.eventId === 5 &&
      e.message ===
        'non-determinism at event 5: the history has activity Greet 1 (Greet-1), the code asks for activity Welcome 1 (Welcome-1)',
  );
  await assert.rejects(
    decideWith(async (wf) => wf.activity('Greet', '2'), h),
    { message: 'non-determinism at event 5: the history has activity Greet 1 (Greet-1), the code asks for activity Greet 2 (Greet-1)' },
  );
  const slept = History.started('null');
  slept.timerFired('sleep-1');
  slept.finished(slept.scheduled('Greet-1', 'Greet', '1'), 'ActivityTaskCompleted', { result: '"hi"' });
  await assert.rejects(decideWith(greet, slept), {
    message: 'non-determinism at event 5: the history has timer sleep-1, the code does not ask for it',
  });
});

test('flowDecider describes its workflow types and routes a task by type', async () => {
  const decider = flowDecider(workflow(workflowType('Workflow', '1', { defaultTaskList: 'decisions' }), greet));
  assert.deepEqual(decider.describe(), [{ name: 'Workflow', version: '1', defaultTaskList: 'decisions' }]);
  const response = JSON.parse(await decider.decide(JSON.stringify(History.started('"Ada"'))));
  assert.equal(attrs(response.decisions[0]).input, '"Ada"');
  const other = flowDecider(workflow(workflowType('Other', '1'), greet));
  await assert.rejects(other.decide(JSON.stringify(History.started('null'))), (e) => e === 'Error: no workflow Workflow 1 in this decider');
  const changed = flowDecider(workflow(workflowType('Workflow', '1'), async (wf) => wf.activity('Welcome', '1')));
  const h = History.started('"World"');
  h.scheduled('Greet-1', 'Greet', '1');
  h.decisionTask();
  await assert.rejects(changed.decide(JSON.stringify(h)), (e) => typeof e === 'string' && e.startsWith('NonDeterminismError: non-determinism at event 5'));
});

test('historyLength reads the same on every replay', async () => {
  const looping = async (wf) => {
    for (;;) {
      if (wf.historyLength > 12) return wf.continueAsNew();
      await wf.activity('Step', '1');
    }
  };
  const h = History.started('null');
  for (const n of [1, 2]) h.finished(h.scheduled(`Step-${n}`, 'Step', '1'), 'ActivityTaskCompleted', { result: '"ok"' });
  assert.equal(h.events.length, 15);
  assert.deepEqual(types(await decideWith(looping, h)), ['ContinueAsNewWorkflowExecution']);
});
