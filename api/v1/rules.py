"""GET /v1/rules: which rule set answers, and the dates it models."""

from __future__ import annotations

from flask.views import MethodView

from api.catalogue_cache import ETAG_HEADER, cached_on
from api.parsing import Blueprint
from api.schemas.catalogue import RulesSchema
from api.state import current_rules
from eligibility import catalogue

blp = Blueprint("rules", __name__, url_prefix="/v1/rules",
                description="The rule set's release version, digest and modelled dates.")


@blp.route("")
class Rules(MethodView):
    """The rule set."""

    @cached_on(blp)
    @blp.response(200, RulesSchema, headers=ETAG_HEADER)
    def get(self):
        """Describe the rule set answering: version, digest, dates modelled, when it was loaded."""
        return catalogue.rules_summary(current_rules())
