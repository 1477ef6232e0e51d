"""Determination records: POST screens and saves, GET reads, POST .../replay re-screens, DELETE removes."""

from __future__ import annotations

import datetime as dt

from flask import current_app, url_for
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError

from api.errors import envelope
from api.parsing import Blueprint
from api.schemas.determinations import (
    DeterminationRequestSchema,
    DeterminationSchema,
    ReplayRequestSchema,
    ReplaySchema,
)
from api.state import current_rules
from api.storage import current_database, records
from api.storage.replay import current_snapshot, replay
from eligibility.screening import screen

blp = Blueprint("determinations", __name__, url_prefix="/v1/determinations",
                description="Saved screenings: the facts, the answer and the rules that gave it; "
                            "replayed under the current rules on request.")

NOT_FOUND = "No determination has this id (it may have been deleted)."


@blp.errorhandler(OperationalError)
def storage_unavailable(error: OperationalError):
    """The database cannot be reached or stayed locked past the busy timeout: retryable, not a bug."""
    current_app.logger.error("determination store unavailable: %s", type(error.orig).__name__)
    return envelope(503, "The determination store is unavailable; try again shortly."), 503


def _record_or_404(determination_id: str) -> dict:
    record = records.get(current_database(), determination_id)
    if record is None:
        abort(404, message=NOT_FOUND)
    return record


@blp.route("")
class Determinations(MethodView):
    """Saving a determination."""

    @blp.arguments(DeterminationRequestSchema(), description="A household to screen and keep.")
    @blp.response(201, DeterminationSchema, description="The saved record; `Location` is its address.")
    @blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE", description="The body is not sent as JSON.")
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE", description="The store cannot be reached.")
    def post(self, request: dict):
        """Screen a household and save the facts, the answer and the rules that gave it.

        The record is written whole in one transaction, or not at all.
        """
        ruleset = current_rules()
        answer = screen(ruleset, request["household"], request["date"], request.get("programs"),
                        request["explain"])
        record = records.save(current_database(), ruleset, request, answer, request.get("note"))
        location = url_for("determinations.DeterminationById", determination_id=record["id"])
        return record, 201, {"Location": location}


@blp.route("/<determination_id>")
class DeterminationById(MethodView):
    """One saved determination."""

    @blp.response(200, DeterminationSchema)
    @blp.alt_response(404, response="NOT_FOUND", description="No record has this id.")
    def get(self, determination_id: str):
        """The facts, the answer, the rule set version and digest, the day screened for, when it was saved."""
        return _record_or_404(determination_id)

    @blp.response(204, description="Deleted.")
    @blp.alt_response(404, response="NOT_FOUND", description="No record has this id.")
    def delete(self, determination_id: str):
        """Delete the record for good."""
        if not records.remove(current_database(), determination_id):
            abort(404, message=NOT_FOUND)


@blp.route("/<determination_id>/replay")
class Replay(MethodView):
    """A saved determination, screened again under the current rules."""

    @blp.arguments(ReplayRequestSchema(), description="`{}` re-screens for the day the record was made for.")
    @blp.response(200, ReplaySchema)
    @blp.alt_response(404, response="NOT_FOUND", description="No record has this id.")
    @blp.alt_response(409, response="CONFLICT", description="The saved facts no longer fit the current rules.")
    def post(self, body: dict, determination_id: str):
        """Re-screen the saved facts under the current rules and report what changed and why.

        `changes` lists each program whose status, amount or member results differ; `rule_changes` lists the
        parameters and formulas that differ between the rules that made the record (on the day it was
        screened for) and the current rules (on the day re-screened for). Nothing is saved.
        """
        record = _record_or_404(determination_id)
        ruleset = current_rules()
        try:
            household = current_app.extensions["eligibility"].household_schema.load(record["household"])
        except ValidationError as error:
            abort(409, message="The saved facts no longer fit the current rules' facts.",
                  errors={"household": error.messages})
        day = body.get("date") or dt.date.fromisoformat(record["date"])
        digest = record["rules"]["digest"]
        before = (current_snapshot(ruleset) if digest == ruleset.digest
                  else records.rules_snapshot(current_database(), digest))
        return replay(ruleset, record, household, day, before)
