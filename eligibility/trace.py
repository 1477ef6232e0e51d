"""The computation tree behind a program's answer, bounded in depth and size (explain=trace)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eligibility import parameters as params
from eligibility.formula.compile import compile_node
from eligibility.formula.ir import BOOL, EnumType, Param, walk
from eligibility.simulation import EntityContext

MAX_DEPTH = 12
MAX_NODES = 250


@dataclass
class Budget:
    """Nodes left to show, and whether anything was cut."""

    nodes: int
    cut: bool = False


def _public_value(variable, value):
    if isinstance(variable.type, EnumType):
        return variable.possible_values[int(value)]
    if variable.type == BOOL:
        return bool(value)
    return round(float(value), 2)


def _period_labels(sim) -> dict[str, str]:
    """"2025-11" for the month and "2025" for the year of a simulation (formatted once per trace)."""
    month, year = sim.starts["month"], sim.starts["year"]
    return {"month": f"{month.year:04d}-{month.month:02d}", "year": str(year.year)}


def _leaf(ruleset, path: str):
    """The parameter node at `path` (memoised on the rule set: rules never change once loaded)."""
    leaves = ruleset.memos.setdefault("trace leaves", {})
    if path not in leaves:
        leaves[path] = params.find(ruleset.parameters, path)
    return leaves[path]


def _values(sim, variable, h: int, persons, member_ids):
    """(value, known) of a variable for household h: scalars, or per-member mappings."""
    if variable.entity == "household":
        value, is_known = sim.household_item(variable.name, h)
        return (_public_value(variable, value) if is_known else None), is_known
    items, knowns = sim.member_items(variable.name, persons)  # Python scalars: cheap to format
    values = {member_id: _public_value(variable, item) if k else None
              for member_id, item, k in zip(member_ids, items, knowns, strict=True)}
    return values, all(knowns)


def _shown(formula) -> tuple[str, list]:
    """A formula's text on one line and its dependencies in name order (built once per formula)."""
    shown = formula.__dict__.get("trace_shown")
    if shown is None:
        shown = formula.__dict__["trace_shown"] = (" ".join(formula.text.split()), sorted(formula.dependencies))
    return shown


def _parameter_reads(formula) -> list:
    """The formula's distinct parameter reads: (node, its compiled closure, its read) (built once)."""
    reads = formula.__dict__.get("parameter_reads")
    if reads is None:
        recorded = getattr(formula.run, "parameter_reads", {})
        seen, reads = set(), []
        for node in walk(formula.ir):
            if isinstance(node, Param) and (node.path, node.on, len(node.keys)) not in seen:
                seen.add((node.path, node.on, len(node.keys)))
                reads.append((node, compile_node(node), recorded.get(id(node))))
        formula.__dict__["parameter_reads"] = reads
    return reads


def _described(ruleset, node, start) -> tuple:
    """A parameter read's path, date, label and references on `start` (memoised: rules never change)."""
    described = ruleset.memos.setdefault("trace parameters", {})
    key = (id(node), start)
    if key not in described:
        leaf = _leaf(ruleset, node.path)
        metadata = getattr(leaf, "metadata", {}) or {}
        described[key] = (node.path, params.on_date(start, node.on).isoformat(),
                          metadata.get("label") or getattr(leaf, "description", None), metadata.get("reference", []))
    return described[key]


def _used(value, known, i):
    """The value read for entity `i` (rounded for reading), or None where its keys were unknown."""
    if known is not None and not known[i]:
        return None
    if isinstance(value, list) or (isinstance(value, np.ndarray) and value.ndim):
        value = value[i]  # one value per entity; otherwise one value read for all
    return round(float(value), 4)


def _parameters_read(sim, variable, formula, h: int, persons, member_ids, ruleset) -> list:
    """The parameters a formula read, with the values this household used and their references."""
    result = []
    start = sim.starts[variable.period]
    context = None
    for node, run, read in _parameter_reads(formula):
        # What the formula's own read gave; computed again only for a branch no household took.
        found = sim.parameter_values.get(read.slot) if read is not None else None
        if found is None:
            context = context or EntityContext(sim, variable.entity, start)
            found = run(context)
        value, known = found
        if variable.entity == "household":
            used = _used(value, known, h)
        else:
            used = {m: _used(value, known, p) for m, p in zip(member_ids, persons, strict=True)}
        path, date, label, reference = _described(ruleset, node, start)
        result.append({"path": path, "date": date, "value": used, "label": label, "reference": reference})
    return result


def trace_variable(sim, name: str, h: int, persons, member_ids, depth: int, budget: Budget, seen: set,
                   labels: dict):
    """One node of the tree and, within the limits, its dependencies."""
    ruleset = sim.ruleset
    variable = ruleset.variables[name]
    budget.nodes -= 1
    value, known = _values(sim, variable, h, persons, member_ids)
    node = {"variable": name, "label": variable.label, "period": labels[variable.period],
            "value": value, "known": known}
    if variable.is_input:
        node["input"] = True
        return node
    formula = variable.formula_on(sim.starts[variable.period])
    text, dependencies = _shown(formula)
    node["formula"] = text
    if name in seen:
        node["repeated"] = True  # expanded earlier in the tree
        return node
    seen.add(name)
    node["parameters"] = _parameters_read(sim, variable, formula, h, persons, member_ids, ruleset)
    children = []
    for dep in dependencies:
        if depth >= MAX_DEPTH or budget.nodes <= 0:
            budget.cut = True
            break
        children.append(trace_variable(sim, dep, h, persons, member_ids, depth + 1, budget, seen, labels))
    node["depends_on"] = children
    return node


def trace_program(sim, program, h: int, persons, member_ids) -> dict:
    """The bounded computation tree of a program's decision and amount for household h."""
    budget = Budget(MAX_NODES)
    seen: set = set()
    roots = [n for n in (program.eligible, program.amount, program.category) if n]
    labels = _period_labels(sim)
    trees = [trace_variable(sim, root, h, persons, member_ids, 0, budget, seen, labels) for root in roots]
    return {"tree": trees, "limits": {"max_depth": MAX_DEPTH, "max_nodes": MAX_NODES},
            "truncated": budget.cut, "nodes": MAX_NODES - budget.nodes}
