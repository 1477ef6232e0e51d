"""Catalogue answers built once per process and sent again as they are, with an ETag for conditional GETs.

The programs, variables, parameters and rule set an app describes never change while it runs (a new
rule set means a new process), yet building and dumping their descriptions cost a catalogue call
1.7-6 ms. `cached` keeps each successful answer's bytes, keyed by path and query, and answers
`If-None-Match` with 304. Errors (404, 422) are never kept, and the store is bounded, so a scanner
walking made-up paths or query spellings cannot grow it without end.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict

from flask import current_app, request

MAX_ENTRIES = 512
# Clients may keep a copy but must revalidate it: a redeployed rule set changes the answers (and ETags).
CACHE_CONTROL = "no-cache"
NOT_MODIFIED = "Not modified: the copy whose ETag the request sent in If-None-Match is still current."
ETAG_HEADER = {"ETag": {"description": "The answer's version: send it back in If-None-Match to revalidate a copy.",
                         "schema": {"type": "string"}}}
STORE = "eligibility-catalogue-answers"


class AnswerStore:
    """A bounded, least-recently-used map of (path, query) to (body, mimetype, etag); safe across threads."""

    def __init__(self, limit: int = MAX_ENTRIES):
        self.limit = limit
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key, entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.limit:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def store() -> AnswerStore:
    """The current app's store (one per app: tests build several apps in one process)."""
    answers = current_app.extensions.get(STORE)
    if answers is None:
        answers = current_app.extensions[STORE] = AnswerStore()
    return answers


def cached_on(blueprint):
    """`cached`, documented on `blueprint`'s spec as a possible 304: put it above the view's other decorators."""
    def decorate(view):
        return blueprint.alt_response(304, description=NOT_MODIFIED, headers=ETAG_HEADER)(cached(view))
    return decorate


def cached(view):
    """Keep a catalogue view's 200 answers (put it above @blp.response) and answer If-None-Match with 304."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        answers = store()
        key = (request.path, tuple(sorted(request.args.items(multi=True))))
        entry = answers.get(key)
        if entry is None:
            built = view(*args, **kwargs)
            if built.status_code != 200:
                return built
            body = built.get_data()
            entry = (body, built.mimetype, hashlib.blake2b(body, digest_size=16).hexdigest())
            answers.put(key, entry)
        body, mimetype, etag = entry
        response = current_app.response_class(body, mimetype=mimetype)
        response.set_etag(etag)
        response.headers["Cache-Control"] = CACHE_CONTROL
        return response.make_conditional(request)

    return wrapper
