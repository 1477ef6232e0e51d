"""Turn households in the contract's JSON shape into the flat, masked arrays a Simulation runs on."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from eligibility.errors import InputError
from eligibility.formula.ir import BOOL, NUMBER
from eligibility.simulation import Simulation

MEMBER_ONLY_FIELDS = {"id"}


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
    """Values and known mask of one input over a list of records (households or members)."""
    size = len(records)
    if variable.value_type == "bool":
        values = np.zeros(size, dtype=bool)
    elif variable.value_type == "enum":
        values = np.zeros(size, dtype=np.int16)
    else:
        values = np.zeros(size)
    known = np.zeros(size, dtype=bool)
    name = variable.name
    for i, record in enumerate(records):
        raw = record.get(name)
        if raw is None:
            continue
        converted = _convert(variable, raw, [*paths[i], name], errors)
        if converted is not None:
            values[i] = converted
            known[i] = True
    return values, (None if known.all() else known)


def build_simulation(ruleset, date: dt.date, households: list[dict]) -> Simulation:
    """A Simulation of `households` (each {"members": [...], facts...}) on `date`."""
    errors: dict = {}
    members: list[dict] = []
    member_paths: list[list] = []
    person_household: list[int] = []
    for h, household in enumerate(households):
        prefix = [h] if len(households) > 1 else []
        people = household.get("members")
        if not isinstance(people, list) or not people:
            target = errors.setdefault(h, {}) if prefix else errors
            target.setdefault("members", []).append("At least one member is required.")
            continue
        for m, member in enumerate(people):
            members.append(member)
            member_paths.append([*prefix, "members", m])
            person_household.append(h)
    household_paths = [[h] if len(households) > 1 else [] for h in range(len(households))]
    inputs = {}
    for name, variable in ruleset.inputs.items():
        if variable.entity == "household":
            inputs[name] = _column(variable, households, household_paths, errors)
        else:
            inputs[name] = _column(variable, members, member_paths, errors)
    if errors:
        raise InputError(errors)
    return Simulation(ruleset, date, np.asarray(person_household, dtype=np.intp), len(households), inputs)
