"""Criteria of a program's answer: each test's result, the values it compared, and a sentence."""

from __future__ import annotations

import math
import re
import string
from functools import lru_cache

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


class _Reader:
    """How criteria read one variable: its entity, and the Python type its values are shown as."""

    __slots__ = ("name", "person", "convert")

    def __init__(self, variable):
        self.name = variable.name
        self.person = variable.entity == "person"
        if variable.type == BOOL:
            self.convert = bool
        elif isinstance(variable.type, EnumType) or variable.value_type == "int":
            self.convert = int  # counts and ages read as whole numbers
        else:
            self.convert = float

    def read(self, sim, h: int, person: int | None):
        """The value for household `h` (and `person`, for a person variable), or None when unknown."""
        if not self.person:
            item, known = sim.household_item(self.name, h)
        elif person is None:
            return None
        else:
            item, known = sim.person_item(self.name, person)
        return self.convert(item) if known else None


def alternatives(sentence) -> list[dict]:
    """A criterion's sentence as a list of {when?, text}: the first whose `when` holds is used."""
    if sentence is None:
        return []
    if isinstance(sentence, str):
        return [{"text": sentence}]
    return [s if isinstance(s, dict) else {"text": str(s)} for s in sentence]


def criterion_values(criterion: dict, variable, variables) -> list[str]:
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


class _Plan:
    """One criterion made ready to explain: its readers, label, reference and sentences, worked out once."""

    __slots__ = ("criterion", "outcome", "values", "label", "reference", "sentences")

    def __init__(self, criterion: dict, variables):
        variable = variables[criterion["variable"]]
        self.criterion = criterion
        self.outcome = _Reader(variable)
        self.values = [_Reader(variables[n]) for n in criterion_values(criterion, variable, variables)]
        self.label = criterion.get("label") or variable.label
        self.reference = variable.reference
        # Per result: the alternatives as (reader of `when` or None, template), the plain default last;
        # an alternative whose text is empty says the default too.
        self.sentences = {}
        for key in ("pass", "fail", "unknown"):
            default = default_sentence(criterion, variable, key)
            self.sentences[key] = [(_Reader(variables[a["when"]]) if a.get("when") else None, a["text"] or default)
                                   for a in alternatives(criterion.get(key))] + [(None, default)]

    def sentence(self, key: str, sim, h: int, person) -> str:
        """The first template for `key` whose `when` is known true."""
        for when, text in self.sentences[key]:
            if when is None or when.read(sim, h, person) is True:
                return text
        raise AssertionError("the default sentence has no `when`")  # pragma: no cover


def _plan(criterion: dict, ruleset) -> _Plan:
    """The criterion's plan under these rules (memoised on them: a reform may redefine what it reads)."""
    plans = ruleset.memos.setdefault("criterion plans", {})
    plan = plans.get(id(criterion))
    if plan is None or plan.criterion is not criterion:
        plan = plans[id(criterion)] = _Plan(criterion, ruleset.variables)
    return plan


def criteria_for(sim, program, h: int, persons, member_ids) -> list:
    """The criteria list of one program's answer for household `h` (per member for person programs)."""
    ruleset, variables = sim.ruleset, sim.ruleset.variables
    everyone = list(zip(member_ids, persons, strict=True))
    result = []
    for criterion in program.criteria:
        plan = _plan(criterion, ruleset)
        for member_id, person in (everyone if plan.outcome.person else [(None, None)]):
            outcome = plan.outcome.read(sim, h, person)
            values = {r.name: r.read(sim, h, person if r.person else None) for r in plan.values}
            key = "unknown" if outcome is None else ("pass" if outcome else "fail")
            entry = {
                "id": plan.outcome.name,
                "label": plan.label,
                "result": outcome,
                "values": {n: _public(v) for n, v in values.items()},
                "reference": plan.reference,
                "explanation": render(plan.sentence(key, sim, h, person), values, variables),
            }
            if member_id is not None:
                entry["member"] = member_id
            result.append(entry)
    return result


def _public(value):
    if value.__class__ is float and not math.isfinite(value):
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
