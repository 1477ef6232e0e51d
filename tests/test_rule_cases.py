"""Every YAML case under tests/rules passes against the project's rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from eligibility.testing import load_cases, run_case

CASES = load_cases([Path(__file__).parent / "rules"])


@pytest.mark.parametrize(("file", "case"), CASES, ids=[c.get("name", "?")[:80] for _, c in CASES])
def test_rule_case(rules, file, case):
    result = run_case(rules, file, case)
    assert result.passed, result.error or "\n".join(result.differences)


def test_there_are_cases_for_every_program(rules):
    files = {Path(file).as_posix() for file, _ in CASES}
    for program in rules.programs.values():
        folder = "/".join(Path(program.file).parts[1:-1])  # rules/<path>/program.yaml
        assert any(f"tests/rules/{folder}/" in f for f in files), program.id
