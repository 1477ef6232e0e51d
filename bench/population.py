"""Benchmark: population runs, in process on one core and on the local Dask cluster.

Run: `.venv/bin/python -m bench.population` (both parts), or `--part engine` / `--part cluster`.

(a) engine: synthetic households converted to arrays once, then all six programs' decisions and
    amounts (no explanations) in one process, partition by partition as the Dask workers do it:
    households per second of wall time and per CPU second, medians of `--repeat` runs. The arrays
    conversion and the aggregation into sums are timed beside it. `--profile` prints what dominates.
(b) cluster: `--households` (default 10,000,000) from a Parquet file (written first if missing,
    not timed), baseline and a reform, on a new LocalCluster with one worker process per core:
    wall time, the workers' CPU time, and each worker's peak resident memory.

The machine is shared: the load average is printed with every figure.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import statistics
import time
from pathlib import Path

from eligibility import load_rules
from eligibility.population import DEFAULT_PARTITION
from eligibility.population.aggregate import partition_sums
from eligibility.population.columns import to_arrays
from eligibility.population.simulate import dask_client, prepare, simulate_population
from eligibility.population.synth import chunks, write_population
from eligibility.simulation import Simulation
from eligibility.yamlfile import load_yaml

DATE = dt.date(2026, 6, 30)
REFORM = Path(__file__).resolve().parent.parent / "examples" / "reforms" / "snap_gross_limit_200.yaml"


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def _decide(ruleset, arrays) -> Simulation:
    """Every program's decision and amount for one partition's arrays."""
    sim = Simulation(ruleset, DATE, *arrays)
    for program in ruleset.programs.values():
        sim.calculate(program.eligible)
        if program.amount:
            sim.calculate(program.amount)
    return sim


def engine(ruleset, households: int, repeat: int, profile: bool) -> None:
    """(a) all six programs in this process, on one core."""
    frames = list(chunks(ruleset, households, seed=1))
    started = time.perf_counter()
    partitions = [to_arrays(ruleset, frame) for frame in frames]
    convert = time.perf_counter() - started
    del frames
    layout, _, _ = prepare(ruleset, DATE, None, None)
    walls, cpus, sums = [], [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        sims = [_decide(ruleset, arrays) for arrays in partitions]
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        started = time.perf_counter()
        for sim in sims:
            partition_sums(layout, sim)
        sums.append(time.perf_counter() - started)
        del sims
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"(a) in process: {households:,} households in partitions of {DEFAULT_PARTITION:,}, "
          f"six programs, median of {repeat}; {_load()}")
    print(f"    engine     : {households / wall:>12,.0f} households/s wall ({wall:.2f} s), "
          f"{households / cpu:>12,.0f} per CPU second")
    print(f"    to arrays  : {households / convert:>12,.0f} households/s (columns to the engine's arrays)")
    print(f"    sums       : {households / statistics.median(sums):>12,.0f} households/s (aggregation)")
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for arrays in partitions:
            _decide(ruleset, arrays)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


def cluster(ruleset, households: int, path: Path, partition_size: int) -> None:
    """(b) baseline and reform of a whole population file on the local Dask cluster."""
    if not path.exists():
        started = time.perf_counter()
        write_population(ruleset, households, 1, path)
        print(f"    wrote {path} in {time.perf_counter() - started:.0f} s (not part of the measure)")
    reform = load_yaml(REFORM.read_text(encoding="utf-8"))
    print(f"(b) local Dask cluster: {path} ({path.stat().st_size / 2**20:,.0f} MiB), baseline and reform "
          f"'{reform['label']}'; {_load()}")
    started = time.perf_counter()
    with dask_client() as client:
        ready = time.perf_counter() - started
        summary = simulate_population(client, path, ruleset, DATE, reform, partition_size=partition_size)
        cpu = client.run(lambda: sum(os.times()[:2]))
    total = time.perf_counter() - started
    run = summary["run"]
    peaks = run["worker_peak_memory_bytes"].values()
    print(f"    households : {summary['totals']['households']:,} ({summary['totals']['people']:,} people), "
          f"{run['partitions']} partitions, {run['workers']} workers")
    print(f"    wall       : {total:.1f} s in all ({ready:.1f} s starting the cluster, {run['seconds']:.1f} s "
          f"the run): {summary['totals']['households'] / run['seconds']:,.0f} households/s, both scenarios")
    print(f"    worker CPU : {sum(cpu.values()):.1f} s in all")
    print(f"    peak memory: {', '.join(f'{p / 2**30:.2f} GiB' for p in peaks)} per worker; {_load()}")
    snap = summary["totals"]["programs"]["snap"]
    print(f"    check      : SNAP eligible {snap['baseline']['eligible']:,} -> {snap['reform']['eligible']:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["engine", "cluster", "both"], default="both")
    parser.add_argument("--engine-households", type=int, default=1_000_000)
    parser.add_argument("--households", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--population", type=Path, default=None,
                        help="Parquet file for (b); default /tmp/population-<households>.parquet.")
    parser.add_argument("--partition-size", type=int, default=DEFAULT_PARTITION)
    parser.add_argument("--profile", action="store_true", help="Profile (a) and print the top functions.")
    args = parser.parse_args()
    ruleset = load_rules()
    if args.part in ("engine", "both"):
        engine(ruleset, args.engine_households, args.repeat, args.profile)
    if args.part in ("cluster", "both"):
        path = args.population or Path(f"/tmp/population-{args.households}.parquet")
        cluster(ruleset, args.households, path, args.partition_size)


if __name__ == "__main__":
    main()
