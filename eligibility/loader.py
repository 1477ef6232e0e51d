"""Read every file under rules/ into parameters, variables and programs, collecting problems."""

from __future__ import annotations

import datetime as dt
import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from openfisca_core.errors import ParameterParsingError
from openfisca_core.parameters import ParameterNode
from openfisca_core.parameters.helpers import _parse_child

from eligibility.errors import Problem
from eligibility.variables import ENTITIES, PERIODS, VALUE_TYPES, Formula, Program, Variable
from eligibility.yamlfile import DuplicateKey, LineDict, load_yaml

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
VARIABLE_KEYS = {"entity", "value_type", "period", "label", "reference", "documentation", "unit",
                 "possible_values", "input", "question", "formula", "formulas"}
PROGRAM_KEYS = {"id", "name", "agency", "period", "entity", "eligible", "amount", "category",
                "modelled", "reference", "description", "criteria"}
PARAMETER_META = {"description", "metadata", "documentation", "unit", "reference"}
# Attribute names of OpenFisca's ParameterNode: a child with one of them would shadow it.
RESERVED_PARAMETER_NAMES = {"children", "name", "metadata", "description", "documentation",
                            "file_path", "values_list", "brackets"}


def parse_date(text) -> dt.date | None:
    """A YYYY-MM-DD date, or None when malformed."""
    if not isinstance(text, str) or not DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass
class LoadedFiles:
    """The raw content of a rule set, and the problems met while reading it."""

    root: Path
    version: str = "0.0.0"
    parameters: ParameterNode = field(default_factory=lambda: ParameterNode("", data={}))
    parameter_files: dict = field(default_factory=dict)  # path -> file
    variables: dict[str, Variable] = field(default_factory=dict)
    programs: dict[str, Program] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, file: str, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(file, line, message, hint))


def read_rules(root: Path, label: str | None = None) -> LoadedFiles:
    """Read every YAML file under `root`; never raises for bad content (see `.problems`)."""
    loaded = LoadedFiles(root=root)
    base = label or root.name
    for path in sorted(root.rglob("*.y*ml")):
        relative = path.relative_to(root)
        name = f"{base}/{relative.as_posix()}"
        data = parse_file(path.read_text(encoding="utf-8"), name, loaded)
        if data is None:
            continue
        read_document(relative.parts, data, name, loaded)
    return loaded


def parse_file(text: str, name: str, loaded: LoadedFiles):
    """Parse YAML, turning syntax errors and duplicate keys into problems."""
    try:
        data = load_yaml(text, name)
    except DuplicateKey as error:
        loaded.problem(name, error.line, f"duplicate key {error.key!r}", "each name may appear once")
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        loaded.problem(name, (mark.line + 1) if mark else 1, f"YAML syntax: {error.problem}",
                       "check indentation and quoting")
        return None
    except yaml.YAMLError as error:
        loaded.problem(name, 1, f"YAML syntax: {error}", "check indentation and quoting")
        return None
    if not isinstance(data, LineDict):
        loaded.problem(name, 1, "the file must hold a mapping", "write `key: value` pairs")
        return None
    return data


def read_document(parts: tuple, data: LineDict, name: str, loaded: LoadedFiles) -> None:
    """Dispatch a parsed file by where it lives."""
    if parts == ("rules.yaml",):
        version = str(data.get("version", ""))
        if not SEMVER.match(version):
            loaded.problem(name, data.line_of("version"), f"version {version!r} is not MAJOR.MINOR.PATCH",
                           "e.g. version: 1.2.0")
        loaded.version = version
    elif "parameters" in parts[:-1]:
        index = parts.index("parameters")
        path = ".".join([*parts[:index], *parts[index + 1:-1], Path(parts[-1]).stem])
        read_parameter(path, data, name, loaded)
    elif "variables" in parts[:-1]:
        for var_name, definition in data.items():
            read_variable(str(var_name), definition, data.line_of(var_name), name, loaded)
    elif parts[-1] == "program.yaml":
        read_program(data, name, loaded)
    else:
        loaded.problem(name, 1, "not a rule file", "put parameters under parameters/, variables under "
                       "variables/, and a program in program.yaml")


def _check_reference(value, line: int, name: str, what: str, loaded: LoadedFiles) -> None:
    if not isinstance(value, list) or not value or not all(
            isinstance(r, dict) and r.get("title") and r.get("href") for r in value):
        loaded.problem(name, line, f"{what} has no reference",
                       "add reference: a list of {title, href} citing the law or notice")


def _check_dates(node, name: str, loaded: LoadedFiles, path: str) -> None:
    """Walk a parameter file and check every date key and value."""
    if not isinstance(node, LineDict):
        return
    values = node.get("values") if "values" in node else None
    if isinstance(values, LineDict):
        for key, value in values.items():
            if parse_date(key) is None:
                loaded.problem(name, values.line_of(key), f"{key!r} is not a valid YYYY-MM-DD date",
                               "write dates as e.g. 2025-10-01")
            raw = value.get("value") if isinstance(value, dict) else value
            if not (raw is None or isinstance(raw, bool | int | float)):
                loaded.problem(name, values.line_of(key), f"value {raw!r} is not a number",
                               "parameter values are numbers, true/false or null")
        return
    for key, child in node.items():
        if key in PARAMETER_META:
            continue
        if isinstance(child, LineDict):
            _check_dates(child, name, loaded, f"{path}.{key}")
        else:
            loaded.problem(name, node.line_of(key), f"{path}.{key} has no dated values",
                           "write values: {YYYY-MM-DD: value}")


def read_parameter(path: str, data: LineDict, name: str, loaded: LoadedFiles) -> None:
    """Check one parameter file and graft it onto the OpenFisca parameter tree."""
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    if not metadata.get("label") and not data.get("description"):
        loaded.problem(name, data.line, f"parameter {path} has no label",
                       "add metadata: {label: ...} or a description")
    _check_reference(metadata.get("reference", data.get("reference")),
                     data.line_of("metadata"), name, f"parameter {path}", loaded)
    _check_dates(data, name, loaded, path)
    if path in loaded.parameter_files:
        loaded.problem(name, 1, f"parameter {path} is defined twice",
                       f"also in {loaded.parameter_files[path]}")
        return
    try:
        node = _parse_child(path, dict(data), name)
    except (ParameterParsingError, ValueError, TypeError, AttributeError) as error:
        loaded.problem(name, data.line, f"parameter {path}: {str(error).splitlines()[0]}",
                       "see docs/rules-format.md for the parameter format")
        return
    parts = path.split(".")
    clash = [p for p in parts if p in RESERVED_PARAMETER_NAMES]
    if clash:
        loaded.problem(name, 1, f"parameter path {path} uses the reserved name {clash[0]!r}",
                       "rename the file or folder (e.g. child instead of children)")
        return
    loaded.parameter_files[path] = name
    parent = loaded.parameters
    for depth, part in enumerate(parts[:-1]):
        if part not in parent.children:
            parent.add_child(part, ParameterNode(".".join(parts[: depth + 1]), data={}))
        parent = parent.children[part]
        if not isinstance(parent, ParameterNode):
            loaded.problem(name, 1, f"{path} is inside parameter {parent.name}", "rename one of them")
            return
    parent.add_child(parts[-1], node)


def read_variable(var_name: str, d, line: int, name: str, loaded: LoadedFiles) -> None:
    """Check one variable definition's fields (formulas are checked later, with every name known)."""
    if not NAME.match(var_name) or keyword.iskeyword(var_name):
        loaded.problem(name, line, f"{var_name!r} is not a valid variable name",
                       "use lower_snake_case starting with a letter")
        return
    if var_name in loaded.variables:
        other = loaded.variables[var_name]
        loaded.problem(name, line, f"variable {var_name!r} is defined twice",
                       f"also at {other.file}:{other.line}")
        return
    if not isinstance(d, LineDict):
        loaded.problem(name, line, f"variable {var_name!r} must be a mapping", "see docs/rules-format.md")
        return
    problems_before = len(loaded.problems)
    _check_variable_fields(var_name, d, name, loaded)
    is_input = d.get("input") is True
    formulas = _read_formulas(var_name, d, name, loaded)
    if is_input and formulas:
        loaded.problem(name, d.line, f"{var_name} is an input and has a formula", "keep one of them")
    if not is_input and not formulas and len(loaded.problems) == problems_before:
        loaded.problem(name, d.line, f"{var_name} has no formula", "add formula: ..., or input: true")
    if is_input and not d.get("question"):
        loaded.problem(name, d.line, f"input {var_name} has no question",
                       "add question: the wording a portal asks")
    if not is_input:
        _check_reference(d.get("reference"), d.line_of("reference"), name, f"variable {var_name}", loaded)
    possible = d.get("possible_values") or ()
    if d.get("value_type") == "enum" and (not isinstance(possible, list) or not possible
                                          or not all(isinstance(v, str) for v in possible)):
        loaded.problem(name, d.line_of("possible_values"), f"enum {var_name} has no possible_values",
                       "list the values, e.g. possible_values: [single, married_filing_jointly]")
        possible = ()
    if len(loaded.problems) > problems_before:
        return
    loaded.variables[var_name] = Variable(
        name=var_name, entity=d["entity"], period=d["period"], value_type=d["value_type"],
        label=d["label"].strip(), file=name, line=line, reference=list(d.get("reference") or []),
        documentation=str(d.get("documentation") or "").strip(), unit=d.get("unit"),
        possible_values=tuple(possible), is_input=is_input, question=d.get("question"),
        formulas=formulas,
    )


def _check_variable_fields(var_name: str, d: LineDict, name: str, loaded: LoadedFiles) -> None:
    for key in d:
        if key not in VARIABLE_KEYS:
            loaded.problem(name, d.line_of(key), f"unknown field {key!r} in {var_name}",
                           f"fields: {', '.join(sorted(VARIABLE_KEYS))}")
    for key, allowed in (("entity", ENTITIES), ("period", PERIODS), ("value_type", VALUE_TYPES)):
        if d.get(key) not in allowed:
            loaded.problem(name, d.line_of(key), f"{var_name}: {key} is {d.get(key)!r}",
                           f"{key} is one of {', '.join(allowed)}")
    if not isinstance(d.get("label"), str) or not d.get("label").strip():
        loaded.problem(name, d.line, f"variable {var_name} has no label", "add label: a short phrase")


def _read_formulas(var_name: str, d: LineDict, name: str, loaded: LoadedFiles) -> list[Formula]:
    if "formula" in d and "formulas" in d:
        loaded.problem(name, d.line_of("formulas"), f"{var_name} has both formula and formulas",
                       "use formulas: {date: ...} for dated versions")
        return []
    if "formula" in d:
        return [Formula(dt.date.min, str(d["formula"]), _text_line(d, "formula"))]
    versions = d.get("formulas")
    if versions is None:
        return []
    if not isinstance(versions, LineDict) or not versions:
        loaded.problem(name, d.line_of("formulas"), f"{var_name}: formulas must map dates to formulas",
                       "formulas: {2024-10-01: ...}")
        return []
    result = []
    for key, text in versions.items():
        start = parse_date(key)
        if start is None:
            loaded.problem(name, versions.line_of(key), f"{key!r} is not a valid YYYY-MM-DD date",
                           "write dates as e.g. 2025-10-01")
            continue
        result.append(Formula(start, str(text), _text_line(versions, key)))
    return sorted(result, key=lambda f: f.start)


def _text_line(mapping: LineDict, key) -> int:
    """Line where a formula's text starts (block scalars start on the next line)."""
    line = mapping.line_of(key)
    text = mapping[key]
    return line + 1 if isinstance(text, str) and "\n" in text.strip() else line


def read_program(d: LineDict, name: str, loaded: LoadedFiles) -> None:
    """Check a program declaration's fields (its variables are checked once all are loaded)."""
    before = len(loaded.problems)
    for key in d:
        if key not in PROGRAM_KEYS:
            loaded.problem(name, d.line_of(key), f"unknown field {key!r} in program",
                           f"fields: {', '.join(sorted(PROGRAM_KEYS))}")
    for key in ("id", "name", "agency", "eligible"):
        if not isinstance(d.get(key), str) or not d.get(key):
            loaded.problem(name, d.line_of(key), f"program has no {key}", f"add {key}: ...")
    if d.get("period") not in PERIODS or d.get("entity") not in ENTITIES:
        loaded.problem(name, d.line, "program period/entity is missing or wrong",
                       "period: month or year; entity: household or person")
    _check_reference(d.get("reference"), d.line_of("reference"), name, "program", loaded)
    modelled = d.get("modelled") if isinstance(d.get("modelled"), dict) else {}
    start, end = parse_date(modelled.get("start")), parse_date(modelled.get("end"))
    if start is None or end is None or end < start:
        loaded.problem(name, d.line_of("modelled"), "program has no valid modelled range",
                       "modelled: {start: YYYY-MM-DD, end: YYYY-MM-DD}")
    if len(loaded.problems) > before:
        return
    if d["id"] in loaded.programs:
        loaded.problem(name, d.line_of("id"), f"program {d['id']!r} is defined twice",
                       f"also in {loaded.programs[d['id']].file}")
        return
    loaded.programs[d["id"]] = Program(
        id=d["id"], name=d["name"], agency=d["agency"], period=d["period"], entity=d["entity"],
        eligible=d["eligible"], amount=d.get("amount"), category=d.get("category"), file=name,
        start=start, end=end, reference=list(d["reference"]),
        description=str(d.get("description") or "").strip(), criteria=list(d.get("criteria") or []),
    )
