"""Benchmark: our POST /v1/screen beside OpenFisca's web API /calculate, on the same rules and workers.

Run: `make bench-http`, or `.venv/bin/python -m bench.http --workers 2 --requests 300 --seconds 10`.
Both servers run under gunicorn with --preload and the same worker count. Ours answers every program
with explain=summary (criteria and sentences); OpenFisca's computes the same output variables
(each program's decision, amount, category and criteria) for the same household. Prints p50/p95 of
sequential requests (on a bare socket; ours also with explain=none) and requests/s under concurrency
(wrk when installed, else a Python client).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as `python bench/http.py`, this folder leads sys.path and this file would shadow the standard
# library's `http`; the project root takes its place so `api` and `eligibility` import either way.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in (HERE, ROOT)]

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from api.serve import gunicorn_argv  # noqa: E402
from bench.load import send  # noqa: E402
from eligibility import load_rules  # noqa: E402

HOUSEHOLD = ROOT / "tests" / "situations" / "working_parent_two_children.json"


def openfisca_app():
    """gunicorn factory (`bench.http:openfisca_app()`): OpenFisca's web API on our tax-benefit system."""
    from openfisca_web_api.app import create_app

    from eligibility.openfisca_system import build_tax_benefit_system

    return create_app(build_tax_benefit_system(load_rules()))


def output_variables(ruleset) -> list[str]:
    """What our summary computes for every program: decision, amount, category and criteria."""
    names: list[str] = []
    for program in ruleset.programs.values():
        for name in [program.eligible, program.amount, program.category,
                     *(c["variable"] for c in program.criteria)]:
            if name and name not in names:
                names.append(name)
    return names


def openfisca_situation(ruleset, request: dict) -> dict:
    """The same household in OpenFisca's situation format, asking for the same outputs."""
    month, year = request["date"][:7], request["date"][:4]
    household = request["household"]
    members = household["members"]

    def period(name: str) -> str:
        return year if ruleset.variables[name].period == "year" else month

    persons = {str(m["id"]): {k: {period(k): v} for k, v in m.items() if k != "id" and v is not None}
               for m in members}
    group = {k: {period(k): v} for k, v in household.items() if k != "members" and v is not None}
    group["members"] = list(persons)
    for name in output_variables(ruleset):
        target = [group] if ruleset.variables[name].entity == "household" else list(persons.values())
        for entity in target:
            entity[name] = {period(name): None}
    return {"persons": persons, "households": {"household": group}}


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(app_spec: str, port: int, workers: int) -> subprocess.Popen:
    """gunicorn on 127.0.0.1:port with our launcher's options, for `app_spec`."""
    argv = gunicorn_argv("127.0.0.1", port, workers)
    argv[argv.index("--access-logfile") + 1] = "/dev/null"
    argv[-1] = app_spec
    # Logs go to a file: a pipe nobody reads fills up with access lines and stalls the server.
    log = tempfile.TemporaryFile()
    # The rate limiter stays on (its cost is part of every request) with a limit the benchmark never reaches.
    env = {**os.environ, "ELIGIBILITY_RATELIMIT_APPLICATION": "100000000 per minute"}
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)


def server_log(server: subprocess.Popen) -> str:
    """The end of what a server wrote to its log."""
    server.stderr.seek(0)
    return server.stderr.read().decode(errors="replace")[-2000:]


def post(port: int, path: str, body: bytes, timeout: float = 30) -> tuple[int, bytes]:
    """One POST on a fresh connection (gunicorn's sync workers close each one)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_ready(server: subprocess.Popen, port: int, path: str, body: bytes, limit: float = 30) -> None:
    """Until the server answers the benchmark request with 200."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server on {port} exited: {server_log(server)}")
        try:
            if post(port, path, body)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"server on {port} not ready after {limit} s")


def sequential(targets: dict, requests: int) -> dict:
    """Latency (ms) of one request at a time, the two servers interleaved so drift hits both alike.

    Sent on a bare socket (bench/load.py's `send`): http.client added about 0.6 ms of its own
    Python to every request it timed, the same for both servers, on the cores they share.
    """
    times: dict = {name: [] for name in targets}
    for _ in range(requests):
        for name, (port, path, body) in targets.items():
            started = time.perf_counter()
            status = send(port, "POST", path, body)
            times[name].append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise SystemExit(f"{name} answered {status}")
    return {name: {"p50": statistics.median(t), "p95": statistics.quantiles(t, n=20)[18]}
            for name, t in times.items()}


def throughput_wrk(port: int, path: str, body: bytes, connections: int, seconds: int) -> float:
    """Requests/s measured by wrk; non-2xx answers are an error, not throughput."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body.decode())}\n'
                     'wrk.headers["Content-Type"] = "application/json"\n')
    try:
        output = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s",
                                 "-s", script.name, f"http://127.0.0.1:{port}{path}"],
                                capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    if "Non-2xx" in output:
        raise SystemExit(f"wrk saw errors:\n{output}")
    return float(next(line.split()[1] for line in output.splitlines() if line.startswith("Requests/sec")))


def throughput_python(port: int, path: str, body: bytes, connections: int, seconds: int) -> float:
    """Requests/s from `connections` client threads (the client shares the CPU: a lower bound)."""
    deadline = time.monotonic() + seconds
    counts = [0] * connections

    def worker(i: int) -> None:
        while time.monotonic() < deadline:
            if post(port, path, body)[0] != 200:
                raise SystemExit("error under load")
            counts[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def main() -> None:
    """Run both servers, check they agree, measure, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--household", type=Path, default=HOUSEHOLD, help="a screening request (JSON)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--requests", type=int, default=300, help="sequential requests per server")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--seconds", type=int, default=10, help="duration of each throughput run")
    options = parser.parse_args()

    ruleset = load_rules()
    request = json.loads(options.household.read_text()) | {"explain": "summary"}
    request.pop("programs", None)  # all programs
    ours_body = json.dumps(request).encode()
    theirs_body = json.dumps(openfisca_situation(ruleset, request)).encode()
    ours_port, theirs_port = free_port(), free_port()
    servers = [start("api.wsgi:app", ours_port, options.workers),
               start("bench.http:openfisca_app()", theirs_port, options.workers)]
    try:
        wait_ready(servers[0], ours_port, "/v1/screen", ours_body)
        wait_ready(servers[1], theirs_port, "/calculate", theirs_body)
        bare = json.dumps(request | {"explain": "none"}).encode()
        report(ruleset, options, {"ours /v1/screen": (ours_port, "/v1/screen", ours_body),
                                  "OpenFisca /calculate": (theirs_port, "/calculate", theirs_body)},
               {"ours, explain=none": (ours_port, "/v1/screen", bare)})
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)


def report(ruleset, options, targets: dict, latency_only: dict) -> None:
    """Agreement check, then the measurements side by side (`latency_only`: timed one at a time too)."""
    (ours_port, ours_path, ours_body), (theirs_port, theirs_path, theirs_body) = targets.values()
    ours = json.loads(post(ours_port, ours_path, ours_body)[1])
    theirs = json.loads(post(theirs_port, theirs_path, theirs_body)[1])
    print("Amounts (OpenFisca reads an unknown fact as 0 or false, so `undetermined` answers differ):")
    for program in ruleset.programs.values():
        if program.entity == "household" and program.amount:
            of_amount = next(iter(theirs["households"]["household"][program.amount].values()))
            answer = ours["programs"][program.id]
            print(f"  {program.id} ({answer['period']}): ours {answer['status']} {answer['amount']}, "
                  f"OpenFisca {of_amount}")
    for target in targets.values():
        for _ in range(30):  # warm every worker before timing
            post(*target)
    latency = sequential(targets | latency_only, options.requests)
    measure = throughput_wrk if shutil.which("wrk") else throughput_python
    rates = {name: measure(*target, options.connections, options.seconds) for name, target in targets.items()}
    client = "wrk" if shutil.which("wrk") else "Python threads"
    print(f"\n{options.workers} gunicorn workers each; {options.requests} sequential requests; "
          f"{options.connections} connections for {options.seconds} s ({client})\n")
    print(f"{'':24}{'p50 ms':>10}{'p95 ms':>10}{'req/s':>10}")
    for name in targets | latency_only:
        rate = f"{rates[name]:10.0f}" if name in rates else f"{'':>10}"
        print(f"{name:24}{latency[name]['p50']:10.2f}{latency[name]['p95']:10.2f}{rate}")
    ours_name, theirs_name = targets
    slower = latency[theirs_name]["p50"] / latency[ours_name]["p50"]
    faster = rates[ours_name] / rates[theirs_name]
    print(f"\nOpenFisca's p50 latency is {slower:.2f}x ours; our throughput is {faster:.2f}x OpenFisca's")


if __name__ == "__main__":
    main()
