"""gunicorn entry point: with `--preload` the rules are loaded, checked and compiled once, before forking."""

from __future__ import annotations

import gc
import sys

from api import create_app
from api.settings import SettingError
from api.state import current_rules
from eligibility.errors import RuleError


def warm_up(app) -> None:
    """Answer one screening and build the spec in the parent, so no worker's first caller pays for it."""
    with app.test_client() as client:
        with app.app_context():
            # The latest start is inside every program's range whenever the ranges overlap.
            day = max(p.start for p in current_rules().programs.values()).isoformat()
        client.post("/v1/screen", json={"date": day, "household": {"members": [{"id": "warm-up"}]}})
        client.get("/openapi.yaml")


try:
    app = create_app()
except RuleError as error:  # refuse to start, and say why: every problem, no traceback to dig through
    sys.stderr.write(f"The rules did not load, so the server will not start. {len(error.problems)} problem(s):\n"
                     f"{error}\n")
    raise SystemExit(4) from None  # gunicorn's own code for "the app failed to load"
except SettingError as error:  # one line: which setting, what is wrong with it
    sys.stderr.write(f"The server will not start: {error}\n")
    raise SystemExit(4) from None
warm_up(app)
# The rules and the app live as long as the process. Frozen, they are left out of every collection
# in the workers: a full collection stops scanning ~125,000 long-lived objects (a ~100 ms pause every
# thousand requests or so), and the pages the workers share with this parent stay unwritten.
gc.collect()
gc.freeze()
