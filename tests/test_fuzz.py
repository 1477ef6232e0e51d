"""schemathesis against openapi.yaml: every operation, valid and invalid requests, no 5xx, every answer per spec.

In CI: `FUZZ_EXAMPLES` (default 200) cases per operation, derandomized so a run is reproducible.
A long, random run: `make fuzz` (5,000 per operation, a fresh seed each time; print the seed with
`--hypothesis-show-statistics` or read hypothesis' failure report, which includes the reproducing call).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import create_app
from api.config import ROOT

SPEC_FILE = ROOT / "openapi.yaml"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
RANDOM = os.environ.get("FUZZ_RANDOM", "") not in ("", "0")
# "Schema-valid data rejected" is left out here: the spec cannot say that a date must be in the modelled
# range or that member ids must differ, so a 422 for such data is right. Everything else must hold.
# It is checked below, with dates and member ids steered, for every operation whose other rules the spec states.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
MODELLED_DAYS = ["2024-01-15", "2025-06-30", "2025-11-15", "2026-02-01"]
REFORM = {"label": "Gross limit 200%", "parameters": {"us.usda.snap.income.gross_limit_rate": [
    {"start": "2023-10-01", "value": 2.0}]}}


def operations() -> dict[str, list[str]]:
    """`METHOD /path` of every operation in the committed contract, with its query parameters' names."""
    spec = yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))
    return {f"{method.upper()} {path}": [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
            for path, item in spec["paths"].items() for method, operation in item.items()
            if method in ("get", "put", "post", "delete", "patch")}


OPERATIONS = operations()
# Rules the spec cannot state: an axis of at most 1,000 points along a member of the household (screen), a
# reform's parameter paths and drafts (compare), `to` on or after `from` (changes), YAML cases (tests/run).
CROSS_FIELD_RULES = {"POST /v1/screen", "POST /v1/compare", "GET /v1/rules/changes", "POST /v1/tests/run"}
# A batch sent as CSV or NDJSON text is read by rules of those formats (quotes across lines, say); JSON it is.
BODY_TYPES = {"POST /v1/screen/batch": "application/json"}


@pytest.fixture(scope="module")
def app(rules, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    return create_app({"TESTING": True, "RULESET": rules, "RATELIMIT_ENABLED": False,
                       "DATABASE_URL": f"sqlite:///{folder / 'records.sqlite3'}"})


@pytest.fixture(scope="module")
def schema():
    return schemathesis.openapi.from_path(str(SPEC_FILE))


@pytest.fixture(scope="module")
def known(app, rules) -> dict:
    """Real values for path and query parameters, so that generated requests also reach deep code."""
    client = app.test_client()
    saved = client.post("/v1/determinations", json={"date": "2025-11-15", "household": {"members": [{"id": "a"}]}})
    record_ids = [saved.get_json()["id"]] if saved.status_code == 201 else []
    return {"program_id": list(rules.programs), "program": list(rules.programs), "name": list(rules.variables)[:50],
            "path": sorted(rules.parameter_files)[:50], "date": MODELLED_DAYS, "from": MODELLED_DAYS,
            "to": MODELLED_DAYS, "determination_id": record_ids or ["00000000-0000-4000-8000-000000000000"]}


def steer(case, data, known: dict, query_names: list[str]) -> None:
    """Swap some generated values for real ones (a modelled day, program ids, records, distinct member ids),
    so that generated requests get past validation into the engine and the store as well."""
    if "date" in query_names:
        case.query = {**(case.query or {}), "date": data.draw(st.sampled_from(MODELLED_DAYS))}
    for container in (case.path_parameters, case.query):
        for name in list(container or {}):
            if name in known and name != "date" and data.draw(st.booleans()):
                container[name] = data.draw(st.sampled_from(known[name]))
    if case.query and "programs" in case.query and data.draw(st.booleans()):
        case.query["programs"] = ",".join(data.draw(st.lists(st.sampled_from(known["program_id"]),
                                                             min_size=1, max_size=3, unique=True)))
    body = case.body
    takes_date = "date" not in query_names  # the batch takes its date in the query, beside {"households": [...]}
    if isinstance(body, dict) and takes_date and ("household" in body or "households" in body or "date" in body):
        body["date"] = data.draw(st.sampled_from(MODELLED_DAYS))
    if isinstance(body, dict) and "reform" in body:
        body.pop("households" if "household" in body else "", None)  # one or the other, as the API asks
        if data.draw(st.booleans()):
            body["reform"] = REFORM
        if "programs" in body and data.draw(st.booleans()):
            body["programs"] = data.draw(st.lists(st.sampled_from(known["program_id"]), min_size=1, unique=True))
    households = body if isinstance(body, list) else [body.get("household")] if isinstance(body, dict) else []
    if isinstance(body, dict) and isinstance(body.get("households"), list):
        households = body["households"]
    for household in households:
        members = household.get("members") if isinstance(household, dict) else None
        for index, member in enumerate(members if isinstance(members, list) else []):
            if isinstance(member, dict) and isinstance(member.get("id"), str):
                member["id"] = f"{member['id']}-{index}"


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_generated_requests_get_answers_that_conform(app, schema, known, operation):
    method, path = operation.split(" ", 1)
    api_operation = schema[path][method]
    cases = st.one_of(api_operation.as_strategy(GenerationMode.POSITIVE),
                      api_operation.as_strategy(GenerationMode.NEGATIVE))
    seen: dict[int, int] = {}

    @given(case=cases, data=st.data())
    @settings(max_examples=EXAMPLES, derandomize=not RANDOM, deadline=None, database=None, print_blob=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def run(case, data):
        if data.draw(st.booleans()):
            steer(case, data, known, OPERATIONS[operation])
        response = case.call(app=app)
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS)

    run()
    print(operation, sorted(seen.items()))
    assert seen and max(seen) < 500, seen


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op not in CROSS_FIELD_RULES])
def test_requests_the_spec_allows_are_taken(app, schema, known, operation):
    """With a modelled day and distinct member ids, whatever the spec allows gets a 2xx (or a 404 for an id
    that names nothing): the spec states every rule the server applies."""
    method, path = operation.split(" ", 1)

    cases = schema[path][method].as_strategy(GenerationMode.POSITIVE, media_type=BODY_TYPES.get(operation))

    @given(case=cases, data=st.data())
    @settings(max_examples=max(EXAMPLES // 4, 10), derandomize=not RANDOM, deadline=None, database=None,
              print_blob=True, suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def run(case, data):
        steer(case, data, known, OPERATIONS[operation])
        case.validate_response(case.call(app=app), checks=[not_a_server_error, positive_data_acceptance])

    run()
