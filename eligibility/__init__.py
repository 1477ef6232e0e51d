"""Rules-as-code eligibility engine: load a rule set, evaluate households with unknown facts."""

from eligibility.errors import EligibilityError, InputError, RuleError
from eligibility.ruleset import RuleSet, load_rules

__all__ = ["EligibilityError", "InputError", "RuleError", "RuleSet", "load_rules"]
