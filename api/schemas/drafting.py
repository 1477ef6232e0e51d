"""Reforms and comparisons, rule changes between dates, and YAML test cases run as a service."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from api.schemas.common import ReferenceSchema, RulesIdSchema, StrictSchema
from api.schemas.fields import IsoDate
from api.schemas.household import HouseholdField
from api.schemas.screen import STATUSES, today

MAX_COMPARE_HOUSEHOLDS = 1000
MAX_TEST_CASES = 500


class ReformField(fields.Dict):
    """A reform: {label, parameters: {path: [{start, stop?, value}]}, variables: {name: definition}}."""

    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(), metadata={
            "description": "label; parameters: path -> list of {start, stop?, value}; variables: name -> a "
                           "variable definition in the rule format (see docs/rules-format.md).",
            "example": {"label": "SNAP gross limit at 200% of poverty", "parameters": {
                "us.usda.snap.income.gross_limit_rate": [{"start": "2025-10-01", "value": 2.0}]}}}, **kwargs)


class CompareRequestSchema(StrictSchema):
    """One household or a list, a date, and a reform to compare with the rules in force."""

    date = IsoDate(load_default=lambda: today())
    programs = fields.List(fields.String(), validate=validate.Length(min=1))
    reform = ReformField(required=True)
    household = HouseholdField()
    households = fields.List(HouseholdField(), validate=validate.Length(min=1, max=MAX_COMPARE_HOUSEHOLDS))

    @validates_schema
    def one_of_household_or_households(self, data, **kwargs):
        """Exactly one of the two."""
        if ("household" in data) == ("households" in data):
            raise ValidationError("Give either `household` or `households`, not both or neither.", "_schema")


class AnswerSchema(StrictSchema):
    """A status and an amount."""

    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    amount = fields.Float(required=True, allow_none=True)


class ComparisonSchema(StrictSchema):
    """One program for one household under both rule sets."""

    baseline = fields.Nested(AnswerSchema, required=True)
    reform = fields.Nested(AnswerSchema, required=True)
    change = fields.Float(required=True, allow_none=True, metadata={"description": "reform - baseline amount"})


class SummarySchema(StrictSchema):
    """One program over every household compared."""

    households = fields.Integer(required=True)
    newly_eligible = fields.Integer(required=True)
    newly_ineligible = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    total_change = fields.Float(required=True)
    mean_change = fields.Float(required=True, allow_none=True)


class ReformIdSchema(StrictSchema):
    """The reform's label and the digest of its canonical JSON."""

    label = fields.String(required=True)
    digest = fields.String(required=True)


class CompareResponseSchema(StrictSchema):
    """Per household and program: baseline, reform and the difference; and a summary by program."""

    date = fields.String(required=True)
    rules = fields.Nested(RulesIdSchema, required=True)
    reform = fields.Nested(ReformIdSchema, required=True)
    households = fields.List(fields.Dict(keys=fields.String(), values=fields.Nested(ComparisonSchema)),
                             required=True)
    summary = fields.Dict(keys=fields.String(), values=fields.Nested(SummarySchema), required=True)


class ChangesQuerySchema(StrictSchema):
    """Two dates."""

    from_ = IsoDate(required=True, data_key="from")
    to = IsoDate(required=True)


class ParameterChangeSchema(StrictSchema):
    """A parameter whose value differs between the two dates."""

    path = fields.String(required=True)
    from_ = fields.Raw(required=True, allow_none=True, data_key="from", attribute="from")
    to = fields.Raw(required=True, allow_none=True)
    label = fields.String(allow_none=True)
    reference = fields.List(fields.Nested(ReferenceSchema), required=True)


class FormulaChangeSchema(StrictSchema):
    """A formula version dated between the two dates."""

    variable = fields.String(required=True)
    start = fields.String(required=True)
    formula = fields.String(required=True)
    reference = fields.List(fields.Nested(ReferenceSchema), required=True)


class ChangesResponseSchema(StrictSchema):
    """Every rule that changed between two dates."""

    from_ = fields.String(required=True, data_key="from", attribute="from")
    to = fields.String(required=True)
    parameters = fields.List(fields.Nested(ParameterChangeSchema), required=True)
    variables = fields.List(fields.Nested(FormulaChangeSchema), required=True)


class TestsRequestSchema(StrictSchema):
    """YAML test cases in OpenFisca's format, run against the rules or a reform of them."""

    cases = fields.Raw(required=True, metadata={
        "description": "The YAML text of a list of cases ({name, period, input, output}), or the list itself."})
    reform = ReformField()


class CaseResultSchema(StrictSchema):
    """One case's outcome."""

    name = fields.String(required=True)
    passed = fields.Boolean(required=True)
    differences = fields.List(fields.String(), required=True)
    error = fields.String(allow_none=True)


class TestsResponseSchema(StrictSchema):
    """Every case's outcome, and the counts."""

    rules = fields.Nested(RulesIdSchema, required=True)
    reform = fields.Nested(ReformIdSchema, allow_none=True)
    passed = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    cases = fields.List(fields.Nested(CaseResultSchema), required=True)
