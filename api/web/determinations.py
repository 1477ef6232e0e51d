"""The record pages: save (only when asked), open by id, print, and check again under the current rules."""

from __future__ import annotations

import datetime as dt
import json

from flask import abort, current_app, redirect, render_template, request, url_for
from marshmallow import ValidationError

from api.state import current_rules
from api.storage import current_database, records
from api.storage.replay import current_snapshot, replay
from api.web.blueprint import blp, form_post
from api.web.results import facts_view, people_view, programs_view
from api.web.screening import posted_state, settled
from eligibility.screening import screen


@blp.post("/save")
@form_post
def save():
    """Screen the facts again and keep the determination; then show the record."""
    body, _ = posted_state()
    screened = settled(body)
    ruleset = current_rules()
    answer = screen(ruleset, screened["household"], screened["date"], screened.get("programs"), "summary")
    note = request.form.get("note", "").strip()[:2000] or None
    record = records.save(current_database(), ruleset, screened, answer, note)
    return redirect(url_for("web.record", determination_id=record["id"], saved=1), 303)


@blp.post("/print")
@form_post
def print_unsaved():
    """The print view of results not saved."""
    body, _ = posted_state()
    screened = settled(body)
    answer = screen(current_rules(), screened["household"], screened["date"], screened.get("programs"), "summary")
    record = {"id": None, "created_at": None, "date": screened["date"].isoformat(), "note": None,
              "rules": answer["rules"], "household": screened["household"], "answer": answer}
    return print_page(record)


def _record(determination_id: str) -> dict:
    record = records.get(current_database(), determination_id)
    if record is None:
        abort(404, "No determination has this id. It may have been deleted, or the id mistyped.")
    return record


@blp.get("/determinations")
def find_record():
    """Open a saved determination by its id."""
    wanted = request.args.get("id", "").strip()
    return redirect(url_for("web.record", determination_id=wanted or "-"), 303)


@blp.get("/determinations/<determination_id>")
def record(determination_id: str):
    """A saved determination: when and for which day, under which rules, the facts and the answer."""
    found = _record(determination_id)
    ruleset = current_rules()
    programs = programs_view(ruleset, found["answer"])
    return render_template("record.html", record=found, programs=programs,
                           people=people_view(found["answer"], programs),
                           facts=facts_view(ruleset, found["household"]), saved=request.args.get("saved"),
                           state=json.dumps({"date": found["date"], "programs": found["programs"],
                                             "household": found["household"], "skipped": []}))


def print_page(found: dict):
    """The print view of a record (saved or not)."""
    ruleset = current_rules()
    programs = programs_view(ruleset, found["answer"])
    return render_template("print.html", record=found, programs=programs,
                           people=people_view(found["answer"], programs), facts=facts_view(ruleset, found["household"]))


@blp.get("/determinations/<determination_id>/print")
def record_print(determination_id: str):
    """A saved determination on paper."""
    return print_page(_record(determination_id))


@blp.post("/determinations/<determination_id>/replay")
@form_post
def record_replay(determination_id: str):
    """The saved facts screened again under the current rules: what changed, and which rules did."""
    found = _record(determination_id)
    ruleset = current_rules()
    try:
        household = current_app.extensions["eligibility"].household_schema.load(found["household"])
    except ValidationError:
        abort(409, "The saved facts no longer fit the facts the current rules use.")
    digest = found["rules"]["digest"]
    before = (current_snapshot(ruleset) if digest == ruleset.digest
              else records.rules_snapshot(current_database(), digest))
    report = replay(ruleset, found, household, dt.date.fromisoformat(found["date"]), before)
    names = {p.id: p.name for p in ruleset.programs.values()}
    return render_template("replay.html", record=found, report=report, names=names)
