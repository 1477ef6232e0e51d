"""/metrics in Prometheus format, JSON log lines with request ids, and no household facts in logs unless debugging."""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from api import create_app
from tests.server_support import Server

pytest_plugins = ["tests.api_fixtures"]

# Facts no log line may carry: an unusual member id and income.
SECRET_ID, SECRET_INCOME = "zebra-member-7781", 123457.25
HOUSEHOLD = {"state": "CA", "members": [{"id": SECRET_ID, "age": 41, "earned_income": SECRET_INCOME}]}
SCREEN = {"date": "2025-11-15", "household": HOUSEHOLD}


def samples(text: str) -> dict:
    """{(sample name, frozenset of labels): value} from a Prometheus text exposition."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: dict, name: str, **labels) -> float:
    """The sum of the samples of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in found.items() if n == name and wanted <= ls)


def scrape(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return samples(response.get_data(as_text=True))


def json_lines(text: str) -> list[dict]:
    """Every non-empty line must be one JSON object."""
    lines = [line for line in text.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


# ------------------------------------------------------------------------------------------ metrics

def test_requests_and_latency_by_endpoint_and_status(client):
    before = scrape(client)
    client.post("/v1/screen", json=SCREEN)
    client.get("/v1/programs/snap")
    client.get("/v1/programs/lottery")
    after = scrape(client)
    for endpoint, method, status in (("/v1/screen", "POST", "200"), ("/v1/programs/<program_id>", "GET", "200"),
                                     ("/v1/programs/<program_id>", "GET", "404")):
        labels = {"endpoint": endpoint, "method": method, "status": status}
        assert value(after, "eligibility_http_requests_total", **labels) \
            == value(before, "eligibility_http_requests_total", **labels) + 1
        assert value(after, "eligibility_http_request_duration_seconds_count", **labels) \
            == value(before, "eligibility_http_request_duration_seconds_count", **labels) + 1
    assert value(after, "eligibility_http_request_duration_seconds_bucket", endpoint="/v1/screen", le="+Inf") >= 1


def test_unmatched_paths_share_one_label(client):
    before = scrape(client)
    for path in ("/wp-admin", "/.env", "/v1/nothing/here"):
        client.get(path)
    after = scrape(client)
    assert value(after, "eligibility_http_requests_total", endpoint="unmatched", status="404") \
        == value(before, "eligibility_http_requests_total", endpoint="unmatched", status="404") + 3
    assert not any("wp-admin" in str(labels) for _, labels in after)


def test_screenings_by_program_and_status(client):
    before = scrape(client)
    answer = client.post("/v1/screen", json=SCREEN).get_json()
    after = scrape(client)
    for program, result in answer["programs"].items():
        labels = {"program": program, "status": result["status"]}
        assert value(after, "eligibility_screenings_total", **labels) \
            == value(before, "eligibility_screenings_total", **labels) + 1


def test_batch_screenings_are_counted_as_they_stream(client):
    if client.post("/v1/screen/batch", json=[]).status_code == 404:
        pytest.skip("POST /v1/screen/batch is not there yet")
    before = scrape(client)
    for output in ("ndjson", "json"):
        response = client.post(f"/v1/screen/batch?date=2025-11-15&programs=snap&format={output}",
                               json=[HOUSEHOLD, HOUSEHOLD, {"members": "bad"}])
        assert response.status_code == 200
        assert response.get_data()  # the body streams: counting happens as it is sent
    after = scrape(client)
    counted = sum(value(after, "eligibility_screenings_total", program="snap", status=s)
                  - value(before, "eligibility_screenings_total", program="snap", status=s)
                  for s in ("eligible", "ineligible", "undetermined"))
    assert counted == 4  # two valid households, twice; the invalid one is no screening


def test_rule_set_version_and_digest_as_an_info_metric(client, rules):
    found = scrape(client)
    assert value(found, "eligibility_rules_info", version=rules.version, digest=rules.digest) == 1


def test_metrics_can_be_switched_off(rules):
    client = create_app({"TESTING": True, "RULESET": rules, "METRICS_ENABLED": False}).test_client()
    assert client.get("/metrics").status_code == 404


# --------------------------------------------------------------------------------------------- logs

def test_every_log_line_is_json_with_the_request_id_of_the_response(client, capsys):
    capsys.readouterr()
    response = client.post("/v1/screen", json=SCREEN, headers={"X-Request-ID": "portal-req-42"})
    assert response.headers["X-Request-ID"] == "portal-req-42"
    lines = json_lines(capsys.readouterr().err)
    access = [line for line in lines if line.get("event") == "request"]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == "portal-req-42" and line["status"] == 200 and line["path"] == "/v1/screen"
    assert line["endpoint"] == "/v1/screen" and line["duration_ms"] > 0 and line["level"] == "info"
    assert all("request_id" in line and line["ts"] for line in lines)


def test_a_fresh_request_id_is_made_and_logged_when_none_is_sent(client, capsys):
    capsys.readouterr()
    response = client.get("/v1/rules")
    (line,) = [line for line in json_lines(capsys.readouterr().err) if line.get("event") == "request"]
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert line["request_id"] == response.headers["X-Request-ID"]


def crash(monkeypatch):
    import api.v1.screen as view

    def broken(*args, **kwargs):
        raise ValueError(f"cannot handle income {SECRET_INCOME} of {SECRET_ID}")
    monkeypatch.setattr(view, "screen", broken)


def test_no_household_facts_in_logs_by_default(client, capsys, monkeypatch):
    capsys.readouterr()
    client.post("/v1/screen", json=SCREEN)
    client.post("/v1/screen?x=" + SECRET_ID, json=SCREEN)
    crash(monkeypatch)
    response = client.post("/v1/screen", json=SCREEN)
    assert response.status_code == 500
    text = capsys.readouterr().err
    lines = json_lines(text)
    assert SECRET_ID not in text and str(SECRET_INCOME) not in text and "123457" not in text
    (failure,) = [line for line in lines if "exception" in line]
    assert failure["exception"]["type"] == "ValueError" and "message" not in failure["exception"]
    assert failure["request_id"] == response.headers["X-Request-ID"] == response.get_json()["request_id"]


def test_debug_logging_shows_the_body_and_the_exception_message(rules, capsys, monkeypatch):
    client = create_app({"TESTING": True, "RULESET": rules, "LOG_LEVEL": "DEBUG"}).test_client()
    try:
        capsys.readouterr()
        client.post("/v1/screen", json=SCREEN)
        crash(monkeypatch)
        client.post("/v1/screen", json=SCREEN)
        lines = json_lines(capsys.readouterr().err)
        bodies = [line for line in lines if line.get("event") == "request_body"]
        assert bodies and bodies[0]["body"]["household"]["members"][0]["id"] == SECRET_ID
        (failure,) = [line for line in lines if "exception" in line]
        assert SECRET_ID in failure["exception"]["message"]
    finally:
        create_app({"TESTING": True, "RULESET": rules})  # back to INFO for the tests after this one


def test_an_unknown_log_level_stops_the_app(rules):
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        create_app({"TESTING": True, "RULESET": rules, "LOG_LEVEL": "CHATTY"})


# ------------------------------------------------------------------------------ under gunicorn (2 workers)

@pytest.fixture(scope="module")
def server():
    with Server(workers=2, env={"ELIGIBILITY_RATELIMIT_ENABLED": "false"}) as running:
        yield running


def test_metrics_add_up_across_gunicorn_workers(server):
    before = samples(server.request("GET", "/metrics")[2].decode())
    # Concurrent requests, so that both workers answer some (a sync worker takes one at a time).
    calls = [("GET", "/v1/rules", None)] * 40 + [("POST", "/v1/screen", SCREEN)] * 20
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda call: server.request(*call)[0], calls))
    assert statuses == [200] * len(calls)
    files = os.listdir(server.env["PROMETHEUS_MULTIPROC_DIR"])
    assert all(f"counter_{pid}.db" in files for pid in server.worker_pids()), files
    after = samples(server.request("GET", "/metrics")[2].decode())
    labels = {"endpoint": "/v1/rules", "method": "GET", "status": "200"}
    assert value(after, "eligibility_http_requests_total", **labels) \
        == value(before, "eligibility_http_requests_total", **labels) + 40
    snap = sum(value(after, "eligibility_screenings_total", program="snap", status=s)
               - value(before, "eligibility_screenings_total", program="snap", status=s)
               for s in ("eligible", "ineligible", "undetermined"))
    assert snap == 20
    assert value(after, "eligibility_rules_info") == 1


def test_server_logs_are_json_lines_with_request_ids(server):
    status, headers, _ = server.request("GET", "/v1/programs", headers={"X-Request-ID": "trace-me-please"})
    assert status == 200 and headers["X-Request-ID"] == "trace-me-please"
    server.request("POST", "/v1/screen", SCREEN)
    lines = json_lines(server.log())  # gunicorn's own lines too
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)
    assert any(line.get("request_id") == "trace-me-please" and line.get("event") == "request" for line in lines)
    assert all(line["request_id"] for line in lines if line.get("event") == "request")
    assert SECRET_ID not in server.log()
