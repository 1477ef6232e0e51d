"""The spec (/openapi.yaml, /openapi.json) and an interactive reference (/docs) served from installed files.

Swagger UI's assets come from the swagger-ui-py package, so /docs works on machines with no internet.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, send_from_directory, url_for
from swagger_ui.utils import SWAGGER_UI_PY_ROOT

from api.openapi import spec_dict, spec_yaml

STATIC = SWAGGER_UI_PY_ROOT / "static"
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="stylesheet" href="{css}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{bundle}"></script>
  <script src="{init}"></script>
</body>
</html>
"""

blp = Blueprint("docs", __name__)


@blp.get("/openapi.yaml")
def openapi_yaml():
    """The OpenAPI 3.1 contract, as committed in openapi.yaml."""
    return Response(spec_yaml(current_app), mimetype="application/yaml")


@blp.get("/openapi.json")
def openapi_json():
    """The same contract as JSON."""
    return Response(json.dumps(spec_dict(current_app), indent=2), mimetype="application/json")


@blp.get("/docs")
def docs_page():
    """Swagger UI on the contract."""
    page = PAGE.format(title=current_app.config["API_TITLE"],
                       css=url_for("docs.asset", name="swagger-ui.css"),
                       bundle=url_for("docs.asset", name="swagger-ui-bundle.js"),
                       init=url_for("docs.initializer"))
    return Response(page, mimetype="text/html")


@blp.get("/docs/init.js")
def initializer():
    """Start Swagger UI on /openapi.yaml (a file, not inline script, so a strict CSP can allow it)."""
    script = ("window.onload = function () {\n"
              f"  window.ui = SwaggerUIBundle({{url: {json.dumps(url_for('docs.openapi_yaml'))}, "
              "dom_id: '#swagger-ui', deepLinking: true, displayRequestDuration: true});\n};\n")
    return Response(script, mimetype="text/javascript")


@blp.get("/docs/static/<path:name>")
def asset(name: str):
    """Swagger UI's own files, from the installed package."""
    return send_from_directory(STATIC, name, max_age=86400)
