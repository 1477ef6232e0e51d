"""Version 1 of the API: one blueprint per resource."""

from api.v1 import parameters, programs, rules, screen, variables

BLUEPRINTS = tuple(module.blp for module in (screen, programs, variables, parameters, rules))
