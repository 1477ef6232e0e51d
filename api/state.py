"""What one app holds for its whole life: the rule set, loaded once, and the schema built from it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from marshmallow import Schema

from eligibility import RuleSet, load_rules


@dataclass(frozen=True)
class State:
    """The loaded rule set and the household schema (and its fast path) derived from its input facts."""

    ruleset: RuleSet
    household_schema: Schema
    plain_households: object  # api.schemas.household.PlainHouseholds: the schema's fast path


def load_state(config) -> State:
    """Load (or take the given) rule set; a broken rule set raises RuleError, so the app never starts."""
    from api.schemas.household import PlainHouseholds, household_schema

    ruleset = config.get("RULESET") or load_rules(config.get("RULES_DIR"))
    return State(ruleset, household_schema(ruleset), PlainHouseholds(ruleset))


def current_rules() -> RuleSet:
    """The current app's rule set."""
    return current_app.extensions["eligibility"].ruleset
