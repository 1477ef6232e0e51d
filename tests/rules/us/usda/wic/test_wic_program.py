"""WIC through the screening answer, its modelled dates, and the soundness of its known masks."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility.errors import DateOutOfRange
from eligibility.screening import screen
from tests.soundness import assert_known_results_hold

DATE = dt.date(2025, 11, 15)
FAMILY = {
    "state": "CA", "receives_snap": False, "receives_tanf": False, "receives_medicaid": False,
    "members": [
        {"id": "mom", "age": 27, "is_pregnant": False, "is_breastfeeding": True, "months_postpartum": 4,
         "earned_income": 2100, "unearned_income": 0},
        {"id": "baby", "age": 0, "is_pregnant": False, "earned_income": 0, "unearned_income": 0},
        {"id": "dad", "age": 29, "is_pregnant": False, "is_breastfeeding": False, "months_postpartum": 40,
         "earned_income": 1000, "unearned_income": 0},
    ],
}


def test_members_are_decided_one_by_one_with_their_category(rules):
    # family of 3 in 2025-26: limit 4,109 a month; income 3,100
    wic = screen(rules, FAMILY, DATE, ["wic"])["programs"]["wic"]
    assert wic["status"] == "eligible"
    assert wic["amount"] is None
    assert wic["members"] == {
        "mom": {"status": "eligible", "category": "breastfeeding"},
        "baby": {"status": "eligible", "category": "infant"},
        "dad": {"status": "ineligible", "category": None},
    }
    income = next(c for c in wic["criteria"] if c["id"] == "wic_meets_income_test")
    assert income["explanation"] == ("Monthly income of $3,100 is at or below the limit of $4,109 for a "
                                     "family of 3 (a pregnant member counts once more for each baby "
                                     "expected).")


def test_income_above_the_limit_asks_about_snap_tanf_and_medicaid(rules):
    household = {**FAMILY, "members": [{**m, "earned_income": 5000} if m["id"] == "dad" else m
                                       for m in FAMILY["members"]]}
    del household["receives_medicaid"]
    wic = screen(rules, household, DATE, ["wic"])["programs"]["wic"]
    assert wic["status"] == "undetermined"
    assert wic["missing"] == ["household.receives_medicaid"]


@pytest.mark.parametrize("day", [dt.date(2023, 6, 30), dt.date(2026, 7, 1)])
def test_dates_outside_the_three_program_years_are_refused(rules, day):
    with pytest.raises(DateOutOfRange, match="wic: 2023-07-01 to 2026-06-30"):
        screen(rules, FAMILY, day, ["wic"])


MONEY = st.integers(0, 7000)
MEMBER_FACTS = {
    "age": st.sampled_from([0, 1, 4, 5, 6, 17, 25, 40]), "earned_income": MONEY, "unearned_income": MONEY,
    "is_pregnant": st.booleans(), "expected_babies": st.integers(0, 3), "is_breastfeeding": st.booleans(),
    "months_postpartum": st.integers(0, 14),
}
HOUSEHOLD_FACTS = {
    "state": st.sampled_from(["CA", "AK", "HI"]), "receives_snap": st.booleans(),
    "receives_tanf": st.booleans(), "receives_medicaid": st.booleans(),
}
PARTIAL = st.fixed_dictionaries(
    {"members": st.lists(st.fixed_dictionaries({}, optional=MEMBER_FACTS), min_size=1, max_size=5)},
    optional=HOUSEHOLD_FACTS)
FILL = st.tuples(st.fixed_dictionaries(HOUSEHOLD_FACTS),
                 st.lists(st.fixed_dictionaries(MEMBER_FACTS), min_size=5, max_size=5))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(household=PARTIAL, fill=st.lists(FILL, min_size=3, max_size=3),
       day=st.sampled_from([dt.date(2023, 7, 1), dt.date(2024, 6, 30), DATE, dt.date(2026, 6, 30)]))
def test_known_results_hold_whatever_the_hidden_facts(rules, household, fill, day):
    assert_known_results_hold(rules, day, household, fill, ["wic_eligible", "wic_category"])
