"""Variable and program definitions read from YAML, before and after checking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from eligibility.formula.ir import BOOL, NUMBER, EnumType

ENTITIES = ("person", "household")
PERIODS = ("month", "year")
VALUE_TYPES = ("float", "int", "bool", "enum")


@dataclass
class Formula:
    """One dated version of a variable's formula."""

    start: dt.date
    text: str
    line: int
    ir: object = None
    run: Callable | None = None
    scalar_run: Callable | None = None  # the same formula on one entity's Python scalars (formula/scalar.py)
    dependencies: frozenset = frozenset()
    parameters: frozenset = frozenset()


@dataclass
class Variable:
    """A variable: an input fact or a formula, on one entity and period type."""

    name: str
    entity: str
    period: str
    value_type: str
    label: str
    file: str
    line: int
    reference: list = field(default_factory=list)
    documentation: str = ""
    unit: str | None = None
    possible_values: tuple = ()
    is_input: bool = False
    question: str | None = None
    formulas: list[Formula] = field(default_factory=list)

    @cached_property
    def type(self):
        """The formula-language type of the variable's values."""
        if self.value_type == "bool":
            return BOOL
        if self.value_type == "enum":
            return EnumType(self.name, self.possible_values)
        return NUMBER

    @cached_property
    def codes(self) -> dict[str, int]:
        """Enum value -> code."""
        return {value: code for code, value in enumerate(self.possible_values)}

    @cached_property
    def dependencies(self) -> frozenset:
        """Variables read by any version of the formula."""
        return frozenset().union(*(f.dependencies for f in self.formulas))

    def formula_on(self, day: dt.date) -> Formula | None:
        """The formula version in force on `day`."""
        chosen = None
        for formula in self.formulas:  # sorted by start
            if formula.start <= day:
                chosen = formula
        return chosen

    def public(self) -> dict:
        """A JSON-ready description (catalogue)."""
        return {
            "name": self.name, "label": self.label, "entity": self.entity, "period": self.period,
            "value_type": self.value_type, "unit": self.unit,
            "possible_values": list(self.possible_values) or None,
            "input": self.is_input, "question": self.question,
            "reference": self.reference, "documentation": self.documentation or None,
            "formulas": [{"start": f.start.isoformat(), "formula": f.text} for f in self.formulas],
        }


@dataclass
class Program:
    """A benefit program: its decision and amount variables, period and modelled date range."""

    id: str
    name: str
    agency: str
    period: str
    entity: str
    eligible: str
    file: str
    start: dt.date
    end: dt.date
    amount: str | None = None
    category: str | None = None
    reference: list = field(default_factory=list)
    description: str = ""
    criteria: list = field(default_factory=list)

    def covers(self, day: dt.date) -> bool:
        """Whether `day` lies in the modelled range."""
        return self.start <= day <= self.end
