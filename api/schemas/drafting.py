"""Reforms and comparisons, rule changes between dates, and YAML test cases run as a service."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from api.schemas.common import ReferenceSchema, RulesIdSchema, StrictSchema
from api.schemas.components import ProgramId
from api.schemas.fields import IsoDate
from api.schemas.household import HouseholdField
from api.schemas.screen import STATUSES, today
from eligibility.reforms import MAX_DRAFT_VARIABLES

MAX_COMPARE_HOUSEHOLDS = 1000
MAX_TEST_CASES = 500


DATE = {"type": "string", "format": "date"}
# What eligibility.reforms.apply_reform takes; whether a path or a draft is right only the rules can say.
REFORM = {
    "type": "object",
    "properties": {
        "label": {"type": ["string", "null"], "description": "A name for the draft, echoed in answers."},
        "parameters": {
            "type": ["object", "null"],
            "description": "Parameter path (a single value, e.g. a table's leaf) -> its new values.",
            "additionalProperties": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["start", "value"], "additionalProperties": False,
                "properties": {"start": DATE, "stop": {**DATE, "type": ["string", "null"]},
                               "value": {"type": ["number", "boolean"]}}}}},
        "variables": {
            "type": ["object", "null"], "maxProperties": MAX_DRAFT_VARIABLES,
            "description": "Variable name -> a definition in the rule format (see docs/rules-format.md).",
            "additionalProperties": {"type": "object"}},
    },
    "additionalProperties": False,
}


class ReformField(fields.Field):
    """A reform: {label, parameters: {path: [{start, stop?, value}]}, variables: {name: definition}}.

    The engine checks it whole, with errors that mirror the draft (unknown fields included); here only
    its JSON types.
    """

    default_error_messages = {"invalid": "Must be an object with label, parameters and variables."}

    def __init__(self, **kwargs):
        super().__init__(metadata={**REFORM, "example": {
            "label": "SNAP gross limit at 200% of poverty", "parameters": {
                "us.usda.snap.income.gross_limit_rate": [{"start": "2025-10-01", "value": 2.0}]}}}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        if not isinstance(value.get("label"), str | None):
            raise ValidationError({"label": ["Not a valid string."]})
        return value


class CompareRequestSchema(StrictSchema):
    """One household or a list, a date, and a reform to compare with the rules in force."""

    class Meta(StrictSchema.Meta):
        json_schema = {"oneOf": [{"required": ["household"]}, {"required": ["households"]}]}  # as checked below

    date = IsoDate(load_default=lambda: today())
    programs = fields.List(ProgramId(), validate=validate.Length(min=1))
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

    from_ = IsoDate(required=True, data_key="from", metadata={"description": "YYYY-MM-DD."})
    to = IsoDate(required=True, metadata={"description": "YYYY-MM-DD, on or after `from`."})


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
        "description": "The YAML text of a list of cases ({name, period, input, output}), or the list itself.",
        "oneOf": [{"type": "string"}, {"type": "object"},
                  {"type": "array", "minItems": 1, "maxItems": MAX_TEST_CASES, "items": {"type": "object"}}]})
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
