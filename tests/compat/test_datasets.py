"""Datasets through the real clearml SDK: the `clearml-data` CLI as a user types it, the
`Dataset` API, and datasets kept in the seed's `datasets` S3 bucket.

Checked: what the SDK and the CLI print and read back (versions, file lists, the bytes of
every file of a local copy, metadata, lineage), and what Cairn stored (the hidden
`<project>/.datasets/<name>` projects, the `data_processing` task with its runtime
version, `state` and `data` artifacts, `Dataset Struct`/`Dataset Content`
configurations, and the chunks on the file server or in the bucket).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest

from helpers import PYTHON, Api, make_sdk_env, run_readback

CLEARML_DATA = str(Path(PYTHON).parent / "clearml-data")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree(root: Path) -> dict[str, str]:
    """relative path -> sha256 of every file under `root`"""
    return {p.relative_to(root).as_posix(): sha256(p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()}


def write_tree(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def pseudo_random(n: int, seed: int) -> bytes:
    out = bytearray()
    block = str(seed).encode()
    while len(out) < n:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:n])


V1 = {"a.txt": b"alpha\n", "sub/b.bin": pseudo_random(20_000, 1), "c.txt": b"gamma\n"}
# the second version: c.txt removed, a.txt changed, d.txt added, sub/b.bin unchanged
V2 = {"a.txt": b"alpha, changed\n", "sub/b.bin": V1["sub/b.bin"], "d.txt": b"delta\n"}


def clearml_data(env: dict, *args: str, cwd: Path, ok: bool = True) -> str:
    proc = subprocess.run([CLEARML_DATA, *args], env=env, cwd=str(cwd), capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    if ok:
        assert proc.returncode == 0, f"clearml-data {' '.join(args)} exited {proc.returncode}:\n{out}"
    return out


def created_id(output: str) -> str:
    m = re.search(r"New dataset created id=([0-9a-f]{32})", output)
    assert m, output
    return m.group(1)


def task_doc(api: Api, task_id: str) -> dict:
    return api.ok("tasks.get_by_id", {"task": task_id})["task"]


def artifacts_of(api: Api, task_id: str) -> dict:
    return {a["key"]: a for a in (task_doc(api, task_id).get("execution") or {}).get("artifacts") or []}


def fetch(api: Api, url: str) -> bytes:
    r = api.http.get(url, headers={"Authorization": f"Bearer {api.token}"}, timeout=60)
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    return r.content


def project_by_name(api: Api, name: str) -> dict:
    found = api.ok("projects.get_all", {"name": f"^{re.escape(name)}$", "search_hidden": True})["projects"]
    assert len(found) == 1, (name, found)
    return found[0]


# ------------------------------------------------------------------ clearml-data


@pytest.fixture(scope="module")
def cli(cairn, tmp_path_factory):
    """Two versions made with clearml-data as the docs show it: create, add, close; then
    create --parents, sync a changed folder (which closes it)."""
    work = tmp_path_factory.mktemp("clearml-data")
    env = make_sdk_env(cairn, work / "home")
    project = f"compat datasets {uuid.uuid4().hex[:8]}"
    v1 = write_tree(work / "v1", V1)
    v2 = write_tree(work / "v2", V2)
    out = {"project": project, "work": work, "env": env, "v1": v1, "v2": v2}
    out["create1"] = clearml_data(env, "create", "--project", project, "--name", "images", cwd=work)
    out["id1"] = created_id(out["create1"])
    out["add1"] = clearml_data(env, "add", "--id", out["id1"], "--files", str(v1), cwd=work)
    out["close1"] = clearml_data(env, "close", "--id", out["id1"], cwd=work)
    out["create2"] = clearml_data(env, "create", "--project", project, "--name", "images", "--parents", out["id1"], cwd=work)
    out["id2"] = created_id(out["create2"])
    out["sync2"] = clearml_data(env, "sync", "--id", out["id2"], "--folder", str(v2), cwd=work)
    return out


def test_cli_create_add_close_stores_a_dataset_version(cli, api):
    assert "2 files added" not in cli["add1"] and "3 files added" in cli["add1"], cli["add1"]
    assert "Dataset closed and finalized" in cli["close1"], cli["close1"]
    project = cli["project"]
    parent = project_by_name(api, f"{project}/.datasets")
    assert "hidden" in parent["system_tags"]
    holder = project_by_name(api, f"{project}/.datasets/images")
    assert {"hidden", "dataset"} <= set(holder["system_tags"])
    t = task_doc(api, cli["id1"])
    assert t["name"] == "images" and t["type"] == "data_processing" and t["status"] == "completed"
    assert t["project"] == holder["id"]
    assert "dataset" in t["system_tags"]
    assert t["runtime"]["version"] == "1.0.0"
    assert t["runtime"]["ds_file_count"] == 3 and t["runtime"]["ds_total_size"] == sum(len(v) for v in V1.values())
    assert {"Dataset Struct", "Dataset Content"} <= set(t["configuration"])
    struct = json.loads(t["configuration"]["Dataset Struct"]["value"])
    assert [n["job_id"] for n in struct.values()] == [cli["id1"]]
    assert set(artifacts_of(api, cli["id1"])) >= {"state", "data"}


def test_cli_child_version_holds_only_its_changes(cli, api):
    assert "1 files removed, 1 added, 1 modified" in cli["sync2"], cli["sync2"]
    assert "Dataset closed and finalized" in cli["sync2"]
    t = task_doc(api, cli["id2"])
    assert t["status"] == "completed" and t["runtime"]["version"] == "1.0.1"
    arts = artifacts_of(api, cli["id2"])
    state = json.loads(fetch(api, arts["state"]["uri"]))
    assert state["dependency_graph"] == {cli["id1"]: [], cli["id2"]: [cli["id1"]]}
    entries = {e["relative_path"]: e for e in state["dataset_file_entries"]}
    assert set(entries) == set(V2)
    assert entries["sub/b.bin"]["parent_dataset_id"] == cli["id1"]
    assert entries["a.txt"]["parent_dataset_id"] == cli["id2"] and entries["d.txt"]["parent_dataset_id"] == cli["id2"]
    # the child's one chunk holds the changed and the new file, nothing else
    with zipfile.ZipFile(io.BytesIO(fetch(api, arts["data"]["uri"]))) as z:
        assert {n: z.read(n) for n in z.namelist()} == {"a.txt": V2["a.txt"], "d.txt": V2["d.txt"]}


def test_cli_search_list_verify_compare(cli):
    env, work = cli["env"], cli["work"]
    search = clearml_data(env, "search", "--project", cli["project"], cwd=work)
    rows = {line.split("|")[-1].strip(): [c.strip() for c in line.split("|")] for line in search.splitlines() if re.search(r"\| *[0-9a-f]{32} *$", line)}
    assert rows[cli["id1"]][1:3] == ["images", "1.0.0"] and rows[cli["id2"]][1:3] == ["images", "1.0.1"], search
    listing = clearml_data(env, "list", "--id", cli["id2"], cwd=work)
    for rel, data in V2.items():
        assert re.search(rf"^{re.escape(rel)} +\| +{len(data):,} \| {sha256(data)}$", listing, re.M), (rel, listing)
    assert f"Total 3 files, {sum(len(v) for v in V2.values())} bytes" in listing
    assert "no errors found" in clearml_data(env, "verify", "--id", cli["id2"], cwd=work)
    compare = clearml_data(env, "compare", "--source", cli["id1"], "--target", cli["id2"], cwd=work)
    assert "1 files removed, 1 files modified, 1 files added" in compare, compare


def test_cli_get_copy_is_the_merged_tree(cli):
    target = cli["work"] / "copy-of-v2"
    clearml_data(cli["env"], "get", "--id", cli["id2"], "--copy", str(target), cwd=cli["work"])
    assert tree(target) == {k: sha256(v) for k, v in V2.items()}
    first = cli["work"] / "copy-of-v1"
    clearml_data(cli["env"], "get", "--id", cli["id1"], "--copy", str(first), cwd=cli["work"])
    assert tree(first) == {k: sha256(v) for k, v in V1.items()}


def test_cli_publish_then_delete(cli, api, cairn):
    env, work = cli["env"], cli["work"]
    clearml_data(env, "publish", "--id", cli["id2"], cwd=work)
    assert task_doc(api, cli["id2"])["status"] == "published"
    # a published version is not deleted (the CLI says so and the version stays)
    out = clearml_data(env, "delete", "--id", cli["id2"], cwd=work, ok=False)
    assert "Cannot delete published task" in out, out
    assert task_doc(api, cli["id2"])["status"] == "published"
    # a version of its own is deleted with its files
    gone = write_tree(work / "gone", {"x.txt": b"to be deleted\n"})
    gid = created_id(clearml_data(env, "create", "--project", cli["project"], "--name", "scratch", cwd=work))
    clearml_data(env, "add", "--id", gid, "--files", str(gone), cwd=work)
    clearml_data(env, "close", "--id", gid, cwd=work)
    chunk = artifacts_of(api, gid)["data"]["uri"]
    assert chunk.startswith(cairn.files_url)
    assert fetch(api, chunk)
    out = clearml_data(env, "delete", "--id", gid, "--force", cwd=work)
    assert "Dataset(s) deleted" in out, out
    r = api.call("tasks.get_by_id", {"task": gid})
    assert r.status == 400 and r.subcode == 101, r
    assert api.http.get(chunk, headers={"Authorization": f"Bearer {api.token}"}, timeout=30).status_code == 404


def test_cli_remove_upload_close_then_squash(cli, api):
    """A third version edited file by file (remove, add, upload, close), then squashed
    with the first into a dataset of its own that holds the merged tree."""
    env, work = cli["env"], cli["work"]
    id3 = created_id(clearml_data(env, "create", "--project", cli["project"], "--name", "images", "--parents", cli["id2"], cwd=work))
    out = clearml_data(env, "remove", "--id", id3, "--files", "d.txt", cwd=work)
    assert "1 file removed" in out, out
    extra = write_tree(work / "v3", {"e.txt": b"echo\n"})
    clearml_data(env, "add", "--id", id3, "--files", str(extra), cwd=work)
    assert "Dataset upload completed" in clearml_data(env, "upload", "--id", id3, cwd=work)
    assert "data" in artifacts_of(api, id3), "upload stored the changes before close"
    assert "Dataset closed and finalized" in clearml_data(env, "close", "--id", id3, cwd=work)
    v3 = {k: v for k, v in V2.items() if k != "d.txt"} | {"e.txt": b"echo\n"}
    copy3 = work / "copy-of-v3"
    clearml_data(env, "get", "--id", id3, "--copy", str(copy3), cwd=work)
    assert tree(copy3) == {k: sha256(v) for k, v in v3.items()}

    out = clearml_data(env, "squash", "--name", "images squashed", "--ids", cli["id1"], id3, cwd=work)
    m = re.search(r"Squashing completed, new dataset created id=([0-9a-f]{32})", out)
    assert m, out
    squashed = task_doc(api, m.group(1))
    assert squashed["status"] == "completed" and squashed["name"] == "images squashed"
    # the SDK's squash of several versions merges the files each one added itself:
    # the first version's three and the third's e.txt (not the merged tree of the third)
    copy_sq = work / "copy-of-squashed"
    clearml_data(env, "get", "--id", squashed["id"], "--copy", str(copy_sq), cwd=work)
    assert tree(copy_sq) == {k: sha256(v) for k, v in (V1 | {"e.txt": b"echo\n"}).items()}


# ------------------------------------------------------------------ the Dataset API

SDK_FLOW = r'''
import hashlib, json, os, shutil
from pathlib import Path
import pandas as pd
from clearml import Dataset, StorageManager

A = ARGS
def tree(root):
    root = Path(root)
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}
S = {}

@section("create_parent", timeout=120)
def _():
    d = Dataset.create(dataset_project=A["project"], dataset_name="tables", dataset_tags=["raw"], description="first cut")
    d.add_files(A["v1"])
    d.set_metadata(pd.DataFrame({"rows": [3, 4], "split": ["train", "test"]}), metadata_name="summary")
    d.upload()
    d.finalize()
    S["p"] = d
    return {"id": d.id, "version": d.version}

@section("create_child", timeout=180)
def _():
    d = Dataset.create(dataset_project=A["project"], dataset_name="tables", parent_datasets=[S["p"].id])
    d.remove_files("c.txt")
    d.add_files(A["v2"])
    d.add_external_files(A["external_url"], dataset_path="links")
    d.upload(chunk_size=1, preview=True)
    d.finalize()
    S["c"] = d
    return {"id": d.id, "version": d.version, "added": d.list_added_files(), "modified": d.list_modified_files(),
            "removed": d.list_removed_files()}

@section("get")
def _():
    p, c = S["p"].id, S["c"].id
    return {
        "by_id": Dataset.get(dataset_id=c).id == c,
        "latest": Dataset.get(dataset_project=A["project"], dataset_name="tables").id == c,
        "by_version": Dataset.get(dataset_project=A["project"], dataset_name="tables", dataset_version="1.0.0").id == p,
        "by_tag": Dataset.get(dataset_project=A["project"], dataset_name="tables", dataset_tags=["raw"]).id == p,
        "files": sorted(Dataset.get(dataset_id=c).list_files()),
    }

@section("local_copy", timeout=120)
def _():
    c = Dataset.get(dataset_id=S["c"].id)
    whole = tree(c.get_local_copy())
    mutable = tree(c.get_mutable_local_copy(A["mutable"]))
    parts = {}
    for i in range(2):
        parts.update(tree(c.get_local_copy(part=i, num_parts=2)))
    return {"whole": whole, "mutable": mutable, "parts": parts, "verify": c.verify_dataset_hash()}

@section("metadata")
def _():
    m = Dataset.get(dataset_id=S["p"].id).get_metadata(metadata_name="summary")
    return m.to_dict(orient="list")

@section("list")
def _():
    return [{"id": x["id"], "name": x["name"], "version": x["version"], "project": x["project"]}
            for x in Dataset.list_datasets(dataset_project=A["project"])]

@section("squash", timeout=120)
def _():
    sq = Dataset.squash(dataset_name="tables squashed", dataset_ids=[S["p"].id, S["c"].id])
    S["sq"] = sq
    return {"id": sq.id, "files": tree(Dataset.get(dataset_id=sq.id).get_local_copy())}

@section("move")
def _():
    Dataset.move_to_project(new_dataset_project=A["project"] + "/archive", dataset_project=A["project"], dataset_name="tables squashed")
    return [x["id"] for x in Dataset.list_datasets(dataset_project=A["project"] + "/archive")]

@section("rename")
def _():
    Dataset.rename("tables v2", dataset_project=A["project"], dataset_name="tables")
    return True

@section("delete")
def _():
    Dataset.delete(dataset_id=S["sq"].id, delete_files=True)
    return [x["id"] for x in Dataset.list_datasets(dataset_project=A["project"] + "/archive")]
'''

CONSUMER = r'''
import json, os
from clearml import Task, Dataset
A = json.loads(os.environ["COMPAT_ARGS"])
task = Task.init(project_name=A["project"], task_name="uses a dataset")
print("@@COMPAT_TASK_ID@@" + task.id, flush=True)
path = Dataset.get(dataset_id=A["dataset"], alias="train").get_local_copy()
print("@@COMPAT_JSON@@" + json.dumps(sorted(os.listdir(path))), flush=True)
task.close()
'''


@pytest.fixture(scope="module")
def sdk(cairn, api, tmp_path_factory):
    work = tmp_path_factory.mktemp("dataset-api")
    env = make_sdk_env(cairn, work / "home")
    project = f"compat dataset api {uuid.uuid4().hex[:8]}"
    external = write_tree(work / "external", {"ext.bin": pseudo_random(3000, 7)}) / "ext.bin"
    external_url = upload_to_file_server(env, external, f"{cairn.files_url}/{project}/external/ext.bin")
    args = {"project": project, "v1": str(write_tree(work / "v1", V1)), "v2": str(write_tree(work / "v2", V2)),
            "mutable": str(work / "mutable"), "external_url": external_url}
    rb = run_readback(SDK_FLOW, env, args=args, timeout=600)
    return {"rb": rb, "project": project, "env": env, "work": work, "external": external.read_bytes(), "external_url": external_url}


def upload_to_file_server(env: dict, path: Path, url: str) -> str:
    rb = run_readback(r'''
from clearml import StorageManager
@section("upload")
def _():
    return StorageManager.upload_file(ARGS["path"], ARGS["url"], wait_for_upload=True)
''', env, args={"path": str(path), "url": url})
    return rb["upload"]


def test_sdk_versions_and_lineage(sdk, api):
    rb = sdk["rb"]
    parent, child = rb["create_parent"], rb["create_child"]
    assert parent["version"] == "1.0.0" and child["version"] == "1.0.1"
    assert sorted(child["added"]) == ["d.txt", "links/ext.bin"] and child["modified"] == ["a.txt"] and child["removed"] == ["c.txt"]
    assert rb["get"] == {"by_id": True, "latest": True, "by_version": True, "by_tag": True,
                         "files": ["a.txt", "d.txt", "links/ext.bin", "sub/b.bin"]}
    state = json.loads(fetch(api, artifacts_of(api, child["id"])["state"]["uri"]))
    assert state["dependency_graph"] == {parent["id"]: [], child["id"]: [parent["id"]]}
    links = {e["relative_path"]: e["link"] for e in state["dataset_link_entries"]}
    assert links == {"links/ext.bin": sdk["external_url"]}
    # chunk_size=1 (MB): the child's two changed files are one chunk; previews were recorded
    arts = artifacts_of(api, child["id"])
    with zipfile.ZipFile(io.BytesIO(fetch(api, arts["data"]["uri"]))) as z:
        assert sorted(z.namelist()) == ["a.txt", "d.txt"]


def test_sdk_local_copies_are_the_merged_tree(sdk):
    want = {k: sha256(v) for k, v in V2.items()} | {"links/ext.bin": sha256(sdk["external"])}
    copies = sdk["rb"]["local_copy"]
    assert copies["whole"] == want
    assert copies["mutable"] == want
    assert copies["parts"] == want
    assert copies["verify"] == []


def test_sdk_metadata_list_squash_move_delete(sdk, api):
    rb = sdk["rb"]
    assert rb["metadata"] == {"rows": [3, 4], "split": ["train", "test"]}
    listed = {x["id"]: x for x in rb["list"]}
    assert {listed[rb["create_parent"]["id"]]["version"], listed[rb["create_child"]["id"]]["version"]} == {"1.0.0", "1.0.1"}
    assert {x["name"] for x in listed.values()} == {"tables"}
    squashed = rb["squash"]
    # the SDK squashes the files each version itself added (so c.txt, which the child
    # removed, comes back) and leaves link entries to their own versions
    assert squashed["files"] == {k: sha256(v) for k, v in V2.items()} | {"c.txt": sha256(V1["c.txt"])}
    # moved into <project>/archive, then deleted from there
    assert rb["move"] == [squashed["id"]]
    assert rb["delete"] == []
    r = api.call("tasks.get_by_id", {"task": squashed["id"]})
    assert r.status == 400 and r.subcode == 101
    # rename renames the dataset's hidden project (its versions keep their task names)
    assert rb["rename"] is True
    holder = project_by_name(api, f"{sdk['project']}/.datasets/tables v2")
    assert task_doc(api, rb["create_child"]["id"])["project"] == holder["id"]


def test_a_task_that_uses_a_dataset_records_it(sdk, api):
    from helpers import run_sdk_ok

    run = run_sdk_ok(CONSUMER, sdk["env"], args={"project": sdk["project"], "dataset": sdk["rb"]["create_child"]["id"]})
    assert run.json_result() == ["a.txt", "d.txt", "links", "sub"]
    t = task_doc(api, run.task_id())
    assert t["hyperparams"]["Datasets"]["train"]["value"] == sdk["rb"]["create_child"]["id"]


# ------------------------------------------------------------------ in the seed's datasets bucket

S3_FLOW = r'''
import hashlib
from pathlib import Path
from clearml import Dataset

def tree(root):
    root = Path(root)
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}

@section("write", timeout=120)
def _():
    d = Dataset.create(dataset_project=ARGS["project"], dataset_name="in s3", output_uri=ARGS["bucket"])
    d.add_files(ARGS["v1"])
    d.upload()
    d.finalize()
    return d.id
'''

S3_READ = r'''
import hashlib
from pathlib import Path
from clearml import Dataset

@section("read", timeout=120)
def _():
    root = Path(Dataset.get(dataset_id=ARGS["id"]).get_local_copy())
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}
'''


def test_dataset_in_the_datasets_bucket(moto_s3, cairn_s3, s3_sdk_env, tmp_path):
    s3_api = Api(cairn_s3.api_url)
    project = f"compat s3 datasets {uuid.uuid4().hex[:8]}"
    v1 = write_tree(tmp_path / "v1", V1)
    written = run_readback(S3_FLOW, s3_sdk_env(), args={"project": project, "bucket": moto_s3.url("datasets"), "v1": str(v1)})
    dataset_id = written["write"]
    arts = artifacts_of(s3_api, dataset_id)
    for key in ("state", "data"):
        assert arts[key]["uri"].startswith(moto_s3.url("datasets") + "/"), arts[key]
    with zipfile.ZipFile(io.BytesIO(moto_s3.get_bytes(arts["data"]["uri"]))) as z:
        assert {n: z.read(n) for n in z.namelist()} == V1
    keys = moto_s3.list_keys("datasets", prefix=f"{project}/.datasets/in s3/")
    folder = f"{project}/.datasets/in s3/in s3.{dataset_id}/artifacts"
    assert sorted(keys) == sorted([moto_s3.split(arts["data"]["uri"])[1], moto_s3.split(arts["state"]["uri"])[1]])
    assert all(k.startswith(folder + "/") for k in keys), keys
    # a new process, another HOME: the copy comes from the bucket
    read = run_readback(S3_READ, s3_sdk_env(), args={"id": dataset_id})
    assert read["read"] == {k: sha256(v) for k, v in V1.items()}
