"""Load test: minutes at 80% of the measured maximum throughput, a mix of screening, batch and catalogue calls.

Run: `make bench-load`, or `.venv/bin/python -m bench.load --duration 300 --fraction 0.8 [--append]`.
Starts gunicorn as `make serve` does (one preloaded worker per core, JSON logs, metrics, rate limiting
on with a limit no client reaches) on 127.0.0.1 only, then:

1. measures the maximum throughput: closed loop, a few connections, the same mix, `--calibrate` seconds;
2. sends the mix open-loop at `--fraction` of that rate for `--duration` seconds. Latency is timed
   from when each request was due, not when a busy client got round to it, so a stall shows;
3. samples every worker's memory (RSS and private bytes) from /proc, from the start of step 2 to its end.

Reports errors (any non-2xx, or a broken connection), latency percentiles per kind of call, and the
workers' memory growth; `--append` adds the report to docs/performance.md as a new section. The
client runs on the same machine and takes a share of its cores. Every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import queue
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from api.serve import gunicorn_argv

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only, whatever the arguments
SITUATIONS = sorted((ROOT / "tests" / "situations").glob("*.json"))
CATALOGUE = ["/v1/programs", "/v1/programs/snap", "/v1/variables?input=true", "/v1/rules",
             "/v1/parameters/us.usda.snap.max_allotment"]
MIX = {"screen": 0.70, "batch": 0.10, "catalogue": 0.20}
BATCH_SIZE = 10
MAX_SECONDS = 3600


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def requests_for(batch: bool) -> dict:
    """Each kind of call as (method, path, body) choices."""
    screens = [json.loads(p.read_text(encoding="utf-8")) for p in SITUATIONS]
    households = [s["household"] for s in screens]
    kinds = {
        "screen": [("POST", "/v1/screen", json.dumps(s).encode()) for s in screens],
        "catalogue": [("GET", path, None) for path in CATALOGUE],
    }
    if batch:
        body = json.dumps([households[i % len(households)] for i in range(BATCH_SIZE)]).encode()
        kinds["batch"] = [("POST", "/v1/screen/batch?date=2025-11-15&format=ndjson", body)]
    return kinds


def send(port: int, method: str, path: str, body: bytes | None) -> int:
    """One call on a fresh connection (sync workers close each); the status, or 0 for a broken call.

    Written on a bare socket: the client shares the machine's cores with the server it measures, and
    with http.client the whole client took about 1.5 times the CPU per call (the report gives it).
    """
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    try:
        with socket.create_connection((HOST, port), timeout=60) as connection:
            connection.sendall(head.encode() + b"\r\n" + (body or b""))
            chunks = []
            while chunk := connection.recv(1 << 16):
                chunks.append(chunk)
    except OSError:
        return 0
    return _status(b"".join(chunks))


def _status(response: bytes) -> int:
    """The status of a whole HTTP/1.1 response; 0 when it is cut short or not HTTP."""
    head, separator, payload = response.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if not separator or len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        return 0
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(b":") for line in lines[1:])}
    if b"content-length" in headers and len(payload) != int(headers[b"content-length"]):
        return 0
    if headers.get(b"transfer-encoding") == b"chunked" and not payload.endswith(b"0\r\n\r\n"):
        return 0
    return int(parts[1])


class Server:
    """gunicorn on loopback, as `make serve` starts it."""

    def __init__(self, workers: int):
        self.port = free_port()
        self.metrics = tempfile.mkdtemp(prefix="eligibility-metrics-")
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": self.metrics,
               "ELIGIBILITY_RATELIMIT_APPLICATION": "100000000 per minute"}
        argv = gunicorn_argv(HOST, self.port, workers)
        self.log = tempfile.NamedTemporaryFile(prefix="eligibility-load-", suffix=".log", delete=False)
        self.process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while send(self.port, "GET", "/readyz", None) != 200 or len(self.workers()) < workers:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start; see {self.log.name}")
            time.sleep(0.2)

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return sorted(int(pid) for pid in path.read_text().split()) if path.exists() else []

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.metrics, ignore_errors=True)


def memory(pid: int) -> tuple[int, int]:
    """(RSS, private bytes) of a process; private is what it does not share with the preloaded parent."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) * 1024
    return fields["Rss"], fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)


def cpu_seconds(pids) -> float:
    """CPU time (user + system) the processes have used so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def pick(rng: random.Random, kinds: dict) -> tuple[str, tuple]:
    names = list(kinds)
    kind = rng.choices(names, weights=[MIX[n] for n in names])[0]
    return kind, rng.choice(kinds[kind])


def calibrate(port: int, kinds: dict, connections: int, seconds: float) -> tuple[float, int]:
    """Closed loop: each connection sends its next call as soon as the last is answered; (calls/s, errors)."""
    done, errors, lock = [0], [0], threading.Lock()
    stop_at = time.monotonic() + seconds

    def loop(seed: int):
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            _, call = pick(rng, kinds)
            ok = 200 <= send(port, *call) < 300
            with lock:
                done[0] += ok
                errors[0] += not ok

    started = time.monotonic()
    threads = [threading.Thread(target=loop, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / (time.monotonic() - started), errors[0]


def run(server: Server, kinds: dict, rate: float, seconds: float, clients: int) -> dict:
    """Open loop at `rate` calls/s for `seconds`; latencies by kind, errors, memory samples."""
    due: queue.Queue = queue.Queue()
    latencies: dict[str, list[float]] = {kind: [] for kind in kinds}
    screens: list[tuple[float, float]] = []  # (when due, latency) of each screening, for the minute-by-minute view
    errors: list[tuple[str, int]] = []
    samples: list[dict] = []
    cpu_samples: list[tuple[float, float]] = []  # (when, the workers' CPU seconds so far)
    lock = threading.Lock()
    finished = threading.Event()

    def client():
        while True:
            item = due.get()
            if item is None:
                return
            kind, call, at = item
            status = send(server.port, *call)
            elapsed = time.monotonic() - at
            with lock:
                latencies[kind].append(elapsed)
                if kind == "screen":
                    screens.append((at, elapsed))
                if not 200 <= status < 300:
                    errors.append((kind, status))

    def sampler():
        while not finished.wait(5):
            samples.append({pid: memory(pid) for pid in server.workers()})
            if server.workers() == pids:
                cpu_samples.append((time.monotonic(), cpu_seconds(pids)))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    samples.append({pid: memory(pid) for pid in server.workers()})
    pids = server.workers()
    cpu_before, client_before = cpu_seconds(pids), time.process_time()
    rng = random.Random(2026)
    started = time.monotonic()
    cpu_samples.append((started, cpu_before))
    watcher = threading.Thread(target=sampler)
    watcher.start()
    total = int(rate * seconds)
    for number in range(total):
        at = started + number / rate
        delay = at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        kind, call = pick(rng, kinds)
        due.put((kind, call, at))
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started
    cpu = cpu_seconds(pids) - cpu_before if pids == server.workers() else float("nan")
    client_cpu = time.process_time() - client_before
    finished.set()
    watcher.join()
    samples.append({pid: memory(pid) for pid in server.workers()})
    return {"latencies": latencies, "errors": errors, "samples": samples, "elapsed": elapsed, "sent": total,
            "cpu": cpu, "client_cpu": client_cpu,
            "minutes": by_minute(screens, cpu_samples, started, rate, min(seconds, elapsed))}


def by_minute(screens: list, cpu_samples: list, started: float, rate: float, seconds: float) -> list[tuple]:
    """Per minute of the run: (screening p99 in ms, the workers' CPU per call offered in ms).

    A tail spread over every minute is queueing; one confined to a minute whose CPU per call rose is
    the host slowing down under the run (the rate offered was fixed when the host was faster).
    """
    minutes = []
    for start in range(0, max(1, int(seconds // 60)) * 60, 60):
        lo, hi = started + start, started + start + 60
        latencies = [latency for at, latency in screens if lo <= at < hi]
        inside = [(when, cpu) for when, cpu in cpu_samples if lo - 2.5 <= when <= hi + 2.5]
        per_call = ((inside[-1][1] - inside[0][1]) / ((inside[-1][0] - inside[0][0]) * rate) * 1000
                    if len(inside) >= 2 and inside[-1][0] > inside[0][0] else float("nan"))
        minutes.append((percentile(latencies, .99), per_call))
    return minutes


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def report(args, workers: int, calibration: tuple, result: dict, load: tuple) -> str:
    """The results as a docs/performance.md section (`calibration`: calls/s, errors, workers' CPU per call)."""
    maximum, calibration_errors, calibration_cpu = calibration
    first, last = result["samples"][0], result["samples"][-1]
    # How busy the run kept the machine: the workers' and the client's CPU over the cores' time.
    busy = (result["cpu"] + result["client_cpu"]) / (result["elapsed"] * (os.cpu_count() or 1))
    lines = [
        f"## Load: {args.duration / 60:g} minutes at {args.fraction:.0%} of the maximum throughput (`bench/load.py`)",
        "",
        "Reproduce: `make bench-load` (or `.venv/bin/python -m bench.load --duration 300 --fraction 0.8`). "
        f"gunicorn with {workers} preloaded workers on 127.0.0.1, as `make serve` runs it (rate limiting, "
        "metrics and JSON logs on); a Python client on the same machine. Mix: "
        + ", ".join(f"{share:.0%} {kind}" for kind, share in MIX.items() if kind in result["latencies"])
        + f" (batch: {BATCH_SIZE} households, NDJSON; screen: the worked requests in tests/situations; "
        "catalogue: programs, a program, input variables, rules, a parameter table).",
        "",
        f"| run ({dt.date.today().isoformat()}, {platform.python_version()}, {os.cpu_count()} cores) | value |",
        "|---|---:|",
        f"| maximum throughput, closed loop, {args.connections} connections, {args.calibrate:g} s | "
        f"{maximum:,.1f} calls/s ({calibration_errors} errors) |",
        f"| offered load ({args.fraction:.0%}) / achieved | {args.fraction * maximum:,.1f} / "
        f"{result['sent'] / result['elapsed']:,.1f} calls/s |",
        f"| calls / errors | {result['sent']:,} / {len(result['errors'])} |",
        f"| workers' CPU per call, and the rate {workers} idle cores would allow | "
        f"{result['cpu'] / result['sent'] * 1000:.1f} ms / {workers * result['sent'] / result['cpu']:,.0f} calls/s |",
        f"| the load client's CPU per call (it shares the cores) | "
        f"{result['client_cpu'] / result['sent'] * 1000:.2f} ms |",
        f"| workers' CPU per call while calibrating, closed loop | {calibration_cpu * 1000:.1f} ms |",
        f"| the machine's cores kept busy by the workers and the client | {busy:.0%} |",
    ]
    for kind, values in result["latencies"].items():
        lines.append(f"| {kind}: p50 / p95 / p99 / max (ms, {len(values):,} calls) | "
                     f"{percentile(values, .5):.1f} / {percentile(values, .95):.1f} / "
                     f"{percentile(values, .99):.1f} / {max(values, default=0) * 1000:.1f} |")
    if result["minutes"]:
        lines.append("| screen p99 (ms), minute by minute | "
                     + " / ".join(f"{p99:.0f}" for p99, _ in result["minutes"]) + " |")
        lines.append("| workers' CPU per call (ms), minute by minute | "
                     + " / ".join(f"{cpu:.1f}" for _, cpu in result["minutes"]) + " |")
    for pid in sorted(first):
        if pid in last:
            (rss0, own0), (rss1, own1) = first[pid], last[pid]
            lines.append(f"| worker {pid}: RSS / private MiB, start → end | {rss0 / 2**20:.1f} → {rss1 / 2**20:.1f} "
                         f"({(rss1 - rss0) / rss0:+.1%}) / {own0 / 2**20:.1f} → {own1 / 2**20:.1f} |")
    replaced = set(first) ^ set(last)
    if replaced:
        lines.append(f"| workers replaced during the run | {sorted(replaced)} |")
    lines.append(f"| load average before / after (all work on the machine) | {load[0]:.2f} / {load[1]:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=300, help="seconds at the offered load (default 300)")
    parser.add_argument("--fraction", type=float, default=0.8, help="share of the maximum to offer (default 0.8)")
    parser.add_argument("--calibrate", type=float, default=30, help="seconds to measure the maximum (default 30)")
    parser.add_argument("--connections", type=int, default=6, help="closed-loop connections when calibrating")
    parser.add_argument("--clients", type=int, default=32, help="open-loop client threads")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: cores)")
    parser.add_argument("--append", action="store_true", help="append the report to docs/performance.md")
    args = parser.parse_args(argv)
    if not (0 < args.duration <= MAX_SECONDS and 0 < args.calibrate <= MAX_SECONDS and 0 < args.fraction <= 1):
        parser.error(f"durations must be within (0, {MAX_SECONDS}] s and the fraction within (0, 1]")
    workers = args.workers or os.cpu_count() or 1
    server = Server(workers)
    try:
        batch = send(server.port, "POST", "/v1/screen/batch?date=2025-11-15", b"[]") != 404
        kinds = requests_for(batch)
        calibrate(server.port, kinds, args.connections, min(5.0, args.calibrate))  # warm every worker up
        cpu_before = cpu_seconds(server.workers())
        maximum, calibration_errors = calibrate(server.port, kinds, args.connections, args.calibrate)
        calibration_cpu = (cpu_seconds(server.workers()) - cpu_before) / (maximum * args.calibrate)
        print(f"maximum: {maximum:,.1f} calls/s ({calibration_errors} errors); offering {args.fraction:.0%} "
              f"for {args.duration:g} s", file=sys.stderr)
        load_before = os.getloadavg()[0]
        result = run(server, kinds, args.fraction * maximum, args.duration, args.clients)
        text = report(args, workers, (maximum, calibration_errors, calibration_cpu), result,
                      (load_before, os.getloadavg()[0]))
    finally:
        server.stop()
    print(text)
    for kind, status in result["errors"][:10]:
        print(f"error: {kind} answered {status or 'nothing (connection broken)'}", file=sys.stderr)
    if args.append:
        with (ROOT / "docs" / "performance.md").open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)
    if result["errors"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
