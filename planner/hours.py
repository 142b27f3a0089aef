"""Opening hours (OSM ``opening_hours`` syntax, read by opening-hours-py) and times of day."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

import opening_hours

from planner.domain import DAY, WEEKDAY_NAMES, OpeningHours, TimeSpan
from planner.errors import BadValue

_DAY_ALIASES = {
    **{name.lower(): i for i, name in enumerate(WEEKDAY_NAMES)},
    **{name[:2].lower(): i for i, name in enumerate(WEEKDAY_NAMES)},  # OSM style: Mo Tu We …
    **{
        name.lower(): i
        for i, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    **{f"周{c}": i for i, c in enumerate("一二三四五六日")},
}
_ALL_WEEK = ("daily", "everyday", "every day", "每天")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_time(text: str, *, allow_24: bool = True) -> int:
    """Parse ``HH:MM`` into seconds from midnight; ``24:00`` is allowed as an end.

    Raises
    ------
    ValueError
        With a message a planner understands.
    """
    match = _TIME.match(text.strip())
    if not match:
        raise BadValue.of("not_time", value=text)
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not allow_24)):
        raise BadValue.of("invalid_time", value=text)
    return hours * 3600 + minutes * 60


def parse_span(text: str) -> tuple[int, int]:
    """Parse ``HH:MM-HH:MM`` into (start, end) seconds; an end before the start runs past midnight."""
    parts = text.strip().split("-")
    if len(parts) != 2:
        raise BadValue.of("not_time_range", value=text)
    start = parse_time(parts[0], allow_24=False)
    end = parse_time(parts[1])
    if end == start:
        raise BadValue.of("empty_span", value=text)
    if end < start:
        end += DAY
    return start, end


def format_time(seconds: int) -> str:
    """Seconds from midnight as ``HH:MM`` (``26:00`` stays readable as ``02:00``)."""
    if seconds != DAY:
        seconds %= DAY
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def parse_days(text: str) -> tuple[int, ...]:
    """Parse ``Mon-Fri``, ``Mon,Wed,Fri``, ``Sat-Mon`` or ``daily`` into sorted weekday numbers."""
    if text.strip().lower() in _ALL_WEEK:
        return tuple(range(7))
    days: set[int] = set()
    for part in (p.strip() for p in text.replace(";", ",").split(",") if p.strip()):
        if "-" in part:
            first, _, last = part.partition("-")
            a, b = _day(first), _day(last)
            days.update((a + k) % 7 for k in range((b - a) % 7 + 1))
        else:
            days.add(_day(part))
    return tuple(sorted(days))


def _day(text: str) -> int:
    key = text.strip().lower()
    if key not in _DAY_ALIASES:
        raise BadValue.of("not_weekday", value=text.strip())
    return _DAY_ALIASES[key]


#: A Monday on which no public holiday applies (no region is given to the OSM evaluator).
_REFERENCE_MONDAY = dt.datetime(2001, 1, 1)
_ALIASES = (
    (re.compile(r"每天|每日|\b(?:daily|every ?day)\b", re.I), "Mo-Su"),
    (re.compile(r"\b(?:always)\b|全天", re.I), "24/7"),
    *(
        (re.compile(rf"\b(?:{long}|{name})\b|周{zh}|星期{zh}", re.I), name[:2])
        for name, long, zh in zip(
            WEEKDAY_NAMES,
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
            ("一", "二", "三", "四", "五", "六", "[日天]"),
            strict=True,
        )
    ),
)
_PUNCTUATION = str.maketrans(
    {"；": ";", "，": ",", "：": ":", "–": "-", "—": "-", "～": "-", "~": "-"}
)
_SEASONAL = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|week|easter|(?:19|20)\d\d)\b", re.I
)
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}|24/7|\b(?:off|closed|open|unknown)\b|\"", re.I)
_SUN = re.compile(r"\b(?:sunrise|sunset|dawn|dusk)\b", re.I)
_SPAN_TEXT = re.compile(r"(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})")
_POSITION = re.compile(r"-->\s*\d+:(\d+)")
_EXPECTED = re.compile(r"=\s*expected (.+)")


def normalise_hours_text(text: str) -> str:
    """Readable hours as OSM ``opening_hours`` syntax: ``Mon``/``周一`` → ``Mo``, ``daily`` → ``Mo-Su``.

    Also full-width punctuation and dashes become ASCII, runs of spaces one space, and a dangling
    ``||`` (no fallback given) is dropped, and so is a fallback that is only a comment
    (``|| "by appointment"``: the evaluator would read it as open around the clock).
    """
    cleaned = " ".join(text.translate(_PUNCTUATION).split())
    for pattern, osm in _ALIASES:
        cleaned = pattern.sub(osm, cleaned)
    cleaned = re.sub(r'\s*\|\|\s*"[^"]*"\s*(?=$|\|\|)', "", cleaned)  # "by appointment"
    return re.sub(r"\s*\|\|\s*$", "", cleaned)


def _at(text: str, index: int) -> dict[str, str]:
    """The ``token`` around ``index`` (0-based) of ``text`` and its position ``at`` (from 1): the
    parameters of an hours problem (``'token' at character N``; ``read_as`` is filled in later).

    An index inside a word (``Frii`` read up to ``Fr``) is moved back to the word's start.
    """
    while index > 0 and text[index - 1].isalnum() and text[index].isalpha():
        index -= 1
    token = re.split(r"[\s;,|]", text[index:], maxsplit=1)[0] or text[index : index + 1]
    return {"token": token, "at": str(index + 1), "read_as": ""}


def _check_weekly(text: str) -> None:
    """Reject what a weekly pattern cannot mean: seasons/dates, days without times, empty spans.

    Comments in quotes are blanked first (same length, so positions stay right).
    """
    text = re.sub(r'"[^"]*"', lambda m: '"' + " " * (len(m[0]) - 2) + '"', text)
    seasonal = _SEASONAL.search(text)
    if seasonal:
        raise BadValue.of("hours_seasonal", **_at(text, seasonal.start()))
    sun = _SUN.search(text)
    if sun:
        raise BadValue.of("hours_sun", **_at(text, sun.start()))
    position = 0
    for rule in re.split(r"(;|\|\|)", text):
        if rule.strip() and rule not in (";", "||") and not _HAS_TIME.search(rule):
            index = position + len(rule) - len(rule.lstrip())
            raise BadValue.of("hours_no_times", **_at(text, index))
        position += len(rule)
    for match in _SPAN_TEXT.finditer(text):
        if match[1].zfill(5) == match[2].zfill(5):
            raise BadValue.of("hours_empty_span", **_at(text, match.start()))


def _syntax_error(text: str, exc: Exception) -> BadValue:
    """The OSM parser's complaint as the token, its position and what was expected (the grammar's
    rule names, put in words by ``planner.i18n.HOURS_RULES``)."""
    message = str(exc)
    position = _POSITION.search(message)
    expected = _EXPECTED.search(message)
    index = min(int(position[1]) - 1, max(len(text) - 1, 0)) if position else 0
    wanted = expected[1].strip() if expected else "small_range_selectors or timespan"
    return BadValue.of("hours_syntax", **_at(text, index), expected=wanted)


@lru_cache(maxsize=8192)
def parse_opening_hours(text: str) -> OpeningHours:
    """Parse a weekly opening pattern in OSM ``opening_hours`` syntax (or our readable variant).

    Read by the ``opening-hours-py`` evaluator: rules separated by ``;``, a later rule naming a
    day replaces that day's earlier times (OSM's override), ``off``/``closed`` close a day, a
    bare ``08:00-18:00`` means every day, ``||`` gives a fallback, ``PH off`` is accepted (public
    holidays come from the settings' holiday calendar, not from here), ``24/7`` is always open.
    Readable forms are accepted too: ``Mon-Fri``, ``周一-周五``, ``daily``, full-width ``；，``.
    A span that runs past midnight belongs to the day it starts on.

    Raises
    ------
    ValueError
        Naming the token that could not be read and its position (character, from 1) in the
        text as read (quoted in the message when the readable aliases were translated).
    """
    if not text.strip():
        raise BadValue.of("hours_empty")
    osm_text = normalise_hours_text(text)
    read_as = osm_text if osm_text != " ".join(text.split()) else ""
    try:
        rules = opening_hours.OpeningHours(osm_text)
    except Exception as exc:  # opening_hours.ParserError, missing from the package's stubs
        raise BadValue(_syntax_error(osm_text, exc).message.with_params(read_as=read_as)) from None
    try:
        _check_weekly(osm_text)
    except BadValue as exc:
        raise BadValue(exc.message.with_params(read_as=read_as)) from None
    pieces = {d: _open_pieces(rules, d) for d in range(7)}
    return OpeningHours(" ".join(text.split()), _join_overnight(pieces))


def _open_pieces(rules: Any, weekday: int) -> list[tuple[int, int]]:
    """Open spans of one reference day in seconds from its midnight.

    Evaluated one day at a time: ``intervals`` over a longer range skips open days after a
    fallback rule (``Mo-Fr 08:00-18:00 || closed`` came back open on Monday only).
    """
    day = _REFERENCE_MONDAY + dt.timedelta(days=weekday)
    found = []
    for start, end, state, _ in rules.intervals(day, day + dt.timedelta(days=1)):
        if state == opening_hours.State.OPEN:
            found.append((int((start - day).total_seconds()), int((end - day).total_seconds())))
    return [(s, min(e, DAY)) for s, e in found if s < min(e, DAY)]


def _join_overnight(pieces: dict[int, list[tuple[int, int]]]) -> tuple[TimeSpan, ...]:
    """Spans per day, a piece ending at midnight joined with the next morning's (overnight)."""
    spans: list[TimeSpan] = []
    taken: set[tuple[int, int, int]] = set()
    for d in range(7):
        for start, end in pieces[d]:
            if (d, start, end) in taken:
                continue
            following = pieces[(d + 1) % 7]
            tail = following[0] if following and following[0][0] == 0 else None
            if end == DAY and start > 0 and tail and tail[1] < DAY:
                taken.add(((d + 1) % 7, *tail))
                end = DAY + tail[1]
            spans.append(TimeSpan(d, start, end))
    spans = [s for s in spans if (s.weekday, s.start, s.end) not in taken]
    return tuple(sorted(spans, key=lambda s: (s.weekday, s.start)))
