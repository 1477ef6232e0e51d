"""Missing facts for every household of a batch at once: the walk of screening.missing_facts, on masks.

A batch whose households leave facts out asks the same question of each: which unknown input facts
can the unsettled answer reach through unknown variables only? Walked household by household it
took most of a batch's time; here each variable of a program's rules is visited once, with a mask
of the households whose walk reaches it.
"""

from __future__ import annotations

from graphlib import TopologicalSorter

import numpy as np


def walk_order(ruleset, program) -> list[tuple]:
    """The variables under a program's decision and amount, each before those it reads (kept per rule set).

    Each as (name, is input, is an override fact, dependencies).
    """
    orders = ruleset.memos.setdefault("missing facts order", {})
    order = orders.get(program.id)
    if order is None:
        variables = ruleset.variables
        under = ruleset.closure([root for root in (program.eligible, program.amount) if root])
        # static_order gives what a variable reads before the variable: reversed, readers come first.
        readers_first = reversed(list(TopologicalSorter({n: variables[n].dependencies for n in under}).static_order()))
        order = orders[program.id] = [
            (name, variables[name].is_input, name in ruleset.override_facts, tuple(variables[name].dependencies))
            for name in readers_first]
    return order


def all_known(sim, name: str, memo: dict) -> np.ndarray:
    """Per household: whether the variable is known (for a person variable, for every member)."""
    found = memo.get(name)
    if found is None:
        known = sim.calculate(name)[1]
        households = sim.sizes["household"]
        if known is None:
            found = np.ones(households, dtype=bool)
        elif sim.ruleset.variables[name].entity == "household":
            found = known
        else:
            found = np.bincount(sim.person_household, weights=~known, minlength=households) == 0
        memo[name] = found
    return found


def missing_for_all(sim, program, undetermined: np.ndarray, needs_amount: np.ndarray,
                    member_ids: list[list[str]], memo: dict) -> list[list[str]]:
    """Per household, what screening.missing_facts gives it: paths of the unknown facts that matter.

    `undetermined` and `needs_amount` mask the households whose status, or eligible amount, is unknown;
    `memo` keeps, across the programs of one batch, each variable's known mask and each household's
    paths for a fact.
    """
    households = sim.sizes["household"]
    # Masks are combined into new arrays, never changed in place, so one may be shared by several variables.
    reach = {program.eligible: undetermined}
    if program.amount:
        reach[program.amount] = needs_amount
    known_masks = memo.setdefault("known", {})
    facts = {}
    for name, is_input, is_override, dependencies in walk_order(sim.ruleset, program):
        reached = reach.get(name)
        if reached is None or not reached.any():
            continue
        open_ = reached & ~all_known(sim, name, known_masks)  # reached, and unknown: the walk goes on from here
        if is_input:
            if not is_override and open_.any():
                facts[name] = open_
            continue
        for dependency in dependencies:
            before = reach.get(dependency)
            reach[dependency] = open_ if before is None else before | open_
    paths: list[list[str]] = [[] for _ in range(households)]
    for name in sim.ruleset.inputs:  # declaration order: the order questions are asked in
        mask = facts.get(name)
        if mask is not None:
            of_fact = fact_paths(sim, name, member_ids, memo)
            for h in np.flatnonzero(mask).tolist():
                paths[h].extend(of_fact[h])
    return paths


def fact_paths(sim, name: str, member_ids: list[list[str]], memo: dict) -> list[list[str]]:
    """Per household, the paths at which an input fact is unknown (built once per batch, shared by programs)."""
    kept = memo.setdefault("paths", {})
    found = kept.get(name)
    if found is None:
        if sim.ruleset.variables[name].entity == "household":
            found = [[f"household.{name}"]] * sim.sizes["household"]  # read only where the fact is unknown
        else:
            known = sim.calculate(name)[1]
            known = [True] * sim.sizes["person"] if known is None else known.tolist()
            found, row = [], 0
            for ids in member_ids:
                found.append([f"members.{member_id}.{name}" for i, member_id in enumerate(ids) if not known[row + i]])
                row += len(ids)
        kept[name] = found
    return found
