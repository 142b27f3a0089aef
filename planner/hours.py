"""Readable opening hours and times of day: ``Mon-Fri 09:00-12:00,14:00-18:00; Sat 10:00-14:00``."""

from __future__ import annotations

import re

from planner.domain import DAY, WEEKDAY_NAMES, OpeningHours, TimeSpan

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
        raise ValueError(f"'{text}' is not a time of day like 09:30")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not allow_24)):
        raise ValueError(f"'{text}' is not a valid time of day")
    return hours * 3600 + minutes * 60


def parse_span(text: str) -> tuple[int, int]:
    """Parse ``HH:MM-HH:MM`` into (start, end) seconds; an end before the start runs past midnight."""
    parts = text.strip().split("-")
    if len(parts) != 2:
        raise ValueError(f"'{text}' is not a time range like 09:00-17:00")
    start = parse_time(parts[0], allow_24=False)
    end = parse_time(parts[1])
    if end == start:
        raise ValueError(f"'{text}' is empty: it starts and ends at the same time")
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
        raise ValueError(
            f"'{text.strip()}' is not a weekday (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)"
        )
    return _DAY_ALIASES[key]


def parse_opening_hours(text: str) -> OpeningHours:
    """Parse a weekly opening pattern.

    Groups are separated by ``;``; each is ``DAYS RANGE[,RANGE…]``, e.g.
    ``Mon-Fri 09:00-12:00,14:00-18:00; Sat 10:00-14:00`` or ``Fri-Sat 18:00-02:00`` (overnight: the
    span belongs to the day it starts on). ``24/7`` means always open. Days named twice and spans
    that overlap are contradictions and rejected.

    Raises
    ------
    ValueError
        Listing what is wrong, in words.
    """
    cleaned = " ".join(text.replace("；", ";").replace("，", ",").split())
    if not cleaned:
        raise ValueError("opening hours are empty")
    if cleaned.lower() in ("24/7", "always", "全天"):
        return OpeningHours(cleaned, tuple(TimeSpan(d, 0, DAY) for d in range(7)))
    spans: list[TimeSpan] = []
    for group in (g.strip() for g in cleaned.split(";") if g.strip()):
        days_text, _, ranges_text = group.partition(" ")
        if not ranges_text:
            raise ValueError(f"'{group}' needs days and times, like 'Mon-Fri 09:00-17:00'")
        days = parse_days(days_text)
        ranges = [parse_span(r) for r in ranges_text.replace(" ", "").split(",") if r]
        spans.extend(TimeSpan(d, s, e) for d in days for s, e in ranges)
    _check_no_overlap(spans)
    return OpeningHours(cleaned, tuple(sorted(spans, key=lambda s: (s.weekday, s.start))))


def _check_no_overlap(spans: list[TimeSpan]) -> None:
    absolute = sorted((s.weekday * DAY + s.start, s.weekday * DAY + s.end, s) for s in spans)
    week = 7 * DAY
    for (s1, e1, a), (s2, _, b) in zip(absolute, absolute[1:] + absolute[:1], strict=True):
        if a is b:
            continue
        start2 = s2 if s2 >= s1 else s2 + week
        if start2 < e1:
            raise ValueError(
                f"{WEEKDAY_NAMES[a.weekday]} {format_time(a.start)}-{format_time(a.end)} overlaps "
                f"{WEEKDAY_NAMES[b.weekday]} {format_time(b.start)}-{format_time(b.end)}"
            )
