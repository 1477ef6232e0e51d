"""Synthetic populations of households in the flat column scheme, written to Parquet or CSV.

The distributions are documented, with their sources or as illustrative, in docs/population.md.
Households are drawn in fixed chunks of CHUNK rows, chunk j from the generator seeded
(seed, j), so a population is the same whether it is built whole or written chunk by chunk.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from eligibility.population.columns import ID_COLUMN, MAX_MEMBERS, column_dtypes

CHUNK = 100_000

# Resident population on 1 April 2020 (U.S. Census Bureau, 2020 Census apportionment results,
# released 26 April 2021); the 50 states and DC sum to 331,449,281.
STATE_POPULATION = {
    "AL": 5024279, "AK": 733391, "AZ": 7151502, "AR": 3011524, "CA": 39538223, "CO": 5773714,
    "CT": 3605944, "DE": 989948, "DC": 689545, "FL": 21538187, "GA": 10711908, "HI": 1455271,
    "ID": 1839106, "IL": 12812508, "IN": 6785528, "IA": 3190369, "KS": 2937880, "KY": 4505836,
    "LA": 4657757, "ME": 1362359, "MD": 6177224, "MA": 7029917, "MI": 10077331, "MN": 5706494,
    "MS": 2961279, "MO": 6154913, "MT": 1084225, "NE": 1961504, "NV": 3104614, "NH": 1377529,
    "NJ": 9288994, "NM": 2117522, "NY": 20201249, "NC": 10439388, "ND": 779094, "OH": 11799448,
    "OK": 3959353, "OR": 4237256, "PA": 13002700, "RI": 1097379, "SC": 5118425, "SD": 886667,
    "TN": 6910840, "TX": 29145505, "UT": 3271616, "VT": 643077, "VA": 8631393, "WA": 7705281,
    "WV": 1793716, "WI": 5893718, "WY": 576851,
}
# Illustrative: shaped like the Census Bureau's CPS household sizes (about 28% one person, 34%
# two, a mean near 2.5), capped at MAX_MEMBERS.
SIZE_SHARES = np.array([0.28, 0.34, 0.15, 0.13, 0.06, 0.025, 0.01, 0.005])
# Illustrative age bands of the head of household: 18-24, 25-34, ..., 75-89.
HEAD_AGE_BANDS = [(18, 24, 0.06), (25, 34, 0.17), (35, 44, 0.18), (45, 54, 0.17), (55, 64, 0.18),
                  (65, 74, 0.14), (75, 89, 0.10)]
HEAD, SPOUSE, CHILD, OTHER = range(4)
# The values the draws below number 0, 1, 2, ...; mapped to the rules' own order when written.
DRAWN_ORDER = {
    "relationship": ("head", "spouse", "child", "other"),
    "filing_status": ("single", "married_filing_jointly", "head_of_household", "married_filing_separately"),
    "alaska_area": ("urban", "rural_1", "rural_2"),
    "new_york_utility_area": ("new_york_city", "nassau_suffolk", "rest_of_state"),
}


def _lognormal(rng, median: float, sigma: float, size) -> np.ndarray:
    return np.round(rng.lognormal(np.log(median), sigma, size))


def _members(rng, count: int) -> dict:
    """(count, MAX_MEMBERS) matrices of member facts; `present` marks occupied slots."""
    shape = (count, MAX_MEMBERS)
    size = rng.choice(np.arange(1, MAX_MEMBERS + 1), size=count, p=SIZE_SHARES / SIZE_SHARES.sum())
    present = np.arange(MAX_MEMBERS) < size[:, None]
    relationship = np.where(rng.random(shape) < 0.75, CHILD, OTHER)
    relationship[:, 1] = np.where(rng.random(count) < 0.55, SPOUSE, relationship[:, 1])
    relationship[:, 0] = HEAD
    low, high, shares = (np.array(x) for x in zip(*HEAD_AGE_BANDS, strict=True))
    band = rng.choice(len(shares), size=count, p=shares)
    head_age = rng.integers(low[band], high[band] + 1)
    spouse_age = np.clip(head_age + np.round(rng.normal(0, 4, count)), 18, 95)
    child_age = np.floor(rng.random(shape) * np.clip(head_age - 15, 1, 18)[:, None])
    other_age = rng.integers(18, 90, shape)
    age = np.select([relationship == HEAD, relationship == SPOUSE, relationship == CHILD],
                    [np.broadcast_to(head_age[:, None], shape), np.broadcast_to(spouse_age[:, None], shape),
                     child_age], other_age).astype(float)
    adult = age >= 18
    works = rng.random(shape) < np.select([age < 16, age < 18, age < 65, age < 75], [0.0, 0.2, 0.78, 0.25], 0.08)
    earned = np.where(works, np.where(adult, _lognormal(rng, 4200, 0.8, shape), _lognormal(rng, 600, 0.6, shape)), 0)
    disabled = rng.random(shape) < np.select([~adult, age < 65], [0.04, 0.07], 0.2)
    pension = (age >= 62) & (rng.random(shape) < 0.85)
    disability_benefit = adult & disabled & ~pension & (rng.random(shape) < 0.6)
    other_income = rng.random(shape) < 0.06
    unearned = np.select([pension, disability_benefit, other_income],
                         [_lognormal(rng, 1700, 0.4, shape), _lognormal(rng, 1100, 0.4, shape),
                          _lognormal(rng, 400, 0.8, shape)], 0)
    childbearing = (age >= 16) & (age <= 44) & (relationship != CHILD) & (rng.random(shape) < 0.5)
    pregnant = childbearing & (rng.random(shape) < 0.05)
    recent_birth = childbearing & ~pregnant & (rng.random(shape) < 0.05)
    months = np.where(recent_birth, rng.integers(0, 12, shape), 12)  # 12 or more: none in the last year
    student = rng.random(shape) < np.select([age < 5, age < 18, age < 24], [0.0, 0.97, 0.35], 0.02)
    child = relationship == CHILD
    return {
        "present": present, "size": size, "age": age, "relationship": relationship, "earned_income": earned,
        "unearned_income": unearned, "is_disabled": disabled, "is_pregnant": pregnant,
        "is_breastfeeding": recent_birth & (rng.random(shape) < 0.6), "is_student": student,
        "months_postpartum": months.astype(float),
        "expected_babies": np.where(pregnant, np.where(rng.random(shape) < 0.03, 2, 1), 0).astype(float),
        "is_foster_child": child & (rng.random(shape) < 0.004),
        "is_migrant_child": child & (rng.random(shape) < 0.002),
        "is_runaway_child": child & (rng.random(shape) < 0.001),
    }


def _households(rng, count: int, people: dict, states: list[str]) -> dict:
    """Household facts, drawn given the members (children, elders, a spouse)."""
    present, age, relationship = people["present"], people["age"], people["relationship"]
    weights = np.array([STATE_POPULATION[s] for s in states], dtype=float)
    state = rng.choice(len(states), size=count, p=weights / weights.sum())
    homeless = rng.random(count) < 0.01
    young_child = (present & (age < 13) & (relationship == CHILD)).any(axis=1)
    has_child = (present & (relationship == CHILD)).any(axis=1)
    elder_or_disabled = (present & ((age >= 60) | people["is_disabled"])).any(axis=1)
    married = (present & (relationship == SPOUSE)).any(axis=1)
    separate = married & (rng.random(count) < 0.07)
    filing = np.select([separate, married, has_child], [3, 1, 2], 0)
    is_state = {s: state == states.index(s) for s in ("AK", "NY")}
    return {
        "state": state,
        "alaska_area": np.where(is_state["AK"], rng.choice(3, count, p=[0.6, 0.25, 0.15]), -1),
        "alaska_utility_region": np.where(is_state["AK"], rng.integers(0, 6, count), -1),
        "new_york_utility_area": np.where(is_state["NY"], rng.choice(3, count, p=[0.45, 0.13, 0.42]), -1),
        "shelter_costs": np.where(homeless, 0, _lognormal(rng, 1100, 0.55, count)),
        "utility_costs": _lognormal(rng, 250, 0.4, count),
        "pays_heating_or_cooling": rng.random(count) < 0.75,
        "dependent_care_costs": np.where(young_child & (rng.random(count) < 0.3), _lognormal(rng, 500, 0.6, count), 0),
        "child_support_paid": np.where(rng.random(count) < 0.04, _lognormal(rng, 400, 0.5, count), 0),
        "medical_expenses": np.where(elder_or_disabled & (rng.random(count) < 0.6),
                                     _lognormal(rng, 120, 0.9, count), 0),
        "assets": _lognormal(rng, 3000, 1.5, count),
        "is_homeless": homeless,
        "receives_snap": rng.random(count) < 0.12,
        "receives_tanf": rng.random(count) < 0.01,
        "receives_ssi": rng.random(count) < 0.04,
        "receives_medicaid": rng.random(count) < 0.2,
        "receives_public_housing_assistance": rng.random(count) < 0.03,
        "receives_veterans_pension": rng.random(count) < 0.003,
        "receives_fdpir": rng.random(count) < 0.001,
        "filing_status": filing,
        "separated_from_spouse": separate & (rng.random(count) < 0.3),
        "investment_income": np.where(rng.random(count) < 0.25, _lognormal(rng, 800, 1.5, count), 0),
    }


def _column(dtype, values: np.ndarray, known: np.ndarray):
    """A nullable pandas array: missing where `known` is False (or an enum code is -1)."""
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Categorical.from_codes(np.where(known, values, -1).astype(np.int16), dtype=dtype)
    if dtype == "boolean":
        return pd.arrays.BooleanArray(values.astype(bool), ~known)
    if dtype == "Int32":
        return pd.arrays.IntegerArray(values.astype(np.int32), ~known)
    return np.where(known, values.astype(float), np.nan)


def _chunk(ruleset, count: int, seed: int, index: int) -> pd.DataFrame:
    rng = np.random.default_rng([seed, index])
    people = _members(rng, count)
    states = list(ruleset.variables["state"].possible_values)
    facts = _households(rng, count, people, states)
    everyone = np.ones(count, dtype=bool)
    data = {ID_COLUMN: np.arange(index * CHUNK, index * CHUNK + count, dtype=np.int64)}
    for name, dtype in column_dtypes(ruleset).items():
        if name == ID_COLUMN:
            continue
        if name.startswith("members."):
            _, slot, fact = name.split(".", 2)
            matrix = people.get(fact)
            values = None if matrix is None else matrix[:, int(slot)]
            known = people["present"][:, int(slot)]
        else:
            values, known = facts.get(name), everyone
        if values is None:  # a fact the generator does not draw (a new rule's) stays unknown
            values, known = np.zeros(count), ~everyone
        elif values.dtype != bool:
            known = known & (values >= 0)  # enum code -1: does not apply here, left unknown
        fact = name.rsplit(".", 1)[-1]
        if fact in DRAWN_ORDER:
            positions = np.array([list(dtype.categories).index(v) for v in DRAWN_ORDER[fact]])
            values = positions[np.where(known, values, 0).astype(np.intp)]
        data[name] = _column(dtype, values, known)
    return pd.DataFrame(data)


def synthesize(ruleset, households: int, seed: int = 0) -> pd.DataFrame:
    """A synthetic population of `households` rows in the flat column scheme (see columns.py)."""
    return pd.concat(list(chunks(ruleset, households, seed)), ignore_index=True)


def chunks(ruleset, households: int, seed: int = 0):
    """The population of `synthesize` as successive frames of at most CHUNK rows."""
    for index, start in enumerate(range(0, households, CHUNK)):
        yield _chunk(ruleset, min(CHUNK, households - start), seed, index)


def write_population(ruleset, households: int, seed: int, path: Path | str, row_group_size: int = CHUNK) -> Path:
    """Write a synthetic population to Parquet (`.parquet`, row groups of `row_group_size` rows, the
    unit Dask partitions are made of) or CSV (`.csv`), chunk by chunk."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise ValueError(f"unsupported population file {path.name}: name it .parquet or .csv")
    writer = None
    try:
        for frame in chunks(ruleset, households, seed):
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = (pq.ParquetWriter(path, table.schema, compression="zstd") if suffix == ".parquet"
                          else pa_csv.CSVWriter(path, table.schema))
            if suffix == ".parquet":
                writer.write_table(table, row_group_size=row_group_size)
            else:
                writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    return path
