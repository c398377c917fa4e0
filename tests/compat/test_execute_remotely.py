"""task.execute_remotely(queue_name="default"): the local process stops, and the task
waits in the server's default queue for an agent."""

from __future__ import annotations

import uuid

from helpers import Api, rejected_calls, run_sdk

SCRIPT = r'''
import json, os
from clearml import Task

A = json.loads(os.environ["COMPAT_ARGS"])
task = Task.init(project_name=A["project"], task_name=A["task"])
print("@@COMPAT_TASK_ID@@" + task.id, flush=True)
task.connect({"remote_param": 42})
task.execute_remotely(queue_name="default")
print("LOCAL EXECUTION CONTINUED", flush=True)
'''


def test_execute_remotely_enqueues_in_default(cairn, sdk_env):
    project = f"compat remote {uuid.uuid4().hex[:10]}"
    mark = cairn.log_size()
    run = run_sdk(SCRIPT, sdk_env(), args={"project": project, "task": "remote me"})
    run_log = cairn.log_since(mark, max_lines=100000)
    assert not run.timed_out and run.returncode == 0, run.describe()
    assert "LOCAL EXECUTION CONTINUED" not in run.stdout, "execute_remotely must end the local process"
    assert "Traceback" not in run.stdout + run.stderr, run.describe()
    task_id = run.task_id()

    api = Api(cairn.api_url)
    queues = api.ok("queues.get_all", {"name": "^default$", "only_fields": ["id", "name"]})["queues"]
    assert len(queues) == 1, f"the server has no (single) 'default' queue: {queues}"
    queue_id = queues[0]["id"]

    task = api.ok("tasks.get_by_id", {"task": task_id})["task"]
    assert task["status"] == "queued"
    assert task["execution"]["queue"] == queue_id
    assert "development" not in task["system_tags"], "enqueue removes the development system tag"
    assert task["hyperparams"]["General"]["remote_param"]["value"] == "42"

    queue = api.ok("queues.get_by_id", {"queue": queue_id})["queue"]
    assert queue["name"] == "default"
    assert task_id in [e["task"] for e in queue["entries"]]
    num = api.ok("queues.get_num_entries", {"queue": queue_id})["num"]
    assert num == len(queue["entries"]) >= 1

    # the SDK first tries the queue name as an id (a 400 is the expected answer); nothing
    # else may have been rejected
    _total, rejected = rejected_calls(run_log)
    unexpected = [line for line in rejected if " queues.get_by_id " not in f" {line} "]
    assert not unexpected, "SDK calls rejected during execute_remotely:\n" + "\n".join(unexpected)
