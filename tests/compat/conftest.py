"""Fixtures of the compatibility suite.

A Cairn server (`node packages/cli/dist/main.js server`) is started once per test
session on free ports with a temporary data folder and fixed test credentials; a
second one with small size limits is started only when a test needs it. The clearml
SDK always runs in subprocesses (see helpers.run_sdk). When a test fails, the part
of the server log written during that test is attached to the report.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from helpers import MAIN_JS, SMALL_LIMIT_BYTES, Api, CairnServer, make_sdk_env

_SERVERS: list[CairnServer] = []
_LOG_MARKS = pytest.StashKey[dict]()



def pytest_sessionstart(session):
    if not MAIN_JS.exists():
        raise pytest.UsageError(f"the server is not built: {MAIN_JS} is missing; run `npm run build` first")


@pytest.fixture(scope="session")
def compat_root():
    root = Path(tempfile.mkdtemp(prefix="cairn-compat-"))
    yield root
    if os.environ.get("COMPAT_KEEP"):
        print(f"\ncompat: kept server data and logs in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)


def _start(root: Path, name: str, extra_args=None) -> CairnServer:
    server = CairnServer(root / name, name=name, extra_args=extra_args)
    _SERVERS.append(server)
    server.start()
    return server


def _finish(server: CairnServer) -> None:
    crashed = not server.alive()
    server.stop()
    if crashed:
        pytest.fail(f"the Cairn server '{server.name}' exited during the tests; its log:\n{server.log_tail(120)}")


@pytest.fixture(scope="session")
def cairn(compat_root):
    """The main Cairn server (default limits)."""
    server = _start(compat_root, "cairn")
    yield server
    _finish(server)


@pytest.fixture(scope="session")
def cairn_small(compat_root):
    """A second server with 1 MiB request and upload limits."""
    server = _start(compat_root, "cairn-small", [
        "--max-request-bytes", str(SMALL_LIMIT_BYTES),
        "--max-upload-bytes", str(SMALL_LIMIT_BYTES),
    ])
    yield server
    _finish(server)


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
