"""Every program explains itself: readable sentences, and questions that settle every program."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from eligibility.explain import FIELD, alternatives, render
from eligibility.screening import screen

DATE = dt.date(2025, 11, 15)
CHILD = {"relationship": "child", "earned_income": 0, "unearned_income": 0}
PERSON_TRUTH = {"age": 34, "relationship": "head", "earned_income": 1450, "unearned_income": 120,
                "is_disabled": False, "is_pregnant": False, "is_breastfeeding": False, "is_student": False,
                "months_postpartum": 12, "expected_babies": 0}
TRUTHS = [
    {"state": "CA", "members": [PERSON_TRUTH]},
    {"state": "TX", "members": [{**PERSON_TRUTH, "age": 70, "earned_income": 0, "unearned_income": 1100}]},
    {"state": "AK", "alaska_area": "rural_1",
     "members": [{**PERSON_TRUTH, "earned_income": 4200},
                 {**PERSON_TRUTH, **CHILD, "age": 4}]},
    {"state": "NY", "is_homeless": True,
     "members": [{**PERSON_TRUTH, "age": 24, "is_pregnant": True, "expected_babies": 1, "earned_income": 0},
                 {**PERSON_TRUTH, **CHILD, "age": 9}]},
]
HOUSEHOLD_TRUTH = {"shelter_costs": 900, "utility_costs": 160, "dependent_care_costs": 0,
                   "child_support_paid": 0, "medical_expenses": 0, "assets": 600, "is_homeless": False,
                   "receives_snap": False,
                   "receives_tanf": False, "receives_ssi": False, "receives_medicaid": False,
                   "filing_status": "single", "investment_income": 0, "alaska_area": "urban"}
RAW_NUMBER = re.compile(r"(?<![\d,.$])\d{4,}(?![\d,])|\d+\.\d{3,}")


def _truth(household: dict, rules) -> dict:
    """The household with every input fact the rules know given (a concrete answer to any question)."""
    complete = {**HOUSEHOLD_TRUTH, **household}
    for name, variable in rules.inputs.items():
        if name in rules.override_facts:
            continue  # optional overrides (e.g. a yearly figure instead of monthly x 12) stay unsaid
        if variable.entity == "household" and name not in complete:
            complete[name] = False if variable.value_type == "bool" else (
                variable.possible_values[0] if variable.value_type == "enum" else 0)
    members = []
    for i, member in enumerate(household["members"]):
        full = {"id": f"m{i}", **PERSON_TRUTH, **member}
        for name, variable in rules.inputs.items():
            if variable.entity == "person" and name not in full and name not in rules.override_facts:
                full[name] = False if variable.value_type == "bool" else 0
        members.append(full)
    complete["members"] = members
    return complete


def _sentences_are_readable(text: str, rules) -> list[str]:
    problems = []
    if "None" in text or "nan" in text.lower().split() or "{" in text or "}" in text:
        problems.append("None/nan/unfilled field")
    for word in re.findall(r"[a-z]+(?:_[a-z0-9]+)+", text):
        if word in rules.variables:
            problems.append(f"raw variable name {word}")
    if RAW_NUMBER.search(text):
        problems.append(f"unformatted number {RAW_NUMBER.search(text).group()}")
    return problems


@pytest.mark.parametrize("index", range(len(TRUTHS)))
def test_every_criterion_sentence_reads_well_in_every_outcome(rules, index):
    truth = _truth(TRUTHS[index], rules)
    sim = rules.simulate(DATE, [truth])
    for program in rules.programs.values():
        for criterion in program.criteria:
            for key in ("pass", "fail", "unknown"):
                for alternative in alternatives(criterion.get(key)):
                    names = [m.group(1) for m in FIELD.finditer(alternative["text"])]
                    values = {}
                    for name in names:
                        value, known = sim.calculate(name)
                        values[name] = value[0].item() if known is None or known[0] else None
                    for filled in (values, dict.fromkeys(names)):  # real figures, then all unknown
                        text = render(alternative["text"], filled, rules.variables)
                        assert not _sentences_are_readable(text, rules), (program.id, criterion["variable"],
                                                                          key, text)


@pytest.mark.parametrize("index", range(len(TRUTHS)))
def test_answered_criteria_sentences_read_well(rules, index):
    truth = _truth(TRUTHS[index], rules)
    partial = {"state": truth["state"], "members": [{"id": m["id"]} for m in truth["members"]]}
    for household in (truth, partial):
        dates = {p.id: max(p.start, min(p.end, DATE)) for p in rules.programs.values()}
        for program_id, date in dates.items():
            answer = screen(rules, household, date, [program_id])["programs"][program_id]
            for criterion in answer["criteria"]:
                assert not _sentences_are_readable(criterion["explanation"], rules), criterion


@pytest.mark.parametrize("index", range(len(TRUTHS)))
def test_answering_next_question_settles_every_program(rules, index):
    truth = _truth(TRUTHS[index], rules)
    household = {"members": [{"id": m["id"]} for m in truth["members"]]}
    by_id = {m["id"]: m for m in truth["members"]}
    facts_available = len(rules.inputs) * (1 + len(truth["members"]))
    programs = [p.id for p in rules.programs.values() if p.covers(DATE)]
    for _ in range(facts_available):
        answer = screen(rules, household, DATE, programs)
        undetermined = [p for p, r in answer["programs"].items() if r["status"] == "undetermined"]
        if not undetermined:
            break
        assert answer["next_questions"], f"stuck: {undetermined} undetermined and nothing to ask"
        fact = answer["next_questions"][0]["fact"]
        parts = fact.split(".")
        if parts[0] == "household":
            household[parts[1]] = truth[parts[1]]
        else:
            member = next(m for m in household["members"] if m["id"] == parts[1])
            member[parts[2]] = by_id[parts[1]][parts[2]]
    else:
        pytest.fail("no answer after asking every fact")
    final = screen(rules, truth, DATE, programs)
    for program_id in programs:
        # The answers reached by asking equal the answers with every fact given.
        assert answer["programs"][program_id]["status"] == final["programs"][program_id]["status"]
