"""`local-memory://`: flask-limiter's in-process counters without a timer thread per request.

limits' `memory://` storage starts a threading.Timer to purge expired counters whenever the previous
one has finished (10 ms), which under steady traffic means a new thread for nearly every request: a
tenth of a screening request's time. Counters here expire the same way (each read drops its own expired
count) and the purge of everyone else's runs at most once a second, inside a request, with no thread.
"""

from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage

PURGE_INTERVAL = 1.0  # seconds between purges of expired counters


class LocalMemoryStorage(MemoryStorage):
    """MemoryStorage whose purge of expired entries runs inline, at most once per PURGE_INTERVAL."""

    STORAGE_SCHEME = ["local-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the parent's start-up timer: purges run inline from here on
        self._next_purge = time.monotonic() + PURGE_INTERVAL
        self._purge_lock = threading.Lock()

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the parent's timer thread (name-mangled)
        now = time.monotonic()
        if now < self._next_purge or not self._purge_lock.acquire(blocking=False):
            return
        try:
            self._next_purge = now + PURGE_INTERVAL
            self._MemoryStorage__expire_events()
        finally:
            self._purge_lock.release()
