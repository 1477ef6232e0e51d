"""Compare baseline and reformed rules for households, and list rule changes between two dates."""

from __future__ import annotations

import datetime as dt

import numpy as np

from eligibility import parameters as params
from eligibility.cliffs import STATUSES, status_codes
from eligibility.errors import InputError
from eligibility.screening import check_request


def _answers(ruleset, households: list[dict], date: dt.date, programs: list) -> dict:
    """Per program: status names and amounts (None when unknown or not paid) for every household."""
    try:
        sim = ruleset.simulate(date, households)
    except InputError as error:
        raise InputError({"households": error.errors} if len(households) > 1 else
                         {"household": error.errors}) from None
    result = {}
    with sim:
        for program in programs:
            codes = status_codes(sim, program)
            amounts = [None] * len(codes)
            if program.amount:
                value, known = sim.calculate(program.amount)
                known = np.ones(len(value), bool) if known is None else known
                amounts = [0.0 if c == 0 else (round(float(v), 2) if c == 1 and k else None)
                           for c, v, k in zip(codes, value, known, strict=True)]
            result[program.id] = (STATUSES[codes].tolist(), amounts)
    return result


def compare(base, reformed, households: list[dict], date: dt.date, programs: list[str] | None = None) -> dict:
    """Baseline and reform status and amount per household and program, with a summary."""
    chosen = check_request(base, date, programs)
    before = _answers(base, households, date, chosen)
    after = _answers(reformed, households, date, [reformed.programs[p.id] for p in chosen])
    rows = []
    for h in range(len(households)):
        row = {}
        for program in chosen:
            (b_status, b_amount), (a_status, a_amount) = ((before[program.id][0][h], before[program.id][1][h]),
                                                          (after[program.id][0][h], after[program.id][1][h]))
            change = None if b_amount is None or a_amount is None else round(a_amount - b_amount, 2)
            row[program.id] = {"baseline": {"status": b_status, "amount": b_amount},
                               "reform": {"status": a_status, "amount": a_amount}, "change": change}
        rows.append(row)
    return {
        "date": date.isoformat(),
        "rules": {"version": base.version, "digest": base.digest},
        "reform": {"label": reformed.reform_label, "digest": reformed.reform_digest},
        "households": rows,
        "summary": summarise(rows, [p.id for p in chosen]),
    }


def summarise(rows: list[dict], program_ids: list[str]) -> dict:
    """Per program: newly eligible, newly ineligible, unchanged, total and mean change of amounts."""
    summary = {}
    for pid in program_ids:
        entries = [row[pid] for row in rows]
        changes = [e["change"] for e in entries if e["change"] is not None]
        summary[pid] = {
            "households": len(entries),
            "newly_eligible": sum(e["baseline"]["status"] != "eligible" and e["reform"]["status"] == "eligible"
                                  for e in entries),
            "newly_ineligible": sum(e["baseline"]["status"] == "eligible" and e["reform"]["status"] != "eligible"
                                    for e in entries),
            "unchanged": sum(e["baseline"] == e["reform"] for e in entries),
            "total_change": round(float(sum(changes)), 2),
            "mean_change": round(float(np.mean(changes)), 2) if changes else None,
        }
    return summary


def _value_on(parameter, day: dt.date):
    return params.value_at(parameter, day.isoformat())


def rule_changes(ruleset, start: dt.date, end: dt.date) -> dict:
    """Parameters whose value differs between two dates, and formulas dated in between."""
    if end < start:
        raise InputError({"to": ["Must be on or after `from`."]}, "Invalid date range.")
    changed = []
    for path in sorted(ruleset.parameter_files):
        node = params.find(ruleset.parameters, path)
        for leaf in params.leaves(node):
            old, new = _value_on(leaf, start), _value_on(leaf, end)
            if old != new:
                # A table's entries carry no metadata of their own: the file's applies to all of them.
                metadata = {**(getattr(node, "metadata", None) or {}), **(leaf.metadata or {})}
                changed.append({"path": leaf.name, "from": old, "to": new,
                                "label": metadata.get("label") or getattr(node, "description", None),
                                "reference": metadata.get("reference", [])})
    formulas = []
    for name, variable in ruleset.variables.items():
        for formula in variable.formulas:
            if start < formula.start <= end:
                formulas.append({"variable": name, "start": formula.start.isoformat(), "formula": formula.text,
                                 "reference": variable.reference})
    return {"from": start.isoformat(), "to": end.isoformat(), "parameters": changed, "variables": formulas}
