"""Many households in one vectorised simulation, answered one by one in linear time."""

from __future__ import annotations

import datetime as dt

import numpy as np

from eligibility.cliffs import STATUSES, status_codes
from eligibility.explain import criteria_for
from eligibility.household import simulate_valid
from eligibility.missing import missing_for_all
from eligibility.screening import check_request, next_questions

STATUS_NAMES = STATUSES.tolist()

ID_LENGTH = 100


def structure_errors(ruleset, household, max_members: int) -> dict | None:
    """Problems with a household's shape (fields, members, ids); values are checked in conversion."""
    if not isinstance(household, dict):
        return {"_schema": ["Not a valid household: expected an object."]}
    errors: dict = {}
    inputs = ruleset.inputs
    for key in household:
        if key != "members" and (key not in inputs or inputs[key].entity != "household"):
            errors[key] = ["Unknown field."]
    members = household.get("members")
    if not isinstance(members, list) or not members:
        errors["members"] = ["At least one member is required." if isinstance(members, list) or members is None
                             else "Not a valid list."]
        return errors
    if len(members) > max_members:
        errors["members"] = [f"At most {max_members} members."]
        return errors
    seen: set = set()
    for index, member in enumerate(members):
        problems: dict = {}
        if not isinstance(member, dict):
            errors.setdefault("members", {})[index] = {"_schema": ["Invalid input type."]}
            continue
        for key in member:
            if key != "id" and (key not in inputs or inputs[key].entity != "person"):
                problems[key] = ["Unknown field."]
        member_id = member.get("id")
        if member_id is None:
            problems["id"] = ["Missing data for required field."]
        elif not isinstance(member_id, str) or not 1 <= len(member_id) <= ID_LENGTH:
            problems["id"] = [f"Must be a string of 1 to {ID_LENGTH} characters."]
        elif member_id in seen:
            problems["id"] = [f"Duplicate member id {member_id!r}; each member needs its own id."]
        seen.add(member_id)
        if problems:
            errors.setdefault("members", {})[index] = problems
    return errors or None


def screen_many(ruleset, households: list[dict], date: dt.date, programs: list[str] | None = None,
                explain: str = "none", max_members: int = 50) -> list[dict]:
    """Per household, in order: {"index", "result"} or {"index", "error_fields"}; one simulation for all."""
    chosen = check_request(ruleset, date, programs)
    shaped = {i: e for i, h in enumerate(households) if (e := structure_errors(ruleset, h, max_members))}
    candidates = [i for i in range(len(households)) if i not in shaped]
    sim, kept, value_errors = simulate_valid(ruleset, date, [households[i] for i in candidates])
    errors = {**shaped, **{candidates[i]: e for i, e in value_errors.items()}}
    with sim:
        answers = _answers(sim, chosen, [households[candidates[k]] for k in kept], explain)
    results = dict(zip((candidates[k] for k in kept), answers, strict=True))
    return [{"index": i, "result": results[i]} if i in results else {"index": i, "error_fields": errors[i]}
            for i in range(len(households))]


def _answers(sim, programs: list, households: list[dict], explain: str) -> list[dict]:
    """The contract's answer for every household of the simulation, from whole-array results."""
    count = len(households)
    if count == 0:
        return []
    sizes = np.bincount(sim.person_household, minlength=count)
    ends = np.cumsum(sizes).tolist()
    starts = [end - size for end, size in zip(ends, sizes.tolist(), strict=True)]
    columns = {p.id: _program_columns(sim, p) for p in programs}
    ruleset = sim.ruleset
    head = {"date": sim.date.isoformat(), "rules": {"version": ruleset.version, "digest": ruleset.digest}}
    periods = {p.id: (sim.starts[p.period].strftime("%Y-%m") if p.period == "month"
                      else str(sim.starts[p.period].year)) for p in programs}
    all_member_ids = [[str(m.get("id")) for m in household["members"]] for household in households]
    missing = _missing_columns(sim, programs, columns, all_member_ids)
    wording: dict = {}  # each fact path's label and question, for every household's next questions
    answers = []
    for h, member_ids in enumerate(all_member_ids):
        persons = None
        results = {}
        for program in programs:
            codes, amounts, amount_known, member_status, member_category = columns[program.id]
            status = STATUS_NAMES[codes[h]]
            amount = None
            if program.amount and status != "undetermined":
                amount = 0.0 if status == "ineligible" else (amounts[h] if amount_known[h] else None)
            members = None
            if member_status is not None:
                rows = range(starts[h], ends[h])
                members = {m: {"status": member_status[r], "category": member_category[r]}
                           for m, r in zip(member_ids, rows, strict=True)}
            result = {"status": status, "amount": amount, "period": periods[program.id], "members": members}
            if explain != "none":
                persons = np.arange(starts[h], ends[h]) if persons is None else persons
                result["criteria"] = criteria_for(sim, program, h, persons, member_ids)
            result["missing"] = missing[program.id][h]
            results[program.id] = result
        asked = next_questions(ruleset, results, wording) if any(r["missing"] for r in results.values()) else []
        answers.append({**head, "programs": results, "next_questions": asked})
    return answers


def _missing_columns(sim, programs: list, columns: dict, member_ids: list[list[str]]) -> dict:
    """Per program, each household's missing facts (see eligibility/missing.py)."""
    known_masks: dict = {}  # shared by the programs: most read the same facts
    missing = {}
    for program in programs:
        codes, _, amount_known, _, _ = columns[program.id]
        codes = np.asarray(codes)
        needs_amount = ((codes == 1) & ~np.asarray(amount_known, dtype=bool) if program.amount
                        else np.zeros(len(codes), dtype=bool))
        missing[program.id] = missing_for_all(sim, program, codes == 2, needs_amount, member_ids, known_masks)
    return missing


def _program_columns(sim, program):
    """Status codes, amounts and per-member statuses/categories of a program, as Python lists."""
    codes = status_codes(sim, program).tolist()
    amounts, amount_known = None, None
    if program.amount:
        value, known = sim.calculate(program.amount)
        amounts = np.round(value.astype(float), 2).tolist()
        amount_known = [True] * len(amounts) if known is None else known.tolist()
    member_status = member_category = None
    if program.entity == "person":
        value, known = sim.calculate(program.eligible)
        known = np.ones(len(value), bool) if known is None else known
        member_status = STATUSES[np.where(known, value.astype(np.int8), 2)].tolist()
        member_category = [None] * len(member_status)
        if program.category:
            category, category_known = sim.calculate(program.category)
            names = np.asarray(sim.ruleset.variables[program.category].possible_values, dtype=object)
            shown = np.asarray(member_status) == "eligible"
            if category_known is not None:
                shown &= category_known
            member_category = np.where(shown, names[category], None).tolist()
    return codes, amounts, amount_known, member_status, member_category
