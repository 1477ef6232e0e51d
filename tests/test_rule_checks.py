"""A broken rule file is refused at load with file:line and a hint, every problem at once."""

from __future__ import annotations

import re

import pytest

from eligibility.errors import RuleError
from tests.conftest import formula_variable

VARIABLES = "toy/variables/under_test.yaml"


def problems_of(toy, files: dict) -> list[str]:
    with pytest.raises(RuleError) as caught:
        toy(files=files)
    return [str(p) for p in caught.value.problems]


def located(problems: list[str], file: str, line: int, text: str) -> bool:
    """Whether some problem names `file:line` and contains `text`."""
    return any(p.startswith(f"rules/{file}:{line}:") and text in p for p in problems)


@pytest.mark.parametrize(
    ("formula", "value_type", "message"),
    [
        ("a + c", "float", "unknown name 'c'"),
        ("p + 1", "float", "expected number, got bool"),
        ("a and p", "bool", "expected bool, got number"),
        ("a if a else b", "float", "expected bool, got number"),
        ("yearly + a", "float", "reads the yearly variable 'yearly' without saying how"),
        ("age + 1", "float", "'age' belongs to the person"),
        ("toy.nothing", "float", "unknown parameter 'toy.nothing'"),
        ("toy.table[colour]", "float", "table with 2 level(s) of keys"),
        ("colour == \"purple\"", "bool", "'purple' is not a value of colour"),
        ("a * 0.13", "float", "policy numbers belong in a dated"),
        ("a.__class__", "float", "'a.__class__' is not a parameter"),
        ("__import__('os')", "float", "function '__import__' is not allowed"),
        ("a ** 2", "float", "operator Pow is not allowed"),
        ("[a]", "float", "List is not allowed"),
        ("a[0]", "float", "subscripts are only allowed on table parameters"),
        ("lambda: 1", "float", "Lambda is not allowed"),
    ],
)
def test_formula_defects_are_located(toy, formula, value_type, message):
    problems = problems_of(toy, {VARIABLES: formula_variable("x", formula, value_type)})
    # formula_variable writes the formula on line 9 of the file.
    assert located(problems, VARIABLES, 9, message), problems


def test_cycle_is_reported(toy):
    text = formula_variable("x", "y + 1", "float") + formula_variable("y", "x - 1", "float")
    problems = problems_of(toy, {VARIABLES: text})
    assert any("dependency cycle: x -> y -> x" in p for p in problems), problems
    assert any(re.match(rf"rules/{VARIABLES}:\d+:", p) for p in problems)


def test_duplicate_variable_names_are_reported(toy):
    problems = problems_of(toy, {VARIABLES: formula_variable("a", "1", "float")})
    assert located(problems, VARIABLES, 1, "variable 'a' is defined twice"), problems
    assert "also at rules/toy/variables/facts.yaml:1" in problems[0]


def test_duplicate_keys_in_one_file_are_reported(toy):
    text = formula_variable("x", "a", "float") + formula_variable("x", "b", "float")
    problems = problems_of(toy, {VARIABLES: text})
    duplicate = [p for p in problems if "duplicate key 'x'" in p]
    assert duplicate and duplicate[0].startswith(f"rules/{VARIABLES}:11:"), problems


def test_missing_label_and_reference_are_reported(toy):
    text = "x:\n  entity: household\n  value_type: float\n  period: month\n  formula: a\n"
    problems = problems_of(toy, {VARIABLES: text})
    assert located(problems, VARIABLES, 2, "variable x has no label"), problems
    assert located(problems, VARIABLES, 2, "variable x has no reference"), problems


def test_malformed_dates_are_reported(toy):
    parameter = (
        "description: Broken.\nmetadata:\n  label: Broken\n  reference:\n"
        "    - {title: T, href: https://example.org}\nvalues:\n  2024-13-01: 1\n  2024-02-30: 2\n"
    )
    text = formula_variable("x", "a", "float").replace("  formula: 'a'", "  formulas:\n    2024/01/01: a")
    problems = problems_of(toy, {"toy/parameters/broken.yaml": parameter, VARIABLES: text})
    assert located(problems, "toy/parameters/broken.yaml", 7, "'2024-13-01' is not a valid"), problems
    assert located(problems, "toy/parameters/broken.yaml", 8, "'2024-02-30' is not a valid"), problems
    assert located(problems, VARIABLES, 10, "'2024/01/01' is not a valid"), problems


def test_yaml_syntax_error_is_located(toy):
    problems = problems_of(toy, {VARIABLES: "x:\n  entity: household\n  label: [unclosed\n"})
    assert any(p.startswith(f"rules/{VARIABLES}:") and "YAML syntax" in p for p in problems), problems


def test_parameter_missing_for_part_of_the_modelled_range(toy):
    program = (
        "id: toy\nname: Toy\nagency: Toy agency\nperiod: month\nentity: household\neligible: x\n"
        "modelled: {start: 2019-06-01, end: 2024-12-31}\n"
        "reference:\n  - {title: Toy Act, href: https://example.org/toy}\n"
    )
    problems = problems_of(toy, {VARIABLES: formula_variable("x", "a <= toy.rate", "bool"),
                                 "toy/program.yaml": program})
    # toy.rate starts on 2020-01-01, but the program is modelled from June 2019.
    assert located(problems, VARIABLES, 9, "toy.rate, which has no value on 2019-06-01"), problems


def test_every_problem_is_reported_together(toy):
    text = formula_variable("x", "a + nope", "float") + formula_variable("y", "p + 1", "float")
    problems = problems_of(toy, {VARIABLES: text})
    assert len(problems) == 2


def test_check_command_exits_1_with_locations(tmp_path):
    from click.testing import CliRunner

    from eligibility.cli import main
    from tests.conftest import write_rules

    root = write_rules(tmp_path / "rules", {VARIABLES: formula_variable("x", "a + nope", "float")})
    result = CliRunner().invoke(main, ["check", "--rules", str(root)])
    assert result.exit_code == 1
    assert f"rules/{VARIABLES}:9: x: unknown name 'nope'" in result.output
