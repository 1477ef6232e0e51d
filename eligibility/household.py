"""Turn households in the contract's JSON shape into the flat, masked arrays a Simulation runs on."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from eligibility.errors import InputError
from eligibility.formula.ir import BOOL, NUMBER
from eligibility.one_household import OneHouseholdSimulation
from eligibility.simulation import Simulation

MEMBER_ONLY_FIELDS = {"id"}
# Beyond any real household's figures, and small enough that sums stay exact and finite.
MAX_AMOUNT = 1_000_000_000_000


def _convert(variable, raw, path: list, errors: dict):
    """One fact's value for the arrays, recording a problem at `path` when it is not valid."""
    value_type = variable.type
    problem = None
    if value_type == BOOL:
        if isinstance(raw, bool):
            return raw
        problem = "Not a valid boolean."
    elif value_type == NUMBER:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            if not math.isfinite(raw):
                problem = "Must be a finite number."
            elif raw < 0:
                problem = "Must be greater than or equal to 0."
            elif raw > MAX_AMOUNT:
                problem = f"Must be less than or equal to {MAX_AMOUNT}."
            elif variable.value_type == "int" and raw != int(raw):
                problem = "Not a valid integer."
            else:
                return float(raw)
        else:
            problem = "Not a valid number."
    else:
        if isinstance(raw, str) and raw in value_type.values:
            return value_type.code(raw)
        problem = f"Must be one of: {', '.join(value_type.values)}."
    node = errors
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node.setdefault(path[-1], []).append(problem)
    return None


def _column(variable, records: list[dict], paths: list[list], errors: dict):
    """Values and known mask of one input over a list of records, or None when no record gives it."""
    name = variable.name
    raws = [record.get(name) for record in records]
    if raws.count(None) == len(raws):
        return None  # the simulation treats an absent column as unknown everywhere
    fast = _fast_column(variable, raws)
    if fast is not None:
        return fast
    size = len(records)
    if variable.value_type == "bool":
        values = np.zeros(size, dtype=bool)
    elif variable.value_type == "enum":
        values = np.zeros(size, dtype=np.int16)
    else:
        values = np.zeros(size)
    known = np.zeros(size, dtype=bool)
    for i, raw in enumerate(raws):
        if raw is None:
            continue
        converted = _convert(variable, raw, [*paths[i], name], errors)
        if converted is not None:
            values[i] = converted
            known[i] = True
    return values, (None if known.all() else known)


def _fast_column(variable, raws: list):
    """The column built with whole-list operations when every value is valid; None to check one by one."""
    types = set(map(type, raws))
    types.discard(type(None))
    all_given = None not in raws
    if variable.value_type == "bool":
        if not types <= {bool}:
            return None
        if all_given:
            return np.array(raws, dtype=bool), None
        known = np.array([r is not None for r in raws], dtype=bool)
        values = np.array([r is True for r in raws], dtype=bool)
    elif variable.value_type == "enum":
        if not types <= {str}:
            return None
        codes = variable.codes
        found = np.array([codes.get(r, -1) if r is not None else -2 for r in raws], dtype=np.int16)
        if (found == -1).any():
            return None  # a value outside the enum: report it
        if all_given:
            return found, None
        known = found >= 0
        values = np.where(known, found, 0).astype(np.int16)
    else:
        if not types <= {int, float}:
            return None
        values = np.array(raws, dtype=float)  # None becomes nan
        known = None if all_given else ~np.isnan(values)
        checked = values if known is None else values[known]
        if ((checked < 0).any() or (checked > MAX_AMOUNT).any() or not np.isfinite(checked).all()
                or (variable.value_type == "int" and (checked != np.floor(checked)).any())):
            return None
        if known is not None:
            values[~known] = 0
    return values, (None if known is None or known.all() else known)


def convert(ruleset, households: list[dict], prefixed: bool) -> tuple[np.ndarray, dict, dict]:
    """Flat masked input arrays of `households`, and their problems (keyed by index when `prefixed`)."""
    errors: dict = {}
    members: list[dict] = []
    member_paths: list[list] = []
    person_household: list[int] = []
    for h, household in enumerate(households):
        prefix = [h] if prefixed else []
        people = household.get("members")
        if not isinstance(people, list) or not people:
            target = errors.setdefault(h, {}) if prefix else errors
            target.setdefault("members", []).append("At least one member is required.")
            continue
        for m, member in enumerate(people):
            members.append(member)
            member_paths.append([*prefix, "members", m])
            person_household.append(h)
    household_paths = [[h] if prefixed else [] for h in range(len(households))]
    inputs = {}
    for name, variable in ruleset.inputs.items():
        if variable.entity == "household":
            column = _column(variable, households, household_paths, errors)
        else:
            column = _column(variable, members, member_paths, errors)
        if column is not None:
            inputs[name] = column
    return np.asarray(person_household, dtype=np.intp), inputs, errors


def build_simulation(ruleset, date: dt.date, households: list[dict]) -> Simulation:
    """A Simulation of `households` (each {"members": [...], facts...}) on `date`."""
    if len(households) == 1:
        return build_one(ruleset, date, households[0])
    person_household, inputs, errors = convert(ruleset, households, True)
    if errors:
        raise InputError(errors)
    return Simulation(ruleset, date, person_household, len(households), inputs)


def build_one(ruleset, date: dt.date, household: dict) -> OneHouseholdSimulation:
    """One household's simulation, its facts checked as convert() checks them and kept as Python scalars."""
    errors: dict = {}
    people = household.get("members")
    if not isinstance(people, list) or not people:
        errors["members"] = ["At least one member is required."]
        people = []
    given: dict[str, tuple] = {}
    for name, variable in ruleset.inputs.items():
        if variable.entity == "household":
            raw = household.get(name)
            if raw is not None:
                value = _convert(variable, raw, [name], errors)
                if value is not None:
                    given[name] = (value, True)
            continue
        raws = [member.get(name) for member in people]
        if raws.count(None) == len(raws):
            continue  # nobody gave it: unknown for everyone
        filler = {"bool": False, "enum": 0}.get(variable.value_type, 0.0)  # for members who did not give it
        values, knowns = [filler] * len(raws), [False] * len(raws)
        for i, raw in enumerate(raws):
            if raw is not None:
                value = _convert(variable, raw, ["members", i, name], errors)
                if value is not None:
                    values[i], knowns[i] = value, True
        given[name] = (values, knowns)
    if errors:
        raise InputError(errors)
    return OneHouseholdSimulation(ruleset, date, len(people), given)


def simulate_valid(ruleset, date: dt.date, households: list[dict]) -> tuple[Simulation, list[int], dict]:
    """A Simulation of the valid households only, their indexes, and each invalid one's problems."""
    person_household, inputs, errors = convert(ruleset, households, True)
    if not errors:
        return Simulation(ruleset, date, person_household, len(households), inputs), \
            list(range(len(households))), {}
    keep = np.ones(len(households), dtype=bool)
    keep[list(errors)] = False
    keep_person = keep[person_household]
    renumber = np.cumsum(keep) - 1  # old household index -> index among the kept ones
    kept_inputs = {}
    for name, (values, known) in inputs.items():
        mask = keep if ruleset.inputs[name].entity == "household" else keep_person
        kept_inputs[name] = (values[mask], None if known is None else known[mask])
    sim = Simulation(ruleset, date, renumber[person_household[keep_person]], int(keep.sum()), kept_inputs)
    return sim, [int(i) for i in np.flatnonzero(keep)], errors
