"""Population runs: synthetic files round-trip, the column scheme means what the contract means, and a
real Dask cluster gives exactly the single-process answer, for the baseline and for a reform."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from eligibility.cli import main
from eligibility.cliffs import status_codes
from eligibility.errors import InputError
from eligibility.population import simulate as population
from eligibility.population.columns import column_dtypes, to_arrays
from eligibility.population.report import write_outputs
from eligibility.population.synth import synthesize, write_population
from eligibility.reforms import ReformCache
from eligibility.simulation import Simulation
from eligibility.yamlfile import load_yaml

DATE = dt.date(2026, 6, 30)
HOUSEHOLDS = 3000


def _reform(*names: str) -> dict:
    """The example reforms `names` merged into one draft (parameters and variables)."""
    merged: dict = {"label": " + ".join(names), "parameters": {}, "variables": {}}
    for name in names:
        with open(f"examples/reforms/{name}.yaml", encoding="utf-8") as file:
            reform = load_yaml(file.read())
        merged["parameters"].update(reform.get("parameters") or {})
        merged["variables"].update(reform.get("variables") or {})
    return merged


REFORM = _reform("snap_gross_limit_200", "snap_standard_deduction_flat", "texas_medicaid_expansion")


@pytest.fixture(scope="module")
def frame(rules):
    """A small synthetic population."""
    return synthesize(rules, HOUSEHOLDS, seed=7)


@pytest.fixture(scope="module")
def parquet(rules, tmp_path_factory):
    """The same population as Parquet, in row groups of 500 households (6 partitions)."""
    path = tmp_path_factory.mktemp("population") / "households.parquet"
    return write_population(rules, HOUSEHOLDS, 7, path, row_group_size=500)


@pytest.fixture(scope="module")
def client():
    """A real local Dask cluster: two worker processes."""
    with population.dask_client(workers=2, memory_limit="2GiB") as client:
        yield client


def test_the_same_seed_gives_the_same_population_and_another_seed_another(rules, frame):
    pd.testing.assert_frame_equal(synthesize(rules, HOUSEHOLDS, seed=7), frame)
    assert not synthesize(rules, 50, seed=8)["members.0.age"].equals(frame["members.0.age"].head(50))


def test_parquet_round_trip_keeps_every_cell_and_every_unknown(frame, parquet):
    pd.testing.assert_frame_equal(pd.read_parquet(parquet), frame)
    assert frame["members.7.age"].isna().mean() > 0.9  # empty member slots stay empty
    assert frame["annual_earned_income"].isna().all()  # facts the generator does not draw are unknown


def test_csv_round_trip_reads_back_the_same_frame_with_the_scheme_dtypes(rules, frame, tmp_path):
    path = write_population(rules, HOUSEHOLDS, 7, tmp_path / "households.csv")
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert '"members.0.age"' in header and '"state"' in header
    pd.testing.assert_frame_equal(pd.read_csv(path, dtype=column_dtypes(rules)), frame)


def _contract_households(frame: pd.DataFrame) -> list[dict]:
    """The rows as the screening contract's JSON households (members from occupied slots)."""
    households = []
    for row in frame.to_dict("records"):
        household: dict = {"members": []}
        for column, value in row.items():
            if pd.isna(value) or column == "household_id":
                continue
            value = value.item() if hasattr(value, "item") else value
            if column.startswith("members."):
                _, slot, fact = column.split(".", 2)
                while len(household["members"]) <= int(slot):
                    household["members"].append({})
                household["members"][int(slot)][fact] = value
            else:
                household[column] = value
        household["members"] = [m for m in household["members"] if m]
        households.append(household)
    return households


def test_columns_mean_what_the_contract_means_household_by_household(rules, frame):
    sample = frame.head(300).copy()
    sample.loc[0:9, "members.0.earned_income"] = np.nan  # some unknowns, to compare those too
    from_columns = Simulation(rules, DATE, *to_arrays(rules, sample))
    from_json = rules.simulate(DATE, _contract_households(sample))
    for program in rules.programs.values():
        assert np.array_equal(status_codes(from_columns, program), status_codes(from_json, program)), program.id
        if program.amount:
            assert np.array_equal(from_columns.calculate(program.amount)[0],
                                  from_json.calculate(program.amount)[0]), program.id
    assert (status_codes(from_columns, rules.programs["snap"])[:10] == 2).any()


def test_a_reform_reuses_only_what_it_cannot_change(rules, frame, monkeypatch):
    layout, plain, _ = population.prepare(rules, DATE, REFORM, None)
    reused = population.evaluate_frame(layout, rules, frame, DATE, plain)
    monkeypatch.setattr(population, "_REFORMS", ReformCache())  # a fresh reformed rule set, nothing kept
    monkeypatch.setattr(population, "affected_variables", lambda base, reformed: frozenset(reformed.variables))
    recomputed = population.evaluate_frame(layout, rules, frame, DATE, plain)
    assert np.array_equal(reused, recomputed)


def test_a_frame_leaves_no_simulation_for_the_cyclic_collector(rules, frame, simulations_left_in_cycles):
    # A frame's arrays (hundreds of MiB for large frames) must go when its sums are taken, not linger
    # in reference cycles until a full collection: that raised the peak memory of a run by over a third.
    layout, plain, _ = population.prepare(rules, DATE, REFORM, None)
    assert simulations_left_in_cycles(lambda: population.evaluate_frame(layout, rules, frame, DATE, plain)) == []


def test_bad_cells_are_refused_naming_the_column(rules, frame):
    for column, value, message in [("members.1.earned_income", -5.0, "greater than or equal to 0"),
                                   ("state", "ZZ", "Must be one of")]:
        bad = frame.head(20).copy()
        if column == "state":
            bad[column] = bad[column].astype("string")
        bad.loc[3, column] = value
        with pytest.raises(InputError) as error:
            to_arrays(rules, bad)
        assert message in json.dumps(error.value.errors[column])
    empty = frame.head(5).copy()
    empty.loc[2, [c for c in empty.columns if c.startswith("members.")]] = None
    with pytest.raises(InputError) as error:
        to_arrays(rules, empty)
    assert "rows [2]" in error.value.errors["members"][0]


@pytest.mark.parametrize("reform", [None, REFORM], ids=["baseline", "reform"])
def test_a_dask_cluster_gives_exactly_the_single_process_answer(rules, frame, parquet, client, reform):
    distributed = population.simulate_population(client, parquet, rules, DATE, reform, partition_size=500)
    run = distributed.pop("run")
    assert run["partitions"] == 6 and run["workers"] == 2
    assert distributed == population.simulate_frame(rules, pd.read_parquet(parquet), DATE, reform)
    totals = distributed["totals"]
    assert totals["households"] == HOUSEHOLDS
    assert sum(g["households"] for g in distributed["by_state"].values()) == HOUSEHOLDS
    # Each worker process built the rule set once, however many partitions and runs it served.
    assert max(client.run(population.rules_builds).values()) == 1
    if reform is not None:
        assert totals["programs"]["snap"]["change"]["newly_eligible"] > 0
        assert totals["programs"]["medicaid"]["change"]["newly_eligible"] > 0
        assert distributed["by_state"]["TX"]["programs"]["medicaid"]["change"]["newly_eligible"] > 0


def test_outputs_are_json_csv_and_a_png_chart(rules, frame, tmp_path):
    summary = population.simulate_frame(rules, frame, DATE, REFORM)
    json_path, csv_path, png_path = write_outputs(summary, tmp_path / "out")
    assert json.loads(json_path.read_text())["totals"]["households"] == HOUSEHOLDS
    table = pd.read_csv(csv_path)
    snap = table[(table.breakdown == "all") & (table.program == "snap")].iloc[0]
    assert snap.newly_eligible == summary["totals"]["programs"]["snap"]["change"]["newly_eligible"]
    assert set(table.breakdown) == {"all", "state", "household_size", "income_band"}
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_writes_a_population_and_simulates_it_on_a_given_scheduler(client, tmp_path):
    runner = CliRunner()
    path = tmp_path / "people.csv"
    made = runner.invoke(main, ["synth", "--households", "400", "--seed", "3", "-o", str(path)])
    assert made.exit_code == 0, made.output
    out = tmp_path / "out"
    ran = runner.invoke(main, ["simulate", str(path), "--reform", "examples/reforms/snap_gross_limit_200.yaml",
                               "--date", DATE.isoformat(), "--scheduler", client.scheduler.address,
                               "--quiet", "-o", str(out)])
    assert ran.exit_code == 0, ran.output
    assert "400 households" in ran.output and "snap" in ran.output
    assert {p.name for p in out.iterdir()} == {"summary.json", "summary.csv", "by_income_band.png"}
    outside = runner.invoke(main, ["simulate", str(path), "--date", "2030-01-01", "--scheduler",
                                   client.scheduler.address, "-o", str(out)])
    assert outside.exit_code == 2 and "outside the modelled range" in outside.output
