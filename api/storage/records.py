"""Save, read and delete determination records; each save is one transaction, so never half-written."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from api.storage.database import Database
from api.storage.models import Determination, RuleSetSnapshot
from api.storage.snapshots import snapshot

INSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def new_id() -> str:
    """A random record id: unguessable, and unique without asking the database (no contention)."""
    return str(uuid.uuid4())


def is_record_id(text: str) -> bool:
    """Whether `text` is shaped like a record id (anything else is a 404 without a query)."""
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def save(db: Database, ruleset, request: dict, answer: dict, note: str | None = None) -> dict:
    """Store the facts, the answer and the rules that gave it; returns the record as `as_dict` shows it."""
    record = Determination(
        id=new_id(), created_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        screened_for=request["date"], rules_version=answer["rules"]["version"],
        rules_digest=answer["rules"]["digest"], programs=request.get("programs"),
        explain=request.get("explain", "summary"), household=request["household"], answer=answer, note=note)
    with db.writing() as session:
        if ruleset.digest not in db.stored_digests:
            _store_rules(db, session, ruleset)
        session.add(record)
    db.stored_digests.add(ruleset.digest)
    return as_dict(record)


def _store_rules(db: Database, session, ruleset) -> None:
    """The rule set's snapshot, once per digest, even when several processes save at the same moment."""
    if session.get(RuleSetSnapshot, ruleset.digest) is not None:
        return
    insert = INSERT[db.backend](RuleSetSnapshot).values(
        digest=ruleset.digest, version=ruleset.version, snapshot=snapshot(ruleset),
        stored_at=dt.datetime.now(dt.UTC))
    session.execute(insert.on_conflict_do_nothing(index_elements=["digest"]))


def get(db: Database, record_id: str) -> dict | None:
    """The record, or None."""
    if not is_record_id(record_id):
        return None
    with db.reading() as session:
        record = session.get(Determination, record_id)
        return None if record is None else as_dict(record)


def rules_snapshot(db: Database, digest: str) -> dict | None:
    """The stored snapshot of the rule set with `digest`, or None."""
    with db.reading() as session:
        return session.scalar(select(RuleSetSnapshot.snapshot).where(RuleSetSnapshot.digest == digest))


def remove(db: Database, record_id: str) -> bool:
    """Delete the record; False when there was none."""
    if not is_record_id(record_id):
        return False
    with db.writing() as session:
        result = session.execute(delete(Determination).where(Determination.id == record_id))
        return result.rowcount == 1


def count(db: Database) -> int:
    """How many records are stored."""
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Determination))


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite keeps no time zone: every stored moment is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def as_dict(record: Determination) -> dict:
    """The record as the API returns it."""
    return {
        "id": record.id,
        "created_at": _utc(record.created_at).isoformat(),
        "date": record.screened_for.isoformat(),
        "programs": record.programs,
        "explain": record.explain,
        "rules": {"version": record.rules_version, "digest": record.rules_digest},
        "note": record.note,
        "household": record.household,
        "answer": record.answer,
    }
