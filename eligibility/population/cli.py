"""`eligibility synth` and `eligibility simulate`: make a synthetic population, run one through the rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from eligibility.cli_common import exit_with, load_or_exit, rules_option
from eligibility.errors import EligibilityError
from eligibility.population import DEFAULT_MEMORY_LIMIT, DEFAULT_PARTITION
from eligibility.yamlfile import load_yaml


@click.command()
@rules_option
@click.option("--households", type=click.IntRange(min=1), required=True, help="Number of households.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (same seed, same population).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="Population file: .parquet or .csv.")
def synth(rules_dir: str, households: int, seed: int, output: str) -> None:
    """Write a synthetic population of households (distributions: docs/population.md)."""
    from eligibility.population.synth import write_population

    if Path(output).suffix.lower() not in (".parquet", ".csv"):
        raise click.BadParameter("name the file .parquet or .csv", param_hint="-o")
    ruleset = load_or_exit(rules_dir)
    path = write_population(ruleset, households, seed, output)
    click.echo(f"wrote {households:,} households to {path}")


@click.command()
@rules_option
@click.argument("population", type=click.Path(exists=True))
@click.option("--reform", "reform_file", type=click.File("r"), help="A reform (YAML or JSON) to compare.")
@click.option("--date", "date_text", help="Date simulated (YYYY-MM-DD); default: today, or the last day "
              "every program is modelled when today is past it.")
@click.option("--programs", help="Comma-separated program ids; default: all.")
@click.option("--scheduler", help="Address of a running Dask scheduler (tcp://host:8786); default: a local cluster.")
@click.option("--workers", type=click.IntRange(min=1), help="Local cluster: worker processes (default: one per core).")
@click.option("--memory-limit", default=DEFAULT_MEMORY_LIMIT, show_default=True,
              help="Local cluster: memory limit per worker.")
@click.option("--partition-size", type=click.IntRange(min=1), default=DEFAULT_PARTITION, show_default=True,
              help="Households per partition (Parquet: rounded to whole row groups).")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), required=True,
              help="Folder for summary.json, summary.csv and by_income_band.png.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def simulate(rules_dir, population, reform_file, date_text, programs, scheduler, workers, memory_limit,
             partition_size, out_dir, quiet) -> None:
    """Run POPULATION (Parquet or CSV) through every program on Dask, baseline and reform."""
    from eligibility.population.report import write_outputs
    from eligibility.population.simulate import dask_client, default_date, simulate_population

    ruleset = load_or_exit(rules_dir)
    try:
        date = dt.date.fromisoformat(date_text) if date_text else default_date(ruleset)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--date") from None
    reform = load_yaml(reform_file.read()) if reform_file is not None else None
    wanted = programs.split(",") if programs else None
    try:
        with dask_client(scheduler, workers, memory_limit) as client:
            summary = simulate_population(client, population, ruleset, date, reform, wanted, partition_size,
                                          progress=not quiet)
    except EligibilityError as error:
        exit_with(error)
    paths = write_outputs(summary, out_dir)
    totals = summary["totals"]
    click.echo(f"\n{totals['households']:,} households, {totals['people']:,} people on {summary['date']} "
               f"in {summary['run']['seconds']} s on {summary['run']['workers']} worker(s)")
    for program_id, figures in totals["programs"].items():
        line = f"  {program_id:<13} eligible {figures['baseline']['eligible']:>12,}"
        if "change" in figures:
            change = figures["change"]
            line += (f"  reform {figures['reform']['eligible']:>12,}  newly eligible {change['newly_eligible']:,}"
                     f", newly ineligible {change['newly_ineligible']:,}")
            if "winners" in change:
                line += f", winners {change['winners']:,}, losers {change['losers']:,}"
        click.echo(line)
    click.echo("wrote " + ", ".join(str(p) for p in paths))
