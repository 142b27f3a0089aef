"""Opening hours and times of day: the readable syntax planners type."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.domain import DAY
from planner.hours import format_time, parse_days, parse_opening_hours, parse_span, parse_time


def test_split_hours_give_two_windows() -> None:
    """A lunch closure gives two windows on each listed day."""
    hours = parse_opening_hours("Mon-Fri 09:00-12:00,14:00-18:00; Sat 10:00-14:00")
    assert hours.windows_on(0) == ((9 * 3600, 12 * 3600), (14 * 3600, 18 * 3600))
    assert hours.windows_on(5) == ((10 * 3600, 14 * 3600),)
    assert hours.windows_on(6) == ()


def test_overnight_span_spills_into_next_day() -> None:
    """Fri 18:00-02:00 is open on Friday evening and on Saturday until 02:00."""
    hours = parse_opening_hours("Fri-Sat 18:00-02:00")
    assert hours.windows_on(4) == ((18 * 3600, DAY),)
    assert hours.windows_on(5) == ((0, 2 * 3600), (18 * 3600, DAY))
    assert hours.windows_on(6) == ((0, 2 * 3600),)


def test_osm_and_chinese_day_names() -> None:
    """OSM two-letter days and 周一…周日 read the same as Mon…Sun."""
    assert (
        parse_days("Mo-Fr") == parse_days("Mon-Fri") == parse_days("周一-周五") == (0, 1, 2, 3, 4)
    )


def test_day_range_wraps_over_the_weekend() -> None:
    """Sat-Mon means Saturday, Sunday and Monday."""
    assert parse_days("Sat-Mon") == (0, 5, 6)


def test_overlapping_spans_are_contradictory() -> None:
    """The same day named twice with overlapping times is rejected with both spans named."""
    with pytest.raises(ValueError, match="Mon 09:00-12:00 overlaps Mon 11:00-14:00"):
        parse_opening_hours("Mon 09:00-12:00; Mon 11:00-14:00")


def test_overnight_overlap_into_next_day_is_contradictory() -> None:
    """Sunday's overnight span may not overlap Monday morning."""
    with pytest.raises(ValueError, match="overlaps"):
        parse_opening_hours("Sun 20:00-03:00; Mon 02:00-05:00")


@pytest.mark.parametrize(
    "text", ["", "Mon", "Mon 9am-5pm", "Funday 09:00-10:00", "Mon 10:00-10:00"]
)
def test_unreadable_hours_are_rejected(text: str) -> None:
    """Empty, day-only, 12-hour clock, unknown day and empty span are all errors."""
    with pytest.raises(ValueError):
        parse_opening_hours(text)


def test_always_open() -> None:
    """24/7 opens every day from midnight to midnight."""
    hours = parse_opening_hours("24/7")
    assert all(hours.windows_on(d) == ((0, DAY),) for d in range(7))


@given(st.integers(0, 23), st.integers(0, 59), st.integers(1, 23 * 60))
def test_span_round_trips_through_text(hour: int, minute: int, length: int) -> None:
    """Formatting a span and parsing it back gives the same seconds (mod a day)."""
    start = hour * 3600 + minute * 60
    end = start + length * 60
    text = f"{format_time(start)}-{format_time(end)}"
    parsed = parse_span(text)
    assert parsed[0] == start
    assert parsed[1] % DAY == end % DAY
    assert 0 < parsed[1] - parsed[0] < DAY


def test_time_of_day_bounds() -> None:
    """24:00 is a valid end; 24:30 and 12:60 are not."""
    assert parse_time("24:00") == DAY
    for bad in ("24:30", "12:60", "7"):
        with pytest.raises(ValueError):
            parse_time(bad)
