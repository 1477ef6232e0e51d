"""Every error is the contract's envelope, lists every problem where it is, and bad input is never a 5xx."""

from __future__ import annotations

import pytest

from api import create_app
from api.v1 import screen as screen_view
from tests.api_support import situation

pytest_plugins = ["tests.api_fixtures"]

ENVELOPE = {"status", "code", "message", "errors"}


def household(**facts) -> dict:
    return {"members": [{"id": "a", "age": 30}], **facts}


def screen(client, body=None, **kwargs):
    return client.post("/v1/screen", json=body, **kwargs) if body is not None else client.post(
        "/v1/screen", **kwargs)


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.is_json
    body = response.json
    assert ENVELOPE <= set(body)
    assert body["status"] == status and body["code"] == code
    assert body["message"]
    assert isinstance(body["errors"], dict)
    return body


def test_errors_mirror_the_request_and_all_are_listed(client):
    body = {"date": "2025-11-15", "household": {
        "state": "ZZ",
        "assets": -5,
        "members": [{"id": "a", "age": 30}, {"id": "b", "age": -1, "earned_income": "1200"}],
    }}
    errors = assert_envelope(screen(client, body), 422, "invalid_request")["errors"]
    assert errors == {"household": {
        "state": [errors["household"]["state"][0]],
        "assets": ["Must be greater than or equal to 0."],
        "members": {"1": {"age": ["Must be greater than or equal to 0."],
                          "earned_income": ["Not a valid number."]}},
    }}
    assert errors["household"]["state"][0].startswith("Must be one of: AL, AK")


@pytest.mark.parametrize(("facts", "path", "message"), [
    ({"shelter_costs": "100"}, "shelter_costs", "Not a valid number."),
    ({"shelter_costs": True}, "shelter_costs", "Not a valid number."),
    ({"is_homeless": "yes"}, "is_homeless", "Not a valid boolean."),
    ({"is_homeless": 1}, "is_homeless", "Not a valid boolean."),
    ({"assets": 1e400}, "assets", "Must be a finite number."),
    ({"shelter_costs": 1e308}, "shelter_costs", "Must be less than or equal to 1000000000000."),
    ({"filing_status": "jointly"}, "filing_status", "Must be one of: single, married_filing_jointly, "
                                                    "head_of_household, married_filing_separately."),
    ({"pets": 2}, "pets", "Unknown field."),
])
def test_household_fact_problems_are_422(client, facts, path, message):
    body = {"date": "2025-11-15", "household": household(**facts)}
    errors = assert_envelope(screen(client, body), 422, "invalid_request")["errors"]
    assert errors == {"household": {path: [message]}}


@pytest.mark.parametrize(("member", "path", "message"), [
    ({"id": "a", "age": 30.5}, "age", "Not a valid integer."),
    ({"id": "a", "age": 10**400}, "age", "Must be less than or equal to 1000000000000."),
    ({"id": "a", "earned_income": 1e13}, "earned_income", "Must be less than or equal to 1000000000000."),
    ({"id": "a", "relationship": "cousin"}, "relationship", "Must be one of: head, spouse, child, other."),
    ({"id": "a", "shoe_size": 9}, "shoe_size", "Unknown field."),
    ({"age": 30}, "id", "Missing data for required field."),
    ({"id": 7}, "id", "Not a valid string."),
])
def test_member_fact_problems_are_422(client, member, path, message):
    body = {"date": "2025-11-15", "household": {"members": [member]}}
    errors = assert_envelope(screen(client, body), 422, "invalid_request")["errors"]
    assert errors == {"household": {"members": {"0": {path: [message]}}}}


def test_non_finite_numbers_in_the_json_text_are_422(client):
    text = '{"date": "2025-11-15", "household": {"members": [{"id": "a", "earned_income": NaN}],' \
           ' "assets": Infinity}}'
    errors = assert_envelope(screen(client, data=text, content_type="application/json"),
                             422, "invalid_request")["errors"]
    assert errors["household"]["assets"] == ["Must be a finite number."]
    assert errors["household"]["members"]["0"]["earned_income"] == ["Must be a finite number."]


def test_duplicate_member_ids_are_422_with_other_problems(client):
    body = {"date": "2025-11-15", "household": {"members": [
        {"id": "a"}, {"id": "b", "age": -2}, {"id": "a"}]}}
    errors = assert_envelope(screen(client, body), 422, "invalid_request")["errors"]
    assert errors["household"]["members"] == {
        "1": {"age": ["Must be greater than or equal to 0."]},
        "2": {"id": ["Duplicate member id 'a'; each member needs its own id."]},
    }


@pytest.mark.parametrize("members", [[], None, "a", [1]])
def test_members_are_required_objects(client, members):
    body = {"date": "2025-11-15", "household": {} if members is None else {"members": members}}
    errors = assert_envelope(screen(client, body), 422, "invalid_request")["errors"]
    assert "members" in errors["household"]


def test_request_level_problems_are_422(client):
    body = {"date": "15/11/2025", "explain": "everything", "colour": "red", "programs": "snap",
            "household": "none"}
    errors = assert_envelope(screen(client, body), 422, "invalid_request")["errors"]
    assert errors == {
        "date": ["Not a valid date."],
        "explain": ["Must be one of: none, summary, trace."],
        "colour": ["Unknown field."],
        "programs": ["Not a valid list."],
        "household": ["Not a valid household: expected an object."],
    }


def test_missing_household_is_422(client):
    errors = assert_envelope(screen(client, {"date": "2025-11-15"}), 422, "invalid_request")["errors"]
    assert errors == {"household": ["Missing data for required field."]}


def test_unknown_program_names_it_and_lists_known_ones(client, rules):
    body = {"date": "2025-11-15", "programs": ["snap", "lottery"], "household": household()}
    errors = assert_envelope(screen(client, body), 422, "invalid_request")["errors"]
    assert errors["programs"] == [f"Unknown program 'lottery'; known programs: {', '.join(rules.programs)}."]


def test_date_outside_the_modelled_range_names_the_range(client):
    body = {"date": "2019-01-01", "household": household()}
    errors = assert_envelope(screen(client, body), 422, "invalid_request")["errors"]
    assert list(errors) == ["date"] and len(errors["date"]) == 1
    assert errors["date"][0].startswith("2019-01-01 is outside the range modelled (")
    assert "snap: 2023-10-01 to 2026-09-30" in errors["date"][0]


def test_unknown_program_and_unmodelled_date_are_reported_together(client):
    body = {"date": "2019-01-01", "programs": ["lottery", "snap"], "household": household(age=-1)}
    errors = assert_envelope(screen(client, body), 422, "invalid_request")["errors"]
    assert set(errors) == {"date", "programs", "household"}


def test_malformed_json_is_400(client):
    body = assert_envelope(screen(client, data='{"household": ', content_type="application/json"),
                           400, "malformed_request")
    assert body["errors"] == {"_schema": ["Invalid JSON body."]}


@pytest.mark.parametrize("text", ["[]", "3", '"household"', "null"])
def test_json_that_is_not_an_object_is_422(client, text):
    body = assert_envelope(screen(client, data=text, content_type="application/json"), 422, "invalid_request")
    assert body["errors"]


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", None])
def test_a_body_that_is_not_json_is_415(client, content_type):
    kwargs = {"content_type": content_type} if content_type else {}
    assert_envelope(screen(client, data='{"household": {}}', **kwargs), 415, "unsupported_media_type")


def test_a_body_over_the_limit_is_413(rules):
    client = create_app({"TESTING": True, "RULESET": rules, "MAX_CONTENT_LENGTH": 200}).test_client()
    small = {"date": "2025-11-15", "household": household()}
    assert screen(client, small).status_code == 200
    big = {"date": "2025-11-15", "household": household(), "programs": ["snap"] * 50}
    body = assert_envelope(screen(client, big), 413, "body_too_large")
    assert body["message"] == "The request body is too large."


def test_the_default_body_limit_is_one_mebibyte(client, app):
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    padding = {"date": "2025-11-15", "household": household(), "programs": ["snap"] * 300_000}
    assert_envelope(screen(client, padding), 413, "body_too_large")


def test_unknown_path_is_a_json_404(client):
    assert_envelope(client.get("/v1/nothing-here"), 404, "not_found")


def test_wrong_method_is_a_json_405_with_allow(client):
    response = client.get("/v1/screen")
    assert_envelope(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_a_crash_is_a_500_with_a_request_id_and_no_exception_text(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals /srv/app/rules.py line 12")

    monkeypatch.setattr(screen_view, "screen", broken)
    response = screen(client, situation("working_parent_two_children"))
    body = assert_envelope(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True)
    assert body["request_id"] == response.headers["X-Request-ID"]


def test_the_client_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "portal-42"})
    assert response.headers["X-Request-ID"] == "portal-42"
    forged = client.get("/healthz", headers={"X-Request-ID": "<script>" * 40})
    assert forged.headers["X-Request-ID"].isalnum()


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 100_000 + "]" * 100_000, "Nested too deeply."),
    ('{"household": {"members": [{"id": "a", "age": ' + "9" * 5000 + "}]}}", "A number has too many digits."),
    (b"\xff\xfe{}", None),
])
def test_hostile_json_texts_are_400(client, text, message):
    response = screen(client, data=text, content_type="application/json")
    body = assert_envelope(response, 400, "malformed_request")
    if message:
        assert body["errors"] == {"_schema": [message]}
