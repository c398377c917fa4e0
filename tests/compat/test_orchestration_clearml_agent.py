"""The real `clearml-agent daemon --queue Q --foreground` from PyPI against Cairn: it pulls a
task the SDK made, builds its virtualenv, runs it and sets the final status."""

from __future__ import annotations

import uuid

import pytest

from agent_helpers import clone_task, console_lines, enqueue, scalars, wait_status


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
    assert sum(ln.startswith("ORCH REMOTE ONLY") for ln in lines) == 1
    sc = scalars(api, task_id)
    assert sc.get("params", {}).get("lr") == {0: 0.25}, sc
    assert sc.get("loss", {}).get("train") == pytest.approx({0: 2.5, 1: 1.25, 2: 2.5 / 3}), sc
    # clearml-agent writes back what it installed (tasks.set_requirements), keeping the original
    reqs = task["script"]["requirements"]
    assert "clearml" in str(reqs.get("org_pip", "")), reqs
