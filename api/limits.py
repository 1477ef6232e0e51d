"""Limits on what one client may ask: a rate per API key or address (429), and a time budget per request (503).

The rate limit is flask-limiter's application-wide limit, `RATELIMIT_APPLICATION` (e.g. `600 per minute`),
counted per valid API key, else per client address; probes, /metrics and CORS preflights are exempt.
With the default in-memory storage (`local-memory://`: limits' `memory://` without its timer thread per
request, see api/rate_storage.py) each gunicorn worker counts separately (so a client may send up to
workers x the limit); point `RATELIMIT_STORAGE_URI` at a shared store (redis://...) to count across workers
and hosts. Should that store become unreachable, each worker counts in memory until it is back, so an outage
of the store never turns into 500s.

The time budget (`REQUEST_TIME_BUDGET` seconds) applies to requests that write nothing. When one runs
over, an alarm interrupts its view and the client gets a 503 in the error envelope. The interrupted
process could in principle hold half-updated in-memory state, so under gunicorn it then finishes that
response and exits; gunicorn forks a fresh worker from the preloaded app. A writing request is never
interrupted: its bound is gunicorn's `--timeout`, which ends the whole worker, and the database rolls
back a transaction it had not committed.
"""

from __future__ import annotations

import logging
import math
import os
import signal
import threading
import time

from flask import Flask, current_app, g, request
from flask_limiter import Limiter, RateLimitExceeded
from limits.errors import ConfigurationError
from werkzeug.middleware.proxy_fix import ProxyFix

from api import errors, rate_storage, security  # noqa: F401 - rate_storage registers local-memory://
from api.settings import SettingError

log = logging.getLogger("api.limits")

EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
TIMEOUT_CODE = "time_budget_exceeded"


def rate_limit_key() -> str:
    """Whom a request counts against: its valid API key, else the client's address."""
    key, _ = security.client_identity()
    return key or f"addr-{request.remote_addr or 'unknown'}"


def exempt_from_rate_limit() -> bool:
    """Probes, metrics scrapes and CORS preflights never use up a client's allowance."""
    return request.method == "OPTIONS" or request.path in EXEMPT_PATHS


def too_many_requests(error: RateLimitExceeded):
    """429 in the envelope, with Retry-After (seconds) in the header and the message."""
    limiter: Limiter = current_app.extensions["eligibility-limiter"]
    current = limiter.current_limit
    wait = max(1, math.ceil(current.window[0] - time.time())) if current else 1  # window[0]: when it resets
    message = f"Too many requests: this client may send {error.description}. Retry after {wait} s."
    body = errors.envelope(429, message, {"_schema": [f"Rate limit {error.description} reached."]})
    return body, 429, {"Retry-After": str(wait)}


class RequestTimedOut(Exception):
    """The request ran past REQUEST_TIME_BUDGET."""


# The frames an alarm may interrupt: before-request hooks and the view. Anywhere else (the response is
# being finished) it is ignored, so a late alarm can never turn a finished answer into an error.
_INTERRUPTIBLE = frozenset({Flask.preprocess_request.__code__, Flask.dispatch_request.__code__})


def _on_alarm(signum, frame) -> None:
    while frame is not None:
        if frame.f_code in _INTERRUPTIBLE:
            raise RequestTimedOut()
        frame = frame.f_back


def start_budget():
    """before_request: arm the alarm for a request that writes nothing (main thread only: signals)."""
    budget = float(current_app.config.get("REQUEST_TIME_BUDGET") or 0)
    access: security.Access = current_app.extensions["eligibility-access"]
    if budget <= 0 or access.writes(request.method, request.path):
        return
    if threading.current_thread() is not threading.main_thread():
        return  # a threaded development server: gunicorn's --timeout still bounds the worker
    if signal.getsignal(signal.SIGALRM) is not _on_alarm:
        signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, budget)
    g.budget_armed = True


def stop_budget(_exception=None) -> None:
    """teardown_request: disarm, whatever happened."""
    if g.pop("budget_armed", False):
        signal.setitimer(signal.ITIMER_REAL, 0)


def over_budget(error: RequestTimedOut):
    """503 in the envelope; under gunicorn this worker then retires (see the module docstring)."""
    stop_budget()
    budget = current_app.config.get("REQUEST_TIME_BUDGET")
    log.warning("request exceeded the time budget of %s s", budget)
    if request.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn"):
        pid = os.getpid()
        g.after_response = lambda: os.kill(pid, signal.SIGTERM)  # gunicorn: finish this request, then exit
    message = (f"The request took longer than this service's budget of {budget} s and was stopped. "
               "Send a smaller request (fewer households, points or a shorter trace) or retry later.")
    body = errors.envelope(503, message, {"_schema": ["Time budget exceeded."]})
    body["code"] = TIMEOUT_CODE
    return body, 503, {"Retry-After": "1"}


def run_after_response_hook(response):
    """after_request: what must wait until the response has been sent (werkzeug's call_on_close)."""
    hook = g.pop("after_response", None)
    if hook is not None:
        response.call_on_close(hook)
    return response


def init_app(app: Flask) -> Limiter:
    """Trust the configured proxies for client addresses, rate-limit, and keep time."""
    hops = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    try:
        limiter = Limiter(rate_limit_key, app=app)
    except ConfigurationError as error:  # an unknown scheme, or a store whose client library is not installed
        uri = str(app.config.get("RATELIMIT_STORAGE_URI"))
        problem = str(error).replace(uri, "(the URI)")  # it may hold a password: never quote it
        raise SettingError("RATELIMIT_STORAGE_URI", f"cannot be used: {problem.rstrip('.')}.") from None
    limiter.request_filter(exempt_from_rate_limit)
    app.extensions["eligibility-limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    app.register_error_handler(RequestTimedOut, over_budget)
    app.before_request(start_budget)
    app.after_request(run_after_response_hook)
    app.teardown_request(stop_budget)
    return limiter
