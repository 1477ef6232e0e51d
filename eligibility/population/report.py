"""The population summary as JSON, a CSV table and a PNG chart of the change by income band."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np

from eligibility.population.aggregate import Layout

BREAKDOWNS = {"state": "by_state", "household_size": "by_household_size", "income_band": "by_income_band"}
CSV_COLUMNS = ["breakdown", "group", "households", "people", "program",
               "baseline_eligible", "baseline_undetermined", "baseline_eligible_people", "baseline_total_amount",
               "baseline_mean_amount", "reform_eligible", "reform_undetermined", "reform_eligible_people",
               "reform_total_amount", "reform_mean_amount", "newly_eligible", "newly_ineligible", "winners",
               "losers", "total_change", "mean_change"]


def _money(cents: float) -> float:
    return round(float(cents) / 100, 2)


def _mean(cents: float, count: float) -> float | None:
    return round(float(cents) / count / 100, 2) if count else None


def _scenario(values: dict, program) -> dict:
    entry = {"eligible": int(values["eligible"]), "undetermined": int(values["undetermined"])}
    if program.entity == "person":
        entry["eligible_people"] = int(values["eligible_people"])
    if program.amount:
        entry["total_amount"] = _money(values["amount_cents"])
        entry["mean_amount"] = _mean(values["amount_cents"], values["amount_known"])
    return entry


def _change(values: dict, program) -> dict:
    entry = {"newly_eligible": int(values["newly_eligible"]), "newly_ineligible": int(values["newly_ineligible"])}
    if program.amount:
        entry.update(winners=int(values["winners"]), losers=int(values["losers"]),
                     total_change=_money(values["change_cents"]),
                     mean_change=_mean(values["change_cents"], values["change_known"]))
    return entry


def _group(layout: Layout, column: np.ndarray, ruleset) -> dict:
    """One group's households, people and per-program figures from its column of sums."""
    values: dict = {}
    for (program, scenario, metric), value in zip(layout.metrics, column, strict=True):
        values.setdefault(program, {}).setdefault(scenario, {})[metric] = value
    entry = {"households": int(values[None][None]["households"]), "people": int(values[None][None]["people"]),
             "programs": {}}
    for program_id in layout.programs:
        program, sums = ruleset.programs[program_id], values[program_id]
        result = {"baseline": _scenario(sums["baseline"], program)}
        if layout.reform:
            result["reform"] = _scenario(sums["reform"], program)
            result["change"] = _change(sums["change"], program)
        entry["programs"][program_id] = result
    return entry


def summary_from_sums(layout: Layout, sums: np.ndarray, ruleset, date: dt.date, reformed=None) -> dict:
    """The JSON-ready summary: totals, then each breakdown's non-empty groups."""
    summary = {
        "date": date.isoformat(),
        "rules": {"version": ruleset.version, "digest": ruleset.digest},
        "reform": None if reformed is None else {"label": reformed.reform_label, "digest": reformed.reform_digest},
        "programs": {p: {"name": ruleset.programs[p].name, "entity": ruleset.programs[p].entity,
                         "amount_period": ruleset.programs[p].period if ruleset.programs[p].amount else None}
                     for p in layout.programs},
        "totals": _group(layout, sums[:, 0], ruleset),
    }
    column = 1
    for breakdown, labels in layout.breakdowns.items():
        groups = {}
        for label in labels:
            if sums[0, column]:
                groups[label] = _group(layout, sums[:, column], ruleset)
            column += 1
        summary[BREAKDOWNS[breakdown]] = groups
    return summary


def _csv_rows(summary: dict):
    groups = [("all", "all", summary["totals"])]
    for breakdown, key in BREAKDOWNS.items():
        groups += [(breakdown, label, entry) for label, entry in summary[key].items()]
    for breakdown, label, entry in groups:
        for program_id, figures in entry["programs"].items():
            row = {"breakdown": breakdown, "group": label, "households": entry["households"],
                   "people": entry["people"], "program": program_id}
            for scenario in ("baseline", "reform"):
                for name, value in figures.get(scenario, {}).items():
                    row[f"{scenario}_{name}"] = value
            row.update(figures.get("change", {}))
            yield row


def write_csv(summary: dict, path: Path) -> None:
    """One row per breakdown, group and program; empty cells where a figure does not apply."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, CSV_COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(_csv_rows(summary))


def write_chart(summary: dict, path: Path) -> None:
    """Mean change (or, with no reform, mean amount) per household by monthly income band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bands = [b for b in summary["by_income_band"] if b != "unknown"]
    groups = [summary["by_income_band"][b] for b in bands]
    reform = summary["reform"] is not None
    paid = [p for p, meta in summary["programs"].items() if meta["amount_period"]]
    colours = {p: f"C{i}" for i, p in enumerate(summary["programs"])}  # one colour per program in both panels
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(10, 8), sharex=True)
    x = np.arange(len(bands))
    width = 0.8 / max(len(paid), 1)
    for i, program_id in enumerate(paid):
        per_month = 12 if summary["programs"][program_id]["amount_period"] == "year" else 1
        if reform:
            means = [(g["programs"][program_id]["change"]["mean_change"] or 0) / per_month for g in groups]
        else:
            means = [(g["programs"][program_id]["baseline"]["total_amount"] / g["households"]) / per_month
                     for g in groups]
        top.bar(x + i * width - 0.4 + width / 2, means, width, label=program_id, color=colours[program_id])
    top.axhline(0, color="black", linewidth=0.6)
    top.set_ylabel("mean change, $ a month" if reform else "mean amount per household, $ a month")
    top.legend(title="yearly amounts / 12", fontsize=8)
    for program_id in summary["programs"]:
        if reform:
            net = [(g["programs"][program_id]["change"]["newly_eligible"]
                    - g["programs"][program_id]["change"]["newly_ineligible"]) * 1000 / g["households"]
                   for g in groups]
        else:
            net = [g["programs"][program_id]["baseline"]["eligible"] * 1000 / g["households"] for g in groups]
        bottom.plot(x, net, marker="o", label=program_id, color=colours[program_id])
    bottom.axhline(0, color="black", linewidth=0.6)
    bottom.set_ylabel("net newly eligible per 1,000 households" if reform else "eligible per 1,000 households")
    bottom.set_xticks(x, bands, rotation=45, ha="right")
    bottom.set_xlabel("monthly gross household income, $")
    bottom.legend(fontsize=8, ncol=3)
    title = summary["reform"]["label"] if reform else "baseline"
    figure.suptitle(f"{title} — {summary['totals']['households']:,} households, {summary['date']}")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def write_outputs(summary: dict, folder: Path | str) -> list[Path]:
    """summary.json, summary.csv and by_income_band.png in `folder` (created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "summary.json", folder / "summary.csv", folder / "by_income_band.png"]
    paths[0].write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    write_csv(summary, paths[1])
    write_chart(summary, paths[2])
    return paths
