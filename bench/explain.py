"""Benchmark: the cost of explanations, traces and a 200-point vary axis, beside a bare screening.

Run: `.venv/bin/python bench/explain.py --repeat 400`. Screens the worked example household for
every program in one process, interleaving the variants so machine noise hits them alike, and
prints the median time of each and its ratio to `explain=none`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import statistics
import time
from pathlib import Path

from eligibility import load_rules
from eligibility.screening import screen

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "household.json"
VARY = {"fact": "members.alex.earned_income", "from": 0, "to": 9950, "step": 50}  # 200 points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=400)
    args = parser.parse_args()
    ruleset = load_rules()
    request = json.loads(EXAMPLE.read_text())
    household, date = request["household"], dt.date.fromisoformat(request["date"])
    variants = {
        "explain=none": lambda: screen(ruleset, household, date, explain="none"),
        "explain=summary": lambda: screen(ruleset, household, date, explain="summary"),
        "explain=trace": lambda: screen(ruleset, household, date, explain="trace"),
        "vary (200 points), explain=none": lambda: screen(ruleset, household, date, explain="none", vary=VARY),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for run in variants.values():
        run()  # warm the parameter cache
    # As the server does once the rules are loaded (api/wsgi.py): long-lived objects out of every collection.
    gc.collect()
    gc.freeze()
    for _ in range(args.repeat):
        for name, run in variants.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["explain=none"])
    print(f"programs: {', '.join(ruleset.programs)}; {args.repeat} interleaved runs each, medians")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:<34} {median * 1000:7.2f} ms   {median / base:5.2f}x explain=none")


if __name__ == "__main__":
    main()
