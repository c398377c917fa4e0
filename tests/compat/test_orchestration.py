"""Orchestration with `cairn agent daemon`: tasks made by the real clearml SDK (and by
`cairn task create`) are pulled from a queue, run from the git repository in a cached
virtualenv, and end with the status, console and scalars a user checks.

Every test has its own queue and agent; all agents share one work folder, so the task
virtualenv (clearml from the repository's requirements) is built once per session.
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from agent_helpers import (
    LOSS_LR_05, start_pid, wait_console,
    clone_task, console_lines, console_text, enqueue, get_task, parse_mark, pid_alive, run_script, scalars,
    wait_status, wait_until,
)
from helpers import MAIN_JS, PYTHON, make_sdk_env, run_sdk



def _assert_status(task: dict, status: str, agent=None) -> None:
    where = f"\nagent output:\n{agent.tail(80)}" if agent else ""
    assert task["status"] == status, (
        f"task {task['id']} ended {task['status']!r} (reason {task.get('status_reason')!r}, "
        f"message {task.get('status_message')!r}), expected {status!r}{where}")


def _workers(api) -> dict:
    return {w["id"]: w for w in api.ok("workers.get_all", {"last_seen": 0})["workers"]}


# --------------------------------------------------------------------------- end to end


def test_execute_remotely_runs_on_cairn_agent(cairn, api, git_repo, agents, make_queue, tmp_path):
    """train.py run locally inside the git repository calls execute_remotely(queue_name=Q);
    the agent clones the repository at the recorded commit and runs it in remote mode."""
    queue, queue_id = make_queue()
    agent = agents.cairn(queue)
    env = make_sdk_env(cairn, tmp_path / "home", extra={
        "ORCH_QUEUE": queue, "ORCH_PROJECT": "orchestration e2e", "ORCH_TASK": "execute remotely"})
    local = run_script(git_repo.work / "train.py", env, git_repo.work)
    assert local.returncode == 0, f"local run failed:\n{local.stdout[-3000:]}\n{local.stderr[-3000:]}"
    assert "ORCH task=" not in local.stdout, "execute_remotely must end the local process"
    task_id = parse_mark(local.stdout, "ORCH_TASK_ID=")

    task = wait_status(api, task_id, describe=agent.tail)
    _assert_status(task, "completed", agent)
    assert task["last_worker"] == agent.name
    assert task.get("status_reason") == "worker execution done"
    # what the SDK recorded locally is what the agent ran
    script = task["script"]
    assert script["repository"] == str(git_repo.origin)
    assert script["branch"] == git_repo.branch
    assert script["version_num"] == git_repo.commit
    assert script["entry_point"] == "train.py"
    assert task["execution"]["queue"] == queue_id

    lines = console_lines(api, task_id)
    text = "\n".join(lines)
    for expected in (
        f"ORCH task={task_id} remote=True",
        "ORCH marker=local-default",
        "ORCH lr=0.5 epochs=3",
        f"ORCH REMOTE ONLY marker=local-default worker={agent.name}",
        "ORCH epoch=0 loss=5.0000",
        "ORCH epoch=1 loss=2.5000",
        "ORCH epoch=2 loss=1.6667",
        "ORCH DONE marker=local-default",
    ):
        assert expected in lines, f"console line {expected!r} missing:\n{text[-4000:]}"
    # printed in this order by one run
    order = [lines.index(x) for x in (f"ORCH task={task_id} remote=True", "ORCH epoch=0 loss=5.0000",
                                      "ORCH epoch=2 loss=1.6667", "ORCH DONE marker=local-default")]
    assert order == sorted(order), f"console lines out of order:\n{text[-4000:]}"
    assert sum("ORCH REMOTE ONLY" in ln for ln in lines) == 1, "the task ran more than once"

    sc = scalars(api, task_id)
    assert sc.get("loss", {}).get("train") == pytest.approx(LOSS_LR_05), sc
    assert sc.get("params", {}).get("lr") == {0: 0.5}, sc
    assert sc.get("remote", {}).get("ran_on_agent") == {0: 1.0}, sc


def test_idle_agent_is_listed_and_leaves(api, agents, make_queue):
    """An idle agent appears in workers.get_all with its queue; SIGTERM unregisters it."""
    queue, queue_id = make_queue()
    agent = agents.cairn(queue)
    worker = wait_until(lambda: _workers(api).get(agent.name), 30, what=f"worker {agent.name} in workers.get_all")
    assert queue_id in [q["id"] for q in worker.get("queues", [])], worker
    assert not (worker.get("task") or {}).get("id"), f"an idle worker has no task: {worker}"
    agent.stop()
    assert agent.proc.returncode == 0, f"agent exit code {agent.proc.returncode}:\n{agent.tail(40)}"
    assert agent.name not in _workers(api), "workers.unregister left the worker listed"


def test_clone_edit_enqueue_runs_edited_values(cairn, api, template_task, agents, make_queue, sdk_env):
    """Task.clone + set_parameters/set_parameter + Task.enqueue through the SDK: the run on
    the agent sees the edited values; the template is untouched."""
    queue, _ = make_queue()
    agent = agents.cairn(queue)
    marker = f"edited-{uuid.uuid4().hex[:6]}"
    run = run_sdk(r'''
import json, os
from clearml import Task
A = json.loads(os.environ["COMPAT_ARGS"])
template = Task.get_task(task_id=A["template"])
clone = Task.clone(source_task=template, name="edited clone")
clone.set_parameters({"General/marker": A["marker"], "General/lr": 0.25})
clone.set_parameter("General/epochs", 2)
Task.enqueue(clone, queue_name=A["queue"])
print("@@COMPAT_TASK_ID@@" + clone.id, flush=True)
''', sdk_env(), args={"template": template_task, "marker": marker, "queue": queue})
    assert run.returncode == 0, run.describe()
    task_id = run.task_id()

    task = wait_status(api, task_id, describe=agent.tail)
    _assert_status(task, "completed", agent)
    lines = console_lines(api, task_id)
    text = "\n".join(lines)
    assert f"ORCH marker={marker}" in lines, text[-3000:]
    assert "ORCH lr=0.25 epochs=2" in lines, text[-3000:]
    assert f"ORCH DONE marker={marker}" in lines, text[-3000:]
    assert "ORCH epoch=2 loss=0.8333" not in lines, "epochs=2 runs two epochs"
    sc = scalars(api, task_id)
    assert sc.get("params", {}).get("lr") == {0: 0.25}, sc
    assert sc.get("loss", {}).get("train") == pytest.approx({0: 2.5, 1: 1.25}), sc

    template = get_task(api, template_task)
    assert template["status"] == "completed"
    assert template["hyperparams"]["General"]["marker"]["value"] == "local-default"


# --------------------------------------------------------------------------- abort and failures


def test_abort_running_task(api, template_task, agents, make_queue):
    """tasks.stop (the UI's Abort) of a task the agent runs: the agent kills the script's
    process and the task ends stopped; the agent then takes the next task."""
    queue, queue_id = make_queue()
    agent = agents.cairn(queue)
    marker = f"abort-{uuid.uuid4().hex[:6]}"
    task_id = clone_task(api, template_task, "abort me", {"marker": marker, "sleep_sec": 600})
    enqueue(api, task_id, queue_id)
    lines = wait_console(api, task_id, "ORCH sleeping 2", agent)
    pid = start_pid(lines)
    assert pid_alive(pid), "train.py is not running while it prints"

    res = api.ok("tasks.stop", {"task": task_id})
    assert res.get("updated") == 1, res
    task = wait_status(api, task_id, timeout=60, describe=agent.tail)
    _assert_status(task, "stopped", agent)
    wait_until(lambda: not pid_alive(pid), 20, what=f"exit of train.py (pid {pid}) after the abort")
    lines = console_lines(api, task_id)
    assert f"ORCH DONE marker={marker}" not in lines
    assert agent.alive(), agent.tail(40)

    # the agent goes on with the next task
    next_id = clone_task(api, template_task, "after abort", {"marker": f"{marker}-next"})
    enqueue(api, next_id, queue_id)
    nxt = wait_status(api, next_id, describe=agent.tail)
    _assert_status(nxt, "completed", agent)
    assert nxt["last_worker"] == agent.name


def test_failing_script_fails_with_traceback(api, template_task, agents, make_queue):
    queue, queue_id = make_queue()
    agent = agents.cairn(queue)
    marker = f"fail-{uuid.uuid4().hex[:6]}"
    task_id = clone_task(api, template_task, "failing script", {"marker": marker, "fail": True})
    enqueue(api, task_id, queue_id)
    task = wait_status(api, task_id, describe=agent.tail)
    _assert_status(task, "failed", agent)
    assert "exit code 1" in (task.get("status_reason") or ""), task.get("status_reason")
    text = console_text(api, task_id)
    assert "Traceback (most recent call last)" in text, text[-3000:]
    assert f"RuntimeError: ORCH deliberate failure marker={marker}" in text, text[-3000:]
    assert f"ORCH DONE marker={marker}" not in text
    # what ran before the exception was reported
    assert scalars(api, task_id).get("loss", {}).get("train") == pytest.approx(LOSS_LR_05)


def test_uninstallable_requirements_fail_with_pip_error(api, template_task, agents, make_queue):
    queue, queue_id = make_queue()
    agent = agents.cairn(queue)
    bad = "this-package-does-not-exist-cairn==1.0"
    reqs = get_task(api, template_task)["script"]["requirements"]["pip"]
    task_id = clone_task(api, template_task, "bad requirements", {"marker": "never-runs"},
                         requirements=f"{reqs.rstrip()}\n{bad}\n")
    enqueue(api, task_id, queue_id)
    task = wait_status(api, task_id, describe=agent.tail)
    _assert_status(task, "failed", agent)
    text = console_text(api, task_id)
    assert f"No matching distribution found for {bad}" in text, text[-3000:]
    assert "ORCH task=" not in text, "the script must not run without its requirements"
    assert agent.alive(), agent.tail(40)


# --------------------------------------------------------------------------- many agents


def test_three_agents_thirty_tasks_each_runs_once(api, template_task, agents, make_queue):
    queue, queue_id = make_queue()
    markers = {}
    for i in range(30):
        marker = f"many-{i:02d}-{uuid.uuid4().hex[:4]}"
        task_id = clone_task(api, template_task, f"many {i:02d}", {"marker": marker, "epochs": 1})
        markers[task_id] = marker
        enqueue(api, task_id, queue_id)
    started = [agents.cairn(queue, name=f"many-{n}-{uuid.uuid4().hex[:4]}") for n in range(3)]
    names = {a.name for a in started}

    def describe():
        return "\n".join(f"--- {a.name}\n{a.tail(30)}" for a in started)

    deadline = time.monotonic() + 600
    finals = {}
    for task_id in markers:
        finals[task_id] = wait_status(api, task_id, timeout=max(10, deadline - time.monotonic()), describe=describe)
    not_completed = {t: (d["status"], d.get("status_reason")) for t, d in finals.items() if d["status"] != "completed"}
    assert not not_completed, f"tasks not completed: {not_completed}"

    all_markers = set(markers.values())
    for task_id, marker in markers.items():
        lines = console_lines(api, task_id)
        text = "\n".join(lines)
        assert sum(ln == f"ORCH DONE marker={marker}" for ln in lines) == 1, f"{task_id}:\n{text[-2000:]}"
        assert sum("ORCH REMOTE ONLY" in ln for ln in lines) == 1, f"{task_id} ran twice:\n{text[-3000:]}"
        assert sum("pulled from" in ln for ln in lines) == 1, f"{task_id} pulled twice:\n{text[-3000:]}"
        foreign = [m for m in all_markers - {marker} if f"marker={m}" in text]
        assert not foreign, f"console of {task_id} holds other tasks' lines: {foreign}"
        assert finals[task_id]["last_worker"] in names, finals[task_id]["last_worker"]
    assert api.ok("queues.get_num_entries", {"queue": queue_id})["num"] == 0


# --------------------------------------------------------------------------- cairn task create


def test_cairn_task_create_from_local_repo(cairn, api, git_repo, agents, make_queue, tmp_path):
    queue, queue_id = make_queue()
    agent = agents.cairn(queue)
    project = f"cairn task create {uuid.uuid4().hex[:6]}"
    env = make_sdk_env(cairn, tmp_path / "home")
    res = subprocess.run(
        ["node", str(MAIN_JS), "task", "create", "--project", project, "--name", "created by cairn",
         "--repo", str(git_repo.work), "--script", "train.py", "--args", "note=from-cairn-cli", "--queue", queue],
        cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, f"cairn task create failed ({res.returncode}):\n{res.stdout}\n{res.stderr}"
    task_id = res.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"[0-9a-f]{32}", task_id), res.stdout

    queued = get_task(api, task_id)
    assert queued["execution"]["queue"] == queue_id
    assert queued["hyperparams"]["Args"]["note"]["value"] == "from-cairn-cli"
    projects = api.ok("projects.get_all", {"name": f"^{re.escape(project)}$"})["projects"]
    assert [p["id"] for p in projects] == [queued["project"]]

    task = wait_status(api, task_id, describe=agent.tail)
    _assert_status(task, "completed", agent)
    lines = console_lines(api, task_id)
    text = "\n".join(lines)
    assert "ORCH note=from-cairn-cli" in lines, text[-3000:]
    assert f"ORCH REMOTE ONLY marker=local-default worker={agent.name}" in lines, text[-3000:]
    assert "ORCH DONE marker=local-default" in lines, text[-3000:]
    assert task["last_worker"] == agent.name


def test_clearml_task_cli_runs_on_cairn_agent(cairn, api, git_repo, agents, make_queue, tmp_path):
    """`clearml-task` (the clearml package's CLI) creates and enqueues a task from the local
    repository; a Cairn agent runs it."""
    queue, queue_id = make_queue()
    agent = agents.cairn(queue)
    project = f"clearml-task {uuid.uuid4().hex[:6]}"
    env = make_sdk_env(cairn, tmp_path / "home")
    clearml_task = str(Path(PYTHON).parent / "clearml-task")
    # --cwd . : clearml 2.1.12's clearml-task fails with "expected str, bytes or
    # os.PathLike object, not NoneType" on a local --repo without --cwd (a client bug in
    # CreateAndPopulate.create_task, before any server call)
    res = subprocess.run(
        [clearml_task, "--project", project, "--name", "created by clearml-task", "--repo", str(git_repo.work),
         "--script", "train.py", "--cwd", ".", "--args", "note=from-clearml-task", "--queue", queue],
        cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and "Error" not in res.stdout, f"clearml-task failed:\n{res.stdout}\n{res.stderr}"
    task_id = re.search(r"New task created id=([0-9a-f]{32})", res.stdout).group(1)
    assert f"sent for execution on queue {queue}" in res.stdout, res.stdout

    task = wait_status(api, task_id, describe=agent.tail)
    _assert_status(task, "completed", agent)
    assert task["script"]["repository"] == str(git_repo.origin)
    lines = console_lines(api, task_id)
    text = "\n".join(lines)
    assert "ORCH note=from-clearml-task" in lines, text[-3000:]
    assert f"ORCH REMOTE ONLY marker=local-default worker={agent.name}" in lines, text[-3000:]
    assert "ORCH DONE marker=local-default" in lines, text[-3000:]
