"""Run YAML test cases (OpenFisca's format: name, period, input, output) against a rule set."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from eligibility.errors import EligibilityError
from eligibility.formula.ir import BOOL, EnumType

DEFAULT_MARGIN = 1e-6


@dataclass
class CaseResult:
    """Outcome of one test case."""

    name: str
    file: str
    passed: bool
    differences: list = field(default_factory=list)
    error: str | None = None


def period_date(period) -> dt.date:
    """A case's period (YYYY, YYYY-MM or YYYY-MM-DD) as the date screened."""
    text = str(period)
    if len(text) == 4:
        return dt.date(int(text), 1, 1)
    if len(text) == 7:
        return dt.date.fromisoformat(text + "-01")
    return dt.date.fromisoformat(text)


def household_of(case_input: dict) -> dict:
    """The contract household of a case: its `input`, or OpenFisca's persons/households form."""
    if "persons" not in case_input:
        return case_input
    persons = case_input["persons"]
    households = case_input.get("households") or {"household": {"members": list(persons)}}
    (household,) = households.values()
    facts = {k: v for k, v in household.items() if k not in ("members", "adults", "children")}
    member_ids = household.get("members") or list(persons)
    facts["members"] = [{"id": pid, **(persons[pid] or {})} for pid in member_ids]
    return facts


def load_cases(paths) -> list[tuple[str, dict]]:
    """Every case in the YAML files under `paths` (files or directories)."""
    cases = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            continue
        files = sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]
        for file in files:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
            for case in data if isinstance(data, list) else [data]:
                cases.append((str(file), case))
    return cases


def _expected_matches(expected, actual, known: bool, variable, margin: float) -> bool:
    if expected is None:
        return not known
    if not known:
        return False
    if isinstance(variable.type, EnumType):
        return variable.possible_values[int(actual)] == expected
    if variable.type == BOOL:
        return bool(actual) == bool(expected)
    return abs(float(actual) - float(expected)) <= margin


def run_case(ruleset, file: str, case: dict) -> CaseResult:
    """Run one case; an unknown output is written `null` and must come out unknown."""
    name = case.get("name", "(unnamed)")
    try:
        household = household_of(case.get("input") or {})
        sim = ruleset.simulate(period_date(case["period"]), [household])
        margin = float(case.get("absolute_error_margin", DEFAULT_MARGIN))
        differences = []
        for var_name, expected in (case.get("output") or {}).items():
            variable = ruleset.variables.get(var_name)
            if variable is None:
                differences.append(f"{var_name}: no such variable")
                continue
            values, known = sim.calculate(var_name)
            known = np.ones(len(values), dtype=bool) if known is None else known
            expected_list = expected if isinstance(expected, list) else [expected]
            if variable.entity == "person" and isinstance(expected, dict):
                ids = [str(m.get("id")) for m in household["members"]]
                expected_list = [expected.get(i) for i in ids]
            if len(expected_list) != len(values):
                expected_list = expected_list * len(values) if len(expected_list) == 1 else expected_list
            for i, exp in enumerate(expected_list):
                if not _expected_matches(exp, values[i], bool(known[i]), variable, margin):
                    got = "unknown" if not known[i] else _readable(values[i], variable)
                    where = f"[{i}]" if len(values) > 1 else ""
                    differences.append(f"{var_name}{where}: expected {exp!r}, got {got}")
        return CaseResult(name, file, not differences, differences)
    except (EligibilityError, KeyError, ValueError, TypeError, AttributeError, IndexError) as error:
        return CaseResult(name, file, False, error=f"{type(error).__name__}: {error}")


def _readable(value, variable):
    if isinstance(variable.type, EnumType):
        return variable.possible_values[int(value)]
    if variable.type == BOOL:
        return bool(value)
    return round(float(value), 4)


def run_cases(ruleset, paths) -> list[CaseResult]:
    """Run every case found under `paths`."""
    return [run_case(ruleset, file, case) for file, case in load_cases(paths)]
