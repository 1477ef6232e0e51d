"""The results page: each program's answer with its reasons, people, one question at a time, the cliff chart."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from api.web.chart import axis, cliff_charts, nice_ticks, nice_top
from api.web.labels import STATUS, amount_text, money
from eligibility.screening import screen
from tests.test_web_form import form
from tests.web_support import Page

pytest_plugins = ["tests.determinations_support"]


@pytest.fixture
def client(sqlite_app):
    return sqlite_app.test_client()


def results(client, data=None) -> tuple[Page, dict]:
    response = client.post("/", data=data or form())
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    page = Page(response.get_data(as_text=True))
    return page, json.loads(page.one("input", name="state")["value"] if len(page.find("input", name="state")) == 1
                            else page.find("input", name="state")[0]["value"])


def engine_answer(rules, state: dict) -> dict:
    return screen(rules, state["household"], dt.date.fromisoformat(state["date"]), state["programs"], "summary")


def test_each_program_shows_the_engines_status_amount_and_reasons(client, rules):
    page, state = results(client)
    answer = engine_answer(rules, state)
    for program_id, result in answer["programs"].items():
        section = page.one("section", id=f"program-{program_id}")
        assert section
        assert rules.programs[program_id].name in page.text
        if result["amount"] is not None:
            assert amount_text(result["amount"], result["period"]) in page.text
        for criterion in result["criteria"]:
            assert criterion["explanation"] in page.text
            for reference in criterion["reference"]:
                assert page.find("a", href=reference["href"]), reference
    assert "$483 a month (November 2025)" in page.text  # SNAP for the worked example


def test_each_person_has_a_result_in_the_programs_decided_person_by_person(client):
    page, _ = results(client)
    table = page.text[page.text.index("Each person's result"):]
    assert "alex" in table and "sam" in table
    assert "Eligible Free" in table  # sam gets free school meals: status and category


def test_the_state_carried_to_the_next_page_is_the_facts_as_the_api_takes_them(client, rules):
    _, state = results(client)
    assert state["household"]["members"][0] == {"id": "alex", "age": 34, "relationship": "head",
                                                "earned_income": 1450, "unearned_income": 0, "is_disabled": False}
    assert state["household"]["assets"] == 800 and state["household"]["is_homeless"] is False
    assert "receives_snap" not in state["household"]  # not given: unknown
    api = client.post("/v1/screen", json={"date": state["date"], "household": state["household"]}).json
    assert api == json.loads(json.dumps(engine_answer(rules, state)))


def answer_page(client, page: Page, action: str = "answer", value: str | None = None):
    question = page.one("input", name="fact")["value"]
    data = {"state": page.find("input", name="state")[0]["value"], "fact": question, "action": action}
    if value is not None:
        data["answer"] = value
    return client.post("/answer", data=data)


def test_questions_come_one_at_a_time_in_the_engines_order(client, rules):
    page, state = results(client)
    answer = engine_answer(rules, state)
    first = answer["next_questions"][0]
    assert page.one("input", name="fact")["value"] == first["fact"]
    assert first["question"] in page.text
    assert len(page.find("input", name="fact")) == 1
    skipped = Page(answer_page(client, page, "skip").get_data(as_text=True))
    assert skipped.one("input", name="fact")["value"] == answer["next_questions"][1]["fact"]
    assert "1 skipped" in skipped.text


def test_answering_every_question_settles_every_program(client, rules):
    page, _ = results(client, {k: v for k, v in form().items() if k != "household.assets"})
    assert "Needs more information" in page.text
    for _ in range(40):
        if not page.find("input", name="fact"):
            break
        field = page.one(id="f-answer")
        value = "no" if field["tag"] == "select" and "no" in _options(page) else (
            _options(page)[1] if field["tag"] == "select" else "0")
        response = answer_page(client, page, value=value)
        assert response.status_code == 200
        page = Page(response.get_data(as_text=True))
    assert "Every program is settled." in page.text
    state = json.loads(page.find("input", name="state")[0]["value"])
    assert {r["status"] for r in engine_answer(rules, state)["programs"].values()} <= {"eligible", "ineligible"}


def _options(page: Page) -> list[str]:
    start = page.elements.index(page.one(id="f-answer"))
    options = []
    for element in page.elements[start + 1:]:
        if element["tag"] != "option":
            break
        options.append(element["value"])
    return options


def test_a_blank_or_invalid_answer_is_shown_beside_the_question(client):
    page, _ = results(client)
    fact = page.one("input", name="fact")["value"]
    blank = answer_page(client, page, value="")
    assert blank.status_code == 422
    blank_page = Page(blank.get_data(as_text=True))
    assert "Enter an answer, or choose “Skip this question”" in blank_page.text
    assert blank_page.one("input", name="fact")["value"] == fact
    while page.one(id="f-answer")["tag"] == "select":  # on to a question answered with a number
        page = Page(answer_page(client, page, "skip").get_data(as_text=True))
    response = answer_page(client, page, value="-5")
    assert response.status_code == 422
    invalid = Page(response.get_data(as_text=True))
    assert "Enter 0 or more." in invalid.text
    assert invalid.one(id="f-answer")["aria-invalid"] == "true"
    assert invalid.one(id="f-answer")["value"] == "-5"


def test_skipping_everything_leaves_a_way_back_to_the_questions(client):
    page, _ = results(client)
    for _ in range(40):
        if not page.find("input", name="fact"):
            break
        page = Page(answer_page(client, page, "skip").get_data(as_text=True))
    assert "No more questions" in page.text
    again = client.post("/answer", data={"state": page.find("input", name="state")[0]["value"],
                                         "action": "ask-again"})
    assert Page(again.get_data(as_text=True)).find("input", name="fact")


def test_a_tampered_page_is_a_400_page_not_a_crash(client):
    response = client.post("/answer", data={"state": "{not json", "fact": "household.assets", "answer": "1"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "start the screening again" in Page(response.get_data(as_text=True)).text
    bad_facts = json.dumps({"date": "2025-11-15", "household": {"members": [{"id": "a", "age": "old"}]}})
    back = client.post("/save", data={"state": bad_facts})
    assert back.status_code == 422
    assert Page(back.get_data(as_text=True)).one("input", name="members.0.age")["aria-invalid"] == "true"


def test_changing_the_facts_goes_back_to_the_filled_form(client):
    page, _ = results(client)
    edit = Page(client.post("/edit", data={"state": page.find("input", name="state")[0]["value"]})
                .get_data(as_text=True))
    assert edit.one("input", name="members.0.earned_income")["value"] == "1450"
    assert edit.one("input", name="household.assets")["value"] == "800"
    assert edit.form_fields()["household.is_homeless"] == "no"
    assert edit.form_fields()["members.1.relationship"] == "child"


def test_the_cliff_chart_is_drawn_on_the_server_for_earned_income(client, rules):
    page, state = results(client)
    svgs = page.find("svg")
    assert len(svgs) == len(rules.programs)
    assert all(svg["role"] == "img" and svg["aria-describedby"] for svg in svgs)
    assert "alex’s monthly earnings" in page.text
    assert "the dashed line marks the $1,450 a month given now" in page.text
    snap = screen(rules, state["household"], dt.date.fromisoformat(state["date"]), None, "none",
                  vary={"fact": "members.alex.earned_income", **axis(1450)})["vary"]["programs"]["snap"]
    assert snap["cliffs"]
    for cliff in snap["cliffs"]:
        before, after = (STATUS[cliff[k]].lower() for k in ("from_status", "to_status"))
        assert f"At {money(cliff['at'])} a month: {before} becomes {after}" in page.text
    assert page.find("line", class_="chart__cliff")


def test_chart_axes_are_round_numbers():
    assert axis(None) == {"from": 0, "to": 4000.0, "step": 40.0}
    assert axis(3100)["to"] == 6500
    assert nice_ticks(4000) == [0, 1000, 2000, 3000, 4000]
    assert nice_top(9.25) == 10 and nice_top(546) == 600 and nice_top(0) == 1.0


def test_a_chart_marks_each_stretch_and_cliff_in_words():
    vary = {"points": [0.0, 100.0, 200.0, 300.0], "programs": {"snap": {
        "status": ["eligible", "eligible", "ineligible", "ineligible"], "amount": [300.0, 250.0, 0.0, 0.0],
        "cliffs": [{"at": 200.0, "from_status": "eligible", "to_status": "ineligible", "amount_before": 250.0,
                    "amount_after": 0.0}]}}}
    programs = [{"id": "snap", "name": "SNAP", "pays": True, "period": "2025-11"}]
    [chart] = cliff_charts(vary, programs, "alex", 100.0)["charts"]
    assert chart["sentences"] == ["Earning a month $0 to $100: eligible; $200 to $300: not eligible.",
                                  "At $200 a month: eligible becomes not eligible, the amount falls from $250 to $0 "
                                  "a month."]
    assert [b["status"] for b in chart["bands"]] == ["eligible", "ineligible"]
    assert chart["marker"] == round(chart["left"] + (chart["right"] - chart["left"]) / 3, 1)
    # A step line: $300 (the top of the axis), $250 from $100, $0 from $200.
    assert chart["lines"] == ["M72.0,12.0 H254.7 V28.0 H437.3 V108.0 H620.0 V108.0 H620.0"]
