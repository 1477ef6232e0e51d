"""Apply the database migrations now: `python -m api.storage upgrade` (the app also does it on first use)."""

from __future__ import annotations

import argparse
import os
import sys

from api.config import ROOT
from api.storage.database import Database, database_url


def main(args: list[str] | None = None) -> int:
    """Upgrade the database named by ELIGIBILITY_DATABASE_URL (or --url), or the default SQLite file."""
    parser = argparse.ArgumentParser(prog="python -m api.storage", description=__doc__)
    parser.add_argument("command", choices=["upgrade"])
    parser.add_argument("--url", default=os.environ.get("ELIGIBILITY_DATABASE_URL"),
                        help="SQLAlchemy URL (default: $ELIGIBILITY_DATABASE_URL, else instance/eligibility.sqlite3)")
    options = parser.parse_args(args)
    database = Database(database_url(options.url, str(ROOT / "instance")))
    revision = database.upgrade()
    database.dispose()
    print(f"database at revision {revision}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
