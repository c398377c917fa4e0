"""`TaskScheduler` and `TriggerScheduler` through the real clearml SDK, each running as
a service task on a Cairn agent, as the docs deploy them (`start_remotely(queue)`: the
local process only enqueues the scheduler; the agent runs it from the git repository).

Checked: the clones the schedulers made (when they appeared, their parent, the
parameters and tags they were given, the queue they went to), that the first scheduled
clone ran to completion on a second agent, and that each trigger fired exactly once for
the object that matched it and not for the one that did not. The trigger scheduler polls
`tasks.get_all`/`models.get_all` with `_or_: {fields: [last_update, last_change],
datetime: [">…"]}`, a `last_metrics.<md5>.<md5>.max_value` range and `ready: true`, so
this is also the test of those filters through the SDK.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid

from agent_helpers import REQUIREMENTS_TXT, console_text, make_git_repo, run_script, wait_status, wait_until
from helpers import Api, make_sdk_env, run_sdk_ok

SCHEDULER = r'''
from clearml.automation import TaskScheduler

scheduler = TaskScheduler(force_create_task_project="{project}", force_create_task_name="every minute")
scheduler.add_task(schedule_task_id="{base}", queue="{run_queue}", name="retrain", target_project="{target}",
                   minute=1, execute_immediately=True, task_parameters={{"General/lr": "0.15"}})
scheduler.start_remotely(queue="{services_queue}")
'''

TRIGGERS = r'''
from clearml.automation import TriggerScheduler

common = dict(schedule_task_id="{base}", schedule_queue="{run_queue}", target_project="{target}")
# polls every 3 s instead of every 3 minutes: the test waits less
triggers = TriggerScheduler(pooling_frequency_minutes=0.05, force_create_task_project="{project}", force_create_task_name="triggers")
triggers.add_model_trigger(name="on model", trigger_project="{project}", trigger_on_publish=True, add_tag="fired-by-model",
                           task_parameters={{"General/source": "${{model.id}}"}}, **common)
triggers.add_dataset_trigger(name="on dataset", trigger_name="^{dataset}$", add_tag="fired-by-dataset",
                             task_parameters={{"General/source": "${{dataset.id}}"}}, **common)
triggers.add_task_trigger(name="on task", trigger_project="{project}", trigger_on_status=["completed"],
                          trigger_on_metric="loss", trigger_on_variant="train", trigger_on_threshold=0.5, trigger_on_sign="max",
                          add_tag="fired-by-task", task_parameters={{"General/source": "${{task.id}}"}}, **common)
triggers.start_remotely(queue="{services_queue}")
'''

# a finished task reporting `loss/train`; the one above the threshold also publishes a model
TRAINED = r'''
import json, os, tempfile
from clearml import Model, OutputModel, Task

A = json.loads(os.environ["COMPAT_ARGS"])
task = Task.init(project_name=A["project"], task_name=A["name"], reuse_last_task_id=False)
task.get_logger().report_scalar("loss", "train", value=A["loss"], iteration=0)
model_id = None
if A["with_model"]:
    weights = os.path.join(tempfile.mkdtemp(), "weights.bin")
    with open(weights, "wb") as f:
        f.write(b"w" * 1000)
    model = OutputModel(task=task, name="weights")
    model.update_weights(weights_filename=weights)
    model_id = model.id
task.close()
if model_id:
    Model(model_id).publish()
print("@@COMPAT_JSON@@" + json.dumps({"task": task.id, "model": model_id}), flush=True)
'''

DATASET = r'''
import json, os, tempfile
from clearml import Dataset

A = json.loads(os.environ["COMPAT_ARGS"])
folder = tempfile.mkdtemp()
with open(os.path.join(folder, "a.txt"), "w") as f:
    f.write("data")
ds = Dataset.create(dataset_name=A["name"], dataset_project=A["project"])
ds.add_files(folder)
ds.upload()
ds.finalize()
print("@@COMPAT_JSON@@" + json.dumps({"dataset": ds.id}), flush=True)
'''


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def project_id(api: Api, name: str) -> str:
    found = api.ok("projects.get_all", {"name": f"^{name}$", "only_fields": ["id"]})["projects"]
    return found[0]["id"] if found else ""


def tasks_in(api: Api, name: str) -> list[dict]:
    pid = project_id(api, name)
    if not pid:
        return []
    return api.ok("tasks.get_all", {"project": [pid], "order_by": ["created"],
                                    "only_fields": ["id", "name", "status", "created", "parent", "tags", "hyperparams", "execution", "last_metrics"]})["tasks"]


def scheduler_task(api: Api, project: str, name: str) -> dict:
    tasks = [t for t in tasks_in(api, project) if t["name"] == name]
    assert len(tasks) == 1, tasks
    return api.ok("tasks.get_by_id", {"task": tasks[0]["id"]})["task"]


def param(task: dict, section: str, name: str) -> str:
    return task["hyperparams"][section][name]["value"]


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def launch(repo_root, name: str, script: str, env: dict) -> None:
    repo = make_git_repo(repo_root, {name: script, "requirements.txt": REQUIREMENTS_TXT})
    local = run_script(repo.work / name, env, cwd=repo.work)
    assert local.returncode == 0, local.stdout + local.stderr


def test_task_scheduler_clones_on_time_from_an_agent(cairn, api, agents, make_queue, template_task, tmp_path):
    project = f"compat scheduler {uuid.uuid4().hex[:8]}"
    target = f"{project} runs"
    services_queue, _ = make_queue()
    run_queue, run_queue_id = make_queue()
    env = make_sdk_env(cairn, tmp_path / "home")
    launch(tmp_path / "repo", "schedule.py", SCHEDULER.format(project=project, base=template_task, run_queue=run_queue,
                                                              target=target, services_queue=services_queue), env)
    scheduler = scheduler_task(api, project, "every minute")
    assert scheduler["type"] == "service" and scheduler["status"] == "queued", scheduler["status"]
    services_agent = agents.cairn([services_queue])
    runner = agents.cairn([run_queue])
    describe = lambda: services_agent.tail() + "\n" + console_text(api, scheduler["id"])[-3000:]  # noqa: E731

    # execute_immediately: one clone at once, then one a minute after it
    # a clone is made, then given its parameters, then enqueued: read both once enqueued
    clones = wait_until(lambda: (lambda ts: ts if len(ts) >= 2 and all(t["status"] != "created" for t in ts[:2]) else None)(tasks_in(api, target)),
                        timeout=240, what="two scheduled clones enqueued")
    first, second = clones[0], clones[1]
    gap = (moment(second["created"]) - moment(first["created"])).total_seconds()
    assert 55 <= gap <= 90, (gap, describe())
    for clone in (first, second):
        assert clone["parent"] == template_task
        assert float(param(clone, "General", "lr")) == 0.15
        assert clone["execution"]["queue"] == run_queue_id
    done = wait_status(api, first["id"], timeout=180, describe=runner.tail)
    assert done["status"] == "completed", runner.tail()
    loss = done["last_metrics"][md5("loss")][md5("train")]["value"]
    assert abs(loss - 0.15 * 10 / 3) < 1e-9

    running = api.ok("tasks.get_by_id", {"task": scheduler["id"]})["task"]
    assert running["status"] == "in_progress" and running["last_worker"] == services_agent.name, describe()
    assert "retrain" in running["configuration"]["schedule"]["value"]
    # aborting the service task from the UI stops it on its agent
    api.ok("tasks.stop", {"task": scheduler["id"], "force": True})
    stopped = wait_status(api, scheduler["id"], statuses=["stopped"], timeout=60, describe=describe)
    assert stopped["status"] == "stopped"


def test_trigger_scheduler_fires_once_per_matching_model_dataset_and_task(cairn, api, agents, make_queue, template_task, tmp_path):
    project = f"compat triggers {uuid.uuid4().hex[:8]}"
    target = f"{project} fired"
    dataset_name = f"trigger data {uuid.uuid4().hex[:8]}"
    services_queue, _ = make_queue()
    run_queue, run_queue_id = make_queue()
    env = make_sdk_env(cairn, tmp_path / "home")
    # finished before the scheduler starts: it matches the task trigger but is not new to it
    early = run_sdk_ok(TRAINED, env, args={"project": project, "name": "early", "loss": 0.8, "with_model": False}).json_result()
    launch(tmp_path / "repo", "triggers.py", TRIGGERS.format(project=project, base=template_task, run_queue=run_queue, target=target,
                                                             dataset=dataset_name, services_queue=services_queue), env)
    scheduler = scheduler_task(api, project, "triggers")
    services_agent = agents.cairn([services_queue])
    describe = lambda: services_agent.tail() + "\n" + console_text(api, scheduler["id"])[-3000:]  # noqa: E731
    # its first round reports the trigger tables; what changes after that round is new to it
    wait_until(lambda: api.ok("events.get_task_plots", {"task": scheduler["id"], "iters": 1})["plots"], timeout=120,
               what="the trigger scheduler's first round")
    time.sleep(4)

    above = run_sdk_ok(TRAINED, env, args={"project": project, "name": "above", "loss": 0.9, "with_model": True}).json_result()
    below = run_sdk_ok(TRAINED, env, args={"project": project, "name": "below", "loss": 0.1, "with_model": False}).json_result()
    dataset = run_sdk_ok(DATASET, env, args={"project": f"{project} data", "name": dataset_name}).json_result()["dataset"]
    for t in (above["task"], below["task"]):
        assert api.ok("tasks.get_by_id", {"task": t})["task"]["status"] == "completed"

    expected = {"fired-by-model": above["model"], "fired-by-dataset": dataset, "fired-by-task": above["task"]}

    def fired() -> dict:
        by_tag = {}
        for t in tasks_in(api, target):
            for tag in t["tags"]:
                by_tag.setdefault(tag, []).append(t)
        return by_tag

    wait_until(lambda: all(tag in fired() for tag in expected), timeout=120, what=f"all three triggers fired: {describe()}")
    # a few more polling rounds: the published model and the finished task change again, but fire once
    time.sleep(10)
    by_tag = fired()
    for tag, source in expected.items():
        clones = by_tag[tag]
        assert len(clones) == 1, (tag, clones)
        clone = clones[0]
        assert param(clone, "General", "source") == source, (tag, clone["hyperparams"])
        assert clone["parent"] == template_task and clone["status"] == "queued"
        assert clone["execution"]["queue"] == run_queue_id
    assert sum(len(v) for k, v in by_tag.items() if k.startswith("fired-by-")) == 3, by_tag
    api.ok("tasks.stop", {"task": scheduler["id"], "force": True})
