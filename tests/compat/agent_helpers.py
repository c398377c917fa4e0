"""Helpers of the orchestration tests: a local git repository holding a tiny training
script, agent processes (`cairn agent daemon` and the real `clearml-agent daemon`),
and raw-API waits and read-backs of a task's status, console and scalars.

The tests import this module as ``agent_helpers`` (pytest puts this folder on sys.path).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from helpers import ACCESS_KEY, MAIN_JS, PYTHON, ROOT, SECRET_KEY, Api, make_sdk_env, marked_task_id

# The training script committed to the test repository. It runs with the real clearml
# SDK both locally (the test starts it; it enqueues itself when ORCH_QUEUE is set) and on
# an agent (remote mode: CLEARML_TASK_ID set by the agent). Every line it prints starts
# with "ORCH " so the tests can pick them out of the console.
#
# Parameters (General section, overridable from the server): lr, epochs, marker,
# sleep_sec (a running loop, for abort/kill tests), fail (raise at the end); and the
# argparse argument --note (Args section).
TRAIN_PY = r'''
import os
import sys
import time

print("ORCH start_ts=%.6f pid=%d" % (time.time(), os.getpid()), flush=True)

from clearml import Task

task = Task.init(
    project_name=os.environ.get("ORCH_PROJECT", "orchestration"),
    task_name=os.environ.get("ORCH_TASK", "train"),
)
params = {"lr": 0.5, "epochs": 3, "marker": "local-default", "sleep_sec": 0, "fail": False}
params = task.connect(params)
# argparse arguments land in the Args section (what `--args note=...` of clearml-task and
# `cairn task create` set)
import argparse
parser = argparse.ArgumentParser()
parser.add_argument("--note", default="no-note")
cli_args, _ = parser.parse_known_args()

if os.environ.get("ORCH_QUEUE") and Task.running_locally():
    print("ORCH_TASK_ID=" + task.id, flush=True)
    task.execute_remotely(queue_name=os.environ["ORCH_QUEUE"])

remote = not Task.running_locally()
print("ORCH task=%s remote=%s" % (task.id, remote), flush=True)
print("ORCH marker=%s" % params["marker"], flush=True)
print("ORCH lr=%s epochs=%s" % (params["lr"], params["epochs"]), flush=True)
print("ORCH note=%s" % cli_args.note, flush=True)
if remote:
    print("ORCH REMOTE ONLY marker=%s worker=%s" % (params["marker"], os.environ.get("CLEARML_WORKER_ID")), flush=True)

logger = task.get_logger()
lr = float(params["lr"])
for i in range(int(params["epochs"])):
    loss = lr * 10.0 / (i + 1)
    logger.report_scalar("loss", "train", value=loss, iteration=i)
    print("ORCH epoch=%d loss=%.4f" % (i, loss), flush=True)
logger.report_scalar("params", "lr", value=lr, iteration=0)
if remote:
    logger.report_scalar("remote", "ran_on_agent", value=1.0, iteration=0)

deadline = time.time() + float(params["sleep_sec"])
n = 0
while time.time() < deadline:
    n += 1
    print("ORCH sleeping %d" % n, flush=True)
    time.sleep(0.5)

if str(params["fail"]).lower() in ("1", "true", "yes"):
    raise RuntimeError("ORCH deliberate failure marker=%s" % params["marker"])

print("ORCH DONE marker=%s" % params["marker"], flush=True)
'''

def _clearml_version() -> str:
    from importlib.metadata import version
    return version("clearml")


# Written the way the SDK records the requirements of train.py ("clearml == X"), so a task
# made from the repository's requirements.txt gets the same agent virtualenv as one the SDK
# recorded.
REQUIREMENTS_TXT = f"clearml == {_clearml_version()}\n"


def _git(args: list[str], cwd: Path, env: Optional[dict] = None) -> str:
    full_env = dict(os.environ)
    full_env.update({
        "GIT_AUTHOR_NAME": "compat", "GIT_AUTHOR_EMAIL": "compat@example.com",
        "GIT_COMMITTER_NAME": "compat", "GIT_COMMITTER_EMAIL": "compat@example.com",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
    })
    if env:
        full_env.update(env)
    res = subprocess.run(["git", *args], cwd=str(cwd), env=full_env, capture_output=True, text=True, timeout=60)
    if res.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed in {cwd}:\n{res.stdout}\n{res.stderr}")
    return res.stdout.strip()


@dataclass
class GitRepo:
    """A bare `origin` repository plus a working clone of it (where scripts run locally,
    so the SDK records origin's path, the branch and the commit)."""

    origin: Path
    work: Path
    branch: str
    commit: str

    def git(self, *args: str) -> str:
        return _git(list(args), self.work)


def make_git_repo(root: Path, files: Optional[dict] = None, branch: str = "main") -> GitRepo:
    """`root/origin.git` (bare) and `root/work` (a clone with one pushed commit holding
    `train.py` and `requirements.txt`, or `files`)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    origin = root / "origin.git"
    work = root / "work"
    _git(["init", "--quiet", "--bare", f"--initial-branch={branch}", str(origin)], root)
    _git(["clone", "--quiet", str(origin), str(work)], root)
    _git(["checkout", "--quiet", "-B", branch], work)
    for name, text in (files or {"train.py": TRAIN_PY, "requirements.txt": REQUIREMENTS_TXT}).items():
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    _git(["add", "-A"], work)
    _git(["commit", "--quiet", "-m", "tiny training script"], work)
    _git(["push", "--quiet", "-u", "origin", branch], work)
    commit = _git(["rev-parse", "HEAD"], work)
    return GitRepo(origin=origin, work=work, branch=branch, commit=commit)


# --------------------------------------------------------------------------- processes


def real_pip_cache() -> str:
    """pip's cache of the user running the suite (tests give processes a fresh HOME, which
    would otherwise give pip an empty cache and make every virtualenv build download)."""
    return os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")


class AgentProcess:
    """One agent daemon process (its own process group), output to a log file."""

    def __init__(self, cmd: list[str], env: dict, log_path: Path, name: str, cwd: Optional[Path] = None):
        self.cmd = cmd
        self.env = env
        self.log_path = Path(log_path)
        self.name = name
        self.cwd = cwd
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> "AgentProcess":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            log.write(f"$ {' '.join(self.cmd)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                self.cmd, cwd=str(self.cwd or ROOT), env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_output(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if not self.alive():
                raise AssertionError(f"agent {self.name} exited (code {self.proc.returncode}) before printing "
                                     f"{text!r}; its output:\n{self.tail()}")
            time.sleep(0.2)
        raise AssertionError(f"agent {self.name} did not print {text!r} within {timeout}s; its output:\n{self.tail()}")

    def tail(self, max_lines: int = 150) -> str:
        lines = self.output().splitlines()
        if len(lines) > max_lines:
            lines = [f"... ({len(lines) - max_lines} earlier lines cut)"] + lines[-max_lines:]
        return "\n".join(lines)

    def kill(self) -> None:
        """SIGKILL to the whole process group (agent and the task it runs)."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)

    def stop(self, grace: float = 20) -> None:
        """SIGTERM to the agent (it stops its task and unregisters), then SIGKILL to the group."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


def agent_env(server, home: Path, extra: Optional[dict] = None) -> dict:
    """The SDK environment (API host, credentials, isolated HOME holding the suite's
    clearml.conf) for an agent; tasks inherit HOME, so they read that clearml.conf."""
    env = make_sdk_env(server, home, no_reuse=True)
    env.pop("CLEARML_TASK_NO_REUSE", None)
    env.pop("CLEARML_WORKER_NAME", None)
    env["PIP_CACHE_DIR"] = real_pip_cache()
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    if extra:
        env.update(extra)
    return env


def cairn_agent_cmd(queues: Iterable[str], name: str, work_dir: Path, *, poll_interval: float = 1,
                    status_interval: Optional[float] = None, extra: Optional[list[str]] = None) -> list[str]:
    cmd = ["node", str(MAIN_JS), "agent", "daemon"]
    for q in queues:
        cmd += ["--queue", q]
    cmd += ["--foreground", "--name", name, "--work-dir", str(work_dir), "--poll-interval", str(poll_interval)]
    if status_interval is not None:
        cmd += ["--status-interval", str(status_interval)]
    return cmd + list(extra or [])


def clearml_agent_conf(server, home: Path, worker_id: str) -> Path:
    """clearml.conf of the real clearml-agent: the Cairn server, and task virtualenvs that
    inherit system site-packages, under `home`."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    conf = home / "clearml-agent.conf"
    conf.write_text(textwrap.dedent(f"""
        api {{
          api_server: "{server.api_url}"
          web_server: "{server.web_url}"
          files_server: "{server.files_url}"
          credentials {{ access_key: "{ACCESS_KEY}", secret_key: "{SECRET_KEY}" }}
        }}
        agent {{
          worker_id: "{worker_id}"
          venvs_dir: "{home / 'venvs-builds'}"
          vcs_cache.path: "{home / 'vcs-cache'}"
          pip_download_cache.path: "{home / 'pip-download-cache'}"
          package_manager.system_site_packages: true
        }}
    """))
    return conf


def make_template_task(server, repo: GitRepo, home: Path) -> str:
    """Runs train.py locally inside the repository (the SDK records origin, branch, commit,
    entry point and requirements) and returns the id of the completed task."""
    env = make_sdk_env(server, Path(home), no_reuse=True,
                       extra={"ORCH_PROJECT": "orchestration templates", "ORCH_TASK": "template"})
    res = run_script(repo.work / "train.py", env, repo.work)
    assert res.returncode == 0, f"local run of train.py failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    task_id = parse_mark(res.stdout, "ORCH task=")
    return task_id


def clone_task(api: Api, template: str, name: str, params: Optional[dict] = None,
               requirements: Optional[str] = None) -> str:
    """tasks.clone of the template, General/* parameters edited, optionally other pip
    requirements; returns the new (draft) task id."""
    new_id = api.ok("tasks.clone", {"task": template, "new_task_name": name})["id"]
    if params:
        api.ok("tasks.edit_hyper_params", {"task": new_id, "hyperparams": [
            {"section": "General", "name": k, "value": str(v)} for k, v in params.items()]})
    if requirements is not None:
        api.ok("tasks.set_requirements", {"task": new_id, "requirements": {"pip": requirements}})
    return new_id


def enqueue(api: Api, task_id: str, queue_id: str) -> dict:
    return api.ok("tasks.enqueue", {"task": task_id, "queue": queue_id})


# --------------------------------------------------------------------------- raw-API read-backs

FINAL_STATUSES = ("completed", "failed", "stopped", "closed", "published")


def create_queue(api: Api, name: str) -> str:
    return api.ok("queues.create", {"name": name})["id"]


def get_task(api: Api, task_id: str) -> dict:
    return api.ok("tasks.get_by_id", {"task": task_id})["task"]


def wait_status(api: Api, task_id: str, statuses: Iterable[str] = FINAL_STATUSES, timeout: float = 240,
                describe=None) -> dict:
    """Polls tasks.get_by_id until the status is one of `statuses`; returns the task."""
    wanted = set(statuses)
    deadline = time.monotonic() + timeout
    task: dict = {}
    while time.monotonic() < deadline:
        task = get_task(api, task_id)
        if task.get("status") in wanted:
            return task
        time.sleep(0.5)
    extra = f"\n{describe()}" if describe else ""
    raise AssertionError(
        f"task {task_id} did not reach {sorted(wanted)} within {timeout}s: status={task.get('status')!r} "
        f"status_message={task.get('status_message')!r} status_reason={task.get('status_reason')!r}\n"
        f"console tail:\n{console_text(api, task_id)[-3000:]}{extra}")


def console_events(api: Api, task_id: str) -> list[dict]:
    """All console events of the task, oldest first."""
    data = api.ok("events.get_task_log", {"task": task_id, "batch_size": 10000, "navigate_earlier": False})
    return data.get("events") or []


def console_text(api: Api, task_id: str) -> str:
    return "\n".join(str(e.get("msg", "")) for e in console_events(api, task_id))


def console_lines(api: Api, task_id: str) -> list[str]:
    """Console text split into lines (the agent joins consecutive lines into one event)."""
    out: list[str] = []
    for e in console_events(api, task_id):
        out.extend(str(e.get("msg", "")).splitlines())
    return out


def scalars(api: Api, task_id: str) -> dict:
    """{metric: {variant: {iteration: value}}} from events.scalar_metrics_iter_histogram."""
    data = api.ok("events.scalar_metrics_iter_histogram", {"task": task_id})
    out: dict = {}
    for metric, variants in data.items():
        if not isinstance(variants, dict):
            continue
        for variant, series in variants.items():
            if isinstance(series, dict) and "x" in series and "y" in series:
                out.setdefault(metric, {})[variant] = dict(zip(series["x"], series["y"]))
    return out


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie still answers kill(0); read its state
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_until(predicate, timeout: float, interval: float = 0.3, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout}s")


def run_script(script: Path, env: dict, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    """Runs a file with the suite's python (clearml installed), capturing output."""
    return subprocess.run([PYTHON, str(script)], cwd=str(cwd), env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def parse_mark(stdout: str, mark: str) -> str:
    """The task id printed right after `mark`."""
    found = marked_task_id(stdout, mark)
    if found is None:
        raise AssertionError(f"no task id after {mark!r} in:\n{stdout[-4000:]}")
    return found


def dumps(obj) -> str:
    return json.dumps(obj, indent=1, default=str)[:4000]


# train.py's loss series with lr=0.5 and 3 epochs
LOSS_LR_05 = {0: 5.0, 1: 2.5, 2: 10 / 6}


def start_pid(lines: list[str]) -> int:
    """The pid train.py printed when it started on the agent (the last start line)."""
    pids = [int(m.group(1)) for m in (re.search(r"^ORCH start_ts=\S+ pid=(\d+)", ln) for ln in lines) if m]
    assert pids, "train.py printed no start line:\n" + "\n".join(lines[-40:])
    return pids[-1]


def wait_console(api: Api, task_id: str, text: str, agent, timeout: float = 180) -> list[str]:
    """The task's console lines once one contains `text`; on time-out, says what the task and agent did."""
    def seen():
        lines = console_lines(api, task_id)
        return lines if any(text in ln for ln in lines) else None

    try:
        return wait_until(seen, timeout, interval=0.5, what=f"console line {text!r} of task {task_id}")
    except AssertionError as e:
        task = get_task(api, task_id)
        raise AssertionError(f"{e}; task status {task['status']!r} ({task.get('status_reason')!r})\n"
                             f"console:\n{console_text(api, task_id)[-3000:]}\nagent output:\n{agent.tail(60)}")
