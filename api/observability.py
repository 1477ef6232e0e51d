"""Metrics at /metrics (Prometheus text format) and structured logs: one JSON object per line, each with a request id.

Metrics: requests and latency by endpoint, method and status; program answers by program and status;
the rule set's version and digest. Under gunicorn every worker writes its samples to
`PROMETHEUS_MULTIPROC_DIR` (set by `api/serve.py`) and /metrics adds them up, whichever worker answers.

Logs never hold household facts: the access line names the method, the path without its query, the
status and the time taken. With `LOG_LEVEL=DEBUG` a request's JSON body is logged too, and an
exception's message (which may quote input) joins its type and stack.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import time
import traceback

from flask import Flask, Response, g, has_request_context, request, request_started
from flask.logging import default_handler
from gunicorn.glogging import Logger as _GunicornLogger
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

from api import errors, security

log = logging.getLogger("api.access")

STANDARD_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
STATUSES = frozenset({"eligible", "ineligible", "undetermined"})
SCREENING_PATHS = frozenset({"/v1/screen", "/v1/screen/batch"})
LOGGERS = ("api", "eligibility", "flask-limiter")  # flask-limiter's logger is named with a hyphen

disable_created_metrics()  # the *_created series double what a scrape carries and no dashboard reads them
REQUESTS = Counter("eligibility_http_requests", "HTTP requests answered, by endpoint, method and status.",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("eligibility_http_request_duration_seconds",
                    "Time from receiving a request to its response, by endpoint, method and status.",
                    ["endpoint", "method", "status"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
SCREENINGS = Counter("eligibility_screenings", "Program answers given by screening, by program and status.",
                     ["program", "status"])
# An info metric as a gauge: prometheus_client's Info does not work across gunicorn workers.
RULES = Gauge("eligibility_rules_info", "The rule set answering: its released version and digest.",
              ["version", "digest"], multiprocess_mode="max")


# ---------------------------------------------------------------------------------------------- logs

class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, and the record's `fields`."""

    def __init__(self, sensitive: bool = False):
        super().__init__()
        self.sensitive = sensitive  # debug logging: exception messages may quote the input

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = self.exception(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)

    def exception(self, exc_info) -> dict:
        """The exception's type and stack; its message (which may quote household facts) only when debugging."""
        kind, value, tb = exc_info
        described = {"type": kind.__name__, "stack": "".join(traceback.format_tb(tb)).rstrip()}
        if self.sensitive:
            described["message"] = str(value)
        return described


class RequestIdFilter(logging.Filter):
    """Stamp every record with the current request's id (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = errors.request_id() if has_request_context() else None
        return True


class StderrHandler(logging.StreamHandler):
    """A stream handler on whatever sys.stderr is at the time of writing (test runners swap it)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


_HANDLER = StderrHandler()
_HANDLER.addFilter(RequestIdFilter())


def configure_logging(level: str | int = "INFO") -> None:
    """JSON lines on stderr for the app's loggers; idempotent, so every app in a process may call it."""
    level = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    if not isinstance(level, int):
        raise ValueError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}.")
    _HANDLER.setFormatter(JsonFormatter(sensitive=level <= logging.DEBUG))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.removeHandler(default_handler)  # Flask's plain-text handler on the app's logger
        if _HANDLER not in logger.handlers:
            logger.addHandler(_HANDLER)


class GunicornLogger(_GunicornLogger):
    """gunicorn's own log lines (start-up, workers) as JSON too: `--logger-class api.observability.GunicornLogger`.

    Its access log stays silent: the app writes one access line per request, with the request id.
    """

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time):
        return


# ------------------------------------------------------------------------------------ request hooks

def start_clock(sender, **extra) -> None:
    """request_started signal: before any before-request hook, so every answer is timed."""
    g.started = time.perf_counter()


def endpoint_label() -> str:
    """The matched route's template (bounded), never the raw path (which a scanner could make endless)."""
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def record(response):
    """after_request: count and time the request, count screening answers, write the access line."""
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    endpoint, status = endpoint_label(), str(response.status_code)
    method = request.method if request.method in STANDARD_METHODS else "OTHER"
    REQUESTS.labels(endpoint, method, status).inc()
    LATENCY.labels(endpoint, method, status).observe(elapsed)
    if response.status_code == 200 and endpoint in SCREENING_PATHS:
        count_screenings(response)
    key, _ = security.client_identity()
    log.info("%s %s %s", request.method, request.path, response.status_code, extra={"fields": {
        "event": "request", "method": request.method, "path": request.path, "endpoint": endpoint,
        "status": response.status_code, "duration_ms": round(elapsed * 1000, 3),
        "bytes": response.content_length, "client": request.remote_addr, "api_key": key}})
    if log.isEnabledFor(logging.DEBUG) and request.is_json:
        # Household facts: only when debug logging is switched on.
        log.debug("request body", extra={"fields": {"event": "request_body",
                                                    "body": request.get_json(silent=True)}})
    return response


def note_answer(answer: dict) -> None:
    """Hand a view's screening answer to the metrics, so they need not read it back from the response."""
    g.screening_answer = answer


def count_answer(answer) -> None:
    """Count one screening answer's programs by status."""
    programs = answer.get("programs") if isinstance(answer, dict) else None
    if isinstance(programs, dict):
        for program, result in programs.items():
            status = result.get("status") if isinstance(result, dict) else None
            if status in STATUSES:
                SCREENINGS.labels(program, status).inc()


def counting(items):
    """A view's batch items passed on as they are sent, each one's `result` counted: nothing to parse back."""
    for item in items:
        yield item
        count_answer(item.get("result"))


def count_screenings(response) -> None:
    """A single answer as the view handed it over (or read back); a batch counts itself as it streams."""
    if response.is_streamed:
        return  # a streamed screening (a batch) counts its items itself as it sends them (see counting)
    answered = g.pop("screening_answer", None)
    if answered is not None:
        count_answer(answered)  # the view's own answer: no need to parse what it wrote
    elif response.mimetype == "application/json":
        count_answer(json.loads(response.get_data()))


# --------------------------------------------------------------------------------------- /metrics

def metrics():
    """GET /metrics: every worker's samples under gunicorn, this process's otherwise."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                    headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    """JSON logs, the request hooks and /metrics; the rule set's id as a metric."""
    configure_logging(app.config.get("LOG_LEVEL") or "INFO")
    request_started.connect(start_clock, app)
    app.after_request(record)
    if app.config.get("METRICS_ENABLED", True):
        app.add_url_rule("/metrics", "metrics", metrics, methods=["GET"])
    ruleset = app.extensions["eligibility"].ruleset
    RULES.labels(ruleset.version, ruleset.digest).set(1)

