"""Read a batch of households from JSON, NDJSON or CSV (columns like `members.0.age`)."""

from __future__ import annotations

import csv
import io
import json

CSV_TRUE, CSV_FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


class BatchFormatError(ValueError):
    """The body cannot be read as a batch; `errors` says where."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__("The batch body is not valid.")


def read_json(body: bytes) -> list:
    """A JSON array of households, or {"households": [...]}."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise BatchFormatError({"_schema": ["The body is not valid JSON."]}) from None
    if isinstance(data, dict) and "households" in data:
        unknown = sorted(set(data) - {"households"})
        if unknown:
            raise BatchFormatError({key: ["Unknown field."] for key in unknown})
        data = data["households"]
    if not isinstance(data, list):
        raise BatchFormatError({"_schema": ["Expected a JSON array of households."]})
    return data


def read_ndjson(body: bytes) -> list:
    """One household per line; a line that is not JSON becomes that household's error."""
    households = []
    for number, line in enumerate(body.decode("utf-8", errors="replace").splitlines()):
        if not line.strip():
            continue
        try:
            households.append(json.loads(line))
        except (ValueError, RecursionError):
            households.append(InvalidLine(number + 1))
    return households


class InvalidLine:
    """A placeholder for an NDJSON line that is not JSON."""

    def __init__(self, line: int):
        self.line = line


def _cell(value: str, value_type: str | None):
    text = value.strip()
    if value_type == "bool":
        lowered = text.lower()
        return True if lowered in CSV_TRUE else False if lowered in CSV_FALSE else text
    if value_type in ("float", "int"):
        try:
            number = float(text)
        except ValueError:
            return text  # left for validation to report
        return int(number) if value_type == "int" and number.is_integer() else number
    return text


def read_csv(body: bytes, inputs: dict) -> list:
    """One household per row; `members.<n>.<fact>` columns make members; empty cells are unknown."""
    # newline="": the csv module then reads \r, \n and \r\n line ends itself, as its documentation asks.
    reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig", errors="replace"), newline=""))
    try:
        return [_csv_household(row, inputs) for row in reader]
    except csv.Error as error:  # e.g. a cell longer than the csv module takes
        raise BatchFormatError({"_schema": [f"Not valid CSV: {error}."]}) from None


def _csv_household(row: dict, inputs: dict) -> dict:
    household: dict = {}
    members: dict[int, dict] = {}
    for column, value in row.items():
        if column is None or value is None or not value.strip():
            continue
        parts = column.strip().split(".")
        if len(parts) == 3 and parts[0] == "members" and parts[1].isdigit():
            variable = inputs.get(parts[2])
            kind = None if parts[2] == "id" else (variable.value_type if variable else None)
            members.setdefault(int(parts[1]), {})[parts[2]] = _cell(value, kind)
        else:
            variable = inputs.get(column.strip())
            household[column.strip()] = _cell(value, variable.value_type if variable else None)
    household["members"] = [{"id": str(n), **members[n]} for n in sorted(members)]
    return household
