"""Access control: API keys for writing (and, if a deployment says so, for everything), in constant time.

Reading and screening are open by default. Once keys are configured, a request that writes (any method
but GET, HEAD and OPTIONS on a path under `WRITE_PATHS`, e.g. /v1/determinations) needs a key from
`API_KEYS`; reading what is stored (`PRIVATE_PATHS`: saved determinations hold household facts) needs
any key; with `REQUIRE_API_KEY` every request but the probes needs a key from `API_KEYS` or
`READ_API_KEYS`. A key is sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
No key, or one that matches nothing: 401. A read-only key on a writing request: 403.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from flask import Flask, current_app, g, request
from flask_smorest import abort

from api.settings import SettingError

log = logging.getLogger("api.security")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Liveness and readiness probes answer without a key: an orchestrator has none.
OPEN_PATHS = frozenset({"/healthz", "/readyz"})
MIN_KEY_LENGTH = 16
WRITE, READ = "write", "read"


class Access:
    """The configured keys (as bytes, compared in constant time) and what each may do."""

    def __init__(self, write_keys: list[str], read_keys: list[str], require_for_all: bool,
                 write_paths: list[str], private_paths: list[str]):
        self.keys = [(key.encode(), WRITE) for key in write_keys] + [(key.encode(), READ) for key in read_keys]
        self.require_for_all = require_for_all
        self.write_paths = tuple(path.rstrip("/") for path in write_paths)
        self.private_paths = tuple(path.rstrip("/") for path in private_paths)

    @property
    def configured(self) -> bool:
        """Whether any key is configured (with none, writing is open: a development set-up)."""
        return bool(self.keys)

    def scope_of(self, presented: str) -> str | None:
        """`write`, `read` or None: every configured key is compared, so timing says nothing about which."""
        given = presented.encode()
        found = None
        for key, scope in self.keys:
            if hmac.compare_digest(key, given) and found is None:
                found = scope
        return found

    def writes(self, method: str, path: str) -> bool:
        """Whether a request with this method and path changes stored data."""
        return method not in SAFE_METHODS and _under(path, self.write_paths)

    def needs_key(self, method: str, path: str) -> bool:
        """Whether the request needs some valid key (writing needs a writing one, see `writes`)."""
        return self.require_for_all or _under(path, self.private_paths) or self.writes(method, path)


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes)


def key_list(value) -> list[str]:
    """Keys from a setting: a list, or a comma-separated string (`ELIGIBILITY_API_KEYS=k1,k2`)."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def access_from_config(config) -> Access:
    """The app's access rules; a key too short to be secret stops the app from starting."""
    write_keys, read_keys = key_list(config.get("API_KEYS")), key_list(config.get("READ_API_KEYS"))
    for setting, keys in (("API_KEYS", write_keys), ("READ_API_KEYS", read_keys)):
        short = [fingerprint(k) for k in keys if len(k) < MIN_KEY_LENGTH]
        if short:
            raise SettingError(setting, f"must hold keys of at least {MIN_KEY_LENGTH} characters, comma-separated; "
                                        f"too short: {', '.join(short)} (fingerprints). Generate keys with "
                                        "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`.")
    require = config.get("REQUIRE_API_KEY")
    if isinstance(require, str):
        require = require.strip().lower() in ("1", "true", "yes", "on")
    if require and not write_keys + read_keys:
        raise SettingError("REQUIRE_API_KEY", "is set but no API_KEYS or READ_API_KEYS are configured.")
    return Access(write_keys, read_keys, bool(require), key_list(config.get("WRITE_PATHS")),
                  key_list(config.get("PRIVATE_PATHS")))


def fingerprint(key: str) -> str:
    """A short, non-reversible name for a key, for logs and rate-limit buckets."""
    return "key-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def presented_key() -> str | None:
    """The key the request carries: `Authorization: Bearer <key>`, else `X-API-Key`."""
    authorization = request.headers.get("Authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.headers.get("X-API-Key", "").strip() or None


def client_identity() -> tuple[str | None, str | None]:
    """(fingerprint, scope) of a valid key on this request, or (None, None); computed once per request."""
    if "api_identity" not in g:
        key = presented_key()
        access: Access = current_app.extensions["eligibility-access"]
        scope = access.scope_of(key) if key and access.configured else None
        g.api_identity = (fingerprint(key), scope) if scope else (None, None)
    return g.api_identity


def _deny(status: int, message: str, problem: str):
    headers = {"WWW-Authenticate": 'Bearer realm="eligibility"'} if status == 401 else {}
    abort(status, message=message, errors={"_schema": [problem]}, headers=headers)


def check_access():
    """before_request: 401 or 403 in the error envelope when the request needs a key it does not carry."""
    access: Access = current_app.extensions["eligibility-access"]
    if not access.configured or request.method == "OPTIONS" or request.path in OPEN_PATHS:
        return
    if not access.needs_key(request.method, request.path):
        return
    writing = access.writes(request.method, request.path)
    key = presented_key()
    _, scope = client_identity()
    if scope is None:
        if key is None:
            _deny(401, "This request needs an API key.",
                  "Send the key as `Authorization: Bearer <key>` or `X-API-Key: <key>`.")
        _deny(401, "The API key is not valid.", "The key sent matches no key of this service.")
    if writing and scope != WRITE:
        _deny(403, "This API key may read but not write.", "Use a key that may write.")


def init_app(app: Flask) -> None:
    """Read the keys once and check every request against them."""
    access = access_from_config(app.config)
    app.extensions["eligibility-access"] = access
    if not access.configured and not app.testing:
        log.warning("no API keys configured: writing endpoints are open to every client")
    app.before_request(check_access)
