"""The real `clearml-agent daemon --queue Q --foreground` from PyPI against Cairn: it pulls a
task the SDK made, builds its virtualenv, runs it and sets the final status."""

from __future__ import annotations

import uuid

import pytest

from agent_helpers import clone_task, console_lines, enqueue, get_task, scalars, wait_status
from helpers import run_sdk_ok


def test_clearml_agent_runs_enqueued_task(api, template_task, agents, make_queue):
    queue, queue_id = make_queue()
    agent = agents.clearml_agent(queue)
    marker = f"real-agent-{uuid.uuid4().hex[:6]}"
    task_id = clone_task(api, template_task, "run by clearml-agent", {"marker": marker, "lr": 0.25})
    enqueue(api, task_id, queue_id)

    task = wait_status(api, task_id, timeout=300, describe=agent.tail)
    assert task["status"] == "completed", (task["status"], task.get("status_reason"), agent.tail(80))
    assert task["last_worker"] == agent.name
    assert task.get("status_reason") == "worker execution done"
    lines = console_lines(api, task_id)
    text = "\n".join(lines)
    assert f"ORCH marker={marker}" in lines, text[-3000:]
    assert f"ORCH REMOTE ONLY marker={marker} worker={agent.name}" in lines, text[-3000:]
    assert f"ORCH DONE marker={marker}" in lines, text[-3000:]
    assert sum("ORCH REMOTE ONLY" in ln for ln in lines) == 1
    sc = scalars(api, task_id)
    assert sc.get("params", {}).get("lr") == {0: 0.25}, sc
    assert sc.get("loss", {}).get("train") == pytest.approx({0: 2.5, 1: 1.25, 2: 2.5 / 3}), sc
    # clearml-agent writes back what it installed (tasks.set_requirements), keeping the original
    reqs = task["script"]["requirements"]
    assert "clearml" in str(reqs.get("org_pip", "")), reqs


CLONE_AND_ENQUEUE = r'''
import json, os
from clearml import Task

A = json.loads(os.environ["COMPAT_ARGS"])
source = Task.get_task(task_id=A["task"])
clone = Task.clone(source_task=source, name=A["name"])
clone.set_parameters({"General/marker": A["marker"]})
Task.enqueue(clone, queue_name=A["queue"])
print("@@COMPAT_TASK_ID@@" + clone.id, flush=True)
'''


def test_a_task_clearml_agent_ran_can_be_cloned_and_run_again_by_either_agent(
        api, template_task, agents, make_queue, sdk_env):
    """clearml-agent writes its pip freeze back as a list (`script.requirements.pip`); a
    clone of that task must hand the next agent that same list, not its text form."""
    real_queue, real_queue_id = make_queue()
    cairn_queue, _ = make_queue()
    real = agents.clearml_agent(real_queue)
    ours = agents.cairn(cairn_queue)
    first = clone_task(api, template_task, "first run, by clearml-agent", {"marker": "first"})
    enqueue(api, first, real_queue_id)
    ran = wait_status(api, first, timeout=300, describe=real.tail)
    assert ran["status"] == "completed", (ran.get("status_reason"), real.tail(80))
    reqs = ran["script"]["requirements"]
    assert isinstance(reqs.get("pip"), list) and all(isinstance(x, str) for x in reqs["pip"]), reqs
    assert any(x.lower().startswith("clearml") for x in reqs["pip"]), reqs

    for queue, agent, marker in ((real_queue, real, "again-real"), (cairn_queue, ours, "again-cairn")):
        run = run_sdk_ok(CLONE_AND_ENQUEUE, sdk_env(), args={"task": first, "name": f"clone {marker}", "queue": queue, "marker": marker})
        clone = run.task_id()
        assert get_task(api, clone)["script"]["requirements"] == reqs, "the clone carries the requirements as stored"
        done = wait_status(api, clone, timeout=300, describe=agent.tail)
        assert done["status"] == "completed", (done.get("status_reason"), console_lines(api, clone)[-40:], agent.tail(80))
        assert done["last_worker"] == agent.name
        lines = console_lines(api, clone)
        assert f"ORCH REMOTE ONLY marker={marker} worker={agent.name}" in lines, "\n".join(lines[-60:])
        assert f"ORCH DONE marker={marker}" in lines
        assert not any("Invalid requirement" in ln for ln in lines), "\n".join(lines[-60:])
