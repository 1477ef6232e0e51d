"""gunicorn's configuration module (`--config python:api.gunicorn_hooks`): what the master does as it exits."""

from __future__ import annotations

import atexit
import os

from api.serve import remove_temporary_metrics_dir

# gunicorn reads this module in the master process, before it loads the app or forks a worker.
MASTER = os.getpid()


def _on_master_exit() -> None:
    # Forked workers inherit the handler; only the master's own exit removes the folder they all write to.
    if os.getpid() == MASTER:
        remove_temporary_metrics_dir()


# At exit rather than gunicorn's on_exit hook, which is skipped when the app fails to load or the port is taken.
atexit.register(_on_master_exit)
