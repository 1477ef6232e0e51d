"""Batch screening: query options and the documented request body forms."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import StrictSchema
from api.schemas.fields import IsoDate
from api.schemas.screen import today


class ProgramList(fields.String):
    """Program ids, comma-separated in the query string."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        ids = [p.strip() for p in text.split(",") if p.strip()]
        if not ids:
            raise self.make_error("invalid")
        return ids


class BatchQuerySchema(StrictSchema):
    """The day screened for, the programs, explanation level and the output format."""

    date = IsoDate(load_default=lambda: today(), metadata={"description": "YYYY-MM-DD; default today."})
    programs = ProgramList(metadata={"description": "Comma-separated program ids; default all.",
                                     "example": "snap,wic"})
    explain = fields.String(load_default="none", validate=validate.OneOf(("none", "summary")), metadata={
        "description": "`none` (default) or `summary` (criteria per program)."})
    format = fields.String(load_default="ndjson", validate=validate.OneOf(("ndjson", "json")), metadata={
        "description": "`ndjson` (default): one line per household; `json`: one array."})


BATCH_BODY = {
    "required": True,
    "description": "Households as a JSON array (or `{\"households\": [...]}`), as NDJSON (one household "
                   "per line), or as CSV with one row per household: household facts by name (`state`, "
                   "`assets`, ...) and member facts as `members.<n>.<fact>` (`members.0.age`, "
                   "`members.0.earned_income`, `members.1.id`, ...); an empty cell is an unknown fact; "
                   "booleans are true/false.",
    "content": {
        "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Household"}}},
        "application/x-ndjson": {"schema": {"type": "string"}},
        "text/csv": {"schema": {"type": "string"},
                     "example": "state,assets,members.0.age,members.0.earned_income\nCA,500,34,1450\n"},
    },
}
