"""POST /v1/screen/batch: many households in one vectorised run, answered as JSON or NDJSON."""

from __future__ import annotations

import json

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import abort

from api.batch_input import BatchFormatError, InvalidLine, read_csv, read_json, read_ndjson
from api.errors import envelope
from api.jsonprovider import compact
from api.observability import counting
from api.parsing import Blueprint
from api.schemas.batch import BATCH_BODY, BatchQuerySchema
from api.state import current_rules
from eligibility.batch import screen_many

blp = Blueprint("batch", __name__, url_prefix="/v1/screen/batch",
                description="Screen many households at once: JSON array, NDJSON or CSV.")

READERS = {"application/json": read_json, "application/x-ndjson": read_ndjson,
           "application/jsonl": read_ndjson, "text/csv": None}


@blp.before_request
def allow_large_bodies():
    """A batch may be far larger than a single screening's body limit."""
    request.max_content_length = current_app.config["BATCH_MAX_CONTENT_LENGTH"]


def _households(ruleset) -> list:
    mimetype = request.mimetype
    if mimetype not in READERS:
        abort(415, message="Send JSON, NDJSON (application/x-ndjson) or CSV (text/csv).",
              errors={"_schema": [f"Unsupported content type {mimetype or '(none)'!r}."]})
    body = request.get_data(cache=False)
    try:
        if mimetype == "text/csv":
            return read_csv(body, ruleset.inputs)
        return READERS[mimetype](body)
    except BatchFormatError as error:
        abort(400, message="The batch body cannot be read.", errors=error.errors)


def _check_size(households: list, explain: str) -> None:
    """422 naming `households` for a batch over the limits in force for its explanation level.

    The limits keep the largest batch well inside the request time budget: its time grows with both the
    households and their members, and explaining every answer costs more (docs/api.md has the measure).
    """
    config = current_app.config
    most, most_members, how = config["BATCH_MAX_HOUSEHOLDS"], config["BATCH_MAX_MEMBERS"], ""
    if explain != "none":
        most = min(most, config["BATCH_MAX_EXPLAINED_HOUSEHOLDS"])
        most_members = min(most_members, config["BATCH_MAX_EXPLAINED_MEMBERS"])
        how = f" with explain={explain}"
    if not households or len(households) > most:
        abort(422, message=f"Send 1 to {most:,} households{how}.",
              errors={"households": [f"Must hold 1 to {most:,} households{how}; got {len(households):,}."]})
    members = sum(len(h["members"]) for h in households if isinstance(h, dict) and isinstance(h.get("members"), list))
    if members > most_members:
        abort(422, message=f"Send at most {most_members:,} members in all{how}; split the batch.",
              errors={"households": [f"Must hold at most {most_members:,} members in all{how}; got {members:,}."]})


@blp.route("")
class Batch(MethodView):
    """Batch screening."""

    reads_its_own_body = True

    @blp.arguments(BatchQuerySchema(), location="query")
    @blp.doc(requestBody=BATCH_BODY)
    @blp.response(200, description="One line (NDJSON) or array item (JSON) per household, in order: "
                  "`{index, result}` or `{index, error}` with the error envelope.",
                  content_type="application/x-ndjson")
    @blp.alt_response(400, response="BAD_REQUEST", description="The body cannot be read.")
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE", description="The body is over the limit.")
    @blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE", description="Not JSON, NDJSON or CSV.")
    def post(self, query: dict):
        """Screen every household; an invalid one gets its own error and does not fail the rest."""
        ruleset = current_rules()
        households = _households(ruleset)
        _check_size(households, query["explain"])
        # Answers are built before the response starts, so a bad date or program is still a clean 422.
        outcomes = screen_many(ruleset, households, query["date"], query.get("programs"), query["explain"],
                               current_app.config.get("MAX_MEMBERS", 50))

        def items():
            for outcome in outcomes:
                if "result" in outcome:
                    yield outcome
                    continue
                index = outcome["index"]
                raw = households[index]
                error = (envelope(400, f"Line {raw.line} is not valid JSON.", {"_schema": ["Not valid JSON."]})
                         if isinstance(raw, InvalidLine) else
                         envelope(422, "The household has invalid fields.", outcome["error_fields"]))
                yield {"index": index, "error": error}

        if query["format"] == "json":
            return Response(_json_array(counting(items())), mimetype="application/json")
        return Response((_item(item) + b"\n" for item in counting(items())), mimetype="application/x-ndjson")


def _json_array(items):
    """Stream a JSON array item by item."""
    yield b"["
    for number, item in enumerate(items):
        yield (b"," if number else b"") + _item(item)
    yield b"]"


def _item(item: dict) -> bytes:
    """One batch item as compact JSON: orjson, which writes a large batch several times faster."""
    try:
        return compact(item)
    except TypeError:  # e.g. an integer beyond 64 bits echoed in an error: the standard encoder writes it
        return json.dumps(item, separators=(",", ":")).encode()
