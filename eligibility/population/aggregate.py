"""Per-partition sums of eligibility and amounts, by state, household size and income band.

A partition's result is one matrix of sums (metrics x groups). Every sum is a whole number (counts,
and amounts in cents), held exactly in float64, so partitions can be added in any order and a
distributed run gives exactly the single-process answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eligibility.cliffs import status_codes
from eligibility.population.columns import MAX_MEMBERS

# Monthly gross household income (every member's earned and unearned income), in $500 bands.
INCOME_EDGES = np.arange(0, 6001, 500.0)
SCENARIO_METRICS = ("eligible", "undetermined", "eligible_people", "amount_cents", "amount_known")
CHANGE_METRICS = ("newly_eligible", "newly_ineligible", "winners", "losers", "change_cents", "change_known")


def income_band_labels() -> list[str]:
    """`0-499`, `500-999`, ..., `6000+`, then `unknown`."""
    bands = [f"{int(a)}-{int(b) - 1}" for a, b in zip(INCOME_EDGES[:-1], INCOME_EDGES[1:], strict=True)]
    return [*bands, f"{int(INCOME_EDGES[-1])}+", "unknown"]


@dataclass(frozen=True)
class Layout:
    """Where each group and metric sits in a partition's matrix of sums."""

    states: tuple[str, ...]
    programs: tuple[str, ...]
    reform: bool

    @property
    def breakdowns(self) -> dict[str, list[str]]:
        """Group labels of each breakdown, in matrix order after the `all` column."""
        return {"state": [*self.states, "unknown"],
                "household_size": [str(s) for s in range(1, MAX_MEMBERS + 1)],
                "income_band": income_band_labels()}

    @property
    def groups(self) -> int:
        """Columns of the matrix: `all`, then every group of every breakdown."""
        return 1 + sum(len(labels) for labels in self.breakdowns.values())

    @property
    def metrics(self) -> list[tuple]:
        """(program or None, scenario or None, metric) for every row of the matrix."""
        rows = [(None, None, "households"), (None, None, "people")]
        scenarios = ("baseline", "reform") if self.reform else ("baseline",)
        for program in self.programs:
            rows += [(program, s, m) for s in scenarios for m in SCENARIO_METRICS]
            if self.reform:
                rows += [(program, "change", m) for m in CHANGE_METRICS]
        return rows


def _cells(layout: Layout, sim) -> tuple[np.ndarray, tuple[int, int, int]]:
    """Each household's cell in the state x household size x income band cube, and the cube's shape."""
    count = sim.sizes["household"]
    labels = layout.breakdowns
    shape = (len(labels["state"]), len(labels["household_size"]), len(labels["income_band"]))
    state, state_known = sim.calculate("state")
    state_key = state.astype(np.intp) if state_known is None else np.where(state_known, state, shape[0] - 1)
    size_key = np.minimum(sim.member_count(), MAX_MEMBERS).astype(np.intp) - 1
    index = sim.person_household
    income = np.zeros(count)
    income_known = np.ones(count, dtype=bool)
    for fact in ("earned_income", "unearned_income"):
        value, known = sim.inputs.get(fact, (None, np.zeros(len(index), dtype=bool)))
        if value is not None:
            income += np.bincount(index, weights=value, minlength=count)
        if known is not None:
            income_known &= np.bincount(index, weights=~known, minlength=count) == 0
    band = np.searchsorted(INCOME_EDGES, income, side="right") - 1
    band = np.where(income_known, band, shape[2] - 1)
    return (state_key * shape[1] + size_key) * shape[2] + band, shape


def program_outcome(sim, program) -> dict:
    """Per household: status code, amount in cents (ineligible: 0), whether it is known, eligible people."""
    codes = status_codes(sim, program)
    outcome = {"codes": codes, "cents": np.zeros(len(codes)), "amount_known": codes == 0, "people": None}
    if program.amount:
        value, known = sim.calculate(program.amount)
        paid = (codes == 1) & (True if known is None else known)
        outcome["cents"] = np.where(paid, np.rint(value * 100), 0.0)
        outcome["amount_known"] = (codes == 0) | paid
    if program.entity == "person":
        value, known = sim.calculate(program.eligible)
        sure = value if known is None else value & known
        outcome["people"] = np.bincount(sim.person_household, weights=sure, minlength=len(codes))
    return outcome


def _scenario_rows(outcome: dict) -> list[np.ndarray]:
    codes = outcome["codes"]
    people = outcome["people"] if outcome["people"] is not None else np.zeros(len(codes))
    eligible_known = (codes == 1) & outcome["amount_known"]
    return [codes == 1, codes == 2, people, np.where(eligible_known, outcome["cents"], 0.0), eligible_known]


def _change_rows(before: dict, after: dict) -> list[np.ndarray]:
    both = before["amount_known"] & after["amount_known"]
    change = np.where(both, after["cents"] - before["cents"], 0.0)
    eligible_before, eligible_after = before["codes"] == 1, after["codes"] == 1
    return [~eligible_before & eligible_after, eligible_before & ~eligible_after, change > 0, change < 0,
            change, both]


def partition_sums(layout: Layout, base_sim, reform_sim=None) -> np.ndarray:
    """The (metrics, groups) matrix of sums for one partition's simulations."""
    rows = [np.ones(base_sim.sizes["household"]), base_sim.member_count()]
    for program_id in layout.programs:
        before = program_outcome(base_sim, base_sim.ruleset.programs[program_id])
        rows += _scenario_rows(before)
        if reform_sim is not None:
            after = program_outcome(reform_sim, reform_sim.ruleset.programs[program_id])
            rows += _scenario_rows(after) + _change_rows(before, after)
    cells, shape = _cells(layout, base_sim)
    cube = np.stack([np.bincount(cells, weights=row, minlength=int(np.prod(shape))) for row in rows])
    cube = cube.reshape(len(rows), *shape)
    return np.concatenate([cube.sum(axis=(1, 2, 3))[:, None], cube.sum(axis=(2, 3)), cube.sum(axis=(1, 3)),
                           cube.sum(axis=(1, 2))], axis=1)
