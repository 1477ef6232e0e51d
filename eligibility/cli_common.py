"""What every `eligibility` command shares: the `--rules` option, loading the rules, reporting errors."""

from __future__ import annotations

import json
import sys
from typing import NoReturn

import click

from eligibility.errors import EligibilityError, RuleError
from eligibility.ruleset import DEFAULT_RULES, RuleSet, load_rules

rules_option = click.option("--rules", "rules_dir", type=click.Path(exists=True, file_okay=False),
                            default=str(DEFAULT_RULES), show_default=True, help="Rule set directory.")


def load_or_exit(rules_dir: str) -> RuleSet:
    """The rule set, or every problem in it on stderr and exit status 1."""
    try:
        return load_rules(rules_dir)
    except RuleError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(error.problems)} problem(s) in the rules; nothing was run.", err=True)
        sys.exit(1)


def exit_with(error: EligibilityError) -> NoReturn:
    """A problem with the command's input on stderr (with the fields it names, as JSON) and exit status 2."""
    errors = getattr(error, "errors", None)
    if errors:
        click.echo(json.dumps({"message": str(error), "errors": errors}, indent=2), err=True)
    else:
        click.echo(str(error), err=True)
    sys.exit(2)
