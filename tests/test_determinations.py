"""Determination records over HTTP: save, read, replay under other rules, delete; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder

from api import create_app
from api.config import ROOT
from api.storage import records
from api.storage.models import Determination
from eligibility.compare import rule_changes
from eligibility.screening import screen
from tests.api_support import situation

pytest_plugins = ["tests.determinations_support"]

EXAMPLE = json.loads((ROOT / "examples" / "household.json").read_text(encoding="utf-8"))
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def save(client, body=None, **extra):
    response = client.post("/v1/determinations", json={**(body or EXAMPLE), **extra})
    assert response.status_code == 201, response.json
    return response


def test_saving_screens_and_keeps_facts_answer_rules_and_dates(records_client, rules):
    response = save(records_client, note="case 42")
    record = response.json
    assert UUID.match(record["id"])
    assert response.headers["Location"] == f"/v1/determinations/{record['id']}"
    assert record["date"] == EXAMPLE["date"]
    assert record["rules"] == {"version": rules.version, "digest": rules.digest}
    assert record["household"] == EXAMPLE["household"]
    assert record["note"] == "case 42"
    assert record["programs"] is None and record["explain"] == "summary"
    created = dt.datetime.fromisoformat(record["created_at"])
    assert created.tzinfo is not None
    assert abs(dt.datetime.now(dt.UTC) - created) < dt.timedelta(minutes=1)
    # The answer is exactly what POST /v1/screen gives for the same request.
    assert record["answer"] == records_client.post("/v1/screen", json=EXAMPLE).json


def test_a_saved_record_reads_back_exactly_as_saved(records_client):
    saved = save(records_client, situation("working_parent_two_children"), programs=["snap", "wic"]).json
    read = records_client.get(f"/v1/determinations/{saved['id']}")
    assert read.status_code == 200
    assert read.json == saved
    # Key order of the answer survives the database (the contract's byte-for-byte promise).
    assert list(read.json["answer"]["programs"]) == ["snap", "wic"]
    assert [c["id"] for c in read.json["answer"]["programs"]["snap"]["criteria"]] == \
        [c["id"] for c in saved["answer"]["programs"]["snap"]["criteria"]]


def test_records_survive_a_new_app_on_the_same_database(rules, database_url):
    first = create_app({"RULESET": rules, "DATABASE_URL": database_url})
    saved = save(first.test_client()).json
    first.extensions["eligibility-storage"].dispose()
    second = create_app({"RULESET": rules, "DATABASE_URL": database_url})
    assert second.test_client().get(f"/v1/determinations/{saved['id']}").json == saved
    second.extensions["eligibility-storage"].dispose()


def test_delete_removes_the_record(records_client):
    record_id = save(records_client).json["id"]
    response = records_client.delete(f"/v1/determinations/{record_id}")
    assert response.status_code == 204
    assert response.data == b""
    for method in ("get", "delete"):
        gone = getattr(records_client, method)(f"/v1/determinations/{record_id}")
        assert gone.status_code == 404
        assert gone.json["code"] == "not_found"
    assert records_client.post(f"/v1/determinations/{record_id}/replay", json={}).status_code == 404


@pytest.mark.parametrize("record_id", ["nothing", "00000000-0000-4000-8000-000000000000", "1" * 300])
def test_unknown_ids_are_404_in_the_envelope(records_client, record_id):
    response = records_client.get(f"/v1/determinations/{record_id}")
    assert response.status_code == 404
    assert response.json == {"status": 404, "code": "not_found", "errors": {},
                             "message": "No determination has this id (it may have been deleted)."}


def test_an_invalid_request_saves_nothing_and_lists_every_problem(records_client, records_app):
    response = records_client.post("/v1/determinations", json={
        "date": "2019-01-01", "explain": "trace", "note": "x" * 2001,
        "household": {"members": [{"id": "a", "age": -1}, {"id": "a"}]}})
    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(errors) == {"date", "explain", "note", "household"}
    assert errors["household"]["members"]["0"]["age"] == ["Must be greater than or equal to 0."]
    assert "Duplicate member id" in errors["household"]["members"]["1"]["id"][0]
    with records_app.app_context():
        assert records.count(records_app.extensions["eligibility-storage"]) == 0


def test_writes_take_json_only(records_client):
    response = records_client.post("/v1/determinations", data="household=x",
                                   content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_replay_under_the_same_rules_changes_nothing(records_client, rules):
    saved = save(records_client).json
    report = records_client.post(f"/v1/determinations/{saved['id']}/replay", json={}).json
    assert report["rules_changed"] is False and report["changed"] is False
    assert report["changes"] == []
    assert report["unchanged"] == list(rules.programs)
    assert report["rule_changes"] == {"parameters": [], "variables": []}
    assert report["answer"] == saved["answer"]
    assert report["original"] == {"date": saved["date"], "rules": saved["rules"], "created_at": saved["created_at"]}


def test_replay_on_another_day_lists_the_rules_that_changed_in_between(records_client, rules):
    body = {**EXAMPLE, "date": "2025-09-15"}  # SNAP's fiscal year 2025; 15 November is in FY2026
    saved = save(records_client, body).json
    report = records_client.post(f"/v1/determinations/{saved['id']}/replay", json={"date": "2025-11-15"}).json
    assert report["date"] == "2025-11-15"
    snap = next(c for c in report["changes"] if c["program"] == "snap")
    assert snap["status"] == {"from": "eligible", "to": "eligible"}
    assert snap["amount"]["from"] != snap["amount"]["to"]
    paths = {p["path"]: p for p in report["rule_changes"]["parameters"]}
    allotment = paths["us.usda.snap.max_allotment.contiguous.2"]
    assert (allotment["from"], allotment["to"]) == (536, 546)
    assert allotment["reference"], "every change cites its source"
    # Within one rule set, the changes are the engine's own list of changes between the two days.
    expected = rule_changes(rules, dt.date(2025, 9, 15), dt.date(2025, 11, 15))
    assert set(paths) == {p["path"] for p in expected["parameters"]}
    assert {v["variable"] for v in report["rule_changes"]["variables"]} == \
        {v["variable"] for v in expected["variables"]}


def test_replay_under_changed_rules_says_what_changed_and_why(rules, changed_rules, database_url):
    before = create_app({"RULESET": rules, "DATABASE_URL": database_url})
    saved = save(before.test_client()).json
    before.extensions["eligibility-storage"].dispose()
    after = create_app({"RULESET": changed_rules, "DATABASE_URL": database_url})
    report = after.test_client().post(f"/v1/determinations/{saved['id']}/replay", json={}).json
    after.extensions["eligibility-storage"].dispose()
    assert report["rules_changed"] is True
    assert report["original"]["rules"]["digest"] == rules.digest
    assert report["rules"]["digest"] == changed_rules.digest
    assert report["changes"] == [{"program": "snap", "status": {"from": "eligible", "to": "eligible"},
                                  "amount": {"from": 483.0, "to": 583.0}, "members": None}]
    assert report["rule_changes"]["variables"] == []
    [change] = report["rule_changes"]["parameters"]
    assert (change["path"], change["from"], change["to"]) == ("us.usda.snap.max_allotment.contiguous.2", 546, 646)
    assert change["label"] and change["reference"]


def test_replay_outside_the_modelled_dates_is_422(records_client):
    saved = save(records_client).json
    response = records_client.post(f"/v1/determinations/{saved['id']}/replay", json={"date": "2040-01-01"})
    assert response.status_code == 422
    assert "outside the modelled range" in response.json["message"]
    assert records_client.post(f"/v1/determinations/{saved['id']}/replay",
                               json={"date": "soon"}).json["errors"] == {"date": ["Not a valid date."]}


def test_saved_facts_that_no_longer_fit_the_rules_are_409(records_client, records_app):
    saved = save(records_client).json
    with records_app.app_context():
        database = records_app.extensions["eligibility-storage"]
        with database.writing() as session:
            session.get(Determination, saved["id"]).household = {"members": [{"id": "a", "shoe_size": 9}]}
    response = records_client.post(f"/v1/determinations/{saved['id']}/replay", json={})
    assert response.status_code == 409
    assert response.json["errors"] == {"household": {"members": {"0": {"shoe_size": ["Unknown field."]}}}}


def test_an_unreachable_database_is_a_503_saying_so(rules):
    # Nothing listens on port 1: the connection is refused at once.
    app = create_app({"RULESET": rules, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"})
    response = app.test_client().post("/v1/determinations", json=EXAMPLE)
    assert response.status_code == 503
    assert response.json == {"status": 503, "code": "not_ready", "errors": {},
                             "message": "The determination store is unavailable; try again shortly.",
                             "request_id": response.headers["X-Request-ID"]}


def test_every_success_answer_matches_the_spec(records_client):
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    openapi = OpenAPI.from_dict(spec)
    saved = save(records_client)
    record_id = saved.json["id"]
    calls = [("post", "/v1/determinations", saved),
             ("get", f"/v1/determinations/{record_id}", records_client.get(f"/v1/determinations/{record_id}")),
             ("post", f"/v1/determinations/{record_id}/replay",
              records_client.post(f"/v1/determinations/{record_id}/replay", json={"date": "2026-01-15"})),
             ("delete", f"/v1/determinations/{record_id}", records_client.delete(f"/v1/determinations/{record_id}"))]
    for method, url, response in calls:
        assert response.status_code < 300, (url, response.json)
        request = EnvironBuilder(path=url, method=method.upper()).get_request()
        openapi.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))


def test_explain_none_keeps_statuses_and_amounts_only(records_client, rules):
    record = save(records_client, explain="none").json
    assert record["explain"] == "none"
    engine = screen(rules, EXAMPLE["household"], dt.date.fromisoformat(EXAMPLE["date"]), None, "none")
    assert record["answer"] == json.loads(json.dumps(engine))
