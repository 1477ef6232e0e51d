"""POST /v1/screen/batch: many households at once, each answered as the single screening would."""

from __future__ import annotations

import json

from eligibility.screening import screen

pytest_plugins = ["tests.api_fixtures"]

HOUSEHOLD = {"state": "UT", "shelter_costs": 500, "utility_costs": 0, "dependent_care_costs": 0,
             "child_support_paid": 0, "medical_expenses": 0, "assets": 100, "is_homeless": False,
             "receives_tanf": False, "receives_ssi": False,
             "members": [{"id": "a", "age": 30, "earned_income": 1000, "unearned_income": 0, "is_disabled": False}]}
URL = "/v1/screen/batch?date=2025-11-15&programs=snap,lifeline"


def lines(response) -> list[dict]:
    return [json.loads(line) for line in response.data.decode().splitlines()]


def test_each_household_gets_the_single_screening_answer(client, rules):
    import datetime as dt

    other = {**HOUSEHOLD, "members": [{**HOUSEHOLD["members"][0], "earned_income": 2500}]}
    response = client.post(URL, json=[HOUSEHOLD, other, {"members": [{"id": "x"}]}])
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    items = lines(response)
    assert [item["index"] for item in items] == [0, 1, 2]
    for item, household in zip(items, [HOUSEHOLD, other, {"members": [{"id": "x"}]}], strict=True):
        single = screen(rules, household, dt.date(2025, 11, 15), ["snap", "lifeline"], "none")
        assert item["result"] == single


def test_invalid_households_get_their_own_errors_without_failing_the_rest(client):
    response = client.post(URL, json=[{"members": [{"id": "a", "age": -1}]}, HOUSEHOLD, "nope"])
    items = lines(response)
    assert items[0]["error"]["status"] == 422
    assert items[0]["error"]["errors"] == {"members": {"0": {"age": ["Must be greater than or equal to 0."]}}}
    assert items[1]["result"]["programs"]["snap"]["status"] == "eligible"
    assert items[2]["error"]["errors"]["_schema"]


def test_ndjson_with_a_broken_line(client):
    body = json.dumps(HOUSEHOLD) + "\n{not json\n" + json.dumps(HOUSEHOLD) + "\n"
    items = lines(client.post(URL, data=body, content_type="application/x-ndjson"))
    assert [("result" in item, item["index"]) for item in items] == [(True, 0), (False, 1), (True, 2)]
    assert "Line 2" in items[1]["error"]["message"]


def test_csv_columns_and_json_output(client):
    body = ("state,assets,shelter_costs,members.0.id,members.0.age,members.0.earned_income\n"
            "UT,100,500,ann,30,1000\nUT,,,,,\n")
    response = client.post(URL + "&format=json", data=body, content_type="text/csv")
    items = response.get_json()
    assert items[0]["result"]["programs"]["lifeline"]["status"] in ("eligible", "undetermined")
    assert "members.ann.unearned_income" in items[0]["result"]["programs"]["snap"]["missing"]
    assert items[1]["error"]["errors"]["members"]  # a row with no member columns has no members


def test_limit_and_content_type(app, client):
    app.config["BATCH_MAX_HOUSEHOLDS"] = 2
    response = client.post(URL, json=[HOUSEHOLD] * 3)
    assert response.status_code == 422 and "households" in response.get_json()["errors"]
    assert client.post(URL, data="x", content_type="text/plain").status_code == 415
    assert client.post(URL, data="[1,", content_type="application/json").status_code == 400


def test_unmodelled_date_is_a_422_for_the_whole_batch(client):
    response = client.post("/v1/screen/batch?date=2040-01-01", json=[HOUSEHOLD])
    assert response.status_code == 422 and "date" in response.get_json()["errors"]


def test_csv_the_csv_module_chokes_on_is_read_or_refused_never_a_500(client):
    """Found by the fuzzer: a bare carriage return once made a 500, and so did a cell over the csv module's limit."""
    response = client.post(URL, data="state,members.0.age\rUT,30\r\n", content_type="text/csv")
    assert response.status_code == 200 and [item["index"] for item in lines(response)] == [0]
    response = client.post(URL, data="state,members.0.age\n" + "U" * 200_000 + ",30\n", content_type="text/csv")
    body = response.get_json()
    assert response.status_code == 400 and body["code"] == "malformed_request"
    assert "Not valid CSV" in body["errors"]["_schema"][0]
