"""Compile checked IR into one generated Python function per formula.

The closures of `compile.py` pay a Python call and a tuple per node, which dominates when a
simulation holds one household. The function generated here is straight-line code over local
names: one numpy call per node, and the known masks combined inline (nothing to do when they are
None). It also skips work the answer cannot depend on: the branch of `x if c else y` that no
element takes when `c` is fully known, and the rest of an and/or chain once it is settled for
every element. Results are the same as the closures' (shared/design/unknown-facts.md); only
variables no element needs are left uncomputed, and whatever asks for them later computes them.

The generated source holds only identifiers this module makes up: variable names, parameter paths
and constants reach it through the function's namespace, never as text.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from eligibility.formula.compile import (
    _ARITHMETIC,
    _COMPARISON,
    _FUNCTIONS,
    Context,
    ParameterRead,
    Result,
    _and,
    _or,
    _where,
    compile_node,
    divide,
)
from eligibility.formula.ir import Aggregate, Binary, Call, Const, Logic, Node, Param, Unary, Var, Where

ALL, NONE, MIXED = 1, 0, 2


def compile_formula(ir: Node) -> Callable[[Context], Result]:
    """A function `(context) -> (value, known)` for a formula's IR."""
    generator = _Generator()
    try:
        value, known = generator.node(ir)
        generator.emit(f"return {value}, {known}")
        source = "def run(ctx):\n" + "\n".join(generator.lines)
        namespace = {"__builtins__": {}, **generator.names}
        exec(compile(source, "<formula>", "exec"), namespace)  # noqa: S102 - source made of our own names
    except (SyntaxError, RecursionError, MemoryError):  # pragma: no cover - nesting is bounded at check time
        return compile_node(ir)
    run = namespace["run"]
    run.parameter_reads = generator.reads  # a trace finds what each read gave (Simulation.parameter_values)
    return run


# count_nonzero is the cheapest whole-array test numpy has: several times faster than .all() on
# the one-element arrays of a single household's screening.
_count = np.count_nonzero


def _choice(value, known) -> int:
    """ALL or NONE when a condition is known and the same for every element, else MIXED."""
    if known is not None and _count(known) != known.size:
        return MIXED
    if type(value) is np.ndarray:
        true = _count(value)
        return ALL if true == value.size else (NONE if true == 0 else MIXED)
    return ALL if value else NONE


def _settled_false(value, known) -> bool:
    """Every element known to be false: the rest of an `and` chain cannot change it."""
    if known is not None:
        return _count(np.asarray(value, dtype=bool) | ~known) == 0
    return (_count(value) == 0) if type(value) is np.ndarray else not value


def _settled_true(value, known) -> bool:
    """Every element known to be true: the rest of an `or` chain cannot change it."""
    if known is not None:
        return _count(np.asarray(value, dtype=bool) & known) == known.size
    return (_count(value) == value.size) if type(value) is np.ndarray else bool(value)


class SourceWriter:
    """The lines of a generated function: indentation, fresh local names, constants passed by namespace."""

    def __init__(self, names: dict, counter: list | None = None):
        self.lines: list[str] = []
        self.depth = 1
        self.names = names
        self.counter = counter if counter is not None else [0]  # shared by all the functions of one formula

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    def fresh(self) -> tuple[str, str]:
        self.counter[0] += 1
        return f"v{self.counter[0]}", f"k{self.counter[0]}"

    def constant(self, value) -> str:
        name = f"_c{len(self.names)}"
        self.names[name] = value
        return name

    def node(self, node: Node) -> tuple[str, str]:
        """Emit the statements for `node`; its value and known as expressions (names or literals)."""
        return getattr(self, f"_{type(node).__name__}")(node)

    def block(self, node: Node) -> tuple[str, str]:
        """`node`'s statements one level deeper (a branch), never empty."""
        self.depth += 1
        start = len(self.lines)
        result = self.node(node)
        if len(self.lines) == start:
            self.emit("pass")
        self.depth -= 1
        return result


class _Generator(SourceWriter):
    """Statements computing a formula, one local value name (and known name) per node."""

    def __init__(self):
        super().__init__({
            "_divide": divide, "_choice": _choice, "_settled_false": _settled_false,
            "_settled_true": _settled_true, "_and": _and, "_or": _or, "_where": _where,
            "_not": np.logical_not, "_negative": np.negative,
        })
        self.reads: dict[int, ParameterRead] = {}  # id of each Param node -> its read

    def combine(self, knowns: list[str]) -> str:
        """A known expression for values computed element-wise from operands with these knowns."""
        unknowable = [k for k in knowns if k != "None"]
        if not unknowable:
            return "None"
        result = unknowable[0]
        for other in unknowable[1:]:
            _, name = self.fresh()
            self.emit(f"{name} = {result} if {other} is None else ({other} if {result} is None "
                      f"else {result} & {other})")
            result = name
        return result

    def _Const(self, node: Const):
        return self.constant(node.value), "None"

    def _Var(self, node: Var):
        value, known = self.fresh()
        name = self.constant(node.name)
        if node.scope == "self" and node.convert is None:
            self.emit(f"{value}, {known} = ctx.plain({name})")
        else:
            scope, convert = self.constant(node.scope), self.constant(node.convert)
            self.emit(f"{value}, {known} = ctx.variable({name}, {scope}, {convert})")
        return value, known

    def _Unary(self, node: Unary):
        operand, known = self.node(node.operand)
        value, _ = self.fresh()
        self.emit(f"{value} = {'_not' if node.op == 'not' else '_negative'}({operand})")
        return value, known

    def _Binary(self, node: Binary):
        (a, ka), (b, kb) = self.node(node.left), self.node(node.right)
        value, _ = self.fresh()
        if node.op == "/" and not (isinstance(node.right, Const) and node.right.value):
            function = "_divide"  # may divide by zero: silence numpy's warning, as the closures do
        else:
            function = self.constant(_ARITHMETIC.get(node.op) or _COMPARISON[node.op])
        self.emit(f"{value} = {function}({a}, {b})")
        return value, self.combine([ka, kb])

    def _Logic(self, node: Logic):
        combine, settled = ("_and", "_settled_false") if node.op == "and" else ("_or", "_settled_true")
        first, first_known = self.node(node.operands[0])
        value, known = self.fresh()
        self.emit(f"{value}, {known} = {first}, {first_known}")
        for operand in node.operands[1:]:
            self.emit(f"if not {settled}({value}, {known}):")
            b, kb = self.block(operand)
            self.depth += 1
            self.emit(f"{value}, {known} = {combine}({value}, {known}, {b}, {kb})")
            self.depth -= 1
        return value, known

    def _Where(self, node: Where):
        c, kc = self.node(node.condition)
        choice, _ = self.fresh()
        value, known = self.fresh()
        self.emit(f"{choice} = _choice({c}, {kc})")
        self.emit(f"if {choice} != {NONE}:")
        x, kx = self.block(node.then)
        self.emit(f"if {choice} != {ALL}:")
        y, ky = self.block(node.otherwise)
        self.emit(f"if {choice} == {ALL}:")
        self.emit(f"    {value}, {known} = {x}, {kx}")
        self.emit(f"elif {choice} == {NONE}:")
        self.emit(f"    {value}, {known} = {y}, {ky}")
        self.emit("else:")
        self.emit(f"    {value}, {known} = _where({c}, {kc}, {x}, {kx}, {y}, {ky})")
        return value, known

    def _Call(self, node: Call):
        args = [self.node(a) for a in node.args]
        value, _ = self.fresh()
        if node.function == "given":
            (_, known), = args
            given = "True" if known == "None" else f"True if {known} is None else {known}.copy()"
            self.emit(f"{value} = {given}")
            return value, "None"
        function = self.constant(_FUNCTIONS[node.function])
        self.emit(f"{value} = {function}({', '.join(v for v, _ in args)})")
        return value, self.combine([k for _, k in args])

    def _Aggregate(self, node: Aggregate):
        value, known = self.fresh()
        if node.operand is None:
            self.emit(f"{value} = ctx.member_count()")
            return value, "None"
        operand, operand_known = self.node(node.operand)
        self.emit(f"{value}, {known} = ctx.aggregate({self.constant(node.function)}, {operand}, {operand_known})")
        return value, known

    def _Param(self, node: Param):
        keys = [self.node(k) for k in node.keys]
        value, _ = self.fresh()
        read = ParameterRead(node)
        self.reads[id(node)] = read
        known = self.combine([k for _, k in keys])
        self.emit(f"{value} = ctx.parameter({self.constant(read)}, [{', '.join(v for v, _ in keys)}], {known})")
        return value, known
