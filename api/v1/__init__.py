"""Version 1 of the API: one blueprint per resource."""

from api.v1 import batch, drafting, parameters, programs, rules, screen, variables

BLUEPRINTS = (batch.blp, *(module.blp for module in (screen, programs, variables, parameters, rules)),
              drafting.compare_blp, drafting.changes_blp, drafting.tests_blp)
