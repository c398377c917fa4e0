"""Task reuse: the same script run twice in the same HOME without
CLEARML_TASK_NO_REUSE reuses the previous draft task (Task.init -> tasks.reset ->
tasks.edit), and the old run's scalars and console lines are gone. With
CLEARML_TASK_NO_REUSE set, a new task is created instead."""

from __future__ import annotations

import uuid

import pytest

from helpers import Api, rejected_calls, run_readback, run_sdk_ok

LIGHT_SCRIPT = r'''
import json, os
from clearml import Task

A = json.loads(os.environ["COMPAT_ARGS"])
task = Task.init(project_name=A["project"], task_name=A["task"])
print("@@COMPAT_TASK_ID@@" + task.id, flush=True)
task.connect({"run": A["run"]})
logger = task.get_logger()
for i in range(A["n"]):
    logger.report_scalar("reuse", "series", value=A["base"] + i, iteration=i)
print(A["marker"])
task.close()
'''

READBACK = r'''
from clearml import Task

T = {}

@section("task")
def _():
    T["t"] = Task.get_task(task_id=ARGS["task_id"])
    return {"status": str(T["t"].get_status()), "params": T["t"].get_parameters()}

@section("scalars")
def _():
    return T["t"].get_reported_scalars()

@section("last_metrics")
def _():
    return T["t"].get_last_scalar_metrics()

@section("console")
def _():
    return list(T["t"].get_reported_console_output(number_of_reports=500))
'''


def test_task_reuse_resets_the_previous_task(cairn, sdk_env, tmp_path):
    project = f"compat reuse {uuid.uuid4().hex[:10]}"
    home = tmp_path / "shared-home"
    env = sdk_env(no_reuse=False, home=home)
    m1, m2 = f"FIRST-RUN-{uuid.uuid4().hex[:6]}", f"SECOND-RUN-{uuid.uuid4().hex[:6]}"

    first = run_sdk_ok(LIGHT_SCRIPT, env, args={"project": project, "task": "reusable", "run": 1, "n": 10,
                                                "base": 100, "marker": m1})
    first_id = first.task_id()
    mark = cairn.log_size()
    second = run_sdk_ok(LIGHT_SCRIPT, env, args={"project": project, "task": "reusable", "run": 2, "n": 5,
                                                 "base": 200, "marker": m2})
    second_log = cairn.log_since(mark, max_lines=100000)
    assert second.task_id() == first_id, "the second run did not reuse the draft task of the first run"
    total, rejected = rejected_calls(second_log)
    if total:
        assert " tasks.reset " in second_log, "the second run did not go through tasks.reset"
    assert not rejected, "SDK calls rejected during the reuse run:\n" + "\n".join(rejected)

    r = run_readback(READBACK, sdk_env(), args={"task_id": first_id})
    assert r["task"]["status"] == "completed"
    assert r["task"]["params"] == {"General/run": "2"}
    scalars = r["scalars"]
    assert scalars["reuse"]["series"]["x"] == [0, 1, 2, 3, 4], "scalars of the first run were not cleared"
    assert scalars["reuse"]["series"]["y"] == [200.0, 201.0, 202.0, 203.0, 204.0]
    assert r["last_metrics"]["reuse"]["series"] == {"last": 204.0, "min": 200.0, "max": 204.0}
    console = "\n".join(r["console"])
    assert m2 in console
    assert m1 not in console, "console lines of the first run survived the reset"

    api = Api(cairn.api_url)
    task = api.ok("tasks.get_by_id", {"task": first_id})["task"]
    assert task["last_iteration"] == 4
    tasks = api.ok("tasks.get_all", {"project": [task["project"]], "only_fields": ["id"]})["tasks"]
    assert [t["id"] for t in tasks] == [first_id], "reuse must not create another task"

    # with CLEARML_TASK_NO_REUSE the same HOME gets a new task
    third = run_sdk_ok(LIGHT_SCRIPT, sdk_env(no_reuse=True, home=home),
                       args={"project": project, "task": "reusable", "run": 3, "n": 1, "base": 300, "marker": "x"})
    assert third.task_id() != first_id
    tasks = api.ok("tasks.get_all", {"project": [task["project"]], "only_fields": ["id"]})["tasks"]
    assert sorted(t["id"] for t in tasks) == sorted([first_id, third.task_id()])
    # the first task was left alone by the third run
    again = api.ok("tasks.get_by_id", {"task": first_id})["task"]
    assert again["status"] == "completed" and again["last_iteration"] == 4
