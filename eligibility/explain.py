"""Criteria of a program's answer: each test's result, the values it compared, and a sentence."""

from __future__ import annotations

import re
import string
from functools import lru_cache

import numpy as np

from eligibility.formula.ir import BOOL, NUMBER, EnumType

FIELD = re.compile(r"\{([a-z][a-z0-9_]*)(?::([a-z]+))?\}")
FORMATS = ("money", "number", "percent", "count")


def format_value(value, fmt: str | None, variable) -> str:
    """A value as a person reads it: $1,234 (cents only when present), 12%, yes/no, enum labels."""
    if value is None:
        return "unknown"
    if isinstance(variable.type, EnumType):
        return str(variable.possible_values[int(value)])
    if variable.type == BOOL:
        return "yes" if value else "no"
    fmt = fmt or ("money" if variable.unit == "currency-USD" else "number")
    number = float(value)
    if fmt == "money":
        cents = round(number * 100)
        if cents % 100:
            return f"${cents / 100:,.2f}"
        return f"${cents // 100:,}"
    if fmt == "percent":
        return f"{number * 100:g}%"
    return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"


def template_fields(template: str) -> list[tuple[str, str | None]]:
    """The {variable:format} fields of a sentence template."""
    return [(m.group(1), m.group(2)) for m in FIELD.finditer(template)]


def render(template: str, values: dict, variables) -> str:
    """Fill a template from `values` (name -> python value or None)."""
    text = []
    for literal, name, fmt in _pieces(template):
        text.append(literal)
        if name is not None:
            text.append(format_value(values.get(name), fmt, variables[name]))
    return "".join(text)


@lru_cache(maxsize=4096)
def _pieces(template: str) -> tuple:
    """A template as (text before, field name, format) triples, split once: rules never change once loaded."""
    pieces, start = [], 0
    for match in FIELD.finditer(template):
        pieces.append((template[start:match.start()], match.group(1), match.group(2)))
        start = match.end()
    pieces.append((template[start:], None, None))
    return tuple(pieces)


def _value_at(sim, name: str, h: int, person: int | None):
    variable = sim.ruleset.variables[name]
    if variable.entity == "household":
        item, known = sim.household_item(name, h)
    elif person is None:
        return None
    else:
        item, known = sim.person_item(name, person)
    if not known:
        return None
    if variable.type == BOOL:
        return bool(item)
    if isinstance(variable.type, EnumType) or variable.value_type == "int":
        return int(item)  # counts and ages read as whole numbers
    return float(item)


def alternatives(sentence) -> list[dict]:
    """A criterion's sentence as a list of {when?, text}: the first whose `when` holds is used."""
    if sentence is None:
        return []
    if isinstance(sentence, str):
        return [{"text": sentence}]
    return [s if isinstance(s, dict) else {"text": str(s)} for s in sentence]


def choose(sentence, sim, h: int, person) -> str | None:
    """The text of the first alternative whose `when` variable is known true (or has no `when`)."""
    for alternative in alternatives(sentence):
        when = alternative.get("when")
        if when is None or _value_at(sim, when, h, person) is True:
            return alternative["text"]
    return None


_VALUE_NAMES: dict[int, tuple[dict, list[str]]] = {}


def criterion_values(criterion: dict, variable, variables) -> list[str]:
    """Names of the values a criterion reports (memoised: criteria never change once loaded)."""
    cached = _VALUE_NAMES.get(id(criterion))
    if cached is None or cached[0] is not criterion:
        cached = _VALUE_NAMES[id(criterion)] = (criterion, _criterion_values(criterion, variable, variables))
    return cached[1]


def _criterion_values(criterion: dict, variable, variables) -> list[str]:
    """Names of the values a criterion reports: those its sentences name, else its direct inputs."""
    names: list[str] = []
    for key in ("pass", "fail", "unknown"):
        for alternative in alternatives(criterion.get(key)):
            for name, _ in template_fields(alternative.get("text") or ""):
                if name not in names and name != variable.name:
                    names.append(name)
    if not names:
        names = sorted(d for d in variable.dependencies if variables[d].type == NUMBER)
    return names


def criteria_for(sim, program, h: int, persons, member_ids) -> list:
    """The criteria list of one program's answer for household `h` (per member for person programs)."""
    variables = sim.ruleset.variables
    result = []
    for criterion in program.criteria:
        name = criterion["variable"]
        variable = variables[name]
        targets = [(None, None)] if variable.entity == "household" else list(zip(member_ids, persons,
                                                                                 strict=True))
        names = criterion_values(criterion, variable, variables)
        for member_id, person in targets:
            outcome = _value_at(sim, name, h, person)
            values = {n: _value_at(sim, n, h, person if variables[n].entity == "person" else None)
                      for n in names}
            key = "unknown" if outcome is None else ("pass" if outcome else "fail")
            template = (choose(criterion.get(key), sim, h, person)
                        or default_sentence(criterion, variable, key))
            entry = {
                "id": name,
                "label": criterion.get("label") or variable.label,
                "result": outcome,
                "values": {n: _public(v) for n, v in values.items()},
                "reference": variable.reference,
                "explanation": render(template, values, variables),
            }
            if member_id is not None:
                entry["member"] = member_id
            result.append(entry)
    return result


def _public(value):
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def default_sentence(criterion: dict, variable, key: str) -> str:
    """A plain sentence when a criterion declares none."""
    label = criterion.get("label") or variable.label
    label = label[0].lower() + label[1:] if label else label
    return {"pass": f"Yes: {label}.", "fail": f"No: not the case that {label}.",
            "unknown": f"Not yet known whether {label}: more facts are needed."}[key]


def check_template(template: str, variables) -> str | None:
    """A problem with a sentence template, or None."""
    try:
        list(string.Formatter().parse(template))
    except ValueError as error:
        return f"malformed template: {error}"
    for name, fmt in template_fields(template):
        if name not in variables:
            return f"template names unknown variable {name!r}"
        if fmt is not None and fmt not in FORMATS:
            return f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})"
    return None
