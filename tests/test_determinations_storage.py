"""The record store: migrations, SQLite's settings, whole-or-nothing saves, and concurrent writers."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from api import create_app
from api.config import ROOT
from api.storage import Database, database_url, records
from api.storage.database import head_revision
from api.storage.models import Base, Determination, RuleSetSnapshot
from api.storage.snapshots import differences, snapshot

pytest_plugins = ["tests.determinations_support"]

EXAMPLE = json.loads((ROOT / "examples" / "household.json").read_text(encoding="utf-8"))


def test_the_default_database_is_a_sqlite_file_under_instance(rules):
    app = create_app({"RULESET": rules})
    assert app.extensions["eligibility-storage"].url == f"sqlite:///{ROOT / 'instance' / 'eligibility.sqlite3'}"


def test_a_postgresql_url_is_used_with_psycopg_3():
    assert database_url("postgresql://u:p@db/x", "/i") == "postgresql+psycopg://u:p@db/x"
    assert database_url("postgres://db/x", "/i") == "postgresql+psycopg://db/x"
    assert database_url("postgresql+psycopg://db/x", "/i") == "postgresql+psycopg://db/x"
    assert database_url(None, "/srv/instance") == "sqlite:////srv/instance/eligibility.sqlite3"


def test_the_setting_comes_from_the_environment(rules, monkeypatch, tmp_path):
    monkeypatch.setenv("ELIGIBILITY_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    assert create_app({"RULESET": rules}).extensions["eligibility-storage"].url == \
        f"sqlite:///{tmp_path}/env.sqlite3"


def test_nothing_connects_until_a_record_is_used(rules, tmp_path):
    create_app({"RULESET": rules, "DATABASE_URL": f"sqlite:///{tmp_path}/lazy/records.sqlite3"})
    assert not (tmp_path / "lazy").exists()


def test_migrations_build_exactly_the_models_and_run_once(database_url):
    database = Database(database_url)
    assert database.upgrade() == head_revision()
    second = Database(database_url)  # as a second process would: nothing left to do
    assert second.upgrade() == head_revision()
    second.dispose()
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, Base.metadata) == []
    database.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/records.sqlite3")
    with database.reading() as session:
        assert session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(sa.text("PRAGMA busy_timeout")).scalar() == 30_000
        assert session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
    database.dispose()


def test_a_save_that_fails_leaves_nothing_behind(rules, database_url):
    database = Database(database_url)
    request = {"date": dt.date(2025, 11, 15), "household": EXAMPLE["household"]}
    unwritable = {"rules": {"version": rules.version, "digest": rules.digest}, "programs": {1j: 0}}
    with pytest.raises(Exception):  # noqa: B017 - the driver's own error for a value JSON cannot hold
        records.save(database, rules, request, unwritable)
    with database.reading() as session:
        # The rule set snapshot was written in the same transaction, and rolled back with it.
        assert session.scalar(sa.select(sa.func.count()).select_from(RuleSetSnapshot)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(Determination)) == 0
    database.dispose()


def test_the_rules_are_stored_once_per_digest(rules, database_url):
    app = create_app({"RULESET": rules, "DATABASE_URL": database_url})
    client = app.test_client()
    for _ in range(3):
        assert client.post("/v1/determinations", json=EXAMPLE).status_code == 201
    database = app.extensions["eligibility-storage"]
    with database.reading() as session:
        assert session.scalars(sa.select(RuleSetSnapshot.digest)).all() == [rules.digest]
    assert records.rules_snapshot(database, rules.digest) == json.loads(json.dumps(snapshot(rules)))
    database.dispose()


def test_snapshot_differences_list_values_and_formulas_changed(rules, changed_rules):
    day = dt.date(2025, 11, 15)
    same = differences(snapshot(rules), day, snapshot(rules), day)
    assert same == {"parameters": [], "variables": []}
    changed = differences(snapshot(rules), day, snapshot(changed_rules), day)
    assert [(p["path"], p["from"], p["to"]) for p in changed["parameters"]] == [
        ("us.usda.snap.max_allotment.contiguous.2", 546, 646)]
    before = {**snapshot(rules), "variables": {"x": {"label": "X", "reference": [], "formulas": [["2020-01-01", "a"]]}}}
    after = {**snapshot(rules), "variables": {"x": {"label": "X", "reference": [], "formulas": [["2025-01-01", "b"]]}}}
    assert differences(before, day, after, day)["variables"] == [
        {"variable": "x", "label": "X", "start": "2025-01-01", "formula": "b", "previous": "a", "reference": []}]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(port: int, path: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def test_gunicorn_workers_saving_at_once_lose_nothing(database_url):
    """Three gunicorn workers, eight clients at once: every acknowledged save is there, whole."""
    port = _free_port()
    env = {**os.environ, "ELIGIBILITY_DATABASE_URL": database_url}
    server = subprocess.Popen([sys.executable, "-m", "api.serve", "--port", str(port), "--workers", "3"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
                time.sleep(0.1)
        saves = 60
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda i: _post(port, "/v1/determinations", {**EXAMPLE, "note": str(i)}),
                                    range(saves)))
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert [status for status, _ in answers] == [201] * saves
    database = Database(database_url)
    assert records.count(database) == saves
    notes = sorted(int(records.get(database, body["id"])["note"]) for _, body in answers)
    assert notes == list(range(saves))
    database.dispose()
