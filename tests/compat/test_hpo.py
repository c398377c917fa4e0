"""Hyper-parameter optimisation through the real clearml SDK: `HyperParameterOptimizer`
with `GridSearch` and with `OptimizerOptuna`, and `clearml-param-search` with `RandomSearch`, over the orchestration
template (train.py from the test git repository: the last `loss/train` it reports is
lr * 10 / epochs). Each trial is a clone the optimizer enqueues; a Cairn agent runs them.

Checked: the trials Cairn stored (parent = the optimizer, the `optimization` and
`opt: <id>` tags, the overridden `General/lr`, completed, the objective in `last_metrics`),
and what the optimizer read back from Cairn: the best trial, and the trials ordered by
the objective (`tasks.get_all` sorted on a hashed `last_metrics` path).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import uuid
from pathlib import Path

import pytest

from agent_helpers import wait_until
from helpers import PYTHON, Api, make_sdk_env, run_sdk_ok

EPOCHS = 3  # train.py's default


def loss_of(lr: float) -> float:
    return lr * 10.0 / EPOCHS


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def trials_of(api: Api, optimizer: str) -> list[dict]:
    return api.ok("tasks.get_all", {"parent": optimizer, "only_fields": ["id", "name", "status", "tags", "hyperparams", "last_metrics"]})["tasks"]


def objective(trial: dict) -> float:
    return trial["last_metrics"][md5("loss")][md5("train")]["value"]


# one optimizer over General/lr; A names the search strategy and its budget
SEARCH = r'''
import json, os
from clearml import Task
from clearml.automation import DiscreteParameterRange, GridSearch, HyperParameterOptimizer

A = json.loads(os.environ["COMPAT_ARGS"])
if A["strategy"] == "optuna":
    from clearml.automation.optuna import OptimizerOptuna as Strategy
else:
    Strategy = GridSearch
task = Task.init(project_name=A["project"], task_name=A["name"], task_type=Task.TaskTypes.optimizer, reuse_last_task_id=False)
opt = HyperParameterOptimizer(
    base_task_id=A["base"],
    hyper_parameters=[DiscreteParameterRange("General/lr", values=A["values"])],
    objective_metric_title="loss", objective_metric_series="train", objective_metric_sign="min",
    optimizer_class=Strategy, execution_queue=A["queue"], max_number_of_concurrent_tasks=A["concurrent"], total_max_jobs=A["jobs"],
    # the optimizer looks at its trials every 3 s instead of every 2 min: the test waits less
    pool_period_min=0.05, **A.get("extra", {}),
)
# its report thread (best so far, summary table, parallel coordinates) runs every 3 s instead of
# every 5 min; opt.stop() after opt.wait() waits for that thread's next round
opt.set_report_period(0.05)
opt.start()
opt.wait()
top = opt.get_top_experiments(A["jobs"])
best = opt.get_top_experiments_details(1)[0]
opt.stop()
print("@@COMPAT_JSON@@" + json.dumps({"optimizer": task.id, "top": [t.id for t in top], "best": best}), flush=True)
task.close()
'''


def test_grid_search_finds_the_best_trial(cairn, api, agents, make_queue, template_task, tmp_path):
    project = f"compat hpo {uuid.uuid4().hex[:8]}"
    queue, _ = make_queue()
    agent = agents.cairn([queue])
    res = run_sdk_ok(SEARCH, make_sdk_env(cairn, tmp_path / "home"),
                     args={"project": project, "name": "grid search", "strategy": "grid", "values": [0.3, 0.1, 0.2], "concurrent": 2, "jobs": 3,
                           "base": template_task, "queue": queue},
                     timeout=480)
    # the report thread reads each trial's `completed` with the SDK's own datetime parser
    assert "Traceback" not in res.stderr, res.stderr[-4000:]
    out = res.json_result()
    trials = trials_of(api, out["optimizer"])
    assert len(trials) == 3
    by_lr = {float(t["hyperparams"]["General"]["lr"]["value"]): t for t in trials}
    assert set(by_lr) == {0.1, 0.2, 0.3}
    for lr, t in by_lr.items():
        assert t["status"] == "completed", (t["name"], t["status"], agent.tail())
        assert {"optimization", f"opt: {out['optimizer']}"} <= set(t["tags"])
        assert objective(t) == pytest.approx(loss_of(lr))
    # the optimizer's own read-back, ordered by the objective through Cairn
    assert out["top"] == [by_lr[0.1]["id"], by_lr[0.2]["id"], by_lr[0.3]["id"]]
    assert out["best"]["task_id"] == by_lr[0.1]["id"]
    assert float(out["best"]["hyper_parameters"]["General/lr"]) == 0.1
    assert out["best"]["metrics"]["loss/train"]["value"] == pytest.approx(loss_of(0.1))
    # what the optimizer reported on its own task: the trials in Parallel Coordinates, the summary artifact
    plots = api.ok("events.get_task_plots", {"task": out["optimizer"], "iters": 1, "no_scroll": True})["plots"]
    pcc = [json.loads(p["plot_str"]) for p in plots if p["metric"] == "Parallel Coordinates"]
    assert pcc, [p["metric"] for p in plots]
    dims = pcc[-1]["data"][0]["dimensions"]
    lr_dims = [d["values"] for d in dims if d["label"] == "General/lr"]
    assert len(lr_dims) == 1 and sorted(float(v) for v in lr_dims[0]) == [0.1, 0.2, 0.3], dims
    optimizer = api.ok("tasks.get_by_id", {"task": out["optimizer"]})["task"]
    assert "summary" in [a["key"] for a in optimizer["execution"]["artifacts"]]


def test_clearml_param_search_random_search(cairn, api, agents, make_queue, template_task, tmp_path):
    project = f"compat hpo cli {uuid.uuid4().hex[:8]}"
    queue, _ = make_queue()
    agents.cairn([queue])
    env = make_sdk_env(cairn, tmp_path / "home")
    cmd = [
        str(Path(PYTHON).parent / "clearml-param-search"), "--project-name", project, "--task-name", "random search",
        "--task-id", template_task, "--queue", queue,
        "--params-search", json.dumps({"name": "General/lr", "type": "DiscreteParameterRange", "values": [0.5, 0.4]}),
        "--objective-metric-title", "loss", "--objective-metric-series", "train", "--objective-metric-sign", "min",
        "--optimizer-class", "RandomSearch", "--total-max-jobs", "2", "--max-number-of-concurrent-tasks", "1",
        "--pool-period-min", "0.05",
    ]
    proc = subprocess.run(cmd, env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=480)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    optimizers = api.ok("tasks.get_all", {"name": "^random search$", "type": ["optimizer"], "only_fields": ["id", "project"]})["tasks"]
    optimizers = [o for o in optimizers if trials_of(api, o["id"])]
    assert len(optimizers) == 1, optimizers
    trials = wait_until(lambda: (lambda ts: ts if len(ts) == 2 and all(t["status"] == "completed" for t in ts) else None)(trials_of(api, optimizers[0]["id"])),
                        timeout=60, what="both trials completed")
    by_lr = {float(t["hyperparams"]["General"]["lr"]["value"]): t for t in trials}
    assert set(by_lr) == {0.4, 0.5}
    for lr, t in by_lr.items():
        assert objective(t) == pytest.approx(loss_of(lr))
    # the CLI prints the best trials it read back
    assert by_lr[0.4]["id"] in proc.stdout + proc.stderr



def test_optuna_search_when_optuna_is_installed(cairn, api, agents, make_queue, template_task, tmp_path):
    """Optuna is in the suite's venv (requirements.txt), as a user adds it to use OptimizerOptuna."""
    project = f"compat hpo optuna {uuid.uuid4().hex[:8]}"
    queue, _ = make_queue()
    agent = agents.cairn([queue])
    res = run_sdk_ok(SEARCH, make_sdk_env(cairn, tmp_path / "home"),
                     args={"project": project, "name": "optuna search", "strategy": "optuna", "values": [0.6, 0.3], "concurrent": 1, "jobs": 2,
                           "extra": {"min_iteration_per_job": 1, "max_iteration_per_job": 1000}, "base": template_task, "queue": queue},
                     timeout=480)
    assert "Traceback" not in res.stderr, res.stderr[-4000:]
    out = res.json_result()
    trials = trials_of(api, out["optimizer"])
    assert 1 <= len(trials) <= 2, (trials, agent.tail())
    lr_of = lambda t: float(t["hyperparams"]["General"]["lr"]["value"])  # noqa: E731
    for t in trials:
        assert lr_of(t) in (0.6, 0.3), t["hyperparams"]
        assert t["status"] == "completed", (t["name"], t["status"], agent.tail())
        assert objective(t) == pytest.approx(loss_of(lr_of(t)))
    best = min(trials, key=objective)
    assert out["best"]["task_id"] == best["id"]
    assert out["best"]["metrics"]["loss/train"]["value"] == pytest.approx(loss_of(lr_of(best)))
