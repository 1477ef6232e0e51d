"""Every error as the contract's envelope {status, code, message, errors}; a 5xx shows no exception text."""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, current_app, g, request
from flask_smorest import Api, abort
from werkzeug.exceptions import HTTPException

from api.schemas.errors import ErrorSchema
from eligibility.errors import DateOutOfRange, InputError

log = logging.getLogger("api")

CODES = {
    400: "malformed_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 413: "body_too_large",
    415: "unsupported_media_type", 422: "invalid_request", 429: "too_many_requests",
    500: "internal_error", 503: "not_ready",
}
MESSAGES = {
    400: "The request body is not valid JSON.",
    413: "The request body is too large.",
    422: "The request has invalid fields; `errors` lists each one.",
    500: "An unexpected error occurred; it has been logged. Quote the request id when reporting it.",
}
BODY_METHODS = ("POST", "PUT", "PATCH")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def envelope(status: int, message: str, errors: dict | None = None) -> dict:
    """The contract's error body."""
    body = {"status": status, "code": CODES.get(status, f"http_{status}"), "message": message,
            "errors": errors or {}}
    if status >= 500:
        body["request_id"] = request_id()
    return body


def request_id() -> str:
    """This request's id: the client's X-Request-ID when it looks like one, else a fresh one."""
    if "request_id" not in g:
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if REQUEST_ID.match(sent) else uuid.uuid4().hex
    return g.request_id


def _as_body_errors(errors) -> dict:
    """webargs files errors under the location ("json", "query"); the envelope mirrors the input itself."""
    if isinstance(errors, dict) and len(errors) == 1 and next(iter(errors)) in ("json", "query"):
        errors = next(iter(errors.values()))
    if isinstance(errors, list):
        return {"_schema": errors}
    return errors or {}


class EligibilityApi(Api):
    """flask-smorest's Api with the contract's error envelope."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):
        """Any HTTP error (abort, routing, werkzeug limits) as the envelope."""
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = _as_body_errors(data.get("errors", data.get("messages")))
        message = data.get("message") or MESSAGES.get(status) or error.description or error.name
        if status >= 500:
            message = MESSAGES[500]
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        headers.update(data.get("headers") or {})
        return envelope(status, message, errors), status, headers


def unexpected_error(error: Exception):
    """A bug or a broken dependency: log it with the request id, tell the client nothing internal."""
    log.exception("unhandled error (request id %s)", request_id())
    return envelope(500, MESSAGES[500]), 500


def engine_input_error(error: InputError | DateOutOfRange):
    """Input the engine refused after the schema let it through: still the client's to fix."""
    return envelope(422, str(error), error.errors), 422


def require_json_body():
    """415 for a body sent as anything but JSON: a form post must not be read as an empty household."""
    # Unknown paths and methods keep their 404/405: there is no body to judge there.
    view = current_app.view_functions.get(request.endpoint)
    if getattr(getattr(view, "view_class", view), "reads_its_own_body", False):
        return  # e.g. the batch endpoint, which takes JSON, NDJSON or CSV and judges the type itself
    if request.method in BODY_METHODS and request.url_rule is not None and not request.is_json:
        abort(415, message="Send the body as JSON with `Content-Type: application/json`.",
              errors={"_schema": [f"Unsupported content type {request.mimetype or '(none)'!r}."]})


def tag_request_id(response):
    """Echo the request id so a client can quote it."""
    response.headers["X-Request-ID"] = request_id()
    return response


def init_app(app: Flask) -> None:
    """Register the handlers that are not flask-smorest's."""
    app.register_error_handler(InputError, engine_input_error)
    app.register_error_handler(DateOutOfRange, engine_input_error)
    app.register_error_handler(Exception, unexpected_error)
    app.before_request(require_json_body)
    app.after_request(tag_request_id)
