"""Bad input over raw HTTP: every failure answers with a ClearML envelope and a clear
code, nothing half-written stays behind, and the server keeps serving."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
import requests

from helpers import SMALL_LIMIT_BYTES, Api, ApiResult, assert_alive, b64url_decode, b64url_encode

MIB = 1024 * 1024


def assert_error(res: ApiResult, code: int, subcode: int | None = None, msg_contains: str | None = None) -> None:
    """A ClearML error envelope: HTTP status == meta.result_code, full meta, data {}."""
    assert res.status == code, f"expected HTTP {code}, got {res}"
    assert isinstance(res.json, dict) and isinstance(res.json.get("meta"), dict), f"not a ClearML envelope: {res}"
    meta = res.meta
    assert meta["result_code"] == code, res
    if subcode is not None:
        assert meta.get("result_subcode") == subcode, f"expected subcode {subcode}: {res}"
    assert isinstance(meta.get("result_msg"), str) and meta["result_msg"], res
    assert isinstance(meta.get("id"), str) and isinstance(meta.get("trx"), str), res
    assert isinstance(meta.get("endpoint"), dict) and isinstance(meta["endpoint"].get("name"), str), res
    assert isinstance(res.data, dict), f"data must be an object on errors: {res}"
    if msg_contains is not None:
        assert msg_contains.lower() in meta["result_msg"].lower(), f"message should mention {msg_contains!r}: {res}"


def new_task(api: Api, name: str = "bad input target") -> str:
    project = api.ok("projects.create", {"name": f"compat bad {uuid.uuid4().hex[:10]}", "description": ""})["id"]
    return api.ok("tasks.create", {"name": name, "type": "training", "project": project})["id"]


def upload(files_url: str, path: str, content: bytes, token: str | None) -> requests.Response:
    """Upload as the SDK does: multipart, the form field name is the target path."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(files_url + "/", files={path: (path, content, "application/octet-stream")},
                         headers=headers, timeout=120)


def download(files_url: str, path: str, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(files_url + quote(path), headers=headers, timeout=60)


# ------------------------------------------------------------------ request bodies


def test_malformed_json_body(api, cairn):
    res = api.call("tasks.get_all", raw=b'{"only_fields": ["id"], ')
    assert_error(res, 400, msg_contains="json")
    assert_alive(cairn)


def test_json_array_body(api, cairn):
    res = api.call("tasks.get_all", raw=b'[{"only_fields": ["id"]}]')
    assert_error(res, 400)
    assert_alive(cairn)


@pytest.mark.parametrize("endpoint,body", [
    ("tasks.create", {"name": 123, "type": "training"}),
    ("tasks.create", {"name": "typed wrong", "type": "training", "tags": "not-a-list"}),
    ("projects.create", {"name": ["not", "a", "string"]}),
    ("tasks.get_all", {"page": "first", "page_size": 10}),
], ids=["task-name-int", "task-tags-string", "project-name-list", "page-string"])
def test_wrong_field_types(api, cairn, endpoint, body):
    assert_error(api.call(endpoint, body), 400, subcode=12)
    assert_alive(cairn)


def test_wrong_types_store_nothing(api, cairn):
    name = f"never stored {uuid.uuid4().hex[:8]}"
    assert_error(api.call("tasks.create", {"name": name, "type": "training", "tags": 5}), 400, subcode=12)
    found = api.ok("tasks.get_all", {"name": f"^{name}$", "only_fields": ["id"]})["tasks"]
    assert found == []


def test_missing_required_field(api, cairn):
    res = api.call("tasks.create", {"type": "training"})
    assert_error(res, 400)
    assert res.subcode in (11, 12), res
    assert_alive(cairn)


@pytest.mark.parametrize("path", ["nosuch.thing", "tasks.no_such_action"])
@pytest.mark.parametrize("version", ["2.23", None])
def test_unknown_endpoint(api, cairn, path, version):
    assert_error(api.call(path, {}, version=version), 400, msg_contains="invalid endpoint")
    assert_alive(cairn)


def test_unknown_task_id(api, cairn):
    assert_error(api.call("tasks.get_by_id", {"task": "f" * 32}), 400, subcode=101)
    assert_alive(cairn)


# ------------------------------------------------------------------ authentication


def test_missing_token(api, cairn):
    assert_error(api.call("tasks.get_all", {}, token=None), 401)
    assert_alive(cairn)


def test_forged_signature(api, cairn):
    header, payload, sig = api.token.split(".")
    mid = len(sig) // 2
    forged_sig = sig[:mid] + ("A" if sig[mid] != "A" else "B") + sig[mid + 1:]
    assert_error(api.call("tasks.get_all", {}, token=f"{header}.{payload}.{forged_sig}"), 401)
    assert_alive(cairn)


def test_forged_claims(api, cairn):
    header, payload, sig = api.token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["exp"] = int(claims.get("exp", time.time())) + 10 * 365 * 24 * 3600
    if isinstance(claims.get("identity"), dict):
        claims["identity"]["user"] = "someone-else"
        claims["identity"]["role"] = "root"
    tampered = b64url_encode(json.dumps(claims).encode())
    assert_error(api.call("tasks.get_all", {}, token=f"{header}.{tampered}.{sig}"), 401)
    # and an unsigned token ("alg": "none")
    none_header = b64url_encode(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    assert_error(api.call("tasks.get_all", {}, token=f"{none_header}.{payload}."), 401)
    assert_error(api.call("tasks.get_all", {}, token="not-a-jwt"), 401)
    assert_alive(cairn)


def test_expired_token(api, cairn):
    # Token times are whole seconds (JWT iat/exp), so a 3 s token lives between 2 and 3 s:
    # a 1 s one could expire before its first call on a loaded machine (seen in CI).
    res = api.login(expiration_sec=3)
    assert res.status == 200 and res.code == 200, res
    token = res.data["token"]
    assert api.call("tasks.get_all", {"only_fields": ["id"], "page": 0, "page_size": 1}, token=token).status == 200
    time.sleep(3.5)
    assert_error(api.call("tasks.get_all", {}, token=token), 401)
    assert_alive(cairn)


def test_wrong_secret(api, cairn):
    assert_error(api.login(secret_key="definitely-not-the-secret"), 401)
    assert_error(api.login(access_key="NO-SUCH-ACCESS-KEY"), 401)
    assert_alive(cairn)


# ------------------------------------------------------------------ events


def _scalar(task: str, i: int, value: float) -> dict:
    return {"type": "training_stats_scalar", "task": task, "iter": i, "metric": "m", "variant": "v",
            "value": value, "timestamp": int(time.time() * 1000) + i}


def _batch(api: Api, lines: list[str], **kw) -> ApiResult:
    return api.call("events.add_batch", raw="\n".join(lines).encode(), content_type="application/json-lines", **kw)


def _read_scalars(api: Api, task: str) -> dict:
    return api.ok("events.scalar_metrics_iter_histogram", {"task": task, "key": "iter"})


def test_add_batch_with_invalid_events(api, cairn):
    task = new_task(api)
    valid = [json.dumps(_scalar(task, i, 0.5 * i)) for i in range(3)]
    invalid = [
        json.dumps({**_scalar(task, 7, 1.0), "type": "no_such_type"}),
        json.dumps({k: v for k, v in _scalar(task, 8, 1.0).items() if k != "task"}),
        json.dumps(_scalar("0" * 32, 9, 1.0)),
        json.dumps([1, 2, 3]),
    ]
    lines = [valid[0], invalid[0], valid[1], invalid[1], "", invalid[2], valid[2], invalid[3]]
    res = _batch(api, lines)
    assert res.status == 200 and res.code == 200, res
    assert res.data["added"] == 3 and res.data["errors"] == 4, res
    data = _read_scalars(api, task)
    assert data["m"]["v"]["x"] == [0, 1, 2]
    assert data["m"]["v"]["y"] == [0.0, 0.5, 1.0]
    assert api.ok("tasks.get_by_id", {"task": task})["task"]["last_iteration"] == 2
    assert_alive(cairn)


def test_add_batch_with_malformed_line(api, cairn):
    task = new_task(api)
    lines = [json.dumps(_scalar(task, 0, 1.0)), '{"type": "training_stats_scalar", "task": ', json.dumps(_scalar(task, 1, 2.0))]
    res = _batch(api, lines)
    assert res.status == 200 and res.code == 200, res
    assert res.data["added"] == 2 and res.data["errors"] == 1, res
    assert _read_scalars(api, task)["m"]["v"]["y"] == [1.0, 2.0]
    assert_alive(cairn)


def test_add_batch_all_invalid(api, cairn):
    res = _batch(api, [json.dumps(_scalar("0" * 32, 0, 1.0)), json.dumps({"type": "log"})])
    assert_error(res, 400, subcode=131)
    assert_alive(cairn)


def test_large_batch_accepted(api, cairn):
    """Batches up to the SDK's 15 MiB slices must pass the default limit."""
    task = new_task(api)
    big = "x" * (3 * MIB)
    plot = {"type": "plot", "task": task, "iter": 0, "metric": "big", "variant": "plot",
            "plot_str": json.dumps({"data": [{"type": "scatter", "name": big}], "layout": {}}),
            "timestamp": int(time.time() * 1000)}
    res = _batch(api, [json.dumps(plot), json.dumps(_scalar(task, 0, 1.0))])
    assert res.status == 200 and res.data["added"] == 2, res
    plots = api.ok("events.get_task_plots", {"task": task, "iters": 1, "no_scroll": True})["plots"]
    assert len(plots) == 1 and plots[0]["plot_str"] == plot["plot_str"]


def test_batch_over_size_limit(cairn_small):
    api = Api(cairn_small.api_url)
    task = new_task(api)
    line = json.dumps(_scalar(task, 0, 1.0))
    lines = [line] * (2 * MIB // len(line) + 1)
    assert len("\n".join(lines)) > SMALL_LIMIT_BYTES * 2 - 200
    try:
        res = _batch(api, lines)
    except requests.ConnectionError as e:
        pytest.fail(f"the server dropped the connection instead of answering 413: {e}")
    assert_error(res, 413)
    assert_alive(cairn_small)
    # nothing of the rejected batch was stored, and normal requests still work
    assert _read_scalars(api, task) == {}
    assert api.ok("tasks.get_by_id", {"task": task})["task"]["last_iteration"] == 0


# ------------------------------------------------------------------ file server


def test_upload_roundtrip_sanity(api, cairn):
    """Baseline for the failure cases below: a normal upload comes back byte for byte."""
    path = f"/compat bad/{uuid.uuid4().hex}/ok file.bin"
    content = bytes(range(256)) * 100
    r = upload(cairn.files_url, path, content, api.token)
    assert r.status_code == 200, r.text[:500]
    got = download(cairn.files_url, path, api.token)
    assert got.status_code == 200 and got.content == content


def test_upload_over_size_limit(cairn_small):
    api = Api(cairn_small.api_url)
    path = f"/compat-limit/{uuid.uuid4().hex}/too big.bin"
    try:
        r = upload(cairn_small.files_url, path, b"\x01" * (2 * MIB), api.token)
    except requests.ConnectionError as e:
        pytest.fail(f"the file server dropped the connection instead of answering 413: {e}")
    assert r.status_code == 413, f"{r.status_code}: {r.text[:500]}"
    assert download(cairn_small.files_url, path, api.token).status_code == 404, "the rejected upload left a file"
    assert_alive(cairn_small)
    # a file under the limit still goes through
    small_path = f"/compat-limit/{uuid.uuid4().hex}/small.bin"
    assert upload(cairn_small.files_url, small_path, b"ok" * 1000, api.token).status_code == 200
    assert download(cairn_small.files_url, small_path, api.token).content == b"ok" * 1000


def test_upload_cut_off_midstream(api, cairn):
    path = f"/compat-cut/{uuid.uuid4().hex}/half.bin"
    content = bytes(range(256)) * 2048  # 512 KiB
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"{path}\"; filename=\"{path}\"\r\n"
        f"Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    head = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{cairn.files_port}\r\nAuthorization: Bearer {api.token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", cairn.files_port), timeout=30) as s:
        s.sendall(head + body[: len(body) // 2])
    # the server may need a moment to notice the closed connection and clean up
    status = None
    for _ in range(50):
        status = download(cairn.files_url, path, api.token).status_code
        if status == 404:
            break
        time.sleep(0.1)
    assert status == 404, f"a cut-off upload left a file behind (GET answered {status})"
    assert_alive(cairn)
    # the same path can be uploaded properly afterwards
    assert upload(cairn.files_url, path, content, api.token).status_code == 200
    assert download(cairn.files_url, path, api.token).content == content


# ------------------------------------------------------------------ task state


def test_illegal_status_transition(api, cairn):
    task = new_task(api)
    assert_error(api.call("tasks.completed", {"task": task, "force": False}), 400, subcode=110)
    assert api.ok("tasks.get_by_id", {"task": task})["task"]["status"] == "created"
    assert_error(api.call("tasks.publish", {"task": task}), 400, subcode=110)
    assert api.ok("tasks.get_by_id", {"task": task})["task"]["status"] == "created"
    # force bypasses the state machine
    api.ok("tasks.completed", {"task": task, "force": True})
    assert api.ok("tasks.get_by_id", {"task": task})["task"]["status"] == "completed"
    assert_alive(cairn)


def _parallel(n: int, fn):
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        return fn(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def _client(api: Api) -> Api:
    c = Api(api.base_url)
    c._token = api.token
    return c


def test_concurrent_edits(api, cairn):
    task = new_task(api)
    n = 20

    def edit(i):
        return _client(api).call("tasks.edit", {"task": task, "tags": [f"tag-{i}"], "comment": f"comment {i}"})

    results = _parallel(n, edit)
    bad = [str(r) for r in results if r.status != 200 or r.code != 200]
    assert not bad, "concurrent tasks.edit calls failed:\n" + "\n".join(bad[:5])
    doc = api.ok("tasks.get_by_id", {"task": task})["task"]
    assert len(doc["tags"]) == 1 and doc["tags"][0].startswith("tag-"), doc["tags"]
    i = int(doc["tags"][0].split("-")[1])
    assert doc["comment"] == f"comment {i}", "tags and comment come from different edits (torn write)"
    assert_alive(cairn)


def test_concurrent_hyperparam_additions(api, cairn):
    task = new_task(api)
    n = 20

    def add(i):
        return _client(api).call("tasks.edit_hyper_params", {
            "task": task, "replace_hyperparams": "none",
            "hyperparams": [{"section": "conc", "name": f"p{i}", "value": str(i), "type": "int"}],
        })

    results = _parallel(n, add)
    bad = [str(r) for r in results if r.status != 200 or r.code != 200]
    assert not bad, "concurrent tasks.edit_hyper_params calls failed:\n" + "\n".join(bad[:5])
    doc = api.ok("tasks.get_by_id", {"task": task})["task"]
    conc = doc["hyperparams"].get("conc", {})
    assert sorted(conc) == sorted(f"p{i}" for i in range(n)), f"lost updates: only {sorted(conc)}"
    assert all(conc[f"p{i}"]["value"] == str(i) for i in range(n))
    params = api.ok("tasks.get_hyper_params", {"tasks": [task]})["params"]
    assert params[0]["task"] == task
    assert {p["name"] for p in params[0]["hyperparams"] if p["section"] == "conc"} == {f"p{i}" for i in range(n)}
    assert_alive(cairn)
