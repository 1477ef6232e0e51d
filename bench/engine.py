"""Benchmark: SNAP for many generated households from arrays, beside hand-written numpy.

Run: `make bench` or `.venv/bin/python bench/engine.py --households 1000000 --repeat 5`.
Prints households/s for the rule engine (fully known, and with 30% of facts unknown) and for a
hand-written numpy version of the same arithmetic, in one run, with their ratios (medians).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import numpy as np

from eligibility import load_rules
from eligibility.simulation import Simulation

DATE = dt.date(2025, 11, 15)
FEDERAL_ONLY_STATES = ("MS", "TN", "UT")
HOUSEHOLD_FACTS = ["shelter_costs", "utility_costs", "dependent_care_costs", "child_support_paid",
                   "medical_expenses", "assets", "is_homeless", "receives_tanf", "receives_ssi"]
PERSON_FACTS = ["age", "earned_income", "unearned_income", "is_disabled"]


def generate(ruleset, households: int, seed: int = 0) -> dict:
    """Synthetic households as arrays: sizes 1-6, incomes, costs, states."""
    rng = np.random.default_rng(seed)
    sizes = rng.choice(np.arange(1, 11), size=households,
                       p=[0.28, 0.33, 0.15, 0.13, 0.06, 0.02, 0.01, 0.01, 0.005, 0.005])
    person_household = np.repeat(np.arange(households), sizes)
    persons = len(person_household)
    # The hand-written version implements the federal rules: households live in the states where no
    # SNAP state option (broad-based categorical eligibility, standard medical deduction) applies.
    states = ruleset.variables["state"].possible_values
    federal_only = np.array([states.index(code) for code in FEDERAL_ONLY_STATES], dtype=np.int16)
    data = {
        "person_household": person_household,
        "state": rng.choice(federal_only, households),
        "shelter_costs": rng.gamma(2.0, 450.0, households).round(),
        "utility_costs": rng.gamma(2.0, 90.0, households).round(),
        "dependent_care_costs": np.where(rng.random(households) < 0.1, rng.gamma(2, 200, households), 0),
        "child_support_paid": np.where(rng.random(households) < 0.05, rng.gamma(2, 150, households), 0),
        "medical_expenses": np.where(rng.random(households) < 0.2, rng.gamma(2, 60, households), 0),
        "assets": rng.gamma(1.2, 1500.0, households).round(),
        "is_homeless": rng.random(households) < 0.02,
        "receives_tanf": rng.random(households) < 0.03,
        "receives_ssi": rng.random(households) < 0.05,
        "alaska_area": rng.integers(0, 3, households).astype(np.int16),
        "age": rng.integers(0, 90, persons).astype(float),
        "earned_income": np.where(rng.random(persons) < 0.5, rng.gamma(2.0, 900.0, persons), 0).round(),
        "unearned_income": np.where(rng.random(persons) < 0.25, rng.gamma(2.0, 300.0, persons), 0).round(),
        "is_disabled": rng.random(persons) < 0.08,
    }
    return data


def engine_run(ruleset, data: dict, unknown_share: float, seed: int = 1) -> np.ndarray:
    """Allotments by the rule engine; `unknown_share` of each fact hidden at random."""
    rng = np.random.default_rng(seed)
    inputs = {}
    for name in ["state", "alaska_area", *HOUSEHOLD_FACTS, *PERSON_FACTS]:
        values = data[name]
        known = None if not unknown_share else rng.random(len(values)) >= unknown_share
        inputs[name] = (values, known)
    households = int(data["person_household"][-1]) + 1
    sim = Simulation(ruleset, DATE, data["person_household"], households, inputs)
    eligible = sim.calculate("snap_eligible")
    allotment = sim.calculate("snap_allotment")
    return eligible, allotment


def numpy_run(ruleset, data: dict) -> np.ndarray:
    """The same SNAP arithmetic, written by hand in numpy (FY2026 figures read from the rules)."""
    sim = Simulation(ruleset, DATE, np.zeros(1, dtype=np.intp), 1, {})
    month = DATE.replace(day=1)

    def param(path, day=month):
        return sim.parameter(path, day, [], ())

    table = param
    fy_start = dt.date(2025, 10, 1)
    index = data["person_household"]
    households = int(index[-1]) + 1
    size = np.bincount(index, minlength=households).astype(float)
    state = np.asarray(ruleset.variables["state"].possible_values)[data["state"]]
    group = np.where(state == "AK", 1, np.where(state == "HI", 2, 0))
    first = table("us.hhs.poverty_guidelines.first_person", fy_start)
    additional = table("us.hhs.poverty_guidelines.each_additional", fy_start)
    largest = param("us.usda.snap.income.standards_largest_household")
    guideline = first.dense[group] + additional.dense[group] * (np.minimum(size, largest) - 1)
    beyond = np.maximum(size - largest, 0)
    elderly_member = (data["age"] >= param("us.usda.snap.elderly_age")) | data["is_disabled"]
    elderly = np.bincount(index, weights=elderly_member, minlength=households) > 0
    earned = np.bincount(index, weights=data["earned_income"], minlength=households)
    gross = earned + np.bincount(index, weights=data["unearned_income"], minlength=households)
    def limit(rate):
        return (np.ceil(guideline * rate / 12 - 1e-7)
                + beyond * np.ceil(additional.dense[group] * rate / 12 - 1e-7))

    gross_limit = limit(param("us.usda.snap.income.gross_limit_rate"))
    net_limit = limit(param("us.usda.snap.income.net_limit_rate"))
    standard = table("us.usda.snap.deductions.standard")
    std = standard.dense[group, np.clip(size, 1, 6).astype(int) - 1]
    medical = np.where(elderly, np.maximum(data["medical_expenses"]
                                           - param("us.usda.snap.deductions.medical_threshold"), 0), 0)
    after = np.maximum(gross - earned * param("us.usda.snap.deductions.earned_income_rate") - std
                       - data["dependent_care_costs"] - data["child_support_paid"] - medical, 0)
    excess = np.maximum(data["shelter_costs"] + data["utility_costs"]
                        - after * param("us.usda.snap.deductions.shelter_income_share"), 0)
    cap = table("us.usda.snap.deductions.shelter_cap").dense[group]
    shelter = np.where(elderly, excess, np.minimum(excess, cap))
    shelter = np.where(data["is_homeless"],
                       np.maximum(param("us.usda.snap.deductions.homeless_shelter"), shelter), shelter)
    net = np.maximum(after - shelter, 0)
    categorical = data["receives_tanf"] | data["receives_ssi"]
    asset_limit = np.where(elderly, param("us.usda.snap.assets.elderly_or_disabled_limit"),
                           param("us.usda.snap.assets.standard_limit"))
    passes = ((categorical | elderly | (gross <= gross_limit)) & (categorical | (net <= net_limit))
              & (categorical | (data["assets"] <= asset_limit)))
    area = np.where(state == "AK", 1 + data["alaska_area"], np.where(state == "HI", 4, 0))
    allotments = table("us.usda.snap.max_allotment")
    top = allotments.axes[1][2]
    maximum = (allotments.dense[area, np.clip(size, 1, top).astype(int) - 1]
               + np.maximum(size - top, 0) * allotments.additional[area])
    contribution = np.ceil(net * param("us.usda.snap.expected_contribution_rate") - 1e-7)
    minimum_rate = param("us.usda.snap.min_allotment.rate")
    minimum = np.where(size <= param("us.usda.snap.min_allotment.max_household_size"),
                       np.floor(minimum_rate * allotments.dense[area, 0] + 0.5), 0)
    benefit = np.maximum(np.maximum(maximum - contribution, minimum), 0)
    eligible = passes & (benefit > 0)
    return eligible, np.where(eligible, benefit, 0)


def timed(function, repeat: int) -> tuple[float, object]:
    """Median seconds over `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rules", default=None, help="Rule set directory (default: rules/).")
    args = parser.parse_args()
    ruleset = load_rules(args.rules)
    data = generate(ruleset, args.households)
    n = args.households
    t_numpy, (np_eligible, np_amount) = timed(lambda: numpy_run(ruleset, data), args.repeat)
    t_known, ((eligible, _), (amount, _)) = timed(lambda: engine_run(ruleset, data, 0.0), args.repeat)
    t_unknown, ((_, known), _) = timed(lambda: engine_run(ruleset, data, 0.3), args.repeat)
    agree = bool(np.array_equal(eligible, np_eligible) and np.allclose(amount, np_amount))
    print(f"households: {n:,} ({len(data['person_household']):,} people), date {DATE}, "
          f"median of {args.repeat} runs")
    print(f"hand-written numpy        : {n / t_numpy:>12,.0f} households/s ({t_numpy * 1000:.0f} ms)")
    print(f"engine, all facts known   : {n / t_known:>12,.0f} households/s ({t_known * 1000:.0f} ms)"
          f"  ratio to numpy {t_known / t_numpy:.2f}x")
    print(f"engine, 30% facts unknown : {n / t_unknown:>12,.0f} households/s ({t_unknown * 1000:.0f} ms)"
          f"  cost of unknowns {t_unknown / t_known:.2f}x; decided {np.mean(known):.0%}")
    print(f"engine and numpy agree on every household: {agree}")


if __name__ == "__main__":
    main()
