"""The seed's HelloWorker in Python: greet the name in the task's input (default "World"),
heartbeating first so a cancellation request is honoured."""

from swfwasm_guest import Activity, ActivityCanceled, ActivityFailed, ActivityTask, activity_type, heartbeat, info

MAX_NAME = 64


class WitWorld(Activity):
    def activity_types(self):
        return [
            activity_type(
                "HelloWorld",
                "1.0",
                description="The seed's HelloWorld activity, in Python",
                default_task_list="default",
                default_task_schedule_to_start_timeout="300",
                default_task_start_to_close_timeout="3600",
                default_task_schedule_to_close_timeout="3900",
                default_task_heartbeat_timeout="600",
            )
        ]

    def run(self, task: ActivityTask) -> str:
        name = task.input or "World"
        if len(name) > MAX_NAME:
            raise ActivityFailed("NameTooLong", f"a name has at most {MAX_NAME} characters; got {len(name)}")
        if heartbeat(f"greeting {name}") != "ok":
            raise ActivityCanceled(f"canceled before greeting {name}")
        greeting = f"Hello, {name}!"
        info(greeting)
        return greeting
