"""Parse a formula with `ast`, accept only whitelisted forms, and type-check it into IR."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Protocol

from eligibility.formula.ir import (
    BOOL,
    NUMBER,
    Aggregate,
    Binary,
    Call,
    Const,
    EnumType,
    Logic,
    Node,
    Param,
    Unary,
    Var,
    Where,
)

MAX_LENGTH = 4000
MAX_NODES = 400
MAX_DEPTH = 24
ALLOWED_LITERALS = {0, 1, 12}
MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")

NUMERIC_FUNCTIONS = {"min": (2, 8), "max": (2, 8), "round": (1, 2), "floor": (1, 1),
                     "ceil": (1, 1), "clip": (3, 3), "abs": (1, 1)}
AGGREGATES = {"sum", "count", "any", "all"}
CONVERSIONS = {
    # name: (period of the formula, period of the variable read, amount only)
    "per_month": ("month", "year", True),
    "per_year": ("year", "month", True),
    "this_year": ("month", "year", False),
    "this_month": ("year", "month", False),
}
ALLOWED_NAMES = ", ".join(sorted({*NUMERIC_FUNCTIONS, *AGGREGATES, *CONVERSIONS, "where", "on", "given"}))


class FormulaError(Exception):
    """A formula is not valid; `hint` says how to fix it."""

    def __init__(self, message: str, hint: str = "", line: int = 1):
        self.message, self.hint, self.line = message, hint, line
        super().__init__(message)


@dataclass(frozen=True)
class VariableInfo:
    """What the checker needs to know of a variable."""

    entity: str
    period: str
    type: object
    is_input: bool = False


@dataclass(frozen=True)
class ParameterInfo:
    """A parameter or table: `axes` lists, outermost first, the keys of each table level."""

    path: str
    type: object
    axes: tuple = ()


class Scope(Protocol):
    """Names a formula may read."""

    def variable(self, name: str) -> VariableInfo | None: ...

    def parameter(self, path: str) -> ParameterInfo | None: ...

    def parameter_roots(self) -> set[str]: ...


def type_name(t) -> str:
    """Readable name of a type for messages."""
    return f"enum {t.name}" if isinstance(t, EnumType) else str(t)


class Checker:
    """Turns one formula's text into typed IR, or raises FormulaError."""

    def __init__(self, scope: Scope, entity: str, period: str):
        self.scope, self.entity, self.period = scope, entity, period
        self.dependencies: set[str] = set()
        self.parameters: set[tuple[str, str | None]] = set()
        self.in_aggregate = False

    def check(self, text: str, expected) -> Node:
        """Parse `text` and check its result has type `expected`."""
        if not isinstance(text, str) or not text.strip():
            raise FormulaError("formula is empty or not text", "write an expression as a string")
        if len(text) > MAX_LENGTH:
            raise FormulaError(f"formula is {len(text)} characters long (limit {MAX_LENGTH})",
                               "split it into named intermediate variables")
        try:
            # Parenthesised so that a formula may span lines freely in YAML block scalars.
            tree = ast.parse("(" + text.strip() + "\n)", mode="eval")
        except SyntaxError as error:
            raise FormulaError(f"syntax error: {error.msg}", "formulas are Python expressions",
                               error.lineno or 1) from None
        except (RecursionError, MemoryError, ValueError):
            raise FormulaError("formula is nested too deeply to parse",
                               "split it into named intermediate variables") from None
        count = sum(1 for _ in ast.walk(tree))
        if count > MAX_NODES:
            raise FormulaError(f"formula has {count} parts (limit {MAX_NODES})",
                               "split it into named intermediate variables")
        node = self._node(tree.body, 0, expected)
        self._expect(node, expected, tree.body)
        if node.type == "text":
            self._fail(tree.body, "a text value is only meaningful as an enum value",
                       "compare it with an enum variable, e.g. state == \"AK\"")
        return node

    # -- helpers ---------------------------------------------------------------------------------

    def _fail(self, source: ast.AST, message: str, hint: str = ""):
        raise FormulaError(message, hint, getattr(source, "lineno", 1))

    def _expect(self, node: Node, expected, source: ast.AST) -> None:
        if expected is None or node.type == expected:
            return
        if isinstance(expected, EnumType) and node.type == "text":
            self._resolve_literal(node, expected, source)
            return
        hint = "compare it, e.g. `x > 0`" if expected == BOOL and node.type == NUMBER else (
            "use `where(condition, 1, 0)` or count(...) to turn a condition into a number"
            if expected == NUMBER and node.type == BOOL else "check the operands' types")
        self._fail(source, f"expected {type_name(expected)}, got {type_name(node.type)}", hint)

    def _resolve_literal(self, node: Node, enum: EnumType, source: ast.AST) -> None:
        if node.value not in enum.values:
            self._fail(source, f"{node.value!r} is not a value of {enum.name}",
                       f"possible values: {', '.join(enum.values)}")
        node.value = enum.code(node.value)
        node.type = enum

    def _unify(self, a: Node, b: Node, source: ast.AST):
        """Common type of two operands that must agree (branches, comparison sides)."""
        if a.type == "text" and isinstance(b.type, EnumType):
            self._resolve_literal(a, b.type, source)
        elif b.type == "text" and isinstance(a.type, EnumType):
            self._resolve_literal(b, a.type, source)
        if a.type != b.type:
            self._fail(source, f"operands do not agree: {type_name(a.type)} and {type_name(b.type)}",
                       "a bool is not a number: compare, or use where(...)")
        return a.type

    def _typed(self, node: Node, t) -> Node:
        node.type = t
        return node

    # -- the grammar -----------------------------------------------------------------------------

    def _node(self, source: ast.AST, depth: int, expected=None) -> Node:
        if depth > MAX_DEPTH:
            self._fail(source, f"formula nests deeper than {MAX_DEPTH} levels",
                       "split it into named intermediate variables")
        method = getattr(self, f"_{type(source).__name__}", None)
        if method is None:
            self._fail(source, f"{type(source).__name__} is not allowed in a formula",
                       f"use arithmetic, comparisons, and/or/not, x if c else y, and {ALLOWED_NAMES}")
        return method(source, depth + 1, expected)

    def _Constant(self, source: ast.Constant, depth, expected) -> Node:
        value = source.value
        if isinstance(value, bool):
            return self._typed(Const(value), BOOL)
        if isinstance(value, int | float):
            if value not in ALLOWED_LITERALS:
                self._fail(source, f"number {value!r} written in a formula",
                           "policy numbers belong in a dated, referenced parameter")
            return self._typed(Const(float(value)), NUMBER)
        if isinstance(value, str):
            node = self._typed(Const(value), "text")
            if isinstance(expected, EnumType):
                self._resolve_literal(node, expected, source)
            return node
        self._fail(source, f"literal {value!r} is not allowed", "use numbers 0, 1, 12 or enum values")

    def _Name(self, source: ast.Name, depth, expected) -> Node:
        return self._variable(source.id, source, "members" if self.in_aggregate else "self")

    def _variable(self, name: str, source: ast.AST, scope: str, convert: str | None = None) -> Node:
        info = self.scope.variable(name)
        if info is None:
            hint = "parameters are read by their full path" if name in self.scope.parameter_roots() \
                else "define the variable or check its spelling"
            self._fail(source, f"unknown name {name!r}", hint)
        wanted_entity = {"self": self.entity, "household": "household", "members": "person"}[scope]
        if info.entity != wanted_entity:
            if info.entity == "person":
                hint = f"aggregate it: sum(members.{name}), any(members.{name}) or count(...)"
            else:
                hint = f"read it as household.{name}"
            self._fail(source, f"{name!r} belongs to the {info.entity}, not the {wanted_entity}", hint)
        if convert is None and info.period != self.period:
            self._fail(source, f"a {self.period}ly formula reads the {info.period}ly variable {name!r} "
                       "without saying how",
                       f"use per_{self.period}({name}) for an amount or this_{info.period}({name})")
        self.dependencies.add(name)
        return self._typed(Var(name, scope, convert), info.type)

    def _Attribute(self, source: ast.Attribute, depth, expected) -> Node:
        path = _dotted(source)
        if path is None:
            self._fail(source, "attribute access is only allowed on parameter paths",
                       "write a parameter's full path, e.g. us.usda.snap.income.gross_limit_rate")
        head, _, rest = path.partition(".")
        if head == "household":
            if self.entity != "person" or "." in rest or self.in_aggregate:
                self._fail(source, "household.<name> is read only in a person formula",
                           "in a household formula, read the variable by its name")
            return self._variable(rest, source, "household")
        if head == "members":
            self._fail(source, "members.<name> is read only inside sum/count/any/all",
                       f"e.g. sum(members.{rest})")
        return self._parameter(path, source, None, [])

    def _parameter(self, path: str, source, on: str | None, keys: list) -> Node:
        if path.split(".")[0] not in self.scope.parameter_roots():
            self._fail(source, f"{path!r} is not a parameter", "attribute access is only for parameters")
        info = self.scope.parameter(path)
        if info is None:
            self._fail(source, f"unknown parameter {path!r}", "check the path against rules/**/parameters")
        if len(keys) != len(info.axes):
            self._fail(source, f"parameter {path!r} is a table with {len(info.axes)} level(s) of keys, "
                       f"looked up with {len(keys)}",
                       "look a table up as table[key], one [key] per level")
        for key, axis in zip(keys, info.axes, strict=True):
            if axis == NUMBER:
                if key.type != NUMBER:
                    self._fail(source, f"table {path!r} is keyed by number", "use a number as the key")
            elif isinstance(key.type, EnumType):
                missing = set(key.type.values) - set(axis) if "default" not in axis else set()
                if missing:
                    self._fail(source, f"table {path!r} has no entry for {sorted(missing)[:5]}",
                               "add the entries, or a `default` entry")
            elif key.type == "text":
                if key.value not in axis:
                    self._fail(source, f"table {path!r} has no entry {key.value!r}",
                               f"entries: {', '.join(axis)}")
                key.type = EnumType(path, tuple(axis))
                key.value = key.type.code(key.value)
            else:
                self._fail(source, f"table {path!r} is keyed by name", "use an enum variable as the key")
        self.parameters.add((path, on))
        return self._typed(Param(path, on, keys), info.type)

    def _Subscript(self, source: ast.Subscript, depth, expected) -> Node:
        keys = []
        target = source
        while isinstance(target, ast.Subscript):
            if isinstance(target.slice, ast.Slice | ast.Tuple):
                self._fail(target, "slices are not allowed", "look a table up as table[key]")
            keys.insert(0, self._node(target.slice, depth))
            target = target.value
        path = _dotted(target) if isinstance(target, ast.Attribute) else None
        if path is None:
            self._fail(source, "subscripts are only allowed on table parameters",
                       "write table[key] with the table's full parameter path")
        return self._parameter(path, source, None, keys)

    def _UnaryOp(self, source: ast.UnaryOp, depth, expected) -> Node:
        operand = self._node(source.operand, depth)
        if isinstance(source.op, ast.Not):
            self._expect(operand, BOOL, source)
            return self._typed(Unary("not", operand), BOOL)
        if isinstance(source.op, ast.USub):
            self._expect(operand, NUMBER, source)
            return self._typed(Unary("neg", operand), NUMBER)
        self._fail(source, f"operator {type(source.op).__name__} is not allowed", "use not or -")

    _ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}

    def _BinOp(self, source: ast.BinOp, depth, expected) -> Node:
        op = self._ARITHMETIC.get(type(source.op))
        if op is None:
            self._fail(source, f"operator {type(source.op).__name__} is not allowed",
                       "use + - * / and the functions floor, ceil, round")
        left, right = self._node(source.left, depth), self._node(source.right, depth)
        self._expect(left, NUMBER, source.left)
        self._expect(right, NUMBER, source.right)
        return self._typed(Binary(op, left, right), NUMBER)

    _COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}

    def _Compare(self, source: ast.Compare, depth, expected) -> Node:
        operands = [self._node(source.left, depth)] + [self._node(c, depth) for c in source.comparators]
        pairs = []
        for op_node, left, right in zip(source.ops, operands, operands[1:], strict=False):
            op = self._COMPARE.get(type(op_node))
            if op is None:
                self._fail(source, f"comparison {type(op_node).__name__} is not allowed",
                           "use < <= > >= == !=")
            t = self._unify(left, right, source)
            if t not in (NUMBER,) and op not in ("==", "!="):
                self._fail(source, f"{op} compares numbers, not {type_name(t)}", "use == or !=")
            pairs.append(self._typed(Binary(op, left, right), BOOL))
        return pairs[0] if len(pairs) == 1 else self._typed(Logic("and", pairs), BOOL)

    def _BoolOp(self, source: ast.BoolOp, depth, expected) -> Node:
        operands = [self._node(v, depth) for v in source.values]
        for operand, value in zip(operands, source.values, strict=True):
            self._expect(operand, BOOL, value)
        op = "and" if isinstance(source.op, ast.And) else "or"
        return self._typed(Logic(op, operands), BOOL)

    def _IfExp(self, source: ast.IfExp, depth, expected) -> Node:
        return self._where(source.test, source.body, source.orelse, source, depth, expected)

    def _where(self, test, body, orelse, source, depth, expected) -> Node:
        condition = self._node(test, depth)
        self._expect(condition, BOOL, test)
        then, otherwise = self._node(body, depth, expected), self._node(orelse, depth, expected)
        return self._typed(Where(condition, then, otherwise), self._unify(then, otherwise, source))

    def _Call(self, source: ast.Call, depth, expected) -> Node:
        if not isinstance(source.func, ast.Name):
            self._fail(source, "only the built-in functions may be called", f"functions: {ALLOWED_NAMES}")
        name = source.func.id
        if source.keywords:
            self._fail(source, f"{name}() takes no keyword arguments", "pass arguments by position")
        args = source.args
        if any(isinstance(a, ast.Starred) for a in args):
            self._fail(source, "starred arguments are not allowed", "pass arguments by position")
        if name == "where":
            if len(args) != 3:
                self._fail(source, "where() takes 3 arguments", "where(condition, if_true, if_false)")
            return self._where(args[0], args[1], args[2], source, depth, expected)
        if name in NUMERIC_FUNCTIONS:
            return self._numeric_call(name, source, depth)
        if name in AGGREGATES:
            return self._aggregate(name, source, depth)
        if name in CONVERSIONS:
            return self._conversion(name, source)
        if name == "on":
            return self._on(source, depth)
        if name == "given":
            return self._given(source)
        self._fail(source, f"function {name!r} is not allowed", f"functions: {ALLOWED_NAMES}")

    def _numeric_call(self, name, source, depth) -> Node:
        low, high = NUMERIC_FUNCTIONS[name]
        args = source.args
        if not low <= len(args) <= high:
            self._fail(source, f"{name}() takes {low}..{high} arguments",
                       f"e.g. {name}(x{', y' * (low - 1)})")
        if name == "round" and len(args) == 2:
            digits = args[1]
            if not (isinstance(digits, ast.Constant) and digits.value in (0, 1, 2)
                    and not isinstance(digits.value, bool)):
                self._fail(source, "round()'s second argument is 0, 1 or 2 decimal places",
                           "round(x) to the dollar, round(x, 2) to the cent")
            operand = self._node(args[0], depth)
            self._expect(operand, NUMBER, args[0])
            return self._typed(Call("round", [operand, Const(float(digits.value))]), NUMBER)
        operands = [self._node(a, depth) for a in args]
        for operand, arg in zip(operands, args, strict=True):
            self._expect(operand, NUMBER, arg)
        return self._typed(Call(name, operands), NUMBER)

    def _aggregate(self, name, source, depth) -> Node:
        if self.entity != "household":
            self._fail(source, f"{name}() aggregates members in a household formula",
                       "a person formula reads household values as household.<name>")
        args = source.args
        if name == "count" and len(args) == 1 and isinstance(args[0], ast.Name) and args[0].id == "members":
            return self._typed(Aggregate("count", None), NUMBER)
        if len(args) != 1:
            self._fail(source, f"{name}() takes one argument", f"e.g. {name}(members.age >= 60)")
        person_checker = Checker(self.scope, "person", self.period)
        person_checker.in_aggregate = True
        operand = person_checker._node(_members_to_names(args[0], self, source), depth)
        self.dependencies |= person_checker.dependencies
        self.parameters |= person_checker.parameters
        wanted = NUMBER if name == "sum" else BOOL
        self._expect(operand, wanted, args[0])
        return self._typed(Aggregate(name, operand), NUMBER if name in ("sum", "count") else BOOL)

    def _conversion(self, name, source) -> Node:
        formula_period, read_period, amount = CONVERSIONS[name]
        args = source.args
        if len(args) != 1 or not isinstance(args[0], ast.Name | ast.Attribute):
            self._fail(source, f"{name}() takes one variable", f"e.g. {name}(x)")
        if self.period != formula_period:
            self._fail(source, f"{name}() is for a {formula_period}ly formula", "check the variable's period")
        arg = args[0]
        if isinstance(arg, ast.Attribute):
            path = _dotted(arg) or ""
            scope, _, name_read = path.partition(".")
            if scope != "household" or self.entity != "person":
                self._fail(source, f"{name}() takes a variable", f"e.g. {name}(x)")
            node = self._variable(name_read, arg, "household", name)
        else:
            node = self._variable(arg.id, arg, "self", name)
        info = self.scope.variable(node.name)
        if info.period != read_period:
            self._fail(source, f"{node.name!r} is already {info.period}ly", f"read it without {name}()")
        if amount and node.type != NUMBER:
            self._fail(source, f"{name}() converts amounts, not {type_name(node.type)}",
                       f"use this_{read_period}({node.name})")
        return node

    def _given(self, source) -> Node:
        args = source.args
        if len(args) != 1 or not isinstance(args[0], ast.Name):
            self._fail(source, "given() takes one input fact", "e.g. given(annual_earned_income)")
        info = self.scope.variable(args[0].id)
        if info is None or not getattr(info, "is_input", False):
            self._fail(source, f"given() takes an input fact, not {args[0].id!r}",
                       "name a variable declared with input: true")
        node = self._variable(args[0].id, args[0], "members" if self.in_aggregate else "self",
                              convert="given")
        return self._typed(Call("given", [node]), BOOL)

    def _on(self, source, depth) -> Node:
        args = source.args
        if len(args) != 2 or not (isinstance(args[1], ast.Constant) and isinstance(args[1].value, str)):
            self._fail(source, "on() takes a parameter and a \"MM-DD\" date",
                       'e.g. on(us.hhs.poverty_guidelines.first_person[fpg_region], "10-01")')
        month_day = args[1].value
        if not MONTH_DAY.match(month_day):
            self._fail(source, f"{month_day!r} is not a MM-DD date", 'write e.g. "10-01" for 1 October')
        node = self._node(args[0], depth)
        if not isinstance(node, Param):
            self._fail(source, "on() reads a parameter", "pass a parameter path or table look-up")
        self.parameters.discard((node.path, None))
        node.on = month_day
        self.parameters.add((node.path, month_day))
        return node


def _dotted(node: ast.AST) -> str | None:
    """`a.b.c` as text, or None when the chain is not plain names."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _members_to_names(node: ast.AST, checker: Checker, source: ast.AST) -> ast.AST:
    """Rewrite `members.x` to `x` inside an aggregate's argument; reject other attribute roots."""

    class Rewrite(ast.NodeTransformer):
        def visit_Attribute(self, attr):
            path = _dotted(attr)
            if path and path.startswith("members."):
                name = path[len("members."):]
                if "." in name:
                    checker._fail(source, f"members.{name} is not a variable", "write members.<variable>")
                return ast.copy_location(ast.Name(id=name, ctx=ast.Load()), attr)
            return self.generic_visit(attr)

        def visit_Name(self, name):
            if name.id == "members":
                checker._fail(source, "members must be followed by .<variable>", "e.g. members.age")
            return name

    return Rewrite().visit(node)
