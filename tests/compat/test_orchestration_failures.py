"""Orchestration when something dies: an agent killed mid-task (the server's watchdog must
end the task once the worker expires) and the server restarted under a running task (the
agent and the task's SDK reconnect; nothing the script printed or reported is lost).
Each test has a server of its own."""

from __future__ import annotations

import os
import re
import signal
import time
import uuid

import pytest

from agent_helpers import (
    LOSS_LR_05, start_pid, wait_console,
    clone_task, console_lines, create_queue, enqueue, get_task, make_template_task, pid_alive,
    scalars, wait_status, wait_until,
)
from helpers import Api



def _worker_ids(api) -> set:
    return {w["id"] for w in api.ok("workers.get_all", {"last_seen": 0})["workers"]}


def test_killed_agent_task_does_not_stay_in_progress(dedicated_server, git_repo, agents, tmp_path):
    """SIGKILL of the agent (and of the task it ran, as when the machine is lost): once the
    worker is silent for --worker-timeout, the server ends the task stopped or failed."""
    server = dedicated_server("--worker-timeout", "5", "--watchdog-interval", "1")
    api = Api(server.api_url)
    template = make_template_task(server, git_repo, tmp_path / "template-home")
    queue = f"orch-kill-{uuid.uuid4().hex[:6]}"
    queue_id = create_queue(api, queue)
    agent = agents.cairn(queue, server=server, status_interval=1)
    task_id = clone_task(api, template, "agent killed", {"marker": "killed", "sleep_sec": 600})
    enqueue(api, task_id, queue_id)
    lines = wait_console(api, task_id, "ORCH sleeping 1", agent)
    pid = start_pid(lines)
    running = get_task(api, task_id)
    assert running["status"] == "in_progress" and running["last_worker"] == agent.name, running
    assert agent.name in _worker_ids(api)

    agent.kill()
    try:
        os.killpg(pid, signal.SIGKILL)  # the agent starts the task in a process group of its own
    except ProcessLookupError:
        pass
    wait_until(lambda: not pid_alive(pid), 10, what=f"exit of train.py (pid {pid})")
    killed_at = time.monotonic()

    task = wait_status(api, task_id, statuses=("stopped", "failed"), timeout=60)
    assert task["status"] in ("stopped", "failed")
    assert agent.name not in _worker_ids(api), "the silent worker is still listed"
    print(f"task ended {task['status']} ({task.get('status_reason')!r}) "
          f"{time.monotonic() - killed_at:.1f}s after the kill")


def test_server_restart_under_running_task(dedicated_server, git_repo, agents, tmp_path):
    """The server stops and starts again (same ports and data folder) while an agent runs a
    task: the task completes with every console line and scalar."""
    server = dedicated_server()
    api = Api(server.api_url)
    template = make_template_task(server, git_repo, tmp_path / "template-home")
    queue = f"orch-restart-{uuid.uuid4().hex[:6]}"
    queue_id = create_queue(api, queue)
    agent = agents.cairn(queue, server=server, status_interval=1)
    task_id = clone_task(api, template, "survives a restart", {"marker": "restart", "sleep_sec": 10})
    enqueue(api, task_id, queue_id)
    wait_console(api, task_id, "ORCH sleeping 2", agent)

    server.stop()
    time.sleep(3)  # the script goes on printing and reporting while the server is away
    server.start(keep_ports=True)
    api = Api(server.api_url)  # a new login: the old token may not survive the restart

    task = wait_status(api, task_id, timeout=180, describe=agent.tail)
    assert task["status"] == "completed", (task["status"], task.get("status_reason"), agent.tail(60))
    assert task["last_worker"] == agent.name
    lines = console_lines(api, task_id)
    text = "\n".join(lines)
    sleeps = sorted({int(m.group(1)) for m in (re.match(r"ORCH sleeping (\d+)$", ln) for ln in lines) if m})
    assert sleeps and sleeps == list(range(1, sleeps[-1] + 1)), f"console lines lost around the restart: {sleeps}"
    # 10 s of sleeping prints about 20 lines; the server was away from about line 2 to line 8
    assert sleeps[-1] >= 10, f"the console has {sleeps[-1]} sleeping lines"
    assert "ORCH DONE marker=restart" in lines, text[-3000:]
    sc = scalars(api, task_id)
    assert sc.get("loss", {}).get("train") == pytest.approx(LOSS_LR_05), sc
    assert sc.get("remote", {}).get("ran_on_agent") == {0: 1.0}, sc
    wait_until(lambda: agent.name in _worker_ids(api), 30, what="the agent listed as a worker after the restart")
    assert agent.alive(), agent.tail(40)


def test_silent_worker_task_stopped_by_watchdog(dedicated_server):
    """The same, as raw calls in clearml-agent's order (workers.register without a timeout,
    tasks.started, workers.status_report with the task, then silence): the server alone
    ends the task once the worker is silent for --worker-timeout."""
    server = dedicated_server("--worker-timeout", "3", "--watchdog-interval", "1")
    api = Api(server.api_url)
    queue_id = create_queue(api, f"orch-silent-{uuid.uuid4().hex[:6]}")
    task_id = api.ok("tasks.create", {"name": "silent worker", "type": "training",
                                      "script": {"entry_point": "train.py", "diff": "print(1)"}})["id"]
    enqueue(api, task_id, queue_id)
    worker = f"silent-{uuid.uuid4().hex[:6]}"
    api.ok("workers.register", {"worker": worker, "queues": [queue_id]}, version=None)
    assert api.ok("queues.get_next_task", {"queue": queue_id})["entry"]["task"] == task_id
    api.ok("tasks.started", {"task": task_id, "status_message": "pulled by agent", "force": True}, version="2.5")
    api.ok("workers.status_report", {"worker": worker, "timestamp": int(time.time() * 1000), "task": task_id,
                                     "queue": queue_id, "queues": [queue_id], "machine_stats": None}, version=None)
    running = get_task(api, task_id)
    assert running["status"] == "in_progress" and running["last_worker"] == worker, running
    silent_at = time.monotonic()

    task = wait_status(api, task_id, statuses=("stopped", "failed"), timeout=30)
    assert task["status"] in ("stopped", "failed")
    assert worker not in _worker_ids(api)
    print(f"task ended {task['status']} ({task.get('status_reason')!r}) {time.monotonic() - silent_at:.1f}s "
          "after the last report")
