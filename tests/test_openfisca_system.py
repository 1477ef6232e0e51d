"""The rules compiled onto openfisca-core give the masked evaluator's answers when all is known."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from openfisca_core.simulation_builder import SimulationBuilder

from eligibility.openfisca_system import build_tax_benefit_system

HOUSEHOLDS = [
    {"state": "CA", "members": [{"id": "a", "age": 34, "earned_income": 1450}, {"id": "b", "age": 6}],
     "shelter_costs": 1100, "utility_costs": 150, "assets": 800},
    {"state": "AK", "alaska_area": "rural_1", "members": [{"id": "c", "age": 71, "unearned_income": 900}],
     "shelter_costs": 700, "medical_expenses": 120, "assets": 4000},
    {"state": "HI", "is_homeless": True, "members": [{"id": "d", "age": 25}, {"id": "e", "age": 2},
                                                     {"id": "f", "age": 40, "earned_income": 2100}]},
]
DEFAULTS = {"shelter_costs": 0, "utility_costs": 0, "dependent_care_costs": 0, "child_support_paid": 0,
            "medical_expenses": 0, "assets": 0, "is_homeless": False, "receives_tanf": False,
            "receives_ssi": False, "alaska_area": "urban"}
MEMBER_DEFAULTS = {"earned_income": 0, "unearned_income": 0, "is_disabled": False}


@pytest.fixture(scope="module")
def system(rules):
    return build_tax_benefit_system(rules)


def openfisca_situation(households, period: str) -> dict:
    persons, groups = {}, {}
    for h, household in enumerate(households):
        facts = {**DEFAULTS, **household}
        members = facts.pop("members")
        groups[f"h{h}"] = {"members": [m["id"] for m in members],
                           **{k: {period: v} for k, v in facts.items()}}
        for member in members:
            values = {**MEMBER_DEFAULTS, **member}
            pid = values.pop("id")
            persons[pid] = {k: {period: v} for k, v in values.items()}
    return {"persons": persons, "households": groups}


@pytest.mark.parametrize("households", [HOUSEHOLDS, HOUSEHOLDS[:1]], ids=["together", "alone"])
@pytest.mark.parametrize("name", ["snap_gross_income_limit", "snap_net_income", "snap_eligible",
                                  "snap_allotment", "snap_allotment_area", "wic_eligible"])
def test_openfisca_and_masked_evaluator_agree(rules, system, name, households):
    # Alone, a household settles every condition one way: formulas skip whole branches.
    period = "2025-11"
    situation = openfisca_situation(households, period)
    simulation = SimulationBuilder().build_from_entities(system, situation)
    theirs = np.asarray(simulation.calculate(name, period))
    complete = [{**DEFAULTS, **h, "members": [{**MEMBER_DEFAULTS, **m} for m in h["members"]]}
                for h in households]
    ours, known = rules.simulate(dt.date(2025, 11, 1), complete).calculate(name)
    if name == "wic_eligible":  # asks about pregnancy and more, which these households do not give
        theirs, ours = theirs[known], ours[known]
    else:
        assert known is None
    np.testing.assert_allclose(theirs.astype(float), ours.astype(float))
