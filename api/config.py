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

# Batch screening: households per request, and the body limit for that endpoint alone.
BATCH_MAX_HOUSEHOLDS = 10_000
BATCH_MAX_CONTENT_LENGTH = 32 * 1024 * 1024
