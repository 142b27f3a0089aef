"""Errors that carry every problem found, each with its place."""

from __future__ import annotations

from dataclasses import dataclass

Params = tuple[tuple[str, str], ...]


def _params(values: dict[str, object]) -> Params:
    return tuple((key, str(value)) for key, value in values.items())


def _english(code: str, params: Params) -> str:
    """The English text of message ``code`` with ``params`` (the templates are
    ``planner.i18n.PROBLEM_TEMPLATES``, imported here lazily: i18n imports modules that import
    this one)."""
    from planner.i18n import problem_text

    return problem_text(code, params, "en")


@dataclass(frozen=True, slots=True)
class Message:
    """What is wrong, as a code and its parameters (the values quoted from the data, numbers,
    limits); ``str()`` is the English text. ``planner.i18n.problem_text`` renders it in either
    language."""

    code: str
    params: Params = ()

    @classmethod
    def of(cls, code: str, /, **params: object) -> Message:
        """``Message.of("duplicate_id", id="b1", first=3)``: every value kept as text."""
        return cls(code, _params(params))

    def with_params(self, **params: object) -> Message:
        """This message with more (or replaced) parameters."""
        return Message(self.code, tuple({**dict(self.params), **dict(_params(params))}.items()))

    def __str__(self) -> str:
        return _english(self.code, self.params)


class BadValue(ValueError):
    """A value that cannot be read: a ``ValueError`` whose ``str()`` is the English text and whose
    ``message`` keeps the code and parameters, so a problem made from it can be translated."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message

    def __reduce__(self) -> tuple[type[BadValue], tuple[Message]]:
        return (BadValue, (self.message,))  # pickled with its code, not only its English

    @classmethod
    def of(cls, code: str, /, **params: object) -> BadValue:
        """``raise BadValue.of("not_date", value=text, example="2026-11-23")``."""
        return cls(Message.of(code, **params))


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in the input: where it is and what is wrong.

    ``row`` is the spreadsheet row as a planner sees it (the header is row 1, so the first data row
    is 2); 0 means the problem concerns the whole file or column. ``message`` is the English text;
    ``code`` and ``params`` say the same as data (``planner.i18n.PROBLEM_TEMPLATES``), so the app
    can show it in 简体中文. A problem made with ``Problem.of`` always has both.
    """

    file: str
    row: int
    column: str
    message: str
    severity: str = "error"  # "error" or "warning"
    code: str = ""
    params: Params = ()

    @classmethod
    def of(
        cls, file: str, row: int, column: str, message: Message | str, severity: str = "error"
    ) -> Problem:
        """A problem at ``file``/``row``/``column`` saying ``message`` (its English text kept).

        Plain text (a library's error that has no code) makes a problem without a code, which the
        app shows in English.
        """
        if isinstance(message, str):
            return cls(file, row, column, message, severity)
        return cls(file, row, column, str(message), severity, message.code, message.params)

    @classmethod
    def coded(
        cls,
        file: str,
        row: int,
        column: str,
        code: str,
        severity: str = "error",
        /,
        **params: object,
    ) -> Problem:
        """``Problem.of`` with the message's code and parameters given inline."""
        return cls.of(file, row, column, Message.of(code, **params), severity)

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
