"""GET /v1/parameters: the dated amounts, rates and limits the rules use, with their references."""

from __future__ import annotations

import difflib

from flask.views import MethodView
from flask_smorest import abort

from api.catalogue_cache import ETAG_HEADER, cached_on
from api.parsing import Blueprint
from api.schemas.catalogue import ParameterDetailSchema, ParameterListSchema
from api.state import current_rules
from eligibility import catalogue

blp = Blueprint("parameters", __name__, url_prefix="/v1/parameters",
                description="Parameters and tables: values over time and where they come from.")


@blp.route("")
class Parameters(MethodView):
    """The parameters list."""

    @cached_on(blp)
    @blp.response(200, ParameterListSchema, headers=ETAG_HEADER)
    def get(self):
        """List every parameter and table (one per rule file)."""
        ruleset = current_rules()
        paths = sorted(ruleset.parameter_files)
        return {"parameters": [catalogue.parameter_summary(ruleset, p) for p in paths]}


@blp.route("/<path:path>")
class Parameter(MethodView):
    """One parameter, table or table entry."""

    @cached_on(blp)
    @blp.response(200, ParameterDetailSchema, headers=ETAG_HEADER)
    @blp.alt_response(404, response="NOT_FOUND", description="No parameter has this path.")
    def get(self, path: str):
        """Describe a parameter (dotted path, e.g. a table entry us.usda.snap.max_allotment.contiguous.1)."""
        ruleset = current_rules()
        detail = catalogue.parameter_detail(ruleset, path)
        if detail is None:
            close = difflib.get_close_matches(path, ruleset.parameter_files, n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            abort(404, message=f"Unknown parameter {path!r}.",
                  errors={"path": [f"Unknown parameter {path!r}.{hint}"]})
        return detail
