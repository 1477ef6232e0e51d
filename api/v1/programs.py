"""GET /v1/programs: the benefit programs the rules model."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort

from api.catalogue_cache import ETAG_HEADER, cached_on
from api.parsing import Blueprint
from api.schemas.catalogue import ProgramDetailSchema, ProgramListSchema
from api.state import current_rules
from eligibility import catalogue

blp = Blueprint("programs", __name__, url_prefix="/v1/programs",
                description="The benefit programs, their legal basis and the facts they use.")


@blp.route("")
class Programs(MethodView):
    """The programs list."""

    @cached_on(blp)
    @blp.response(200, ProgramListSchema, headers=ETAG_HEADER)
    def get(self):
        """List the programs."""
        ruleset = current_rules()
        return {"programs": [catalogue.program_summary(ruleset, p) for p in ruleset.programs.values()]}


@blp.route("/<program_id>")
class Program(MethodView):
    """One program."""

    @cached_on(blp)
    @blp.response(200, ProgramDetailSchema, headers=ETAG_HEADER)
    @blp.alt_response(404, response="NOT_FOUND", description="No program has this id.")
    def get(self, program_id: str):
        """Describe a program: its decision, amount, criteria and the facts it uses."""
        ruleset = current_rules()
        program = ruleset.programs.get(program_id)
        if program is None:
            known = ", ".join(ruleset.programs)
            abort(404, message=f"Unknown program {program_id!r}.",
                  errors={"program_id": [f"Unknown program {program_id!r}; known programs: {known}."]})
        return catalogue.program_detail(ruleset, program)
