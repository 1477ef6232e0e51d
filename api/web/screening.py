"""The screening pages: the household form, the results, and the follow-up questions one at a time.

Every page works without JavaScript. Facts travel between pages in a hidden field and are checked
again by the API's own schema on every post; nothing is stored here (saving is in api/web/determinations.py).
"""

from __future__ import annotations

import datetime as dt
import json

from flask import abort, render_template, request
from marshmallow import ValidationError

from api.schemas.screen import ScreenRequestSchema
from api.state import current_rules
from api.web import labels
from api.web.blueprint import blp, form_post
from api.web.chart import axis, cliff_charts
from api.web.forms import UNKNOWN, FormState, field_errors, form_view, parse
from api.web.results import apply_answer, next_question, people_view, programs_view, split_path
from eligibility.cliffs import headroom_member
from eligibility.errors import InputError
from eligibility.screening import screen

ANSWER_NEEDED = "Enter an answer, or choose “Skip this question” if it is not known."


def default_date(ruleset, today: dt.date | None = None) -> dt.date:
    """Today, or the nearest day every program models (the form says which range that is)."""
    today = today or dt.date.today()
    start = max(p.start for p in ruleset.programs.values())
    end = min(p.end for p in ruleset.programs.values())
    if start > end:
        return today
    return min(max(today, start), end)


def validate(body: dict) -> tuple[dict | None, dict]:
    """The API's own check of a screening request: (request, {}) or (None, errors by form field)."""
    try:
        return ScreenRequestSchema().load(body), {}
    except ValidationError as error:
        return None, field_errors(error.messages)


def form_page(state: FormState, errors: dict | None = None, status: int = 200):
    """The household form, with the errors found (if any)."""
    ruleset = current_rules()
    view = form_view(state, ruleset, errors)
    ranges = [(p.name, labels.long_date(p.start), labels.long_date(p.end)) for p in ruleset.programs.values()]
    return render_template("household.html", form=view, ranges=ranges, focus=request.form.get("focus")), status


def state_json(screened: dict, skipped: list[str]) -> str:
    """The facts as the hidden field carries them to the next page."""
    return json.dumps({"date": screened["date"].isoformat(), "programs": screened.get("programs"),
                       "household": screened["household"], "skipped": skipped})


def posted_state() -> tuple[dict, list[str]]:
    """The request body and skipped questions carried in the hidden field (checked again by the caller)."""
    try:
        state = json.loads(request.form.get("state", ""))
        household = state["household"]
        skipped = [str(s) for s in state.get("skipped") or []]
    except (ValueError, KeyError, TypeError, AttributeError):
        abort(400, "The page's facts were lost; please start the screening again.")
    body = {"explain": "summary", "household": household}
    for key in ("date", "programs"):
        if state.get(key) is not None:
            body[key] = state[key]
    return body, skipped


def earnings_axis(household: dict) -> tuple[str, float | None, dict] | None:
    """Whose earnings the cliff chart varies (the highest earner, else the head), and the axis."""
    members = household["members"]
    index = headroom_member(household)
    if index is None:
        index = next((i for i, m in enumerate(members) if m.get("relationship") == "head"), 0)
    member_id = str(members[index]["id"])
    if "." in member_id:  # a fact path could not name this member
        return None
    current = members[index].get("earned_income")
    return member_id, current, {"fact": f"members.{member_id}.earned_income", **axis(current)}


def results_page(screened: dict, skipped: list[str], value: str = "", errors: list | None = None,
                 status: int = 200):
    """The answer for validated facts: summary, next question, programs, people, cliff chart."""
    ruleset = current_rules()
    household = screened["household"]
    chosen = earnings_axis(household)
    try:
        answer = screen(ruleset, household, screened["date"], screened.get("programs"), "summary",
                        vary=chosen[2] if chosen else None)
    except InputError as error:
        return form_page(FormState.from_request(screened), field_errors(error.errors), 422)
    vary = answer.pop("vary", None)
    programs = programs_view(ruleset, answer)
    chart = cliff_charts(vary, programs, chosen[0], chosen[1]) if vary else None
    question = next_question(ruleset, answer, household, skipped, value, errors)
    unsettled = [p for p in programs if p["status"] == "undetermined"]
    return render_template(
        "results.html", answer=answer, programs=programs, people=people_view(answer, programs),
        question=question, unsettled=unsettled, chart=chart, skipped=skipped,
        state=state_json(screened, skipped), date=screened["date"]), status


class FactsRefused(Exception):
    """Carried facts that no longer pass the schema (a page edited by hand, or rules that changed)."""

    def __init__(self, body: dict, errors: dict):
        super().__init__("facts refused")
        self.body, self.errors = body, errors


@blp.errorhandler(FactsRefused)
def back_to_the_form(error: FactsRefused):
    """Show the form with the facts and what is wrong with them."""
    return form_page(FormState.from_request(error.body), error.errors, 422)


def settled(body: dict) -> dict:
    """The carried facts, checked by the API's schema again (a page can be edited by hand)."""
    screened, errors = validate(body)
    if errors:
        raise FactsRefused(body, errors)
    return screened


@blp.get("/")
def home():
    """A blank household form for today (or the nearest day the rules model)."""
    state = FormState(date=default_date(current_rules()).isoformat())
    return form_page(state)


@blp.post("/")
@form_post
def household_form():
    """Add or remove a person, or screen the household as typed."""
    ruleset = current_rules()
    state = FormState.from_form(request.form, ruleset)
    action = request.form.get("action", "screen")
    if action == "add-member":
        state.members.append({})
        return form_page(state)
    if action.startswith("remove-member:"):
        index = action.partition(":")[2]
        if index.isdigit() and int(index) < len(state.members) and len(state.members) > 1:
            state.members.pop(int(index))
        return form_page(state)
    screened, errors = validate(state.to_request(ruleset))
    if errors:
        return form_page(state, errors, 422)
    return results_page(screened, [])


@blp.post("/edit")
@form_post
def edit():
    """Back to the form with the facts so far."""
    body, _ = posted_state()
    return form_page(FormState.from_request(body))


@blp.post("/answer")
@form_post
def answer_question():
    """Record the answer to the follow-up question (or skip it) and screen again."""
    ruleset = current_rules()
    body, skipped = posted_state()
    screened = settled(body)
    fact = request.form.get("fact", "")
    action = request.form.get("action", "answer")
    if action == "ask-again":
        return results_page(screened, [])
    if action == "skip":
        return results_page(screened, [*skipped, fact])
    member, name = split_path(fact)
    variable = ruleset.inputs.get(name)
    if variable is None:
        abort(400, "That question is not one the rules ask.")
    text = request.form.get("answer", "")
    value = parse(variable, text)
    if value is UNKNOWN:
        return results_page(screened, skipped, text, [ANSWER_NEEDED], 422)
    body["household"] = apply_answer(body["household"], fact, value)
    answered, errors = validate(body)
    if errors:
        index = next((i for i, m in enumerate(body["household"]["members"]) if str(m.get("id")) == member), None)
        key = f"household.{name}" if member is None else f"members.{index}.{name}"
        return results_page(screened, skipped, text, errors.get(key) or sum(errors.values(), []), 422)
    return results_page(answered, [s for s in skipped if s != fact])
