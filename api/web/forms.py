"""The household form: fields built from the rule set's input facts, read back into the API's request.

What the caseworker types is kept as typed; turning it into the request body only parses numbers and
yes/no, so the API's own schema judges every value and its errors are shown beside the fields.
A blank field is an unknown fact, never zero or "no".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from api.web.labels import choice_label

# The facts every screening starts from; the rule set's other facts are under "More about ...", and
# the follow-up questions ask for those that matter.
MAIN_HOUSEHOLD_FACTS = ("state", "shelter_costs", "utility_costs", "dependent_care_costs", "child_support_paid",
                        "medical_expenses", "assets")
MAIN_MEMBER_FACTS = ("age", "relationship", "earned_income", "unearned_income")
MEMBER_KEY = re.compile(r"^members\.(\d{1,3})\.(\w+)$")
MAX_MEMBERS = 30
UNKNOWN = object()
YES_NO = (("", "Not known"), ("yes", "Yes"), ("no", "No"))
# The schema's generic messages, said as a form says them (the checks themselves are the API's).
PLAINER = {
    "Not a valid number.": "Enter a number, like 1200 (no letters).",
    "Not a valid integer.": "Enter a whole number, like 3.",
    "Must be greater than or equal to 0.": "Enter 0 or more.",
    "Shorter than minimum length 1.": "Choose at least one.",
    "Not a valid date.": "Enter a date as YYYY-MM-DD, like 2025-11-15.",
    "Not a valid boolean.": "Choose Yes, No or Not known.",
}


@dataclass
class Field:
    """One input as the template draws it."""

    name: str
    label: str
    kind: str  # amount | whole | choice | text | date
    value: str = ""
    hint: str | None = None
    options: tuple = ()
    errors: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The element id (also the error summary's link target)."""
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.name)

    @property
    def described_by(self) -> str:
        """The ids of the hint and the error messages, for aria-describedby."""
        ids = [f"{self.id}-hint"] if self.hint else []
        return " ".join(ids + [f"{self.id}-error-{i}" for i in range(1, len(self.errors) + 1)])


@dataclass
class FormState:
    """The form as typed: text by field; `programs` None means every program."""

    date: str = ""
    programs: list[str] | None = None
    household: dict[str, str] = field(default_factory=dict)
    members: list[dict[str, str]] = field(default_factory=lambda: [{}])

    @classmethod
    def from_form(cls, form, ruleset) -> FormState:
        """Read the posted form (unknown field names are ignored: the page only sends its own)."""
        household = {name: form.get(f"household.{name}", "") for name in ruleset.inputs
                     if f"household.{name}" in form}
        rows: dict[int, dict[str, str]] = {}
        for key in form:
            match = MEMBER_KEY.match(key)
            if match and (match.group(2) == "id" or match.group(2) in ruleset.inputs):
                rows.setdefault(int(match.group(1)), {})[match.group(2)] = form.get(key, "")
        members = [rows[i] for i in sorted(rows)][:MAX_MEMBERS] or [{}]
        programs = None
        if form.get("programs_listed"):
            chosen = [p for p in form.getlist("programs") if p in ruleset.programs]
            programs = None if set(chosen) == set(ruleset.programs) else chosen
        return cls(form.get("date", "").strip(), programs, household, members)

    @classmethod
    def from_request(cls, request: dict) -> FormState:
        """The form showing a request's facts (to edit them)."""
        household = dict(request.get("household") or {})
        members = [{k: as_text(v) for k, v in m.items()} for m in household.pop("members", [])] or [{}]
        return cls(str(request.get("date") or ""), request.get("programs"),
                   {k: as_text(v) for k, v in household.items()}, members)

    def to_request(self, ruleset) -> dict:
        """The API's request body for these facts: blank fields left out, so unknown."""
        household = facts_of(self.household, ruleset, "household")
        members = []
        for index, row in enumerate(self.members):
            member = {"id": row.get("id", "").strip() or f"Person {index + 1}"}
            member.update(facts_of(row, ruleset, "person"))
            members.append(member)
        body: dict = {"explain": "summary", "household": {**household, "members": members}}
        if self.date:
            body["date"] = self.date
        if self.programs is not None:
            body["programs"] = self.programs
        return body


def as_text(value) -> str:
    """A JSON fact value as the form shows it."""
    if value is None:
        return ""
    if value is True or value is False:
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse(variable, text: str):
    """Typed text as a JSON value; what cannot be read is passed on as text for the schema to refuse."""
    text = text.strip()
    if text == "":
        return UNKNOWN
    if variable.value_type == "bool":
        return {"yes": True, "no": False}.get(text, text)
    if variable.value_type in ("float", "int"):
        cleaned = text.replace(",", "").replace("$", "").strip()
        if re.fullmatch(r"[+-]?\d+", cleaned):
            return int(cleaned)
        try:
            return float(cleaned)
        except ValueError:
            return text
    return text


def facts_of(typed: dict[str, str], ruleset, entity: str) -> dict:
    """The given facts of one entity, parsed, in the rule set's order."""
    facts = {}
    for name, variable in ruleset.inputs.items():
        if variable.entity == entity and name in typed:
            value = parse(variable, typed[name])
            if value is not UNKNOWN:
                facts[name] = value
    return facts


def fact_field(variable, name: str, value: str = "", errors: list | None = None) -> Field:
    """The input for one fact: a Yes/No/Not known choice, a list of choices, or a number."""
    errors = [PLAINER.get(e, e) for e in errors or []]
    if variable.value_type == "bool":
        return Field(name, variable.question or variable.label, "choice", value, None, YES_NO, errors)
    if variable.value_type == "enum":
        options = (("", "Not known"), *((v, choice_label(variable.name, v)) for v in variable.possible_values))
        return Field(name, variable.label, "choice", value, None, options, errors)
    if variable.value_type == "int":
        return Field(name, variable.label, "whole", value, "A whole number.", (), errors)
    return Field(name, variable.label, "amount", value, "In dollars.", (), errors)


def field_errors(messages: dict) -> dict[str, list[str]]:
    """The schema's error tree ({"household": {"members": {0: {"age": [...]}}}}) by form field name."""
    found: dict[str, list[str]] = {}

    def walk(tree, prefix: str) -> None:
        if isinstance(tree, list):
            found.setdefault(prefix or "form", []).extend(str(m) for m in tree)
            return
        for key, value in tree.items():
            key = str(key)
            if key == "_schema":
                walk(value, prefix)
            elif prefix == "" and key == "household":
                walk(value, "household")
            elif prefix == "household" and key == "members":
                walk(value, "members")
            elif prefix == "household":
                walk(value, f"household.{key}")
            else:
                walk(value, f"{prefix}.{key}" if prefix else key)

    walk(messages or {}, "")
    return found


@dataclass
class FormView:
    """Everything the household form template draws."""

    date: Field
    programs: list[tuple[str, str, bool]]
    program_errors: list[str]
    members: list[dict]
    household_main: list[Field]
    household_more: list[Field]
    general_errors: list[str]

    @property
    def summary(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) for every error, in the order of the page."""
        fields = [self.date]
        fields += [f for m in self.members for f in (m["id"], *m["main"], *m["more"])]
        fields += self.household_main + self.household_more
        items = [("f-programs", "Programs", e) for e in self.program_errors]
        items += [(f.id, f.label, e) for f in fields for e in f.errors]
        items += [("household", "Household", e) for e in self.general_errors]
        # The date and programs come first on the page.
        return sorted(items, key=lambda item: 0 if item[0] == "f-date" else 1 if item[0] == "f-programs" else 2)


def form_view(state: FormState, ruleset, errors: dict[str, list[str]] | None = None) -> FormView:
    """The form's fields with the typed values and the errors found."""
    errors = errors or {}
    date = Field("date", "Date the screening is for", "date", state.date,
                 "Monthly programs use this month, the EITC this tax year. Blank means today.",
                 errors=[PLAINER.get(e, e) for e in errors.get("date", [])])
    chosen = set(ruleset.programs) if state.programs is None else set(state.programs)
    programs = [(p.id, p.name, p.id in chosen) for p in ruleset.programs.values()]
    members = []
    for index, row in enumerate(state.members):
        prefix = f"members.{index}"
        people = [(n, v) for n, v in ruleset.inputs.items() if v.entity == "person"]
        main = [fact_field(v, f"{prefix}.{n}", row.get(n, ""), errors.get(f"{prefix}.{n}"))
                for n, v in people if n in MAIN_MEMBER_FACTS]
        more = [fact_field(v, f"{prefix}.{n}", row.get(n, ""), errors.get(f"{prefix}.{n}"))
                for n, v in people if n not in MAIN_MEMBER_FACTS]
        ident = Field(f"{prefix}.id", "Name or initials", "text", row.get("id", ""),
                      "Shown with this person's results. Blank: “Person " + str(index + 1) + "”.",
                      errors=[PLAINER.get(e, e) for e in errors.get(f"{prefix}.id", []) + errors.get(prefix, [])])
        members.append({"index": index, "legend": f"Person {index + 1}", "id": ident, "main": main, "more": more,
                        "open": any(f.value or f.errors for f in more)})
    household = [(n, v) for n, v in ruleset.inputs.items() if v.entity == "household"]
    main = [fact_field(v, f"household.{n}", state.household.get(n, ""), errors.get(f"household.{n}"))
            for n, v in household if n in MAIN_HOUSEHOLD_FACTS]
    more = [fact_field(v, f"household.{n}", state.household.get(n, ""), errors.get(f"household.{n}"))
            for n, v in household if n not in MAIN_HOUSEHOLD_FACTS]
    general = [PLAINER.get(e, e) for key in ("household", "members", "form") for e in errors.get(key, [])]
    return FormView(date, programs, [PLAINER.get(e, e) for e in errors.get("programs", [])], members, main, more,
                    general)
