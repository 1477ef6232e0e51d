"""The stored records: a determination (facts, answer, rules, dates) and the rule sets that answered."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Plain JSON (not PostgreSQL's JSONB): it keeps the answer's key order, so a record reads back as saved.
Json = JSON()


class Base(DeclarativeBase):
    """Declarative base of the storage models; Alembic compares migrations against its metadata."""


class RuleSetSnapshot(Base):
    """Every parameter's dated values and every formula of one rule set, kept once per digest.

    A replay runs under today's rules; this snapshot is what lets it say which rules changed since.
    """

    __tablename__ = "rule_sets"

    digest: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[str] = mapped_column(String(100))
    snapshot: Mapped[dict] = mapped_column(Json)
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Determination(Base):
    """One screening a caseworker or a client chose to keep: written whole, in one transaction."""

    __tablename__ = "determinations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    screened_for: Mapped[dt.date] = mapped_column(Date)
    rules_version: Mapped[str] = mapped_column(String(100))
    rules_digest: Mapped[str] = mapped_column(String(100), ForeignKey("rule_sets.digest"), index=True)
    programs: Mapped[list | None] = mapped_column(Json, nullable=True)
    explain: Mapped[str] = mapped_column(String(20))
    household: Mapped[dict] = mapped_column(Json)
    answer: Mapped[dict] = mapped_column(Json)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
