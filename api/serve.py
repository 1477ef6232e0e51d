"""Run the API under gunicorn: `python -m api.serve [--host H] [--port P] [--workers N]`."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from api.config import ROOT

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
HARD_TIMEOUT = 60
# prometheus_client multiprocess files are named like counter_1234.db; nothing else in the folder is touched.
METRICS_FILE = re.compile(r"^[a-z_]+_\d+\.db$")
# In a metrics folder `metrics_dir` made itself: the server removes such a folder when it stops.
TEMPORARY_MARK = ".remove-when-the-server-stops"


def gunicorn_argv(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                  workers: int | None = None) -> list[str]:
    """The gunicorn command line: preloaded app, one worker per core unless told otherwise."""
    return [
        sys.executable, "-m", "gunicorn",
        "--preload",  # load the rules once in the parent; workers share them copy-on-write
        "--bind", f"{host}:{port}",
        "--workers", str(workers or os.cpu_count() or 1),
        "--chdir", str(ROOT),
        "--access-logfile", "-",
        "--graceful-timeout", "10",
        # The hard bound on any request: the worker is killed and replaced (see REQUEST_TIME_BUDGET for the soft one).
        "--timeout", str(HARD_TIMEOUT),
        "--logger-class", "api.observability.GunicornLogger",  # gunicorn's own lines as JSON too
        "--no-control-socket",  # one fixed socket path in $HOME would clash between servers on one machine
        "--config", "python:api.gunicorn_hooks",  # the master removes a metrics folder made for it as it stops
        "api.wsgi:app",
    ]


def metrics_dir() -> str:
    """Where every worker writes its metrics: $PROMETHEUS_MULTIPROC_DIR emptied of old samples, else a new folder."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        os.makedirs(path, exist_ok=True)
        for name in os.listdir(path):  # a previous server's counts must not add to this one's
            if METRICS_FILE.match(name):
                os.unlink(os.path.join(path, name))
    else:
        path = tempfile.mkdtemp(prefix="eligibility-metrics-")
        Path(path, TEMPORARY_MARK).touch()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    return path


def remove_temporary_metrics_dir() -> None:
    """Remove $PROMETHEUS_MULTIPROC_DIR if `metrics_dir` made it; a folder someone chose is left alone."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path and Path(path, TEMPORARY_MARK).exists():
        shutil.rmtree(path, ignore_errors=True)


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, workers: int | None = None) -> None:
    """Replace this process with gunicorn (signals and exit status are gunicorn's own)."""
    metrics_dir()  # before gunicorn imports prometheus_client
    argv = gunicorn_argv(host, port, workers)
    os.execv(argv[0], argv)


def main(args: list[str] | None = None) -> None:
    """Command-line entry: parse host, port and workers, then serve."""
    parser = argparse.ArgumentParser(prog="python -m api.serve", description=__doc__)
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--workers", type=int, default=None, help="default: number of cores")
    options = parser.parse_args(args)
    serve(options.host, options.port, options.workers)


if __name__ == "__main__":
    main()
