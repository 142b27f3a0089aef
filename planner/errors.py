"""Errors that carry every problem found, each with its place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in the input: where it is and what is wrong.

    ``row`` is the spreadsheet row as a planner sees it (the header is row 1, so the first data row
    is 2); 0 means the problem concerns the whole file or column.
    """

    file: str
    row: int
    column: str
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        place = self.file
        if self.row:
            place += f", row {self.row}"
        if self.column:
            place += f", column '{self.column}'"
        return f"{self.severity.upper():7} {place}: {self.message}"


class PlannerError(ValueError):
    """Base class of every error ``planner`` raises on purpose."""


class InputError(PlannerError):
    """Bad input: carries every problem found, never only the first."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = "\n".join(str(p) for p in errors[:50])
        more = f"\n… and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{len(errors)} problem(s) in the input:\n{lines}{more}")


class InfeasibleError(PlannerError):
    """Nothing can be planned at all (e.g. no officer works this week); the message says why."""
