"""Benchmark: 10,000 households in one HTTP request, ours beside OpenFisca's web API /calculate.

Run: `.venv/bin/python -m bench.batch [--households 10000] [--workers 1]`. Both servers run under
gunicorn on the same rules with the same worker count; both get the same synthetic households (all
facts given, all six programs) in one request. Also times our batch at several sizes to show the
cost grows linearly with the number of households.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in (HERE, ROOT)]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from api.serve import gunicorn_argv  # noqa: E402
from bench.http import free_port, openfisca_situation, post, wait_ready  # noqa: E402
from eligibility import load_rules  # noqa: E402

DATE = "2025-11-15"
STATES = ["CA", "TX", "NY", "FL", "PA", "OH", "GA", "NC", "MI", "UT"]


def households(count: int, seed: int = 7) -> list[dict]:
    """Households with every contract fact given (OpenFisca would read a missing one as zero)."""
    rng = random.Random(seed)
    result = []
    for _ in range(count):
        size = rng.choice([1, 1, 2, 2, 3, 4, 5])
        members = []
        for m in range(size):
            adult = m == 0 or (m == 1 and size > 2)
            members.append({"id": f"m{m}", "age": rng.randint(19, 70) if adult else rng.randint(0, 17),
                            "relationship": "head" if m == 0 else ("spouse" if adult else "child"),
                            "earned_income": rng.choice([0, 800, 1500, 2500, 4000]) if adult else 0,
                            "unearned_income": rng.choice([0, 0, 300]), "is_disabled": False,
                            "is_pregnant": False, "is_breastfeeding": False, "is_student": False,
                            "months_postpartum": 12, "expected_babies": 0})
        result.append({"state": rng.choice(STATES), "members": members, "shelter_costs": rng.choice([0, 700, 1400]),
                       "utility_costs": 150, "dependent_care_costs": 0, "child_support_paid": 0,
                       "medical_expenses": 0, "assets": rng.choice([0, 1000, 5000]), "is_homeless": False,
                       "receives_snap": False, "receives_tanf": False, "receives_ssi": False,
                       "receives_medicaid": False, "filing_status": "single", "investment_income": 0})
    return result


def openfisca_batch(ruleset, batch: list[dict]) -> dict:
    """All households as one OpenFisca situation (ids made unique)."""
    persons, groups = {}, {}
    for h, household in enumerate(batch):
        renamed = {**household, "members": [{**m, "id": f"h{h}_{m['id']}"} for m in household["members"]]}
        situation = openfisca_situation(ruleset, {"date": DATE, "household": renamed})
        persons.update(situation["persons"])
        groups[f"h{h}"] = situation["households"]["household"]
    return {"persons": persons, "households": groups}


def start(app_spec: str, port: int, workers: int) -> subprocess.Popen:
    """gunicorn as in bench.http, with a worker timeout long enough for OpenFisca's large batches."""
    argv = gunicorn_argv("127.0.0.1", port, workers)
    argv[argv.index("--access-logfile") + 1] = "/dev/null"
    argv[-1:] = ["--timeout", "900", app_spec]
    # Throughput is measured past the default per-request limits (4,000 households; see docs/api.md).
    env = {**os.environ, "ELIGIBILITY_RATELIMIT_APPLICATION": "100000000 per minute",
           "ELIGIBILITY_BATCH_MAX_HOUSEHOLDS": "10000", "ELIGIBILITY_BATCH_MAX_MEMBERS": "100000",
           "ELIGIBILITY_REQUEST_TIME_BUDGET": "0"}
    # Logs to a file: a pipe nobody reads would fill with access lines and stall the server.
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=tempfile.TemporaryFile())


def timed_post(port: int, path: str, body: bytes) -> float:
    start_time = time.perf_counter()
    status, _ = post(port, path, body, timeout=900)
    if status != 200:
        raise SystemExit(f"{path} answered {status}")
    return time.perf_counter() - start_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--compare-households", type=int, default=1000,
                        help="Size of the side-by-side run with OpenFisca (its time grows faster than linearly: "
                             "10,000 households did not finish on a 2-core machine).")
    args = parser.parse_args()
    ruleset = load_rules()
    batch = households(args.households)
    ours_port, theirs_port = free_port(), free_port()
    servers = [start("api.wsgi:app", ours_port, args.workers),
               start("bench.http:openfisca_app()", theirs_port, args.workers)]
    try:
        wait_ready(servers[0], ours_port, "/v1/screen/batch?date=" + DATE, json.dumps(batch[:1]).encode())
        wait_ready(servers[1], theirs_port, "/calculate", json.dumps(openfisca_batch(ruleset, batch[:1])).encode())
        print(f"{args.households:,} households, all six programs, {args.workers} gunicorn worker(s) each")
        for size in sorted({1000, 2500, 5000, args.households}):
            body = json.dumps(batch[:size]).encode()
            seconds = min(timed_post(ours_port, f"/v1/screen/batch?date={DATE}", body) for _ in range(3))
            print(f"ours   {size:>6,} households: {seconds:7.2f} s  {seconds / size * 1e6:7.1f} us/household")
        same = batch[:args.compare_households]
        ours = min(timed_post(ours_port, f"/v1/screen/batch?date={DATE}", json.dumps(same).encode())
                   for _ in range(3))
        theirs = timed_post(theirs_port, "/calculate", json.dumps(openfisca_batch(ruleset, same)).encode())
        print(f"OpenFisca /calculate   {len(same):,} households: {theirs:7.2f} s")
        print(f"ours /v1/screen/batch  {len(same):,} households: {ours:7.2f} s  -> {theirs / ours:.1f}x faster")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
