"""Batch screening: query options and the documented request body forms."""

from __future__ import annotations

from marshmallow import fields, validate

from api.config import (
    BATCH_MAX_EXPLAINED_HOUSEHOLDS,
    BATCH_MAX_EXPLAINED_MEMBERS,
    BATCH_MAX_HOUSEHOLDS,
    BATCH_MAX_MEMBERS,
)
from api.schemas.common import StrictSchema
from api.schemas.components import ProgramIdList
from api.schemas.fields import IsoDate
from api.schemas.screen import today


class BatchQuerySchema(StrictSchema):
    """The day screened for, the programs, explanation level and the output format."""

    date = IsoDate(load_default=lambda: today(), metadata={"description": "YYYY-MM-DD; default today."})
    programs = ProgramIdList()
    explain = fields.String(load_default="none", validate=validate.OneOf(("none", "summary")), metadata={
        "description": "`none` (default) or `summary` (criteria per program)."})
    format = fields.String(load_default="ndjson", validate=validate.OneOf(("ndjson", "json")), metadata={
        "description": "`ndjson` (default): one line per household; `json`: one array."})


# The default limit (ELIGIBILITY_BATCH_MAX_HOUSEHOLDS may change it); the request's own check says the limit in force.
HOUSEHOLDS = {"type": "array", "minItems": 1, "maxItems": BATCH_MAX_HOUSEHOLDS,
              "items": {"$ref": "#/components/schemas/Household"}}
BATCH_BODY = {
    "required": True,
    "description": "Households as a JSON array (or `{\"households\": [...]}`), as NDJSON (one household "
                   "per line), or as CSV with one row per household: household facts by name (`state`, "
                   "`assets`, ...) and member facts as `members.<n>.<fact>` (`members.0.age`, "
                   "`members.0.earned_income`, `members.1.id`, ...); an empty cell is an unknown fact; "
                   "booleans are true/false. By default at most "
                   f"{BATCH_MAX_HOUSEHOLDS:,} households and {BATCH_MAX_MEMBERS:,} members in all, or "
                   f"{BATCH_MAX_EXPLAINED_HOUSEHOLDS:,} and {BATCH_MAX_EXPLAINED_MEMBERS:,} with explain=summary.",
    "content": {
        "application/json": {"schema": {"oneOf": [
            HOUSEHOLDS,
            {"type": "object", "properties": {"households": HOUSEHOLDS}, "required": ["households"],
             "additionalProperties": False}]}},
        # At least one household: a line that is not blank; for CSV, a row below the header.
        "application/x-ndjson": {"schema": {"type": "string", "pattern": r"\S"}},
        "text/csv": {"schema": {"type": "string", "pattern": r"[\r\n]\s*\S"},
                     "example": "state,assets,members.0.age,members.0.earned_income\nCA,500,34,1450\n"},
    },
}
