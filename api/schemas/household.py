"""The household schema, built from the rule set's input facts so a new fact needs no API change."""

from __future__ import annotations

from flask import current_app
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from api.schemas.fields import LARGEST, Amount, StrictBoolean, WholeNumber

MEMBER_ID_LENGTH = 100
MEMBER_ID = validate.Length(min=1, max=MEMBER_ID_LENGTH)
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
        state = current_app.extensions["eligibility"]
        loaded = state.plain_households.load(value)
        return loaded if loaded is not None else state.household_schema.load(value)


_INVALID = object()


class PlainHouseholds:
    """Loads a plainly valid household as the schema would, without its per-field machinery.

    A screening's household is read on every request, and marshmallow's load is a fifth of a
    request's time. Anything this does not see as plainly valid (an unknown field, a wrong type, a
    value out of range, a repeated id, too few or many members) returns None, and the schema, which
    stays the authority, loads it or names every problem.
    """

    def __init__(self, ruleset):
        self.household = {n: _kind(v) for n, v in ruleset.inputs.items() if v.entity == "household"}
        self.member = {n: _kind(v) for n, v in ruleset.inputs.items() if v.entity == "person"}

    def load(self, value) -> dict | None:
        """What household_schema(ruleset).load(value) returns, or None to leave the value to it."""
        if type(value) is not dict:
            return None
        members = value.get("members")
        if type(members) is not list or not 1 <= len(members) <= MAX_MEMBERS:
            return None
        household = _facts(value, self.household, "members")
        if household is None:
            return None
        loaded, ids = [], set()
        for member in members:
            member_id = member.get("id") if type(member) is dict else None
            if type(member_id) is not str or not 1 <= len(member_id) <= MEMBER_ID_LENGTH or member_id in ids:
                return None
            ids.add(member_id)
            facts = _facts(member, self.member, "id")
            if facts is None:
                return None
            loaded.append(facts)
        household["members"] = loaded
        return household


def _kind(variable):
    if variable.value_type == "enum":
        return frozenset(variable.possible_values)
    return variable.value_type


def _facts(record: dict, kinds: dict, own: str) -> dict | None:
    """`record`'s facts loaded (the `own` key copied as is), or None when one is not plainly valid."""
    loaded = {}
    for key, value in record.items():
        if key == own:
            loaded[key] = value
            continue
        kind = kinds.get(key)
        if kind is None:
            return None
        value = value if value is None else _value(kind, value)
        if value is _INVALID:
            return None
        loaded[key] = value
    return loaded


def _value(kind, value):
    """A fact's value as the schema's field loads it, or _INVALID."""
    kind_of_value = type(value)
    if kind == "float":
        if kind_of_value is int or kind_of_value is float:
            if 0 <= value <= LARGEST:  # false for nan; inf is above
                return float(value)
    elif kind == "int":
        if kind_of_value is float and value.is_integer() and 0 <= value <= LARGEST:
            return int(value)
        if kind_of_value is int and 0 <= value <= LARGEST:
            return value
    elif kind == "bool":
        if kind_of_value is bool:
            return value
    elif kind_of_value is str and value in kind:
        return value
    return _INVALID
