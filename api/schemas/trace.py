"""explain=trace: the computation tree behind a program's answer, bounded in depth and size."""

from __future__ import annotations

from marshmallow import fields

from api.schemas.common import ReferenceSchema, StrictSchema

VALUE = {"description": "A number, boolean or enum value; by member id for a person variable; null: unknown."}


class TraceParameterSchema(StrictSchema):
    """A parameter a formula read, the date it was read on and the value this household used."""

    path = fields.String(required=True)
    date = fields.String(required=True, metadata={"format": "date"})
    value = fields.Raw(required=True, metadata=VALUE)
    label = fields.String(required=True, allow_none=True)
    reference = fields.List(fields.Nested(ReferenceSchema), required=True)


class TraceNodeSchema(StrictSchema):
    """A variable's value for this household, its formula, and (within limits) what it was computed from."""

    variable = fields.String(required=True)
    label = fields.String(required=True)
    period = fields.String(required=True, metadata={"description": "YYYY-MM or YYYY."})
    value = fields.Raw(required=True, metadata=VALUE)
    known = fields.Boolean(required=True)
    input = fields.Boolean(metadata={"description": "true for an input fact (a leaf)."})
    formula = fields.String()
    repeated = fields.Boolean(metadata={"description": "Already expanded earlier in the tree."})
    parameters = fields.List(fields.Nested(TraceParameterSchema))
    depends_on = fields.List(fields.Nested("TraceNodeSchema"))


class TraceSchema(StrictSchema):
    """The tree of a program's decision, amount and category."""

    tree = fields.List(fields.Nested(TraceNodeSchema), required=True)
    limits = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    truncated = fields.Boolean(required=True, metadata={"description": "Some branches were cut at a limit."})
    nodes = fields.Integer(required=True)
