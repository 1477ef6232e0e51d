"""The cliff chart: each program's status and amount as one member's monthly earnings rise, drawn as SVG
on the server (so it needs no JavaScript), with the same facts in sentences for every reader."""

from __future__ import annotations

import math

from api.web.labels import STATUS, money

WIDTH, LEFT, RIGHT, TOP = 640, 72, 20, 12
AMOUNT_HEIGHT, BAND_HEIGHT, GAP, BOTTOM = 96, 16, 8, 34
POINTS = 101  # the axis from 0 to the top in 100 steps
MINIMUM_TOP = 4000.0  # dollars a month: wide enough to reach most cliffs of a low-income household


def axis(current: float | None) -> dict:
    """The `vary` request: 0 to twice the current earnings (at least MINIMUM_TOP), in 100 steps."""
    top = max(MINIMUM_TOP, math.ceil((current or 0) * 2 / 500) * 500)
    return {"from": 0, "to": top, "step": top / (POINTS - 1)}


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to `top`."""
    if top <= 0:
        return [0.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(int(top // step) + 1)]


def nice_top(value: float) -> float:
    """The smallest round number at or above `value` (the amount axis' top)."""
    if value <= 0:
        return 1.0
    step = nice_ticks(value, 4)[1] if len(nice_ticks(value, 4)) > 1 else value
    return round(math.ceil(value / step) * step, 2)


def _runs(values: list) -> list[tuple[int, int, object]]:
    """Consecutive equal values as (first index, last index, value)."""
    runs, start = [], 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            runs.append((start, i - 1, values[start]))
            start = i
    return runs


def _sentences(points: list, along: dict, unit: str) -> list[str]:
    """The chart in words: each stretch of earnings with its status, then each cliff."""
    stretches = []
    for first, last, status in _runs(along["status"]):
        earning = money(points[first]) if first == last else f"{money(points[first])} to {money(points[last])}"
        stretches.append(f"{earning}: {STATUS[status].lower()}")
    words = ["Earning a month " + "; ".join(stretches) + "."]
    for cliff in along["cliffs"]:
        text = f"At {money(cliff['at'])} a month: {STATUS[cliff['from_status']].lower()}"
        if cliff["to_status"] != cliff["from_status"]:
            text += f" becomes {STATUS[cliff['to_status']].lower()}"
        before, after = cliff["amount_before"], cliff["amount_after"]
        if before is not None and after is not None and before != after:
            verb = "falls" if after < before else "rises"
            text += f", the amount {verb} from {money(before)} to {money(after)} {unit}"
        words.append(text + ".")
    return words


def program_chart(program: dict, along: dict, points: list, current: float | None) -> dict:
    """Geometry of one program's chart (the template draws it)."""
    x_first, x_last = points[0], points[-1]
    plot_width = WIDTH - LEFT - RIGHT
    step_width = plot_width / max(len(points) - 1, 1)

    def x(value: float) -> float:
        return round(LEFT + (value - x_first) / (x_last - x_first) * plot_width, 1)

    amounts = along["amount"]
    pays = program["pays"] and any(a for a in amounts if a is not None)
    top_amount = max((a for a in amounts if a is not None), default=0.0)
    y_top = nice_top(top_amount)
    band_y = TOP + (AMOUNT_HEIGHT + GAP if pays else 0)

    def y(amount: float) -> float:
        return round(TOP + AMOUNT_HEIGHT * (1 - amount / y_top), 1)

    bands = []
    for first, last, status in _runs(along["status"]):
        start = x(points[first])
        width = min(step_width * (last - first + 1), WIDTH - RIGHT - start)
        bands.append({"x": start, "width": round(width, 1), "status": status, "label": STATUS[status]})
    lines = []
    for first, last, known in _runs([a is not None for a in amounts]):
        if not known or not pays:
            continue
        path = f"M{x(points[first])},{y(amounts[first])}"
        for i in range(first + 1, last + 1):
            path += f" H{x(points[i])} V{y(amounts[i])}"
        end = x(points[last]) + (step_width if last < len(points) - 1 else 0)
        lines.append(path + f" H{round(min(end, WIDTH - RIGHT), 1)}")
    unit = "a year" if len(program["period"]) == 4 else "a month"
    height = band_y + BAND_HEIGHT + BOTTOM
    return {
        "id": program["id"], "name": program["name"], "pays": pays, "unit": unit,
        "width": WIDTH, "height": height, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP,
        "band_y": band_y, "band_height": BAND_HEIGHT, "bands": bands, "lines": lines,
        "y_ticks": [{"y": y(v), "label": money(v)} for v in (0, y_top / 2, y_top)] if pays else [],
        "x_ticks": [{"x": x(v), "label": money(v)} for v in nice_ticks(x_last)],
        "axis_y": band_y + BAND_HEIGHT,
        "cliffs": [{"x": x(c["at"]), "label": f"Cliff at {money(c['at'])}"} for c in along["cliffs"]],
        "marker": x(current) if current is not None and x_first <= current <= x_last else None,
        "sentences": _sentences(points, along, unit),
    }


def cliff_charts(vary: dict, programs: list[dict], member: str, current: float | None) -> dict:
    """Every program's chart along the earnings axis of `member`."""
    by_id = {p["id"]: p for p in programs}
    charts = [program_chart(by_id[pid], along, vary["points"], current)
              for pid, along in vary["programs"].items() if pid in by_id]
    return {"member": member, "current": money(current) if current is not None else None, "charts": charts}
