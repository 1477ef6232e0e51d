"""Soundness of known masks: a known result never changes whatever the hidden facts turn out to be."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DATE = dt.date(2025, 11, 15)
MONEY = st.one_of(st.just(0), st.integers(0, 6000),
                  st.floats(0, 6000, allow_nan=False).map(lambda x: round(x, 2)))


def member_facts():
    return st.fixed_dictionaries({}, optional={
        "age": st.integers(0, 95), "earned_income": MONEY, "unearned_income": MONEY,
        "is_disabled": st.booleans(),
    })


def household_facts():
    return st.fixed_dictionaries(
        {"members": st.lists(member_facts(), min_size=1, max_size=7)},
        optional={
            "state": st.sampled_from(["CA", "AK", "HI", "TX", "NY"]),
            "alaska_area": st.sampled_from(["urban", "rural_1", "rural_2"]),
            "shelter_costs": MONEY, "utility_costs": MONEY, "dependent_care_costs": MONEY,
            "child_support_paid": MONEY, "medical_expenses": MONEY, "assets": st.integers(0, 9000),
            "is_homeless": st.booleans(), "receives_tanf": st.booleans(), "receives_ssi": st.booleans(),
        },
    )


def complete(household: dict, fill: dict) -> dict:
    """The household with every missing fact taken from `fill`."""
    result = {**fill["household"], **household}
    result["members"] = [{**fill["member"], **m, "id": f"m{i}"} for i, m in enumerate(household["members"])]
    return result


FILLS = st.fixed_dictionaries({
    "household": household_facts().map(lambda h: {k: v for k, v in h.items() if k != "members"}),
    "member": member_facts(),
}).map(lambda f: {
    "household": {"state": "CA", "alaska_area": "urban", "shelter_costs": 0, "utility_costs": 0,
                  "dependent_care_costs": 0, "child_support_paid": 0, "medical_expenses": 0, "assets": 0,
                  "is_homeless": False, "receives_tanf": False, "receives_ssi": False, **f["household"]},
    "member": {"age": 30, "earned_income": 0, "unearned_income": 0, "is_disabled": False, **f["member"]},
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(household=household_facts(), fills=st.lists(FILLS, min_size=3, max_size=3))
def test_known_results_hold_for_any_value_of_the_hidden_facts(rules, household, fills):
    partial = {**household, "members": [{**m, "id": f"m{i}"} for i, m in enumerate(household["members"])]}
    completions = [complete(household, fill) for fill in fills]
    sim = rules.simulate(DATE, [partial, *completions])
    for name, variable in rules.variables.items():
        if variable.is_input or variable.entity != "household":
            continue
        values, known = sim.calculate(name)
        if known is not None and not known[0]:
            continue
        for other in range(1, len(completions) + 1):
            assert np.isclose(values[0], values[other]), (name, partial, completions[other - 1])
