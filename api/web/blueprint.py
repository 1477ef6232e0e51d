"""The web pages' blueprint and what every page shares: same-origin posts, page globals, error pages, assets."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from api.errors import request_id
from api.state import current_rules
from api.web import labels

log = logging.getLogger("api.web")
blp = Blueprint("web", __name__)


def form_post(view):
    """Mark a view that reads an HTML form (the API's JSON-only rule does not apply to it)."""
    view.reads_its_own_body = True
    return view


@blp.before_request
def same_origin_posts_only():
    """A post from another site's page is refused: no one can save records through a caseworker's browser."""
    if request.method != "POST":
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        allowed = site in ("same-origin", "none")
    else:
        origin = request.headers.get("Origin")
        allowed = origin is None or urlsplit(origin).netloc == request.host
    if not allowed:
        abort(403, "This form can only be sent from this site's own pages.")


@blp.app_context_processor
def page_globals() -> dict:
    """What every page shows: the rules answering, and the words for statuses."""
    ruleset = current_rules()
    return {"rules_version": ruleset.version, "rules_digest": ruleset.digest, "labels": labels}


@blp.get("/uswds/<path:name>")
def uswds(name: str):
    """The U.S. Web Design System's built files, installed by `npm ci` (no CDN)."""
    return send_from_directory(current_app.config["USWDS_DIR"], name, max_age=86400)


@blp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """An error page for people (the API's JSON envelope is for programs)."""
    return render_template("error.html", status=error.code, title=error.name,
                           message=error.description), error.code


@blp.errorhandler(OperationalError)
def storage_unavailable(error: OperationalError):
    """The database cannot be reached: say so, keep the facts on the previous page."""
    log.error("determination store unavailable (request id %s)", request_id())
    return render_template("error.html", status=503, title="Saving is not available",
                           message="The determination store cannot be reached. Go back to keep your facts, "
                                   "and try again in a moment."), 503


@blp.errorhandler(Exception)
def unexpected(error: Exception):
    """A bug: logged with the request id, which the page shows; no internal detail."""
    log.exception("unhandled error on a page (request id %s)", request_id())
    return render_template("error.html", status=500, title="Something went wrong",
                           message="The error has been logged. Quote this reference when reporting it: "
                                   f"{request_id()}."), 500
