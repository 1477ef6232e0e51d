"""openapi.yaml is the contract: generated from the code, valid OpenAPI 3.1, and what the API answers."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import OpenAPIV31SpecValidator
from werkzeug.test import EnvironBuilder

from api.config import ROOT
from api.spec import generate
from tests.api_support import situation, situation_names

pytest_plugins = ["tests.api_fixtures"]

SPEC_FILE = ROOT / "openapi.yaml"
HOUSEHOLD = {"members": [{"id": "a", "age": 30}]}

# (method, url, json body or raw text) covering every operation, successes and errors alike.
CALLS = [
    ("get", "/healthz", None),
    ("get", "/readyz", None),
    *[("post", "/v1/screen", situation(name)) for name in situation_names()],
    ("post", "/v1/screen", {"date": "2025-11-15", "explain": "trace", "household": HOUSEHOLD}),
    ("post", "/v1/screen", {"date": "2025-11-15", "explain": "none", "household": HOUSEHOLD}),
    ("post", "/v1/screen", {"date": "2019-01-01", "programs": ["x"], "household": {"members": [{"id": 1}]}}),
    ("post", "/v1/screen", '{"household": '),
    ("post", "/v1/screen", "text/plain"),
    ("get", "/v1/programs", None),
    ("get", "/v1/programs/snap", None),
    ("get", "/v1/programs/lottery", None),
    ("get", "/v1/variables", None),
    ("get", "/v1/variables?input=true&entity=person", None),
    ("get", "/v1/variables?program=snap", None),
    ("get", "/v1/variables?entity=dog", None),
    ("get", "/v1/variables/snap_eligible", None),
    ("get", "/v1/variables/assets", None),
    ("get", "/v1/variables/nothing", None),
    ("get", "/v1/parameters", None),
    ("get", "/v1/parameters/us.usda.snap.max_allotment", None),
    ("get", "/v1/parameters/us.usda.snap.income.gross_limit_rate", None),
    ("get", "/v1/parameters/us.nothing", None),
    ("get", "/v1/rules", None),
    ("get", "/v1/rules/changes?from=2025-09-30&to=2025-10-01", None),
    ("get", "/v1/rules/changes?from=2025-10-01", None),
    ("post", "/v1/compare", {"date": "2025-11-15", "programs": ["snap"], "household": HOUSEHOLD, "reform": {
        "label": "200%", "parameters": {"us.usda.snap.income.gross_limit_rate": [
            {"start": "2025-10-01", "value": 2.0}]}}}),
    ("post", "/v1/compare", {"date": "2025-11-15", "household": HOUSEHOLD, "reform": {"parameters": {"x": []}}}),
    ("post", "/v1/tests/run", {"cases": "- {name: n, period: 2025-11, input: {members: [{id: a}]}, "
                                         "output: {snap_household_size: 1}}"}),
    ("post", "/v1/tests/run", {"cases": 3}),
    ("post", "/v1/screen/batch?date=2025-11-15&programs=snap", [HOUSEHOLD, {"members": []}]),
    ("post", "/v1/screen/batch?date=2040-01-01", [HOUSEHOLD]),
    # Records: error answers only here, so the default database is never written (successes: test_determinations).
    ("post", "/v1/determinations", {"household": {"members": []}, "note": 1}),
    ("get", "/v1/determinations/no-such-record", None),
    ("delete", "/v1/determinations/no-such-record", None),
    ("post", "/v1/determinations/no-such-record/replay", {}),
]


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))


def test_committed_spec_is_what_the_code_generates():
    assert SPEC_FILE.read_text(encoding="utf-8") == generate(), \
        "openapi.yaml is stale: run `make openapi` and commit the result"


def test_spec_is_valid_openapi_3_1(spec):
    assert spec["openapi"] == "3.1.0"
    OpenAPIV31SpecValidator(spec).validate()


def call(client, method: str, url: str, body):
    if body == "text/plain":
        return client.open(url, method=method, data="{}", content_type="text/plain")
    if isinstance(body, str):
        return client.open(url, method=method, data=body, content_type="application/json")
    return client.open(url, method=method, json=body)


def operation_of(spec: dict, method: str, url: str) -> tuple[str, str]:
    path = url.split("?")[0]
    for template in spec["paths"]:
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^?]+", template), path) and method in spec["paths"][template]:
            return template, method
    raise AssertionError(f"{method.upper()} {url} is not in the spec")


def test_every_real_response_matches_the_spec(client, spec):
    openapi = OpenAPI.from_dict(spec)
    statuses = set()
    for method, url, body in CALLS:
        response = call(client, method, url, body)
        assert response.status_code < 500, (url, response.json)
        # The test client has read the request body; a bodiless copy is enough to find the operation.
        request = EnvironBuilder(path=url, method=method.upper()).get_request()
        openapi.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))
        statuses.add(response.status_code)
    assert {200, 400, 404, 415, 422} <= statuses


def test_a_revalidated_catalogue_answer_matches_the_spec(client, spec):
    openapi = OpenAPI.from_dict(spec)
    for url in ("/v1/rules", "/v1/variables?input=true"):
        etag = client.get(url).headers["ETag"]
        response = client.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 304
        request = EnvironBuilder(path=url, method="GET", headers={"If-None-Match": etag}).get_request()
        openapi.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))


def test_every_operation_is_exercised(spec):
    exercised = {operation_of(spec, method, url) for method, url, _ in CALLS}
    declared = {(path, method) for path, item in spec["paths"].items() for method in item
                if method in ("get", "post", "put", "patch", "delete")}
    assert exercised == declared


def test_spec_examples_are_the_worked_situations_and_valid_requests(spec):
    content = spec["paths"]["/v1/screen"]["post"]["requestBody"]["content"]["application/json"]
    examples = content["examples"]
    assert sorted(examples) == situation_names()
    openapi = OpenAPI.from_dict(spec)
    for name, example in examples.items():
        assert example["value"] == situation(name)
        builder = EnvironBuilder(path="/v1/screen", method="POST", data=json.dumps(example["value"]),
                                 content_type="application/json")
        openapi.validate_request(WerkzeugOpenAPIRequest(builder.get_request()))


# ------------------------------------------------- the spec allows exactly what the server takes

DAY = "2025-11-15"
REFORM = {"label": "200%", "parameters": {"us.usda.snap.income.gross_limit_rate": [{"start": "2025-10-01",
                                                                                    "value": 2.0}]}}
AXIS = {"fact": "members.a.earned_income", "from": 0, "to": 500, "step": 50}

# Requests the server refuses. Each was once allowed by the spec, so a client generating requests from the
# spec (schemathesis, a portal's form builder) met 422s for "valid" data.
REFUSED = [
    ("post", "/v1/screen/batch?date=2025-11-15", [], "an empty batch"),
    ("post", "/v1/screen/batch?date=2025-11-15", {"households": [HOUSEHOLD], "extra": 1}, "a field beside households"),
    ("post", "/v1/screen/batch?date=2025-11-15&programs=snap,lottery", [HOUSEHOLD], "an unknown program in a batch"),
    ("post", "/v1/screen", {"date": DAY, "household": HOUSEHOLD, "vary": {**AXIS, "step": 0}}, "a step of 0"),
    ("post", "/v1/screen", {"date": DAY, "household": HOUSEHOLD, "vary": {**AXIS, "fact": "members.a.id"}},
     "an axis along a fact that is not a number"),
    ("post", "/v1/screen", {"date": DAY, "household": HOUSEHOLD, "programs": ["lottery"]},
     "an unknown program to screen"),
    ("post", "/v1/compare", {"date": DAY, "reform": REFORM}, "neither household nor households"),
    ("post", "/v1/compare", {"date": DAY, "household": HOUSEHOLD, "households": [HOUSEHOLD], "reform": REFORM},
     "both household and households"),
    ("post", "/v1/compare", {"date": DAY, "household": HOUSEHOLD, "reform": {**REFORM, "author": "me"}},
     "an unknown field in the reform"),
    ("post", "/v1/compare", {"date": DAY, "household": HOUSEHOLD, "reform": {**REFORM, "label": 7}},
     "a label that is not text"),
    ("post", "/v1/compare", {"date": DAY, "household": HOUSEHOLD, "reform": {"parameters": {
        "us.usda.snap.income.gross_limit_rate": [{"start": "2025-10-01", "value": 2.0, "until": "2026-01-01"}]}}},
     "an unknown field in a parameter change"),
    ("post", "/v1/tests/run", {"cases": []}, "no cases"),
    ("post", "/v1/tests/run", {"cases": [1]}, "a case that is not an object"),
    ("post", "/v1/tests/run", {"cases": None}, "null cases"),
    ("post", "/v1/determinations", {"date": DAY, "household": HOUSEHOLD, "vary": AXIS},
     "an axis (a record keeps one answer)"),
    ("get", "/v1/variables?program=lottery", None, "an unknown program as a filter"),
]

# Requests both take: the spec is not stricter than the server where the forms above are close.
TAKEN = [
    ("post", "/v1/screen/batch?date=2025-11-15&programs=snap,wic", {"households": [HOUSEHOLD]}),
    ("post", "/v1/screen", {"date": DAY, "programs": ["snap"], "household": HOUSEHOLD, "vary": AXIS}),
    ("post", "/v1/screen", {"date": DAY, "programs": ["snap"], "household": {**HOUSEHOLD, "shelter_costs": 900},
                            "vary": {"fact": "household.shelter_costs", "from": 0, "to": 1, "step": 0.5}}),
    ("post", "/v1/compare", {"date": DAY, "programs": ["snap"], "households": [HOUSEHOLD], "reform": REFORM}),
    ("post", "/v1/compare", {"date": DAY, "programs": ["snap"], "household": HOUSEHOLD,
                             "reform": {"label": None, "parameters": None, "variables": {}}}),
    ("post", "/v1/tests/run", {"cases": {"name": "n", "period": "2025-11", "input": {"members": [{"id": "a"}]},
                                         "output": {"snap_household_size": 1}}}),
    ("post", "/v1/determinations", {"date": DAY, "programs": ["snap"], "household": HOUSEHOLD, "note": "case 12"}),
    ("get", "/v1/variables?program=snap", None),
]


@pytest.fixture
def recording_client(rules, tmp_path):
    """A client whose records go to a throw-away database."""
    from api import create_app

    app = create_app({"TESTING": True, "RULESET": rules, "DATABASE_URL": f"sqlite:///{tmp_path / 'r.sqlite3'}"})
    return app.test_client()


def spec_allows(openapi: OpenAPI, method: str, url: str, body) -> bool:
    path, _, query = url.partition("?")
    data = None if body is None else json.dumps(body)
    builder = EnvironBuilder(path=path, query_string=query, method=method.upper(), data=data,
                             content_type=None if body is None else "application/json")
    try:
        openapi.validate_request(WerkzeugOpenAPIRequest(builder.get_request()))
    except Exception:  # openapi-core's validation errors have no common base worth naming
        return False
    return True


@pytest.mark.parametrize("method, url, body, what", REFUSED, ids=[what for *_, what in REFUSED])
def test_what_the_server_refuses_the_spec_refuses_too(spec, recording_client, method, url, body, what):
    response = call(recording_client, method, url, body)
    assert response.status_code in (400, 422), (what, response.status_code, response.get_json())
    assert not spec_allows(OpenAPI.from_dict(spec), method, url, body), f"the spec allows {what}"


@pytest.mark.parametrize("method, url, body", TAKEN)
def test_what_the_spec_allows_the_server_takes(spec, recording_client, method, url, body):
    response = call(recording_client, method, url, body)
    assert response.status_code in (200, 201), response.get_json()
    assert spec_allows(OpenAPI.from_dict(spec), method, url, body)
