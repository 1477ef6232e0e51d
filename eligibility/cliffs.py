"""Benefit cliffs: every program along one fact's axis in one vectorised run, and income headroom."""

from __future__ import annotations

import numpy as np

from eligibility.errors import InputError
from eligibility.simulation import Simulation


def status_of(value: bool, known: bool) -> str:
    """eligible / ineligible / undetermined."""
    if not known:
        return "undetermined"
    return "eligible" if value else "ineligible"

MAX_POINTS = 1000
HEADROOM_STEP = 50.0  # headroom is reported to the $50 below the point where the status changes
HEADROOM_LIMIT = 5000.0


def axis_points(vary: dict) -> np.ndarray:
    """The values along the axis, validated (422-worthy errors name the vary field)."""
    errors = {}
    values = {}
    for key in ("from", "to", "step"):
        raw = vary.get(key)
        if not isinstance(raw, int | float) or isinstance(raw, bool) or not np.isfinite(raw) or raw < 0:
            errors[key] = ["Must be a non-negative finite number."]
        else:
            values[key] = float(raw)
    if not errors:
        if values["step"] <= 0:
            errors["step"] = ["Must be greater than 0."]
        elif values["to"] < values["from"]:
            errors["to"] = ["Must be at least `from`."]
        elif (values["to"] - values["from"]) / values["step"] + 1 > MAX_POINTS:
            errors["step"] = [f"The axis may have at most {MAX_POINTS} points."]
    if errors:
        raise InputError({"vary": errors}, "Invalid vary axis.")
    count = int(np.floor((values["to"] - values["from"]) / values["step"] + 1e-9)) + 1
    return values["from"] + values["step"] * np.arange(count)


def axis_fact(ruleset, household: dict, fact: str) -> tuple[str, int | None]:
    """(input name, member index or None) for `household.x` or `members.<id>.x`; 422 otherwise."""
    parts = fact.split(".")
    error = InputError({"vary": {"fact": [
        "Must be household.<fact> or members.<id>.<fact> naming a numeric input fact."]}},
        "Invalid vary axis.")
    variable = ruleset.inputs.get(parts[-1])
    if variable is None or variable.value_type not in ("float", "int"):
        raise error
    if parts[0] == "household" and len(parts) == 2 and variable.entity == "household":
        return variable.name, None
    if parts[0] == "members" and len(parts) >= 3 and variable.entity == "person":
        member_id = ".".join(parts[1:-1])  # fact names have no dots, so an id may: members.j.doe.age
        ids = [str(m.get("id")) for m in household.get("members", [])]
        if member_id not in ids:
            raise InputError({"vary": {"fact": [f"No member with id {member_id!r}."]}}, "Invalid vary axis.")
        return variable.name, ids.index(member_id)
    raise error


def tiled(base: Simulation, name: str, member: int | None, values: np.ndarray) -> Simulation:
    """A simulation of the base's household 0 followed by one copy per value of the varied fact.

    Only the varied fact is laid out here; every variable the varied fact cannot change is computed
    once on the base (on scalars, for one household) and copied from it when first read (see Copies).
    """
    copies = Copies(base, name, len(values) + 1)
    value, known = base.computed(name) or (None, None)
    index = copies.person_index if member is not None else copies.household_index
    width = copies.persons if member is not None else 1
    if value is None:  # a fact nobody gave: unknown everywhere but along the axis
        value, known = np.zeros(len(index)), np.zeros(len(index), dtype=bool)
    else:
        value, known = value[index], (None if known is None else known[index])
    position = 0 if member is None else member
    value[width + position::width] = values
    if known is not None:
        known[width + position::width] = True
    person_household = np.repeat(np.arange(len(values) + 1), copies.persons)
    sim = Simulation(base.ruleset, base.date, person_household, len(values) + 1, {name: (value, known)})
    sim.source = copies
    return sim


class Copies:
    """A one-household simulation repeated: inputs and results the varied fact cannot change, copied on demand."""

    def __init__(self, base: Simulation, varied: str, copies: int):
        self.base, self.varied = base, varied
        self.persons = int(np.count_nonzero(base.person_household == 0))
        self.household_index = np.zeros(copies, dtype=np.intp)
        self.person_index = np.tile(np.arange(self.persons), copies)
        self.affected = base.ruleset.affected_by(varied)

    def copy(self, name: str):
        """`name`'s base result repeated for every copy, or None when the varied fact may change it."""
        if name == self.varied or name in self.affected:
            return None
        # What the base has not computed yet it computes now: for one household, once, on scalars.
        value, known = self.base.calculate(name)
        variable = self.base.ruleset.variables[name]
        index = self.person_index if variable.entity == "person" else self.household_index
        return value[index], None if known is None else known[index]


def vary_axis(base: Simulation, household: dict, programs: list, vary: dict) -> dict:
    """Each program's status and amount at every point of the axis, and the cliffs along it.

    `base` is the household's own simulation (one household); what it computed is reused.
    """
    points = axis_points(vary)
    name, member = axis_fact(base.ruleset, household, str(vary.get("fact", "")))
    result = {"fact": vary["fact"], "points": points.tolist(), "programs": {}}
    with tiled(base, name, member, points) as sim:
        along = {program.id: _program_along(sim, program) for program in programs}
    for program in programs:
        statuses, amounts = along[program.id]
        statuses, amounts = statuses[1:], amounts[1:]  # household 0 is the base
        gain = np.diff(points) * (12.0 if program.period == "year" else 1.0)
        cliffs = []
        for i in range(1, len(points)):
            before, after = amounts[i - 1], amounts[i]
            dropped = before is not None and after is not None and before - after > gain[i - 1]
            if statuses[i] != statuses[i - 1] or dropped:
                cliffs.append({"at": float(points[i]), "from_status": statuses[i - 1],
                               "to_status": statuses[i], "amount_before": before, "amount_after": after})
        result["programs"][program.id] = {"status": statuses, "amount": amounts, "cliffs": cliffs}
    return result


STATUSES = np.array(["ineligible", "eligible", "undetermined"])


def status_codes(sim, program) -> np.ndarray:
    """Per household: 0 ineligible, 1 eligible, 2 undetermined (any member, for person programs)."""
    value, known = sim.calculate(program.eligible)
    known = np.ones(len(value), bool) if known is None else known
    if program.entity == "person":
        index = sim.person_household
        size = sim.sizes["household"]
        some_true = np.bincount(index, weights=value & known, minlength=size) > 0
        all_known = np.bincount(index, weights=~known, minlength=size) == 0
        value, known = some_true, some_true | all_known
    return np.where(known, value.astype(np.int8), 2)


def _program_along(sim, program) -> tuple[list, list]:
    statuses = STATUSES[status_codes(sim, program)].tolist()
    amounts: list = [None] * len(statuses)
    if program.amount:
        amount, amount_known = sim.calculate(program.amount)
        for i, status in enumerate(statuses):
            if status == "ineligible":
                amounts[i] = 0.0
            elif status == "eligible" and (amount_known is None or amount_known[i]):
                amounts[i] = round(float(amount[i]), 2)
    return statuses, amounts


def headroom_member(household: dict) -> int | None:
    """The member whose earnings the headroom adds to: the highest known earner."""
    earnings = [(m.get("earned_income"), -i) for i, m in enumerate(household.get("members") or [])
                if isinstance(m.get("earned_income"), int | float)]
    return -max(earnings)[1] if earnings else None


def headroom_simulation(base: Simulation, household: dict) -> tuple[Simulation | None, int | None]:
    """The base household plus copies earning HEADROOM_STEP more each, in one simulation; None without earnings."""
    member = headroom_member(household)
    if member is None:
        return None, None
    start = float(household["members"][member]["earned_income"])
    extra = np.arange(HEADROOM_STEP, HEADROOM_LIMIT + HEADROOM_STEP / 2, HEADROOM_STEP)
    return tiled(base, "earned_income", member, start + extra), member


def headroom(sim: Simulation, program, member_id: str) -> dict | None:
    """How much more monthly earned income keeps an eligible monthly program's status (see headroom_simulation)."""
    if program.period != "month":
        return None
    codes = status_codes(sim, program)
    if codes[0] != 1:
        return None
    different = np.flatnonzero(codes[1:] != codes[0])
    at_least = len(different) == 0
    steps = (len(codes) - 1) if at_least else int(different[0])
    return {"member": member_id, "monthly_earned_income": round(steps * HEADROOM_STEP, 2),
            "step": HEADROOM_STEP, "at_least": at_least}
