"""Benchmark: this checkout beside another (an earlier commit), interleaved so machine noise hits both alike.

Run: `git worktree add ../before <commit>`, then `.venv/bin/python -m bench.versions ../before`.
1. HTTP: both checkouts' servers under gunicorn as `make serve` starts them (2 workers each), the
   same screening request (tests/situations/working_parent_two_children.json, every program) sent
   one at a time to each in turn on a bare socket, with explain=none and explain=summary, and two
   catalogue reads (the programs list and a parameter table): p50 and p95.
2. In process: this checkout's `bench/explain.py` on each checkout's code, run in turn `--rounds`
   times: the median, per variant, of the rounds' medians.
Both use this checkout's virtual environment; a checkout's own code comes first on its path.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from api.serve import gunicorn_argv
from bench.http import free_port, wait_ready
from bench.load import send

ROOT = Path(__file__).resolve().parent.parent
REQUEST = ROOT / "tests" / "situations" / "working_parent_two_children.json"
EXPLAIN = ("none", "summary")
CATALOGUE = ("/v1/programs", "/v1/parameters/us.usda.snap.max_allotment")


def start(checkout: Path, port: int) -> subprocess.Popen:
    """gunicorn for `checkout`'s app, its code first on the path, with a rate limit no benchmark reaches."""
    argv = gunicorn_argv("127.0.0.1", port, 2)
    argv[argv.index("--access-logfile") + 1] = "/dev/null"
    argv[argv.index("--chdir") + 1] = str(checkout)
    env = {**os.environ, "PYTHONPATH": str(checkout), "ELIGIBILITY_RATELIMIT_APPLICATION": "100000000 per minute"}
    return subprocess.Popen(argv, cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=tempfile.TemporaryFile())


def http(checkouts: dict[str, Path], requests: int) -> None:
    """Sequential latency of each checkout's screenings and catalogue reads, interleaved request by request."""
    request = json.loads(REQUEST.read_text())
    request.pop("programs", None)  # every program
    calls = {f"explain={explain}": ("POST", "/v1/screen", json.dumps(request | {"explain": explain}).encode())
             for explain in EXPLAIN}
    calls |= {path: ("GET", path, None) for path in CATALOGUE}
    ports = {name: free_port() for name in checkouts}
    servers = {name: start(path, ports[name]) for name, path in checkouts.items()}
    try:
        for name, server in servers.items():
            wait_ready(server, ports[name], "/v1/screen", calls["explain=none"][2])
            for _ in range(30):
                for call in calls.values():
                    send(ports[name], *call)
        times: dict = {(name, call): [] for name in checkouts for call in calls}
        for _ in range(requests):
            for name in checkouts:
                for call, (method, path, body) in calls.items():
                    started = time.perf_counter()
                    status = send(ports[name], method, path, body)
                    times[(name, call)].append((time.perf_counter() - started) * 1000)
                    if status != 200:
                        raise SystemExit(f"{name} answered {status} to {call}")
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=20)
    print(f"HTTP, {requests} sequential requests each, interleaved (ms):")
    for (name, call), values in times.items():
        print(f"  {name:>10} {call:<44} p50 {statistics.median(values):6.2f}   "
              f"p95 {statistics.quantiles(values, n=20)[18]:6.2f}")


def in_process(checkouts: dict[str, Path], rounds: int, repeat: int) -> None:
    """This checkout's bench/explain.py on each checkout's code in turn; medians of the rounds' medians."""
    found: dict = {}
    script = str(ROOT / "bench" / "explain.py")  # one harness (and household) for both: only the code differs
    for _ in range(rounds):
        for name, path in checkouts.items():
            output = subprocess.run([sys.executable, script, "--repeat", str(repeat)], cwd=path,
                                    env={**os.environ, "PYTHONPATH": str(path)}, check=True,
                                    capture_output=True, text=True).stdout
            for line in output.splitlines()[1:]:
                variant, milliseconds = line[:34].strip(), float(line[34:].split()[0])
                found.setdefault((name, variant), []).append(milliseconds)
    print(f"\nIn process (bench/explain.py), {rounds} rounds of {repeat} each, median of the rounds (ms):")
    for (name, variant), values in found.items():
        base = statistics.median(found[(name, "explain=none")])
        median = statistics.median(values)
        print(f"  {name:>10} {variant:<34} {median:6.2f}   {median / base:4.2f}x explain=none   "
              f"(rounds: {', '.join(f'{v:.2f}' for v in values)})")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.versions", description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the other checkout (e.g. a git worktree of an earlier commit)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=100)
    options = parser.parse_args()
    checkouts = {"before": options.before.resolve(), "this": ROOT}
    http(checkouts, options.requests)
    in_process(checkouts, options.rounds, options.repeat)


if __name__ == "__main__":
    main()
