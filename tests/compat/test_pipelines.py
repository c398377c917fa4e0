"""Pipelines through the real clearml SDK: `PipelineController` with function steps run
locally (`start_locally(run_pipeline_steps_locally=True)`) and on agents (`start(queue)`,
the controller on one Cairn agent, its steps on another), a failing step with and without
`abort_on_failure`, an unchanged step reused from an earlier run (`cache_executed_step`),
and `PipelineDecorator` run locally and with its components on an agent.

Checked: what the pipeline computed (step results passed between steps as artifacts and
parameters), and what Cairn stored: the controller task (type `controller`, in the hidden
`<project>/.pipelines/<name>` project, its `Pipeline` DAG configuration with each step's
status and task id, `runtime._pipeline_hash` and version), the step tasks (parent = the
controller, status, results), and the controller's console naming a failed step.
"""

from __future__ import annotations

import json
import uuid

import pytest

from agent_helpers import REQUIREMENTS_TXT, console_text, make_git_repo, run_script, wait_status
from helpers import Api, make_sdk_env, run_sdk_ok

STEPS = r'''
def make_data(n):
    return list(range(int(n)))

def add_up(values, bonus):
    return sum(values) + int(bonus)
'''

LOCAL = STEPS + r'''
import json, os
from clearml import PipelineController, Task

A = json.loads(os.environ["COMPAT_ARGS"])
# the controller checks its steps every 3 s instead of every 12 s: the test waits less
pipe = PipelineController(name="sum pipe", project=A["project"], version="1.0.0", pool_frequency=0.05)
pipe.add_parameter("n", 5)
pipe.add_function_step(name="make", function=make_data, function_kwargs=dict(n="${pipeline.n}"), function_return=["values"])
pipe.add_function_step(name="total", function=add_up, function_kwargs=dict(values="${make.values}", bonus=100),
                       function_return=["result"], parents=["make"])
pipe.start_locally(run_pipeline_steps_locally=True)
steps = {t.name: t for t in Task.get_tasks(task_filter={"parent": pipe.id})}
print("@@COMPAT_JSON@@" + json.dumps({
    "controller": pipe.id,
    "values": steps["make"].artifacts["values"].get(),
    "result": steps["total"].get_parameters(cast=True).get("return/result"),
}), flush=True)
'''


def dag_of(task: dict) -> dict:
    return json.loads(task["configuration"]["Pipeline"]["value"])


def steps_of(api: Api, controller: str) -> dict:
    tasks = api.ok("tasks.get_all", {"parent": controller, "only_fields": ["id", "name", "status", "hyperparams", "parent", "last_worker"]})["tasks"]
    return {t["name"]: t for t in tasks}


def get_task(api: Api, task_id: str) -> dict:
    return api.ok("tasks.get_by_id", {"task": task_id})["task"]


def project_named(api: Api, name: str) -> dict:
    found = api.ok("projects.get_all", {"name": f"^{name.replace('.', '[.]')}$", "search_hidden": True})["projects"]
    assert len(found) == 1, (name, found)
    return found[0]


def test_controller_runs_function_steps_locally(cairn, api, tmp_path):
    project = f"compat pipelines {uuid.uuid4().hex[:8]}"
    out = run_sdk_ok(LOCAL, make_sdk_env(cairn, tmp_path / "home"), args={"project": project}, timeout=300).json_result()
    # the steps' results, passed from step to step: range(5) as an artifact, then 0+1+2+3+4 + 100
    assert out["values"] == [0, 1, 2, 3, 4]
    assert out["result"] == 110
    controller = get_task(api, out["controller"])
    assert controller["type"] == "controller" and controller["status"] == "completed"
    assert "pipeline" in controller["system_tags"]
    holder = project_named(api, f"{project}/.pipelines/sum pipe")
    assert controller["project"] == holder["id"] and {"hidden", "pipeline"} <= set(holder["system_tags"])
    assert "hidden" in project_named(api, f"{project}/.pipelines")["system_tags"]
    assert controller["runtime"]["version"] == "1.0.0" and controller["runtime"]["_pipeline_hash"].endswith(":1.0.0")
    assert controller["hyperparams"]["Args"]["n"]["value"] == "5"
    steps = steps_of(api, out["controller"])
    assert set(steps) == {"make", "total"} and all(s["status"] == "completed" for s in steps.values())
    dag = dag_of(controller)
    assert {k: (v["status"], v["job_id"], v["parents"]) for k, v in dag.items()} == {
        "make": ("completed", steps["make"]["id"], []),
        "total": ("completed", steps["total"]["id"], ["make"]),
    }
    # the reference to make's artifact was resolved to make's task id
    assert steps["total"]["hyperparams"]["kwargs_artifacts"]["values"]["value"] == f"{steps['make']['id']}.values"


FAILING = r'''
import json, os
from clearml import PipelineController

def slow_ok(x=1, delay=3):
    import time
    time.sleep(float(delay))
    return int(x) + 1

def broken(x=1):
    raise RuntimeError("boom in the broken step")

A = json.loads(os.environ["COMPAT_ARGS"])
pipe = PipelineController(name=A["name"], project=A["project"], version="1.0.0", abort_on_failure=A["abort"], pool_frequency=0.05)
pipe.add_function_step(name="broken", function=broken, function_return=["r"])
pipe.add_function_step(name="after_broken", function=slow_ok, function_kwargs=dict(x="${broken.r}"), function_return=["r"], parents=["broken"])
# with abort_on_failure the independent step is still running when the broken one fails,
# however slow the machine: the controller stops it, and the step after it never starts
pipe.add_function_step(name="independent", function=slow_ok, function_kwargs=dict(x=41, delay=60 if A["abort"] else 3), function_return=["r"])
pipe.add_function_step(name="after_independent", function=slow_ok, function_kwargs=dict(x="${independent.r}"), function_return=["r"], parents=["independent"])
pipe.start_locally(run_pipeline_steps_locally=True)
print("@@COMPAT_JSON@@" + json.dumps({"controller": pipe.id}), flush=True)
'''


@pytest.mark.parametrize("abort", [False, True], ids=["continue", "abort_on_failure"])
def test_a_failing_step_fails_the_pipeline(cairn, api, tmp_path, abort):
    project = f"compat pipelines {uuid.uuid4().hex[:8]}"
    out = run_sdk_ok(FAILING, make_sdk_env(cairn, tmp_path / "home"), args={"project": project, "name": "failing pipe", "abort": abort},
                     timeout=300).json_result()
    controller = get_task(api, out["controller"])
    assert controller["status"] == "failed"
    dag = dag_of(controller)
    steps = steps_of(api, out["controller"])
    assert dag["broken"]["status"] == "failed" and steps["broken"]["status"] == "failed"
    assert "boom in the broken step" in console_text(api, steps["broken"]["id"])
    # what depends on the broken step never runs
    assert dag["after_broken"]["status"] == "skipped" and "after_broken" not in steps
    if abort:
        # the pipeline stops at the first failure and says which step failed
        assert "node ['broken'] failed" in console_text(api, out["controller"])
        assert dag["after_independent"]["status"] == "skipped" and "after_independent" not in steps
    else:
        assert dag["independent"]["status"] == "completed" and dag["after_independent"]["status"] == "completed"
        assert steps["after_independent"]["status"] == "completed"


CACHED = STEPS + r'''
import json, os
from clearml import PipelineController, Task

A = json.loads(os.environ["COMPAT_ARGS"])
pipe = PipelineController(name="cached pipe", project=A["project"], version="1.0.0", pool_frequency=0.05)
pipe.add_function_step(name="make", function=make_data, function_kwargs=dict(n=4), function_return=["values"], cache_executed_step=True)
pipe.start_locally(run_pipeline_steps_locally=True)
print("@@COMPAT_JSON@@" + json.dumps({"controller": pipe.id}), flush=True)
'''


def test_an_unchanged_step_is_reused_from_the_earlier_run(cairn, api, tmp_path):
    project = f"compat pipelines {uuid.uuid4().hex[:8]}"
    env = make_sdk_env(cairn, tmp_path / "home")
    first = run_sdk_ok(CACHED, env, args={"project": project}, timeout=300).json_result()["controller"]
    second = run_sdk_ok(CACHED, env, args={"project": project}, timeout=300).json_result()["controller"]
    made = steps_of(api, first)["make"]
    assert made["status"] == "completed"
    node = dag_of(get_task(api, second))["make"]
    assert node["status"] == "cached" and node["job_id"] == made["id"] and node["executed"] == made["id"]
    assert steps_of(api, second) == {}, "the second run started no step of its own"
    assert get_task(api, second)["name"] == "cached pipe #2"
    assert get_task(api, made["id"])["runtime"]["pipeline_job_hash"]


DECORATED = r'''
import json, os
from clearml import PipelineDecorator

A = json.loads(os.environ["COMPAT_ARGS"])

@PipelineDecorator.component(return_values=["values"], cache=False)
def make_data(n):
    return list(range(int(n)))

@PipelineDecorator.component(return_values=["total"])
def add_up(values, bonus):
    return sum(values) + int(bonus)

@PipelineDecorator.pipeline(name="decorated pipe", project=A["project"], version="1.0.0", pool_frequency=0.05)
def run(n=6):
    values = make_data(n)
    total = add_up(values, 1000)
    print("@@COMPAT_JSON@@" + json.dumps({"total": int(total)}), flush=True)

PipelineDecorator.run_locally()
run()
'''


def test_pipeline_decorator_runs_locally(cairn, api, tmp_path):
    project = f"compat pipelines {uuid.uuid4().hex[:8]}"
    run = run_sdk_ok(DECORATED, make_sdk_env(cairn, tmp_path / "home"), args={"project": project}, timeout=300)
    assert run.json_result() == {"total": 1015}
    holder = project_named(api, f"{project}/.pipelines/decorated pipe")
    controllers = api.ok("tasks.get_all", {"project": [holder["id"]], "type": ["controller"], "search_hidden": True,
                                           "only_fields": ["id", "status", "configuration"]})["tasks"]
    assert len(controllers) == 1 and controllers[0]["status"] == "completed"
    steps = steps_of(api, controllers[0]["id"])
    assert set(steps) == {"make_data", "add_up"} and all(s["status"] == "completed" for s in steps.values())
    dag = dag_of(controllers[0])
    assert {k: v["status"] for k, v in dag.items()} == {"make_data": "completed", "add_up": "completed"}
    assert dag["add_up"]["parents"] == ["make_data"]


REMOTE = STEPS + r'''
from clearml import PipelineController

pipe = PipelineController(name="remote pipe", project="{project}", version="1.0.0", pool_frequency=0.05)
pipe.set_default_execution_queue("{step_queue}")
pipe.add_parameter("n", 5)
pipe.add_function_step(name="make", function=make_data, function_kwargs=dict(n="${{pipeline.n}}"), function_return=["values"])
pipe.add_function_step(name="total", function=add_up, function_kwargs=dict(values="${{make.values}}", bonus=100),
                       function_return=["result"], parents=["make"])
pipe.start(queue="{controller_queue}")
'''


def test_pipeline_runs_on_agents(cairn, api, agents, make_queue, tmp_path):
    """`start(queue)`: the local process only enqueues the controller; a Cairn agent runs
    it from the git repository, and it sends each step to the step queue, where a second
    agent runs them."""
    project = f"compat pipelines {uuid.uuid4().hex[:8]}"
    controller_queue, _ = make_queue()
    step_queue, _ = make_queue()
    script = REMOTE.format(project=project, step_queue=step_queue, controller_queue=controller_queue)
    repo = make_git_repo(tmp_path / "repo", {"pipe.py": script, "requirements.txt": REQUIREMENTS_TXT})
    env = make_sdk_env(cairn, tmp_path / "home")
    local = run_script(repo.work / "pipe.py", env, cwd=repo.work)
    assert local.returncode == 0, local.stdout + local.stderr
    holder = project_named(api, f"{project}/.pipelines/remote pipe")
    controller = api.ok("tasks.get_all", {"project": [holder["id"]], "search_hidden": True, "only_fields": ["id", "status"]})["tasks"]
    assert len(controller) == 1 and controller[0]["status"] == "queued", controller
    controller_id = controller[0]["id"]
    controller_agent = agents.cairn([controller_queue])
    step_agent = agents.cairn([step_queue])
    done = wait_status(api, controller_id, timeout=420, describe=lambda: controller_agent.tail() + "\n" + step_agent.tail())
    assert done["status"] == "completed", console_text(api, controller_id)[-3000:]
    steps = steps_of(api, controller_id)
    assert set(steps) == {"make", "total"}
    assert all(s["status"] == "completed" and s["last_worker"] == step_agent.name for s in steps.values()), steps
    assert steps["total"]["hyperparams"]["return"]["result"]["value"] == "110"
    dag = dag_of(get_task(api, controller_id))
    assert {k: (v["status"], v["job_id"]) for k, v in dag.items()} == {
        "make": ("completed", steps["make"]["id"]), "total": ("completed", steps["total"]["id"]),
    }
    assert get_task(api, controller_id)["last_worker"] == controller_agent.name


DECORATED_REMOTE = r'''
import json, os
from clearml import PipelineDecorator

A = json.loads(os.environ["COMPAT_ARGS"])

@PipelineDecorator.component(return_values=["values"], cache=False)
def make_data(n):
    return list(range(int(n)))

@PipelineDecorator.component(return_values=["total"], cache=False)
def add_up(values, bonus):
    return sum(values) + int(bonus)

# no pipeline queue: the pipeline logic runs here, each component on the agent of the step queue
@PipelineDecorator.pipeline(name="decorated remote", project=A["project"], version="1.0.0", pool_frequency=0.05,
                            pipeline_execution_queue=None)
def run(n=4):
    values = make_data(n)
    total = add_up(values, 2000)
    print("@@COMPAT_JSON@@" + json.dumps({"total": int(total)}), flush=True)

PipelineDecorator.set_default_execution_queue(A["queue"])
run()
'''


def test_pipeline_decorator_runs_components_on_an_agent(cairn, api, agents, make_queue, tmp_path):
    project = f"compat pipelines {uuid.uuid4().hex[:8]}"
    step_queue, _ = make_queue()
    step_agent = agents.cairn([step_queue])
    run = run_sdk_ok(DECORATED_REMOTE, make_sdk_env(cairn, tmp_path / "home"), args={"project": project, "queue": step_queue},
                     timeout=420)
    assert run.json_result() == {"total": 2006}
    holder = project_named(api, f"{project}/.pipelines/decorated remote")
    controllers = api.ok("tasks.get_all", {"project": [holder["id"]], "type": ["controller"], "search_hidden": True,
                                           "only_fields": ["id", "status", "configuration"]})["tasks"]
    assert len(controllers) == 1 and controllers[0]["status"] == "completed"
    steps = steps_of(api, controllers[0]["id"])
    assert set(steps) == {"make_data", "add_up"}
    assert all(s["status"] == "completed" and s["last_worker"] == step_agent.name for s in steps.values()), steps
    dag = dag_of(controllers[0])
    assert {k: (v["status"], v["job_id"]) for k, v in dag.items()} == {
        "make_data": ("completed", steps["make_data"]["id"]), "add_up": ("completed", steps["add_up"]["id"]),
    }
