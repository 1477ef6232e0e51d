"""Evaluate a rule set for many households at once: values and known masks, memoised per variable."""

from __future__ import annotations

import datetime as dt

import numpy as np

from eligibility import parameters as params
from eligibility.errors import DateOutOfRange
from eligibility.formula.ir import BOOL, NUMBER, EnumType

Result = tuple[np.ndarray, np.ndarray | None]


class Simulation:
    """Households and their members as flat arrays; `calculate(name)` gives (value, known)."""

    def __init__(self, ruleset, date: dt.date, person_household: np.ndarray, household_count: int,
                 inputs: dict[str, Result]):
        self.ruleset = ruleset
        self.date = date
        self.starts = {"month": date.replace(day=1), "year": date.replace(month=1, day=1)}
        self.person_household = np.asarray(person_household, dtype=np.intp)
        self.sizes = {"household": household_count, "person": len(self.person_household)}
        self.inputs = inputs
        self.cache: dict[str, Result] = {}
        self._member_count: np.ndarray | None = None
        self._contexts: dict[tuple, EntityContext] = {}
        # Where results can be copied from instead of computed (see cliffs.Copies): its
        # `copy(name)` gives a result, or None when this simulation must compute it.
        self.source = None
        # What each parameter read of a formula gave, (value, known of its keys), for traces to show.
        self.parameter_values: dict[int, tuple] = {}
        self._quiet = False  # inside _run_quietly

    def __enter__(self) -> Simulation:
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def release(self) -> None:
        """Let go of the formula contexts, which point back at this simulation (it stays usable).

        Otherwise the simulation and all it computed form a reference cycle, freed only when the
        cyclic garbage collector next runs: screenings then cost about 30% more CPU (docs/performance.md).
        """
        self._contexts.clear()

    def calculate(self, name: str) -> Result:
        """The variable's values for every entity, with their known mask (None: all known)."""
        cached = self.cache.get(name)
        if cached is not None:
            return cached
        if self.source is not None:
            copied = self.source.copy(name)
            if copied is not None:
                self.cache[name] = copied
                return copied
        variable = self.ruleset.variables[name]
        size = self.sizes[variable.entity]
        if variable.is_input:
            result = self.inputs.get(name)
            if result is None:
                result = (_filler(variable.type, size), np.zeros(size, dtype=bool))
        else:
            start = self.starts[variable.period]
            formula = formula_in_force(variable, start)
            context = self._contexts.get((variable.entity, start))
            if context is None:
                context = self._contexts[(variable.entity, start)] = EntityContext(self, variable.entity, start)
            if self._quiet:
                value, known = formula.run(context)
            else:
                value, known = self._run_quietly(formula, context)
            result = (_normalise(value, DTYPES[variable.value_type], size), _normalise_known(known, size))
        self.cache[name] = result
        return result

    def _run_quietly(self, formula, context) -> Result:
        """Run a formula, and whatever it computes first, without numpy's floating-point warnings.

        A formula computes on the filler values of unknown facts and, for households that take the
        other branch, on both sides of a condition, so inf and nan (x / 0, then inf * 0) are expected
        there and masked or discarded; the warnings would be noise. Entered once per outermost variable.
        """
        self._quiet = True
        try:
            with np.errstate(all="ignore"):
                return formula.run(context)
        finally:
            self._quiet = False

    def household_item(self, name: str, h: int) -> tuple:
        """A household variable's value for household `h` as a Python scalar, and whether it is known."""
        value, known = self.calculate(name)
        return value[h].item(), known is None or bool(known[h])

    def person_item(self, name: str, p: int) -> tuple:
        """A person variable's value for person `p` as a Python scalar, and whether it is known."""
        value, known = self.calculate(name)
        return value[p].item(), known is None or bool(known[p])

    def member_items(self, name: str, persons) -> tuple[list, list]:
        """A person variable's values and known flags for the given persons, as Python lists."""
        value, known = self.calculate(name)
        values = value[persons].tolist()
        return values, ([True] * len(values) if known is None else known[persons].tolist())

    def member_knowns(self, name: str, persons) -> list:
        """A person variable's known flags for the given persons (what missing facts need, not the values)."""
        known = self.calculate(name)[1]
        return [True] * len(persons) if known is None else known[persons].tolist()

    def computed(self, name: str) -> Result | None:
        """What this simulation already has for `name` (a given input or a computed result), else None."""
        found = self.cache.get(name)
        if found is None and self.ruleset.variables[name].is_input:
            found = self.inputs.get(name)
        return found

    def member_count(self) -> np.ndarray:
        """Number of members in each household."""
        if self._member_count is None:
            self._member_count = np.bincount(self.person_household,
                                             minlength=self.sizes["household"]).astype(float)
        return self._member_count

    def parameter(self, path: str, instant: dt.date, keys: list, key_types: tuple):
        """A parameter's value on `instant`, looked up by key arrays for tables."""
        table = self._frozen(path, instant)
        return table.lookup(keys, key_maps(table, key_types)) if keys else table

    def read(self, read, start: dt.date, keys: list):
        """A formula's parameter read for the period starting `start` (see compile.ParameterRead)."""
        frozen = self.ruleset.frozen_parameters
        entry = frozen.get((read.slot, start))
        if entry is None:
            table = self._frozen(read.path, params.on_date(start, read.on))
            entry = frozen[(read.slot, start)] = (table, key_maps(table, read.key_types) if keys else None)
        table, maps = entry
        return table.lookup(keys, maps) if keys else table

    def _frozen(self, path: str, instant: dt.date):
        # Frozen values are shared by every simulation of the rule set: rules never change once loaded.
        frozen = self.ruleset.frozen_parameters
        table = frozen.get((path, instant))
        if table is None:
            table = frozen[(path, instant)] = _freeze(self.ruleset, path, instant)
        return table


def formula_in_force(variable, start: dt.date):
    """The variable's formula for the period starting `start`; DateOutOfRange when none is in force then."""
    formulas = variable.formulas
    formula = formulas[0] if len(formulas) == 1 and formulas[0].start <= start else variable.formula_on(start)
    if formula is None:
        raise DateOutOfRange(f"{variable.name} has no formula in force on {start}",
                             {"date": [f"{variable.name} is not modelled on {start}"]})
    return formula


def key_maps(table, key_types: tuple) -> list:
    """Per axis: enum code -> table position for enum keys, None for number keys."""
    maps = []
    for axis, key_type in zip(table.axes, key_types, strict=True):
        if axis[0] == "name" and isinstance(key_type, EnumType):
            maps.append(params.enum_to_axis(key_type.values, tuple(axis[1])))
        else:
            maps.append(None)
    return maps


def _freeze(ruleset, path: str, instant: dt.date):
    node = params.find(ruleset.parameters, path)
    text = instant.isoformat()
    if hasattr(node, "values_list"):
        value = params.value_at(node, text)
        if value is None:
            raise DateOutOfRange(f"parameter {path} has no value on {text}",
                                 {"date": [f"the rules have no value for {path} on {text}"]})
        return value
    try:
        return params.Table(node, text)
    except params.MissingValue as error:
        raise DateOutOfRange(str(error), {"date": [str(error)]}) from None


class EntityContext:
    """What a compiled formula of one entity reads; see eligibility.formula.compile.Context."""

    __slots__ = ("sim", "entity", "start", "plain")

    def __init__(self, sim: Simulation, entity: str, start: dt.date):
        self.sim, self.entity, self.start = sim, entity, start
        self.plain = sim.calculate  # a same-entity, same-period read: the hot path

    def variable(self, name: str, scope: str, convert: str | None) -> Result:
        value, known = self.sim.calculate(name)
        if scope == "household" and self.entity == "person":
            index = self.sim.person_household
            value = value[index]
            known = None if known is None else known[index]
        if convert == "given":
            return value, known
        if convert == "per_month":
            value = value / 12
        elif convert == "per_year":
            value = value * 12
        return value, known

    def parameter(self, read, keys: list, known=None):
        value = self.sim.read(read, self.start, keys)
        self.sim.parameter_values[read.slot] = (value, known)
        return value

    def aggregate(self, function: str, value, known) -> Result:
        sim = self.sim
        index, size = sim.person_household, sim.sizes["household"]
        if type(value) is not np.ndarray or value.shape != index.shape:
            value = np.broadcast_to(value, index.shape)
        all_known = None if known is None else np.bincount(index, weights=~known, minlength=size) == 0
        if function in ("sum", "count"):
            return np.bincount(index, weights=value, minlength=size), all_known
        if function == "any":
            total = np.bincount(index, weights=value, minlength=size) > 0
            if known is None:
                return total, None
            return total, all_known | (np.bincount(index, weights=value & known, minlength=size) > 0)
        missing = np.bincount(index, weights=~value, minlength=size)
        if known is None:
            return missing == 0, None
        return missing == 0, all_known | (np.bincount(index, weights=~value & known, minlength=size) > 0)

    def member_count(self) -> np.ndarray:
        return self.sim.member_count()


def _filler(value_type, size: int) -> np.ndarray:
    if value_type == BOOL:
        return np.zeros(size, dtype=bool)
    if value_type == NUMBER:
        return np.zeros(size)
    return np.zeros(size, dtype=np.int16)


DTYPES = {"bool": np.dtype(bool), "float": np.dtype(float), "int": np.dtype(float), "enum": np.dtype(np.int16)}


def _normalise(value, dtype: np.dtype, size: int) -> np.ndarray:
    if type(value) is np.ndarray and value.dtype == dtype and value.shape == (size,):
        return value  # the usual case: a whole array of the right type
    array = np.asarray(value, dtype=dtype)
    if array.shape == (size,):
        return array
    return np.full(size, array, dtype=dtype) if array.ndim == 0 else np.broadcast_to(array, (size,)).copy()


def _normalise_known(known, size: int):
    if known is None:
        return None
    array = np.asarray(known, dtype=bool)
    if array.shape != (size,):
        array = np.broadcast_to(array, (size,)).copy()
    return None if np.count_nonzero(array) == size else array
