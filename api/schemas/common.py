"""Small shapes shared by several responses."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields


class StrictSchema(Schema):
    """Unknown fields are an error, never silently dropped."""

    class Meta:
        unknown = RAISE


class ReferenceSchema(StrictSchema):
    """A citation of the law, regulation or notice a rule comes from."""

    title = fields.String(required=True)
    href = fields.String(allow_none=True)


class DateRangeSchema(StrictSchema):
    """An inclusive range of days."""

    start = fields.String(required=True, metadata={"format": "date", "example": "2023-10-01"})
    end = fields.String(required=True, metadata={"format": "date", "example": "2026-09-30"})


class RulesIdSchema(StrictSchema):
    """Which rule set answered: its released version and the hash of every rule file loaded."""

    version = fields.String(required=True, metadata={"example": "0.1.0"})
    digest = fields.String(required=True, metadata={"example": "sha256:0f3a..."})
