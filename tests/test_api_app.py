"""The application: settings, CORS, probes, the household schema following the rules, docs, serving."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import yaml

from api import create_app
from api.config import ROOT
from api.openapi import spec_yaml
from api.serve import gunicorn_argv

pytest_plugins = ["tests.api_fixtures"]

TOY_PROGRAM = """
id: toy
name: Toy benefit
agency: Toy agency
period: month
entity: household
eligible: toy_eligible
modelled: {start: 2020-01-01, end: 2030-12-31}
reference:
  - {title: Toy Act s. 9, href: https://example.org/toy#9}
"""
TOY_DECISION = """
toy_eligible:
  entity: household
  value_type: bool
  period: month
  label: Eligible for the toy benefit
  reference:
    - {title: Toy Act s. 9, href: https://example.org/toy#9}
  formula: a <= b
"""


def test_settings_come_from_defaults_then_environment_then_test_config(rules, monkeypatch):
    assert create_app({"RULESET": rules}).config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    monkeypatch.setenv("ELIGIBILITY_MAX_CONTENT_LENGTH", "2048")
    assert create_app({"RULESET": rules}).config["MAX_CONTENT_LENGTH"] == 2048
    assert create_app({"RULESET": rules, "MAX_CONTENT_LENGTH": 10}).config["MAX_CONTENT_LENGTH"] == 10


def test_rules_directory_from_the_environment(toy, monkeypatch, tmp_path):
    toy(files={"toy/program.yaml": TOY_PROGRAM, "toy/variables/decision.yaml": TOY_DECISION})
    monkeypatch.setenv("ELIGIBILITY_RULES_DIR", str(tmp_path / "rules"))
    client = create_app().test_client()
    assert [p["id"] for p in client.get("/v1/programs").json["programs"]] == ["toy"]


def test_cors_is_off_by_default(client):
    response = client.get("/v1/programs", headers={"Origin": "https://portal.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_allows_only_listed_origins(rules, monkeypatch):
    monkeypatch.setenv("ELIGIBILITY_CORS_ORIGINS", "https://portal.example, https://caseworker.example")
    client = create_app({"RULESET": rules}).test_client()
    allowed = client.get("/v1/programs", headers={"Origin": "https://portal.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://portal.example"
    other = client.get("/v1/programs", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options("/v1/screen", headers={
        "Origin": "https://caseworker.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://caseworker.example"
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()


def test_cors_origins_as_a_json_list(rules):
    client = create_app({"RULESET": rules, "CORS_ORIGINS": ["https://portal.example"]}).test_client()
    response = client.get("/healthz", headers={"Origin": "https://portal.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://portal.example"


def test_probes(client, rules):
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").json == {"status": "ready",
                                          "rules": {"version": rules.version, "digest": rules.digest}}


def test_household_fields_are_exactly_the_rules_input_facts(app, rules):
    schema = app.extensions["eligibility"].household_schema
    household_facts = {n for n, v in rules.inputs.items() if v.entity == "household"}
    member_facts = {n for n, v in rules.inputs.items() if v.entity == "person"}
    assert set(schema.fields) == household_facts | {"members"}
    assert set(schema.fields["members"].inner.schema.fields) == member_facts | {"id"}
    assert "alaska_area" in schema.fields


def test_a_new_fact_needs_no_api_change(toy):
    ruleset = toy(files={"toy/program.yaml": TOY_PROGRAM, "toy/variables/decision.yaml": TOY_DECISION})
    client = create_app({"TESTING": True, "RULESET": ruleset}).test_client()
    household = {"a": 1, "b": 2, "colour": "red", "members": [{"id": "x", "age": 3}]}
    body = {"date": "2025-01-15", "household": household}
    toy_answer = client.post("/v1/screen", json=body).json["programs"]["toy"]
    assert toy_answer["status"] == "eligible"
    body["household"]["colour"] = "purple"
    body["household"]["state"] = "CA"  # a fact of the real rules, not of these
    errors = client.post("/v1/screen", json=body).json["errors"]["household"]
    assert errors == {"colour": ["Must be one of: red, green, blue."], "state": ["Unknown field."]}
    schema = yaml.safe_load(spec_yaml(client.application))["components"]["schemas"]["Household"]
    assert {"a", "b", "p", "q", "colour", "yearly", "members"} == set(schema["properties"])


def test_docs_are_served_from_installed_files(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html  # nothing from a CDN
    for asset in ("/docs/static/swagger-ui-bundle.js", "/docs/static/swagger-ui.css", "/docs/init.js"):
        assert asset in html
        with client.get(asset) as response:  # file responses hold the file open until closed
            assert response.status_code == 200 and len(response.data) > 0
    assert "/openapi.yaml" in client.get("/docs/init.js").get_data(as_text=True)


def test_spec_is_served_as_yaml_and_json(client, app):
    response = client.get("/openapi.yaml")
    assert response.mimetype == "application/yaml"
    assert response.get_data(as_text=True) == spec_yaml(app)
    assert client.get("/openapi.json").json == yaml.safe_load(response.get_data(as_text=True))


def test_serve_defaults_to_localhost_8000_preloaded_one_worker_per_core():
    argv = gunicorn_argv()
    assert argv[-1] == "api.wsgi:app"
    assert "--preload" in argv
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8000"
    assert argv[argv.index("--workers") + 1] == str(os.cpu_count())
    custom = gunicorn_argv("0.0.0.0", 9000, 3)
    assert custom[custom.index("--bind") + 1] == "0.0.0.0:9000"
    assert custom[custom.index("--workers") + 1] == "3"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seconds_until_ready() -> float | None:
    """Start `python -m api.serve` (default workers) and time it until /readyz answers 200."""
    port = free_port()
    started = time.monotonic()
    server = subprocess.Popen([sys.executable, "-m", "api.serve", "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - started < 15 and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
                    if response.status == 200:
                        return time.monotonic() - started
            except OSError:
                time.sleep(0.05)
        return None
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_gunicorn_server_starts_and_becomes_ready():
    # How fast it gets ready is measured in bench/http.py (a benchmark, not a timed test).
    assert seconds_until_ready() is not None, "the server never became ready"


def test_responses_keep_the_engine_order_and_write_what_orjson_cannot(app):
    with app.app_context():
        ordered = app.json.response({"snap": 1, "medicaid": 2, "eitc": {"b": 1, "a": float("nan")}})
        huge = app.json.response({"count": 10**30})  # beyond orjson's 64-bit integers: the standard encoder
    assert ordered.get_data(as_text=True) == '{"snap":1,"medicaid":2,"eitc":{"b":1,"a":null}}\n'
    assert ordered.mimetype == "application/json"
    assert huge.get_json() == {"count": 10**30}
