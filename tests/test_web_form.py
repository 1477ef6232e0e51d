"""The household form: fields from the rules, people added and removed without JavaScript, the API's checks."""

from __future__ import annotations

import datetime as dt

import pytest

from api.web.forms import FormState, field_errors
from api.web.screening import default_date
from tests.web_support import Page

pytest_plugins = ["tests.determinations_support"]

ALEX = {"members.0.id": "alex", "members.0.age": "34", "members.0.relationship": "head",
        "members.0.earned_income": "1,450", "members.0.unearned_income": "0", "members.0.is_disabled": "no"}
SAM = {"members.1.id": "sam", "members.1.age": "6", "members.1.relationship": "child",
       "members.1.earned_income": "0", "members.1.unearned_income": "0", "members.1.is_disabled": "no"}
# The worked example of examples/household.json, as a caseworker types it.
HOUSEHOLD = {"household.state": "CA", "household.shelter_costs": "1100", "household.utility_costs": "150",
             "household.assets": "$800", "household.dependent_care_costs": "0", "household.child_support_paid": "0",
             "household.medical_expenses": "0", "household.is_homeless": "no",
             "household.receives_tanf": "no", "household.receives_ssi": "no"}


def form(**extra) -> dict:
    return {"date": "2025-11-15", **ALEX, **SAM, **HOUSEHOLD, **extra}


@pytest.fixture
def client(sqlite_app):
    return sqlite_app.test_client()


def test_the_form_asks_for_every_fact_the_rules_use_each_with_a_label(client, rules):
    page = Page(client.get("/").get_data(as_text=True))
    names = {e["name"] for e in page.elements if e["tag"] in ("input", "select") and e.get("name")}
    person_facts = {n for n, v in rules.inputs.items() if v.entity == "person"}
    household_facts = {n for n, v in rules.inputs.items() if v.entity == "household"}
    assert {f"household.{n}" for n in household_facts} <= names
    assert {f"members.0.{n}" for n in person_facts} | {"members.0.id", "date"} <= names
    labelled = {e["for"] for e in page.find("label") if "for" in e}
    for element in page.elements:
        if element["tag"] in ("select",) or (element["tag"] == "input" and element.get("type") not in ("hidden",)):
            assert element["id"] in labelled, element


def test_blank_means_unknown_and_the_form_says_so(client):
    page = Page(client.get("/").get_data(as_text=True))
    assert "blank means unknown, never zero" in page.text
    values = page.form_fields()
    facts = {name: value for name, value in values.items() if name.startswith(("household.", "members."))}
    assert facts and set(facts.values()) == {""}  # nothing is assumed: every fact starts unknown
    assert page.text.count("Not known") == len(page.find("select"))  # each choice offers "Not known" first


def test_the_date_defaults_to_today_or_the_nearest_day_every_program_covers(rules):
    start = max(p.start for p in rules.programs.values())
    end = min(p.end for p in rules.programs.values())
    assert default_date(rules, start + dt.timedelta(days=3)) == start + dt.timedelta(days=3)
    assert default_date(rules, end + dt.timedelta(days=300)) == end
    assert default_date(rules, start - dt.timedelta(days=300)) == start


def test_adding_a_person_keeps_what_was_typed(client):
    response = client.post("/", data=form(action="add-member"))
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert page.one("input", name="members.0.earned_income")["value"] == "1,450"
    assert page.one("input", name="members.1.id")["value"] == "sam"
    assert page.one("input", name="members.2.id")["value"] == ""
    assert page.one("fieldset", id="member-2")
    # The button that added the person brings the browser back to them.
    assert page.one("button", value="add-member")["formaction"] == "/#member-3"


def test_removing_a_person_renumbers_the_rest(client):
    page = Page(client.post("/", data=form(action="remove-member:0")).get_data(as_text=True))
    assert page.one("input", name="members.0.id")["value"] == "sam"
    assert page.find("input", name="members.1.id") == []
    assert page.find("button", value="remove-member:0") == []  # the last person cannot be removed


def test_enter_screens_and_never_removes_a_person(client):
    page = Page(client.post("/", data=form(action="add-member")).get_data(as_text=True))
    form_start = next(i for i, e in enumerate(page.elements) if e["tag"] == "form" and e.get("method") == "post")
    first_button = next(e for e in page.elements[form_start:] if e["tag"] == "button")
    assert first_button["value"] == "screen"


def test_a_complete_household_gets_results(client):
    response = client.post("/", data=form(action="screen"))
    assert response.status_code == 200
    assert "Results" in Page(response.get_data(as_text=True)).text


def test_errors_are_the_apis_own_shown_beside_each_field_with_a_summary(client):
    bad = form(**{"members.0.age": "-3", "members.1.earned_income": "lots", "household.assets": "1e999",
                  "members.1.id": "alex", "date": "2019-01-01"})
    response = client.post("/", data=bad)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    flagged = {e["name"] for e in page.elements if e.get("aria-invalid") == "true"}
    # The same request as JSON: the API flags exactly these fields.
    state = FormState.from_form(_multidict(bad), client.application.extensions["eligibility"].ruleset)
    api = client.post("/v1/screen", json=state.to_request(client.application.extensions["eligibility"].ruleset))
    assert api.status_code == 422
    assert flagged == set(field_errors(api.json["errors"]))
    assert flagged == {"date", "members.0.age", "members.1.earned_income", "household.assets", "members.1.id"}
    summary = page.one(id="error-summary")
    assert summary["role"] == "alert"
    links = {e["href"] for e in page.find("a") if e.get("href", "").startswith("#f-")}
    assert links == {"#f-" + name.replace(".", "-") for name in flagged}
    age = page.one("input", name="members.0.age")
    assert age["value"] == "-3"  # kept as typed
    assert age["aria-describedby"].split() == ["f-members-0-age-hint", "f-members-0-age-error-1"]
    assert "Enter 0 or more." in page.text
    assert "Duplicate member id 'alex'" in page.text
    assert "outside the range modelled" in page.text
    assert "<title>Error: Screen a household" in response.get_data(as_text=True)


def _multidict(data: dict):
    from werkzeug.datastructures import MultiDict

    return MultiDict(list(data.items()))


def test_choosing_no_program_is_an_error_and_one_program_screens_only_it(client):
    response = client.post("/", data={**form(), "programs_listed": "1"})
    assert response.status_code == 422
    assert "Choose at least one." in Page(response.get_data(as_text=True)).text
    page = Page(client.post("/", data={**form(), "programs_listed": "1", "programs": "snap"}).get_data(as_text=True))
    assert [e["href"] for e in page.find("a") if e.get("href", "").startswith("#program-")] == ["#program-snap"]


def test_form_posts_are_not_refused_as_non_json_but_the_api_still_is(client):
    assert client.post("/", data=form()).status_code == 200
    assert client.post("/v1/screen", data=form()).status_code == 415


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                                     {"Origin": "https://elsewhere.example"}, {"Origin": "null"}])
def test_posts_from_other_sites_are_refused(client, headers):
    response = client.post("/", data=form(), headers=headers)
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "only be sent from this site" in Page(response.get_data(as_text=True)).text


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://localhost"}, {}])
def test_posts_from_this_site_are_taken(client, headers):
    assert client.post("/", data=form(), headers=headers).status_code == 200


def test_the_form_needs_no_script_and_loads_nothing_from_elsewhere(client):
    html = client.get("/").get_data(as_text=True)
    page = Page(html)
    sources = [e.get("src") or e.get("href") for e in page.find("script") + page.find("link")]
    assert all(s.startswith("/") for s in sources), sources
    assert "<script>" not in html and " style=" not in html  # nothing inline: a strict CSP allows the pages
    for source in sources:
        with client.get(source) as response:
            assert response.status_code == 200, source
