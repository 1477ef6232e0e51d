"""The flat column scheme of a population file, and its conversion to the engine's arrays.

One row per household. Household facts are columns named like the fact (`state`, `shelter_costs`);
member facts are `members.<slot>.<fact>` for slots 0 to MAX_MEMBERS - 1 (`members.0.age`). An
empty cell is an unknown fact, never zero. A member slot is occupied when any of its cells is
filled. Enums are written as their labels (`CA`, `head`); `household_id` identifies the row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eligibility.errors import InputError

MAX_MEMBERS = 8
ID_COLUMN = "household_id"


def member_column(slot: int, fact: str) -> str:
    """`members.<slot>.<fact>`."""
    return f"members.{slot}.{fact}"


def household_facts(ruleset) -> list[str]:
    """Household-level input facts, in declaration order."""
    return [n for n, v in ruleset.inputs.items() if v.entity == "household"]


def person_facts(ruleset) -> list[str]:
    """Person-level input facts, in declaration order."""
    return [n for n, v in ruleset.inputs.items() if v.entity == "person"]


def column_names(ruleset, max_members: int = MAX_MEMBERS) -> list[str]:
    """Every column of the scheme, in file order."""
    members = [member_column(s, f) for s in range(max_members) for f in person_facts(ruleset)]
    return [ID_COLUMN, *household_facts(ruleset), *members]


def pandas_dtype(variable):
    """The pandas dtype a fact's column is held in (nullable, so a missing cell stays unknown)."""
    if variable.value_type == "bool":
        return "boolean"
    if variable.value_type == "int":
        return "Int32"
    if variable.value_type == "enum":
        return pd.CategoricalDtype(list(variable.possible_values))
    return "float64"


def column_dtypes(ruleset, max_members: int = MAX_MEMBERS) -> dict:
    """Column name -> pandas dtype, for reading CSV files and building frames."""
    dtypes = {ID_COLUMN: "int64"}
    for name in household_facts(ruleset):
        dtypes[name] = pandas_dtype(ruleset.variables[name])
    for slot in range(max_members):
        for name in person_facts(ruleset):
            dtypes[member_column(slot, name)] = pandas_dtype(ruleset.variables[name])
    return dtypes


def member_slots(columns) -> int:
    """How many member slots a frame's columns hold (the highest `members.<slot>.` plus one)."""
    slots = [int(c.split(".")[1]) for c in columns if c.startswith("members.") and c.split(".")[1].isdigit()]
    return max(slots) + 1 if slots else 0


def _enum_error(series: pd.Series, labels: list, invalid: np.ndarray) -> InputError:
    bad = sorted({str(v) for v in series[invalid].unique()[:5]})
    return InputError({series.name: [f"Must be one of: {', '.join(labels)} (found {', '.join(bad)})."]})


def _numbers(variable, name: str, values: np.ndarray, integer_typed: bool) -> tuple[np.ndarray, np.ndarray]:
    """Checked numbers (NaN: unknown) and their known mask."""
    known = ~np.isnan(values)
    if ((values < 0) | (values == np.inf)).any():
        raise InputError({name: ["Must be a finite number greater than or equal to 0."]})
    if variable.value_type == "int" and not integer_typed and (values[known] % 1 != 0).any():
        raise InputError({name: ["Not a valid integer."]})
    return (values if known.all() else np.where(known, values, 0.0)), known


def _column_values(variable, series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(values in the engine's dtype, known mask) of one column, without a per-row loop."""
    if variable.value_type == "bool":
        return series.to_numpy(dtype=bool, na_value=False), series.notna().to_numpy()
    if variable.value_type == "enum":
        labels = list(variable.possible_values)
        if isinstance(series.dtype, pd.CategoricalDtype) and list(series.cat.categories) == labels:
            codes = series.cat.codes.to_numpy()
        else:
            codes = pd.Index(labels).get_indexer(series.astype(object))
        known = codes >= 0
        invalid = ~known & series.notna().to_numpy()
        if invalid.any():
            raise _enum_error(series, labels, invalid)
        return codes.astype(np.int16), known
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    return _numbers(variable, series.name, values, pd.api.types.is_integer_dtype(series.dtype))


def _packed(values: np.ndarray, known: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    return values, (None if known.all() else known)


def to_arrays(ruleset, frame: pd.DataFrame) -> tuple[np.ndarray, int, dict]:
    """(person_household, household_count, inputs) for Simulation, from rows with at least one member.

    People are taken slot by slot (every occupied slot 0, then slot 1, ...): the engine groups
    members by `person_household`, not by position, so no reordering is needed. A slot's rows are
    narrowed to the occupied ones before conversion: the high slots are mostly empty.
    """
    people = [n for n in person_facts(ruleset) if any(c.endswith(f".{n}") for c in frame.columns)]
    parts: dict[str, list] = {name: [] for name in people}
    person_household = []
    anyone = np.zeros(len(frame), dtype=bool)
    for slot in range(member_slots(frame.columns)):
        names = [n for n in people if member_column(slot, n) in frame.columns]
        cells = frame[[member_column(slot, n) for n in names]]
        occupied = cells.notna().to_numpy().any(axis=1)
        rows = np.flatnonzero(occupied)
        if not len(rows):
            continue
        anyone |= occupied
        if len(rows) < len(frame):
            cells = cells.take(rows)
        person_household.append(rows)
        for name in people:
            if name in names:
                parts[name].append(_column_values(ruleset.variables[name], cells[member_column(slot, name)]))
            else:
                parts[name].append((np.zeros(len(rows), _dtype(ruleset.variables[name])),
                                    np.zeros(len(rows), dtype=bool)))
    if not anyone.all():
        empty = frame.index[~anyone][:5].tolist()
        raise InputError({"members": [f"Households without a member (rows {empty}): each needs at least one."]})
    inputs = {name: _packed(np.concatenate([v for v, _ in chunks]), np.concatenate([k for _, k in chunks]))
              for name, chunks in parts.items()}
    for name in household_facts(ruleset):
        if name in frame.columns:
            inputs[name] = _packed(*_column_values(ruleset.variables[name], frame[name]))
    return np.concatenate(person_household).astype(np.intp), len(frame), inputs


def _dtype(variable):
    return {"bool": bool, "enum": np.int16}.get(variable.value_type, float)
