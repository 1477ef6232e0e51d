"""Drafting endpoints: compare a reform, rule changes between dates, test cases as a service."""

from __future__ import annotations

pytest_plugins = ["tests.api_fixtures"]

HOUSEHOLD = {"state": "WY", "shelter_costs": 2000, "utility_costs": 100, "dependent_care_costs": 0,
             "child_support_paid": 0, "medical_expenses": 0, "assets": 500, "is_homeless": False,
             "receives_tanf": False, "receives_ssi": False,
             "members": [{"id": "a", "age": 30, "earned_income": 3000, "unearned_income": 0, "is_disabled": False},
                         {"id": "b", "age": 6, "earned_income": 0, "unearned_income": 0, "is_disabled": False}]}
GROSS_200 = {"label": "200%", "parameters": {"us.usda.snap.income.gross_limit_rate": [
    {"start": "2025-10-01", "value": 2.0}]}}


def test_compare_one_household(client):
    response = client.post("/v1/compare", json={"date": "2025-11-15", "programs": ["snap"], "reform": GROSS_200,
                                                "household": HOUSEHOLD})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    # Two people in Wyoming (no state options): gross 3,000 is over 2,292 (130%) and within 3,525 (200%);
    # net 3,000 - 600 - 209 = 2,191, less the capped shelter deduction of 744 = 1,447 <= 1,763.
    row = body["households"][0]["snap"]
    assert row["baseline"]["status"] == "ineligible" and row["reform"]["status"] == "eligible"
    assert body["summary"]["snap"]["newly_eligible"] == 1
    assert body["reform"]["digest"].startswith("sha256:")


def test_compare_a_list(client):
    response = client.post("/v1/compare", json={"date": "2025-11-15", "programs": ["snap"], "reform": GROSS_200,
                                                "households": [HOUSEHOLD, HOUSEHOLD]})
    assert response.get_json()["summary"]["snap"]["households"] == 2


def test_draft_errors_name_the_draft_path(client):
    reform = {"variables": {"snap_net_income": {"entity": "household", "value_type": "float", "period": "month",
                                                "label": "x", "reference": [{"title": "t", "href": "h"}],
                                                "formula": "snap_gross_income - nope"}}}
    response = client.post("/v1/compare", json={"date": "2025-11-15", "reform": reform, "household": HOUSEHOLD})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "unknown name 'nope'" in errors["reform"]["variables"]["snap_net_income"]["formula"][0]


def test_compare_needs_one_of_household_or_households(client):
    response = client.post("/v1/compare", json={"date": "2025-11-15", "reform": GROSS_200})
    assert response.status_code == 422


def test_rule_changes_between_dates(client):
    response = client.get("/v1/rules/changes?from=2025-09-30&to=2025-10-01")
    assert response.status_code == 200
    paths = {c["path"]: c for c in response.get_json()["parameters"]}
    assert paths["us.usda.snap.deductions.shelter_cap.contiguous"]["to"] == 744
    assert client.get("/v1/rules/changes?from=2025-09-30").status_code == 422


def test_cases_run_as_a_service_against_a_reform(client):
    cases = ("- name: one-person limit\n  period: 2025-11\n  input: {state: WY, members: [{id: a}]}\n"
             "  output: {snap_gross_income_limit: 2609}\n")
    plain = client.post("/v1/tests/run", json={"cases": cases}).get_json()
    reformed = client.post("/v1/tests/run", json={"cases": cases, "reform": GROSS_200}).get_json()
    # 15,650 x 2.0 / 12 = 2,608.33 -> 2,609 under the reform; 1,696 without.
    assert (plain["passed"], plain["failed"]) == (0, 1)
    assert "expected 2609, got 1696" in plain["cases"][0]["differences"][0]
    assert (reformed["passed"], reformed["failed"]) == (1, 0)


def test_bad_yaml_cases_are_a_422(client):
    response = client.post("/v1/tests/run", json={"cases": "- [unclosed"})
    assert response.status_code == 422
    assert "cases" in response.get_json()["errors"]
