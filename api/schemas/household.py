"""The household schema, built from the rule set's input facts so a new fact needs no API change."""

from __future__ import annotations

from flask import current_app
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from api.schemas.fields import Amount, StrictBoolean, WholeNumber

MEMBER_ID = validate.Length(min=1, max=100)
# Far above any real household, and a bound on the work one screening (or batch row) can ask for.
MAX_MEMBERS = 50
UNITS = {"currency-USD": "USD"}


def describe(variable) -> str:
    """The field's documentation: its label (which says monthly or yearly for flows) and its unit."""
    text = variable.label.rstrip(".") + "."
    if variable.unit in UNITS:
        text += f" In {UNITS[variable.unit]}."
    elif variable.unit:
        text += f" Unit: {variable.unit}."
    return text + " Omitted or null: unknown."


def fact_field(variable) -> fields.Field:
    """A nullable marshmallow field for one input fact (null or absent means unknown, never 0)."""
    metadata = {"description": describe(variable), "x-question": variable.question}
    if variable.value_type == "bool":
        return StrictBoolean(allow_none=True, metadata=metadata)
    if variable.value_type == "int":
        return WholeNumber(allow_none=True, metadata=metadata)
    if variable.value_type == "enum":
        return fields.String(allow_none=True, validate=validate.OneOf(variable.possible_values),
                             metadata=metadata)
    return Amount(allow_none=True, metadata=metadata)


class MemberBase(Schema):
    """A member of the household; the rule set's person facts are added as fields."""

    class Meta:
        unknown = RAISE


class HouseholdBase(Schema):
    """The household; the rule set's household facts are added as fields."""

    class Meta:
        unknown = RAISE

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def member_ids_are_unique(self, data, original, **kwargs):
        """Per-person results are keyed by id, so two members may not share one."""
        members = original.get("members") if isinstance(original, dict) else None
        if not isinstance(members, list):
            return
        seen: set = set()
        problems = {}
        for index, member in enumerate(members):
            member_id = member.get("id") if isinstance(member, dict) else None
            if not isinstance(member_id, str):
                continue  # not an id at all: the id field reports that (a list here is not even hashable)
            if member_id in seen:
                message = f"Duplicate member id {member_id!r}; each member needs its own id."
                problems[index] = {"id": [message]}
            seen.add(member_id)
        if problems:
            raise ValidationError({"members": problems})


def household_schema(ruleset) -> Schema:
    """A Household schema instance whose fields are exactly the rule set's input facts."""
    member_fields: dict[str, fields.Field] = {
        "id": fields.String(required=True, validate=MEMBER_ID,
                            metadata={"description": "Unique in the household; results per person use it."}),
    }
    household_fields: dict[str, fields.Field] = {}
    for name, variable in ruleset.inputs.items():
        target = member_fields if variable.entity == "person" else household_fields
        target[name] = fact_field(variable)
    member = MemberBase.from_dict(member_fields, name="Member")
    household_fields["members"] = fields.List(
        fields.Nested(member), required=True, validate=validate.Length(min=1, max=MAX_MEMBERS),
        metadata={"description": "The people who live and buy and prepare food together."})
    return HouseholdBase.from_dict(household_fields, name="Household")()


class HouseholdField(fields.Field):
    """Loads a household with the current app's schema (documented as the Household component)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError("Not a valid household: expected an object.")
        return current_app.extensions["eligibility"].household_schema.load(value)
