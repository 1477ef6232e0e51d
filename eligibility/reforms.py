"""Reforms: a draft of parameter changes and new or changed variables, applied without a rebuild.

Applying a reform copies only the parameter nodes on the changed paths (the rest of the tree is
shared with the baseline) and compiles only the drafted variables; every other compiled formula
is reused, because formulas look variables up by name at run time.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

import yaml
from openfisca_core.parameters import Parameter, ParameterNode

from eligibility import checks
from eligibility import parameters as params
from eligibility.errors import InputError
from eligibility.loader import LoadedFiles, parse_date, read_variable
from eligibility.ruleset import RuleSet
from eligibility.yamlfile import LineDict, load_yaml

CACHE_SIZE = 32
MAX_DRAFT_VARIABLES = 50


def reform_digest(reform: dict) -> str:
    """sha256 of the reform's canonical JSON: the same draft always has the same digest."""
    text = json.dumps(reform, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _copy_path(root: ParameterNode, parts: list[str]) -> ParameterNode:
    """A new root whose nodes along `parts` are shallow copies; everything else is shared."""
    new_root = _shallow(root)
    node = new_root
    for part in parts[:-1]:
        child = _shallow(node.children[part])
        node.children[part] = child
        setattr(node, part, child)
        node = child
    leaf = node.children[parts[-1]].clone()
    node.children[parts[-1]] = leaf
    setattr(node, parts[-1], leaf)
    return new_root


def _shallow(node: ParameterNode) -> ParameterNode:
    copy = ParameterNode.__new__(ParameterNode)
    copy.__dict__ = dict(node.__dict__)
    copy.children = dict(node.children)
    return copy


def _parameter_errors(base: RuleSet, changes) -> dict:
    errors: dict = {}
    if not isinstance(changes, dict):
        return {"_schema": ["Must be an object mapping parameter paths to lists of changes."]}
    for path, periods in changes.items():
        node = params.find(base.parameters, str(path))
        if not isinstance(node, Parameter):
            errors[path] = ["Unknown parameter path (name a single value, e.g. a table's leaf)."]
            continue
        if not isinstance(periods, list) or not periods:
            errors[path] = ["Must be a non-empty list of {start, stop?, value}."]
            continue
        for i, period in enumerate(periods):
            problems = {}
            if not isinstance(period, dict):
                errors.setdefault(path, {})[i] = {"_schema": ["Must be an object {start, stop?, value}."]}
                continue
            unknown = set(period) - {"start", "stop", "value"}
            for key in unknown:
                problems[key] = ["Unknown field."]
            start = parse_date(period.get("start"))
            if start is None:
                problems["start"] = ["Must be a YYYY-MM-DD date."]
            if period.get("stop") is not None:
                stop = parse_date(period["stop"])
                if stop is None or (start is not None and stop < start):
                    problems["stop"] = ["Must be a YYYY-MM-DD date on or after start."]
            value = period.get("value")
            is_flag = params.describe(base.parameters, str(path)).type == "bool"
            if is_flag and not isinstance(value, bool):
                problems["value"] = ["Must be true or false."]
            elif not is_flag and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or value != value or abs(value) == float("inf")):
                problems["value"] = ["Must be a finite number."]
            if problems:
                errors.setdefault(path, {})[i] = problems
    return errors


def _apply_parameters(base: RuleSet, changes: dict) -> ParameterNode:
    root = base.parameters
    for path, periods in changes.items():
        root = _copy_path(root, path.split("."))
        leaf = params.find(root, path)
        for period in periods:
            leaf.update(start=period["start"], stop=period.get("stop"), value=period["value"])
    return root


def _line_paths(node, prefix: tuple = ()) -> dict[int, tuple]:
    """Map each source line of a parsed draft to the key path written on it."""
    result = {}
    if isinstance(node, LineDict):
        for key, value in node.items():
            result[node.line_of(key)] = (*prefix, str(key))
            result.update(_line_paths(value, (*prefix, str(key))))
    return result


def _draft_variables(base: RuleSet, drafts, parameters: ParameterNode) -> tuple[dict, dict]:
    """Check and compile drafted variables; errors mirror the draft (variables.<name>.<field>)."""
    if not isinstance(drafts, dict):
        return {}, {"_schema": ["Must be an object mapping variable names to definitions."]}
    if len(drafts) > MAX_DRAFT_VARIABLES:
        return {}, {"_schema": [f"At most {MAX_DRAFT_VARIABLES} variables per draft."]}
    plain = json.loads(json.dumps(drafts, default=str))  # LineDicts and dates to plain JSON values
    text = yaml.safe_dump({str(k): v for k, v in plain.items()}, sort_keys=False, width=10_000)
    parsed = load_yaml(text)
    lines = _line_paths(parsed)
    loaded = LoadedFiles(root=base.root)
    loaded.parameters = parameters
    loaded.programs = base.programs
    staging = LoadedFiles(root=base.root)
    for name, definition in (parsed or {}).items():
        read_variable(str(name), definition, parsed.line_of(name), "draft", staging)
    loaded.variables = {**base.variables, **staging.variables}
    loaded.problems = list(staging.problems)
    checks.check_formulas(loaded, names=set(staging.variables))
    checks.check_cycles(loaded)
    checks.check_parameter_coverage(loaded, only=set(staging.variables))
    errors: dict = {}
    for problem in loaded.problems:
        path = lines.get(problem.line, ())
        if problem.file != "draft" and not path:
            path = ("_schema",)
        node = errors
        for part in path[:-1] or ("_schema",):
            node = node.setdefault(part, {})
        key = path[-1] if path else "_schema"
        if isinstance(node.get(key), dict):
            node = node[key]
            key = "_schema"
        node.setdefault(key, []).append(problem.message + (f" ({problem.hint})" if problem.hint else ""))
    return staging.variables, errors


class Reformed(RuleSet):
    """A rule set with a reform applied; reports both digests."""

    def __init__(self, base: RuleSet, reform: dict, parameters: ParameterNode, variables: dict):
        self.__dict__.update(base.__dict__)
        self.__dict__.pop("inputs", None)  # cached properties are recomputed for the new variables
        self.__dict__.pop("dependents", None)
        self.__dict__.pop("override_facts", None)
        self.base = base
        self.parameters = parameters
        self.variables = {**base.variables, **variables}
        self.reform = reform
        self.reform_digest = reform_digest(reform)
        self.reform_label = str(reform.get("label") or "")
        self.frozen_parameters = {}
        self.memos = {}


def apply_reform(base: RuleSet, reform: dict) -> Reformed:
    """The reformed rule set, or InputError whose errors mirror the reform's shape."""
    if not isinstance(reform, dict):
        raise InputError({"reform": ["Must be an object with label, parameters and variables."]})
    errors = {}
    unknown = set(reform) - {"label", "parameters", "variables"}
    for key in unknown:
        errors[key] = ["Unknown field."]
    parameter_errors = _parameter_errors(base, reform.get("parameters") or {})
    if parameter_errors:
        errors["parameters"] = parameter_errors
    if errors:
        raise InputError({"reform": errors}, "The reform is not valid.")
    parameters = _apply_parameters(base, reform.get("parameters") or {})
    variables, variable_errors = _draft_variables(base, reform.get("variables") or {}, parameters)
    if variable_errors:
        raise InputError({"reform": {"variables": variable_errors}}, "The draft rules are not valid.")
    return Reformed(base, reform, parameters, variables)


class ReformCache:
    """Reformed rule sets by reform digest, least recently used dropped first."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[str, Reformed] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, base: RuleSet, reform: dict) -> Reformed:
        key = f"{base.digest}/{reform_digest(reform)}"
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        reformed = apply_reform(base, reform)
        with self._lock:
            self._items[key] = reformed
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return reformed
