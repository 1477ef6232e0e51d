"""POST /v1/screen: one household, every program (or those asked for), on a date."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from api.observability import note_answer
from api.parsing import Blueprint
from api.schemas.screen import ScreenRequestSchema, ScreenResponseSchema
from api.state import current_rules
from eligibility.screening import screen

blp = Blueprint("screen", __name__, url_prefix="/v1/screen",
                description="Screen a household for benefit programs.")


@blp.route("")
class Screen(MethodView):
    """Screening."""

    # One schema instance for the process: webargs would build one per request from the class.
    @blp.arguments(ScreenRequestSchema(), description="A household and what to screen it for.")
    @blp.response(200, ScreenResponseSchema, description="Each program's answer, with its reasons.")
    @blp.alt_response(400, response="BAD_REQUEST", description="The body is not valid JSON.")
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE", description="The body is over the limit.")
    @blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE", description="The body is not sent as JSON.")
    def post(self, request: dict):
        """Screen one household.

        Each program is `eligible` or `ineligible` only when the facts given settle it whatever the
        unknown ones turn out to be; otherwise `undetermined`, with the facts that would settle it.
        A fact left out is unknown, never zero or false.
        """
        vary = request.get("vary")
        if vary is not None:
            vary = {"fact": vary["fact"], "from": vary["from_"], "to": vary["to"], "step": vary["step"]}
        answer = screen(current_rules(), request["household"], request["date"], request.get("programs"),
                        request["explain"], vary)
        # The engine builds the response in the schema's shape (the contract tests check every field), so
        # it is sent as is: dumping it through marshmallow again cost as much as screening one program.
        note_answer(answer)
        return current_app.json.response(answer)
