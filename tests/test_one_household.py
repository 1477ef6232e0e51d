"""One household on Python scalars gives the same answer as the numpy simulation, on every variable of the rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility.errors import DateOutOfRange, InputError
from eligibility.formula.ir import BOOL, EnumType
from eligibility.household import convert
from eligibility.one_household import OneHouseholdSimulation
from eligibility.screening import screen
from eligibility.simulation import Simulation

SITUATIONS = sorted((Path(__file__).parent / "situations").glob("*.json"))
MONEY = st.one_of(st.just(0), st.integers(0, 9000), st.floats(0, 90000, allow_nan=False).map(lambda x: round(x, 2)))


def _fact(variable):
    if variable.type == BOOL:
        return st.booleans()
    if isinstance(variable.type, EnumType):
        return st.sampled_from(variable.type.values)
    if variable.value_type == "int":
        return st.integers(0, 100)
    return MONEY


def households(ruleset):
    """Any household the rules can read: every input fact present or absent, up to 11 members (past
    every table's largest size, so the each-additional amounts are read)."""
    person = {n: _fact(v) for n, v in ruleset.inputs.items() if v.entity == "person"}
    household = {n: _fact(v) for n, v in ruleset.inputs.items() if v.entity == "household"}
    member = st.fixed_dictionaries({}, optional=person)
    return st.fixed_dictionaries({"members": st.lists(member, min_size=1, max_size=11)}, optional=household)


def assert_same_everywhere(ruleset, household: dict, date: dt.date) -> None:
    """Every variable: the same known mask from both simulations, and the same value wherever it is known."""
    household = {**household, "members": [{**m, "id": f"m{i}"} for i, m in enumerate(household["members"])]}
    one = ruleset.simulate(date, [household])
    assert isinstance(one, OneHouseholdSimulation)
    person_household, inputs, errors = convert(ruleset, [household], False)
    assert not errors
    arrays = Simulation(ruleset, date, person_household, 1, inputs)
    for name in ruleset.variables:
        expected, got = _outcome(arrays, name), _outcome(one, name)
        if expected is None:
            assert got is None, name  # not modelled on this date: both say so
            continue
        (value, known), (one_value, one_known) = expected, got
        assert np.array_equal(one_known, known), (name, household, date)
        assert one_value.dtype == value.dtype, name
        assert np.array_equal(one_value[known], value[known], equal_nan=True), (name, household, date)


def _outcome(sim, name: str):
    try:
        value, known = sim.calculate(name)
    except DateOutOfRange:
        return None
    return value, (np.ones(len(value), dtype=bool) if known is None else known)


@pytest.mark.parametrize("path", SITUATIONS, ids=[p.stem for p in SITUATIONS])
def test_worked_situations_agree_on_every_variable(rules, path):
    request = json.loads(path.read_text())
    assert_same_everywhere(rules, request["household"], dt.date.fromisoformat(request["date"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data(), date=st.dates(dt.date(2023, 7, 1), dt.date(2026, 12, 31)))
def test_any_household_agrees_on_every_variable(rules, data, date):
    assert_same_everywhere(rules, data.draw(households(rules)), date)


def test_screening_a_household_alone_equals_screening_it_in_a_batch_of_two(rules):
    # A batch runs on numpy arrays, a lone household on scalars: the answers must not differ.
    request = json.loads((Path(__file__).parent / "situations" / "working_parent_two_children.json").read_text())
    date, household = dt.date.fromisoformat(request["date"]), request["household"]
    alone = screen(rules, household, date, explain="summary")
    from eligibility.screening import answer

    pair = rules.simulate(date, [household, {"members": [{"id": "x"}]}])
    assert not isinstance(pair, OneHouseholdSimulation)
    together = answer(pair, list(rules.programs.values()), 0, household, "summary")
    for program_id, result in together["programs"].items():
        headroom_free = {k: v for k, v in alone["programs"][program_id].items() if k != "headroom"}
        assert headroom_free == result, program_id


JUNK = st.sampled_from([-1, -0.5, 2.5, "x", "AK", True, [], {}, float("inf"), 10**13])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_household_alone_is_refused_for_the_same_problems_as_in_a_batch(rules, data):
    # Its facts are checked on their own path (as scalars); the problems named must be the same.
    person = {n: _fact(v) | JUNK for n, v in rules.inputs.items() if v.entity == "person"}
    household = {n: _fact(v) | JUNK for n, v in rules.inputs.items() if v.entity == "household"}
    members = st.lists(st.fixed_dictionaries({}, optional=person), max_size=3)
    drawn = data.draw(st.fixed_dictionaries({"members": members}, optional=household))
    _, _, expected = convert(rules, [drawn], False)
    try:
        rules.simulate(dt.date(2025, 11, 15), [drawn])
    except InputError as error:
        assert error.errors == expected
    else:
        assert expected == {}


def test_inf_times_zero_is_a_quiet_nan_on_both_paths(toy):
    # x / 0 then * 0 is nan on a branch a household takes; numpy must not warn (warnings are errors here).
    rules = toy({"x": ("(a / b) * 0 if p else 1", "float")})
    households = [{"members": [{"id": "m"}], "a": 1, "b": 0, "p": True},
                  {"members": [{"id": "m"}], "a": 1, "b": 0, "p": False}]
    together = rules.simulate(dt.date(2025, 1, 1), households).calculate("x")[0]
    alone = [rules.simulate(dt.date(2025, 1, 1), [h]).scalar("x")[0] for h in households]
    assert np.isnan(together[0]) and together[1] == 1
    assert np.isnan(alone[0]) and alone[1] == 1
