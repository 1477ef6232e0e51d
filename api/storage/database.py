"""Engines, transactions and migrations: SQLite (WAL, busy timeout) by default, PostgreSQL when configured.

Every write is one transaction, so a record is stored whole or not at all. On SQLite a write transaction
starts with BEGIN IMMEDIATE: writers from several gunicorn workers queue on the busy timeout instead of
failing when one upgrades a read lock. Migrations run once per process on first use, under a lock that
other processes respect (SQLite's write lock, PostgreSQL's advisory lock).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"
DEFAULT_FILE = "eligibility.sqlite3"
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# Any fixed 64-bit number: the PostgreSQL advisory lock that serialises migrations across processes.
MIGRATION_LOCK_KEY = 7_264_118_302


def database_url(configured: str | None, instance_path: str) -> str:
    """The configured URL (a bare postgresql:// one uses psycopg 3), or a SQLite file under instance/."""
    if not configured:
        return f"sqlite:///{Path(instance_path) / DEFAULT_FILE}"
    url = make_url(configured)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def alembic_config(url: str | None = None) -> Config:
    """Alembic's settings, built in code so the app needs no ini file (alembic.ini is for the CLI)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache
def head_revision() -> str | None:
    """The newest migration."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _sqlite_connect(dbapi_connection, _record) -> None:
    # pysqlite's own BEGIN is switched off so that _sqlite_begin can say BEGIN IMMEDIATE for writes.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.execute("PRAGMA journal_mode = WAL")  # readers never block the writer, nor it them
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(connection) -> None:
    immediate = connection.get_execution_options().get("for_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engine(url: str) -> Engine:
    """An engine for `url`, with SQLite's pragmas and transaction handling when it is SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=5)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
    sa.event.listen(engine, "connect", _sqlite_connect)
    sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


class Database:
    """One database: an engine per process (never shared across a fork), migrated on first use."""

    def __init__(self, url: str, migrate: bool = True):
        self.url = url
        self.migrate = migrate
        self.stored_digests: set[str] = set()  # rule set snapshots known to be stored already
        self._engine: Engine | None = None
        self._pid: int | None = None
        self._ready = False
        self._lock = threading.Lock()

    @property
    def backend(self) -> str:
        """"sqlite" or "postgresql"."""
        return make_url(self.url).get_backend_name()

    @property
    def engine(self) -> Engine:
        """This process's engine: a forked worker never reuses its parent's pooled connections."""
        with self._lock:
            if self._engine is None or self._pid != os.getpid():
                if self._engine is not None:
                    self._engine.dispose(close=False)  # leave the parent's connections to the parent
                self._engine = create_engine(self.url)
                self._pid = os.getpid()
            return self._engine

    def upgrade(self) -> str | None:
        """Apply any pending migration (once per process; concurrent processes wait for each other)."""
        with self._lock:
            if self._ready:
                return head_revision()
        engine = self.engine
        with engine.connect() as connection:
            connection.execution_options(for_write=True)  # SQLite: BEGIN IMMEDIATE, the writers' lock
            with connection.begin():
                if self.backend == "postgresql":
                    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                current = MigrationContext.configure(connection).get_current_revision()
                if current != head_revision():
                    config = alembic_config()
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
        with self._lock:
            self._ready = True
        return head_revision()

    def _prepared(self) -> Engine:
        if self.migrate and not self._ready:
            self.upgrade()
        return self.engine

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads."""
        with Session(self._prepared(), expire_on_commit=False) as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session whose work is committed whole when the block ends, or not at all if it raises."""
        engine = self._prepared()
        with engine.connect() as connection:
            connection.execution_options(for_write=True)
            with Session(bind=connection, expire_on_commit=False) as session:
                with session.begin():
                    yield session

    def dispose(self) -> None:
        """Close this process's pooled connections."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
