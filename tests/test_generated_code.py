"""The generated formula functions agree with the closures on every element, value and known; the
scalar functions a single household runs on agree with both, member by member."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eligibility.checks import RuleScope
from eligibility.formula.check import Checker, FormulaError
from eligibility.formula.codegen import compile_formula
from eligibility.formula.compile import compile_node
from eligibility.formula.scalar import compile_scalar
from eligibility.household import convert
from eligibility.loader import read_rules
from eligibility.one_household import OneHouseholdSimulation
from eligibility.ruleset import RuleSet
from eligibility.simulation import EntityContext, Simulation
from tests.conftest import write_rules

NUMBERS = ["a", "b", "0", "1", "12", "toy.rate", "toy.table[colour][a]", "sum(members.age)",
           "count(members.age > 12)", "per_month(yearly)", "sum(members.age / members.age)", "count(members)",
           "floor(a / 12)", "ceil(b / 12)", "clip(a - b, 0, 12)", "abs(b - a)", "round(a / 12, 2)"]
CONDITIONS = ["p", "q", "True", "False", "a > b", "a == 0", 'colour == "red"', "any(members.age < 1)",
              "all(members.age >= 12)", "given(a)", "given(colour)", "any(members.age > 1 and members.age < 12)"]
# What a person formula reads: its own facts, the household's, and tables keyed by either.
PERSON_NUMBERS = ["age", "household.a", "0", "1", "toy.rate", "toy.table[household.colour][age]",
                  "per_month(household.yearly)", "age / household.b", "floor(age / 12)"]
PERSON_CONDITIONS = ["household.p", "age > 12", "age >= household.a", 'household.colour == "red"',
                     "given(age)", "True"]


def formulas(number_atoms=NUMBERS, condition_atoms=CONDITIONS):
    """Legal formulas: arithmetic, comparisons, and/or chains, nested conditionals."""
    numbers = st.deferred(lambda: st.one_of(
        st.sampled_from(number_atoms),
        st.tuples(numbers, st.sampled_from([" + ", " - ", " * ", " / "]), numbers).map("".join),
        st.tuples(numbers, conditions, numbers).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.tuples(st.sampled_from(["min", "max"]), numbers, numbers).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        numbers.map(lambda n: f"round({n})"),
    ))
    conditions = st.deferred(lambda: st.one_of(
        st.sampled_from(condition_atoms),
        st.lists(conditions, min_size=2, max_size=4).map(lambda cs: "(" + " and ".join(cs) + ")"),
        st.lists(conditions, min_size=2, max_size=4).map(lambda cs: "(" + " or ".join(cs) + ")"),
        conditions.map(lambda c: f"(not {c})"),
        st.tuples(numbers, st.sampled_from([" < ", " >= ", " == "]), numbers).map(lambda t: f"({''.join(t)})"),
        st.tuples(conditions, conditions, conditions).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
    ))
    return numbers | conditions


def households():
    """A few households, each fact given or not, with values that make conditions go both ways."""
    maybe = lambda strategy: st.one_of(st.none(), strategy)  # noqa: E731
    member = st.fixed_dictionaries({"id": st.just("m"), "age": maybe(st.integers(0, 80))})
    household = st.fixed_dictionaries({
        "members": st.lists(member, min_size=1, max_size=3),
        "a": maybe(st.sampled_from([0, 1, 5, 12.5])), "b": maybe(st.sampled_from([0, 1, 5])),
        "p": maybe(st.booleans()), "q": maybe(st.booleans()),
        "colour": maybe(st.sampled_from(["red", "green", "blue"])), "yearly": maybe(st.sampled_from([0, 1200])),
    }).map(lambda h: {k: v for k, v in h.items() if v is not None or k == "members"})
    return st.lists(household, min_size=1, max_size=4)


@pytest.fixture(scope="module")
def toy_rules(tmp_path_factory):
    loaded = read_rules(write_rules(tmp_path_factory.mktemp("toy") / "rules", {}))
    return RuleScope(loaded), RuleSet(loaded, "sha256:toy")


MIXED = [{"members": [{}], "p": True}, {"members": [{}], "p": False}, {"members": [{}]}]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(formulas(), households())
@example("p or q", MIXED)  # settled for some elements only: the chain must go on
@example("p and q", MIXED)
@example("(a if p else b) + 1", MIXED)
def test_generated_function_agrees_with_closures(toy_rules, text, group):
    scope, ruleset = toy_rules
    try:
        ir = Checker(scope, "household", "month").check(text, None)
    except FormulaError:
        return  # e.g. a bool compared with a number: the checker's business, tested elsewhere
    for chosen in [group, *([h] for h in group)]:  # together, and each household alone
        sim = ruleset.simulate(dt.date(2025, 1, 1), [_members_with_ids(h) for h in chosen])
        size = sim.sizes["household"]
        context = EntityContext(sim, "household", sim.starts["month"])
        with np.errstate(all="ignore"):  # as Simulation runs formulas: inf * 0 on a discarded branch is no error
            value, known = compile_node(ir)(context)
            fast_value, fast_known = compile_formula(ir)(context)
        expected_known, got_known = _mask(known, size), _mask(fast_known, size)
        assert np.array_equal(got_known, expected_known), (text, chosen)
        expected = np.broadcast_to(np.asarray(value), (size,))
        got = np.broadcast_to(np.asarray(fast_value, dtype=expected.dtype), (size,))
        # Where an element is unknown its value is filler: only known elements must agree.
        assert np.array_equal(got[expected_known], expected[expected_known], equal_nan=True), (text, chosen)


def _members_with_ids(household: dict) -> dict:
    members = [{**m, "id": f"m{i}"} for i, m in enumerate(household["members"])]
    return {**household, "members": [{k: v for k, v in m.items() if v is not None} for m in members]}


def _mask(known, size: int) -> np.ndarray:
    return np.ones(size, dtype=bool) if known is None else np.broadcast_to(np.asarray(known), (size,))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(formulas(), households())
@example("p or q", MIXED)
@example("(a if p else b) + 1", MIXED)
@example("p and q", [{"members": [{}], "q": False}])  # a known false settles it, whatever p is
@example("a / b", [{"members": [{}], "a": 1, "b": 0}, {"members": [{}], "a": 0, "b": 0}])
@example("a / -b", [{"members": [{}], "a": 1, "b": 0}])  # a negative zero divisor: -inf
@example("round(a / 12, 2) + floor(a / 12)", [{"members": [{"age": 3}, {}], "a": 12.5}])
def test_scalar_household_function_agrees_with_numpy(toy_rules, text, group):
    scope, ruleset = toy_rules
    try:
        ir = Checker(scope, "household", "month").check(text, None)
    except FormulaError:
        return
    for household in group:
        arrays, one = _both_simulations(ruleset, household)
        with np.errstate(all="ignore"):
            value, known = compile_formula(ir)(EntityContext(arrays, "household", arrays.starts["month"]))
        context, _ = one.contexts("month")
        scalar_value, scalar_known = compile_scalar(ir)(context)
        expected_known = bool(_mask(known, 1)[0])
        assert scalar_known is expected_known, (text, household)
        if expected_known:
            expected = np.broadcast_to(np.asarray(value), (1,))
            assert np.array_equal(np.asarray([scalar_value], dtype=expected.dtype), expected, equal_nan=True), \
                (text, household, scalar_value, expected)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(formulas(PERSON_NUMBERS, PERSON_CONDITIONS), households())
@example("age >= household.a and household.p", MIXED)
@example("(age / household.b) * 0", [{"members": [{"age": 3}], "b": 0}])  # inf * 0: nan, quietly, in both
def test_scalar_person_function_agrees_with_numpy_member_by_member(toy_rules, text, group):
    scope, ruleset = toy_rules
    try:
        ir = Checker(scope, "person", "month").check(text, None)
    except FormulaError:
        return
    for household in group:
        arrays, one = _both_simulations(ruleset, household)
        size = arrays.sizes["person"]
        with np.errstate(all="ignore"):
            value, known = compile_formula(ir)(EntityContext(arrays, "person", arrays.starts["month"]))
        expected_known = _mask(known, size)
        expected = np.broadcast_to(np.asarray(value), (size,))
        run = compile_scalar(ir)
        _, members = one.contexts("month")
        for i, member in enumerate(members):
            scalar_value, scalar_known = run(member)
            assert scalar_known is bool(expected_known[i]), (text, household, i)
            if scalar_known:
                assert np.array_equal(np.asarray(scalar_value, dtype=expected.dtype), expected[i], equal_nan=True), \
                    (text, household, i, scalar_value, expected[i])


def _both_simulations(ruleset, household: dict) -> tuple[Simulation, OneHouseholdSimulation]:
    """The household as the array simulation many households share, and as its own scalar simulation."""
    household = _members_with_ids(household)
    date = dt.date(2025, 1, 1)
    person_household, inputs, errors = convert(ruleset, [household], False)
    assert not errors
    return Simulation(ruleset, date, person_household, 1, inputs), ruleset.simulate(date, [household])
