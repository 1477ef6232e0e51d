"""Fixtures of the HTTP API tests, loaded with `pytest_plugins = ["tests.api_fixtures"]`."""

from __future__ import annotations

import pytest

from api import create_app


@pytest.fixture
def app(rules):
    """The app on the project's rules (loaded once per session); test settings override the environment."""
    return create_app({"TESTING": True, "RULESET": rules})


@pytest.fixture
def client(app):
    """A test client of `app`."""
    return app.test_client()
