"""Drafting tools: compare a reform with the rules in force, list rule changes, run test cases."""

from __future__ import annotations

import yaml
from flask.views import MethodView

from api.parsing import Blueprint
from api.schemas.drafting import (
    MAX_TEST_CASES,
    ChangesQuerySchema,
    ChangesResponseSchema,
    CompareRequestSchema,
    CompareResponseSchema,
    TestsRequestSchema,
    TestsResponseSchema,
)
from api.state import current_rules
from eligibility.compare import compare, rule_changes
from eligibility.errors import InputError
from eligibility.reforms import ReformCache
from eligibility.testing import run_case

compare_blp = Blueprint("compare", __name__, url_prefix="/v1/compare",
                        description="What a draft rule change would change, household by household.")
changes_blp = Blueprint("rule_changes", __name__, url_prefix="/v1/rules/changes",
                        description="Rules that changed between two dates.")
tests_blp = Blueprint("tests", __name__, url_prefix="/v1/tests",
                      description="YAML test cases run against the rules or a reform.")

# Reformed rule sets by digest: re-sending a draft costs nothing after the first time.
REFORMS = ReformCache()


def _rules_id(ruleset) -> dict:
    return {"version": ruleset.version, "digest": ruleset.digest}


@compare_blp.route("")
class Compare(MethodView):
    """Baseline against reform."""

    @compare_blp.arguments(CompareRequestSchema())
    @compare_blp.response(200, CompareResponseSchema)
    def post(self, request: dict):
        """Screen under the rules in force and under the reform; report both and the difference."""
        base = current_rules()
        reformed = REFORMS.get(base, request["reform"])
        households = request.get("households") or [request["household"]]
        return compare(base, reformed, households, request["date"], request.get("programs"))


@changes_blp.route("")
class Changes(MethodView):
    """Rule changes."""

    @changes_blp.arguments(ChangesQuerySchema(), location="query")
    @changes_blp.response(200, ChangesResponseSchema)
    def get(self, query: dict):
        """Every parameter whose value differs between the dates, and formulas dated in between."""
        return rule_changes(current_rules(), query["from_"], query["to"])


@tests_blp.route("/run")
class RunTests(MethodView):
    """Tests as a service."""

    @tests_blp.arguments(TestsRequestSchema())
    @tests_blp.response(200, TestsResponseSchema)
    def post(self, request: dict):
        """Run the cases; each passes or fails with the differences."""
        cases = request["cases"]
        if isinstance(cases, str):
            try:
                cases = yaml.safe_load(cases)
            except yaml.YAMLError as error:
                raise InputError({"cases": [f"Not valid YAML: {error}"]}) from None
        cases = cases if isinstance(cases, list) else [cases]
        if not cases or len(cases) > MAX_TEST_CASES or not all(isinstance(c, dict) for c in cases):
            raise InputError({"cases": [f"Must be 1 to {MAX_TEST_CASES} cases, each an object."]})
        ruleset = current_rules()
        reform = None
        if request.get("reform") is not None:
            ruleset = REFORMS.get(ruleset, request["reform"])
            reform = {"label": ruleset.reform_label, "digest": ruleset.reform_digest}
        results = [run_case(ruleset, "request", case) for case in cases]
        return {
            "rules": _rules_id(current_rules()), "reform": reform,
            "passed": sum(r.passed for r in results), "failed": sum(not r.passed for r in results),
            "cases": [{"name": str(r.name), "passed": r.passed, "differences": r.differences, "error": r.error}
                      for r in results],
        }
