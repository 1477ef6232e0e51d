"""Compile checked IR into generated Python over plain scalars: one household, one entity at a time.

For a single household, numpy's per-call cost outweighs the arithmetic on one-element arrays many
times over. The function generated here computes a formula for one entity (the household, or one
member) with Python floats and bools, and a known flag per value (True or False) in place of a mask.
A person formula runs once per member; an aggregate runs its operand (a function of its own) once per
member and folds the results. Values and knowns are the same as the numpy code's, element by element
(shared/design/unknown-facts.md); a differential test holds the two to that.

As in codegen.py, the generated source holds only identifiers made up here: names, paths and
constants reach it through the function's namespace, never as text.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from eligibility.formula.codegen import SourceWriter
from eligibility.formula.compile import ROUNDING_SLACK, ParameterRead
from eligibility.formula.ir import Aggregate, Binary, Call, Const, Logic, Node, Param, Unary, Var, Where

_ARITHMETIC = {"+": "+", "-": "-", "*": "*"}
_COMPARISON = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "!=": "!="}
_HALF = 0.5 + ROUNDING_SLACK


def compile_scalar(ir: Node, reads: dict | None = None) -> Callable | None:
    """A function `(context) -> (value, known)` over scalars for a formula's IR; None if it cannot be built.

    `reads` (id of a Param node -> ParameterRead) are the numpy function's, so a trace finds what each
    read gave whichever function ran.
    """
    generator = _Generator({}, reads=dict(reads or {}))
    try:
        source = generator.function("run", ir)
        namespace = {"__builtins__": {}, **generator.names}
        exec(compile("\n".join([*generator.helpers, source]), "<scalar formula>", "exec"), namespace)  # noqa: S102
    except (SyntaxError, RecursionError, MemoryError):  # pragma: no cover - nesting is bounded at check time
        return None
    run = namespace["run"]
    run.parameter_reads = generator.reads
    return run


# numpy's results for what Python would raise on: x / 0, floor of inf or nan, nan in min/max.

def divide(a, b):
    """a / b as numpy divides: a zero divisor gives a signed inf, or nan for 0 / 0 and nan / 0."""
    if b:
        return a / b
    if a != a or not a:
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def floor(x):
    """numpy's floor: a float, with inf and nan passed through."""
    return float(math.floor(x)) if math.isfinite(x) else float(x)


def ceil(x):
    """numpy's ceil: a float, with inf and nan passed through."""
    return float(math.ceil(x)) if math.isfinite(x) else float(x)


def minimum(a, b):
    """numpy's minimum: nan when either is nan."""
    if a != a or b != b:
        return math.nan
    return a if a <= b else b


def maximum(a, b):
    """numpy's maximum: nan when either is nan."""
    if a != a or b != b:
        return math.nan
    return a if a >= b else b


def round_half_up(x, digits=0.0):
    """compile._round on a scalar: half away from zero, with the same slack for float noise."""
    if digits == 0:
        return math.copysign(floor(abs(x) + _HALF), x)
    scale = 10.0 ** digits
    scaled = x * scale
    return math.copysign(floor(abs(scaled) + _HALF), scaled) / scale


def _reduce(function, values):
    result = values[0]
    for value in values[1:]:
        result = function(result, value)
    return result


_FUNCTIONS: dict[str, Callable] = {
    "floor": lambda x: floor(x + ROUNDING_SLACK),
    "ceil": lambda x: ceil(x - ROUNDING_SLACK),
    "abs": abs,
    "clip": lambda x, low, high: minimum(maximum(x, low), high),
    "min": lambda *xs: _reduce(minimum, xs),
    "max": lambda *xs: _reduce(maximum, xs),
    "round": round_half_up,
}


class _Generator(SourceWriter):
    """Statements computing a formula over scalars, one local value name (and known name) per node."""

    def __init__(self, names: dict, counter: list | None = None, reads: dict | None = None,
                 helpers: list | None = None):
        super().__init__(names, counter)
        self.reads: dict[int, ParameterRead] = reads if reads is not None else {}
        self.helpers: list[str] = helpers if helpers is not None else []  # aggregates' operand functions
        names.setdefault("_divide", divide)
        names.setdefault("bool", bool)

    def function(self, name: str, ir: Node) -> str:
        """The source of `def name(ctx)` returning (value, known) of `ir`."""
        value, known = self.node(ir)
        self.emit(f"return {value}, {known}")
        return f"def {name}(ctx):\n" + "\n".join(self.lines)

    def both(self, knowns: list[str]) -> str:
        """A known expression for a value computed from operands with these knowns."""
        unknowable = [k for k in knowns if k != "True"]
        if not unknowable:
            return "True"
        if len(unknowable) == 1:
            return unknowable[0]
        _, name = self.fresh()
        self.emit(f"{name} = {' and '.join(unknowable)}")
        return name

    def _Const(self, node: Const):
        return self.constant(node.value), "True"

    def _Var(self, node: Var):
        value, known = self.fresh()
        name = self.constant(node.name)
        if node.scope in ("self", "members") and node.convert is None:
            self.emit(f"{value}, {known} = ctx.plain({name})")
        else:
            scope, convert = self.constant(node.scope), self.constant(node.convert)
            self.emit(f"{value}, {known} = ctx.variable({name}, {scope}, {convert})")
        return value, known

    def _Unary(self, node: Unary):
        operand, known = self.node(node.operand)
        value, _ = self.fresh()
        self.emit(f"{value} = {'not ' if node.op == 'not' else '-'}{operand}")
        return value, known

    def _Binary(self, node: Binary):
        (a, ka), (b, kb) = self.node(node.left), self.node(node.right)
        value, _ = self.fresh()
        if node.op == "/":
            if isinstance(node.right, Const) and node.right.value:
                self.emit(f"{value} = {a} / {b}")
            else:
                self.emit(f"{value} = _divide({a}, {b})")  # may divide by zero: inf or nan, as numpy gives
        else:
            self.emit(f"{value} = {a} {_ARITHMETIC.get(node.op) or _COMPARISON[node.op]} {b}")
        return value, self.both([ka, kb])

    def _Logic(self, node: Logic):
        first, first_known = self.node(node.operands[0])
        value, known = self.fresh()
        self.emit(f"{value}, {known} = bool({first}), {first_known}")
        for operand in node.operands[1:]:
            # Settled once known false (and) or known true (or): the rest cannot change it.
            settled = f"{known} and not {value}" if node.op == "and" else f"{known} and {value}"
            self.emit(f"if not ({settled}):")
            b, kb = self.block(operand)
            self.depth += 1
            if node.op == "and":
                self.emit(f"{known} = ({known} and {kb}) or ({known} and not {value}) or ({kb} and not {b})")
                self.emit(f"{value} = {value} and bool({b})")
            else:
                self.emit(f"{known} = ({known} and {kb}) or ({known} and {value}) or ({kb} and bool({b}))")
                self.emit(f"{value} = {value} or bool({b})")
            self.depth -= 1
        return value, known

    def _Where(self, node: Where):
        c, kc = self.node(node.condition)
        value, known = self.fresh()
        # A known condition needs one branch; an unknown one needs both, and is known where they agree.
        self.emit(f"if not {kc} or {c}:")
        x, kx = self.block(node.then)
        self.emit(f"if not {kc} or not {c}:")
        y, ky = self.block(node.otherwise)
        self.emit(f"if {kc}:")
        self.emit(f"    {value}, {known} = ({x}, {kx}) if {c} else ({y}, {ky})")
        self.emit("else:")
        self.emit(f"    {value} = {x} if {c} else {y}")
        self.emit(f"    {known} = {kx} and {ky} and {x} == {y}")
        return value, known

    def _Call(self, node: Call):
        args = [self.node(a) for a in node.args]
        value, _ = self.fresh()
        if node.function == "given":
            (_, known), = args
            self.emit(f"{value} = {known}")
            return value, "True"
        function = self.constant(_FUNCTIONS[node.function])
        self.emit(f"{value} = {function}({', '.join(v for v, _ in args)})")
        return value, self.both([k for _, k in args])

    def _Aggregate(self, node: Aggregate):
        value, known = self.fresh()
        if node.operand is None:
            self.emit(f"{value} = ctx.member_count()")
            return value, "True"
        name = f"_operand{self.counter[0]}"
        operand = _Generator(self.names, self.counter, self.reads, self.helpers)
        self.helpers.append(operand.function(name, node.operand))
        self.emit(f"{value}, {known} = ctx.aggregate({self.constant(node.function)}, {name})")
        return value, known

    def _Param(self, node: Param):
        keys = [self.node(k) for k in node.keys]
        value, _ = self.fresh()
        read = self.reads.get(id(node)) or ParameterRead(node)
        self.reads[id(node)] = read
        known = self.both([k for _, k in keys])
        self.emit(f"{value} = ctx.parameter({self.constant(read)}, ({''.join(v + ', ' for v, _ in keys)}), {known})")
        return value, known
