// The seed's HelloDecider in JavaScript: schedule HelloWorld when the workflow starts (passing
// the workflow's input on), complete when it has finished, fail with its reason if it failed.

import { DecisionTask, Decisions, info, workflowType } from '../../guest-sdk/js/swfwasm-guest.js';

export function describe() {
  return [
    workflowType('HelloWorkflow', '1.0', {
      description: "The seed's HelloWorkflow, in JavaScript",
      defaultTaskList: 'default',
      defaultExecutionStartToCloseTimeout: '3600',
      defaultTaskStartToCloseTimeout: '300',
      defaultChildPolicy: 'TERMINATE',
    }),
  ];
}

export function decide(json) {
  const task = DecisionTask.parse(json);
  const decisions = new Decisions();
  const last = task.lastWorkflowEvent();
  info(`deciding after ${last?.eventType}`);
  switch (last?.eventType) {
    case 'WorkflowExecutionStarted':
      decisions.scheduleActivityTask('saying_hi', 'HelloWorld', '1.0', {
        taskList: 'default',
        input: task.input,
      });
      break;
    case 'ActivityTaskCompleted':
      decisions.completeWorkflowExecution();
      break;
    case 'ActivityTaskFailed':
      decisions.failWorkflowExecution(last.attributes.reason, last.attributes.details);
      break;
  }
  return decisions.toResponse();
}
