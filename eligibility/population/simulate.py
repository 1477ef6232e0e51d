"""Run a population file through the engine partition by partition on Dask, baseline and reform.

Each partition is converted to arrays (columns.to_arrays), simulated once for the baseline and
once for the reform, and reduced to a small matrix of exact sums (aggregate.partition_sums); the
client adds the matrices up. Workers build the rule set once per process from a bundle of the rule
files (checked against its digest) and keep reformed rule sets by reform digest, so a run on a
remote cluster needs the package installed there, not the rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from eligibility.errors import Problem, RuleError
from eligibility.population import DEFAULT_MEMORY_LIMIT, DEFAULT_PARTITION
from eligibility.population.aggregate import Layout, partition_sums
from eligibility.population.columns import column_dtypes, to_arrays
from eligibility.population.report import summary_from_sums
from eligibility.reforms import ReformCache, apply_reform
from eligibility.ruleset import load_rules
from eligibility.screening import check_request
from eligibility.simulation import Simulation


@dataclass(frozen=True)
class RulesBundle:
    """The rule files as bytes, by path relative to the rules directory, and their digest."""

    digest: str
    files: tuple[tuple[str, bytes], ...]


def bundle_rules(ruleset) -> RulesBundle:
    """Every file of a loaded rule set, to rebuild it on a worker that may not have it."""
    root = Path(ruleset.root)
    files = tuple((p.relative_to(root).as_posix(), p.read_bytes())
                  for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts)
    return RulesBundle(ruleset.digest, files)


_RULES: dict = {}
_REFORMS = ReformCache()
_LOCK = threading.Lock()
_BUILDS = {"count": 0}


def rules_builds() -> int:
    """How many times this process has built a rule set from a bundle (once per digest)."""
    return _BUILDS["count"]


def worker_rules(bundle: RulesBundle):
    """The bundle's rule set, built once per process and kept by digest."""
    with _LOCK:
        ruleset = _RULES.get(bundle.digest)
        if ruleset is None:
            with tempfile.TemporaryDirectory(prefix="eligibility-") as folder:
                root = Path(folder) / "rules"
                for relative, content in bundle.files:
                    (root / relative).parent.mkdir(parents=True, exist_ok=True)
                    (root / relative).write_bytes(content)
                ruleset = load_rules(root)
                _BUILDS["count"] += 1
            if ruleset.digest != bundle.digest:  # pragma: no cover - the bundle is made from these files
                raise RuleError([Problem("rules", 0, f"rebuilt rules have digest {ruleset.digest}, "
                                                     f"the job's have {bundle.digest}")])
            _RULES[bundle.digest] = ruleset
    return ruleset


def affected_variables(base, reformed) -> frozenset:
    """Variables whose values a reform can change: drafted ones, readers of changed parameters, and
    everything that depends on them. The others are carried over from the baseline simulation."""
    changed = [str(p) for p in (reformed.reform.get("parameters") or {})]
    direct = set()
    for name, variable in reformed.variables.items():
        if variable is not base.variables.get(name):
            direct.add(name)
        read = {path for formula in variable.formulas for path, _ in formula.parameters}
        if any(c == p or c.startswith(p + ".") or p.startswith(c + ".") for c in changed for p in read):
            direct.add(name)
    affected, stack = set(direct), list(direct)
    while stack:
        for reader in reformed.dependents.get(stack.pop(), ()):
            if reader not in affected:
                affected.add(reader)
                stack.append(reader)
    return frozenset(affected)


def reformed_rules(base, reform: dict):
    """(reformed rule set, affected variables), both kept as long as the reform cache keeps the rule set."""
    reformed = _REFORMS.get(base, reform)
    with _LOCK:
        # On the reformed rule set, not in a table of our own: a long-lived worker that sees many drafts
        # keeps only what the bounded reform cache keeps.
        memo = reformed.memos.setdefault("population", {})
        affected = memo.get("affected")
        if affected is None:
            affected = memo["affected"] = affected_variables(base, reformed)
    return reformed, affected


def evaluate_frame(layout: Layout, base, frame: pd.DataFrame, date: dt.date, reform=None) -> np.ndarray:
    """The matrix of sums for one frame of households: baseline, and the reform when given."""
    person_household, count, inputs = to_arrays(base, frame)
    base_sim = Simulation(base, date, person_household, count, inputs)
    for program_id in layout.programs:  # settle the baseline first, so the reform can reuse it
        program = base.programs[program_id]
        for name in (program.eligible, program.amount):
            if name:
                base_sim.calculate(name)
    reform_sim = None
    if reform is not None:
        reformed, affected = reformed_rules(base, reform)
        reform_sim = Simulation(reformed, date, person_household, count, inputs)
        reform_sim.cache.update({n: r for n, r in base_sim.cache.items() if n not in affected})
    try:
        return partition_sums(layout, base_sim, reform_sim)
    finally:
        # The frame's arrays go now, not when the garbage collector next reaches the simulations' cycles:
        # two frames of 100,000 households, three times over, peaked at 567 MiB without this, 413 MiB with it.
        for sim in (base_sim, reform_sim):
            if sim is not None:
                sim.release()


def _partition_task(frame, bundle: RulesBundle, layout: Layout, date_text: str, reform) -> pd.DataFrame:
    """Worker side: one partition's matrix of sums, as a frame (one row per metric)."""
    if len(frame) == 0:  # dask's metadata probe, and empty partitions
        return pd.DataFrame(np.zeros((0, layout.groups)))
    base = worker_rules(bundle)
    return pd.DataFrame(evaluate_frame(layout, base, frame, dt.date.fromisoformat(date_text), reform))


def default_date(ruleset, today: dt.date | None = None) -> dt.date:
    """Today, or the last day every program is modelled when today is past it."""
    today = today or dt.date.today()
    return min(today, min(p.end for p in ruleset.programs.values()))


def prepare(ruleset, date: dt.date, reform: dict | None, programs: list[str] | None):
    """(layout, plain reform dict or None, reformed rule set or None), after checking the request."""
    chosen = check_request(ruleset, date, programs)
    plain = None if reform is None else json.loads(json.dumps(reform, default=str))
    reformed = None if plain is None else apply_reform(ruleset, plain)
    states = tuple(ruleset.variables["state"].possible_values)
    return Layout(states, tuple(p.id for p in chosen), plain is not None), plain, reformed


def simulate_frame(ruleset, frame: pd.DataFrame, date: dt.date, reform: dict | None = None,
                   programs: list[str] | None = None) -> dict:
    """The population summary of one in-memory frame, in this process (no Dask)."""
    layout, plain, reformed = prepare(ruleset, date, reform, programs)
    sums = evaluate_frame(layout, ruleset, frame, date, plain)
    return summary_from_sums(layout, sums, ruleset, date, reformed)


def read_population(path: Path | str, ruleset, partition_size: int = DEFAULT_PARTITION):
    """A dask DataFrame of a Parquet file (or folder) or a CSV file, about `partition_size` rows a partition."""
    import dask.dataframe as dd
    import pyarrow.parquet as pq

    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open("rb") as file:
            sample = file.read(1 << 20)
        first_line = sample.split(b"\n", 1)[0]
        header = next(csv.reader([first_line.decode()]))
        rows = sample[len(first_line) + 1:]
        row_bytes = len(rows) / max(rows.count(b"\n"), 1)
        dtypes = {name: dtype for name, dtype in column_dtypes(ruleset).items() if name in header}
        return dd.read_csv(path, dtype=dtypes, blocksize=max(int(row_bytes * partition_size), 1 << 16))
    first = path if path.is_file() else next(iter(sorted(path.rglob("*.parquet"))))
    metadata = pq.ParquetFile(first).metadata
    group_rows = max(metadata.row_group(0).num_rows, 1) if metadata.num_row_groups else 1
    return dd.read_parquet(path, split_row_groups=max(1, round(partition_size / group_rows)))


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None,
                memory_limit: str = DEFAULT_MEMORY_LIMIT, processes: bool = True):
    """A client of the scheduler at `scheduler`, or of a new local cluster (one process per core)."""
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    # Dask sets MALLOC_TRIM_THRESHOLD_ for its workers, which turns off glibc's adaptive mmap threshold:
    # every large array is then mapped and unmapped afresh, which makes this workload ~3x slower.
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}), \
            LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=processes,
                         memory_limit=memory_limit, dashboard_address=":0") as cluster, Client(cluster) as client:
        yield client


def _peak_memory() -> int:
    """This process's peak resident memory in bytes.

    Linux's VmHWM, not getrusage's ru_maxrss: a spawned worker inherits the ru_maxrss of the
    process that forked it (the client, however big it was), while VmHWM starts afresh at exec.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    import resource  # pragma: no cover

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # pragma: no cover


def simulate_population(client, path: Path | str, ruleset, date: dt.date, reform: dict | None = None,
                        programs: list[str] | None = None, partition_size: int = DEFAULT_PARTITION,
                        progress: bool = False) -> dict:
    """The population summary of the file at `path`, computed on the cluster behind `client`."""
    import dask
    from dask.distributed import as_completed
    from dask.distributed import progress as progress_bar

    started = time.perf_counter()
    layout, plain, reformed = prepare(ruleset, date, reform, programs)
    frame = read_population(path, ruleset, partition_size)
    bundle = dask.delayed(bundle_rules(ruleset), pure=True)
    meta = pd.DataFrame(np.zeros((0, layout.groups)))
    # Reading and evaluating fuse into one task per partition: no frame is stored or moved.
    sums_frames = frame.map_partitions(_partition_task, bundle, layout, date.isoformat(), plain, meta=meta,
                                       enforce_metadata=False, align_dataframes=False)
    parts = sums_frames.to_delayed()
    futures = client.compute(parts)
    if progress:
        progress_bar(futures)
    sums = np.zeros((len(layout.metrics), layout.groups))
    for future in as_completed(futures):  # whole-number sums: the order of addition does not matter
        sums += future.result().to_numpy()
        future.release()
    summary = summary_from_sums(layout, sums, ruleset, date, reformed)
    peaks = client.run(_peak_memory)
    summary["run"] = {"file": str(path), "partitions": len(parts), "workers": len(peaks),
                      "seconds": round(time.perf_counter() - started, 2),
                      "worker_peak_memory_bytes": dict(sorted(peaks.items()))}
    return summary
