"""Alembic's environment: the app hands over its connection; the command line connects by itself."""

from __future__ import annotations

import os
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import Connection

from api.storage.database import create_engine, database_url
from api.storage.models import Base

config = context.config
if config.config_file_name is not None and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run(connection: Connection) -> None:
    """Run the pending migrations on `connection`."""
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def command_line_url() -> str:
    """As the app chooses: ELIGIBILITY_DATABASE_URL, else instance/eligibility.sqlite3 beside the code."""
    configured = config.get_main_option("sqlalchemy.url") or os.environ.get("ELIGIBILITY_DATABASE_URL")
    return database_url(configured, str(Path(__file__).resolve().parent.parent / "instance"))


if context.is_offline_mode():
    context.configure(url=command_line_url(), target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif config.attributes.get("connection") is not None:
    run(config.attributes["connection"])
else:
    engine = create_engine(command_line_url())
    with engine.connect() as connection:
        connection.execution_options(for_write=True)
        run(connection)
        connection.commit()
    engine.dispose()
