"""GET /v1/variables: every input fact and formula of the rules, and how they depend on each other."""

from __future__ import annotations

import difflib

from flask.views import MethodView
from flask_smorest import abort
from marshmallow import RAISE

from api.catalogue_cache import ETAG_HEADER, cached_on
from api.parsing import Blueprint
from api.schemas.catalogue import VariableDetailSchema, VariableListSchema, VariableQuerySchema
from api.state import current_rules
from eligibility import catalogue

blp = Blueprint("variables", __name__, url_prefix="/v1/variables",
                description="Input facts and formulas: labels, references, dependencies.")


@blp.route("")
class Variables(MethodView):
    """The variables list."""

    # An unknown query parameter is most likely a typo: say so rather than ignore the filter.
    @cached_on(blp)
    @blp.arguments(VariableQuerySchema(), location="query", as_kwargs=True, unknown=RAISE)
    @blp.response(200, VariableListSchema, headers=ETAG_HEADER)
    def get(self, input: bool | None = None, entity: str | None = None, program: str | None = None):
        """List the variables, optionally only inputs, one entity's or one program's."""
        ruleset = current_rules()
        names = list(ruleset.variables)
        if program is not None:
            chosen = ruleset.programs.get(program)
            if chosen is None:
                abort(422, errors={"program": [f"Unknown program {program!r}; known programs: "
                                               f"{', '.join(ruleset.programs)}."]})
            needed = ruleset.closure(catalogue.program_roots(chosen))
            names = [n for n in names if n in needed]
        variables = [ruleset.variables[n] for n in names]
        variables = [v for v in variables if (input is None or v.is_input == input)
                     and (entity is None or v.entity == entity)]
        return {"variables": [catalogue.variable_summary(v) for v in variables]}


@blp.route("/<name>")
class Variable(MethodView):
    """One variable."""

    @cached_on(blp)
    @blp.response(200, VariableDetailSchema, headers=ETAG_HEADER)
    @blp.alt_response(404, response="NOT_FOUND", description="No variable has this name.")
    def get(self, name: str):
        """Describe a variable: formulas by date, references, dependencies, dependents, inputs needed."""
        ruleset = current_rules()
        variable = ruleset.variables.get(name)
        if variable is None:
            close = difflib.get_close_matches(name, ruleset.variables, n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            abort(404, message=f"Unknown variable {name!r}.",
                  errors={"name": [f"Unknown variable {name!r}.{hint}"]})
        return catalogue.variable_detail(ruleset, variable)
