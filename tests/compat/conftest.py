"""Fixtures of the compatibility suite.

A Cairn server (`node packages/cli/dist/main.js server`) is started once per test
session on free ports with a temporary data folder and fixed test credentials; a
second one with small size limits is started only when a test needs it. The clearml
SDK always runs in subprocesses (see helpers.run_sdk). When a test fails, the part
of the server log written during that test is attached to the report.

S3: `moto_s3` is a moto S3 server (tests/s3/moto_up.py) with the seed's buckets and
enforced credentials, `cairn_s3` a server with --storage-credentials for it and
`s3_sdk_env` the SDK with the seed's clearml.conf S3 block (test_s3_storage.py). With
COMPAT_FILES_STORE=s3 every server of the session keeps its files in that S3 server
(--files-store), so the whole suite runs once more against an S3 file store.

PostgreSQL: with COMPAT_DATABASE=postgres every server of the session keeps its metadata
and events in a database of its own on the session's PostgreSQL (tests/pg/postgres_up.mjs,
or the server CAIRN_TEST_POSTGRES names) instead of its data folder's SQLite file.

Replicas: with COMPAT_REPLICAS=N (N >= 2, with COMPAT_DATABASE=postgres and
COMPAT_FILES_STORE=s3) every server of the session is N `cairn server` processes on that
database and files store behind a round-robin proxy (replicas.py), so that consecutive
calls of every client land on different replicas. A server a test starts with its files on
disk stays a single process: replicas cannot share a data folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Optional

import pytest

from helpers import (
    MAIN_JS, SMALL_LIMIT_BYTES, Api, CairnServer, MotoS3, Postgres, make_sdk_env, seed_s3_conf, write_storage_credentials,
)
from replicas import ReplicatedServer

_SERVERS: list[CairnServer] = []
_LOG_MARKS = pytest.StashKey[dict]()

# COMPAT_FILES_STORE=s3: every Cairn server of the session keeps its files in the moto S3
# server of the session (--files-store s3://127.0.0.1:PORT/clearml/<server name> with
# --storage-credentials) instead of its data folder; clients keep the file-server URLs.
FILES_STORE = os.environ.get("COMPAT_FILES_STORE", "").strip().lower() or "disk"
FILES_IN_S3 = FILES_STORE == "s3"
# COMPAT_DATABASE=postgres: every Cairn server of the session runs with --database on a
# PostgreSQL database of its own.
DATABASE = os.environ.get("COMPAT_DATABASE", "").strip().lower() or "sqlite"
REPLICAS_SETTING = os.environ.get("COMPAT_REPLICAS", "").strip() or "1"


def pytest_sessionstart(session):
    if not MAIN_JS.exists():
        raise pytest.UsageError(f"the server is not built: {MAIN_JS} is missing; run `npm run build` first")
    if FILES_STORE not in ("disk", "s3"):
        raise pytest.UsageError(f"COMPAT_FILES_STORE must be 'disk' (the default) or 's3', not {FILES_STORE!r}")
    if DATABASE not in ("sqlite", "postgres"):
        raise pytest.UsageError(f"COMPAT_DATABASE must be 'sqlite' (the default) or 'postgres', not {DATABASE!r}")
    if not REPLICAS_SETTING.isdigit() or int(REPLICAS_SETTING) < 1:
        raise pytest.UsageError(f"COMPAT_REPLICAS must be a number of replicas (1, the default, or more), "
                                f"not {REPLICAS_SETTING!r}")
    if int(REPLICAS_SETTING) > 1 and (DATABASE != "postgres" or not FILES_IN_S3):
        raise pytest.UsageError("COMPAT_REPLICAS > 1 needs COMPAT_DATABASE=postgres and COMPAT_FILES_STORE=s3: "
                                "replicas share one database and one files store")


def pytest_report_header(config):
    return (f"cairn files store: {FILES_STORE}" + (" (moto S3, tests/s3/moto_up.py)" if FILES_IN_S3 else "")
            + f"; database: {DATABASE}; replicas: {REPLICAS_SETTING}")


@pytest.fixture(scope="session")
def compat_root():
    root = Path(tempfile.mkdtemp(prefix="cairn-compat-"))
    yield root
    if os.environ.get("COMPAT_KEEP"):
        print(f"\ncompat: kept server data and logs in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)


def _start(root: Path, name: str, extra_args=None, files_store: Optional[MotoS3] = None,
           database: Optional[Postgres] = None) -> CairnServer:
    """Starts a server; with `files_store` (COMPAT_FILES_STORE=s3) its file server keeps
    everything in that S3 server under clearml/<name>/, read with the seed's credentials
    (a --storage-credentials already among `extra_args` is kept); with `database`
    (COMPAT_DATABASE=postgres) it keeps its metadata in a new database there."""
    args = list(extra_args or [])
    if database is not None:
        args += ["--database", database.database_url(name)]
    if files_store is not None:
        args += ["--files-store", files_store.url("clearml", name)]
        if "--storage-credentials" not in args:
            creds = write_storage_credentials(files_store, root / name / "storage-credentials.conf")
            args += ["--storage-credentials", str(creds)]
    replicas = int(REPLICAS_SETTING)
    if replicas > 1 and "--files-store" in args:
        server = ReplicatedServer(root / name, name, args, replicas)
    else:
        server = CairnServer(root / name, name=name, extra_args=args)
    server.files_store = files_store.url("clearml", name) if files_store is not None else None
    _SERVERS.append(server)
    server.start()
    return server


def _finish(server: CairnServer) -> None:
    crashed = not server.alive()
    server.close()
    if crashed:
        pytest.fail(f"the Cairn server '{server.name}' exited during the tests; its log:\n{server.log_tail(120)}")


@pytest.fixture(scope="session")
def moto_s3(compat_root):
    """The session's S3 server (tests/s3/moto_up.py): one per session (per xdist worker),
    started when first needed."""
    moto = MotoS3(compat_root / "moto" / "moto.log").start()
    yield moto
    crashed = not moto.alive()
    moto.stop()
    if crashed:
        pytest.fail(f"the moto S3 server exited during the tests; its log:\n{moto.log_tail()}")


@pytest.fixture(scope="session")
def files_store(request):
    """The S3 server that every Cairn server keeps its files in (COMPAT_FILES_STORE=s3),
    else None (the data folder)."""
    return request.getfixturevalue("moto_s3") if FILES_IN_S3 else None


@pytest.fixture(scope="session")
def database(compat_root):
    """The PostgreSQL server every Cairn server keeps its metadata in (COMPAT_DATABASE=postgres),
    else None (each server's SQLite file)."""
    if DATABASE != "postgres":
        yield None
        return
    pg = Postgres(compat_root / "postgres" / "postgres.log").start()
    yield pg
    crashed = not pg.alive()
    pg.stop()
    if crashed:
        pytest.fail(f"PostgreSQL exited during the tests; its log:\n{pg.log_tail()}")


@pytest.fixture(scope="session")
def cairn(compat_root, files_store, database):
    """The main Cairn server (default limits)."""
    server = _start(compat_root, "cairn", files_store=files_store, database=database)
    yield server
    _finish(server)


@pytest.fixture(scope="session")
def cairn_small(compat_root, files_store, database):
    """A second server with 1 MiB request and upload limits."""
    server = _start(compat_root, "cairn-small", [
        "--max-request-bytes", str(SMALL_LIMIT_BYTES),
        "--max-upload-bytes", str(SMALL_LIMIT_BYTES),
    ], files_store=files_store, database=database)
    yield server
    _finish(server)


@pytest.fixture(scope="session")
def s3_storage_credentials(compat_root, moto_s3) -> Path:
    """The server's copy of the seed's sdk.aws.s3 block for the session's moto."""
    return write_storage_credentials(moto_s3, compat_root / "s3-credentials" / "storage-credentials.conf")


@pytest.fixture(scope="session")
def cairn_s3(compat_root, moto_s3, s3_storage_credentials, files_store, database):
    """A server with --storage-credentials for the session's moto (the S3 tests): it shows
    the objects the SDK wrote to S3 through signed /.cairn-s3 addresses."""
    server = _start(compat_root, "cairn-s3", ["--storage-credentials", str(s3_storage_credentials)],
                    files_store=files_store, database=database)
    yield server
    _finish(server)


@pytest.fixture(scope="session")
def s3_sdk_env(cairn_s3, moto_s3, tmp_path_factory):
    """Factory of SDK environments against `cairn_s3` (or `server`) in a fresh HOME whose
    clearml.conf is the seed's S3 block for moto and nothing else:
    `s3_sdk_env(secret=None, default_output_uri=None, server=None)`."""
    homes = tmp_path_factory.mktemp("s3-homes")

    def make(secret=None, default_output_uri=None, server=None, home=None, **extra):
        home = Path(home) if home else homes / f"home-{uuid.uuid4().hex[:8]}"
        conf = seed_s3_conf(moto_s3, secret=secret, default_output_uri=default_output_uri)
        return make_sdk_env(server or cairn_s3, home, extra=extra or None, conf_text=conf)

    return make


@pytest.fixture(scope="session")
def api(cairn) -> Api:
    """Raw-HTTP client of the main server, logged in with the test credentials."""
    return Api(cairn.api_url)


@pytest.fixture
def sdk_env(cairn, tmp_path):
    """Factory of SDK environments: `sdk_env(no_reuse=True, home=None)`. Each call without
    `home` gets a fresh isolated HOME; pass the same `home` to share the SDK's
    ~/.clearml session cache between runs (task reuse)."""

    def make(no_reuse: bool = True, home=None, **extra):
        home = Path(home) if home else tmp_path / f"home-{uuid.uuid4().hex[:8]}"
        return make_sdk_env(cairn, home, no_reuse=no_reuse, extra=extra or None)

    return make


@pytest.fixture
def unique_project():
    return f"compat {uuid.uuid4().hex[:10]}"


# ---- attach the server log of the failing test to its report


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # taken before any fixture of the test runs (module-scoped SDK runs included)
    item.stash[_LOG_MARKS] = {id(s): s.log_size() for s in _SERVERS}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        marks = item.stash.get(_LOG_MARKS, {})
        for server in _SERVERS:
            text = server.log_since(marks.get(id(server), 0), max_lines=150)
            if text.strip():
                report.sections.append((f"Cairn server '{server.name}' log during this test", text))
        for agent in item.stash.get(_AGENTS_KEY, []):
            report.sections.append((f"agent '{agent.name}' output", agent.tail(150)))


# ---- orchestration: git repository, agents, queues (tests/compat/test_orchestration*.py)

from agent_helpers import (  # noqa: E402
    AgentProcess, GitRepo, agent_env, cairn_agent_cmd, clearml_agent_conf, create_queue, make_git_repo,
    make_template_task,
)
from helpers import PYTHON  # noqa: E402

_AGENTS_KEY = pytest.StashKey[list]()


@pytest.fixture(scope="session")
def agent_work_dir(compat_root) -> Path:
    """`--work-dir` of every Cairn agent of the session: its venvs/ cache is what lets a
    task whose requirements were installed once start without pip."""
    path = compat_root / "agent-work"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def git_repo(compat_root) -> GitRepo:
    """A local git repository (bare origin + working clone) with train.py and requirements.txt."""
    return make_git_repo(compat_root / "git-repo")


@pytest.fixture(scope="session")
def template_task(cairn, git_repo, compat_root) -> str:
    """A task made by running train.py locally in the git repository (status completed,
    script = origin/branch/commit/train.py): the template the tests clone and enqueue."""
    return make_template_task(cairn, git_repo, compat_root / "template-home")


class Agents:
    """Factory of agent daemons for one test; all are stopped at its end, and a failing
    test's report carries their output."""

    def __init__(self, item, default_server, tmp_path: Path, work_dir: Path):
        self.item = item
        self.default_server = default_server
        self.tmp_path = tmp_path
        self.work_dir = work_dir
        self.started: list[AgentProcess] = []
        item.stash[_AGENTS_KEY] = self.started

    def cairn(self, queues, *, server=None, name: Optional[str] = None, poll_interval: float = 1,
              status_interval: Optional[float] = None, extra_args=None, env=None, wait_ready: bool = True,
              work_dir: Optional[Path] = None) -> AgentProcess:
        """`cairn agent daemon --queue Q... --foreground --name NAME` with the SDK environment."""
        server = server or self.default_server
        queues = [queues] if isinstance(queues, str) else list(queues)
        name = name or f"cairn-agent-{uuid.uuid4().hex[:6]}"
        home = self.tmp_path / f"agent-home-{name}"
        cmd = cairn_agent_cmd(queues, name, work_dir or self.work_dir, poll_interval=poll_interval,
                              status_interval=status_interval, extra=extra_args)
        agent = AgentProcess(cmd, agent_env(server, home, env), self.tmp_path / f"{name}.log", name)
        self.started.append(agent)
        agent.start()
        if wait_ready:
            agent.wait_output("pulling from", timeout=60)
        return agent

    def clearml_agent(self, queue: str, *, server=None, name: Optional[str] = None, env=None) -> AgentProcess:
        """The real `clearml-agent daemon --queue Q --foreground` from PyPI, pointed at Cairn by a
        clearml.conf; it polls every second and builds task virtualenvs that inherit system
        site-packages (pip's cache is the user's)."""
        server = server or self.default_server
        name = name or f"clearml-agent-{uuid.uuid4().hex[:6]}"
        home = self.tmp_path / f"agent-home-{name}"
        extra = {"CLEARML_AGENT_QUEUE_POLL_FREQ_SEC": "1", "CLEARML_WORKER_ID": name}
        extra.update(env or {})
        agent_environment = agent_env(server, home, extra)
        agent_environment["CLEARML_CONFIG_FILE"] = str(clearml_agent_conf(server, home, name))
        cmd = [str(Path(PYTHON).parent / "clearml-agent"), "daemon", "--queue", queue, "--foreground"]
        agent = AgentProcess(cmd, agent_environment, self.tmp_path / f"{name}.log", name)
        self.started.append(agent)
        agent.start()
        return agent

    def stop_all(self) -> None:
        for agent in self.started:
            agent.stop()


@pytest.fixture
def agents(request, cairn, tmp_path, agent_work_dir):
    factory = Agents(request.node, cairn, tmp_path, agent_work_dir)
    yield factory
    factory.stop_all()


@pytest.fixture
def make_queue(cairn):
    """`make_queue(server=None) -> (name, id)`: a fresh queue with a unique name."""

    def make(server=None):
        server = server or cairn
        name = f"orch-{uuid.uuid4().hex[:8]}"
        return name, create_queue(Api(server.api_url), name)

    return make


@pytest.fixture
def dedicated_server(compat_root, files_store, database):
    """`dedicated_server(*args, use_files_store=True) -> CairnServer`: a server of this test
    alone (restart, short worker time-out), stopped at its end. `use_files_store=False`
    keeps it off the session's S3 files store (tests that choose their own store)."""
    started: list[CairnServer] = []

    def make(*extra_args: str, use_files_store: bool = True) -> CairnServer:
        name = f"cairn-{uuid.uuid4().hex[:6]}"
        server = _start(compat_root, name, list(extra_args), files_store=files_store if use_files_store else None,
                        database=database)
        started.append(server)
        return server

    yield make
    for server in started:
        server.close()
