"""The rule catalogue: programs, variables, parameters and the rule set's release."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import DateRangeSchema, ReferenceSchema, RulesIdSchema, StrictSchema
from api.schemas.components import ProgramId

ENTITIES = ("household", "person")
PERIODS = ("month", "year")
DATE = {"format": "date"}
IN_FORCE = {"description": "null: still in force."}


def describe(text: str) -> dict:
    """Field metadata holding a description for the spec."""
    return {"description": text}


class FactSchema(StrictSchema):
    """An input fact: where it goes in the screening request and the question a form asks."""

    name = fields.String(required=True)
    entity = fields.String(required=True, validate=validate.OneOf(ENTITIES))
    path = fields.String(required=True, metadata={"example": "household.members[].age"})
    label = fields.String(required=True)
    question = fields.String(required=True, allow_none=True)


class ProgramSchema(StrictSchema):
    """A benefit program as listed."""

    id = fields.String(required=True, metadata={"example": "snap"})
    name = fields.String(required=True)
    agency = fields.String(required=True)
    description = fields.String(required=True, allow_none=True)
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    entity = fields.String(required=True, validate=validate.OneOf(ENTITIES), metadata={
        "description": "household, or person for programs decided person by person."})
    pays_amount = fields.Boolean(required=True)
    modelled = fields.Nested(DateRangeSchema, required=True, metadata=describe("Dates the rules model."))
    reference = fields.List(fields.Nested(ReferenceSchema), required=True, metadata=describe("Legal basis."))
    facts = fields.List(fields.Nested(FactSchema), required=True, metadata={
        "description": "Every input fact the program's answer can depend on."})


class CriterionInfoSchema(StrictSchema):
    """A test a program applies."""

    variable = fields.String(required=True)
    label = fields.String(required=True)
    reference = fields.List(fields.Nested(ReferenceSchema), required=True)


class ProgramDetailSchema(ProgramSchema):
    """A program with the variables behind its answer."""

    eligible = fields.String(required=True, metadata={"description": "The decision variable."})
    amount = fields.String(required=True, allow_none=True, metadata={"description": "The amount variable."})
    category = fields.String(required=True, allow_none=True)
    criteria = fields.List(fields.Nested(CriterionInfoSchema), required=True)


class ProgramListSchema(StrictSchema):
    """Every program the rules model."""

    programs = fields.List(fields.Nested(ProgramSchema), required=True)


class VariableSchema(StrictSchema):
    """A variable as listed."""

    name = fields.String(required=True)
    label = fields.String(required=True)
    entity = fields.String(required=True, validate=validate.OneOf(ENTITIES))
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    value_type = fields.String(required=True, validate=validate.OneOf(("float", "int", "bool", "enum")))
    unit = fields.String(required=True, allow_none=True)
    input = fields.Boolean(required=True, metadata={"description": "An input fact of the screening request."})


class FormulaSchema(StrictSchema):
    """One dated version of a formula."""

    start = fields.String(required=True, allow_none=True, metadata={**DATE, **describe("null: always.")})
    end = fields.String(required=True, allow_none=True, metadata={**DATE, **IN_FORCE})
    formula = fields.String(required=True)
    parameters = fields.List(fields.String(), required=True)


class VariableDetailSchema(VariableSchema):
    """A variable with its formulas, references and place in the dependency graph."""

    possible_values = fields.List(fields.String(), required=True, allow_none=True)
    question = fields.String(required=True, allow_none=True)
    reference = fields.List(fields.Nested(ReferenceSchema), required=True)
    documentation = fields.String(required=True, allow_none=True)
    formulas = fields.List(fields.Nested(FormulaSchema), required=True)
    dependencies = fields.List(fields.String(), required=True, metadata=describe("Variables it reads."))
    dependents = fields.List(fields.String(), required=True, metadata=describe("Variables that read it."))
    inputs = fields.List(fields.String(), required=True, metadata={
        "description": "Input facts it ultimately depends on."})
    parameters = fields.List(fields.String(), required=True, metadata={
        "description": "Parameters it ultimately depends on."})
    programs = fields.List(fields.String(), required=True, metadata=describe("Programs it is part of."))


class VariableListSchema(StrictSchema):
    """Variables of the rule set."""

    variables = fields.List(fields.Nested(VariableSchema), required=True)


class VariableQuerySchema(StrictSchema):
    """Filters of the variables list."""

    input = fields.Boolean(metadata={"description": "Only input facts (true) or only formulas (false)."})
    entity = fields.String(validate=validate.OneOf(ENTITIES))
    program = ProgramId(metadata={"description": "Only variables a program's answer depends on."})


class ValueSchema(StrictSchema):
    """A parameter's value over one span of time."""

    start = fields.String(required=True, metadata=DATE)
    end = fields.String(required=True, allow_none=True, metadata={**DATE, **IN_FORCE})
    value = fields.Raw(required=True, metadata={
        "type": ["number", "boolean", "null"], "description": "null: the parameter does not exist then."})
    reference = fields.List(fields.Nested(ReferenceSchema), required=True, metadata={
        "description": "The value's own reference, when it has one beyond the parameter's."})


class ParameterSchema(StrictSchema):
    """A parameter or table as listed: one file of the rules."""

    path = fields.String(required=True, metadata={"example": "us.usda.snap.income.gross_limit_rate"})
    kind = fields.String(required=True, validate=validate.OneOf(("value", "table")))
    label = fields.String(required=True, allow_none=True)
    description = fields.String(required=True, allow_none=True)
    unit = fields.String(required=True, allow_none=True)
    reference = fields.List(fields.Nested(ReferenceSchema), required=True)
    documentation = fields.String(required=True, allow_none=True)
    file = fields.String(required=True)


class ParameterNodeSchema(StrictSchema):
    """A parameter's values, or a table's entries."""

    key = fields.String(metadata={"description": "The entry's key in its table."})
    path = fields.String(required=True)
    values = fields.List(fields.Nested(ValueSchema), required=True, allow_none=True)
    children = fields.List(fields.Nested("ParameterNodeSchema"), required=True, allow_none=True)


class ParameterDetailSchema(ParameterSchema):
    """A parameter, table or table entry with its values over time."""

    values = fields.List(fields.Nested(ValueSchema), required=True, allow_none=True, metadata={
        "description": "A single parameter's values, oldest first; null for a table."})
    children = fields.List(fields.Nested(ParameterNodeSchema), required=True, allow_none=True, metadata={
        "description": "A table's entries; null for a single parameter."})
    used_by = fields.List(fields.String(), required=True, metadata={"description": "Variables that read it."})


class ParameterListSchema(StrictSchema):
    """Every parameter file of the rule set."""

    parameters = fields.List(fields.Nested(ParameterSchema), required=True)


class RulesSchema(StrictSchema):
    """The rule set answering: release, digest, dates modelled, when it was loaded."""

    version = fields.String(required=True)
    digest = fields.String(required=True)
    modelled = fields.Nested(DateRangeSchema, required=True, metadata=describe("The widest range modelled."))
    loaded_at = fields.String(required=True, metadata={"format": "date-time"})
    programs = fields.Dict(keys=fields.String(), values=fields.Nested(DateRangeSchema), required=True,
                           metadata={"description": "The range each program models."})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class HealthSchema(StrictSchema):
    """Liveness or readiness."""

    status = fields.String(required=True, metadata={"example": "ok"})
    rules = fields.Nested(RulesIdSchema, metadata={"description": "The rule set loaded (readiness)."})
