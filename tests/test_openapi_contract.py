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
