"""Fields whose allowed values come from the app's rule set, and the spec components that list those values.

A schema class is built once, but the programs and facts it accepts are the loaded rule set's. So these
fields check only the JSON type (the request's own checks name unknown values and list the known ones),
and the spec documents each as a `$ref` to a component that `register` builds from the rule set.
"""

from __future__ import annotations

import re

from apispec import APISpec
from marshmallow import fields

from api.schemas.household import HouseholdField


class _Text(fields.Field):
    """A JSON string, and nothing looser."""

    default_error_messages = {"invalid": "Not a valid string."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        return value


class ProgramId(_Text):
    """A program id, e.g. `snap`."""


class ProgramIdList(_Text):
    """Program ids, comma-separated (a query string), as a list."""

    def _deserialize(self, value, attr, data, **kwargs):
        ids = [p.strip() for p in super()._deserialize(value, attr, data, **kwargs).split(",") if p.strip()]
        if not ids:
            raise self.make_error("invalid")
        return ids


class AxisFact(_Text):
    """`household.<fact>` or `members.<id>.<fact>` naming a numeric input fact."""


COMPONENTS = {HouseholdField: "Household", ProgramId: "ProgramId", ProgramIdList: "ProgramIdList",
              AxisFact: "AxisFact"}


def component_ref(converter, field, **kwargs) -> dict:
    """apispec attribute function: each field above is documented as its component."""
    for kind, name in COMPONENTS.items():
        if isinstance(field, kind):
            return {"$ref": f"#/components/schemas/{name}"}
    return {}


def _one_of(names) -> str:
    return "(" + "|".join(re.escape(name) for name in names) + ")"


def register(spec: APISpec, ruleset, household_schema) -> None:
    """The components for this rule set: its household, its program ids, the facts an axis may vary."""
    spec.components.schema("Household", schema=household_schema)
    ids = list(ruleset.programs)
    spec.components.schema("ProgramId", {
        "type": "string", **({"enum": ids} if ids else {}),
        "description": "A program id; GET /v1/programs lists them."})
    listed = {"pattern": f"^{_one_of(ids)}(,{_one_of(ids)})*$", "example": ",".join(ids[:2])} if ids else {}
    spec.components.schema("ProgramIdList", {"type": "string", **listed,
                                             "description": "Program ids, comma-separated; default all."})
    numeric = [v for v in ruleset.inputs.values() if v.value_type in ("float", "int")]
    axes = [rf"household\.{_one_of(v.name for v in numeric if v.entity == 'household')}",
            rf"members\.[^.]+\.{_one_of(v.name for v in numeric if v.entity == 'person')}"]
    axes = [axis for axis in axes if not axis.endswith("()")]  # an entity with no numeric fact has no axis
    spec.components.schema("AxisFact", {
        "type": "string", **({"pattern": f"^({'|'.join(axes)})$"} if axes else {}),
        "description": "household.<fact> or members.<member id>.<fact>, naming a numeric input fact; the "
                       "member must be in the household."})
