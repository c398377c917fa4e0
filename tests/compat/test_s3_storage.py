"""Object storage: artifacts, models and debug samples that the real clearml SDK writes
straight to S3 (the seed deployment's MinIO setup), end to end.

The SDK's clearml.conf is exactly the seed's shape and nothing else: one
`sdk.aws.s3.credentials` entry per bucket (clearml, datasets, models; host
"127.0.0.1:PORT", multipart: false, secure: false) and
`sdk.development.default_output_uri: "s3://127.0.0.1:PORT/clearml"`. The S3 server is
moto (tests/s3/moto_up.py) with enforced credentials; the Cairn server `cairn_s3` reads
the same block through --storage-credentials.

Checked: what the SDK reads back in a new process (values and bytes), where the objects
are in the bucket (boto3 with the platform's key), what Cairn recorded (s3:// URIs on
the task, the model and the debug-sample events), and Cairn's signed `/.cairn-s3`
addresses (`files.sign_urls`): a plain GET returns the object's bytes, a Range request
its slice, and a signature moved to another object is refused. Bad input: the SDK with a
wrong secret, `--files-store` with a wrong secret or an unreachable port, and
`--storage-credentials` with a wrong secret. Last, `--files-store s3://...` through the
SDK's default configuration (uploads go to Cairn's file server, which keeps them in S3).

What moto does not check, so neither do these tests: MinIO's own behaviour (bucket
policies, its multipart part-size rules, erasure coding, its console/admin API,
virtual-host addressing on a custom domain, TLS with a self-signed certificate). Only the
plain S3 API (path-style, signature V4) is exercised.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import time
import uuid
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlparse

import numpy as np
import pandas as pd
import pytest
import requests
from PIL import Image

from helpers import (
    MAIN_JS, RESULT_MARK, ROOT, TASK_ID_MARK, Api, assert_alive, free_port, free_ports, make_sdk_env,
    run_readback, run_sdk, run_sdk_ok, server_env, write_storage_credentials,
)

ARTIFACT_DICT = {"alpha": 1, "beta": [1, 2, 3], "gamma": {"delta": "epsilon"}}
ARRAY = (np.arange(12, dtype=np.float64).reshape(3, 4) * 0.5).tolist()
FRAME = {"x": [1, 2, 3], "y": ["a", "b", "c"], "z": [0.5, 1.5, 2.5]}
NOTES = b"hello s3 artifacts\nsecond line\n" + bytes(range(256))
FOLDER_FILES = {"a.txt": b"alpha\n", "sub/b.bin": bytes(range(256)) * 4}
WEIGHTS = b"CAIRN-S3-WEIGHTS\x00" + bytes(range(256)) * 64
MEDIA = b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(range(200))
SM_FILES = {"first.bin": bytes(range(256)) * 3, "second.txt": b"storage manager\n"}
ARTIFACTS = ("config_dict", "weights_array", "frame", "notes_file", "data_folder")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------ the SDK scripts

WRITER_DEFAULT = r'''
import json, os
import numpy as np
import pandas as pd
from clearml import Task, OutputModel, StorageManager

A = json.loads(os.environ["COMPAT_ARGS"])
# no output_uri: sdk.development.default_output_uri decides
task = Task.init(project_name=A["project"], task_name="s3 default output uri")
print("@@COMPAT_TASK_ID@@" + task.id, flush=True)
seen = {"output_uri": task.output_uri}

task.upload_artifact("config_dict", artifact_object=A["artifact_dict"], wait_on_upload=True)
task.upload_artifact("weights_array", artifact_object=np.array(A["array"], dtype=np.float64), wait_on_upload=True)
task.upload_artifact("frame", artifact_object=pd.DataFrame(A["frame"]), wait_on_upload=True)
task.upload_artifact("notes_file", artifact_object=A["notes"], wait_on_upload=True)
task.upload_artifact("data_folder", artifact_object=A["folder"], wait_on_upload=True)

model = OutputModel(task=task, name="s3 model", framework="PyTorch")
model.update_weights(weights_filename=A["weights"])
seen["model_id"] = model.id

# debug samples go to the files server unless the logger is given a destination
logger = task.get_logger()
seen["default_upload_destination"] = logger.get_default_upload_destination()
logger.set_default_upload_destination(task.output_uri)
seen["upload_destination"] = logger.get_default_upload_destination()
logger.report_image("s3 samples", "from_file", iteration=1, local_path=A["png"])
image = (np.arange(24 * 32 * 3) % 256).astype(np.uint8).reshape(24, 32, 3)
logger.report_image("s3 samples", "from_array", iteration=1, image=image)
logger.report_media("s3 media", "clip", iteration=1, local_path=A["media"])

seen["sm_urls"] = {}
for name in sorted(A["sm_files"]):
    seen["sm_urls"][name] = StorageManager.upload_file(os.path.join(A["sm_dir"], name), A["sm_dest"] + "/" + name)

task.close()
print("@@COMPAT_JSON@@" + json.dumps(seen), flush=True)
'''

WRITER_EXPLICIT = r'''
import json, os
from clearml import Task, OutputModel

A = json.loads(os.environ["COMPAT_ARGS"])
task = Task.init(project_name=A["project"], task_name="s3 explicit output uri", output_uri=A["output_uri"])
print("@@COMPAT_TASK_ID@@" + task.id, flush=True)
seen = {"output_uri": task.output_uri}
task.upload_artifact("config_dict", artifact_object=A["artifact_dict"], wait_on_upload=True)
task.upload_artifact("notes_file", artifact_object=A["notes"], wait_on_upload=True)
model = OutputModel(task=task, name="s3 explicit model", framework="PyTorch")
model.update_weights(weights_filename=A["weights"])
seen["model_id"] = model.id
task.close()
print("@@COMPAT_JSON@@" + json.dumps(seen), flush=True)
'''

READER = r'''
import hashlib, os
from clearml import Task, InputModel, Model, StorageManager

def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()

def hexof(path):
    with open(path, "rb") as f:
        return f.read().hex()

T = {}

@section("get_task")
def _():
    T["t"] = Task.get_task(task_id=ARGS["task_id"])
    return {"status": str(T["t"].get_status()), "output_uri": T["t"].output_uri}

@section("artifact_list")
def _():
    return {k: {"type": a.type, "url": a.url, "size": a.size, "hash": a.hash} for k, a in T["t"].artifacts.items()}

@section("artifact_dict")
def _():
    return T["t"].artifacts["config_dict"].get()

@section("artifact_dict_local_copy")
def _():
    return hexof(T["t"].artifacts["config_dict"].get_local_copy())

@section("artifact_array")
def _():
    arr = T["t"].artifacts["weights_array"].get()
    return {"type": type(arr).__name__, "dtype": str(arr.dtype), "values": arr.tolist()}

@section("artifact_frame")
def _():
    import json
    df = T["t"].artifacts["frame"].get()
    return {"type": type(df).__name__, "records": json.loads(df.to_json(orient="records"))}

@section("artifact_file")
def _():
    p = T["t"].artifacts["notes_file"].get_local_copy()
    return {"name": os.path.basename(p), "hex": hexof(p)}

@section("artifact_folder")
def _():
    root = T["t"].artifacts["data_folder"].get_local_copy()
    files = {}
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            full = os.path.join(dirpath, n)
            files[os.path.relpath(full, root).replace(os.sep, "/")] = sha(full)
    return {"is_dir": os.path.isdir(root), "files": files}

@section("model_local_copy")
def _():
    m = InputModel(model_id=ARGS["model_id"])
    return {"url": m.url, "hex": hexof(m.get_local_copy())}

@section("model_weights")
def _():
    m = Model(model_id=ARGS["model_id"])
    return {"url": m.url, "hex": hexof(m.get_weights())}

def samples(title, series):
    got = T["t"].get_debug_samples(title, series)
    out = {"events": [{k: s.get(k) for k in ("metric", "variant", "iter", "url")} for s in got]}
    if got:
        path = StorageManager.get_local_copy(remote_url=got[0]["url"], extract_archive=False)
        out["hex"] = hexof(path) if path else None
    return out

if ARGS.get("debug_samples"):
    @section("debug_from_file")
    def _():
        return samples("s3 samples", "from_file")

    @section("debug_from_array")
    def _():
        return samples("s3 samples", "from_array")

    @section("media")
    def _():
        return samples("s3 media", "clip")

if ARGS.get("sm_urls"):
    @section("sm_get_local_copy")
    def _():
        out = {}
        for name, url in ARGS["sm_urls"].items():
            p = StorageManager.get_local_copy(remote_url=url, extract_archive=False)
            out[name] = hexof(p) if p else None
        return out

    @section("sm_list")
    def _():
        return sorted(StorageManager.list(ARGS["sm_dest"]) or [])
'''


# ------------------------------------------------------------------ fixtures


def _run_writer(script, env, args, cwd):
    run = run_sdk(script, env, args=args, cwd=cwd)
    assert not run.timed_out and run.returncode == 0, run.describe()
    seen = run.json_result()
    return run.task_id(), seen, run


@pytest.fixture(scope="module")
def written(moto_s3, cairn_s3, s3_sdk_env, tmp_path_factory):
    """One script with the seed's configuration (default_output_uri), one with an explicit
    output_uri in the models bucket, and a reader of each in a new process."""
    work = tmp_path_factory.mktemp("s3-writer")
    project = f"compat s3 {uuid.uuid4().hex[:10]}"
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
    media = work / "clip.wav"
    media.write_bytes(MEDIA)
    sm_dir = work / "sm"
    sm_dir.mkdir()
    for name, content in SM_FILES.items():
        (sm_dir / name).write_bytes(content)
    sm_dest = moto_s3.url("datasets", f"storage-manager-{uuid.uuid4().hex[:8]}")

    args = {
        "project": project, "artifact_dict": ARTIFACT_DICT, "array": ARRAY, "frame": FRAME,
        "notes": str(notes), "folder": str(folder), "weights": str(weights), "png": str(png),
        "media": str(media), "sm_files": sorted(SM_FILES), "sm_dir": str(sm_dir), "sm_dest": sm_dest,
    }
    task_id, seen, run = _run_writer(WRITER_DEFAULT, s3_sdk_env(), args, work / "script")
    readback = run_readback(READER, s3_sdk_env(), args={
        "task_id": task_id, "model_id": seen["model_id"], "debug_samples": True,
        "sm_urls": seen["sm_urls"], "sm_dest": sm_dest,
    })

    explicit_uri = moto_s3.url("models", f"explicit-{uuid.uuid4().hex[:8]}")
    # update_weights deletes the local file once uploaded (the SDK's auto_delete_file)
    ex_weights = work / "explicit" / "model_weights.pt"
    ex_weights.parent.mkdir()
    ex_weights.write_bytes(WEIGHTS)
    ex_args = {"project": project, "output_uri": explicit_uri, "artifact_dict": ARTIFACT_DICT,
               "notes": str(notes), "weights": str(ex_weights)}
    ex_task, ex_seen, ex_run = _run_writer(WRITER_EXPLICIT, s3_sdk_env(), ex_args, work / "script-explicit")
    ex_readback = run_readback(READER, s3_sdk_env(), args={"task_id": ex_task, "model_id": ex_seen["model_id"]})
    return {
        "task_id": task_id, "seen": seen, "run": run, "rb": readback, "png": png.read_bytes(),
        "sm_dest": sm_dest, "explicit": {"task_id": ex_task, "seen": ex_seen, "rb": ex_readback, "uri": explicit_uri},
    }


@pytest.fixture(scope="module")
def s3_api(cairn_s3) -> Api:
    return Api(cairn_s3.api_url)


def task_doc(api: Api, task_id: str) -> dict:
    return api.ok("tasks.get_by_id", {"task": task_id})["task"]


def recorded_artifacts(api: Api, task_id: str) -> dict:
    return {a["key"]: a for a in (task_doc(api, task_id).get("execution") or {}).get("artifacts") or []}


def debug_events(api: Api, task_id: str) -> list[dict]:
    data = api.ok("events.get_task_events", {"task": task_id, "event_type": "training_debug_image", "batch_size": 100})
    return data["events"]


# ------------------------------------------------------------------ default_output_uri


def test_default_output_uri_is_the_bucket(written, moto_s3, s3_api):
    assert written["seen"]["output_uri"] == moto_s3.url("clearml")
    assert written["rb"]["get_task"] == {"status": "completed", "output_uri": moto_s3.url("clearml")}
    assert task_doc(s3_api, written["task_id"])["output"]["destination"] == moto_s3.url("clearml")


def test_artifacts_read_back(written):
    rb = written["rb"]
    assert rb["artifact_dict"] == ARTIFACT_DICT
    assert json.loads(bytes.fromhex(rb["artifact_dict_local_copy"])) == ARTIFACT_DICT
    assert rb["artifact_array"] == {"type": "ndarray", "dtype": "float64", "values": ARRAY}
    assert rb["artifact_frame"]["type"] == "DataFrame"
    assert rb["artifact_frame"]["records"] == [dict(zip(FRAME, row)) for row in zip(*FRAME.values())]
    # the SDK's cache names the local copy <hash of the URL>.notes.txt
    assert rb["artifact_file"]["name"].endswith("notes.txt") and rb["artifact_file"]["hex"] == NOTES.hex()
    assert rb["artifact_folder"] == {"is_dir": True, "files": {k: sha256(v) for k, v in FOLDER_FILES.items()}}


def test_artifacts_are_objects_in_the_bucket(written, moto_s3, s3_api):
    """Cairn recorded s3:// URIs under the task's folder of the clearml bucket, and each
    object there has the size and hash recorded and the content uploaded."""
    prefix = moto_s3.url("clearml") + "/"
    sdk_list = written["rb"]["artifact_list"]
    recorded = recorded_artifacts(s3_api, written["task_id"])
    assert set(recorded) == set(ARTIFACTS) == set(sdk_list)
    objects = {}
    for name, a in recorded.items():
        uri = a["uri"]
        assert uri.startswith(prefix) and f".{written['task_id']}/artifacts/{name}/" in uri, uri
        assert sdk_list[name]["url"] == uri
        body = moto_s3.get_bytes(uri)
        objects[name] = body
        assert a["content_size"] == len(body), name
        assert a["hash"] == sha256(body), name
    assert json.loads(objects["config_dict"]) == ARTIFACT_DICT
    # the SDK's default formats: .npz (savez_compressed, keyed by the artifact name), .csv.gz
    assert recorded["weights_array"]["uri"].endswith("/weights_array.npz")
    with np.load(io.BytesIO(objects["weights_array"]), allow_pickle=False) as npz:
        assert npz["weights_array"].tolist() == ARRAY
    assert recorded["frame"]["uri"].endswith("/frame.csv.gz")
    frame = pd.read_csv(io.BytesIO(objects["frame"]), compression="gzip", index_col=0)
    assert frame.to_dict(orient="list") == FRAME
    assert objects["notes_file"] == NOTES
    with zipfile.ZipFile(io.BytesIO(objects["data_folder"])) as z:
        assert {n: z.read(n) for n in z.namelist() if not n.endswith("/")} == FOLDER_FILES


def test_model_weights_in_s3(written, moto_s3, s3_api):
    model_id = written["seen"]["model_id"]
    model = s3_api.ok("models.get_by_id", {"model": model_id})["model"]
    uri = model["uri"]
    assert uri.startswith(moto_s3.url("clearml") + "/") and f".{written['task_id']}/models/" in uri, uri
    assert uri.endswith("/model_weights.pt"), uri
    assert moto_s3.get_bytes(uri) == WEIGHTS
    assert written["rb"]["model_local_copy"] == {"url": uri, "hex": WEIGHTS.hex()}
    assert written["rb"]["model_weights"] == {"url": uri, "hex": WEIGHTS.hex()}
    outputs = (task_doc(s3_api, written["task_id"]).get("models") or {}).get("output") or []
    assert model_id in [m.get("model") for m in outputs]


# ------------------------------------------------------------------ Task.init(output_uri=...)


def test_explicit_output_uri_in_the_models_bucket(written, moto_s3, s3_api):
    ex = written["explicit"]
    uri = ex["uri"]
    assert ex["seen"]["output_uri"] == uri
    assert task_doc(s3_api, ex["task_id"])["output"]["destination"] == uri
    recorded = recorded_artifacts(s3_api, ex["task_id"])
    assert set(recorded) == {"config_dict", "notes_file"}
    for a in recorded.values():
        assert a["uri"].startswith(uri + "/"), a["uri"]
        assert moto_s3.split(a["uri"])[0] == "models"
    assert json.loads(moto_s3.get_bytes(recorded["config_dict"]["uri"])) == ARTIFACT_DICT
    assert moto_s3.get_bytes(recorded["notes_file"]["uri"]) == NOTES
    model = s3_api.ok("models.get_by_id", {"model": ex["seen"]["model_id"]})["model"]
    assert model["uri"].startswith(uri + "/"), model["uri"]
    assert moto_s3.split(model["uri"])[1] in moto_s3.list_keys("models"), (model["uri"], moto_s3.list_keys("models"))
    assert moto_s3.get_bytes(model["uri"]) == WEIGHTS
    rb = ex["rb"]
    assert rb["artifact_dict"] == ARTIFACT_DICT
    assert rb["artifact_file"]["hex"] == NOTES.hex()
    assert rb["model_weights"] == {"url": model["uri"], "hex": WEIGHTS.hex()}
    # nothing of this task went to the default bucket
    assert not [k for k in moto_s3.list_keys("clearml") if ex["task_id"] in k]


# ------------------------------------------------------------------ debug samples


def test_debug_samples_in_s3(written, moto_s3, s3_api):
    seen = written["seen"]
    # the SDK's default for debug samples is the files server, whatever output_uri says
    assert seen["default_upload_destination"].startswith("http://127.0.0.1:")
    assert seen["upload_destination"].rstrip("/") == moto_s3.url("clearml")
    events = {(e["metric"], e["variant"]): e for e in debug_events(s3_api, written["task_id"])}
    assert set(events) == {("s3 samples", "from_file"), ("s3 samples", "from_array"), ("s3 media", "clip")}
    prefix = moto_s3.url("clearml") + "/"
    for e in events.values():
        assert e["url"].startswith(prefix) and e["iter"] == 1, e

    png = written["png"]
    from_file = events[("s3 samples", "from_file")]["url"]
    assert from_file.endswith(".png") and moto_s3.get_bytes(from_file) == png
    rb = written["rb"]["debug_from_file"]
    assert [ev["url"] for ev in rb["events"]] == [from_file] and rb["hex"] == png.hex()

    from_array = events[("s3 samples", "from_array")]["url"]
    img = Image.open(io.BytesIO(moto_s3.get_bytes(from_array)))
    assert img.format == "JPEG" and img.size == (32, 24) and img.mode == "RGB"
    rb = written["rb"]["debug_from_array"]
    assert [ev["url"] for ev in rb["events"]] == [from_array]
    assert bytes.fromhex(rb["hex"]) == moto_s3.get_bytes(from_array)

    media = events[("s3 media", "clip")]["url"]
    assert media.endswith(".wav") and moto_s3.get_bytes(media) == MEDIA
    rb = written["rb"]["media"]
    assert [ev["url"] for ev in rb["events"]] == [media] and rb["hex"] == MEDIA.hex()


# ------------------------------------------------------------------ StorageManager


def test_storage_manager_upload_list_get(written, moto_s3):
    dest = written["sm_dest"]
    urls = written["seen"]["sm_urls"]
    assert urls == {name: f"{dest}/{name}" for name in SM_FILES}
    for name, content in SM_FILES.items():
        assert moto_s3.get_bytes(urls[name]) == content
    assert written["rb"]["sm_get_local_copy"] == {name: content.hex() for name, content in SM_FILES.items()}
    _bucket, key_prefix = moto_s3.split(dest)
    listed = written["rb"]["sm_list"]
    # StorageManager.list names the objects relative to the bucket
    assert sorted(listed) == sorted(f"{key_prefix}/{n}" for n in SM_FILES), listed


# ------------------------------------------------------------------ Cairn's signed /.cairn-s3 addresses


def _all_s3_uris(written, s3_api) -> dict:
    uris = {f"artifact {k}": a["uri"] for k, a in recorded_artifacts(s3_api, written["task_id"]).items()}
    uris["model"] = s3_api.ok("models.get_by_id", {"model": written["seen"]["model_id"]})["model"]["uri"]
    for e in debug_events(s3_api, written["task_id"]):
        uris[f"debug {e['metric']}/{e['variant']}"] = e["url"]
    ex = written["explicit"]
    uris["explicit artifact"] = recorded_artifacts(s3_api, ex["task_id"])["notes_file"]["uri"]
    return uris


def test_sign_urls_serve_s3_objects(written, moto_s3, cairn_s3, s3_api):
    """Each s3:// address signs into a file-server address that a browser can GET
    without a token: the whole object, a byte range of it, and nothing else."""
    uris = _all_s3_uris(written, s3_api)
    names = list(uris)
    signed = s3_api.ok("files.sign_urls", {"urls": [uris[n] for n in names]})["urls"]
    assert len(signed) == len(names)
    for name, url in zip(names, signed):
        assert url.startswith(cairn_s3.files_url + "/.cairn-s3?"), (name, url)
        q = parse_qs(urlparse(url).query)
        assert q["url"] == [uris[name]] and q.get("cairn_sig") and q.get("cairn_exp"), (name, url)
        body = moto_s3.get_bytes(uris[name])
        r = requests.get(url, timeout=30)
        assert r.status_code == 200, (name, r.status_code, r.text[:300])
        assert r.content == body, name
        assert int(r.headers["content-length"]) == len(body), name
        start, end = 3, min(len(body) - 1, 130)
        r = requests.get(url, headers={"Range": f"bytes={start}-{end}"}, timeout=30)
        assert r.status_code == 206, (name, r.status_code, r.text[:300])
        assert r.content == body[start:end + 1], name
        assert r.headers["content-range"] == f"bytes {start}-{end}/{len(body)}", name
        r = requests.head(url, timeout=30)
        assert r.status_code == 200 and int(r.headers["content-length"]) == len(body), name

    # the signature of one object does not open another
    a, b = signed[0], uris[names[1]]
    q = {k: v[0] for k, v in parse_qs(urlparse(a).query).items()}
    moved = f"{cairn_s3.files_url}/.cairn-s3?{urlencode({**q, 'url': b})}"
    r = requests.get(moved, timeout=30)
    assert r.status_code == 401, (r.status_code, r.text[:300])
    assert r.json()["code"] == 401
    # nor does an address without a signature, or with a forged one
    bare = f"{cairn_s3.files_url}/.cairn-s3?{urlencode({'url': uris[names[0]]})}"
    assert requests.get(bare, timeout=30).status_code == 401
    forged = f"{cairn_s3.files_url}/.cairn-s3?{urlencode({**q, 'cairn_sig': 'A' * len(q['cairn_sig'])})}"
    assert requests.get(forged, timeout=30).status_code == 401
    # an address whose object is gone answers 404, not an error of the server
    gone = uris[names[0]] + ".missing"
    signed_gone = s3_api.ok("files.sign_urls", {"urls": [gone]})["urls"][0]
    assert requests.get(signed_gone, timeout=30).status_code == 404
    assert_alive(cairn_s3)


# ------------------------------------------------------------------ bad input: the SDK with a wrong secret

WRONG_SECRET_INIT = r'''
from clearml import Task
import json, os
A = json.loads(os.environ["COMPAT_ARGS"])
task = Task.init(project_name=A["project"], task_name="s3 wrong secret")
task.upload_artifact("never", artifact_object={"a": 1}, wait_on_upload=True)
task.close()
'''

WRONG_SECRET_STORAGE_MANAGER = r'''
import json, os
from clearml import StorageManager
A = json.loads(os.environ["COMPAT_ARGS"])
with open("payload.bin", "wb") as f:
    f.write(b"never stored")
try:
    url = StorageManager.upload_file("payload.bin", A["dest"])
    print("@@COMPAT_JSON@@" + json.dumps({"returned": url}), flush=True)
except Exception as e:
    print("@@COMPAT_JSON@@" + json.dumps({"raised": type(e).__name__, "message": str(e)}), flush=True)
'''


def test_wrong_secret_in_the_sdk(written, moto_s3, cairn_s3, s3_sdk_env, s3_api):
    """With a wrong secret, Task.init (which checks that output_uri can be written) fails,
    saying which address; nothing is stored; Cairn keeps serving what it had."""
    project = f"compat s3 bad {uuid.uuid4().hex[:8]}"
    keys_before = set(moto_s3.list_keys("clearml"))
    run = run_sdk(WRONG_SECRET_INIT, s3_sdk_env(secret="wrong-" + moto_s3.secret[6:]), args={"project": project})
    assert not run.timed_out and run.returncode == 1, run.describe()
    last = run.stderr.strip().splitlines()[-1]
    # the SDK's own words (clearml 2.1.12): its write check logs the refused PutObject,
    # then fails on deleting the test object it could not write
    assert last.startswith("ValueError: Insufficient permissions"), run.describe()
    assert last.endswith(f"for {moto_s3.url('clearml')}"), last  # names host and bucket
    assert "SignatureDoesNotMatch" in run.stdout + run.stderr and "PutObject" in run.stdout + run.stderr, run.describe()
    # nothing new in the bucket (with COMPAT_FILES_STORE=s3 the servers' own files live
    # under clearml/<server name>/, so only this run's names are looked for)
    new_keys = set(moto_s3.list_keys("clearml")) - keys_before
    assert not [k for k in new_keys if project in k or k.startswith(".clearml.")], new_keys
    print("SDK, wrong secret, Task.init: exit", run.returncode)
    print("\n".join(ln for ln in (run.stdout + run.stderr).splitlines() if "clearml.storage" in ln or "Error" in ln))
    left = re.search(r"created new task id=([0-9a-f]{32})", run.stdout)
    if left:
        t = task_doc(s3_api, left.group(1))
        print("the task it left:", t["id"], t["status"], t.get("status_reason"), t.get("output"))

    # StorageManager.upload_file raises and logs S3's refusal with the bucket and key
    dest = moto_s3.url("datasets", f"wrong-secret-{uuid.uuid4().hex[:8]}/payload.bin")
    sm = run_sdk(WRONG_SECRET_STORAGE_MANAGER, s3_sdk_env(secret="wrong-" + moto_s3.secret[6:]), args={"dest": dest})
    assert not sm.timed_out and sm.returncode == 0, sm.describe()
    assert sm.json_result() == {"raised": "ValueError", "message": "Upload failed"}, sm.describe()
    _bucket, key = moto_s3.split(dest)
    assert f"Failed to upload payload.bin to datasets/{key}" in sm.stdout, sm.describe()
    assert "SignatureDoesNotMatch" in sm.stdout, sm.describe()
    assert moto_s3.list_keys("datasets", key) == []
    print("SDK, wrong secret, StorageManager.upload_file:", sm.json_result())
    print("\n".join(ln for ln in sm.stdout.splitlines() if "clearml.storage" in ln))

    # Cairn keeps serving, and what was stored before still reads back
    assert_alive(cairn_s3)
    rb = run_readback(READER, s3_sdk_env(), args={"task_id": written["task_id"], "model_id": written["seen"]["model_id"]})
    assert rb["artifact_dict"] == ARTIFACT_DICT
    assert rb["artifact_file"]["hex"] == NOTES.hex()
    assert rb["model_weights"]["hex"] == WEIGHTS.hex()
    notes_uri = recorded_artifacts(s3_api, written["task_id"])["notes_file"]["uri"]
    signed = s3_api.ok("files.sign_urls", {"urls": [notes_uri]})["urls"][0]
    assert requests.get(signed, timeout=30).content == NOTES


# ------------------------------------------------------------------ bad input: the server's own S3 access


def run_server_expecting_exit(workdir: Path, args: list[str], timeout: float = 120) -> tuple[subprocess.CompletedProcess, float]:
    """Starts `cairn server ARGS` that should refuse to start; returns how it ended and
    how long that took. A server that starts anyway fails the test (and is stopped)."""
    workdir.mkdir(parents=True, exist_ok=True)
    api, web, files = free_ports(3)
    cmd = ["node", str(MAIN_JS), "server", "--host", "127.0.0.1", "--data-dir", str(workdir / "data"),
           "--api-port", str(api), "--web-port", str(web), "--files-port", str(files), *args]
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=str(ROOT), env=server_env(), capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the server did not refuse to start within {timeout}s; stderr:\n{e.stderr}")
    return proc, time.monotonic() - started


def test_files_store_with_wrong_secret_refuses_to_start(moto_s3, tmp_path):
    creds = write_storage_credentials(moto_s3, tmp_path / "wrong.conf", secret="wrong-" + moto_s3.secret[6:])
    proc, took = run_server_expecting_exit(
        tmp_path / "srv", ["--files-store", moto_s3.url("clearml", "x"), "--storage-credentials", str(creds)])
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    message = proc.stderr.strip()
    assert message.startswith("cairn: "), message
    assert moto_s3.host in message and "clearml" in message, message
    assert "bucket clearml" in message, message
    assert moto_s3.secret not in message and "wrong-" not in message, "the message shows the secret"
    print(f"refused in {took:.1f}s: {message}")


def test_files_store_unreachable_refuses_to_start(moto_s3, tmp_path):
    port = free_port()  # nothing listens there
    host = f"127.0.0.1:{port}"
    creds = write_storage_credentials(moto_s3, tmp_path / "creds.conf", host=host)
    proc, took = run_server_expecting_exit(
        tmp_path / "srv", ["--files-store", f"s3://{host}/clearml/x", "--storage-credentials", str(creds)])
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    message = proc.stderr.strip()
    assert message.startswith("cairn: "), message
    assert host in message and "bucket clearml" in message, message
    print(f"refused in {took:.1f}s: {message}")


def test_wrong_storage_credentials_signed_read_is_a_502(written, moto_s3, s3_api, dedicated_server, tmp_path):
    """A server whose own S3 secret is wrong (files in its data folder) answers a signed
    /.cairn-s3 read with a JSON error naming the server and bucket, and keeps serving."""
    creds = write_storage_credentials(moto_s3, tmp_path / "wrong.conf", secret="wrong-" + moto_s3.secret[6:])
    server = dedicated_server("--storage-credentials", str(creds), use_files_store=False)
    api = Api(server.api_url)
    notes_uri = recorded_artifacts(s3_api, written["task_id"])["notes_file"]["uri"]
    signed = api.ok("files.sign_urls", {"urls": [notes_uri]})["urls"][0]
    assert signed.startswith(server.files_url + "/.cairn-s3?")
    for _ in range(2):
        r = requests.get(signed, timeout=60)
        assert r.status_code == 502, (r.status_code, r.text[:500])
        body = r.json()
        assert body["code"] == 502, body
        assert moto_s3.host in body["error"] and "bucket clearml" in body["error"], body
        assert moto_s3.secret not in body["error"]
    print("signed read with a wrong server secret:", r.status_code, r.text)
    assert_alive(server)
    # its own file server is unaffected
    path = f"after-502/{uuid.uuid4().hex}/ok.bin"
    headers = {"Authorization": f"Bearer {api.token}"}
    r = requests.post(server.files_url + "/", files={path: (path, NOTES)}, headers=headers, timeout=60)
    assert r.status_code == 200, r.text[:500]
    got = requests.get(f"{server.files_url}/{path}", headers=headers, timeout=60)
    assert got.status_code == 200 and got.content == NOTES
    # and the object itself is still there for the right credentials
    assert moto_s3.get_bytes(notes_uri) == NOTES


# ------------------------------------------------------------------ --files-store s3:// through the SDK's defaults

FILES_STORE_WRITER = r'''
import json, os
from clearml import Task, OutputModel
A = json.loads(os.environ["COMPAT_ARGS"])
task = Task.init(project_name=A["project"], task_name="files store in s3", output_uri=True)
print("@@COMPAT_TASK_ID@@" + task.id, flush=True)
task.upload_artifact("notes_file", artifact_object=A["notes"], wait_on_upload=True)
model = OutputModel(task=task, name="files store model", framework="PyTorch")
model.update_weights(weights_filename=A["weights"])
task.get_logger().report_image("fs samples", "png", iteration=0, local_path=A["png"])
seen = {"model_id": model.id, "output_uri": task.output_uri}
task.close()
print("@@COMPAT_JSON@@" + json.dumps(seen), flush=True)
'''

FILES_STORE_READER = r'''
from clearml import Task, Model, StorageManager
T = {}

def hexof(path):
    with open(path, "rb") as f:
        return f.read().hex()

@section("notes")
def _():
    T["t"] = Task.get_task(task_id=ARGS["task_id"])
    return hexof(T["t"].artifacts["notes_file"].get_local_copy())

@section("weights")
def _():
    return hexof(Model(model_id=ARGS["model_id"]).get_weights())

@section("image")
def _():
    s = T["t"].get_debug_samples("fs samples", "png")
    return hexof(StorageManager.get_local_copy(remote_url=s[0]["url"], extract_archive=False))
'''


def test_files_store_s3_through_the_sdk_defaults(moto_s3, dedicated_server, tmp_path, s3_storage_credentials):
    """`--files-store s3://HOST:PORT/clearml/PREFIX`: the SDK (default configuration) keeps
    talking to the file server's URLs; every byte lands in the bucket under the prefix at
    the URL's path, none in the data folder, and everything reads back."""
    prefix = f"fs-{uuid.uuid4().hex[:8]}"
    server = dedicated_server("--files-store", moto_s3.url("clearml", prefix),
                              "--storage-credentials", str(s3_storage_credentials), use_files_store=False)
    png = tmp_path / "image.png"
    Image.fromarray((np.arange(12 * 16 * 3) % 253).astype(np.uint8).reshape(12, 16, 3)).save(png)
    notes, weights = tmp_path / "notes.txt", tmp_path / "weights.pt"
    notes.write_bytes(NOTES)
    weights.write_bytes(WEIGHTS)
    args = {"project": f"compat fs {uuid.uuid4().hex[:8]}", "notes": str(notes), "weights": str(weights), "png": str(png)}
    task_id, seen, _run = _run_writer(FILES_STORE_WRITER, make_sdk_env(server, tmp_path / "home"), args, tmp_path / "w")
    assert seen["output_uri"] == server.files_url

    api = Api(server.api_url)
    urls = {
        "notes": recorded_artifacts(api, task_id)["notes_file"]["uri"],
        "weights": api.ok("models.get_by_id", {"model": seen["model_id"]})["model"]["uri"],
        "image": debug_events(api, task_id)[0]["url"],
    }
    expected = {"notes": NOTES, "weights": WEIGHTS, "image": png.read_bytes()}
    for name, url in urls.items():
        assert url.startswith(server.files_url + "/"), (name, url)
        key = f"{prefix}/{unquote(urlparse(url).path.lstrip('/'))}"
        assert moto_s3.get_bytes(moto_s3.url("clearml", key)) == expected[name], (name, key)
    rb = run_readback(FILES_STORE_READER, make_sdk_env(server, tmp_path / "home-read"),
                      args={"task_id": task_id, "model_id": seen["model_id"]})
    assert {k: bytes.fromhex(rb[k]) for k in expected} == expected
    stored = [p for d in server.data_dirs if (d / "files").exists() for p in (d / "files").rglob("*") if p.is_file()]
    assert stored == [], f"files in the data folder although --files-store is S3: {stored[:10]}"
    # the web UI's signed address reads through the store too
    signed = api.ok("files.sign_urls", {"urls": [urls["notes"]]})["urls"][0]
    r = requests.get(signed, timeout=30)
    assert r.status_code == 200 and r.content == NOTES


# ------------------------------------------------------------------ deletion


def test_deleting_a_task_deletes_its_objects_from_the_bucket(written, moto_s3, cairn_s3, s3_sdk_env, s3_api, tmp_path):
    """The web UI's delete with "Also delete its files" (tasks.delete with
    delete_output_models and delete_external_artifacts): the server deletes the task's
    artifacts and its model's weights from the bucket in the background (after a grace
    period: the SDK's own Task.delete deletes the same files itself), logs each one, and
    leaves every other task's objects where they are."""
    prefix = f"delete-{uuid.uuid4().hex[:8]}"
    notes, weights = tmp_path / "notes.txt", tmp_path / "w" / "model_weights.pt"
    notes.write_bytes(NOTES)
    weights.parent.mkdir()
    weights.write_bytes(WEIGHTS)
    args = {"project": f"compat s3 delete {uuid.uuid4().hex[:8]}", "output_uri": moto_s3.url("models", prefix),
            "artifact_dict": ARTIFACT_DICT, "notes": str(notes), "weights": str(weights)}
    task_id, seen, _run = _run_writer(WRITER_EXPLICIT, s3_sdk_env(), args, tmp_path / "script")
    doomed = sorted(moto_s3.list_keys("models", prefix + "/"))
    model_uri = s3_api.ok("models.get_by_id", {"model": seen["model_id"]})["model"]["uri"]
    assert len(doomed) == 3 and moto_s3.split(model_uri)[1] in doomed, doomed
    kept = sorted(moto_s3.list_keys("clearml", ""))
    assert kept, "the module's first task left objects in the clearml bucket"

    mark = cairn_s3.log_size()
    s3_api.ok("tasks.delete", {"task": task_id, "force": True, "delete_output_models": True,
                               "delete_external_artifacts": True})
    deadline, left = time.time() + 120, doomed
    while left and time.time() < deadline:
        time.sleep(2)
        left = moto_s3.list_keys("models", prefix + "/")
    assert left == [], f"still in the bucket: {left}\n{cairn_s3.log_since(mark)}"
    log = cairn_s3.log_since(mark, max_lines=2000)
    for key in doomed:
        assert f"storage cleanup: deleted s3://{moto_s3.host}/models/{key}" in log, (key, log)
    assert s3_api.call("models.get_by_id", {"model": seen["model_id"]}).code == 400
    assert sorted(moto_s3.list_keys("clearml", "")) == kept
    assert_alive(cairn_s3)
