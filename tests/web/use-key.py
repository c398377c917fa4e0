"""Signs in with the key pair in the environment (or clearml.conf) and records one experiment, as a user
does right after pasting the lines from Settings. Prints the new task's id."""

import sys

from clearml import Task

NAME = sys.argv[1] if len(sys.argv) > 1 else "made with a key from Settings"
task = Task.init(project_name="Web UI Demo", task_name=NAME, reuse_last_task_id=False,
                 auto_connect_frameworks=False, auto_resource_monitoring=False)
task.get_logger().report_scalar("accuracy", "val", value=0.5, iteration=0)
print("TASK_ID", task.id)
task.close()
