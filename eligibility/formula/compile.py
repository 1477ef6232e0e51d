"""Compile checked IR into closures over numpy arrays that carry a known mask.

Every closure takes an evaluation context and returns `(value, known)`; `known` is None when every
element is known (the common, fast case) or a boolean array. Propagation follows
shared/design/unknown-facts.md: sound three-valued (Kleene) logic, fully vectorised.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Protocol

import numpy as np

from eligibility.formula.ir import (
    Aggregate,
    Binary,
    Call,
    Const,
    Logic,
    Node,
    Param,
    Unary,
    Var,
    Where,
)

# Float noise (0.3 * 1000 = 299.99999999999994) must not move a value across a whole number.
ROUNDING_SLACK = 1e-7

Known = np.ndarray | None
Result = tuple[object, Known]


class Context(Protocol):
    """What a compiled formula reads while it runs."""

    def variable(self, name: str, scope: str, convert: str | None) -> Result: ...

    def plain(self, name: str) -> Result: ...

    def parameter(self, read: ParameterRead, keys: list, known: Known = None) -> object: ...

    def aggregate(self, function: str, value, known: Known) -> Result: ...

    def member_count(self) -> np.ndarray: ...


_SLOTS = itertools.count()


class ParameterRead:
    """One parameter read in a formula; `slot` names it uniquely so contexts can cache its look-up."""

    __slots__ = ("path", "on", "key_types", "slot")

    def __init__(self, node: Param):
        self.path, self.on = node.path, node.on
        self.key_types = tuple(k.type for k in node.keys)
        self.slot = next(_SLOTS)


def both(a: Known, b: Known) -> Known:
    """Known where both are known."""
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _and(a, ka, b, kb) -> Result:
    value = np.logical_and(a, b)
    if ka is None and kb is None:
        return value, None
    # A known false on either side settles the conjunction.
    if ka is None:
        return value, kb | ~np.asarray(a, dtype=bool)
    if kb is None:
        return value, ka | ~np.asarray(b, dtype=bool)
    return value, (ka & kb) | (ka & ~a) | (kb & ~b)


def _or(a, ka, b, kb) -> Result:
    value = np.logical_or(a, b)
    if ka is None and kb is None:
        return value, None
    if ka is None:
        return value, kb | np.asarray(a, dtype=bool)
    if kb is None:
        return value, ka | np.asarray(b, dtype=bool)
    return value, (ka & kb) | (ka & a) | (kb & b)


def _where(c, kc, x, kx, y, ky) -> Result:
    value = np.where(c, x, y)
    if kc is None and kx is None and ky is None:
        return value, None
    kc_ = True if kc is None else kc
    kx_ = True if kx is None else kx
    ky_ = True if ky is None else ky
    agree = np.asarray(kx_ & ky_ & (np.asarray(x) == np.asarray(y)))
    known = (kc_ & c & kx_) | (kc_ & ~np.asarray(c, dtype=bool) & ky_) | (~np.asarray(kc_) & agree)
    return value, np.asarray(known, dtype=bool)


def _round(x, digits=0.0):
    """Half away from zero (as people round money), not numpy's half to even."""
    if digits == 0:
        return np.copysign(np.floor(np.abs(x) + (0.5 + ROUNDING_SLACK)), x)
    scale = 10.0 ** digits
    scaled = np.multiply(x, scale)
    return np.copysign(np.floor(np.abs(scaled) + (0.5 + ROUNDING_SLACK)), scaled) / scale


_ARITHMETIC = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}
_COMPARISON = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
               "==": np.equal, "!=": np.not_equal}
_FUNCTIONS: dict[str, Callable] = {
    "floor": lambda x: np.floor(np.asarray(x) + ROUNDING_SLACK),
    "ceil": lambda x: np.ceil(np.asarray(x) - ROUNDING_SLACK),
    "abs": np.abs,
    "clip": lambda x, low, high: np.minimum(np.maximum(x, low), high),
    "min": lambda *xs: _reduce(np.minimum, xs),
    "max": lambda *xs: _reduce(np.maximum, xs),
    "round": _round,
}


def divide(a, b):
    """a / b; a zero divisor gives inf or nan quietly (a formula guards it with where, or it is unknown)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.divide(a, b)


def _reduce(function, values):
    result = values[0]
    for value in values[1:]:
        result = function(result, value)
    return result


def compile_node(node: Node) -> Callable[[Context], Result]:
    """Compile IR into a closure `(context) -> (value, known)`."""
    compiler = _COMPILERS.get(type(node))
    if compiler is None:  # pragma: no cover - the checker produces only these nodes
        raise TypeError(f"cannot compile {type(node).__name__}")
    return compiler(node)


def _compile_const(node: Const):
    value = node.value
    return lambda ctx: (value, None)


def _compile_var(node: Var):
    name, scope, convert = node.name, node.scope, node.convert
    if scope == "self" and convert is None:
        return lambda ctx: ctx.plain(name)
    return lambda ctx: ctx.variable(name, scope, convert)


def _compile_unary(node: Unary):
    operand = compile_node(node.operand)
    function = np.logical_not if node.op == "not" else np.negative

    def unary(ctx):
        v, k = operand(ctx)
        return function(v), k
    return unary


def _compile_binary(node: Binary):
    left, right = compile_node(node.left), compile_node(node.right)
    if node.op == "/":
        def quotient(ctx):
            (a, ka), (b, kb) = left(ctx), right(ctx)
            return divide(a, b), both(ka, kb)
        return quotient
    function = _ARITHMETIC.get(node.op) or _COMPARISON[node.op]

    def binary(ctx):
        (a, ka), (b, kb) = left(ctx), right(ctx)
        return function(a, b), both(ka, kb)
    return binary


def _compile_logic(node: Logic):
    operands = [compile_node(o) for o in node.operands]
    combine = _and if node.op == "and" else _or

    def logic(ctx):
        value, known = operands[0](ctx)
        for operand in operands[1:]:
            value, known = combine(value, known, *operand(ctx))
        return value, known
    return logic


def _compile_where(node: Where):
    c, x, y = compile_node(node.condition), compile_node(node.then), compile_node(node.otherwise)
    return lambda ctx: _where(*c(ctx), *x(ctx), *y(ctx))


def _compile_aggregate(node: Aggregate):
    if node.operand is None:
        return lambda ctx: (ctx.member_count(), None)
    operand, function = compile_node(node.operand), node.function
    return lambda ctx: ctx.aggregate(function, *operand(ctx))


def _compile_call(node: Call):
    if node.function == "given":
        (arg,) = [compile_node(a) for a in node.args]

        def given(ctx):
            _, known = arg(ctx)
            return (True if known is None else known.copy()), None
        return given
    function = _FUNCTIONS[node.function]
    args = [compile_node(a) for a in node.args]
    if len(args) == 1:
        (arg,) = args

        def unary(ctx):
            v, k = arg(ctx)
            return function(v), k
        return unary

    def call(ctx):
        values, known = [], None
        for arg in args:
            v, k = arg(ctx)
            values.append(v)
            known = both(known, k)
        return function(*values), known
    return call


def _compile_param(node: Param):
    read = ParameterRead(node)
    keys = [compile_node(k) for k in node.keys]
    if not keys:
        return lambda ctx: (ctx.parameter(read, []), None)

    def lookup(ctx):
        values, known = [], None
        for key in keys:
            v, k = key(ctx)
            values.append(v)
            known = both(known, k)
        return ctx.parameter(read, values, known), known
    return lookup


_COMPILERS = {
    Const: _compile_const, Var: _compile_var, Param: _compile_param, Unary: _compile_unary,
    Binary: _compile_binary, Logic: _compile_logic, Where: _compile_where, Call: _compile_call,
    Aggregate: _compile_aggregate,
}
