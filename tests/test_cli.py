"""`eligibility screen` reports what is wrong with its input on stderr, as JSON naming the fields, and exits 2."""

from __future__ import annotations

import json

from click.testing import CliRunner

from eligibility.cli import main


def run(tmp_path, household: dict, date: str):
    path = tmp_path / "household.json"
    path.write_text(json.dumps(household))
    return CliRunner().invoke(main, ["screen", str(path), "--date", date])


def test_a_date_outside_the_rules_exits_2_naming_the_date(tmp_path):
    result = run(tmp_path, {"members": [{"id": "a", "age": 30}]}, "2030-01-01")
    assert result.exit_code == 2
    problem = json.loads(result.stderr)
    assert "snap: 2023-10-01 to 2026-09-30" in problem["errors"]["date"][0]


def test_an_invalid_fact_exits_2_naming_the_field(tmp_path):
    result = run(tmp_path, {"members": [{"id": "a", "age": -3}]}, "2025-11-15")
    assert result.exit_code == 2
    problem = json.loads(result.stderr)
    assert problem["errors"]["household"]["members"]["0"]["age"] == ["Must be greater than or equal to 0."]
    assert result.stdout == ""
