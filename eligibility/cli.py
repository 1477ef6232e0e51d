"""The `eligibility` command: check rules, run rule tests, screen a household."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from eligibility.errors import EligibilityError, InputError, RuleError
from eligibility.ruleset import DEFAULT_RULES, load_rules
from eligibility.screening import EXPLAIN_LEVELS, screen
from eligibility.testing import run_cases

rules_option = click.option("--rules", "rules_dir", type=click.Path(exists=True, file_okay=False),
                            default=str(DEFAULT_RULES), show_default=True, help="Rule set directory.")


def _load(rules_dir: str):
    try:
        return load_rules(rules_dir)
    except RuleError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(error.problems)} problem(s) in the rules; nothing was run.", err=True)
        sys.exit(1)


@click.group()
def main() -> None:
    """Rules-as-code eligibility: check and test rules, screen households."""


@main.command()
@rules_option
def check(rules_dir: str) -> None:
    """Load and check every rule file; exit 1 on any problem."""
    ruleset = _load(rules_dir)
    click.echo(f"OK: rules {ruleset.version} ({ruleset.digest}), {len(ruleset.variables)} variables, "
               f"{len(ruleset.parameter_files)} parameter files, programs: {', '.join(ruleset.programs)}")


@main.command()
@rules_option
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--verbose", "-v", is_flag=True, help="List every case, not only failures.")
def test(rules_dir: str, paths: tuple, verbose: bool) -> None:
    """Run YAML test cases (default: tests/rules)."""
    ruleset = _load(rules_dir)
    results = run_cases(ruleset, paths or ["tests/rules"])
    failed = [r for r in results if not r.passed]
    for result in results:
        if verbose or not result.passed:
            mark = "PASS" if result.passed else "FAIL"
            click.echo(f"{mark} {result.file}: {result.name}")
            for line in ([result.error] if result.error else result.differences):
                click.echo(f"    {line}")
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed or not results:
        sys.exit(1)


@main.command(name="screen")
@rules_option
@click.argument("file", type=click.File("r"))
@click.option("--date", "date_text", help="Date screened for (YYYY-MM-DD); default: the file's or today.")
@click.option("--programs", help="Comma-separated program ids; default: all.")
@click.option("--explain", type=click.Choice(EXPLAIN_LEVELS), default="summary", show_default=True)
def screen_command(rules_dir: str, file, date_text: str | None, programs: str | None, explain: str) -> None:
    """Screen the household in FILE (a household or a whole request) and print the answer as JSON."""
    ruleset = _load(rules_dir)
    data = json.load(file)
    household = data.get("household", data)
    text = date_text or data.get("date")
    try:
        date = dt.date.fromisoformat(text) if text else dt.date.today()
        wanted = programs.split(",") if programs else data.get("programs")
        result = screen(ruleset, household, date, wanted, explain)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--date") from None
    except InputError as error:
        click.echo(json.dumps({"message": str(error), "errors": error.errors}, indent=2), err=True)
        sys.exit(2)
    except EligibilityError as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    click.echo(json.dumps(result, indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()

