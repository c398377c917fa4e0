"""Several `cairn server` replicas behind one address, for COMPAT_REPLICAS=N.

The replicas share one PostgreSQL database and one S3 files store, and a round-robin
proxy (tests/replicas/round-robin-proxy.mjs) stands in front of their API, web and file
ports, as a Kubernetes Service stands in front of the chart's replicas. Each new
connection goes to the next replica; the SDK, the agents and the tests' raw-HTTP client
open a new connection for each call (Cairn answers Python clients with
`Connection: close`), so consecutive calls of one client land on different replicas.

`ReplicatedServer` has the interface of `helpers.CairnServer` that the tests use: the
proxy's URLs and ports, start/stop (a restart keeps the ports; the proxy stays up while the
replicas restart, as a Service does), alive, and the log calls, which read every replica's
log.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Optional, Union

from helpers import ROOT, CairnServer, LoopbackUrls, stop_process_group

PROXY_JS = ROOT / "tests" / "replicas" / "round-robin-proxy.mjs"
PORTS = ("api", "web", "files")


class ReplicatedServer(LoopbackUrls):
    def __init__(self, workdir: Path, name: str, extra_args: list[str], replicas: int):
        if replicas < 2:
            raise ValueError("a replicated server has at least two replicas")
        self.name = name
        self.workdir = Path(workdir)
        self.extra_args = list(extra_args)
        self.files_store: Optional[str] = None
        self.replicas = [CairnServer(self.workdir / f"replica-{i}", name=f"{name}#{i}") for i in range(replicas)]
        self.proxy: Optional[subprocess.Popen] = None
        self.proxy_log_path = self.workdir / "proxy.log"
        self.api_port = self.web_port = self.files_port = 0

    @property
    def data_dirs(self) -> list[Path]:
        return [r.data_dir for r in self.replicas]

    def start(self, keep_ports: bool = False) -> "ReplicatedServer":
        """Starts the proxy (unless it runs) and the replicas one after the other; with
        `keep_ports` (a restart) each replica on the ports it had."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        if not self._proxy_alive():
            self._start_proxy()
        public = ["--public-api-url", self.api_url, "--public-web-url", self.web_url,
                  "--public-files-url", self.files_url]
        for replica in self.replicas:
            replica.extra_args = [*self.extra_args, *public]
            replica.start(keep_ports=keep_ports)
        for port in PORTS:
            self._send(f"{port} {','.join(str(getattr(r, f'{port}_port')) for r in self.replicas)}")
        return self

    def _start_proxy(self) -> None:
        log = open(self.proxy_log_path, "ab")
        self.proxy = subprocess.Popen(
            ["node", str(PROXY_JS), *PORTS], cwd=str(ROOT), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=log, start_new_session=True, text=True,
        )
        log.close()
        line = self.proxy.stdout.readline()
        if not line:
            self.proxy.wait(timeout=10)
            raise RuntimeError(f"the round-robin proxy of '{self.name}' did not start:\n"
                               f"{self.proxy_log_path.read_text(errors='replace')}")
        ports = json.loads(line)
        self.api_port, self.web_port, self.files_port = (ports[p] for p in PORTS)

    def _send(self, line: str) -> None:
        """Gives the proxy a backend list and waits for its acknowledgement, so that no
        call reaches the proxy before it knows the replicas."""
        assert self.proxy is not None and self.proxy.stdin is not None
        self.proxy.stdin.write(line + "\n")
        self.proxy.stdin.flush()
        ack = self.proxy.stdout.readline()
        if "->" not in ack:
            raise RuntimeError(f"the round-robin proxy of '{self.name}' answered {ack!r} to {line!r}")

    def _proxy_alive(self) -> bool:
        return self.proxy is not None and self.proxy.poll() is None

    def alive(self) -> bool:
        return self._proxy_alive() and all(r.alive() for r in self.replicas)

    def stop(self) -> None:
        """Stops the replicas; the proxy keeps its ports for a restart and ends with the
        session (close)."""
        for replica in self.replicas:
            replica.stop()

    def close(self) -> None:
        self.stop()
        if self.proxy is None:
            return
        stop_process_group(self.proxy, grace=10)
        for stream in (self.proxy.stdin, self.proxy.stdout):
            if stream is not None:
                stream.close()

    def log_size(self) -> tuple[int, ...]:
        return tuple(r.log_size() for r in self.replicas)

    def log_since(self, mark: Union[int, tuple[int, ...]], max_lines: int = 200) -> str:
        """Every replica's log written since `mark` (a log_size(); 0 for the whole logs),
        one replica after the other, each under a heading."""
        marks = mark if isinstance(mark, tuple) else (mark,) * len(self.replicas)
        parts = []
        for replica, offset in zip(self.replicas, marks):
            text = replica.log_since(offset, max_lines=max_lines)
            if text.strip():
                parts.append(f"--- replica {replica.name} ---\n{text}")
        return "\n".join(parts)

    def log_tail(self, max_lines: int = 200) -> str:
        return self.log_since(0, max_lines)
