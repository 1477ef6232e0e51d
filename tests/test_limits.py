"""Limits: each is a clear 4xx (or a 503 for the time budget) in the error envelope, as docs/api.md lists them."""

from __future__ import annotations

import importlib.util
import json
import signal
import sys
import time

import pytest
from limits.storage import Storage

from api import create_app, limits
from api.schemas.household import MAX_MEMBERS
from api.settings import SettingError
from eligibility import cliffs, trace
from eligibility.formula import check
from tests.server_support import Server

pytest_plugins = ["tests.api_fixtures"]

KEY_A = "a" * 24
KEY_B = "b" * 24
HOUSEHOLD = {"state": "CA", "members": [{"id": "a", "age": 30, "earned_income": 1000}]}
SCREEN = {"date": "2025-11-15", "household": HOUSEHOLD}


def make_app(rules, **settings):
    return create_app({"TESTING": True, "RULESET": rules, **settings})


def assert_envelope(response, status: int, code: str) -> dict:
    body = response.get_json()
    assert response.status_code == status, body
    assert body["status"] == status and body["code"] == code and body["message"]
    return body


def has_route(app, path: str, method: str) -> bool:
    try:
        app.url_map.bind("localhost").match(path, method=method)
    except Exception:
        return False
    return True


# -------------------------------------------------------------------------------------- rate limit

def test_over_the_rate_limit_is_429_with_retry_after(rules):
    client = make_app(rules, RATELIMIT_APPLICATION="3 per minute").test_client()
    for _ in range(3):
        assert client.post("/v1/screen", json=SCREEN).status_code == 200
    response = client.get("/v1/programs")  # the limit is per client, across endpoints
    body = assert_envelope(response, 429, "too_many_requests")
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert f"Retry after {wait} s" in body["message"] and "3 per 1 minute" in body["message"]


def test_each_api_key_and_each_address_has_its_own_allowance(rules):
    client = make_app(rules, RATELIMIT_APPLICATION="2 per minute", API_KEYS=[KEY_A, KEY_B]).test_client()
    for _ in range(2):
        assert client.get("/v1/rules", headers={"X-API-Key": KEY_A}).status_code == 200
    assert client.get("/v1/rules", headers={"X-API-Key": KEY_A}).status_code == 429
    assert client.get("/v1/rules", headers={"X-API-Key": KEY_B}).status_code == 200
    for _ in range(2):  # no key: counted by address, not in key A's bucket
        assert client.get("/v1/rules").status_code == 200
    other = {"REMOTE_ADDR": "127.0.0.2"}
    assert client.get("/v1/rules", environ_base=other).status_code == 200
    # A made-up key does not buy a fresh allowance: it counts against the address.
    assert client.get("/v1/rules", headers={"X-API-Key": "made-up-key-000000000"}).status_code == 429


class SharedStore(Storage):
    """A stand-in for redis://: every app that names `shared-for-tests://` counts in the same place."""

    STORAGE_SCHEME = ["shared-for-tests"]
    counts: dict = {}
    ends: dict = {}
    down = False

    @property
    def base_exceptions(self):
        return ConnectionError

    def _reachable(self) -> None:
        if SharedStore.down:
            raise ConnectionError("the shared store is down")

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        self._reachable()
        if self.ends.get(key, 0) <= time.time():
            self.counts[key], self.ends[key] = 0, time.time() + expiry
        self.counts[key] += amount
        return self.counts[key]

    def get(self, key: str) -> int:
        self._reachable()
        return self.counts.get(key, 0) if self.ends.get(key, 0) > time.time() else 0

    def get_expiry(self, key: str) -> float:
        self._reachable()
        return self.ends.get(key, time.time())

    def check(self) -> bool:
        return not SharedStore.down

    def reset(self) -> None:
        self.counts.clear()
        self.ends.clear()

    def clear(self, key: str) -> None:
        self.counts.pop(key, None)


@pytest.fixture
def shared_store():
    SharedStore.counts.clear()
    SharedStore.ends.clear()
    yield SharedStore
    SharedStore.down = False


def test_with_the_default_memory_store_each_worker_counts_alone(rules):
    """Two apps stand for two gunicorn workers: with local-memory:// a client gets the limit from each."""
    workers = [make_app(rules, RATELIMIT_APPLICATION="2 per minute").test_client() for _ in range(2)]
    assert workers[0].application.config["RATELIMIT_STORAGE_URI"] == "local-memory://"
    for worker in workers:
        assert [worker.get("/v1/rules").status_code for _ in range(3)] == [200, 200, 429]


def test_a_shared_store_counts_across_workers(rules, shared_store, monkeypatch):
    monkeypatch.setenv("ELIGIBILITY_RATELIMIT_STORAGE_URI", "shared-for-tests://")
    workers = [make_app(rules, RATELIMIT_APPLICATION="2 per minute").test_client() for _ in range(2)]
    assert workers[0].get("/v1/rules").status_code == 200
    assert workers[1].get("/v1/rules").status_code == 200
    assert workers[0].get("/v1/rules").status_code == 429
    assert workers[1].get("/v1/rules").status_code == 429


def test_a_shared_store_that_is_down_means_counting_per_worker_not_500s(rules, shared_store, caplog):
    shared_store.down = True
    client = make_app(rules, RATELIMIT_APPLICATION="2 per minute",
                      RATELIMIT_STORAGE_URI="shared-for-tests://").test_client()
    assert [client.get("/v1/rules").status_code for _ in range(3)] == [200, 200, 429]
    assert "falling back to in-memory storage" in caplog.text


@pytest.mark.parametrize("uri, complaint", [
    ("nowhere://user:secret@host", "unknown storage scheme"),
    ("memcached://localhost:11211", "prerequisite not available"),
])
def test_a_store_that_cannot_be_used_stops_the_app_naming_the_setting(rules, uri, complaint):
    if complaint == "prerequisite not available" and importlib.util.find_spec("pymemcache"):
        pytest.skip("pymemcache is installed here")
    setting = "^ELIGIBILITY_RATELIMIT_STORAGE_URI cannot be used: .*"
    with pytest.raises(SettingError, match=setting + complaint) as raised:
        make_app(rules, RATELIMIT_STORAGE_URI=uri)
    assert "secret" not in str(raised.value)


def test_probes_metrics_and_preflights_are_never_limited(rules):
    client = make_app(rules, RATELIMIT_APPLICATION="1 per minute").test_client()
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert client.get("/metrics").status_code == 200
        assert client.options("/v1/screen").status_code == 200


def test_rate_limiting_can_be_switched_off(rules):
    client = make_app(rules, RATELIMIT_APPLICATION="1 per minute", RATELIMIT_ENABLED=False).test_client()
    assert all(client.get("/v1/rules").status_code == 200 for _ in range(5))


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(rules):
    client = make_app(rules, RATELIMIT_APPLICATION="1 per minute", PROXY_FIX_X_FOR=1).test_client()
    assert client.get("/v1/rules", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 200
    assert client.get("/v1/rules", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    assert client.get("/v1/rules", headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 200


# ------------------------------------------------------------------------------------------ sizes

def test_a_body_over_the_size_limit_is_413(rules):
    client = make_app(rules, MAX_CONTENT_LENGTH=2000).test_client()
    members = [{"id": f"m{i}", "age": 30} for i in range(200)]
    response = client.post("/v1/screen", json={"household": {"members": members}})
    assert_envelope(response, 413, "body_too_large")


def test_members_per_household_are_limited(client):
    members = [{"id": f"m{i}"} for i in range(MAX_MEMBERS + 1)]
    body = assert_envelope(client.post("/v1/screen", json={"date": "2025-11-15", "household": {"members": members}}),
                           422, "invalid_request")
    assert "members" in body["errors"]["household"]
    exactly = [{"id": f"m{i}"} for i in range(MAX_MEMBERS)]
    assert client.post("/v1/screen", json={"date": "2025-11-15", "household": {"members": exactly}}).status_code == 200


def test_households_per_batch_are_limited(rules):
    app = make_app(rules, BATCH_MAX_HOUSEHOLDS=3)
    if not has_route(app, "/v1/screen/batch", "POST"):
        pytest.skip("POST /v1/screen/batch is not there yet")
    client = app.test_client()
    assert client.post("/v1/screen/batch?date=2025-11-15", json=[HOUSEHOLD] * 3).status_code == 200
    body = assert_envelope(client.post("/v1/screen/batch?date=2025-11-15", json=[HOUSEHOLD] * 4),
                           422, "invalid_request")
    assert "households" in body["errors"]


def test_members_in_a_batch_are_limited_in_all(rules):
    app = make_app(rules, BATCH_MAX_MEMBERS=5)
    client = app.test_client()
    pair = {**HOUSEHOLD, "members": [{"id": "a"}, {"id": "b"}]}
    assert client.post("/v1/screen/batch?date=2025-11-15", json=[pair, pair, HOUSEHOLD]).status_code == 200
    body = assert_envelope(client.post("/v1/screen/batch?date=2025-11-15", json=[pair, pair, pair]),
                           422, "invalid_request")
    assert body["errors"]["households"] == ["Must hold at most 5 members in all; got 6."]


def test_a_batch_explained_has_lower_limits(rules):
    app = make_app(rules, BATCH_MAX_EXPLAINED_HOUSEHOLDS=2, BATCH_MAX_EXPLAINED_MEMBERS=3)
    client = app.test_client()
    url = "/v1/screen/batch?date=2025-11-15&programs=snap"
    assert client.post(url, json=[HOUSEHOLD] * 3).status_code == 200  # explain=none: the general limits
    body = assert_envelope(client.post(url + "&explain=summary", json=[HOUSEHOLD] * 3), 422, "invalid_request")
    assert "1 to 2 households with explain=summary" in body["errors"]["households"][0]
    four = {**HOUSEHOLD, "members": [{"id": str(n)} for n in range(4)]}
    body = assert_envelope(client.post(url + "&explain=summary", json=[four]), 422, "invalid_request")
    assert "at most 3 members in all with explain=summary" in body["errors"]["households"][0]
    assert client.post(url + "&explain=summary", json=[HOUSEHOLD] * 2).status_code == 200


def test_vary_axis_points_are_limited(client):
    too_many = {"fact": "members.a.earned_income", "from": 0, "to": cliffs.MAX_POINTS, "step": 1}
    body = assert_envelope(client.post("/v1/screen", json={**SCREEN, "vary": too_many}), 422, "invalid_request")
    assert str(cliffs.MAX_POINTS) in str(body["errors"])


def test_the_trace_is_bounded(client):
    answer = client.post("/v1/screen", json={**SCREEN, "explain": "trace"}).get_json()
    for result in answer["programs"].values():
        assert result["trace"]["nodes"] <= trace.MAX_NODES
        assert result["trace"]["limits"] == {"max_depth": trace.MAX_DEPTH, "max_nodes": trace.MAX_NODES}


def draft(formula: str) -> dict:
    variable = {"entity": "household", "value_type": "float", "period": "month", "label": "Draft",
                "reference": [{"title": "Draft", "href": "https://example.org"}], "formula": formula}
    return {"date": "2025-11-15", "household": HOUSEHOLD, "reform": {"variables": {"snap_net_income": variable}}}


@pytest.mark.parametrize("formula, complaint", [
    (" + ".join(["1"] * (check.MAX_LENGTH // 4 + 10)), f"limit {check.MAX_LENGTH}"),
    ("1 + (" * (check.MAX_DEPTH + 6) + "1" + ")" * (check.MAX_DEPTH + 6), "deeper"),
    (" + ".join(["snap_gross_income"] * (check.MAX_NODES // 2 + 10)), f"limit {check.MAX_NODES}"),
])
def test_draft_formulas_are_limited_in_size_and_nesting(client, formula, complaint):
    if not has_route(client.application, "/v1/compare", "POST"):
        pytest.skip("POST /v1/compare is not there yet")
    body = assert_envelope(client.post("/v1/compare", json=draft(formula)), 422, "invalid_request")
    assert complaint in str(body["errors"])


# ------------------------------------------------------------------------------------- time budget

@pytest.fixture
def slow_screening(monkeypatch):
    """POST /v1/screen takes `seconds` longer than it would."""
    import api.v1.screen as view

    original = view.screen

    def install(seconds: float):
        def slow(*args, **kwargs):
            time.sleep(seconds)
            return original(*args, **kwargs)
        monkeypatch.setattr(view, "screen", slow)
    return install


def test_a_request_over_the_time_budget_is_stopped_with_a_503(rules, slow_screening):
    slow_screening(5)
    client = make_app(rules, REQUEST_TIME_BUDGET=0.2).test_client()
    started = time.monotonic()
    response = client.post("/v1/screen", json=SCREEN)
    assert time.monotonic() - started < 2
    body = assert_envelope(response, 503, limits.TIMEOUT_CODE)
    assert "0.2 s" in body["message"] and response.headers["Retry-After"] == "1"
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # nothing left armed
    assert client.get("/v1/rules").status_code == 200


def test_a_writing_request_is_never_interrupted(rules, slow_screening):
    slow_screening(0.5)
    client = make_app(rules, REQUEST_TIME_BUDGET=0.1, WRITE_PATHS=["/v1/screen"]).test_client()
    assert client.post("/v1/screen", json=SCREEN).status_code == 200


def test_within_the_budget_nothing_changes(rules, slow_screening):
    slow_screening(0.05)
    client = make_app(rules, REQUEST_TIME_BUDGET=5).test_client()
    assert client.post("/v1/screen", json=SCREEN).status_code == 200
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_alarm_outside_a_view_is_ignored():
    """A budget that runs out while the response is being finished must not turn it into an error."""
    limits._on_alarm(signal.SIGALRM, sys._getframe())


def test_under_gunicorn_a_worker_that_ran_over_budget_is_replaced_and_the_server_keeps_answering():
    env = {"ELIGIBILITY_REQUEST_TIME_BUDGET": "0.2", "ELIGIBILITY_RATELIMIT_ENABLED": "false"}
    with Server(workers=2, env=env) as server:
        workers = server.worker_pids()
        status, headers, body = server.request("POST", "/v1/screen/batch?date=2025-11-15", [HOUSEHOLD] * 3000)
        if status == 404:
            pytest.skip("POST /v1/screen/batch is not there yet")
        assert status == 503 and json.loads(body)["code"] == limits.TIMEOUT_CODE
        assert headers["Retry-After"] == "1"
        deadline = time.monotonic() + 20
        while server.worker_pids() == workers or len(server.worker_pids()) < 2:
            assert time.monotonic() < deadline, "the worker that ran over budget was not replaced"
            assert server.request("GET", "/v1/rules")[0] == 200
            time.sleep(0.1)
        assert len(server.worker_pids() - workers) == 1  # one fresh worker, the other one untouched
        assert all(server.request("GET", "/v1/rules")[0] == 200 for _ in range(20))
