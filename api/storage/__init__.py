"""Determination records in SQL: a SQLite file under instance/ by default, PostgreSQL when configured."""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy.exc import ArgumentError

from api.settings import SettingError
from api.storage.database import Database, database_url

__all__ = ["Database", "current_database", "database_url", "init_app"]

EXTENSION = "eligibility-storage"


def init_app(app: Flask) -> Database:
    """Give the app its database (nothing connects until a record is first read or written)."""
    try:
        url = database_url(app.config.get("DATABASE_URL"), app.instance_path)
    except (ArgumentError, ValueError):  # e.g. a port that is not a number; the URL may hold a password: never quote it
        raise SettingError("DATABASE_URL", "is not a database URL such as postgresql://user:password@host/name "
                                           "or sqlite:////path/to/file.sqlite3.") from None
    database = Database(url, migrate=bool(app.config.get("DATABASE_MIGRATE", True)))
    app.extensions[EXTENSION] = database
    return database


def current_database() -> Database:
    """The current app's database."""
    return current_app.extensions[EXTENSION]
