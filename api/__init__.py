"""The HTTP API: `create_app(config=None)` builds a Flask app on a rule set loaded once."""

from __future__ import annotations

from flask import Flask
from flask_cors import CORS

from api import errors, headers, limits, observability, openapi, security, settings, storage, web
from api.docs import blp as docs_blueprint
from api.health import blp as health_blueprint
from api.jsonprovider import OrjsonProvider
from api.schemas import components
from api.state import load_state
from api.v1 import BLUEPRINTS
from api.v1.determinations import blp as determinations_blueprint

SPEC_OPTIONS = {
    "info": {
        "description": "Screen households for US benefit programs under rules written as code. "
                       "A fact that is not given is unknown, never zero or false: answers say "
                       "`undetermined` and name the facts that would settle them. "
                       "Errors are `{status, code, message, errors}`.",
        "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
    },
}


def create_app(config: dict | None = None) -> Flask:
    """Defaults, then ELIGIBILITY_* environment variables, then `config` (tests)."""
    app = _Flask(__name__)
    app.config.from_object("api.config")
    app.config.from_prefixed_env("ELIGIBILITY")
    if config:
        app.config.update(config)
    settings.check(app.config)  # a bad setting stops the app here, named, rather than failing requests later
    app.extensions["eligibility"] = load_state(app.config)

    api = errors.EligibilityApi(app, spec_kwargs={**SPEC_OPTIONS, "marshmallow_plugin": openapi.ContractPlugin()})
    api.ma_plugin.converter.add_attribute_function(components.component_ref)
    state = app.extensions["eligibility"]
    components.register(api.spec, state.ruleset, state.household_schema)
    api.register_blueprint(health_blueprint)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    api.register_blueprint(determinations_blueprint)
    app.register_blueprint(docs_blueprint)
    storage.init_app(app)  # determination records; nothing connects until first use
    web.init_app(app)  # the caseworker pages at /
    observability.init_app(app)  # JSON logs with request ids, request and screening metrics, /metrics
    limits.init_app(app)  # rate limit per API key or address (429), time budget per request (503)
    security.init_app(app)  # API keys: writing needs one once keys are configured (401/403)
    headers.init_app(app)  # CSP, no framing, nosniff, referrer policy on every response
    errors.init_app(app)
    _cors(app)
    return app


class _Flask(Flask):
    json_provider_class = OrjsonProvider


def _cors(app: Flask) -> None:
    """CORS only for the configured origins: browsers elsewhere get no CORS headers at all."""
    origins = app.config.get("CORS_ORIGINS") or []
    if isinstance(origins, str):  # ELIGIBILITY_CORS_ORIGINS=https://a.example,https://b.example
        origins = [o.strip() for o in origins.split(",") if o.strip()]
    if origins:
        CORS(app, origins=origins, expose_headers=["X-Request-ID"], max_age=600)
