"""The `--rules` option every `eligibility` command shares, and loading a rule set for a command."""

from __future__ import annotations

import sys

import click

from eligibility.errors import RuleError
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
