"""gunicorn entry point: with `--preload` the rules are loaded, checked and compiled once, before forking."""

from __future__ import annotations

from api import create_app
from api.state import current_rules


def warm_up(app) -> None:
    """Answer one screening and build the spec in the parent, so no worker's first caller pays for it."""
    with app.test_client() as client:
        with app.app_context():
            # The latest start is inside every program's range whenever the ranges overlap.
            day = max(p.start for p in current_rules().programs.values()).isoformat()
        client.post("/v1/screen", json={"date": day, "household": {"members": [{"id": "warm-up"}]}})
        client.get("/openapi.yaml")


app = create_app()
warm_up(app)
