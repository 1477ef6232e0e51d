"""The parameter tree (OpenFisca's), and fast vectorised look-ups of values and tables at a date."""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

import numpy as np
from openfisca_core.parameters import Parameter, ParameterNode, ParameterScale

from eligibility.formula.check import ParameterInfo
from eligibility.formula.ir import BOOL, NUMBER

EACH_ADDITIONAL = "each_additional"


def is_number_key(key: str) -> bool:
    """Table keys that are household sizes or counts."""
    return key.isdigit()


def find(root: ParameterNode, path: str):
    """The node or parameter at a dotted path, or None."""
    node = root
    for part in path.split("."):
        children = getattr(node, "children", None)
        if children is None or part not in children:
            return None
        node = children[part]
    return node


def describe(root: ParameterNode, path: str) -> ParameterInfo | None:
    """Type and table axes of the parameter at `path`, for the formula checker."""
    node = find(root, path)
    if node is None or isinstance(node, ParameterScale):
        return None
    axes = []
    leaves = []
    level = [node]
    while level and isinstance(level[0], ParameterNode):
        keys = [k for k in level[0].children if k != EACH_ADDITIONAL]
        axes.append(NUMBER if keys and all(is_number_key(k) for k in keys) else tuple(keys))
        level = [child for n in level for child in n.children.values()]
    leaves = [leaf for leaf in level if isinstance(leaf, Parameter)]
    values = [v.value for leaf in leaves for v in leaf.values_list if v.value is not None]
    value_type = BOOL if values and all(isinstance(v, bool) for v in values) else NUMBER
    return ParameterInfo(path, value_type, tuple(axes))


def leaves(node) -> list[Parameter]:
    """Every Parameter under a node (or the parameter itself)."""
    if isinstance(node, Parameter):
        return [node]
    if isinstance(node, ParameterNode):
        return [leaf for child in node.children.values() for leaf in leaves(child)]
    return []


def value_at(parameter: Parameter, instant: str):
    """The parameter's value in force on `instant` (YYYY-MM-DD), or None."""
    for at in parameter.values_list:  # newest first
        if at.instant_str <= instant:
            return at.value
    return None


def on_date(start: dt.date, month_day: str | None) -> dt.date:
    """The latest MM-DD on or before `start` (or `start` itself when no MM-DD is given)."""
    if month_day is None:
        return start
    month, day = (int(x) for x in month_day.split("-"))
    candidate = dt.date(start.year, month, day)
    return candidate if candidate <= start else dt.date(start.year - 1, month, day)


class MissingValue(LookupError):
    """A parameter has no value on a date the rules were asked about."""


class Table:
    """A table parameter frozen at one date: dense numpy arrays indexed by key codes."""

    def __init__(self, node: ParameterNode, instant: str):
        self.axes: list = []
        self.dense, self.additional = self._build(node, instant)

    def _build(self, node, instant):
        if isinstance(node, Parameter):
            value = value_at(node, instant)
            if value is None:
                raise MissingValue(f"{node.name} has no value on {instant}")
            # Bool tables stay bool: a condition read from a table is used with and/or/not.
            return np.asarray(value if isinstance(value, bool) else float(value)), None
        keys = [k for k in node.children if k != EACH_ADDITIONAL]
        numeric = all(is_number_key(k) for k in keys)
        if numeric:
            keys = sorted(keys, key=int)
            self.axes.append(("number", int(keys[0]), int(keys[-1])))
        else:
            self.axes.append(("name", {k: i for i, k in enumerate(keys)}))
        parts = [self._sub(node.children[k], instant) for k in keys]
        dense = np.stack([p[0] for p in parts])
        additional = None
        if numeric and EACH_ADDITIONAL in node.children:
            additional = self._sub(node.children[EACH_ADDITIONAL], instant)[0]
        elif parts[0][1] is not None:
            additional = np.stack([p[1] for p in parts])
        return dense, additional

    def _sub(self, child, instant):
        sub = Table.__new__(Table)
        sub.axes = []
        dense, additional = sub._build(child, instant)
        if not self.axes[1:]:
            self.axes.extend(sub.axes)
        return dense, additional

    def lookup(self, keys: list, key_maps: list):
        """Values for arrays of keys (enum codes mapped through `key_maps`, or numbers)."""
        index = []
        number = largest = None
        for axis, key, key_map in zip(self.axes, keys, key_maps, strict=True):
            if axis[0] == "number":
                _, low, largest = axis
                number = np.floor(key)
                # minimum/maximum rather than np.clip: a fraction of its cost on small arrays
                index.append((np.minimum(np.maximum(number, low), largest) - low).astype(np.intp))
            else:
                index.append(key_map[key])
        values = self.dense[tuple(index)]
        if self.additional is not None and number is not None:
            extra_people = np.maximum(number - largest, 0)
            values = values + extra_people * self.additional[tuple(index[:-1])]
        return values

    def lookup_one(self, keys: tuple, key_maps: list):
        """lookup() for one entity: scalar keys (enum codes mapped through `key_maps` lists, or numbers)."""
        nested = self.__dict__.get("nested")
        if nested is None:
            additional = None if self.additional is None else self.additional.tolist()
            nested = self.nested = (self.dense.tolist(), additional)
        values, additional = nested
        number = largest = None
        last = len(self.axes) - 1
        for i, (axis, key, key_map) in enumerate(zip(self.axes, keys, key_maps, strict=True)):
            if axis[0] == "number":
                _, low, largest = axis
                number = math.floor(key) if math.isfinite(key) else key
                position = int(min(max(number, low), largest) - low)
            else:
                position = key_map[key]
            values = values[position]
            if additional is not None and i < last:
                additional = additional[position]  # one axis fewer: the per-person increments
        if additional is not None and number is not None:
            values = values + max(number - largest, 0) * additional
        return values


@lru_cache(maxsize=64)
def enum_to_axis(enum_values: tuple, axis_keys: tuple) -> np.ndarray:
    """Map enum codes to positions on a named table axis (its `default` entry when absent)."""
    default = axis_keys.index("default") if "default" in axis_keys else -1
    return np.array([axis_keys.index(v) if v in axis_keys else default for v in enum_values],
                    dtype=np.intp)
