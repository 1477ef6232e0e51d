"""Saving from the web pages (only when asked), the record page, the print view and the check under new rules."""

from __future__ import annotations

import json

import pytest

from api import create_app
from api.storage import records
from tests.test_web_form import form
from tests.web_support import Page

pytest_plugins = ["tests.determinations_support"]


def screened_state(client) -> str:
    response = client.post("/", data=form())
    assert response.status_code == 200
    return Page(response.get_data(as_text=True)).find("input", name="state")[0]["value"]


def count(app) -> int:
    with app.app_context():
        return records.count(app.extensions["eligibility-storage"])


def test_nothing_is_saved_until_the_caseworker_asks(records_app, records_client):
    state = screened_state(records_client)
    client = records_client
    page = Page(client.post("/answer", data={"state": state, "fact": "household.assets", "action": "skip"})
                .get_data(as_text=True))
    client.post("/edit", data={"state": state})
    client.post("/print", data={"state": state})
    assert page.find("button", type="submit")
    assert count(records_app) == 0
    saved = client.post("/save", data={"state": state, "note": "case 7"})
    assert saved.status_code == 303
    assert count(records_app) == 1


def test_saving_keeps_the_facts_and_opens_the_record(records_app, records_client, rules):
    state = json.loads(screened_state(records_client))
    saved = records_client.post("/save", data={"state": json.dumps(state), "note": "case 7"})
    location = saved.headers["Location"]
    assert location.startswith("/determinations/") and location.endswith("?saved=1")
    record_id = location.split("/")[2].split("?")[0]
    api = records_client.get(f"/v1/determinations/{record_id}").json
    assert api["household"] == state["household"] and api["date"] == state["date"] and api["note"] == "case 7"
    assert api["answer"] == records_client.post("/v1/screen", json={"date": state["date"],
                                                                     "household": state["household"]}).json
    page = Page(records_client.get(location).get_data(as_text=True))
    assert "Saved. Keep the id below" in page.text
    assert record_id in page.text and rules.digest in page.text and "case 7" in page.text
    assert "Facts given" in page.text and "Countable resources (cash, bank accounts) $800" in page.text
    for program in rules.programs.values():
        assert page.one("section", id=f"program-{program.id}")
    assert page.one("a", href=f"/determinations/{record_id}/print")


def test_a_record_opens_by_its_id(sqlite_app):
    client = sqlite_app.test_client()
    record_id = client.post("/save", data={"state": screened_state(client)}).headers["Location"].split("/")[2][:36]
    found = client.get(f"/determinations?id=+{record_id}+")
    assert found.status_code == 303 and found.headers["Location"] == f"/determinations/{record_id}"
    missing = client.get("/determinations?id=not-an-id", follow_redirects=True)
    assert missing.status_code == 404
    assert missing.mimetype == "text/html"
    assert "No determination has this id" in Page(missing.get_data(as_text=True)).text


def test_the_print_view_has_everything_and_no_navigation_on_paper(sqlite_app):
    client = sqlite_app.test_client()
    record_id = client.post("/save", data={"state": screened_state(client)}).headers["Location"].split("/")[2][:36]
    page = Page(client.get(f"/determinations/{record_id}/print").get_data(as_text=True))
    assert page.one("body")["class"] == "print-view"
    assert record_id in page.text and "Facts given" in page.text and "Each program, and why" in page.text
    assert page.one("button", class_="usa-button js-print")["hidden"] == ""  # shown by script only
    with client.get("/static/web.css") as response:
        css = response.get_data(as_text=True)
    assert "@media print" in css and 'content: " (" attr(href) ")"' in css
    unsaved = Page(client.post("/print", data={"state": screened_state(client)}).get_data(as_text=True))
    assert "Determination id Not saved" in unsaved.text


def test_checking_a_record_again_under_changed_rules_shows_what_changed_and_why(rules, changed_rules, tmp_path):
    url = f"sqlite:///{tmp_path}/records.sqlite3"
    before = create_app({"RULESET": rules, "DATABASE_URL": url})
    client = before.test_client()
    location = client.post("/save", data={"state": screened_state(client)}).headers["Location"]
    record_id = location.split("/")[2][:36]
    same = Page(client.post(f"/determinations/{record_id}/replay").get_data(as_text=True))
    assert "No program's result has changed." in same.text and "None: the rules in force" in same.text
    before.extensions["eligibility-storage"].dispose()
    after = create_app({"RULESET": changed_rules, "DATABASE_URL": url})
    page = Page(after.test_client().post(f"/determinations/{record_id}/replay").get_data(as_text=True))
    after.extensions["eligibility-storage"].dispose()
    assert "1 program's result has changed." in page.text
    assert "Supplemental Nutrition Assistance Program (SNAP)" in page.text
    assert "us.usda.snap.max_allotment.contiguous.2 546 646" in page.text
    assert page.find("a", href="https://www.fns.usda.gov/snap/allotment/cola/fy26")


def test_page_errors_are_pages_not_json(sqlite_app, monkeypatch):
    client = sqlite_app.test_client()
    assert client.get("/determinations/00000000-0000-4000-8000-000000000000").mimetype == "text/html"

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("api.web.screening.screen", broken)
    response = client.post("/", data=form())
    assert response.status_code == 500
    text = Page(response.get_data(as_text=True)).text
    assert "Something went wrong" in text and response.headers["X-Request-ID"] in text
    assert "secret internal detail" not in response.get_data(as_text=True)


def test_saving_with_the_database_down_says_so_and_keeps_nothing_half_done(rules):
    app = create_app({"RULESET": rules, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"})
    client = app.test_client()
    response = client.post("/save", data={"state": screened_state(client)})
    assert response.status_code == 503
    assert "Saving is not available" in Page(response.get_data(as_text=True)).text


@pytest.mark.parametrize("path", ["/uswds/css/uswds.min.css", "/uswds/fonts/source-sans-pro/"
                                  "sourcesanspro-regular-webfont.woff2", "/uswds/img/usa-icons/launch.svg"])
def test_uswds_is_served_from_the_installed_package(sqlite_app, path):
    with sqlite_app.test_client().get(path) as response:
        assert response.status_code == 200
    with sqlite_app.test_client().get("/uswds/../../package.json") as response:
        assert response.status_code == 404
