"""Shared fixtures: the project's rule set (loaded once) and small throw-away rule sets."""

from __future__ import annotations

import gc
import textwrap
from pathlib import Path

import pytest

from eligibility import load_rules
from eligibility.simulation import Simulation

TOY_FACTS = """
a:
  entity: household
  value_type: float
  period: month
  label: A number
  question: What is a?
  input: true
b:
  entity: household
  value_type: float
  period: month
  label: Another number
  question: What is b?
  input: true
p:
  entity: household
  value_type: bool
  period: month
  label: A condition
  question: Is p true?
  input: true
q:
  entity: household
  value_type: bool
  period: month
  label: Another condition
  question: Is q true?
  input: true
age:
  entity: person
  value_type: int
  period: month
  label: Age
  question: How old?
  input: true
colour:
  entity: household
  value_type: enum
  period: month
  possible_values: [red, green, blue]
  label: Colour
  question: Which colour?
  input: true
yearly:
  entity: household
  value_type: float
  period: year
  label: A yearly amount
  question: How much a year?
  input: true
"""

TOY_PARAMETER = """
description: A rate.
metadata:
  unit: /1
  label: A rate
  reference:
    - title: Toy Act s. 1
      href: https://example.org/toy#1
values:
  2020-01-01: 0.5
  2024-01-01: 0.25
"""

TOY_TABLE = """
description: A table by colour and size.
metadata:
  unit: currency-USD
  label: Table
  reference:
    - title: Toy Act s. 2
      href: https://example.org/toy#2
red:
  1: {values: {2020-01-01: 10}}
  2: {values: {2020-01-01: 20}}
  each_additional: {values: {2020-01-01: 5}}
green:
  1: {values: {2020-01-01: 11}}
  2: {values: {2020-01-01: 21}}
  each_additional: {values: {2020-01-01: 6}}
default:
  1: {values: {2020-01-01: 1}}
  2: {values: {2020-01-01: 2}}
  each_additional: {values: {2020-01-01: 1}}
"""


def write_rules(root: Path, files: dict[str, str]) -> Path:
    """Write a rule set: toy facts and parameters plus `files` (path -> YAML text)."""
    base = {
        "rules.yaml": "version: 1.0.0\n",
        "toy/variables/facts.yaml": TOY_FACTS,
        "toy/parameters/rate.yaml": TOY_PARAMETER,
        "toy/parameters/table.yaml": TOY_TABLE,
    }
    base.update(files)
    for relative, text in base.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def formula_variable(name: str, formula: str, value_type: str = "float", entity: str = "household",
                     period: str = "month") -> str:
    """YAML for one variable with `formula`."""
    return f"""
{name}:
  entity: {entity}
  value_type: {value_type}
  period: {period}
  label: Result {name}
  reference:
    - title: Toy Act s. 3
      href: https://example.org/toy#3
  formula: {formula!r}
"""


@pytest.fixture
def toy(tmp_path):
    """Build a toy rule set with extra variables: toy({'x': ('formula', 'float')})."""

    def build(variables: dict[str, tuple[str, str]] | None = None, files: dict | None = None):
        text = "".join(formula_variable(n, f, t) for n, (f, t) in (variables or {}).items())
        extra = {"toy/variables/under_test.yaml": text} if text else {}
        extra.update(files or {})
        return load_rules(write_rules(tmp_path / "rules", extra))

    return build


@pytest.fixture(scope="session")
def rules():
    """The project's rule set."""
    return load_rules()


@pytest.fixture
def simulations_left_in_cycles():
    """Run an action with the cyclic collector off; the simulations it left in reference cycles.

    Only simulations count: other threads of the test process (a Dask client, a test server) may
    leave cycles of their own meanwhile, and they say nothing about the engine.
    """
    def run(action) -> list:
        gc.collect()
        gc.disable()
        try:
            action()
            gc.set_debug(gc.DEBUG_SAVEALL)  # keep what the collection finds unreachable, to look at it
            gc.collect()
            return [o for o in gc.garbage if isinstance(o, Simulation)]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()

    return run
