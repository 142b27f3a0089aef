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


def test_later_rule_for_a_day_replaces_an_earlier_one() -> None:
    """As in OSM, a later rule naming Monday replaces Monday's earlier times (no merge, no error)."""
    hours = parse_opening_hours("Mon 09:00-12:00; Mon 11:00-14:00")
    assert hours.windows_on(0) == ((11 * 3600, 14 * 3600),)


def test_override_keeps_the_other_days_of_the_earlier_rule() -> None:
    """``Mo-Fr 08:00-12:00; We 14:00-18:00``: Wednesday afternoon only, the other days unchanged."""
    hours = parse_opening_hours("Mo-Fr 08:00-12:00; We 14:00-18:00")
    assert hours.windows_on(2) == ((14 * 3600, 18 * 3600),)
    assert hours.windows_on(1) == hours.windows_on(3) == ((8 * 3600, 12 * 3600),)


def test_ph_off_and_su_off() -> None:
    """``PH off`` leaves the weekly pattern alone (holidays come from settings); ``Su off`` closes Sunday."""
    hours = parse_opening_hours("Mo-Su 08:00-18:00; PH off; Su off")
    assert hours.open_days() == (0, 1, 2, 3, 4, 5)
    assert hours.windows_on(5) == ((8 * 3600, 18 * 3600),)


@pytest.mark.parametrize("fallback", ["|| closed", '|| "by appointment"', "|| off"])
def test_fallback_rule_does_not_close_the_open_days(fallback: str) -> None:
    """``Mo-Fr 08:00-18:00 || closed``: open Monday to Friday, closed otherwise."""
    hours = parse_opening_hours(f"Mo-Fr 08:00-18:00 {fallback}")
    assert hours.open_days() == (0, 1, 2, 3, 4)
    assert all(hours.windows_on(d) == ((8 * 3600, 18 * 3600),) for d in range(5))


def test_trailing_empty_fallback_is_ignored() -> None:
    """A dangling ``||`` (seen in real registries) reads as no fallback."""
    assert parse_opening_hours("Mo-Fr 08:00-18:00 ||").open_days() == (0, 1, 2, 3, 4)


def test_bare_span_means_every_day() -> None:
    """``08:00-18:00`` without days is open every day."""
    hours = parse_opening_hours("08:00-18:00")
    assert all(hours.windows_on(d) == ((8 * 3600, 18 * 3600),) for d in range(7))


@pytest.mark.parametrize("word", ["off", "closed"])
def test_off_or_closed_closes_a_day(word: str) -> None:
    """``We off`` / ``We closed`` removes Wednesday from an earlier rule."""
    assert parse_opening_hours(f"Mo-Fr 08:00-18:00; We {word}").open_days() == (0, 1, 3, 4)


def test_error_names_the_token_and_its_position() -> None:
    """A typo in a time is reported with the token and the character where reading stopped."""
    with pytest.raises(ValueError, match=r"'1x:00' at character 13"):
        parse_opening_hours("Mo-Fr 08:00-1x:00")


def test_seasonal_rules_are_rejected_with_the_token() -> None:
    """Month ranges are not a weekly pattern: the error names the month and where it is."""
    with pytest.raises(ValueError, match=r"'Jun-Aug' at character 1"):
        parse_opening_hours("Jun-Aug Mo-Fr 10:00-12:00; Mo-Fr 09:00-17:00")


def test_chinese_punctuation_and_day_names() -> None:
    """``周一-周五 09:00-17:00；周六 10:00-12:00`` reads like the OSM form."""
    hours = parse_opening_hours("周一-周五 09:00-17:00；周六 10:00-12:00")
    assert hours.open_days() == (0, 1, 2, 3, 4, 5)
    assert hours.windows_on(5) == ((10 * 3600, 12 * 3600),)


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


# ---------------------------------------------------------------- property tests of the parser

OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


@st.composite
def day_spans(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    """Non-overlapping, non-touching spans of one day on a 5-minute grid, within 00:00–24:00."""
    cuts = sorted(draw(st.sets(st.integers(0, 288), min_size=0, max_size=6)))
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    spans = [(a * 300, b * 300) for a, b in pairs if b > a]
    # touching spans merge in OSM; keep a gap so the expectation is plain
    kept: list[tuple[int, int]] = []
    for s, e in spans:
        if not kept or s > kept[-1][1]:
            kept.append((s, e))
    return tuple(kept)


def osm_text(spans: tuple[tuple[int, int], ...]) -> str:
    return ",".join(f"{format_time(s)}-{format_time(e)}" for s, e in spans)


@given(st.lists(day_spans(), min_size=7, max_size=7))
def test_weekly_pattern_round_trips_through_osm_text(
    week: list[tuple[tuple[int, int], ...]],
) -> None:
    """Any weekly pattern written one OSM rule per day reads back as exactly those windows."""
    rules = [
        f"{OSM_DAYS[d]} {osm_text(s)}" if s else f"{OSM_DAYS[d]} off" for d, s in enumerate(week)
    ]
    hours = parse_opening_hours("; ".join(rules))
    for d, spans in enumerate(week):
        assert hours.windows_on(d) == spans


@given(
    day_spans(),
    day_spans(),
    st.sets(st.integers(0, 6), min_size=1),
    st.sets(st.integers(0, 6), min_size=1),
)
def test_later_rule_replaces_earlier_on_its_days(
    first: tuple[tuple[int, int], ...],
    second: tuple[tuple[int, int], ...],
    first_days: set[int],
    second_days: set[int],
) -> None:
    """``A; B``: B's days have B's windows, A's other days A's, the rest none (OSM override)."""

    def rule(days: set[int], spans: tuple[tuple[int, int], ...]) -> str:
        return ",".join(OSM_DAYS[d] for d in sorted(days)) + " " + (osm_text(spans) or "off")

    hours = parse_opening_hours(f"{rule(first_days, first)}; {rule(second_days, second)}")
    for d in range(7):
        expected = second if d in second_days else first if d in first_days else ()
        assert hours.windows_on(d) == expected


@given(day_spans(), st.sampled_from(["", "; PH off", " || closed", "; PH off || closed"]))
def test_holiday_and_fallback_suffixes_change_nothing(
    spans: tuple[tuple[int, int], ...], suffix: str
) -> None:
    """``PH off`` and a ``|| closed`` fallback leave a Mo-Fr pattern as it is."""
    if not spans:
        return
    plain = parse_opening_hours(f"Mo-Fr {osm_text(spans)}")
    assert parse_opening_hours(f"Mo-Fr {osm_text(spans)}{suffix}").spans == plain.spans


@given(st.text(alphabet='MoTuWeFrSaPH0123456789:-,; |"offclsd', max_size=30))
def test_any_text_reads_or_fails_with_a_value_error(text: str) -> None:
    """The parser never raises anything but ``ValueError``, and its errors say where."""
    try:
        hours = parse_opening_hours(text)
    except ValueError as exc:
        assert str(exc)
    else:
        assert all(0 <= s.start < s.end <= DAY and 0 <= s.weekday < 7 for s in hours.spans)


@given(
    st.lists(
        st.tuples(st.sets(st.integers(0, 6), min_size=1), day_spans()), min_size=1, max_size=3
    ),
    st.sampled_from(["", " || closed", "; PH off", "; Su off"]),
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, DAY - 1)), min_size=1, max_size=20),
)
def test_windows_agree_with_the_osm_evaluator_at_any_instant(
    rules: list[tuple[set[int], tuple[tuple[int, int], ...]]],
    suffix: str,
    instants: list[tuple[int, int]],
) -> None:
    """Open in our windows exactly when opening-hours-py's ``state`` says open, at any instant of
    the reference week (the day-by-day reading works around its skipping after fallbacks)."""
    import datetime as dt

    import opening_hours

    text = (
        "; ".join(
            ",".join(OSM_DAYS[d] for d in sorted(days)) + " " + (osm_text(spans) or "off")
            for days, spans in rules
        )
        + suffix
    )
    hours = parse_opening_hours(text)
    evaluator = opening_hours.OpeningHours(text)
    for weekday, second in instants:
        when = dt.datetime(2001, 1, 1) + dt.timedelta(days=weekday, seconds=second)
        ours = any(s <= second < e for s, e in hours.windows_on(weekday))
        assert ours == (evaluator.state(when)[0] == opening_hours.State.OPEN), (text, when)


def test_sun_relative_times_are_refused_with_the_token() -> None:
    """``sunrise-sunset`` needs coordinates the parser is not given: refused, naming the token."""
    with pytest.raises(ValueError, match=r"'sunrise-sunset' at character 4: times relative"):
        parse_opening_hours("Mo sunrise-sunset")


def test_words_in_comments_are_not_read_as_rules() -> None:
    """A month named inside a quoted comment is a comment, not a seasonal rule."""
    assert parse_opening_hours('Mo-Fr 09:00-17:00 "closed in May"').open_days() == (0, 1, 2, 3, 4)
