"""JSON-ready descriptions of a rule set's programs, variables, parameters and release, for catalogues."""

from __future__ import annotations

import datetime as dt

from openfisca_core.parameters import Parameter, ParameterNode

from eligibility import parameters as params


def rules_summary(ruleset) -> dict:
    """Release version, digest, the dates modelled and when the rules were loaded."""
    start, end = ruleset.date_range
    return {
        "version": ruleset.version,
        "digest": ruleset.digest,
        "modelled": {"start": start.isoformat(), "end": end.isoformat()},
        "loaded_at": ruleset.loaded_at.isoformat().replace("+00:00", "Z"),
        "programs": {p.id: _modelled(p) for p in ruleset.programs.values()},
        "counts": {"programs": len(ruleset.programs), "variables": len(ruleset.variables),
                   "inputs": len(ruleset.inputs), "parameters": len(ruleset.parameter_files)},
    }


def _modelled(program) -> dict:
    return {"start": program.start.isoformat(), "end": program.end.isoformat()}


def fact(variable) -> dict:
    """An input fact as a form asks it: where it goes in the request and the question to ask."""
    return {
        "name": variable.name,
        "entity": variable.entity,
        "path": f"household.{variable.name}" if variable.entity == "household"
        else f"household.members[].{variable.name}",
        "label": variable.label,
        "question": variable.question,
    }


def program_roots(program) -> list[str]:
    """The variables that make up a program's answer."""
    roots = [program.eligible, program.amount, program.category]
    roots += [c["variable"] for c in program.criteria]
    return [r for r in roots if r]


def program_summary(ruleset, program) -> dict:
    """A program as the programs list shows it, with the facts its answer can depend on."""
    return {
        "id": program.id,
        "name": program.name,
        "agency": program.agency,
        "description": program.description or None,
        "period": program.period,
        "entity": program.entity,
        "pays_amount": program.amount is not None,
        "modelled": _modelled(program),
        "reference": program.reference,
        "facts": [fact(ruleset.inputs[n]) for n in ruleset.inputs_of(program_roots(program))],
    }


def program_detail(ruleset, program) -> dict:
    """A program with the variables behind its decision, amount and each criterion."""
    variables = ruleset.variables
    detail = program_summary(ruleset, program)
    detail.update({
        "eligible": program.eligible,
        "amount": program.amount,
        "category": program.category,
        "criteria": [{
            "variable": c["variable"],
            "label": c.get("label") or variables[c["variable"]].label,
            "reference": variables[c["variable"]].reference,
        } for c in program.criteria],
    })
    return detail


def variable_summary(variable) -> dict:
    """A variable as the variables list shows it."""
    return {
        "name": variable.name, "label": variable.label, "entity": variable.entity,
        "period": variable.period, "value_type": variable.value_type, "unit": variable.unit,
        "input": variable.is_input,
    }


def _declared(ruleset, names) -> list[str]:
    """Names in the order the rules declare them, so listings are stable and read top-down."""
    return [n for n in ruleset.variables if n in names]


def formula_parameters(formula) -> set[str]:
    """Paths of the parameters a formula reads (the checker also keeps the MM-DD each is read on)."""
    return {path for path, _on in formula.parameters}


def variable_detail(ruleset, variable) -> dict:
    """A variable with its dated formulas and where it sits in the dependency graph."""
    detail = variable.public()
    formulas = variable.formulas
    detail["formulas"] = [{
        "start": None if f.start == dt.date.min else f.start.isoformat(),
        "end": (formulas[i + 1].start - dt.timedelta(days=1)).isoformat() if i + 1 < len(formulas) else None,
        "formula": f.text,
        "parameters": sorted(formula_parameters(f)),
    } for i, f in enumerate(formulas)]
    closure = ruleset.closure([variable.name])
    detail.update({
        "dependencies": _declared(ruleset, variable.dependencies),
        "dependents": _declared(ruleset, ruleset.dependents.get(variable.name, ())),
        "inputs": [] if variable.is_input else ruleset.inputs_of([variable.name]),
        "parameters": sorted({p for n in closure for f in ruleset.variables[n].formulas
                              for p in formula_parameters(f)}),
        "programs": [p.id for p in ruleset.programs.values()
                     if variable.name in ruleset.closure(program_roots(p))],
    })
    return detail


def parameter_file_of(ruleset, path: str) -> str | None:
    """The parameter (or table) path that owns `path`: the one declared by a file."""
    parts = path.split(".")
    for size in range(len(parts), 0, -1):
        candidate = ".".join(parts[:size])
        if candidate in ruleset.parameter_files:
            return candidate
    return None


def _references(raw) -> list[dict]:
    """References in the rules' {title, href} shape, whatever shape OpenFisca kept them in."""
    if not raw:
        return []
    items = raw if isinstance(raw, list) else [raw]
    result = []
    for item in items:
        if isinstance(item, dict):
            result.append({"title": str(item.get("title") or item.get("href") or ""),
                           "href": item.get("href")})
        else:
            text = str(item)
            result.append({"title": text, "href": text if text.startswith("http") else None})
    return result


def _metadata(node) -> dict:
    metadata = getattr(node, "metadata", None) or {}
    return {
        "label": metadata.get("label"),
        "description": getattr(node, "description", None),
        "unit": metadata.get("unit"),
        "reference": _references(metadata.get("reference")),
        "documentation": getattr(node, "documentation", None),
    }


def parameter_values(parameter: Parameter) -> list[dict]:
    """Values over time, oldest first, each with its end date and any reference of its own."""
    inherited = _references((parameter.metadata or {}).get("reference"))
    history = list(reversed(parameter.values_list))  # OpenFisca keeps newest first
    result = []
    for i, at in enumerate(history):
        own = _references((at.metadata or {}).get("reference"))
        following = history[i + 1].instant_str if i + 1 < len(history) else None
        end = (dt.date.fromisoformat(following) - dt.timedelta(days=1)).isoformat() if following else None
        result.append({"start": at.instant_str, "end": end, "value": at.value,
                       "reference": own if own != inherited else []})
    return result


def _node(node, path: str) -> dict:
    if isinstance(node, Parameter):
        return {"path": path, "values": parameter_values(node), "children": None}
    children = getattr(node, "children", {}) if isinstance(node, ParameterNode) else {}
    return {"path": path, "values": None,
            "children": [dict(_node(child, f"{path}.{key}"), key=key) for key, child in children.items()]}


def parameter_summary(ruleset, path: str) -> dict:
    """A parameter file's path, label, unit, reference and whether it is a single value or a table."""
    node = params.find(ruleset.parameters, path)
    summary = {"path": path, "kind": "value" if isinstance(node, Parameter) else "table"}
    summary.update(_metadata(node))
    summary["file"] = ruleset.parameter_files[path]
    return summary


def parameter_detail(ruleset, path: str) -> dict | None:
    """A parameter, table or table entry with its values over time, or None if there is none."""
    node = params.find(ruleset.parameters, path)
    owner = parameter_file_of(ruleset, path)
    if node is None or owner is None:
        return None
    detail = parameter_summary(ruleset, owner)
    detail["path"] = path
    detail["kind"] = "value" if isinstance(node, Parameter) else "table"
    own = _metadata(node)
    detail.update({k: v for k, v in own.items() if v})  # a table entry inherits its file's metadata
    detail.update(_node(node, path))
    detail["used_by"] = [n for n, v in ruleset.variables.items()
                         if any(p == path or p.startswith(path + ".") or path.startswith(p + ".")
                                for f in v.formulas for p in formula_parameters(f))]
    return detail
