"""Helpers of the HTTP API tests: the worked requests in tests/situations."""

from __future__ import annotations

import json
from pathlib import Path

SITUATIONS = Path(__file__).parent / "situations"


def situation(name: str) -> dict:
    """A worked request from tests/situations."""
    return json.loads((SITUATIONS / f"{name}.json").read_text(encoding="utf-8"))


def situation_names() -> list[str]:
    """Every worked request's name."""
    return sorted(p.stem for p in SITUATIONS.glob("*.json"))
