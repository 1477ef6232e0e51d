"""POST /v1/screen: the request (household facts) and the answer, as in the screening contract."""

from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, fields, validate, validates_schema

from api.schemas.common import ReferenceSchema, RulesIdSchema, StrictSchema
from api.schemas.components import AxisFact, ProgramId
from api.schemas.fields import IsoDate
from api.schemas.household import HouseholdField
from api.schemas.trace import TraceSchema
from api.state import current_rules
from eligibility.errors import DateOutOfRange, InputError
from eligibility.screening import EXPLAIN_LEVELS, check_request

STATUSES = ("eligible", "ineligible", "undetermined")


def today() -> dt.date:
    """The server's date: the day screened for when the request names none (looked up per request)."""
    return dt.date.today()


class VarySchema(StrictSchema):
    """An axis along one numeric fact: every program is screened at each point, in one vectorised run."""

    fact = AxisFact(required=True, metadata={
        "description": "household.<fact> or members.<id>.<fact> naming a numeric fact.",
        "example": "members.alex.earned_income"})
    from_ = fields.Float(required=True, data_key="from", validate=validate.Range(min=0), allow_nan=False,
                         metadata={"example": 0})
    to = fields.Float(required=True, validate=validate.Range(min=0), allow_nan=False, metadata={"example": 5000})
    step = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False), allow_nan=False,
                        metadata={"example": 50})


class ScreenRequestSchema(StrictSchema):
    """One household, the day screened for, the programs wanted and how much explanation."""

    date = IsoDate(load_default=lambda: today(), metadata={
        "description": "The day screened for (YYYY-MM-DD); default today. Monthly programs are evaluated "
                       "for its month, yearly ones for its year. Outside the modelled range: 422."})
    programs = fields.List(ProgramId(), validate=validate.Length(min=1), metadata={
        "description": "Program ids to screen for (see GET /v1/programs); default all."})
    explain = fields.String(load_default="summary", validate=validate.OneOf(EXPLAIN_LEVELS), metadata={
        "description": "`none`: no criteria; `summary` (default): each criterion with its figures; "
                       "`trace`: also the computation tree."})
    household = HouseholdField(required=True, metadata={"description": "The household's facts."})
    vary = fields.Nested(VarySchema, metadata={
        "description": "Also screen along an axis of one fact (at most 1,000 points) and mark the cliffs."})

    @validates_schema(skip_on_field_errors=False)
    def programs_and_date_are_modelled(self, data, **kwargs):
        """Unknown program ids and an unmodelled date are reported together, with the known ones."""
        ruleset = current_rules()
        day, wanted = data.get("date"), data.get("programs")
        errors: dict = {}
        if wanted is not None:
            try:
                check_request(ruleset, ruleset.date_range[0], wanted)
            except InputError as error:
                errors.update(error.errors)
            except DateOutOfRange:
                pass  # judged below against the day actually asked for
            wanted = [p for p in wanted if p in ruleset.programs]
        if day is not None and wanted != []:
            try:
                check_request(ruleset, day, wanted)
            except DateOutOfRange as error:
                errors.update(error.errors)
        if errors:
            raise ValidationError(errors)


class CriterionSchema(StrictSchema):
    """One test the rules apply, its result and the figures it compared."""

    id = fields.String(required=True, metadata={"description": "The rule variable the test is."})
    label = fields.String(required=True)
    result = fields.Boolean(required=True, allow_none=True, metadata={"description": "null: not yet known."})
    values = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True,
                         metadata={"description": "The values compared; null when unknown."})
    reference = fields.List(fields.Nested(ReferenceSchema), required=True)
    explanation = fields.String(required=True, metadata={"description": "A sentence with the figures."})
    member = fields.String(metadata={"description": "For a per-person test: the member's id."})


class MemberResultSchema(StrictSchema):
    """A person's result in a program decided person by person."""

    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    category = fields.String(required=True, allow_none=True, metadata={
        "description": "e.g. free/reduced (school meals), infant/child/... (WIC); null unless eligible."})


class HeadroomSchema(StrictSchema):
    """How much more the highest earner could earn each month before the program's status changes."""

    member = fields.String(required=True, metadata={"description": "The member whose earnings were raised."})
    monthly_earned_income = fields.Float(required=True, metadata={"description": "USD per month."})
    step = fields.Float(required=True, metadata={"description": "The USD step the search moved by."})
    at_least = fields.Boolean(required=True, metadata={
        "description": "true: the status held over the whole range searched; the headroom is at least this."})


class ProgramResultSchema(StrictSchema):
    """One program's answer for the household."""

    status = fields.String(required=True, validate=validate.OneOf(STATUSES), metadata={
        "description": "eligible/ineligible only when the given facts settle it; otherwise undetermined."})
    amount = fields.Float(required=True, allow_none=True, metadata={
        "description": "USD for `period`; 0 when ineligible; null when undetermined or no amount is paid."})
    period = fields.String(required=True, metadata={"description": "YYYY-MM or YYYY.", "example": "2025-11"})
    members = fields.Dict(keys=fields.String(), values=fields.Nested(MemberResultSchema), required=True,
                          allow_none=True,
                          metadata={"description": "By member id; null for a program decided per household."})
    criteria = fields.List(fields.Nested(CriterionSchema), metadata={"description": "Not with explain=none."})
    trace = fields.Nested(TraceSchema, metadata={"description": "Only with explain=trace."})
    headroom = fields.Nested(HeadroomSchema, metadata={
        "description": "For an eligible monthly program, when some member's earnings are known."})
    missing = fields.List(fields.String(), required=True, metadata={
        "description": "Unknown facts that would settle an undetermined answer, e.g. household.assets, "
                       "members.a.age."})


class CliffSchema(StrictSchema):
    """A point where a status flips or an amount drops by more than the income gained."""

    at = fields.Float(required=True)
    from_status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    to_status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    amount_before = fields.Float(required=True, allow_none=True)
    amount_after = fields.Float(required=True, allow_none=True)


class AxisProgramSchema(StrictSchema):
    """One program along the axis."""

    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)), required=True)
    amount = fields.List(fields.Float(allow_none=True), required=True)
    cliffs = fields.List(fields.Nested(CliffSchema), required=True)


class AxisSchema(StrictSchema):
    """Every program's status and amount at each point of the varied fact."""

    fact = fields.String(required=True)
    points = fields.List(fields.Float(), required=True)
    programs = fields.Dict(keys=fields.String(), values=fields.Nested(AxisProgramSchema), required=True)


class QuestionSchema(StrictSchema):
    """An unknown fact worth asking about, and the programs it would help settle."""

    fact = fields.String(required=True, metadata={"example": "household.assets"})
    label = fields.String(required=True)
    question = fields.String(required=True, allow_none=True)
    programs = fields.List(fields.String(), required=True)


class ScreenResponseSchema(StrictSchema):
    """The answer for each program screened, and what to ask next."""

    date = fields.String(required=True, metadata={"format": "date", "example": "2025-11-15"})
    rules = fields.Nested(RulesIdSchema, required=True)
    programs = fields.Dict(keys=fields.String(), values=fields.Nested(ProgramResultSchema), required=True)
    next_questions = fields.List(fields.Nested(QuestionSchema), required=True, metadata={
        "description": "The unknown facts that matter, the one that settles the most programs first."})
    vary = fields.Nested(AxisSchema, metadata={"description": "Only when the request has `vary`."})
