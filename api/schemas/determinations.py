"""Determination records: the request that saves one, the record, and a replay under the current rules."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import ReferenceSchema, RulesIdSchema, StrictSchema
from api.schemas.drafting import ParameterChangeSchema
from api.schemas.fields import IsoDate
from api.schemas.household import HouseholdField
from api.schemas.screen import STATUSES, MemberResultSchema, ScreenRequestSchema, ScreenResponseSchema

NOTE_LENGTH = 2000


class DeterminationRequestSchema(ScreenRequestSchema):
    """A screening request to answer and keep, with an optional note (a case reference, say)."""

    class Meta(ScreenRequestSchema.Meta):
        exclude = ("vary",)  # a record keeps one answer, not an axis: `vary` is an unknown field here

    explain = fields.String(load_default="summary", validate=validate.OneOf(("none", "summary")), metadata={
        "description": "`summary` (default): keep each criterion with its figures and sentence; `none`: "
                       "statuses and amounts only."})
    note = fields.String(allow_none=True, validate=validate.Length(max=NOTE_LENGTH), metadata={
        "description": "Free text kept with the record, e.g. a case reference. Avoid names: ids suffice."})


class DeterminationSchema(StrictSchema):
    """A saved determination: the facts, the answer, the rules that gave it, and when."""

    id = fields.String(required=True, metadata={"example": "3f2b8a4e-9c1d-4e7a-8b6f-0a1b2c3d4e5f"})
    created_at = fields.String(required=True, metadata={
        "format": "date-time", "description": "When it was saved (UTC).", "example": "2025-11-15T14:02:11+00:00"})
    date = fields.String(required=True, metadata={"format": "date", "description": "The day screened for."})
    programs = fields.List(fields.String(), required=True, allow_none=True, metadata={
        "description": "The programs asked for; null: all."})
    explain = fields.String(required=True, validate=validate.OneOf(("none", "summary")))
    rules = fields.Nested(RulesIdSchema, required=True, metadata={
        "description": "The rule set that answered: its version and digest."})
    note = fields.String(required=True, allow_none=True)
    household = HouseholdField(required=True, metadata={"description": "The facts, as given."})
    answer = fields.Nested(ScreenResponseSchema, required=True, metadata={
        "description": "The answer, exactly as POST /v1/screen gave it then."})


class ReplayRequestSchema(StrictSchema):
    """Which day to re-screen for."""

    date = IsoDate(metadata={"description": "Default: the day the record was screened for. Another day "
                                            "shows what the rules in force then would say."})


class StatusChangeSchema(StrictSchema):
    """A status before and after (null: the program was not screened then, or is not now)."""

    from_ = fields.String(required=True, allow_none=True, data_key="from", attribute="from",
                          validate=validate.OneOf(STATUSES))
    to = fields.String(required=True, allow_none=True, validate=validate.OneOf(STATUSES))


class AmountChangeSchema(StrictSchema):
    """An amount before and after."""

    from_ = fields.Float(required=True, allow_none=True, data_key="from", attribute="from")
    to = fields.Float(required=True, allow_none=True)


class MemberChangeSchema(StrictSchema):
    """A member's result before and after."""

    from_ = fields.Nested(MemberResultSchema, required=True, allow_none=True, data_key="from", attribute="from")
    to = fields.Nested(MemberResultSchema, required=True, allow_none=True)


class ProgramChangeSchema(StrictSchema):
    """A program whose answer differs."""

    program = fields.String(required=True)
    status = fields.Nested(StatusChangeSchema, required=True)
    amount = fields.Nested(AmountChangeSchema, required=True)
    members = fields.Dict(keys=fields.String(), values=fields.Nested(MemberChangeSchema), required=True,
                          allow_none=True, metadata={"description": "Members whose result differs; null if none."})


class FormulaVersionChangeSchema(StrictSchema):
    """A variable whose formula in force differs: the formula then and now."""

    variable = fields.String(required=True)
    label = fields.String(required=True)
    start = fields.String(required=True, allow_none=True, metadata={
        "format": "date", "description": "When the formula now in force took effect."})
    formula = fields.String(required=True, allow_none=True, metadata={"description": "The formula now."})
    previous = fields.String(required=True, allow_none=True, metadata={"description": "The formula then."})
    reference = fields.List(fields.Nested(ReferenceSchema), required=True)


class RuleChangesSchema(StrictSchema):
    """Rules that differ between the rule set then (on the day then screened for) and now (on the day now)."""

    parameters = fields.List(fields.Nested(ParameterChangeSchema), required=True)
    variables = fields.List(fields.Nested(FormulaVersionChangeSchema), required=True)


class OriginalSchema(StrictSchema):
    """What the record was screened for, under which rules, and when."""

    date = fields.String(required=True, metadata={"format": "date"})
    rules = fields.Nested(RulesIdSchema, required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})


class ReplaySchema(StrictSchema):
    """The saved facts re-screened under the current rules: what changed, and which rules changed."""

    id = fields.String(required=True, metadata={"description": "The record replayed."})
    date = fields.String(required=True, metadata={"format": "date", "description": "The day re-screened for."})
    rules = fields.Nested(RulesIdSchema, required=True, metadata={"description": "The rules now."})
    original = fields.Nested(OriginalSchema, required=True)
    rules_changed = fields.Boolean(required=True, metadata={
        "description": "Whether the rule set differs (another digest) from the one that made the record."})
    changed = fields.Boolean(required=True, metadata={"description": "Whether any program's answer differs."})
    changes = fields.List(fields.Nested(ProgramChangeSchema), required=True)
    unchanged = fields.List(fields.String(), required=True, metadata={"description": "Programs answered alike."})
    rule_changes = fields.Nested(RuleChangesSchema, required=True, allow_none=True, metadata={
        "description": "null when the rules that made the record are not known to this database."})
    answer = fields.Nested(ScreenResponseSchema, required=True, metadata={"description": "The answer now."})
