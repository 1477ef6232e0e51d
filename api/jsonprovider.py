"""Flask's JSON provider, writing responses with orjson: the standard encoder took a tenth of a screening request."""

from __future__ import annotations

import orjson
from flask.json.provider import DefaultJSONProvider

# Dates and dataclasses go to Flask's own `default`, so they come out exactly as before; integer keys
# (a batch's per-household errors) are written as strings, as the standard encoder does.
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def compact(obj) -> bytes:
    """Compact JSON of the engine's output; orjson's error (a TypeError) for what it cannot write."""
    return orjson.dumps(obj, option=_OPTIONS)


class OrjsonProvider(DefaultJSONProvider):
    """Responses in the order the engine built them, written by orjson; everything else as Flask does."""

    sort_keys = False  # keep the engine's order: programs and criteria as the rules declare them

    def response(self, *args, **kwargs):
        obj = self._prepare_response_obj(args, kwargs)
        try:
            text = orjson.dumps(obj, default=self.default, option=_OPTIONS)
        except TypeError:  # orjson.JSONEncodeError: e.g. an integer beyond 64 bits, which Flask can write
            return super().response(*args, **kwargs)
        return self._app.response_class(text + b"\n", mimetype=self.mimetype)
