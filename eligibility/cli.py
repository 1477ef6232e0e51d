"""The `eligibility` command: check rules, run rule tests, screen a household."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

import click

from eligibility.cli_common import exit_with, load_or_exit, rules_option
from eligibility.compare import compare as compare_rules
from eligibility.compare import rule_changes
from eligibility.errors import EligibilityError, InputError
from eligibility.reforms import apply_reform
from eligibility.screening import EXPLAIN_LEVELS, screen
from eligibility.testing import run_cases
from eligibility.yamlfile import load_yaml


@click.group()
def main() -> None:
    """Rules-as-code eligibility: check and test rules, screen households."""


@main.command()
@rules_option
def check(rules_dir: str) -> None:
    """Load and check every rule file; exit 1 on any problem."""
    ruleset = load_or_exit(rules_dir)
    click.echo(f"OK: rules {ruleset.version} ({ruleset.digest}), {len(ruleset.variables)} variables, "
               f"{len(ruleset.parameter_files)} parameter files, programs: {', '.join(ruleset.programs)}")


def _reformed(ruleset, reform_file):
    """The rule set with the reform in REFORM_FILE (YAML or JSON) applied, or exit 2 naming problems."""
    reform = load_yaml(reform_file.read())  # dates stay text, as in rule files
    try:
        return apply_reform(ruleset, reform)
    except InputError as error:
        exit_with(error)


reform_option = click.option("--reform", "reform_file", type=click.File("r"),
                             help="A reform (YAML or JSON): parameters, variables and a label.")


@main.command()
@rules_option
@reform_option
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--verbose", "-v", is_flag=True, help="List every case, not only failures.")
def test(rules_dir: str, reform_file, paths: tuple, verbose: bool) -> None:
    """Run YAML test cases (default: tests/rules), against the rules or a reform of them."""
    ruleset = load_or_exit(rules_dir)
    if reform_file is not None:
        ruleset = _reformed(ruleset, reform_file)
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
    ruleset = load_or_exit(rules_dir)
    data = json.load(file)
    household = data.get("household", data)
    text = date_text or data.get("date")
    try:
        date = dt.date.fromisoformat(text) if text else dt.date.today()
        wanted = programs.split(",") if programs else data.get("programs")
        result = screen(ruleset, household, date, wanted, explain)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--date") from None
    except EligibilityError as error:
        exit_with(error)
    click.echo(json.dumps(result, indent=2))


@main.command()
@rules_option
@click.option("--reform", "reform_file", type=click.File("r"), required=True, help="The reform (YAML or JSON).")
@click.option("--date", "date_text", required=True, help="Date screened for (YYYY-MM-DD).")
@click.option("--programs", help="Comma-separated program ids; default: all.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.argument("households", type=click.File("r"))
def compare(rules_dir, reform_file, date_text, programs, output, households) -> None:
    """Compare baseline and reform for the households in HOUSEHOLDS (JSON lines)."""
    ruleset = load_or_exit(rules_dir)
    reformed = _reformed(ruleset, reform_file)
    rows = [json.loads(line) for line in households if line.strip()]
    rows = [row.get("household", row) for row in rows]
    try:
        result = compare_rules(ruleset, reformed, rows, dt.date.fromisoformat(date_text),
                               programs.split(",") if programs else None)
    except EligibilityError as error:
        exit_with(error)
    if output == "json":
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"reform: {result['reform']['label'] or '(no label)'} {result['reform']['digest']}")
    click.echo(f"{'household':>9}  {'program':<13}{'baseline':>24}  {'reform':>24}  {'change':>9}")
    for i, row in enumerate(result["households"]):
        for pid, entry in row.items():
            base, new = entry["baseline"], entry["reform"]
            change = "" if entry["change"] is None else f"{entry['change']:+.2f}"
            click.echo(f"{i:>9}  {pid:<13}{_cell(base):>24}  {_cell(new):>24}  {change:>9}")
    click.echo("summary:")
    for pid, line in result["summary"].items():
        click.echo(f"  {pid}: newly eligible {line['newly_eligible']}, newly ineligible "
                   f"{line['newly_ineligible']}, unchanged {line['unchanged']}, total change "
                   f"{line['total_change']:+.2f}, mean change {line['mean_change']}")


def _cell(answer: dict) -> str:
    amount = "" if answer["amount"] is None else f" {answer['amount']:.2f}"
    return f"{answer['status']}{amount}"


@main.command()
@rules_option
@click.option("--from", "start", required=True, help="First date (YYYY-MM-DD).")
@click.option("--to", "end", required=True, help="Second date (YYYY-MM-DD).")
def changes(rules_dir, start, end) -> None:
    """Parameters whose values differ between two dates, and formulas dated in between."""
    ruleset = load_or_exit(rules_dir)
    result = rule_changes(ruleset, dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    for change in result["parameters"]:
        click.echo(f"{change['path']}: {change['from']} -> {change['to']}")
    for formula in result["variables"]:
        click.echo(f"{formula['variable']}: new formula from {formula['start']}: {formula['formula']}")
    click.echo(f"{len(result['parameters'])} parameter(s) and {len(result['variables'])} formula(s) changed")


@main.command()
@rules_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="gunicorn worker processes  [default: one per core]")
def serve(rules_dir: str, host: str, port: int, workers: int | None) -> None:
    """Serve the HTTP API under gunicorn; the rules are loaded once, before the workers start."""
    # The API (Flask) runs in the process this one becomes: the engine's CLI never imports it.
    os.environ["ELIGIBILITY_RULES_DIR"] = os.path.abspath(rules_dir)
    argv = [sys.executable, "-m", "api.serve", "--host", host, "--port", str(port)]
    if workers:
        argv += ["--workers", str(workers)]
    os.execv(sys.executable, argv)


if __name__ == "__main__":  # pragma: no cover
    main()

from eligibility.population.cli import simulate, synth  # noqa: E402

main.add_command(synth)
main.add_command(simulate)
