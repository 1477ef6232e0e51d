"""Strict JSON fields: a form that sends "12" or 1 where a number or true is meant gets a 422, not a guess."""

from __future__ import annotations

import math
import re

from marshmallow import fields, validate

NON_NEGATIVE = validate.Range(min=0)
# A trillion (dollars a month, or years) is no household's figure, and keeps every sum the rules
# take over members and months far from float overflow, so no answer can hold an infinity.
LARGEST = 10**12
AT_MOST_LARGEST = validate.Range(max=LARGEST)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class StrictBoolean(fields.Boolean):
    """Only JSON true or false."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


class Amount(fields.Float):
    """A non-negative, finite JSON number (strings are refused, not parsed)."""

    default_error_messages = {"special": "Must be a finite number.",
                              "too_large": f"Must be less than or equal to {LARGEST}."}

    def __init__(self, **kwargs):
        super().__init__(validate=[NON_NEGATIVE, AT_MOST_LARGEST], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class WholeNumber(fields.Integer):
    """A non-negative JSON integer; 3.0 counts as 3, as JSON Schema says it does."""

    default_error_messages = {"too_large": f"Must be less than or equal to {LARGEST}."}

    def __init__(self, **kwargs):
        super().__init__(validate=[NON_NEGATIVE, AT_MOST_LARGEST], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid", input=value)
        try:
            float(value)  # the engine computes in floats: a 400-digit age must be refused here
        except OverflowError as error:
            raise self.make_error("too_large", input=value) from error
        return value


class IsoDate(fields.Date):
    """A calendar date written YYYY-MM-DD, and nothing looser."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not ISO_DATE.match(value):
            raise self.make_error("invalid", input=value, obj_type="date")
        return super()._deserialize(value, attr, data, **kwargs)
