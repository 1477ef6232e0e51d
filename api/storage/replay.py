"""Re-screen a saved determination under the current rules: what changed in the answer, and which rules."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from api.storage.snapshots import differences, snapshot
from eligibility.screening import screen


@lru_cache(maxsize=4)
def current_snapshot(ruleset) -> dict:
    """The snapshot of a loaded rule set (rule sets are immutable, so one per object)."""
    return snapshot(ruleset)


def replay(ruleset, record: dict, household: dict, day: dt.date, before_rules: dict | None) -> dict:
    """The record's facts screened on `day` under `ruleset`, compared with the saved answer.

    `before_rules` is the stored snapshot of the rules that made the record (None if unknown): the rule
    changes listed are those between those rules on the day then screened for and `ruleset` on `day`.
    """
    asked = record["programs"]
    kept = None if asked is None else [p for p in asked if p in ruleset.programs]
    answer = screen(ruleset, household, day, kept, record["explain"])
    then = dt.date.fromisoformat(record["date"])
    changes, unchanged = answer_changes(record["answer"], answer)
    rules = None
    if before_rules is not None:
        rules = differences(before_rules, then, current_snapshot(ruleset), day)
    return {
        "id": record["id"],
        "date": answer["date"],
        "rules": answer["rules"],
        "original": {"date": record["date"], "rules": record["rules"], "created_at": record["created_at"]},
        "rules_changed": record["rules"]["digest"] != ruleset.digest,
        "changed": bool(changes),
        "changes": changes,
        "unchanged": unchanged,
        "rule_changes": rules,
        "answer": answer,
    }


def _members(result: dict | None) -> dict:
    return (result or {}).get("members") or {}


def answer_changes(before: dict, after: dict) -> tuple[list, list]:
    """Per program whose status, amount or member results differ: from and to; and the unchanged ids."""
    old, new = before["programs"], after["programs"]
    changes, unchanged = [], []
    for program in [*old, *(p for p in new if p not in old)]:
        was, now = old.get(program), new.get(program)
        members = {}
        for member in [*_members(was), *(m for m in _members(now) if m not in _members(was))]:
            a, b = _members(was).get(member), _members(now).get(member)
            if a != b:
                members[member] = {"from": a, "to": b}
        status = {"from": was and was["status"], "to": now and now["status"]}
        amount = {"from": was and was["amount"], "to": now and now["amount"]}
        if status["from"] != status["to"] or amount["from"] != amount["to"] or members:
            changes.append({"program": program, "status": status, "amount": amount, "members": members or None})
        else:
            unchanged.append(program)
    return changes, unchanged
