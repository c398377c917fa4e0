"""`execute_remotely` again and again with an agent already waiting, the SDK in its default
configuration (reporting from a forked process): every local run exits at once and every
task completes on the agent with its console and scalars.

Before Cairn ordered its answers around the SDK's fork (see
packages/server/src/services/tasks/code-recording.ts), about half of these local runs hung
300 s in Task.close() and their tasks reached the agent with no code.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from agent_helpers import LOSS_LR_05, console_lines, parse_mark, run_script, scalars, wait_status
from helpers import make_sdk_env

RUNS = int(os.environ.get("COMPAT_REMOTE_RUNS", "20"))
# A local run takes about 10 s (most of it the SDK's own hand-over to its reporting
# process at exit); the hang this guards against lasted 300 s.
LOCAL_RUN_LIMIT_S = 120


def _run_locally(server, repo, home, queue: str, n: int) -> tuple[str, float]:
    env = make_sdk_env(server, home, extra={
        "ORCH_QUEUE": queue, "ORCH_PROJECT": "execute remotely repeated", "ORCH_TASK": f"{queue} run {n}"})
    started = time.monotonic()
    res = run_script(repo.work / "train.py", env, repo.work, timeout=LOCAL_RUN_LIMIT_S)
    took = time.monotonic() - started
    assert res.returncode == 0, f"local run {n} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    assert "ORCH task=" not in res.stdout, "execute_remotely must end the local process"
    return parse_mark(res.stdout, "ORCH_TASK_ID="), took


def _check_completed(api, agent, queue_id: str, task_ids: list[str]) -> None:
    for n, task_id in enumerate(task_ids):
        task = wait_status(api, task_id, timeout=600, describe=agent.tail)
        lines = console_lines(api, task_id)
        assert task["status"] == "completed", (agent.name, n, task.get("status_reason"), lines[-40:], agent.tail(60))
        assert task["last_worker"] == agent.name
        assert task["execution"]["queue"] == queue_id
        assert f"ORCH task={task_id} remote=True" in lines, lines[-40:]
        assert "ORCH DONE marker=local-default" in lines, lines[-40:]
        assert sum("ORCH REMOTE ONLY" in ln for ln in lines) == 1, "ran exactly once"
        sc = scalars(api, task_id)
        assert sc.get("loss", {}).get("train") == pytest.approx(LOSS_LR_05), (n, sc)
        assert sc.get("remote", {}).get("ran_on_agent") == {0: 1.0}, (n, sc)


def test_twenty_execute_remotely_runs_complete_under_both_agents(cairn, api, git_repo, agents, make_queue, tmp_path):
    """Both sequences run side by side (a local run mostly waits on the SDK), each with its
    own queue and agent: the Cairn agent and the real clearml-agent."""
    setups = []
    for kind in ("cairn", "clearml-agent"):
        queue, queue_id = make_queue()
        agent = agents.cairn(queue) if kind == "cairn" else agents.clearml_agent(queue)
        setups.append((kind, queue, queue_id, agent))

    def run_sequence(setup) -> list[str]:
        kind, queue, _queue_id, _agent = setup
        ids = []
        for n in range(RUNS):
            task_id, took = _run_locally(cairn, git_repo, tmp_path / f"home-{kind}-{n}", queue, n)
            # the code was recorded before the task was queued: nothing for the agent to wait for
            script = api.ok("tasks.get_by_id", {"task": task_id})["task"]["script"]
            assert script.get("repository") == str(git_repo.origin), (kind, n, took, script)
            assert script.get("entry_point") == "train.py", (kind, n, script)
            ids.append(task_id)
        return ids

    with ThreadPoolExecutor(max_workers=len(setups)) as pool:
        results = list(pool.map(run_sequence, setups))
    for (_kind, _queue, queue_id, agent), ids in zip(setups, results):
        assert len(ids) == RUNS
        _check_completed(api, agent, queue_id, ids)
