"""Determination records in SQL: a SQLite file under instance/ by default, PostgreSQL when configured."""

from __future__ import annotations

from flask import Flask, current_app

from api.storage.database import Database, database_url

__all__ = ["Database", "current_database", "database_url", "init_app"]

EXTENSION = "eligibility-storage"


def init_app(app: Flask) -> Database:
    """Give the app its database (nothing connects until a record is first read or written)."""
    url = database_url(app.config.get("DATABASE_URL"), app.instance_path)
    database = Database(url, migrate=bool(app.config.get("DATABASE_MIGRATE", True)))
    app.extensions[EXTENSION] = database
    return database


def current_database() -> Database:
    """The current app's database."""
    return current_app.extensions[EXTENSION]
