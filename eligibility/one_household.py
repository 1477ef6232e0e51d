"""One household's simulation on Python scalars (formula/scalar.py); numpy arrays only for whoever asks.

A screening evaluates a hundred-odd formulas for one household. On one-element arrays numpy's call
overhead is most of the cost, so formulas here run on floats and bools: once for the household, or
once per member. `calculate(name)` still gives (value, known) arrays, built from the scalars when a
caller (criteria, missing facts, benefit cliffs, traces) first asks for them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from eligibility import parameters as params
from eligibility.simulation import DTYPES, Result, Simulation, formula_in_force, key_maps

# What a formula's value becomes, per value type: the numpy simulation's dtypes, as Python types.
_PYTHON_TYPES = {"bool": bool, "float": float, "int": float, "enum": int}
_UNKNOWN = np.zeros(1, dtype=bool)
_UNKNOWN.flags.writeable = False
_NUMPY = object()  # a plan's mark for a variable the numpy code computes (no scalar function)


class OneHouseholdSimulation(Simulation):
    """A Simulation of exactly one household; `scalar(name)` is its fast path."""

    def __init__(self, ruleset, date: dt.date, members: int, given: dict[str, tuple]):
        """`given`: the facts given, as scalar() gives them (see household.build_one)."""
        super().__init__(ruleset, date, np.zeros(members, dtype=np.intp), 1, {})
        self.members = members
        self.given = given
        # Household variables: (value, known); person variables: (values, knowns), one per member.
        self.scalars: dict[str, tuple] = {}
        self._member_reads: dict[int, dict] = {}
        self._by_period: dict[str, tuple] = {}  # period -> its contexts (see contexts)
        # What each variable needs on this date, worked out once per rule set and month (see _plan).
        self._plans = ruleset.memos.setdefault("scalar plans", {}).setdefault(self.starts["month"], {})

    def scalar(self, name: str) -> tuple:
        """The variable's value and known flag (lists of them, one per member, for person variables)."""
        found = self.scalars.get(name)
        if found is not None:
            return found
        plan = self._plans.get(name) or self._plan(name)
        run, python_type, period, per_member = plan
        if run is None:
            found = self._input(self.ruleset.variables[name])
        elif run is _NUMPY:  # no scalar function (see compile_scalar): numpy computes this one
            found = self._from_arrays(self.ruleset.variables[name], super().calculate(name))
        elif not per_member:
            value, known = run((self._by_period.get(period) or self.contexts(period))[0])
            found = (python_type(value), bool(known))
        else:
            values, knowns = [], []
            for member in (self._by_period.get(period) or self.contexts(period))[1]:
                value, known = run(member)
                values.append(python_type(value))
                knowns.append(bool(known))
            found = (values, knowns)
            if self._member_reads:
                self._gather_reads()
        self.scalars[name] = found
        return found

    def _plan(self, name: str) -> tuple:
        """(scalar function, or None for an input; Python type; period; per member), kept for the date."""
        variable = self.ruleset.variables[name]
        if variable.is_input:
            plan = (None, None, variable.period, variable.entity == "person")
        else:
            formula = formula_in_force(variable, self.starts[variable.period])  # DateOutOfRange: nothing kept
            run = formula.scalar_run if formula.scalar_run is not None else _NUMPY
            plan = (run, _PYTHON_TYPES[variable.value_type], variable.period, variable.entity == "person")
        self._plans[name] = plan
        return plan

    def calculate(self, name: str) -> Result:
        """As Simulation.calculate: arrays, built once from the scalars."""
        cached = self.cache.get(name)
        if cached is not None:
            return cached
        variable = self.ruleset.variables[name]
        if variable.is_input and name not in self.given:
            return super().calculate(name)  # unknown everywhere
        value, known = self.scalar(name)
        dtype = DTYPES[variable.value_type]
        if variable.entity == "household":
            result = (np.array([value], dtype=dtype), None if known else _UNKNOWN)
        else:
            result = (np.array(value, dtype=dtype), None if all(known) else np.array(known, dtype=bool))
        self.cache[name] = result
        return result

    def household_item(self, name: str, h: int) -> tuple:
        """As Simulation.household_item, straight from the scalars (`h` is 0: there is one household)."""
        return self.scalar(name)

    def person_item(self, name: str, p: int) -> tuple:
        """As Simulation.person_item, straight from the scalars."""
        values, knowns = self.scalar(name)
        return values[p], knowns[p]

    def member_items(self, name: str, persons) -> tuple[list, list]:
        """As Simulation.member_items; the lists are the simulation's own: read them, never change them."""
        values, knowns = self.scalar(name)
        if len(persons) == self.members:  # the household's members are persons 0..n-1, in order
            return values, knowns
        return [values[p] for p in persons], [knowns[p] for p in persons]

    def member_knowns(self, name: str, persons) -> list:
        """As Simulation.member_knowns, straight from the scalars."""
        return self.member_items(name, persons)[1]

    def computed(self, name: str) -> Result | None:
        """As Simulation.computed: a given fact, or what the scalar path computed, as arrays."""
        if name in self.given or (name in self.scalars and not self.ruleset.variables[name].is_input):
            return self.calculate(name)
        return None

    def _input(self, variable) -> tuple:
        given = self.given.get(variable.name)
        if given is not None:
            return given
        filler = _PYTHON_TYPES[variable.value_type](0)
        if variable.entity == "household":
            return filler, False
        return [filler] * self.members, [False] * self.members

    def _from_arrays(self, variable, result: Result) -> tuple:
        values, known = result
        values = values.tolist() if isinstance(values, np.ndarray) else values
        knowns = [True] * len(values) if known is None else (
            known.tolist() if isinstance(known, np.ndarray) else known)
        return (values[0], knowns[0]) if variable.entity == "household" else (values, knowns)

    def contexts(self, period: str) -> tuple:
        """What formulas of that period read: the household's context, and each member's."""
        found = self._by_period.get(period)
        if found is None:
            start = self.starts[period]
            members = [MemberScalars(self, start, i) for i in range(self.members)]
            found = self._by_period[period] = (HouseholdScalars(self, start, members), members)
        return found

    def release(self) -> None:
        """As Simulation.release: the scalar contexts point back at the simulation too."""
        super().release()
        self._by_period.clear()

    def freeze_one(self, read, start: dt.date):
        """A parameter read's table (or value) and enum key maps on `start`, frozen for every simulation."""
        table = self._frozen(read.path, params.on_date(start, read.on))
        maps = [None if m is None else m.tolist() for m in key_maps(table, read.key_types)] \
            if read.key_types else None
        entry = self.ruleset.frozen_parameters.setdefault(("scalar tables", start), {})[read.slot] = (table, maps)
        return entry

    def _gather_reads(self) -> None:
        """What a person formula's parameter reads gave each member, for traces (only when all members read)."""
        for slot, per_member in self._member_reads.items():
            if len(per_member) == self.members:
                values = [per_member[i][0] for i in range(self.members)]
                knowns = [per_member[i][1] for i in range(self.members)]
                self.parameter_values[slot] = (values, None if all(knowns) else knowns)
        self._member_reads.clear()


class HouseholdScalars:
    """What a household formula reads, one value at a time (see formula/scalar.py)."""

    __slots__ = ("sim", "start", "members", "plain", "tables")

    def __init__(self, sim: OneHouseholdSimulation, start: dt.date, members: list):
        self.sim, self.start, self.members = sim, start, members
        self.plain = sim.scalar
        self.tables = sim.ruleset.frozen_parameters.setdefault(("scalar tables", start), {})

    def variable(self, name: str, scope: str, convert: str | None):
        return _converted(*self.sim.scalar(name), convert)

    def parameter(self, read, keys: tuple, known: bool):
        table, maps = self.tables.get(read.slot) or self.sim.freeze_one(read, self.start)
        value = table.lookup_one(keys, maps) if keys else table
        self.sim.parameter_values[read.slot] = (value, None if known else _UNKNOWN)
        return value

    def aggregate(self, function: str, operand):
        results = [operand(member) for member in self.members]
        all_known = all(k for _, k in results)
        if function in ("sum", "count"):
            total = 0.0
            for value, _ in results:
                total += value  # in member order, as numpy's bincount adds
            return total, all_known
        if function == "any":
            return any(v for v, _ in results), all_known or any(v and k for v, k in results)
        return all(v for v, _ in results), all_known or any(k and not v for v, k in results)

    def member_count(self) -> float:
        return float(len(self.members))


class MemberScalars:
    """What a person formula (or an aggregate's operand) reads for member `index`."""

    __slots__ = ("sim", "start", "index", "scalar", "tables")

    def __init__(self, sim: OneHouseholdSimulation, start: dt.date, index: int):
        self.sim, self.start, self.index = sim, start, index
        self.scalar = sim.scalar
        self.tables = sim.ruleset.frozen_parameters.setdefault(("scalar tables", start), {})

    def plain(self, name: str):
        values, knowns = self.scalar(name)
        return values[self.index], knowns[self.index]

    def variable(self, name: str, scope: str, convert: str | None):
        if scope == "household":
            value, known = self.sim.scalar(name)
        else:
            value, known = self.plain(name)
        return _converted(value, known, convert)

    def parameter(self, read, keys: tuple, known: bool):
        table, maps = self.tables.get(read.slot) or self.sim.freeze_one(read, self.start)
        value = table.lookup_one(keys, maps) if keys else table
        self.sim._member_reads.setdefault(read.slot, {})[self.index] = (value, known)
        return value


def _converted(value, known: bool, convert: str | None):
    if convert == "per_month":
        return value / 12, known
    if convert == "per_year":
        return value * 12, known
    return value, known
