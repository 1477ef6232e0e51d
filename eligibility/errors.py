"""The package's exceptions: one base, one per kind of problem a caller must handle."""

from __future__ import annotations

from dataclasses import dataclass


class EligibilityError(Exception):
    """Base of every error the engine raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One defect in a rule file, located at file:line, with a one-line hint."""

    file: str
    line: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


class RuleError(EligibilityError):
    """The rule set (or a draft) is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InputError(EligibilityError):
    """Household facts are invalid; `errors` mirrors the input's shape down to the bad field."""

    def __init__(self, errors: dict, message: str = "The request has invalid fields."):
        self.errors = errors
        super().__init__(message)


class DateOutOfRange(EligibilityError):
    """A date outside the range the rules model."""

    def __init__(self, message: str, errors: dict):
        self.errors = errors
        super().__init__(message)
