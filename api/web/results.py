"""An answer as the results pages show it: per program, per member, and the next question to ask."""

from __future__ import annotations

from api.web.forms import Field, as_text, fact_field
from api.web.labels import RESULT, STATUS, amount_text, choice_label, money


def split_path(path: str) -> tuple[str | None, str]:
    """`household.assets` is (None, "assets"); `members.<id>.age` is (id, "age")."""
    if path.startswith("household."):
        return None, path[len("household."):]
    member, _, fact = path[len("members."):].rpartition(".")
    return member, fact


def fact_label(ruleset, path: str) -> str:
    """A fact path in words: "Countable resources (cash, bank accounts)", "Age in whole years (Maria)"."""
    member, fact = split_path(path)
    variable = ruleset.inputs.get(fact)
    label = variable.label if variable else fact
    return label if member is None else f"{label} ({member})"


def program_view(ruleset, program_id: str, result: dict) -> dict:
    """One program's result: status, amount, criteria (household ones, then each member's), members."""
    program = ruleset.programs.get(program_id)
    criteria, by_member = [], {}
    for criterion in result.get("criteria") or []:
        shown = {**criterion, "result_label": RESULT[criterion["result"]]}
        if criterion.get("member") is None:
            criteria.append(shown)
        else:
            by_member.setdefault(criterion["member"], []).append(shown)
    members = []
    category_fact = program.category if program else None
    for member_id, outcome in (result.get("members") or {}).items():
        category = outcome.get("category")
        members.append({"id": member_id, "status": outcome["status"], "status_label": STATUS[outcome["status"]],
                        "category": choice_label(category_fact or "", category) if category else None})
    headroom = result.get("headroom")
    return {
        "id": program_id,
        "name": program.name if program else program_id,
        "agency": program.agency if program else None,
        "pays": bool(program and program.amount),
        "status": result["status"],
        "status_label": STATUS[result["status"]],
        "amount": amount_text(result["amount"], result["period"]) if result["amount"] is not None else None,
        "period": result["period"],
        "criteria": criteria,
        "member_criteria": by_member,
        "members": members,
        "missing": [fact_label(ruleset, path) for path in result.get("missing", [])],
        "headroom": None if not headroom else {
            "member": headroom["member"], "amount": money(headroom["monthly_earned_income"]),
            "at_least": headroom["at_least"]},
    }


def programs_view(ruleset, answer: dict) -> list[dict]:
    """Every program screened, in the answer's order."""
    return [program_view(ruleset, pid, result) for pid, result in answer["programs"].items()]


def people_view(answer: dict, programs: list[dict]) -> dict:
    """Per member, their result in each program decided person by person (a table's rows and columns)."""
    columns = [p for p in programs if p["members"]]
    rows: dict[str, dict] = {}
    for program in columns:
        for member in program["members"]:
            rows.setdefault(member["id"], {})[program["id"]] = member
    return {"columns": columns, "rows": rows}


def next_question(ruleset, answer: dict, household: dict, skipped: list[str], value: str = "",
                  errors: list | None = None) -> dict | None:
    """The first of `next_questions` not skipped, with its input; None when there is nothing left to ask."""
    remaining = [q for q in answer["next_questions"] if q["fact"] not in skipped]
    if not remaining:
        return None
    question = remaining[0]
    member, fact = split_path(question["fact"])
    variable = ruleset.inputs[fact]
    current = household.get(fact) if member is None else next(
        (m.get(fact) for m in household["members"] if str(m.get("id")) == member), None)
    field: Field = fact_field(variable, "answer", value or as_text(current), errors)
    field.label = question["question"] or question["label"]
    if member is not None:
        field.label = f"{field.label} ({member})"
    names = [ruleset.programs[p].name if p in ruleset.programs else p for p in question["programs"]]
    return {"fact": question["fact"], "field": field, "about": question["label"], "member": member,
            "programs": names, "remaining": len(remaining), "skipped": len(skipped)}


def apply_answer(household: dict, path: str, value) -> dict:
    """A copy of the household with the fact at `path` set (the member is found by id)."""
    member, fact = split_path(path)
    copy = {**household, "members": [dict(m) for m in household["members"]]}
    if member is None:
        copy[fact] = value
    else:
        for row in copy["members"]:
            if str(row.get("id")) == member:
                row[fact] = value
    return copy


def facts_view(ruleset, household: dict) -> dict:
    """The given facts in words: the household's, then each member's (for the record and print pages)."""
    def shown(name, value):
        variable = ruleset.inputs.get(name)
        label = variable.label if variable else name
        if value is True or value is False:
            text = "Yes" if value else "No"
        elif variable is not None and variable.value_type == "enum":
            text = choice_label(name, str(value))
        elif variable is not None and variable.unit == "currency-USD":
            text = money(value)
        else:
            text = as_text(value)
        return label, text

    facts = [shown(n, v) for n, v in household.items() if n != "members" and v is not None]
    members = [{"id": m.get("id"), "facts": [shown(n, v) for n, v in m.items() if n != "id" and v is not None]}
               for m in household.get("members", [])]
    return {"household": facts, "members": members}
