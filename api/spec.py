"""Print the OpenAPI document of the app on the project's rules: `python -m api.spec > openapi.yaml`."""

from __future__ import annotations

import sys

from api import create_app
from api.config import EXAMPLES_DIR
from api.openapi import spec_yaml


def generate() -> str:
    """The spec exactly as committed: default settings, the project's rules and worked examples."""
    # Environment overrides (CORS, limits) do not change the contract, but pin what does.
    app = create_app({"RULESET": None, "RULES_DIR": None, "EXAMPLES_DIR": EXAMPLES_DIR})
    return spec_yaml(app)


if __name__ == "__main__":
    sys.stdout.write(generate())
