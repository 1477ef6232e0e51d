"""local-memory://: rate-limit counters that expire like memory://'s, with no thread per request."""

from __future__ import annotations

import threading
import time

from limits import RateLimitItemPerSecond, storage
from limits.strategies import FixedWindowRateLimiter

from api import rate_storage


def test_the_scheme_names_the_storage():
    assert isinstance(storage.storage_from_string("local-memory://"), rate_storage.LocalMemoryStorage)


def test_counts_reach_the_limit_and_start_again_in_the_next_window(monkeypatch):
    limiter = FixedWindowRateLimiter(rate_storage.LocalMemoryStorage())
    limit = RateLimitItemPerSecond(2)
    now = [1000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])  # limits reads the wall clock through time.time
    assert [limiter.hit(limit, "client") for _ in range(3)] == [True, True, False]
    assert limiter.hit(limit, "other client")
    now[0] += 1.5
    assert limiter.hit(limit, "client")


class _RecordedTimer:
    """Stands in for threading.Timer: records that one was asked for, starts nothing."""

    made: list = []

    def __init__(self, *args, **kwargs):
        self.made.append(args)

    def start(self):
        pass

    def is_alive(self):
        return False


def test_no_thread_is_started_per_request(monkeypatch):
    limiter = FixedWindowRateLimiter(rate_storage.LocalMemoryStorage())
    monkeypatch.setattr(threading, "Timer", _RecordedTimer)
    _RecordedTimer.made = []
    for i in range(3):
        limiter.hit(RateLimitItemPerSecond(1000), f"client-{i}")
        time.sleep(0.03)  # past memory://'s 10 ms timer, which it would then start again for the next hit
    assert _RecordedTimer.made == []


def test_expired_counters_of_other_clients_are_purged(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    store = rate_storage.LocalMemoryStorage()
    for i in range(50):
        store.incr(f"client-{i}", expiry=1)
    now[0] += rate_storage.PURGE_INTERVAL + 2
    store.incr("someone new", expiry=1)
    assert set(store.storage) == {"someone new"}
