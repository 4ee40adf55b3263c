"""The seed's HelloDecider in Python: schedule HelloWorld when the workflow starts (passing the
workflow's input on), complete when it has finished, fail with its reason if it failed."""

from swfwasm_guest import Decider, Decisions, DecisionTask, info, workflow_type


class WitWorld(Decider):
    def workflow_types(self):
        return [
            workflow_type(
                "HelloWorkflow",
                "1.0",
                description="The seed's HelloWorkflow, in Python",
                default_task_list="default",
                default_execution_start_to_close_timeout="3600",
                default_task_start_to_close_timeout="300",
                default_child_policy="TERMINATE",
            )
        ]

    def decide_task(self, task: DecisionTask) -> Decisions:
        decisions = Decisions()
        last = task.last_workflow_event()
        event_type = last.event_type if last else None
        info(f"deciding after {event_type}")
        if event_type == "WorkflowExecutionStarted":
            decisions.schedule_activity_task("saying_hi", "HelloWorld", "1.0", task_list="default", input=task.input)
        elif event_type == "ActivityTaskCompleted":
            decisions.complete_workflow_execution()
        elif event_type == "ActivityTaskFailed":
            decisions.fail_workflow_execution(last.attributes.get("reason"), last.attributes.get("details"))
        return decisions
