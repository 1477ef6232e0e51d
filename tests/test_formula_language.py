"""The formula language: what it computes, and three-valued logic over unknown facts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

DAY = dt.date(2025, 3, 10)
UNKNOWN = "unknown"


def evaluate(ruleset, name: str, households: list[dict]):
    """Values of `name` per household, UNKNOWN where the mask says unknown."""
    households = [{"members": [{"id": "m"}], **h} for h in households]
    values, known = ruleset.simulate(DAY, households).calculate(name)
    known = np.ones(len(values), bool) if known is None else known
    return [v.item() if k else UNKNOWN for v, k in zip(values, known, strict=True)]


@pytest.mark.parametrize(
    ("formula", "value_type", "facts", "expected"),
    [
        ("a + b * 12", "float", {"a": 1, "b": 2}, 25),
        ("a - b / 12", "float", {"a": 1, "b": 6}, 0.5),
        ("-a", "float", {"a": 3}, -3),
        ("max(a - b, b - a, 0)", "float", {"a": 1, "b": 3}, 2),
        ("min(a, b)", "float", {"a": 4, "b": 3}, 3),
        ("clip(a, 0, 1)", "float", {"a": 7}, 1),
        ("ceil(a)", "float", {"a": 2.1}, 3),
        ("floor(a)", "float", {"a": 2.9}, 2),
        ("round(a)", "float", {"a": 2.5}, 3),
        ("round(a, 2)", "float", {"a": 2.345}, 2.35),
        ("abs(a - b)", "float", {"a": 1, "b": 4}, 3),
        ("a if p else b", "float", {"a": 1, "b": 2, "p": False}, 2),
        ("where(p, a, b)", "float", {"a": 1, "b": 2, "p": True}, 1),
        ("0 < a <= b", "bool", {"a": 1, "b": 1}, True),
        ("colour == \"green\"", "bool", {"colour": "green"}, True),
        ("colour != \"green\"", "bool", {"colour": "blue"}, True),
        ("a * toy.rate", "float", {"a": 8}, 2),  # 2024 value 0.25 applies in 2025
        ("a * on(toy.rate, \"01-01\")", "float", {"a": 8}, 2),
        ("toy.table[colour][a]", "float", {"colour": "green", "a": 2}, 21),
        ("toy.table[colour][a]", "float", {"colour": "red", "a": 4}, 30),  # 20 + 2 x 5 each additional
        ("toy.table[colour][a]", "float", {"colour": "blue", "a": 1}, 1),  # default entry
        ("per_month(yearly)", "float", {"yearly": 1200}, 100),
        ("ceil(0.3 * 1000 / 1 - 300)", "float", {}, None),  # rejected: 0.3 is a policy number
    ],
)
def test_formula_computes(toy, formula, value_type, facts, expected):
    if expected is None:
        from eligibility.errors import RuleError

        with pytest.raises(RuleError, match="policy numbers belong in a dated"):
            toy({"x": (formula, value_type)})
        return
    assert evaluate(toy({"x": (formula, value_type)}), "x", [facts]) == [pytest.approx(expected)]


def test_parameter_is_read_as_of_another_date(toy):
    # The rate changed on 2024-01-01; on 1 October 2023 the old value (0.5) was in force.
    ruleset = toy({"x": ('on(toy.rate, "10-01")', "float")})
    assert evaluate(ruleset, "x", [{}]) == [0.25]  # 2025-03: latest 1 October is 2024-10-01
    sim = ruleset.simulate(dt.date(2024, 3, 1), [{"members": [{"id": "m"}]}])
    assert sim.calculate("x")[0][0] == 0.5  # latest 1 October is 2023-10-01


def test_ceil_ignores_float_noise(toy):
    # 30000 * 1.3 / 12 is 3250.0000000000005 in floating point; USDA's table says 3,250.
    ruleset = toy({"x": ("ceil(a * b / 12)", "float")})
    assert evaluate(ruleset, "x", [{"a": 30000, "b": 1.3}]) == [3250]


def test_household_aggregates_members(toy):
    ruleset = toy({
        "oldest_over_60": ("any(members.age >= 12)", "bool"),
        "all_adults": ("all(members.age >= 12)", "bool"),
        "total_age": ("sum(members.age)", "float"),
        "size": ("count(members)", "float"),
        "children": ("count(members.age < 12)", "float"),
    })
    household = {"members": [{"id": "a", "age": 40}, {"id": "b", "age": 5}]}
    sim = ruleset.simulate(DAY, [household])
    assert sim.calculate("oldest_over_60")[0][0]
    assert not sim.calculate("all_adults")[0][0]
    assert sim.calculate("total_age")[0][0] == 45
    assert sim.calculate("size")[0][0] == 2
    assert sim.calculate("children")[0][0] == 1


class TestUnknownFacts:
    """A fact not given is unknown; results are known only when the given facts settle them."""

    def test_arithmetic_with_an_unknown_operand_is_unknown(self, toy):
        assert evaluate(toy({"x": ("a + b", "float")}), "x", [{"a": 1}]) == [UNKNOWN]

    @pytest.mark.parametrize(
        ("p", "q", "conjunction", "disjunction"),
        [
            (False, None, False, UNKNOWN),
            (None, False, False, UNKNOWN),
            (True, None, UNKNOWN, True),
            (None, True, UNKNOWN, True),
            (None, None, UNKNOWN, UNKNOWN),
            (True, True, True, True),
        ],
    )
    def test_kleene_and_or(self, toy, p, q, conjunction, disjunction):
        ruleset = toy({"both": ("p and q", "bool"), "either": ("p or q", "bool")})
        facts = {k: v for k, v in {"p": p, "q": q}.items() if v is not None}
        assert evaluate(ruleset, "both", [facts]) == [conjunction]
        assert evaluate(ruleset, "either", [facts]) == [disjunction]

    def test_not_of_unknown_is_unknown(self, toy):
        assert evaluate(toy({"x": ("not p", "bool")}), "x", [{}]) == [UNKNOWN]

    def test_where_with_unknown_condition_is_known_only_if_branches_agree(self, toy):
        ruleset = toy({"x": ("a if p else b", "float")})
        assert evaluate(ruleset, "x", [{"a": 5, "b": 5}, {"a": 5, "b": 6}]) == [5, UNKNOWN]

    def test_where_ignores_the_branch_not_taken(self, toy):
        ruleset = toy({"x": ("a if p else b", "float")})
        assert evaluate(ruleset, "x", [{"p": True, "a": 5}, {"p": False, "a": 5}]) == [5, UNKNOWN]

    def test_comparison_with_unknown_is_unknown(self, toy):
        assert evaluate(toy({"x": ("a <= b", "bool")}), "x", [{"a": 1}]) == [UNKNOWN]

    def test_any_is_known_when_one_member_is_known_true(self, toy):
        ruleset = toy({"x": ("any(members.age >= 12)", "bool"), "y": ("all(members.age >= 12)", "bool")})
        households = [
            {"members": [{"id": "a", "age": 40}, {"id": "b"}]},
            {"members": [{"id": "a", "age": 4}, {"id": "b"}]},
        ]
        sim = ruleset.simulate(DAY, households)
        values, known = sim.calculate("x")
        assert known.tolist() == [True, False] and bool(values[0])
        values, known = sim.calculate("y")
        assert known.tolist() == [False, True] and not values[1]

    def test_sum_needs_every_member(self, toy):
        ruleset = toy({"x": ("sum(members.age)", "float")})
        sim = ruleset.simulate(DAY, [{"members": [{"id": "a", "age": 40}, {"id": "b"}]}])
        assert not sim.calculate("x")[1][0]

    def test_unknown_input_never_leaks_as_zero(self, toy):
        ruleset = toy({"x": ("a <= 0", "bool")})
        assert evaluate(ruleset, "x", [{}]) == [UNKNOWN]


def test_given_tells_whether_a_fact_was_given(toy):
    # "annual figure when given, else the monthly one x 12" stays known either way.
    ruleset = toy({"x": ("a if given(a) else b * 12", "float")})
    assert evaluate(ruleset, "x", [{"a": 100, "b": 1}, {"b": 1}, {}]) == [100, 12, UNKNOWN]
