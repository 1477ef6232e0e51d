"""Fixtures of the determination record and web app tests: a database of each kind, an app on it.

`pytest_plugins = ["tests.determinations_support"]` loads them. SQLite runs always; PostgreSQL runs when
ELIGIBILITY_TEST_POSTGRES_URL names a server (CI's .ci/run starts one), each test in its own schema.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from api import create_app
from api.config import ROOT
from api.storage import database_url as normalised_url
from eligibility import load_rules

POSTGRES_URL = os.environ.get("ELIGIBILITY_TEST_POSTGRES_URL")
NO_POSTGRES = ("PostgreSQL not configured: set ELIGIBILITY_TEST_POSTGRES_URL to a server's URL "
               "(CI's .ci/run starts one on loopback and sets it)")
BACKENDS = ["sqlite", "postgresql"]


def sqlite_url(folder: Path) -> str:
    """A SQLite file in `folder`."""
    return f"sqlite:///{folder / 'records.sqlite3'}"


class PostgresSchema:
    """A throw-away schema on the test server: every table a test makes lives and dies in it."""

    def __init__(self):
        self.name = "t_" + uuid.uuid4().hex[:16]
        self.admin = sa.create_engine(normalised_url(POSTGRES_URL, ""))

    def __enter__(self) -> str:
        with self.admin.begin() as connection:
            connection.execute(sa.text(f"CREATE SCHEMA {self.name}"))
        url = make_url(normalised_url(POSTGRES_URL, "")).update_query_dict(
            {"options": f"-csearch_path={self.name}"})
        return url.render_as_string(hide_password=False)

    def __exit__(self, *exc) -> None:
        with self.admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {self.name} CASCADE"))
        self.admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """An empty database: a SQLite file, or a fresh schema on the PostgreSQL test server."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    with PostgresSchema() as url:
        yield url


@pytest.fixture
def records_app(rules, database_url):
    """The app on the project's rules, keeping records in `database_url`."""
    app = create_app({"TESTING": True, "RULESET": rules, "DATABASE_URL": database_url})
    yield app
    app.extensions["eligibility-storage"].dispose()


@pytest.fixture
def records_client(records_app):
    """A test client of `records_app`."""
    return records_app.test_client()


@pytest.fixture
def sqlite_app(rules, tmp_path):
    """The app keeping records in a SQLite file (the web tests, where the backend is not the point)."""
    app = create_app({"TESTING": True, "RULESET": rules, "DATABASE_URL": sqlite_url(tmp_path)})
    yield app
    app.extensions["eligibility-storage"].dispose()


@pytest.fixture(scope="session")
def changed_rules(tmp_path_factory):
    """The project's rules with SNAP's FY2026 maximum allotment for two people raised by $100."""
    root = tmp_path_factory.mktemp("changed") / "rules"
    shutil.copytree(ROOT / "rules", root)
    path = root / "us" / "usda" / "snap" / "parameters" / "max_allotment.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("      2025-10-01: 546\n") == 1
    path.write_text(text.replace("      2025-10-01: 546\n", "      2025-10-01: 646\n"), encoding="utf-8")
    return load_rules(root)

