"""School meals through the screening answer, its modelled dates, and the soundness of its known masks."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility.errors import DateOutOfRange
from eligibility.screening import screen
from tests.soundness import assert_known_results_hold

DATE = dt.date(2025, 11, 15)
NOT_CATEGORICAL = {"is_foster_child": False, "is_migrant_child": False, "is_runaway_child": False}
FAMILY = {
    "state": "CA", "receives_snap": False, "receives_tanf": False, "receives_fdpir": False,
    "is_homeless": False,
    "members": [
        {"id": "mom", "age": 38, "earned_income": 4000, "unearned_income": 0},
        {"id": "ann", "age": 6, "earned_income": 0, "unearned_income": 0, **NOT_CATEGORICAL},
        {"id": "ben", "age": 10, "earned_income": 0, "unearned_income": 0, **NOT_CATEGORICAL,
         "is_foster_child": True},
    ],
}


def test_each_child_gets_a_status_and_category(rules):
    # household of 3 in 2025-26: free 2,888, reduced 4,109; income 4,000
    meals = screen(rules, FAMILY, DATE, ["school_meals"])["programs"]["school_meals"]
    assert meals["status"] == "eligible"
    assert meals["amount"] is None
    assert meals["members"] == {
        "mom": {"status": "ineligible", "category": None},
        "ann": {"status": "eligible", "category": "reduced"},
        "ben": {"status": "eligible", "category": "free"},
    }
    free = next(c for c in meals["criteria"] if c["id"] == "school_meals_meets_free_income_test")
    assert free["explanation"] == ("Monthly income of $4,000 is above the free meal limit of $2,888 for a "
                                   "household of 3.")


def test_a_child_paying_full_price_is_ineligible(rules):
    household = {**FAMILY, "members": [{**m, "earned_income": 4110} if m["id"] == "mom" else
                                       {**m, "is_foster_child": False} for m in FAMILY["members"]]}
    meals = screen(rules, household, DATE, ["school_meals"])["programs"]["school_meals"]
    assert meals["status"] == "ineligible"
    assert {m["status"] for m in meals["members"].values()} == {"ineligible"}


@pytest.mark.parametrize("day", [dt.date(2023, 6, 30), dt.date(2026, 7, 1)])
def test_dates_outside_the_three_school_years_are_refused(rules, day):
    with pytest.raises(DateOutOfRange, match="school_meals: 2023-07-01 to 2026-06-30"):
        screen(rules, FAMILY, day, ["school_meals"])


MONEY = st.integers(0, 7000)
MEMBER_FACTS = {
    "age": st.sampled_from([3, 4, 5, 10, 18, 19, 40]), "earned_income": MONEY, "unearned_income": MONEY,
    "is_foster_child": st.booleans(), "is_migrant_child": st.booleans(), "is_runaway_child": st.booleans(),
}
HOUSEHOLD_FACTS = {
    "state": st.sampled_from(["CA", "AK", "HI"]), "receives_snap": st.booleans(),
    "receives_tanf": st.booleans(), "receives_fdpir": st.booleans(), "is_homeless": st.booleans(),
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
    assert_known_results_hold(rules, day, household, fill, ["school_meals_eligible", "school_meals_category"])
