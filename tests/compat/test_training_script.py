"""The everyday flow: a training script using the real clearml SDK against Cairn,
then everything read back the way a user would (Task.get_task, get_reported_*,
artifacts, models, queries) and the raw task document.

The script runs once per parameter (with CLEARML_TASK_NO_REUSE set, and without it
in a fresh HOME, where Task.init goes through the reuse lookup and finds nothing);
each test below checks one part of what was read back.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import uuid
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import TASK_ID_MARK, Api, make_sdk_env, marked_task_id, rejected_calls, result_json, run_readback, run_sdk

N_ITER = 50
PLOT_ITER = 3
IMAGE_ITER = 1
CONFIG_NAME = "Training Config"


def train_value(i: int) -> float:
    return 1.0 / (i + 1)


def val_value(i: int) -> float:
    return 1.5 / (i + 1) + 0.01 * i


CONNECTED = {
    "epochs": 7,
    "lr": 0.125,
    "optimizer": "adam",
    "use_amp": False,
    "layers": [64, 32, 16],
    "nested": {"depth": 3, "name": "deep"},
}
SET_PARAMS = {"Extra/schedule": "cosine", "Extra/warmup": 5, "Extra/ratio": 0.25, "Extra/enabled": True}
CONFIG = {"model": {"arch": "resnet18", "dropout": 0.1}, "data": {"batch_size": 32, "shuffle": True}, "seed": 1234}
SCATTER = [[0.0, 1.0], [1.0, 3.0], [2.0, 2.0], [3.0, 5.0]]
MATRIX = [[5, 1], [2, 7]]
TABLE = {"name": ["a", "b", "c"], "score": [0.5, 0.25, 0.125]}
HIST = [3, 1, 4, 1, 5]
SINGLE_VALUES = {"accuracy": 0.93, "f1": 0.5}
ARTIFACT_DICT = {"alpha": 1, "beta": [1, 2, 3], "gamma": {"delta": "epsilon"}}
ARRAY_EXPECTED = (np.arange(12, dtype=np.float64).reshape(3, 4) * 0.5).tolist()
FRAME = {"x": [1, 2, 3], "y": ["a", "b", "c"], "z": [0.5, 1.5, 2.5]}
NOTES = b"hello artifacts\nsecond line\n"
FOLDER_FILES = {"a.txt": b"alpha\n", "sub/b.bin": bytes(range(256)) * 4}
WEIGHTS = b"CAIRN-WEIGHTS\x00" + bytes(range(256)) * 64

TRAINING_SCRIPT = r'''
import json, os
import numpy as np
import pandas as pd
from clearml import Task, OutputModel

A = json.loads(os.environ["COMPAT_ARGS"])
task = Task.init(project_name=A["project"], task_name=A["task"], output_uri=True)
print("@@COMPAT_TASK_ID@@" + task.id, flush=True)

# set_parameters replaces every hyper-parameter: "Stale" must be gone afterwards
task.connect({"gone": 1}, name="Stale")
task.set_parameters(A["set_params"])
params = task.connect(A["connected"])
config = task.connect_configuration(A["config"], name=A["config_name"], description="compat configuration")

logger = task.get_logger()
for i in range(A["n_iter"]):
    logger.report_scalar("loss", "train", value=1.0 / (i + 1), iteration=i)
    logger.report_scalar("loss", "val", value=1.5 / (i + 1) + 0.01 * i, iteration=i)

for line in A["console_lines"]:
    print(line)
logger.report_text(A["report_text"])

it = A["plot_iter"]
logger.report_scatter2d("scatter", "points", scatter=np.array(A["scatter"]), iteration=it, mode="markers")
logger.report_confusion_matrix("confusion", "val", matrix=np.array(A["matrix"]), iteration=it)
logger.report_table("table", "frame", iteration=it, table_plot=pd.DataFrame(A["table"]))
logger.report_histogram("hist", "counts", values=A["hist"], iteration=it)
for name, value in A["single_values"].items():
    logger.report_single_value(name, value)

image = (np.arange(24 * 32 * 3) % 256).astype(np.uint8).reshape(24, 32, 3)
logger.report_image("samples", "from_array", iteration=A["image_iter"], image=image)
logger.report_image("samples", "from_file", iteration=A["image_iter"], local_path=A["png"])

task.upload_artifact("config_dict", artifact_object=A["artifact_dict"])
task.upload_artifact("weights_array", artifact_object=np.arange(12, dtype=np.float64).reshape(3, 4) * 0.5)
task.upload_artifact("frame", artifact_object=pd.DataFrame(A["frame"]))
task.upload_artifact("notes_file", artifact_object=A["notes"])
task.upload_artifact("data_folder", artifact_object=A["folder"])

model = OutputModel(task=task, framework="PyTorch")
model.update_weights(weights_filename=A["weights"])

seen = {
    "config_text": task.get_configuration_object(A["config_name"]),
    "model_id": model.id,
}
task.close()
print("@@COMPAT_JSON@@" + json.dumps(seen), flush=True)
'''

READBACK_SCRIPT = r'''
import hashlib
from clearml import Task, Model, StorageManager

tid = ARGS["task_id"]
project = ARGS["project"]

def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()

def iso(d):
    return d.isoformat() if hasattr(d, "isoformat") else d

T = {}

@section("get_task")
def _():
    T["t"] = Task.get_task(task_id=tid)
    t = T["t"]
    d = t.data
    return {
        "id": t.id, "name": t.name, "status": str(t.get_status()), "project_name": t.get_project_name(),
        "created": iso(d.created), "started": iso(d.started), "completed": iso(d.completed),
        "last_update": iso(d.last_update), "system_tags": list(d.system_tags or []),
        "last_iteration": t.get_last_iteration(), "output_uri": t.output_uri,
    }

@section("params")
def _():
    return T["t"].get_parameters()

@section("params_cast")
def _():
    return {k: [v, type(v).__name__] for k, v in T["t"].get_parameters(cast=True).items()}

@section("config")
def _():
    t = T["t"]
    return {
        "text": t.get_configuration_object(ARGS["config_name"]),
        "dict": t.get_configuration_object_as_dict(ARGS["config_name"]),
        "names": sorted((t.get_configuration_objects() or {}).keys()),
    }

@section("scalars")
def _():
    return T["t"].get_reported_scalars()

@section("all_scalars")
def _():
    return T["t"].get_all_reported_scalars()

@section("last_metrics")
def _():
    return T["t"].get_last_scalar_metrics()

@section("console")
def _():
    return list(T["t"].get_reported_console_output(number_of_reports=500))

@section("plots")
def _():
    return [{k: p.get(k) for k in ("metric", "variant", "iter", "plot_str")}
            for p in T["t"].get_reported_plots(max_iterations=10)]

@section("single_values")
def _():
    return T["t"].get_reported_single_values()

def debug_sample(series):
    samples = T["t"].get_debug_samples("samples", series)
    out = {"samples": [{k: s.get(k) for k in ("metric", "variant", "iter", "url", "key")} for s in samples]}
    if samples:
        path = StorageManager.get_local_copy(remote_url=samples[0]["url"], extract_archive=False)
        out["local_copy"] = path is not None
        if path:
            with open(path, "rb") as f:
                out["hex"] = f.read().hex()
    return out

@section("debug_from_file")
def _():
    return debug_sample("from_file")

@section("debug_from_array")
def _():
    return debug_sample("from_array")

@section("artifact_list")
def _():
    arts = T["t"].artifacts
    return {k: {"type": a.type, "url": a.url, "size": a.size, "hash": a.hash} for k, a in arts.items()}

@section("artifact_dict")
def _():
    return T["t"].artifacts["config_dict"].get()

@section("artifact_array")
def _():
    arr = T["t"].artifacts["weights_array"].get()
    return {"type": type(arr).__name__, "dtype": str(arr.dtype), "shape": list(arr.shape), "values": arr.tolist()}

@section("artifact_frame")
def _():
    df = T["t"].artifacts["frame"].get()
    return {"type": type(df).__name__, "columns": [str(c) for c in df.columns],
            "records": json.loads(df.to_json(orient="records"))}

@section("artifact_file")
def _():
    p = T["t"].artifacts["notes_file"].get_local_copy()
    with open(p, "rb") as f:
        return {"name": os.path.basename(p), "hex": f.read().hex()}

@section("artifact_folder")
def _():
    root = T["t"].artifacts["data_folder"].get_local_copy()
    files = {}
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            full = os.path.join(dirpath, n)
            files[os.path.relpath(full, root).replace(os.sep, "/")] = sha(full)
    return {"is_dir": os.path.isdir(root), "files": files}

@section("query_models")
def _():
    return [m.id for m in Model.query_models(project_name=project)]

@section("task_models")
def _():
    outs = T["t"].models["output"]
    res = {"count": len(outs), "ids": [m.id for m in outs]}
    if outs:
        m = outs[0]
        p = m.get_local_copy()
        res.update({"name": m.name, "framework": m.framework, "url": m.url, "task": m.task,
                    "sha256": sha(p) if p else None})
    return res

@section("get_tasks")
def _():
    return sorted([[t.id, t.name] for t in Task.get_tasks(project_name=project)])

@section("query_tasks")
def _():
    rows = Task.query_tasks(project_name=project, additional_return_fields=["name", "status", "last_iteration"])
    # enum values (status) come back as the SDK's enum objects
    return [{k: getattr(v, "value", v) for k, v in row.items()} for row in rows]

@section("query_task_ids")
def _():
    return Task.query_tasks(project_name=project, task_name=ARGS["task_name"])
'''


def sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


@pytest.fixture(scope="module", params=["no_reuse", "reuse_lookup"])
def training_run(request, cairn, tmp_path_factory):
    """Runs the training script once per parameter and reads everything back."""
    no_reuse = request.param == "no_reuse"
    work = tmp_path_factory.mktemp(f"training-{request.param}")
    project = f"compat train {uuid.uuid4().hex[:10]}"
    task_name = f"training script {request.param}"

    png = work / "sample.png"
    Image.fromarray((np.arange(10 * 20 * 3) % 251).astype(np.uint8).reshape(10, 20, 3)).save(png)
    notes = work / "notes.txt"
    notes.write_bytes(NOTES)
    folder = work / "dataset_dir"
    for rel, content in FOLDER_FILES.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(content)
    weights = work / "model_weights.pt"
    weights.write_bytes(WEIGHTS)

    marker = uuid.uuid4().hex[:8]
    console_lines = [f"compat console line {n} of 3 [{marker}]" for n in (1, 2, 3)]
    args = {
        "project": project, "task": task_name, "set_params": SET_PARAMS, "connected": CONNECTED,
        "config": CONFIG, "config_name": CONFIG_NAME, "n_iter": N_ITER, "console_lines": console_lines,
        "report_text": f"compat report_text message [{marker}]", "plot_iter": PLOT_ITER, "scatter": SCATTER,
        "matrix": MATRIX, "table": TABLE, "hist": HIST, "single_values": SINGLE_VALUES,
        "image_iter": IMAGE_ITER, "png": str(png), "artifact_dict": ARTIFACT_DICT, "frame": FRAME,
        "notes": str(notes), "folder": str(folder), "weights": str(weights),
    }
    env = make_sdk_env(cairn, work / "home", no_reuse=no_reuse)
    log_mark = cairn.log_size()
    run = run_sdk(TRAINING_SCRIPT, env, args=args, cwd=work / "script")
    run_log = cairn.log_since(log_mark, max_lines=100000)
    task_id = marked_task_id(run.stdout, TASK_ID_MARK)
    seen = result_json(run.stdout)
    readback = None
    if task_id:
        readback = run_readback(
            READBACK_SCRIPT, make_sdk_env(cairn, work / "home-read"),
            args={"task_id": task_id, "project": project, "config_name": CONFIG_NAME, "task_name": task_name},
        )
    return {
        "run": run, "task_id": task_id, "seen": seen, "rb": readback, "project": project, "task_name": task_name,
        "args": args, "png_bytes": png.read_bytes(), "cairn": cairn, "run_log": run_log,
    }


def rb(training_run):
    """The read-back sections; fails the test if the training script never got a task."""
    if training_run["rb"] is None:
        pytest.fail("the training script printed no task id, nothing to read back\n" + training_run["run"].describe())
    return training_run["rb"]


def parse_dt(value) -> datetime:
    assert isinstance(value, str) and value, f"missing datetime: {value!r}"
    d = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert d.tzinfo is not None, f"datetime without timezone: {value!r}"
    return d


# ------------------------------------------------------------------ the run itself


def test_script_exits_cleanly(training_run):
    run = training_run["run"]
    assert not run.timed_out and run.returncode == 0, run.describe()
    assert training_run["task_id"] and re.fullmatch(r"[0-9a-f]{32}", training_run["task_id"]), run.describe()
    combined = run.stdout + run.stderr
    assert "Traceback" not in combined, run.describe()
    # the SDK prints "Action failed <...>" for every API call the server rejected
    failed = [ln for ln in combined.splitlines() if "Action failed" in ln or "Failed reporting" in ln]
    assert not failed, "API calls failed during the run:\n" + "\n".join(failed[:20]) + "\n" + run.describe(2000)


def test_no_call_rejected_during_run(training_run):
    """The SDK ignores the errors of many calls (tasks.started, set_requirements, ping,
    log batches); the server log shows whether any of them was rejected."""
    total, rejected = rejected_calls(training_run["run_log"])
    if total == 0:
        pytest.skip("no request lines recognised in the server log (--log-requests format changed?)")
    assert not rejected, f"{len(rejected)} of {total} SDK calls were rejected:\n" + "\n".join(rejected[:30])


# ------------------------------------------------------------------ task, params, config


def test_status_and_timestamps(training_run):
    t = rb(training_run)["get_task"]
    assert t["id"] == training_run["task_id"]
    assert t["name"] == training_run["task_name"]
    assert t["project_name"] == training_run["project"]
    assert t["status"] == "completed"
    created, started = parse_dt(t["created"]), parse_dt(t["started"])
    completed, last_update = parse_dt(t["completed"]), parse_dt(t["last_update"])
    assert created <= started <= completed <= last_update, t
    assert "development" in t["system_tags"]
    assert t["output_uri"] == training_run["cairn"].files_url


def test_parameters(training_run):
    params = rb(training_run)["params"]
    expected = {
        "Extra/schedule": "cosine", "Extra/warmup": "5", "Extra/ratio": "0.25", "Extra/enabled": "True",
        "General/epochs": "7", "General/lr": "0.125", "General/optimizer": "adam", "General/use_amp": "False",
        "General/layers": "[64, 32, 16]", "General/nested/depth": "3", "General/nested/name": "deep",
    }
    assert params == expected, "set_parameters must replace everything (no 'Stale/'), connect must merge"


def test_parameters_cast(training_run):
    cast = rb(training_run)["params_cast"]
    assert cast["General/epochs"] == [7, "int"]
    assert cast["General/lr"] == [0.125, "float"]
    assert cast["General/optimizer"] == ["adam", "str"]
    assert cast["General/use_amp"] == [False, "bool"]
    assert cast["General/layers"] == [[64, 32, 16], "list"]
    assert cast["General/nested/depth"] == [3, "int"]
    assert cast["General/nested/name"] == ["deep", "str"]
    assert cast["Extra/warmup"] == [5, "int"]
    assert cast["Extra/ratio"] == [0.25, "float"]
    assert cast["Extra/enabled"] == [True, "bool"]
    assert cast["Extra/schedule"] == ["cosine", "str"]


def test_configuration_object(training_run):
    cfg = rb(training_run)["config"]
    assert cfg["names"] == [CONFIG_NAME]
    assert cfg["dict"] == CONFIG
    seen = training_run["seen"]
    assert seen is not None, training_run["run"].describe()
    assert cfg["text"] == seen["config_text"], "configuration text must come back byte for byte"
    assert "resnet18" in cfg["text"] and "batch_size" in cfg["text"]


# ------------------------------------------------------------------ metrics and logs


def test_reported_scalars(training_run):
    scalars = rb(training_run)["scalars"]
    assert set(scalars) >= {"loss"}, scalars.keys()
    user_metrics = {k for k in scalars if not k.startswith(":monitor:")}
    assert user_metrics == {"loss"}, f"unexpected metrics {user_metrics} (single values must not appear here)"
    assert set(scalars["loss"]) == {"train", "val"}
    for series, fn in (("train", train_value), ("val", val_value)):
        s = scalars["loss"][series]
        assert s["x"] == list(range(N_ITER)), f"{series}: x = {s['x']}"
        assert len(s["y"]) == N_ITER
        for i, y in enumerate(s["y"]):
            assert y == pytest.approx(fn(i), rel=1e-9, abs=1e-12), f"{series} iteration {i}: {y} != {fn(i)}"
    assert rb(training_run)["get_task"]["last_iteration"] == N_ITER - 1


def test_all_reported_scalars(training_run):
    scalars = rb(training_run)["all_scalars"]
    for series, fn in (("train", train_value), ("val", val_value)):
        s = scalars["loss"][series]
        assert s["x"] == list(range(N_ITER))
        assert s["y"] == pytest.approx([fn(i) for i in range(N_ITER)], rel=1e-9)


def test_last_scalar_metrics(training_run):
    last = rb(training_run)["last_metrics"]
    train = [train_value(i) for i in range(N_ITER)]
    val = [val_value(i) for i in range(N_ITER)]
    assert last["loss"]["train"] == pytest.approx({"last": train[-1], "min": min(train), "max": max(train)}, rel=1e-9)
    assert last["loss"]["val"] == pytest.approx({"last": val[-1], "min": min(val), "max": max(val)}, rel=1e-9)
    # val is not monotonic: the minimum is neither the first nor the last value
    assert min(val) not in (val[0], val[-1])


def test_console_output(training_run):
    lines = rb(training_run)["console"]
    text = "\n".join(lines)
    positions = []
    for line in training_run["args"]["console_lines"]:
        assert line in text, f"printed line {line!r} missing from the console log:\n{text[-3000:]}"
        positions.append(text.index(line))
    assert positions == sorted(positions), "printed lines came back out of order"
    assert training_run["args"]["report_text"] in text
    assert f"task id={training_run['task_id']}" in text or training_run["task_id"] in text


def plot_by(plots, metric, variant):
    found = [p for p in plots if p["metric"] == metric and p["variant"] == variant]
    assert found, f"no plot {metric}/{variant}; got {[(p['metric'], p['variant']) for p in plots]}"
    assert len(found) == 1, f"plot {metric}/{variant} returned {len(found)} times"
    p = found[0]
    assert p["iter"] == PLOT_ITER
    assert isinstance(p["plot_str"], str), "plot_str must be JSON text"
    return json.loads(p["plot_str"])


def test_plots(training_run):
    plots = rb(training_run)["plots"]
    scatter = plot_by(plots, "scatter", "points")
    trace = scatter["data"][0]
    assert trace["x"] == [p[0] for p in SCATTER] and trace["y"] == [p[1] for p in SCATTER]
    assert trace.get("mode") == "markers"

    confusion = plot_by(plots, "confusion", "val")
    assert confusion["data"][0]["type"] == "heatmap"
    assert confusion["data"][0]["z"] == MATRIX

    table = plot_by(plots, "table", "frame")
    cells = table["data"][0]["cells"]["values"]
    assert table["data"][0]["type"] == "table"
    assert TABLE["name"] in cells and TABLE["score"] in cells, cells

    hist = plot_by(plots, "hist", "counts")
    assert hist["data"][0]["y"] == HIST


def test_single_values(training_run):
    values = rb(training_run)["single_values"]
    assert values == pytest.approx(SINGLE_VALUES)


def test_debug_image_from_file(training_run):
    d = rb(training_run)["debug_from_file"]
    assert len(d["samples"]) == 1, d["samples"]
    s = d["samples"][0]
    assert (s["metric"], s["variant"], s["iter"]) == ("samples", "from_file", IMAGE_ITER)
    assert s["url"].startswith(training_run["cairn"].files_url + "/"), s["url"]
    assert s["url"].endswith(".png")
    assert bytes.fromhex(d["hex"]) == training_run["png_bytes"], "downloaded debug image differs from the PNG"


def test_debug_image_from_array(training_run):
    d = rb(training_run)["debug_from_array"]
    assert len(d["samples"]) == 1, d["samples"]
    s = d["samples"][0]
    assert (s["metric"], s["variant"], s["iter"]) == ("samples", "from_array", IMAGE_ITER)
    img = Image.open(io.BytesIO(bytes.fromhex(d["hex"])))
    assert img.format == "JPEG" and img.size == (32, 24) and img.mode == "RGB"


# ------------------------------------------------------------------ artifacts


def test_artifact_list(training_run):
    arts = rb(training_run)["artifact_list"]
    assert set(arts) == {"config_dict", "weights_array", "frame", "notes_file", "data_folder"}
    assert arts["config_dict"]["type"] == "dict"
    assert arts["weights_array"]["type"] == "numpy"
    assert arts["frame"]["type"] == "pandas"
    assert arts["notes_file"]["type"] == "custom"
    assert arts["data_folder"]["type"] == "archive"
    files = training_run["cairn"].files_url + "/"
    for name, a in arts.items():
        assert a["url"].startswith(files), f"{name}: {a['url']}"
        assert f"/artifacts/{name}/" in a["url"]
    assert arts["notes_file"]["size"] == len(NOTES)
    assert arts["notes_file"]["hash"] == sha256(NOTES)


def test_artifact_dict(training_run):
    assert rb(training_run)["artifact_dict"] == ARTIFACT_DICT


def test_artifact_ndarray(training_run):
    a = rb(training_run)["artifact_array"]
    assert a["type"] == "ndarray" and a["dtype"] == "float64" and a["shape"] == [3, 4]
    assert a["values"] == ARRAY_EXPECTED


def test_artifact_dataframe(training_run):
    f = rb(training_run)["artifact_frame"]
    assert f["type"] == "DataFrame"
    assert f["columns"] == list(FRAME)
    expected = [dict(zip(FRAME, row)) for row in zip(*FRAME.values())]
    assert f["records"] == expected


def test_artifact_file(training_run):
    f = rb(training_run)["artifact_file"]
    assert f["name"].endswith("notes.txt")  # the SDK's cache may prefix the name
    assert bytes.fromhex(f["hex"]) == NOTES


def test_artifact_folder(training_run):
    f = rb(training_run)["artifact_folder"]
    assert f["is_dir"]
    assert f["files"] == {rel: sha256(b) for rel, b in FOLDER_FILES.items()}


# ------------------------------------------------------------------ models


def test_output_model(training_run):
    r = rb(training_run)
    seen = training_run["seen"]
    assert seen is not None, training_run["run"].describe()
    models = r["task_models"]
    assert models["count"] == 1 and models["ids"] == [seen["model_id"]]
    assert models["framework"] == "PyTorch"
    assert models["task"] == training_run["task_id"]
    assert models["url"].startswith(training_run["cairn"].files_url + "/"), models["url"]
    assert "/models/" in models["url"]
    assert models["sha256"] == sha256(WEIGHTS), "downloaded weights differ from the uploaded file"


def test_query_models(training_run):
    seen = training_run["seen"]
    assert seen is not None, training_run["run"].describe()
    assert rb(training_run)["query_models"] == [seen["model_id"]]


# ------------------------------------------------------------------ queries


def test_get_tasks_and_query_tasks(training_run):
    r = rb(training_run)
    tid = training_run["task_id"]
    assert r["get_tasks"] == [[tid, training_run["task_name"]]]
    q = r["query_tasks"]
    assert len(q) == 1, q
    assert q[0]["id"] == tid and q[0]["name"] == training_run["task_name"]
    assert q[0]["status"] == "completed" and q[0]["last_iteration"] == N_ITER - 1
    assert r["query_task_ids"] == [tid]


# ------------------------------------------------------------------ raw API view


def test_raw_task_document(training_run):
    tid = training_run["task_id"]
    assert tid, training_run["run"].describe()
    api = Api(training_run["cairn"].api_url)
    task = api.ok("tasks.get_by_id", {"task": tid})["task"]
    assert task["id"] == tid and task["status"] == "completed"
    assert task["last_iteration"] == N_ITER - 1 and isinstance(task["last_iteration"], int)
    for key in ("name", "status", "type", "project", "comment", "user"):
        assert isinstance(task[key], str), f"{key}: {task.get(key)!r}"
    for key in ("created", "started", "completed", "last_update"):
        parse_dt(task[key])
    for key in ("tags", "system_tags"):
        assert isinstance(task[key], list) and all(isinstance(x, str) for x in task[key]), key
    for key in ("script", "execution", "output", "hyperparams", "configuration", "runtime", "container",
                "last_metrics", "models"):
        assert isinstance(task[key], dict), f"{key} must be an object: {task.get(key)!r}"
    assert isinstance(task["models"]["input"], list) and isinstance(task["models"]["output"], list)
    assert [m["name"] for m in task["models"]["output"]] and all(
        isinstance(m["model"], str) for m in task["models"]["output"])
    for section, items in task["hyperparams"].items():
        for name, item in items.items():
            assert isinstance(item["value"], str), f"{section}/{name} value must be a string: {item!r}"
            assert item["section"] == section and item["name"] == name
    for name, item in task["configuration"].items():
        assert isinstance(item["value"], str) and item["name"] == name
    arts = task["execution"]["artifacts"]
    assert isinstance(arts, list) and [a["key"] for a in arts] == sorted(a["key"] for a in arts)
    for a in arts:
        assert a.get("mode", "output") == "output"
        assert isinstance(a["timestamp"], int) and isinstance(a["content_size"], int)
    # last_metrics as the SDK reads it
    found = {(v["metric"], v["variant"]): v for m in task["last_metrics"].values() for v in m.values()}
    assert found[("loss", "train")]["value"] == pytest.approx(train_value(N_ITER - 1), rel=1e-9)
    assert found[("loss", "train")]["max_value"] == pytest.approx(1.0)
    assert ("Summary", "accuracy") not in found or found[("Summary", "accuracy")]["value"] == pytest.approx(0.93)
    assert not math.isnan(found[("loss", "val")]["min_value"])
    # the project document
    project = api.ok("projects.get_by_id", {"project": task["project"]})["project"]
    assert project["name"] == training_run["project"]
