"""Answer a screening request in the contract's shape: status, amount, criteria, missing facts."""

from __future__ import annotations

import datetime as dt

import numpy as np

from eligibility.cliffs import headroom, headroom_simulation, status_of, vary_axis
from eligibility.errors import DateOutOfRange, InputError
from eligibility.explain import criteria_for
from eligibility.simulation import Simulation
from eligibility.trace import trace_program

EXPLAIN_LEVELS = ("none", "summary", "trace")


def check_request(ruleset, date: dt.date, programs: list[str] | None) -> list:
    """The programs asked for, or a 422-worthy error naming unknown ids or an unmodelled date."""
    known = list(ruleset.programs)
    asked = known if programs is None else list(programs)
    unknown = [p for p in asked if p not in ruleset.programs]
    if unknown:
        raise InputError({"programs": [f"Unknown program {p!r}; known programs: {', '.join(known)}."
                                       for p in unknown]}, "Unknown program id.")
    outside = [ruleset.programs[p] for p in asked if not ruleset.programs[p].covers(date)]
    if outside:
        ranges = "; ".join(f"{p.id}: {p.start} to {p.end}" for p in outside)
        raise DateOutOfRange(f"{date} is outside the modelled range ({ranges}).",
                             {"date": [f"{date} is outside the range modelled ({ranges})."]})
    return [ruleset.programs[p] for p in asked]


def screen(ruleset, household: dict, date: dt.date, programs: list[str] | None = None,
           explain: str = "summary", vary: dict | None = None) -> dict:
    """Screen one household (contract JSON) for the programs asked, on `date`."""
    chosen = check_request(ruleset, date, programs)
    try:
        sim = ruleset.simulate(date, [household])
    except InputError as error:
        raise InputError({"household": error.errors}) from None
    with sim:
        result = answer(sim, chosen, 0, household, explain)
        if explain != "none":
            add_headroom(sim, household, chosen, result)
        if vary is not None:
            result["vary"] = vary_axis(sim, household, chosen, vary)
    return result


def add_headroom(sim: Simulation, household: dict, programs: list, result: dict) -> None:
    """`headroom` on each eligible monthly program of the answer, from one simulation of raised earnings."""
    eligible = [p for p in programs if p.period == "month" and result["programs"][p.id]["status"] == "eligible"]
    raised, member = headroom_simulation(sim, household) if eligible else (None, None)
    if raised is None:
        return
    member_id = str(household["members"][member].get("id"))
    with raised:
        for program in eligible:
            room = headroom(raised, program, member_id)
            if room is not None:
                result["programs"][program.id]["headroom"] = room


def answer(sim: Simulation, programs: list, h: int, household: dict, explain: str, persons=None) -> dict:
    """The contract's response for household `h` of a simulation (`persons`: its members' rows)."""
    member_ids = [str(m.get("id")) for m in household.get("members", [])]
    if persons is None:
        persons = np.flatnonzero(sim.person_household == h)
    results = {}
    for program in programs:
        results[program.id] = program_result(sim, program, h, persons, member_ids, explain)
    ruleset = sim.ruleset
    return {
        "date": sim.date.isoformat(),
        "rules": {"version": ruleset.version, "digest": ruleset.digest},
        "programs": results,
        "next_questions": next_questions(ruleset, results),
    }


def program_result(sim: Simulation, program, h: int, persons, member_ids, explain: str) -> dict:
    """One program's answer for household `h`."""
    members = None
    if program.entity == "person":
        values, knowns = sim.member_items(program.eligible, persons)
        categories, category_known = (sim.member_items(program.category, persons) if program.category
                                      else (None, [False] * len(values)))
        category_names = sim.ruleset.variables[program.category].possible_values if program.category else ()
        members = {}
        for i, member_id in enumerate(member_ids):
            status = status_of(values[i], knowns[i])
            # A category is shown only when the facts settle it: never a guess from filler values.
            shown = status == "eligible" and categories is not None and category_known[i]
            members[member_id] = {"status": status,
                                  "category": category_names[categories[i]] if shown else None}
        any_true = any(v and k for v, k in zip(values, knowns, strict=True))
        status = "eligible" if any_true else ("ineligible" if all(knowns) else "undetermined")
    else:
        value, known = sim.household_item(program.eligible, h)
        status = status_of(bool(value), known)
    amount = None
    if program.amount and status != "undetermined":
        value, known = sim.household_item(program.amount, h)
        amount = float(np.round(value, 2)) if known else (0.0 if status == "ineligible" else None)
        if status == "ineligible":
            amount = 0.0
    start = sim.starts[program.period]
    result = {
        "status": status,
        "amount": amount,
        "period": f"{start.year:04d}-{start.month:02d}" if program.period == "month" else str(start.year),
        "members": members,
    }
    if explain != "none":
        result["criteria"] = criteria_for(sim, program, h, persons, member_ids)
    if explain == "trace":
        result["trace"] = trace_program(sim, program, h, persons, member_ids)
    needs_amount = program.amount and status == "eligible" and amount is None
    result["missing"] = missing_facts(sim, program, h, persons, member_ids,
                                      status == "undetermined", needs_amount)
    return result


def missing_facts(sim: Simulation, program, h, persons, member_ids, undetermined, needs_amount) -> list:
    """Unknown input facts reachable from the unsettled answer through unknown variables only."""
    roots = ([program.eligible] if undetermined else []) + ([program.amount] if needs_amount else [])
    if not roots:
        return []
    variables = sim.ruleset.variables
    seen, todo, facts = set(), list(roots), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        variable = variables[name]
        if variable.entity == "household":
            all_known = sim.household_item(name, h)[1]
        else:
            all_known = all(sim.member_knowns(name, persons))
        if not all_known:
            if variable.is_input:
                if name not in sim.ruleset.override_facts:
                    facts.add(name)
            else:
                todo.extend(variable.dependencies)
    paths = []
    for name in sim.ruleset.inputs:  # declaration order: the order questions are asked in
        if name not in facts:
            continue
        if variables[name].entity == "household":
            paths.append(f"household.{name}")
        else:
            knowns = sim.member_knowns(name, persons)
            paths.extend(f"members.{member_id}.{name}" for member_id, known in zip(member_ids, knowns, strict=True)
                         if not known)
    return paths


def next_questions(ruleset, results: dict, wording: dict | None = None) -> list:
    """Unknown facts across programs, the one that reaches the most undetermined programs first.

    `wording` keeps each path's (label, question) across the households of a batch.
    """
    reach: dict[str, list] = {}
    for program_id, result in results.items():
        for path in result["missing"]:
            reach.setdefault(path, []).append(program_id)
    ranked = sorted(reach, key=lambda p: -len(reach[p]))  # stable: ties keep the order they were met in
    wording = {} if wording is None else wording
    questions = []
    for path in ranked:
        words = wording.get(path)
        if words is None:
            variable = ruleset.variables[path.rsplit(".", 1)[-1]]
            words = wording[path] = (variable.label, variable.question)
        questions.append({"fact": path, "label": words[0], "question": words[1], "programs": reach[path]})
    return questions
