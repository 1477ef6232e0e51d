"""GET /healthz (the process answers) and GET /readyz (the rule set is loaded and usable)."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import abort

from api.parsing import Blueprint
from api.schemas.catalogue import HealthSchema

blp = Blueprint("health", __name__, description="Liveness and readiness probes.")


@blp.route("/healthz")
class Health(MethodView):
    """Liveness."""

    @blp.response(200, HealthSchema)
    def get(self):
        """The process is alive."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    """Readiness."""

    @blp.response(200, HealthSchema)
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE", description="The rules are not loaded.")
    def get(self):
        """The rule set is loaded: screening requests will be answered."""
        state = current_app.extensions.get("eligibility")
        if state is None or not state.ruleset.programs:
            abort(503, message="The rules are not loaded.")
        ruleset = state.ruleset
        return {"status": "ready", "rules": {"version": ruleset.version, "digest": ruleset.digest}}
