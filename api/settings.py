"""Settings checked once, at start: one the service cannot run with stops it with a sentence naming it.

Without this, a typo in a number or a rate surfaced as a 500 on every request, and a wrong log level as
a traceback. Modules that read richer settings (API keys, the rate-limit store, the database URL) raise
SettingError themselves; `api/wsgi.py` turns any of them into one line and exit status 4.
"""

from __future__ import annotations

from pathlib import Path

from limits import parse_many

PREFIX = "ELIGIBILITY_"
# Each whole-number setting and the least value that makes sense.
WHOLE_NUMBERS = {
    "MAX_CONTENT_LENGTH": 1, "BATCH_MAX_CONTENT_LENGTH": 1, "BATCH_MAX_HOUSEHOLDS": 1, "BATCH_MAX_MEMBERS": 1,
    "BATCH_MAX_EXPLAINED_HOUSEHOLDS": 1, "BATCH_MAX_EXPLAINED_MEMBERS": 1, "PROXY_FIX_X_FOR": 0,
}
SWITCHES = ("RATELIMIT_ENABLED", "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", "METRICS_ENABLED", "REQUIRE_API_KEY",
            "DATABASE_MIGRATE")
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingError(ValueError):
    """A setting the service cannot run with; the message starts with its environment variable."""

    def __init__(self, setting: str, problem: str):
        self.setting = PREFIX + setting
        super().__init__(f"{self.setting} {problem}")


def check(config) -> None:
    """Raise SettingError for the first bad setting; switches given as text ("yes", "0") become booleans."""
    for setting, least in WHOLE_NUMBERS.items():
        value = config.get(setting)
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise SettingError(setting, f"must be a whole number of at least {least}, not {value!r}.")
    budget = config.get("REQUEST_TIME_BUDGET")
    if isinstance(budget, bool) or not isinstance(budget, int | float) or not 0 <= budget < float("inf"):
        raise SettingError("REQUEST_TIME_BUDGET", f"must be a number of seconds (0: no budget), not {budget!r}.")
    for setting in SWITCHES:
        config[setting] = _switch(setting, config.get(setting))
    level = config.get("LOG_LEVEL")
    if not isinstance(level, str) or level.upper() not in LOG_LEVELS:
        raise SettingError("LOG_LEVEL", f"must be one of {', '.join(LOG_LEVELS)}, not {level!r}.")
    rate = config.get("RATELIMIT_APPLICATION")
    try:
        if rate:
            parse_many(rate)
    except (ValueError, TypeError):
        raise SettingError("RATELIMIT_APPLICATION", f"must be a rate such as '600 per minute' or "
                                                    f"'100 per second;5000 per hour', not {rate!r}.") from None
    rules = config.get("RULES_DIR")
    if rules and config.get("RULESET") is None and not Path(rules).is_dir():
        raise SettingError("RULES_DIR", f"must be a folder of rules; {str(rules)!r} is not a folder.")


def _switch(setting: str, value) -> bool:
    if isinstance(value, bool) or value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise SettingError(setting, f"must be true or false, not {value!r}.")
