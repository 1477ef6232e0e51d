"""Benchmark: one household's formulas on Python scalars beside the numpy simulation, in one process.

Run: `.venv/bin/python bench/one_household.py --repeat 500`. For each worked request in
tests/situations, builds the household's inputs once, then times (interleaved) a fresh simulation
computing every program's decision and amount: numpy arrays (`Simulation`, what batches use) and
scalars (`OneHouseholdSimulation`, what a single screening uses). Prints medians and the ratio, after
checking both give the same decisions and amounts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from functools import partial
from pathlib import Path

from eligibility import load_rules
from eligibility.household import build_one, convert
from eligibility.simulation import Simulation

SITUATIONS = sorted((Path(__file__).resolve().parent.parent / "tests" / "situations").glob("*.json"))


def _known_only(value, known):
    """A result with unknown entries blanked: their values are filler, free to differ."""
    if isinstance(value, list):
        return [v if k else None for v, k in zip(value, known, strict=True)]
    return value if known else None


def with_arrays(ruleset, date, person_household, inputs, names) -> list:
    """Every decision and amount from a numpy simulation of the converted household."""
    sim = Simulation(ruleset, date, person_household, 1, inputs)
    members = range(len(person_household))
    return [sim.household_item(n, 0) if ruleset.variables[n].entity == "household" else sim.member_items(n, members)
            for n in names]


def with_scalars(ruleset, date, household, names) -> list:
    """Every decision and amount from the household's own scalar simulation (facts checked on the way)."""
    sim = build_one(ruleset, date, household)
    return [sim.scalar(n) for n in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=500)
    args = parser.parse_args()
    ruleset = load_rules()
    names = [n for p in ruleset.programs.values() for n in (p.eligible, p.amount) if n]
    print(f"{'situation':34}{'numpy ms':>10}{'scalar ms':>11}{'ratio':>8}")
    ratios = []
    for path in SITUATIONS:
        request = json.loads(path.read_text())
        household, date = request["household"], dt.date.fromisoformat(request["date"])
        person_household, inputs, _ = convert(ruleset, [household], False)

        arrays = partial(with_arrays, ruleset, date, person_household, inputs, names)
        scalars = partial(with_scalars, ruleset, date, household, names)
        assert [_known_only(*r) for r in arrays()] == [_known_only(*r) for r in scalars()], path.name
        times = {"numpy": [], "scalar": []}
        for _ in range(args.repeat):
            for name, run in (("numpy", arrays), ("scalar", scalars)):
                started = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - started)
        numpy_ms, scalar_ms = (statistics.median(times[k]) * 1000 for k in ("numpy", "scalar"))
        ratios.append(numpy_ms / scalar_ms)
        print(f"{path.stem:34}{numpy_ms:10.3f}{scalar_ms:11.3f}{numpy_ms / scalar_ms:7.2f}x")
    print(f"median ratio {statistics.median(ratios):.2f}x (the scalar run includes checking the facts; "
          "the numpy run starts from converted columns)")


if __name__ == "__main__":
    main()
