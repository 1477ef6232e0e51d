"""SIGKILL a gunicorn worker under load: the server keeps answering, and no acknowledged determination is lost.

Runs against SQLite always, and against PostgreSQL too when ELIGIBILITY_TEST_POSTGRES_URL is set (CI sets it).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import threading
import time

import pytest

from tests.server_support import Server

KEY = "kill-test-writer-key-0123456789"
HOUSEHOLD = {"state": "OH", "members": [{"id": "a", "age": 34, "earned_income": 1450},
                                        {"id": "b", "age": 6, "earned_income": 0}], "assets": 300}
KILLS = 3
WRITERS = 3
BACKENDS = [pytest.param("sqlite", id="sqlite"),
            pytest.param("postgresql", id="postgresql", marks=pytest.mark.skipif(
                not os.environ.get("ELIGIBILITY_TEST_POSTGRES_URL"),
                reason="set ELIGIBILITY_TEST_POSTGRES_URL to run against PostgreSQL (CI does)"))]


class Load:
    """Writers saving determinations and a reader screening, until stopped; what each call gave."""

    def __init__(self, server: Server):
        self.server = server
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged: dict[str, str] = {}  # record id -> the note it was saved with
        self.broken = 0  # calls cut off (the worker answering them was killed)
        self.statuses: dict[int, int] = {}
        self.answered_at: list[float] = []
        self.threads = [threading.Thread(target=self.write, args=(n,), daemon=True) for n in range(WRITERS)]
        self.threads.append(threading.Thread(target=self.screen, daemon=True))

    def call(self, *args, **kwargs):
        try:
            status, headers, body = self.server.request(*args, timeout=60, **kwargs)
        except (OSError, http.client.HTTPException):
            with self.lock:
                self.broken += 1
            return None, None
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status < 500:
                self.answered_at.append(time.monotonic())
        return status, body

    def write(self, writer: int) -> None:
        count = 0
        while not self.stop.is_set():
            note = f"writer {writer} record {count}"
            status, body = self.call("POST", "/v1/determinations",
                                     {"date": "2025-11-15", "household": HOUSEHOLD, "note": note},
                                     headers={"X-API-Key": KEY})
            if status == 201:
                with self.lock:
                    self.acknowledged[json.loads(body)["id"]] = note
            count += 1

    def screen(self) -> None:
        while not self.stop.is_set():
            self.call("POST", "/v1/screen", {"date": "2025-11-15", "household": HOUSEHOLD})

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def database_url(backend: str, tmp_path) -> str:
    if backend == "postgresql":
        return os.environ["ELIGIBILITY_TEST_POSTGRES_URL"]
    return f"sqlite:///{tmp_path / 'records.sqlite3'}"


@pytest.mark.parametrize("backend", BACKENDS)
def test_killing_workers_under_load_loses_no_acknowledged_determination(backend, tmp_path):
    env = {"ELIGIBILITY_DATABASE_URL": database_url(backend, tmp_path), "ELIGIBILITY_API_KEYS": KEY,
           "ELIGIBILITY_RATELIMIT_ENABLED": "false"}
    with Server(workers=2, env=env, log_dir=tmp_path) as server:
        probe = server.request("POST", "/v1/determinations", {"date": "2025-11-15", "household": HOUSEHOLD},
                               headers={"X-API-Key": KEY})
        if probe[0] in (404, 405):
            pytest.skip("POST /v1/determinations is not there yet (the determination records work adds it)")
        assert probe[0] == 201, probe
        killed = []
        with Load(server) as load:
            time.sleep(2)
            for _ in range(KILLS):
                workers = server.worker_pids()
                victim = random.Random(len(killed)).choice(sorted(workers))
                os.kill(victim, signal.SIGKILL)
                killed.append((victim, time.monotonic()))
                deadline = time.monotonic() + 30
                while victim in server.worker_pids() or len(server.worker_pids()) < 2:
                    assert time.monotonic() < deadline, f"worker {victim} was not replaced:\n{server.log()[-2000:]}"
                    time.sleep(0.05)
                time.sleep(2)
        print(f"{backend}: answers {load.statuses}, cut off {load.broken}, acknowledged {len(load.acknowledged)}")
        # The server kept answering: after every kill, answers came within seconds.
        for victim, at in killed:
            assert any(at < t < at + 5 for t in load.answered_at), f"no answer within 5 s of killing {victim}"
        assert load.statuses.get(201, 0) >= 10 and load.statuses.get(200, 0) >= 5, load.statuses
        assert not any(status >= 500 for status in load.statuses), (load.statuses, server.log()[-3000:])
        # A sync worker holds one request at a time: each kill can cut off at most the one it was answering.
        assert load.broken <= KILLS, load.broken
        # Every record a client was told had been saved is there, whole.
        for record_id, note in load.acknowledged.items():
            status, _, body = server.request("GET", f"/v1/determinations/{record_id}", headers={"X-API-Key": KEY})
            assert status == 200, (record_id, status, body)
            record = json.loads(body)
            assert record["note"] == note and record["household"]["members"][0]["id"] == "a"
            assert record["answer"]["programs"]
