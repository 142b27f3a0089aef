"""Spreadsheet formula injection: text that a spreadsheet would run, quoted on export, unquoted on load.

Text beginning with ``= + - @``, a tab or a carriage return is a formula to Excel, WPS and
LibreOffice when they open a CSV file (OWASP "CSV injection"). Exports put a ``'`` before it
(``quote_formula``); loading takes exactly that ``'`` away again (``unquote_formula``), so a scenario
written and read back is unchanged, even text that itself begins with ``'=``.
"""

from __future__ import annotations

import re
from typing import Any

#: First characters that make a spreadsheet read text as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def needs_quote(text: str) -> bool:
    """Whether ``text`` would run as a formula, or would lose a ``'`` to ``unquote_formula``.

    Plain numbers (``-120.5``, ``+3``, ``1e-3``) are not formulas: they stay numbers.
    """
    bare = text.lstrip("'")
    return bare.startswith(FORMULA_TRIGGERS) and not _NUMBER.fullmatch(bare)


def quote_formula(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text that ``needs_quote``; anything else unchanged."""
    return "'" + value if isinstance(value, str) and needs_quote(value) else value


def unquote_formula(text: str) -> str:
    """The text ``quote_formula`` was given: its added ``'`` removed, nothing else touched."""
    return text[1:] if text.startswith("'") and needs_quote(text[1:]) else text
