"""Version 1 of the API: one blueprint per resource."""

from api.v1 import drafting, parameters, programs, rules, screen, variables

BLUEPRINTS = (*(module.blp for module in (screen, programs, variables, parameters, rules)),
              drafting.compare_blp, drafting.changes_blp, drafting.tests_blp)
