"""Whole-rule-set checks: formulas, cycles, parameter coverage of the modelled range, programs."""

from __future__ import annotations

import datetime as dt

from eligibility import parameters as params
from eligibility.formula.check import Checker, FormulaError, ParameterInfo, VariableInfo
from eligibility.formula.codegen import compile_formula
from eligibility.formula.ir import BOOL, NUMBER, EnumType
from eligibility.formula.scalar import compile_scalar
from eligibility.loader import LoadedFiles
from eligibility.variables import Variable


class RuleScope:
    """The names formulas may read, backed by the loaded files."""

    def __init__(self, loaded: LoadedFiles):
        self.loaded = loaded
        self._roots = set(loaded.parameters.children)
        self._parameters: dict[str, ParameterInfo | None] = {}

    def variable(self, name: str) -> VariableInfo | None:
        variable = self.loaded.variables.get(name)
        return None if variable is None else VariableInfo(variable.entity, variable.period, variable.type,
                                                          variable.is_input)

    def parameter(self, path: str) -> ParameterInfo | None:
        if path not in self._parameters:
            self._parameters[path] = params.describe(self.loaded.parameters, path)
        return self._parameters[path]

    def parameter_roots(self) -> set[str]:
        return self._roots


def check_formulas(loaded: LoadedFiles, names=None) -> None:
    """Type-check and compile every formula (or those of `names`), recording problems."""
    scope = RuleScope(loaded)
    for variable in list(loaded.variables.values()):
        if names is not None and variable.name not in names:
            continue
        for formula in variable.formulas:
            checker = Checker(scope, variable.entity, variable.period)
            try:
                formula.ir = checker.check(formula.text, variable.type)
            except FormulaError as error:
                loaded.problem(variable.file, formula.line + error.line - 1,
                               f"{variable.name}: {error.message}", error.hint)
                continue
            formula.dependencies = frozenset(checker.dependencies)
            formula.parameters = frozenset(checker.parameters)
            formula.run = compile_formula(formula.ir)
            formula.scalar_run = compile_scalar(formula.ir, getattr(formula.run, "parameter_reads", None))


def check_cycles(loaded: LoadedFiles) -> None:
    """Report each dependency cycle once."""
    variables = loaded.variables
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []
    reported: set[frozenset] = set()

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for dep in sorted(variables[name].dependencies):
            if dep not in variables:
                continue
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep):] + [dep]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    first = variables[cycle[0]]
                    loaded.problem(first.file, first.line, "dependency cycle: " + " -> ".join(cycle),
                                   "a variable cannot depend on itself, directly or through others")
            elif state.get(dep) is None:
                visit(dep)
        stack.pop()
        state[name] = 2

    for name in sorted(variables):
        if state.get(name) is None:
            visit(name)


def closure(variables: dict[str, Variable], roots) -> set[str]:
    """Every variable that `roots` depend on, roots included."""
    seen: set[str] = set()
    todo = [r for r in roots if r in variables]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(d for d in variables[name].dependencies if d in variables)
    return seen


def period_starts(start: dt.date, end: dt.date, period: str):
    """First day of every month (or year) that overlaps [start, end]."""
    day = dt.date(start.year, 1 if period == "year" else start.month, 1)
    while day <= end:
        yield day
        day = dt.date(day.year + 1, 1, 1) if period == "year" else (
            dt.date(day.year + day.month // 12, day.month % 12 + 1, 1))


def check_parameter_coverage(loaded: LoadedFiles, only: set | None = None) -> None:
    """Every parameter a program's formulas read must have a value on every date it is read."""
    reported: set = set()
    for program in loaded.programs.values():
        for name in sorted(closure(loaded.variables, program_variables(program))):
            if only is not None and name not in only:
                continue
            variable = loaded.variables[name]
            for start in period_starts(program.start, program.end, variable.period):
                formula = variable.formula_on(start)
                if formula is None:
                    if variable.formulas and (name, "none") not in reported:
                        reported.add((name, "none"))
                        loaded.problem(variable.file, variable.line,
                                       f"{name} has no formula in force on {start} "
                                       f"(program {program.id} is modelled from {program.start})",
                                       "date a formula version on or before that day")
                    continue
                for path, on in sorted(formula.parameters, key=str):
                    if (name, path) in reported:
                        continue
                    instant = params.on_date(start, on).isoformat()
                    node = params.find(loaded.parameters, path)
                    missing = [leaf.name for leaf in params.leaves(node)
                               if params.value_at(leaf, instant) is None]
                    if missing:
                        reported.add((name, path))
                        loaded.problem(variable.file, formula.line,
                                       f"{name} reads {missing[0]}, which has no value on {instant} "
                                       f"(program {program.id} is modelled {program.start} to {program.end})",
                                       "add a dated value in the parameter file, or narrow the range")


def program_variables(program) -> list[str]:
    """Variables a program's answer is made of."""
    names = [program.eligible, program.amount, program.category]
    names += [c.get("variable") for c in program.criteria if isinstance(c, dict)]
    return [n for n in names if n]


def check_programs(loaded: LoadedFiles) -> None:
    """A program's decision is a bool, its amount a number, its category an enum, on its entity."""
    for program in loaded.programs.values():
        wanted = [("eligible", program.eligible, BOOL), ("amount", program.amount, NUMBER),
                  ("category", program.category, EnumType)]
        for role, name, value_type in wanted:
            if name is None:
                continue
            variable = loaded.variables.get(name)
            if variable is None:
                loaded.problem(program.file, 1,
                               f"program {program.id}: {role} variable {name!r} is not defined",
                               "name a variable defined under variables/")
                continue
            if value_type is EnumType:
                ok = isinstance(variable.type, EnumType)
            else:
                ok = variable.type == value_type
            if not ok or variable.period != program.period:
                loaded.problem(program.file, 1,
                               f"program {program.id}: {role} variable {name!r} is a {variable.period}ly "
                               f"{variable.value_type}", f"it must be a {program.period}ly "
                               f"{'enum' if value_type is EnumType else value_type}")
        check_criteria(loaded, program)
        if program.eligible in loaded.variables and \
                loaded.variables[program.eligible].entity != program.entity:
            loaded.problem(program.file, 1, f"program {program.id}: eligible variable is not on the "
                           f"{program.entity}", "match the program's entity")


def check_criteria(loaded: LoadedFiles, program) -> None:
    """Each criterion names a bool variable; its sentences name known variables and formats."""
    from eligibility.explain import alternatives, check_template

    for number, criterion in enumerate(program.criteria, start=1):
        where = f"program {program.id}, criterion {number}"
        if not isinstance(criterion, dict) or criterion.get("variable") not in loaded.variables:
            loaded.problem(program.file, 1, f"{where}: no variable, or an unknown one",
                           "criteria: [{variable: a bool variable, pass: ..., fail: ..., unknown: ...}]")
            continue
        if loaded.variables[criterion["variable"]].type != BOOL:
            loaded.problem(program.file, 1, f"{where}: {criterion['variable']} is not a bool",
                           "a criterion is a test: a bool variable")
        for key in ("pass", "fail", "unknown"):
            for alternative in alternatives(criterion.get(key)):
                when = alternative.get("when")
                if when is not None and (when not in loaded.variables or
                                         loaded.variables[when].type != BOOL):
                    loaded.problem(program.file, 1, f"{where}: `when: {when}` is not a bool variable",
                                   "name a bool variable")
                problem = check_template(str(alternative.get("text") or ""), loaded.variables)
                if problem:
                    loaded.problem(program.file, 1, f"{where} ({key}): {problem}",
                                   "fields are {variable} or {variable:money|percent|number|count}")
