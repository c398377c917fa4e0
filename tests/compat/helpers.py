"""Shared helpers of the compatibility suite: the Cairn server process, the SDK
subprocess runner and a raw-HTTP client for the ClearML API.

The tests import this module as ``helpers`` (pytest puts this folder on sys.path).
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import requests

ROOT = Path(__file__).resolve().parents[2]
MAIN_JS = ROOT / "packages" / "cli" / "dist" / "main.js"

# Fixed test credentials handed to the server through CAIRN_ACCESS_KEY / CAIRN_SECRET_KEY.
ACCESS_KEY = "CAIRNCOMPATTESTKEY01"
SECRET_KEY = "cairn-compat-secret-0123456789abcdefABCDEF"

# Python of the venv that runs pytest: it has clearml installed.
PYTHON = sys.executable

RESULT_MARK = "@@COMPAT_JSON@@"
TASK_ID_MARK = "@@COMPAT_TASK_ID@@"

SMALL_LIMIT_BYTES = 1024 * 1024  # limits of the second server, for the size-limit checks

SDK_TIMEOUT_S = float(os.environ.get("COMPAT_SDK_TIMEOUT", "180"))


# --------------------------------------------------------------------------- server


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A loopback port free now, at random below the kernel's ephemeral range: a port in
    that range can be taken by any outgoing connection of a parallel suite between this
    pick and the server's listen (packages/server/src/testing/ports.ts says the same)."""
    high = _ephemeral_low() - 1
    for _ in range(50 if high > 10_000 else 0):
        port = random.randint(10_000, high)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(n: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < n:
        ports.add(free_port())
    return list(ports)


def server_env() -> dict:
    """The environment of a `cairn server` of the tests: the fixed test credentials and
    none of the caller's CAIRN_*, CLEARML_*, DATABASE_URL or AWS_* (which would be the
    server's default S3 credentials; --storage-credentials decides)."""
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith(("CAIRN_", "CLEARML_", "AWS_")) or k == "DATABASE_URL")}
    env["CAIRN_ACCESS_KEY"] = ACCESS_KEY
    env["CAIRN_SECRET_KEY"] = SECRET_KEY
    return env


def stop_process_group(proc: Optional[subprocess.Popen], grace: float = 15) -> None:
    """SIGTERM to the process group of `proc` (started with start_new_session), SIGKILL
    after `grace` seconds."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


class LoopbackUrls:
    """The API, web and file-server URLs of `api_port`, `web_port` and `files_port` on loopback."""

    api_port: int
    web_port: int
    files_port: int

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def files_url(self) -> str:
        return f"http://127.0.0.1:{self.files_port}"


class CairnServer(LoopbackUrls):
    """One `cairn server` process on free ports with its own data folder."""

    def __init__(self, workdir: Path, name: str = "cairn", extra_args: Optional[list[str]] = None):
        self.name = name
        self.workdir = Path(workdir)
        self.extra_args = list(extra_args or [])
        # s3://... when the file server keeps its files in S3 (--files-store), else None
        self.files_store: Optional[str] = None
        self.data_dir = self.workdir / "data"
        self.log_path = self.workdir / "server.log"
        self.proc: Optional[subprocess.Popen] = None
        self.api_port = self.web_port = self.files_port = 0

    def start(self, attempts: int = 3, ready_timeout: float = 60.0, keep_ports: bool = False) -> "CairnServer":
        """Starts the server on free ports; with `keep_ports` (a restart) on the ports and
        data folder it had before."""
        if not MAIN_JS.exists():
            raise RuntimeError(f"the server is not built: {MAIN_JS} is missing (run `npm run build`)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        last_error = ""
        keep_ports = keep_ports and bool(self.api_port)
        for _ in range(attempts):
            if not keep_ports:
                self.api_port, self.web_port, self.files_port = free_ports(3)
            self.data_dir.mkdir(parents=True, exist_ok=True)
            env = server_env()
            cmd = [
                "node", str(MAIN_JS), "server",
                "--host", "127.0.0.1",
                "--data-dir", str(self.data_dir),
                "--api-port", str(self.api_port),
                "--web-port", str(self.web_port),
                "--files-port", str(self.files_port),
                "--log-requests",
                *self.extra_args,
            ]
            log = open(self.log_path, "ab")
            log.write(f"$ {' '.join(cmd)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                cmd, cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            log.close()
            deadline = time.monotonic() + ready_timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    r = requests.get(f"{self.api_url}/debug.ping", timeout=2)
                    if r.status_code == 200:
                        return self
                except requests.RequestException:
                    pass
                time.sleep(0.2)
            last_error = self.log_tail(80)
            self.stop()
            if "EADDRINUSE" not in last_error:
                break
            if keep_ports:
                time.sleep(1)  # the old process's sockets may linger a moment
        raise RuntimeError(f"Cairn server '{self.name}' did not answer debug.ping; its log:\n{last_error}")

    @property
    def data_dirs(self) -> list[Path]:
        """Every data folder the server uses (one here; one per replica in replicas.py)."""
        return [self.data_dir]

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self) -> None:
        """Stops the server for good (a replicated server also stops its proxy)."""
        self.stop()

    def stop(self) -> None:
        stop_process_group(self.proc)

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def log_since(self, offset: int, max_lines: int = 200) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                text = f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""
        lines = text.splitlines()
        if len(lines) > max_lines:
            lines = [f"... ({len(lines) - max_lines} earlier lines cut)"] + lines[-max_lines:]
        return "\n".join(lines)

    def log_tail(self, max_lines: int = 200) -> str:
        return self.log_since(0, max_lines)


REQUEST_LINE = re.compile(r"\b(GET|POST|PUT|DELETE|HEAD) (\S+) (\d{3}) ")


def rejected_calls(log_text: str) -> tuple[int, list[str]]:
    """From a `--log-requests` server log: (number of request lines, lines answered >= 400)."""
    lines = [m for m in (REQUEST_LINE.search(ln) for ln in log_text.splitlines()) if m]
    return len(lines), [m.group(0).strip() for m in lines if int(m.group(3)) >= 400]


def assert_alive(server: CairnServer) -> None:
    """The server still answers (used after every bad-input check)."""
    assert server.alive(), f"server process exited; log:\n{server.log_tail(60)}"
    r = requests.get(f"{server.api_url}/debug.ping", timeout=10)
    assert r.status_code == 200, f"debug.ping answered {r.status_code}: {r.text[:500]}"
    assert r.json()["meta"]["result_code"] == 200


# --------------------------------------------------------------------------- raw HTTP


@dataclass
class ApiResult:
    status: int
    text: str
    json: Any = None

    @property
    def meta(self) -> dict:
        return (self.json or {}).get("meta") or {} if isinstance(self.json, dict) else {}

    @property
    def data(self) -> dict:
        return (self.json or {}).get("data") if isinstance(self.json, dict) else None

    @property
    def code(self) -> Optional[int]:
        return self.meta.get("result_code")

    @property
    def subcode(self) -> Optional[int]:
        return self.meta.get("result_subcode")

    @property
    def msg(self) -> str:
        return str(self.meta.get("result_msg"))

    def __str__(self) -> str:
        return f"HTTP {self.status}: {self.text[:800]}"


class Api:
    """Minimal ClearML API client over requests, for raw assertions."""

    def __init__(self, base_url: str, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY):
        self.base_url = base_url.rstrip("/")
        self.access_key = access_key
        self.secret_key = secret_key
        self.http = requests.Session()
        self._token: Optional[str] = None

    def login(self, access_key: Optional[str] = None, secret_key: Optional[str] = None,
              expiration_sec: Optional[int] = None) -> ApiResult:
        url = f"{self.base_url}/auth.login"
        if expiration_sec is not None:
            url += f"?expiration_sec={expiration_sec}"
        r = requests.get(url, auth=(access_key or self.access_key, secret_key or self.secret_key), timeout=30)
        return _result(r)

    @property
    def token(self) -> str:
        if self._token is None:
            res = self.login()
            assert res.status == 200 and res.code == 200, f"auth.login failed: {res}"
            token = res.data["token"]
            assert isinstance(token, str) and token.count(".") == 2, f"login token is not a JWT: {token!r}"
            self._token = token
        return self._token

    def call(self, endpoint: str, body: Any = None, *, token: Any = "default", method: str = "POST",
             raw: Optional[bytes] = None, content_type: str = "application/json",
             headers: Optional[dict] = None, version: Optional[str] = "2.23", timeout: float = 60) -> ApiResult:
        path = f"/v{version}/{endpoint}" if version else f"/{endpoint}"
        h = {"Content-Type": content_type}
        if token == "default":
            token = self.token
        if token:
            h["Authorization"] = f"Bearer {token}"
        if headers:
            h.update(headers)
        data = raw if raw is not None else (json.dumps(body if body is not None else {}).encode())
        r = self.http.request(method, self.base_url + path, data=data, headers=h, timeout=timeout)
        return _result(r)

    def ok(self, endpoint: str, body: Any = None, **kw) -> dict:
        """Calls and asserts a 200 envelope; returns data."""
        res = self.call(endpoint, body, **kw)
        assert res.status == 200 and res.code == 200, f"{endpoint} failed: {res}"
        assert isinstance(res.data, dict), f"{endpoint}: data is not an object: {res}"
        return res.data


def _result(r: requests.Response) -> ApiResult:
    try:
        body = r.json()
    except ValueError:
        body = None
    return ApiResult(status=r.status_code, text=r.text, json=body)


def b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# --------------------------------------------------------------------------- SDK subprocesses


# The SDK runs with its default configuration: the clearml.conf of the isolated HOME is
# empty (no developer settings leak in, and none hides what a user would meet). That
# includes its default reporting from a forked subprocess on Linux, whose fork used to
# race the repository-detection thread's git calls (see
# packages/server/src/services/tasks/code-recording.ts).
SDK_CONF = ""


def make_sdk_env(server: CairnServer, home: Path, *, no_reuse: bool = True,
                 cache_dir: Optional[Path] = None, extra: Optional[dict] = None,
                 conf_text: Optional[str] = None) -> dict:
    """Environment for a process that uses the clearml SDK against `server` with an
    isolated HOME (so a developer's ~/clearml.conf and ~/.clearml caches stay out).
    `conf_text` replaces the empty clearml.conf (the S3 tests: `seed_s3_conf`)."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    cache_dir = Path(cache_dir) if cache_dir else home / "clearml-cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = home / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    conf = home / "clearml.conf"
    conf.write_text(SDK_CONF if conf_text is None else conf_text)
    # a developer's AWS_* variables would be the SDK's default S3 credentials: kept out
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("CLEARML_") or k.startswith("TRAINS_") or k.startswith("CAIRN_")
                   or k.startswith("AWS_"))}
    env.update({
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "CLEARML_API_HOST": server.api_url,
        "CLEARML_WEB_HOST": server.web_url,
        "CLEARML_FILES_HOST": server.files_url,
        "CLEARML_API_ACCESS_KEY": ACCESS_KEY,
        "CLEARML_API_SECRET_KEY": SECRET_KEY,
        "CLEARML_CACHE_DIR": str(cache_dir),
        "CLEARML_SUPPRESS_UPDATE_MESSAGE": "1",
        "CLEARML_LOG_LEVEL": "WARNING",
        "CLEARML_WORKER_NAME": "compat-worker",
        "CLEARML_CONFIG_FILE": str(conf),
    })
    if no_reuse:
        env["CLEARML_TASK_NO_REUSE"] = "1"
    if extra:
        env.update(extra)
    return env


@dataclass
class SdkRun:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False
    script_path: str = ""

    def __iter__(self):
        """`returncode, stdout, stderr = run_sdk(...)` works too."""
        return iter((self.returncode, self.stdout, self.stderr))

    def describe(self, max_chars: int = 6000) -> str:
        out = self.stdout[-max_chars:]
        err = self.stderr[-max_chars:]
        state = "TIMED OUT" if self.timed_out else f"exit code {self.returncode}"
        return f"SDK script {self.script_path} {state}\n--- stdout (tail) ---\n{out}\n--- stderr (tail) ---\n{err}"

    def json_result(self) -> Any:
        found = result_json(self.stdout)
        if found is None:
            raise AssertionError(f"the script printed no result line\n{self.describe()}")
        return found

    def task_id(self) -> str:
        found = marked_task_id(self.stdout, TASK_ID_MARK)
        if found is None:
            raise AssertionError(f"the script printed no task id\n{self.describe()}")
        return found


# The SDK's own threads print to the same stdout (the resource monitor's "GPU
# monitoring failed ..." on a machine with a GPU driver but no usable GPU), and
# print() writes the text and its newline separately, so their words can land
# before or right after a marked line's value on the same line. Marks are found
# anywhere in a line and ids are read as exactly 32 hex digits.
def marked_task_id(stdout: str, mark: str) -> Optional[str]:
    found = re.search(re.escape(mark) + r"([0-9a-f]{32})", stdout)
    return found.group(1) if found else None


def result_json(stdout: str) -> Any:
    """The value of the last result line, whatever was printed around it."""
    for line in reversed(stdout.splitlines()):
        at = line.find(RESULT_MARK)
        if at >= 0:
            return json.JSONDecoder().raw_decode(line, at + len(RESULT_MARK))[0]
    return None


def run_sdk(script_text: str, env: dict, *, timeout: float = SDK_TIMEOUT_S, cwd: Optional[Path] = None,
            args: Any = None) -> SdkRun:
    """Runs `script_text` with the venv's python in a fresh process (Task.init is
    process-global). `args` is handed to the script as JSON in $COMPAT_ARGS.
    The script runs outside the repository so the SDK's git detection stays quiet."""
    workdir = Path(cwd) if cwd else Path(tempfile.mkdtemp(prefix="compat-sdk-", dir=env.get("TMPDIR")))
    workdir.mkdir(parents=True, exist_ok=True)
    fd, path = tempfile.mkstemp(prefix="sdk_script_", suffix=".py", dir=str(workdir))
    with os.fdopen(fd, "w") as f:
        # on a time-out the harness sends SIGUSR2 to get every thread's stack in stderr
        f.write("import faulthandler as _fh, signal as _sig; _fh.register(_sig.SIGUSR2, all_threads=True)\n")
        f.write(textwrap.dedent(script_text))
    run_env = dict(env)
    if args is not None:
        run_env["COMPAT_ARGS"] = json.dumps(args)
    proc = subprocess.Popen(
        [PYTHON, path], cwd=str(workdir), env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.kill(proc.pid, signal.SIGUSR2)
            time.sleep(2)
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
    finally:
        # the SDK may leave a reporting subprocess behind in the same group
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    return SdkRun(
        returncode=proc.returncode if not timed_out else -9,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        timed_out=timed_out,
        script_path=path,
    )


def run_sdk_ok(script_text: str, env: dict, **kw) -> SdkRun:
    res = run_sdk(script_text, env, **kw)
    assert not res.timed_out and res.returncode == 0, res.describe()
    return res


# A preamble for read-back scripts: each section runs in its own thread with a time
# limit, so one hanging SDK call (the SDK retries some failures forever) cannot take
# the other sections with it. Sections store JSON-able values or an error text.
READBACK_PREAMBLE = r'''
import json, os, sys, threading, traceback
ARGS = json.loads(os.environ.get("COMPAT_ARGS", "null"))
RESULTS = {}

def section(name, timeout=60.0):
    def deco(fn):
        box = {}
        def target():
            try:
                box["value"] = fn()
            except BaseException:
                box["error"] = traceback.format_exc()
        t = threading.Thread(target=target, daemon=True)
        t.start()
        t.join(timeout)
        if t.is_alive():
            RESULTS[name] = {"ok": False, "error": "timed out after %ss (the SDK kept retrying)" % timeout}
        elif "error" in box:
            RESULTS[name] = {"ok": False, "error": box["error"]}
        else:
            RESULTS[name] = {"ok": True, "value": box.get("value")}
        return fn
    return deco

def finish():
    sys.stdout.flush()
    sys.stdout.write("@@COMPAT_JSON@@" + json.dumps(RESULTS, default=repr) + "\n")
    sys.stdout.flush()
    os._exit(0)
'''


@dataclass
class Sections:
    """Results of a read-back script: `sections["name"]` returns the value or fails
    the test with the error the SDK raised in that section."""

    results: dict
    run: Optional[SdkRun] = None
    extra: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        import pytest

        entry = self.results.get(name)
        if entry is None:
            pytest.fail(f"read-back section {name!r} did not run")
        if not entry.get("ok"):
            pytest.fail(f"read-back section {name!r} failed in the SDK:\n{entry.get('error')}")
        return entry["value"]


def run_readback(script_body: str, env: dict, args: Any = None, timeout: float = SDK_TIMEOUT_S) -> Sections:
    res = run_sdk(READBACK_PREAMBLE + textwrap.dedent(script_body) + "\nfinish()\n", env, args=args,
                  timeout=timeout)
    assert not res.timed_out, res.describe()
    return Sections(results=res.json_result(), run=res)


# ------------------------------------------------------------- test services (moto, PostgreSQL)


class ServiceProcess:
    """A test service in a subprocess that prints one JSON line once it is ready and
    serves until its standard input closes (tests/s3/moto_up.py, tests/pg/postgres_up.mjs)."""

    name = "service"

    def __init__(self, log_path: Path):
        self.log_path = Path(log_path)
        self.proc: Optional[subprocess.Popen] = None

    def _launch(self, cmd: list[str], timeout: float, env: Optional[dict] = None) -> dict:
        """Starts `cmd` and answers its ready line; stops it when none comes in `timeout` s."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env,
                                         start_new_session=True)
        box: dict = {}

        def read_first_line():
            box["line"] = self.proc.stdout.readline()

        import threading

        reader = threading.Thread(target=read_first_line, daemon=True)
        reader.start()
        reader.join(timeout)
        line = box.get("line") or b""
        if not line.strip():
            self.stop()
            raise RuntimeError(f"{self.name} did not start (no ready line in {timeout}s); its log:\n{self.log_tail()}")
        return json.loads(line)

    @property
    def data_dirs(self) -> list[Path]:
        """Every data folder the server uses (one here; one per replica in replicas.py)."""
        return [self.data_dir]

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self) -> None:
        """Stops the server for good (a replicated server also stops its proxy)."""
        self.stop()

    def stop(self) -> None:
        if not self.proc:
            return
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def log_tail(self, max_chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-max_chars:]
        except FileNotFoundError:
            return ""


POSTGRES_UP = ROOT / "tests" / "pg" / "postgres_up.mjs"


class Postgres(ServiceProcess):
    """tests/pg/postgres_up.mjs (Debian's PostgreSQL, a cluster on a free loopback port);
    or, when CAIRN_TEST_POSTGRES names a running one, that one. Each server gets a
    database of its own (`database_url`)."""

    name = "PostgreSQL"

    def __init__(self, log_path: Path):
        super().__init__(log_path)
        self.admin_url = ""

    def start(self, timeout: float = 60.0) -> "Postgres":
        self.admin_url = os.environ.get("CAIRN_TEST_POSTGRES") or self._launch(["node", str(POSTGRES_UP)], timeout)["adminUrl"]
        return self

    def alive(self) -> bool:
        return self.proc is None or super().alive()

    def database_url(self, name: str) -> str:
        """A new empty database (`name` made unique) and its URL."""
        db = "c_" + re.sub(r"[^a-z0-9_]", "_", name.lower()) + "_" + uuid.uuid4().hex[:8]
        subprocess.run(["psql", self.admin_url, "-v", "ON_ERROR_STOP=1", "-q", "-c", f"CREATE DATABASE {db}"],
                       check=True, capture_output=True, timeout=60)
        return self.admin_url.rsplit("/", 1)[0] + "/" + db


MOTO_UP = ROOT / "tests" / "s3" / "moto_up.py"
S3_BUCKETS = ("clearml", "datasets", "models")


class MotoS3(ServiceProcess):
    """tests/s3/moto_up.py (moto's S3 server on a free loopback port, credentials
    enforced, buckets clearml/datasets/models). moto speaks the plain S3 API only:
    MinIO's own behaviour (bucket policies, its multipart part-size rules, console API)
    is not exercised."""

    name = "moto"

    def __init__(self, log_path: Path):
        super().__init__(log_path)
        self.endpoint = self.host = self.key = self.secret = ""
        self.buckets: list[str] = []

    @property
    def port(self) -> int:
        return int(self.host.rsplit(":", 1)[1])

    def start(self, timeout: float = 60.0) -> "MotoS3":
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        info = self._launch([PYTHON, str(MOTO_UP)], timeout, env=env)
        self.endpoint, self.host = info["endpoint"], info["host"]
        self.key, self.secret, self.buckets = info["key"], info["secret"], list(info["buckets"])
        return self

    def url(self, bucket: str = "clearml", key: str = "") -> str:
        """The SDK's address of an object (or prefix): s3://127.0.0.1:PORT/BUCKET/KEY."""
        return f"s3://{self.host}/{bucket}" + (f"/{key.lstrip('/')}" if key else "")

    def client(self, secret: Optional[str] = None):
        """A boto3 S3 client with the platform's key (or another secret)."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id=self.key,
            aws_secret_access_key=secret or self.secret,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
        )

    def split(self, url: str) -> tuple[str, str]:
        """(bucket, key) of an s3://HOST:PORT/BUCKET/KEY address of this server."""
        prefix = f"s3://{self.host}/"
        assert url.startswith(prefix), f"{url!r} is not an address on {prefix}"
        bucket, _, key = url[len(prefix):].partition("/")
        return bucket, key

    def get_bytes(self, url: str) -> bytes:
        bucket, key = self.split(url)
        return self.client().get_object(Bucket=bucket, Key=key)["Body"].read()

    def list_keys(self, bucket: str, prefix: str = "") -> list[str]:
        keys: list[str] = []
        paginator = self.client().get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            keys += [o["Key"] for o in page.get("Contents", [])]
        return keys


def seed_s3_conf(moto: MotoS3, *, secret: Optional[str] = None, host: Optional[str] = None,
                 default_output_uri: Optional[str] = None) -> str:
    """A clearml.conf in the seed deployment's shape: one `sdk.aws.s3.credentials` entry
    per bucket (plain HTTP, no multipart) and, for the SDK, `development.default_output_uri`
    (s3://HOST/clearml unless given; "" leaves it out). The server reads the same file
    through --storage-credentials (it looks only at sdk.aws.s3)."""
    host = host or moto.host
    secret = secret or moto.secret
    entries = "\n".join(
        f'        {{ host: "{host}", bucket: "{b}", key: "{moto.key}", secret: "{secret}", '
        f'multipart: false, secure: false }}'
        for b in moto.buckets
    )
    out = f"s3://{host}/clearml" if default_output_uri is None else default_output_uri
    dev = f'  development {{ default_output_uri: "{out}" }}\n' if out else ""
    return f"sdk {{\n  aws {{\n    s3 {{\n      credentials: [\n{entries}\n      ]\n    }}\n  }}\n{dev}}}\n"


def write_storage_credentials(moto: MotoS3, path: Path, *, secret: Optional[str] = None,
                              host: Optional[str] = None) -> Path:
    """The server's copy of the seed's `sdk.aws.s3` block, for --storage-credentials."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(seed_s3_conf(moto, secret=secret, host=host, default_output_uri=""))
    return path
