"""A real gunicorn server on loopback for the tests that need worker processes (metrics, time budget, kills)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from api.config import ROOT
from api.serve import gunicorn_argv


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn as `make serve` runs it (preloaded app, JSON logs, multiprocess metrics), on 127.0.0.1."""

    def __init__(self, workers: int = 2, env: dict | None = None, log_dir: Path | None = None):
        self.port = free_port()
        self.workers = workers
        self.made = [tempfile.mkdtemp(prefix="eligibility-metrics-")]  # removed in stop()
        if log_dir is None:
            self.made.append(tempfile.mkdtemp(prefix="eligibility-server-"))
        self.log_dir = Path(log_dir or self.made[-1])
        self.log_path = self.log_dir / "server.log"
        self.env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": self.made[0], **(env or {})}
        self.process: subprocess.Popen | None = None

    def start(self, ready_within: float = 120) -> Server:
        argv = gunicorn_argv("127.0.0.1", self.port, self.workers)
        self._log = open(self.log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            try:
                if self.request("GET", "/readyz")[0] == 200 and len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn not ready within {ready_within} s:\n{self.log()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()
        for folder in self.made:
            shutil.rmtree(folder, ignore_errors=True)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def worker_pids(self) -> set[int]:
        """The master's live children (gunicorn's workers)."""
        if self.process is None:
            return set()
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return {int(pid) for pid in children.read_text().split()}
        except OSError:
            return set()

    def request(self, method: str, path: str, body=None, headers: dict | None = None,
                timeout: float = 30) -> tuple[int, dict, bytes]:
        """One request on a fresh connection: (status, headers, body)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            sent = dict(headers or {})
            data = None
            if body is not None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                sent.setdefault("Content-Type", "application/json")
            connection.request(method, path, data, sent)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()
