"""A loaded, checked and compiled rule set: the one object every caller starts from."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cached_property
from pathlib import Path

from eligibility import checks
from eligibility.errors import RuleError
from eligibility.loader import LoadedFiles, read_rules
from eligibility.variables import Program, Variable

DEFAULT_RULES = Path(__file__).resolve().parent.parent / "rules"


def digest_of(root: Path) -> str:
    """sha256 over every rule file's path and bytes, in sorted order (independent of the file system)."""
    sha = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if "__pycache__" in relative:
            continue
        content = path.read_bytes()
        sha.update(f"{relative}\0{len(content)}\0".encode())
        sha.update(content)
    return "sha256:" + sha.hexdigest()


class RuleSet:
    """Parameters, variables and programs, checked and compiled; immutable once built."""

    def __init__(self, loaded: LoadedFiles, digest: str, loaded_at: dt.datetime | None = None):
        self.root = loaded.root
        self.version = loaded.version
        self.digest = digest
        self.parameters = loaded.parameters
        self.parameter_files = loaded.parameter_files
        self.variables: dict[str, Variable] = loaded.variables
        self.programs: dict[str, Program] = loaded.programs
        self.loaded_at = loaded_at or dt.datetime.now(dt.UTC)
        self.frozen_parameters: dict = {}  # (path, date) -> value or Table, filled on first use
        # What is worked out from these rules once and kept (rules never change once loaded), by kind;
        # a reform of them starts with none of it.
        self.memos: dict[str, dict] = {}

    @cached_property
    def inputs(self) -> dict[str, Variable]:
        """Input facts by name."""
        return {n: v for n, v in self.variables.items() if v.is_input}

    @cached_property
    def dependents(self) -> dict[str, set[str]]:
        """For each variable, the variables that read it directly."""
        result: dict[str, set[str]] = {name: set() for name in self.variables}
        for name, variable in self.variables.items():
            for dep in variable.dependencies:
                result.setdefault(dep, set()).add(name)
        return result

    @cached_property
    def override_facts(self) -> frozenset:
        """Facts read through given(x): optional overrides with a fallback, never worth asking for."""
        from eligibility.formula.ir import Call, walk

        found = set()
        for variable in self.variables.values():
            for formula in variable.formulas:
                for node in walk(formula.ir) if formula.ir is not None else ():
                    if isinstance(node, Call) and node.function == "given":
                        found.add(node.args[0].name)
        return frozenset(found)

    def affected_by(self, name: str) -> frozenset:
        """Every variable whose value can depend on `name` (memoised: rules never change once loaded)."""
        cache = self.memos.setdefault("affected", {})
        found = cache.get(name)
        if found is None:
            seen, todo = set(), [name]
            while todo:
                for dependent in self.dependents.get(todo.pop(), ()):
                    if dependent not in seen:
                        seen.add(dependent)
                        todo.append(dependent)
            found = cache[name] = frozenset(seen)
        return found

    def closure(self, names) -> set[str]:
        """Every variable `names` depend on, themselves included."""
        return checks.closure(self.variables, names)

    def inputs_of(self, names) -> list[str]:
        """Input facts that `names` ultimately depend on, in declaration order."""
        needed = self.closure(names)
        return [n for n in self.inputs if n in needed]

    @property
    def date_range(self) -> tuple[dt.date, dt.date]:
        """The widest range any program models."""
        return (min(p.start for p in self.programs.values()), max(p.end for p in self.programs.values()))

    def simulate(self, date: dt.date, households: list[dict]):
        """Evaluate households given in the contract's JSON shape (see eligibility.household)."""
        from eligibility.household import build_simulation

        return build_simulation(self, date, households)


def check_loaded(loaded: LoadedFiles) -> None:
    """Run every whole-rule-set check, then raise RuleError if anything was found."""
    checks.check_formulas(loaded)
    checks.check_cycles(loaded)
    checks.check_programs(loaded)
    checks.check_parameter_coverage(loaded)
    if loaded.problems:
        raise RuleError(loaded.problems)


def load_rules(root: Path | str | None = None) -> RuleSet:
    """Load, check and compile the rule set under `root` (default: the project's rules/)."""
    root = Path(root) if root is not None else DEFAULT_RULES
    if not root.is_dir():
        raise RuleError([])  # pragma: no cover - guarded by callers
    loaded = read_rules(root)
    check_loaded(loaded)
    return RuleSet(loaded, digest_of(root))
