"""Determination records and the rule set snapshots they refer to.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create rule_sets and determinations."""
    op.create_table(
        "rule_sets",
        sa.Column("digest", sa.String(100), primary_key=True),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "determinations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("screened_for", sa.Date(), nullable=False),
        sa.Column("rules_version", sa.String(100), nullable=False),
        sa.Column("rules_digest", sa.String(100), sa.ForeignKey("rule_sets.digest"), nullable=False),
        sa.Column("programs", sa.JSON(), nullable=True),
        sa.Column("explain", sa.String(20), nullable=False),
        sa.Column("household", sa.JSON(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_determinations_created_at", "determinations", ["created_at"])
    op.create_index("ix_determinations_rules_digest", "determinations", ["rules_digest"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_determinations_rules_digest", table_name="determinations")
    op.drop_index("ix_determinations_created_at", table_name="determinations")
    op.drop_table("determinations")
    op.drop_table("rule_sets")
