"""Words for codes: state names, choices, statuses and periods, as a caseworker reads them."""

from __future__ import annotations

import datetime as dt

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}
CHOICES = {
    "state": {code: f"{name} ({code})" for code, name in STATES.items()},
    "relationship": {"head": "Head of household", "spouse": "Spouse or partner", "child": "Child",
                     "other": "Other relative or person"},
    "filing_status": {"single": "Single", "married_filing_jointly": "Married filing jointly",
                      "head_of_household": "Head of household",
                      "married_filing_separately": "Married filing separately"},
}
STATUS = {"eligible": "Eligible", "ineligible": "Not eligible", "undetermined": "Needs more information"}
RESULT = {True: "Met", False: "Not met", None: "Not yet known"}


def choice_label(fact: str, value: str) -> str:
    """How a choice reads: `rural_1` is "Rural 1", a state code its name."""
    return CHOICES.get(fact, {}).get(value) or value.replace("_", " ").capitalize()


def money(amount: float | None) -> str:
    """$1,234 or $12.50; an em dash for no amount."""
    if amount is None:
        return "—"
    if float(amount).is_integer():
        return f"${amount:,.0f}"
    return f"${amount:,.2f}"


def period_label(period: str) -> str:
    """2025-11 is "November 2025"; 2025 is "tax year 2025"."""
    if len(period) == 7:
        return dt.date.fromisoformat(period + "-01").strftime("%B %Y")
    return f"tax year {period}"


def amount_text(amount: float | None, period: str) -> str:
    """"$483 a month (November 2025)" or "$1,200 for tax year 2025"."""
    if amount is None:
        return "—"
    if len(period) == 7:
        return f"{money(amount)} a month ({period_label(period)})"
    return f"{money(amount)} for {period_label(period)}"


def long_date(day: str | dt.date) -> str:
    """15 November 2025."""
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return f"{day.day} {day:%B %Y}"


def moment(text: str) -> str:
    """A stored UTC time as "15 November 2025, 14:02 UTC"."""
    when = dt.datetime.fromisoformat(text)
    return f"{long_date(when.date())}, {when:%H:%M} UTC"
