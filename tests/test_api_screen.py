"""POST /v1/screen answers per the contract: statuses, amounts, criteria, missing facts, options."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import api.schemas.screen
from eligibility.screening import screen
from tests.api_support import situation, situation_names

pytest_plugins = ["tests.api_fixtures"]


def post(client, body):
    return client.post("/v1/screen", json=body)


@pytest.mark.parametrize("name", situation_names())
def test_every_worked_example_is_answered_in_full(client, app, name):
    body = situation(name)
    response = post(client, body)
    assert response.status_code == 200, response.json
    answer = response.json
    assert answer["date"] == body["date"]
    ruleset = app.extensions["eligibility"].ruleset
    assert answer["rules"] == {"version": ruleset.version, "digest": ruleset.digest}
    assert set(answer["programs"]) == set(body.get("programs") or ruleset.programs)
    # The API adds and drops nothing: it is the engine's answer, serialised.
    engine = screen(ruleset, body["household"], dt.date.fromisoformat(body["date"]), body.get("programs"),
                    body.get("explain", "summary"))
    assert answer == json.loads(json.dumps(engine))


def test_working_parent_gets_a_monthly_snap_amount_with_reasons(client):
    snap = post(client, situation("working_parent_two_children")).json["programs"]["snap"]
    assert snap["status"] == "eligible"
    assert snap["amount"] > 0
    assert snap["period"] == "2025-11"
    assert snap["members"] is None
    assert snap["missing"] == []
    assert snap["criteria"]
    for criterion in snap["criteria"]:
        assert criterion["result"] is True
        assert criterion["label"] and criterion["explanation"]
        assert criterion["reference"]
        assert all(r["href"].startswith("https://") for r in criterion["reference"])
    benefit = next(c for c in snap["criteria"] if c["id"] == "snap_eligible")
    assert f"${snap['amount']:,.0f}" in benefit["explanation"]  # the sentence carries the actual figure


def test_unknown_facts_leave_programs_undetermined_and_become_questions(client):
    answer = post(client, situation("first_question_only_ids")).json
    snap = answer["programs"]["snap"]
    assert snap["status"] == "undetermined"
    assert snap["amount"] is None
    assert "members.me.earned_income" in snap["missing"]
    assert {c["result"] for c in snap["criteria"]} == {None}
    questions = answer["next_questions"]
    missing = {path for program in answer["programs"].values() for path in program["missing"]}
    assert {q["fact"] for q in questions} == missing
    reach = [len(q["programs"]) for q in questions]
    assert reach == sorted(reach, reverse=True)  # the fact that settles the most programs first
    for question in questions:
        assert question["question"] and question["label"]
        assert all(question["fact"] in answer["programs"][p]["missing"] for p in question["programs"])


def test_answering_a_question_moves_the_answer_on(client):
    body = situation("first_question_only_ids")
    before = post(client, body).json
    first = before["next_questions"][0]["fact"]
    assert first.startswith(("household.", "members."))
    if first.startswith("household."):
        body["household"][first.split(".")[1]] = _an_answer(client, first.split(".")[1])
    else:
        _, member_id, fact = first.split(".")
        member = next(m for m in body["household"]["members"] if m["id"] == member_id)
        member[fact] = _an_answer(client, fact)
    after = post(client, body).json
    assert first not in [q["fact"] for q in after["next_questions"]]


def _an_answer(client, fact: str):
    """A valid value for an input fact, read from the catalogue as a form would."""
    variable = client.get(f"/v1/variables/{fact}").json
    return {"bool": False, "enum": (variable["possible_values"] or [None])[0]}.get(variable["value_type"], 0)


def test_null_means_unknown_like_an_absent_fact(client):
    body = situation("working_parent_two_children")
    absent = json.loads(json.dumps(body))
    del absent["household"]["assets"]
    del absent["household"]["members"][0]["earned_income"]
    null = json.loads(json.dumps(body))
    null["household"]["assets"] = None
    null["household"]["members"][0]["earned_income"] = None
    assert post(client, null).json == post(client, absent).json
    assert post(client, null).json != post(client, body).json


def test_high_income_is_ineligible_with_zero_amount_and_no_criteria_when_not_asked(client):
    snap = post(client, situation("high_earning_couple")).json["programs"]["snap"]
    assert snap["status"] == "ineligible"
    assert snap["amount"] == 0
    assert "criteria" not in snap


def test_alaska_area_changes_the_amount(client):
    rural = situation("alaska_rural_family")
    urban = json.loads(json.dumps(rural))
    urban["household"]["alaska_area"] = "urban"
    rural_amount = post(client, rural).json["programs"]["snap"]["amount"]
    urban_amount = post(client, urban).json["programs"]["snap"]["amount"]
    assert rural_amount > urban_amount > 0


def test_trace_shows_the_computation_tree(client):
    body = situation("working_parent_two_children") | {"explain": "trace"}
    snap = post(client, body).json["programs"]["snap"]
    assert snap["criteria"]
    tree = snap["trace"]["tree"]
    assert tree[0]["variable"] == "snap_eligible"
    assert tree[0]["known"] is True
    assert tree[0]["depends_on"]


def test_summary_is_the_default_explanation(client):
    body = situation("working_parent_two_children")
    body.pop("explain", None)
    snap = post(client, body).json["programs"]["snap"]
    assert snap["criteria"] and "trace" not in snap


def test_date_defaults_to_today(client, monkeypatch):
    monkeypatch.setattr(api.schemas.screen, "today", lambda: dt.date(2025, 3, 4))
    body = situation("working_parent_two_children")
    del body["date"]
    answer = post(client, body).json
    assert answer["date"] == "2025-03-04"
    assert answer["programs"]["snap"]["period"] == "2025-03"


def test_a_different_fiscal_year_uses_that_years_rules(client):
    body = situation("homeless_adult_no_income")
    amounts = {}
    for day in ("2023-11-15", "2025-11-15"):
        request = body | {"date": day, "programs": ["snap"]}
        amounts[day] = post(client, request).json["programs"]["snap"]["amount"]
    assert amounts["2023-11-15"] != amounts["2025-11-15"]


def test_same_request_same_bytes(client):
    body = situation("working_parent_two_children")
    assert post(client, body).data == post(client, body).data


def test_every_field_the_contract_names_is_accepted(client):
    # shared/CONTRACT.md binds these names and types whatever the rules add.
    household = {
        "state": "CA", "shelter_costs": 900.5, "utility_costs": 120, "dependent_care_costs": 0,
        "child_support_paid": 0, "medical_expenses": 35, "assets": 1000, "is_homeless": False,
        "receives_snap": False, "receives_tanf": False, "receives_ssi": False, "receives_medicaid": False,
        "filing_status": "head_of_household", "investment_income": 0,
        "members": [
            {"id": "p", "age": 29, "relationship": "head", "earned_income": 1500, "unearned_income": 0,
             "is_disabled": False, "is_pregnant": True, "is_breastfeeding": False, "is_student": False,
             "months_postpartum": 0},
            {"id": "c", "age": 1, "relationship": "child"},
        ],
    }
    response = post(client, {"date": "2025-11-15", "programs": ["snap"], "explain": "none",
                             "household": household})
    assert response.status_code == 200, response.json


def test_vary_axis_returns_statuses_and_cliffs(client):
    body = {"date": "2025-11-15", "programs": ["snap"],
            "household": {"state": "UT", "members": [{"id": "a", "age": 30, "earned_income": 0,
                                                      "unearned_income": 0, "is_disabled": False}],
                          "shelter_costs": 0, "utility_costs": 0, "dependent_care_costs": 0,
                          "child_support_paid": 0, "medical_expenses": 0, "assets": 0, "is_homeless": False,
                          "receives_tanf": False, "receives_ssi": False},
            "vary": {"fact": "members.a.earned_income", "from": 1500, "to": 1800, "step": 100}}
    response = client.post("/v1/screen", json=body)
    assert response.status_code == 200, response.get_json()
    axis = response.get_json()["vary"]
    # FY2026 one-person gross limit in Utah (no state options): 1,696.
    assert axis["points"] == [1500, 1600, 1700, 1800]
    assert axis["programs"]["snap"]["status"] == ["eligible", "eligible", "ineligible", "ineligible"]
    assert axis["programs"]["snap"]["cliffs"][0]["at"] == 1700


def test_vary_axis_errors_name_the_field(client):
    body = {"household": {"members": [{"id": "a"}]}, "date": "2025-11-15",
            "vary": {"fact": "members.zz.earned_income", "from": 0, "to": 10, "step": 1}}
    response = client.post("/v1/screen", json=body)
    assert response.status_code == 422
    assert "fact" in response.get_json()["errors"]["vary"]
