"""A rule set as plain data (dated parameter values, dated formulas), and what differs between two of them."""

from __future__ import annotations

import datetime as dt

from eligibility import parameters as params


def snapshot(ruleset) -> dict:
    """Every parameter leaf's dated values, label and reference, and every variable's dated formulas."""
    parameters = {}
    for path in sorted(ruleset.parameter_files):
        node = params.find(ruleset.parameters, path)
        for leaf in params.leaves(node):
            metadata, file_metadata = leaf.metadata or {}, getattr(node, "metadata", None) or {}
            parameters[leaf.name] = {
                "values": [[at.instant_str, at.value] for at in leaf.values_list],  # newest first
                "label": metadata.get("label") or getattr(node, "description", None),
                # A table's entries are cited once, in the file's metadata.
                "reference": metadata.get("reference") or file_metadata.get("reference", []),
            }
    variables = {
        name: {"label": variable.label, "reference": variable.reference,
               "formulas": [[f.start.isoformat(), f.text] for f in variable.formulas]}
        for name, variable in ruleset.variables.items() if variable.formulas
    }
    return {"version": ruleset.version, "digest": ruleset.digest, "parameters": parameters, "variables": variables}


def _value_on(entry: dict | None, day: str):
    for start, value in (entry or {}).get("values", []):
        if start <= day:
            return value
    return None


def _formula_on(entry: dict | None, day: str) -> tuple[str | None, str | None]:
    chosen = (None, None)
    for start, text in (entry or {}).get("formulas", []):  # oldest first
        if start <= day:
            chosen = (start, text)
    return chosen


def differences(before: dict, before_day: dt.date, after: dict, after_day: dt.date) -> dict:
    """Parameters whose value in force differs, and formulas whose text in force differs, between
    the rules `before` on `before_day` and the rules `after` on `after_day`."""
    old_day, new_day = before_day.isoformat(), after_day.isoformat()
    parameters = []
    for path in sorted(set(before["parameters"]) | set(after["parameters"])):
        old_entry, new_entry = before["parameters"].get(path), after["parameters"].get(path)
        old, new = _value_on(old_entry, old_day), _value_on(new_entry, new_day)
        if old != new:
            shown = new_entry or old_entry
            parameters.append({"path": path, "from": old, "to": new, "label": shown["label"],
                               "reference": shown["reference"]})
    variables = []
    for name in sorted(set(before["variables"]) | set(after["variables"])):
        old_entry, new_entry = before["variables"].get(name), after["variables"].get(name)
        (_, old), (start, new) = _formula_on(old_entry, old_day), _formula_on(new_entry, new_day)
        if old != new:
            shown = new_entry or old_entry
            variables.append({"variable": name, "label": shown["label"], "start": start, "formula": new,
                              "previous": old, "reference": shown["reference"]})
    return {"parameters": parameters, "variables": variables}
