"""Default settings; each can be overridden by an ELIGIBILITY_* environment variable or the test config."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

API_TITLE = "Eligibility API"
API_VERSION = "1.0.0"
OPENAPI_VERSION = "3.1.0"

# A RuleSet object (tests pass one in) or a directory to load; None means the project's rules/.
RULESET = None
RULES_DIR = None

# Flask and werkzeug answer 413 above this many request-body bytes.
MAX_CONTENT_LENGTH = 1024 * 1024

# Browser origins allowed to call the API (CORS); empty means CORS headers are never sent.
CORS_ORIGINS: list[str] = []

# Worked request examples shown in the spec; missing in an installed copy without tests/.
EXAMPLES_DIR = str(ROOT / "tests" / "situations")

# A client-sent X-Request-ID is echoed only when it looks like an id, so logs cannot be forged.
REQUEST_ID_MAX_LENGTH = 128

# Batch screening: households per request and members in all of them, lower with explain=summary, and the
# body limit for that endpoint alone. Measured so that the slowest batch allowed (every fact unknown) ends
# well inside REQUEST_TIME_BUDGET on 2 cores: the figures are in docs/api.md.
BATCH_MAX_HOUSEHOLDS = 4_000
BATCH_MAX_MEMBERS = 16_000
BATCH_MAX_EXPLAINED_HOUSEHOLDS = 2_000
BATCH_MAX_EXPLAINED_MEMBERS = 10_000
BATCH_MAX_CONTENT_LENGTH = 32 * 1024 * 1024

# Determination records: a SQLAlchemy URL (a bare postgresql:// uses psycopg 3); None means the SQLite
# file instance/eligibility.sqlite3, created on first use.
DATABASE_URL = None
# Apply the Alembic migrations on the first use of the database (once per process, under a lock).
DATABASE_MIGRATE = True

# The built U.S. Web Design System (`npm ci` installs it); the caseworker pages are styled with it.
USWDS_DIR = str(ROOT / "node_modules" / "@uswds" / "uswds" / "dist")

# Access (api/security.py): keys that may write (determination records, anything stored) and keys that may
# only read, each a list or a comma-separated string of secrets of 16+ characters. With no keys, writing is
# open (development). REQUIRE_API_KEY: every request but /healthz and /readyz needs a key.
API_KEYS: list[str] = []
READ_API_KEYS: list[str] = []
REQUIRE_API_KEY = False
# The caseworker pages' /save and /determinations store and show records too: with keys configured, put
# those pages behind a sign-in proxy that adds the key (X-API-Key), or they answer 401.
WRITE_PATHS = ["/v1/determinations", "/save"]
# Reading under these paths needs a key too (any key) once keys are configured: stored records hold facts.
PRIVATE_PATHS = ["/v1/determinations", "/determinations"]

# Rate limit per API key, else per client address (api/limits.py; flask-limiter's own settings). With
# local-memory:// (flask-limiter's memory:// without its timer thread per request, api/rate_storage.py)
# each gunicorn worker counts alone; a shared store (redis://...) counts across workers.
RATELIMIT_ENABLED = True
RATELIMIT_APPLICATION = "600 per minute"
RATELIMIT_STORAGE_URI = "local-memory://"
# If the shared store goes down, count per worker in memory until it is back, rather than answer 500s.
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
# Behind this many reverse proxies, take the client address from X-Forwarded-For (0: no proxy is trusted).
PROXY_FIX_X_FOR = 0
# Seconds a request that writes nothing may run before it is stopped with a 503 (0: no budget). gunicorn's
# --timeout (api/serve.py) is the hard bound for every request.
REQUEST_TIME_BUDGET = 30

# Security headers (api/headers.py): the Content-Security-Policy of HTML pages. No inline script or style.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")

# Observability (api/observability.py): /metrics, and JSON logs at this level. DEBUG also logs request
# bodies and exception messages, which may hold household facts.
METRICS_ENABLED = True
LOG_LEVEL = "INFO"
