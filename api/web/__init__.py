"""The caseworker web app: server-rendered pages at / (household form, results, records, print view)."""

from __future__ import annotations

from flask import Flask

from api.web import determinations, screening  # noqa: F401 - their routes register on the blueprint
from api.web.blueprint import blp


def init_app(app: Flask) -> None:
    """Register the pages (the USWDS assets and api/static are served with them)."""
    app.register_blueprint(blp)
