"""Typed intermediate form of a checked formula."""

from __future__ import annotations

from dataclasses import dataclass, field

NUMBER = "number"
BOOL = "bool"


@dataclass(frozen=True)
class EnumType:
    """An enum value type: the possible values, in code order."""

    name: str
    values: tuple[str, ...]

    def code(self, value: str) -> int:
        return self.values.index(value)


@dataclass
class Node:
    """Base of IR nodes; `type` is NUMBER, BOOL or an EnumType."""

    type: object = field(default=None, init=False)


@dataclass
class Const(Node):
    value: object


@dataclass
class Var(Node):
    """A variable read: `scope` is self, household (from a person) or members (in an aggregate)."""

    name: str
    scope: str = "self"
    convert: str | None = None  # per_month, per_year, this_year, this_month


@dataclass
class Param(Node):
    """A parameter read, optionally on another date ("MM-DD") and looked up by keys."""

    path: str
    on: str | None = None
    keys: list = field(default_factory=list)


@dataclass
class Unary(Node):
    op: str
    operand: Node


@dataclass
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass
class Logic(Node):
    op: str  # and / or
    operands: list


@dataclass
class Where(Node):
    condition: Node
    then: Node
    otherwise: Node


@dataclass
class Call(Node):
    function: str
    args: list


@dataclass
class Aggregate(Node):
    function: str  # sum, count, any, all
    operand: Node | None  # person-level node; None for count(members)


def walk(node: Node):
    """Yield node and all its descendants."""
    yield node
    children: list = []
    if isinstance(node, Unary):
        children = [node.operand]
    elif isinstance(node, Binary):
        children = [node.left, node.right]
    elif isinstance(node, Logic | Call):
        children = list(node.operands if isinstance(node, Logic) else node.args)
    elif isinstance(node, Where):
        children = [node.condition, node.then, node.otherwise]
    elif isinstance(node, Aggregate) and node.operand is not None:
        children = [node.operand]
    elif isinstance(node, Param):
        children = list(node.keys)
    for child in children:
        yield from walk(child)
