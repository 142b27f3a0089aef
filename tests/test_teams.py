"""Joint team formation: one test per rule on tiny rosters, invariants, and the table changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import InputError, check_scenario, load_scenario, write_scenario
from planner.domain import (
    Business,
    Department,
    HistoryRecord,
    Inspector,
    Item,
    Obligation,
    Office,
    Plan,
    Reason,
    Recusal,
    Result,
    Risk,
    Route,
    Scenario,
    Settings,
    Stop,
    Team,
    Unscheduled,
    Visit,
)
from planner.hours import parse_opening_hours
from planner.params import TeamParams
from planner.teams import (
    draw_score,
    eligible,
    form_teams,
    form_week,
    formation_time_limit,
    idle_officer_days,
    improve_rounds,
    may_pair,
    office_of_visits,
    previous_officers,
    repeat_officers,
    split_uncoverable,
    team_shift,
    week_uncovered,
)

MONDAY = dt.date(2026, 11, 23)
TUESDAY = MONDAY + dt.timedelta(days=1)
H = 3600
FAST = TeamParams(time_limit_seconds=0.5)
CERT_DEPARTMENT = {"food": "market", "fire": "fire", "gas": "emergency", "hygiene": "health"}


def _officer(
    oid: str, certs: str, *, days: tuple[int, ...] = (0, 1, 2, 3, 4), hours=(8, 17), base="hq"
) -> Inspector:
    department = CERT_DEPARTMENT.get(certs.split(";")[0], "urban")
    return Inspector(
        oid,
        oid.upper(),
        department,
        tuple(certs.split(";")),
        days,
        hours[0] * H,
        hours[1] * H,
        base,
    )


def _scenario(
    officers: list[Inspector],
    *,
    businesses: tuple[str, ...] = ("B1", "B2", "B3"),
    recusals: tuple[Recusal, ...] = (),
    teams: tuple[Team, ...] = (),
    history: tuple[HistoryRecord, ...] = (),
) -> Scenario:
    """A township with one office, four departments, one item per certification, open all week."""
    settings = Settings(
        "Tiny", "小镇", "Asia/Shanghai", MONDAY,
        (Office("hq", "HQ", 120.1, 30.2), Office("north", "North", 120.1, 30.3)),
        8 * H, 17 * H, 11 * H + 1800, 13 * H + 1800, 60,
    )  # fmt: skip
    departments = tuple(Department(d, d, d) for d in sorted(set(CERT_DEPARTMENT.values())))
    items = tuple(
        Item(c, d, c, c, 20, c, tuple((r, 90) for r in Risk), 14, False, False, ("*",), "")
        for c, d in CERT_DEPARTMENT.items()
    )
    hours = parse_opening_hours("Mon-Sun 08:00-20:00")
    shops = tuple(Business(b, b, "shop", 120.1, 30.2, "", Risk.MEDIUM, hours) for b in businesses)
    return Scenario(
        settings, departments, items, shops, history=history, inspectors=tuple(officers),
        teams=teams, recusals=recusals,
    )  # fmt: skip


def _visit(business: str, *certs: str, minutes: int = 30, priority: int = 3) -> Visit:
    obligations = tuple(
        Obligation(business, c, CERT_DEPARTMENT[c], MONDAY - dt.timedelta(days=30),
                   MONDAY + dt.timedelta(days=3), Reason.ROUTINE, priority)
        for c in certs
    )  # fmt: skip
    return Visit(business, obligations, minutes * 60)


def _members(teams) -> set[frozenset[str]]:
    return {frozenset(t.officer_ids) for t in teams}


def _team_of(formation, business: str) -> frozenset[str]:
    """The members of the team the formation gave ``business`` to."""
    (team_id,) = [t for t, b in formation.assigned if b == business]
    return frozenset(next(t for t in formation.teams if t.id == team_id).officer_ids)


# ---------------------------------------------------------------- coverage and sizes


def test_no_formation_in_time_falls_back_to_greedy_pairs() -> None:
    """A team model out of time still yields teams (greedy mixed pairs), so a plan is always made."""
    scenario = _scenario([_officer("m1", "food"), _officer("m2", "food"),
                          _officer("f1", "fire"), _officer("f2", "fire")])  # fmt: skip
    visits = [_visit("B1", "food", "fire"), _visit("B2", "food", "fire")]
    formation = form_teams(scenario, MONDAY, visits, params=TeamParams(time_limit_seconds=1e-9))
    assert formation.status.endswith("/greedy")
    assert sorted(sorted(o[0] for o in t.officer_ids) for t in formation.teams) == [["f", "m"]] * 2
    assert "paired greedily" in formation.log[0]
    assert not formation.uncovered


def test_teams_mix_departments_so_one_team_covers_every_item() -> None:
    """Coverage: two food and two fire officers form two mixed pairs, not two department pairs."""
    scenario = _scenario([_officer("m1", "food"), _officer("m2", "food"),
                          _officer("f1", "fire"), _officer("f2", "fire")])  # fmt: skip
    visits = [_visit("B1", "food", "fire"), _visit("B2", "food", "fire")]
    formation = form_teams(scenario, MONDAY, visits, params=FAST)
    assert len(formation.teams) == 2
    assert all(eligible(t, visits[0], scenario) for t in formation.teams)
    assert not formation.uncovered
    assert {b for _, b in formation.assigned} == {"B1", "B2"}


def test_minimum_size_is_configurable_upwards_and_never_below_two() -> None:
    """Team size: four officers give two pairs; with min_size 3 one team of three and one idle."""
    scenario = _scenario([_officer(f"o{i}", "food") for i in range(4)])
    pairs = form_teams(scenario, MONDAY, [], params=FAST)
    assert sorted(len(t.officer_ids) for t in pairs.teams) == [2, 2]
    triples = form_teams(
        scenario, MONDAY, [], params=TeamParams(min_size=3, time_limit_seconds=0.5)
    )
    assert [len(t.officer_ids) for t in triples.teams] == [3]
    assert len(triples.idle) == 1
    with pytest.raises(InputError, match="min_size"):
        TeamParams(min_size=1)


def test_maximum_size_bounds_a_team_even_when_a_visit_needs_more() -> None:
    """Team size: a visit needing four certifications held by four officers needs max_size 4."""
    officers = [
        _officer("m", "food"),
        _officer("f", "fire"),
        _officer("g", "gas"),
        _officer("h", "hygiene"),
    ]
    scenario = _scenario(officers)
    visit = _visit("B1", "food", "fire", "gas", "hygiene")
    capped = form_teams(scenario, MONDAY, [visit], params=FAST)
    assert all(len(t.officer_ids) <= 3 for t in capped.teams)
    assert [u.business_id for u in capped.uncovered] == ["B1"]
    big = form_teams(
        scenario, MONDAY, [visit], params=TeamParams(max_size=4, time_limit_seconds=0.5)
    )
    assert _members(big.teams) == {frozenset({"m", "f", "g", "h"})}
    assert not big.uncovered


def test_capacity_spreads_a_scarce_certification_over_teams() -> None:
    """Capacity: a day's worth of food visits for two teams puts one food officer in each team."""
    scenario = _scenario([_officer("m1", "food"), _officer("m2", "food"),
                          _officer("x1", "noise"), _officer("x2", "noise")],
                         businesses=tuple(f"B{i}" for i in range(12)))  # fmt: skip
    visits = [_visit(f"B{i}", "food", minutes=75) for i in range(12)]  # 12 × 90 min > one day
    formation = form_teams(scenario, MONDAY, visits, params=FAST)
    assert all({"m1", "m2"} & set(t.officer_ids) for t in formation.teams)
    assert len(formation.teams) == 2


def test_smaller_teams_are_preferred_but_nobody_is_left_idle() -> None:
    """Team size tier: six officers give three pairs; five give a pair and a trio (no idle)."""
    six = form_teams(
        _scenario([_officer(f"o{i}", "food") for i in range(6)]), MONDAY, [], params=FAST
    )
    assert sorted(len(t.officer_ids) for t in six.teams) == [2, 2, 2]
    five = form_teams(
        _scenario([_officer(f"o{i}", "food") for i in range(5)]), MONDAY, [], params=FAST
    )
    assert sorted(len(t.officer_ids) for t in five.teams) == [2, 3]
    assert not five.idle


def test_fewer_changes_from_the_previous_day() -> None:
    """Stability: with nothing else to decide, yesterday's pairs stay together."""
    scenario = _scenario([_officer(o, "food") for o in "abcd"])
    yesterday = (Team("x", ("a", "c")), Team("y", ("b", "d")))
    formation = form_teams(scenario, MONDAY, [], previous=yesterday, params=FAST)
    assert _members(formation.teams) == {frozenset("ac"), frozenset("bd")}


# ---------------------------------------------------------------- recusal (回避)


def test_recused_officer_never_visits_the_business() -> None:
    """Recusal: the food officer recused from B1 is not in the team that gets B1."""
    officers = [_officer("m1", "food"), _officer("m2", "food"), _officer("f1", "fire")]
    scenario = _scenario(officers, recusals=(Recusal("m1", "B1", "cousin"),))
    visit = _visit("B1", "food", "fire")
    formation = form_teams(
        scenario, MONDAY, [visit], params=TeamParams(max_size=2, time_limit_seconds=0.5)
    )
    assert _team_of(formation, "B1") == {"m2", "f1"}
    assert not eligible(Team("t", ("m1", "f1")), visit, scenario)
    assert eligible(Team("t", ("m2", "f1")), visit, scenario)


def test_recusal_alone_leaves_a_visit_uncovered_with_the_reason() -> None:
    """Recusal: when the only food officer is recused, the visit is uncovered for recusal."""
    scenario = _scenario([_officer("m1", "food"), _officer("f1", "fire")],
                         recusals=(Recusal("m1", "B1", "owner's spouse"),))  # fmt: skip
    formation = form_teams(scenario, MONDAY, [_visit("B1", "food")], params=FAST)
    (uncovered,) = formation.uncovered
    assert uncovered.recused and "recused" in uncovered.reason
    assert not formation.assigned


def test_recused_pair_never_works_together() -> None:
    """Recusal pair: yesterday's pair m1+f1 is split because the two must not work together."""
    officers = [
        _officer("m1", "food"),
        _officer("m2", "food"),
        _officer("f1", "fire"),
        _officer("f2", "fire"),
    ]
    yesterday = (Team("x", ("m1", "f1")), Team("y", ("m2", "f2")))
    free = form_teams(_scenario(officers), MONDAY, [], previous=yesterday, params=FAST)
    assert frozenset({"m1", "f1"}) in _members(free.teams)
    barred = _scenario(officers, recusals=(Recusal("m1", "", "married", "f1"),))
    formation = form_teams(barred, MONDAY, [], previous=yesterday, params=FAST)
    assert all(not {"m1", "f1"} <= set(t.officer_ids) for t in formation.teams)


# ---------------------------------------------------------------- rotation


def _with_history(officers: list[Inspector], last: tuple[str, ...]) -> Scenario:
    history = (
        HistoryRecord("B1", "food", MONDAY - dt.timedelta(days=200), Result.PASS, ("b", "c")),
        HistoryRecord("B1", "food", MONDAY - dt.timedelta(days=100), Result.PASS, last),
    )
    return _scenario(officers, history=history)


def test_rotation_avoids_the_officer_of_the_previous_inspection() -> None:
    """Rotation: yesterday's pair a+b is broken up so that a, who inspected B1 last, does not."""
    officers = [_officer(o, "food") for o in "abc"]
    yesterday = (Team("x", ("a", "b")),)
    params = TeamParams(max_size=2, time_limit_seconds=0.5)
    plain = form_teams(
        _scenario(officers), MONDAY, [_visit("B1", "food")], previous=yesterday, params=params
    )
    assert _team_of(plain, "B1") == {"a", "b"}
    scenario = _with_history(officers, ("a",))
    assert previous_officers(scenario) == {"B1": frozenset({"a"})}
    formation = form_teams(
        scenario, MONDAY, [_visit("B1", "food")], previous=yesterday, params=params
    )
    assert _team_of(formation, "B1") == {"b", "c"}
    assert repeat_officers(Team("t", ("a", "b")), "B1", previous_officers(scenario)) == ("a",)


def test_rotation_is_soft_and_yields_to_coverage() -> None:
    """Rotation: when only the previous inspector holds the certification, they still go."""
    officers = [_officer("a", "food"), _officer("b", "fire"), _officer("c", "fire")]
    formation = form_teams(
        _with_history(officers, ("a",)), MONDAY, [_visit("B1", "food")], params=FAST
    )
    assert "a" in _team_of(formation, "B1")


# ---------------------------------------------------------------- random draw (双随机)


def test_random_draw_picks_the_best_scored_pairing_and_is_reproducible() -> None:
    """Random draw: among equal officers the teams are the pairing with the highest seeded scores."""
    officers = [_officer(o, "food") for o in "abcdef"]
    scenario = _scenario(officers)
    drawn = {}
    for seed in (1, 2, 3):
        params = TeamParams(random_draw=True, draw_seed=seed, time_limit_seconds=0.5)
        formation = form_teams(scenario, MONDAY, [], params=params)
        assert formation.draw is not None and formation.draw.seed == seed
        assert formation.draw.population == tuple("abcdef")
        score = sum(draw_score(seed, MONDAY, *sorted(t.officer_ids)) for t in formation.teams)
        assert score == max(_pairing_scores(seed, "abcdef"))
        again = form_teams(scenario, MONDAY, [], params=params)
        assert again.teams == formation.teams
        drawn[seed] = _members(formation.teams)
    assert len({frozenset(d) for d in drawn.values()}) > 1


def _pairing_scores(seed: int, people: str) -> list[int]:
    """Total draw score of every way to split ``people`` into pairs."""
    if not people:
        return [0]
    first, rest = people[0], people[1:]
    return [
        draw_score(seed, MONDAY, first, other) + s
        for other in rest
        for s in _pairing_scores(seed, rest.replace(other, ""))
    ]


def test_random_draw_still_respects_certifications() -> None:
    """Random draw: coverage comes first; the draw only chooses among qualified formations."""
    officers = [
        _officer("m1", "food"),
        _officer("m2", "food"),
        _officer("f1", "fire"),
        _officer("f2", "fire"),
    ]
    scenario = _scenario(officers)
    visits = [_visit("B1", "food", "fire"), _visit("B2", "food", "fire")]
    for seed in range(4):
        params = TeamParams(random_draw=True, draw_seed=seed, time_limit_seconds=0.5)
        formation = form_teams(scenario, MONDAY, visits, params=params)
        assert all(eligible(t, visits[0], scenario) for t in formation.teams)


# ---------------------------------------------------------------- roster: days and hours


def test_officers_not_working_that_day_are_not_in_teams() -> None:
    """Working days: an officer who works Mon only is in no team on Tuesday."""
    officers = [_officer("a", "food", days=(0,)), _officer("b", "food"), _officer("c", "food")]
    scenario = _scenario(officers)
    week = form_week(scenario, MONDAY, [], params=FAST, days=2)
    monday, tuesday = week.days
    assert "a" in {o for t in monday.teams for o in t.officer_ids}
    assert "a" not in {o for t in tuesday.teams for o in t.officer_ids}


def test_part_day_officers_are_paired_with_overlapping_hours() -> None:
    """Part-day availability: a morning officer and an afternoon officer never share a team."""
    officers = [_officer("am", "food", hours=(8, 12)), _officer("pm", "food", hours=(13, 17)),
                _officer("x", "fire"), _officer("y", "fire")]  # fmt: skip
    scenario = _scenario(officers)
    yesterday = (Team("t", ("am", "pm")),)
    formation = form_teams(scenario, MONDAY, [], previous=yesterday, params=FAST)
    assert all(not {"am", "pm"} <= set(t.officer_ids) for t in formation.teams)
    (morning,) = [t for t in formation.teams if "am" in t.officer_ids]
    assert team_shift(morning, scenario) == (8 * H, 12 * H)


def test_officers_of_different_offices_are_not_teamed() -> None:
    """One office: officers based at different offices do not start the day together."""
    officers = [_officer("a", "food"), _officer("b", "fire", base="north"),
                _officer("c", "fire"), _officer("d", "food", base="north")]  # fmt: skip
    formation = form_teams(_scenario(officers), MONDAY, [_visit("B1", "food", "fire")], params=FAST)
    assert _members(formation.teams) == {frozenset("ac"), frozenset("bd")}


# ---------------------------------------------------------------- fixed teams and pairings


def test_fixed_team_is_kept_and_formation_fills_the_rest() -> None:
    """Fixed teams: a locked department pair stays; the others are formed around it."""
    officers = [
        _officer("m1", "food"),
        _officer("m2", "food"),
        _officer("f1", "fire"),
        _officer("f2", "fire"),
    ]
    locked = Team("dept", ("m1", "m2"), (0,))
    scenario = _scenario(officers, teams=(locked,))
    formation = form_teams(scenario, MONDAY, [_visit("B1", "food", "fire")], params=FAST)
    assert locked in formation.teams
    assert _members(formation.teams) == {frozenset({"m1", "m2"}), frozenset({"f1", "f2"})}
    assert [u.missing for u in formation.uncovered] == [("fire",)]  # what the closest lacks
    tuesday = form_teams(scenario, TUESDAY, [_visit("B1", "food", "fire")], params=FAST)
    assert locked not in tuesday.teams and not tuesday.uncovered


def test_pairing_is_kept_together_and_may_grow() -> None:
    """Pairings: two food officers locked together take the fire officer the visit needs."""
    officers = [
        _officer("m1", "food"),
        _officer("m2", "food"),
        _officer("f1", "fire"),
        _officer("x", "noise"),
    ]
    scenario = _scenario(officers, teams=(Team("p", ("m1", "m2"), (), pairing=True),))
    formation = form_teams(scenario, MONDAY, [_visit("B1", "food", "fire")], params=FAST)
    (grown,) = [t for t in formation.teams if t.id == "p"]
    assert set(grown.officer_ids) == {"m1", "m2", "f1"}
    assert not formation.uncovered


def test_fixed_team_with_an_absent_member_keeps_the_others() -> None:
    """Fixed teams: a member off that day is dropped from the team and the log says so."""
    officers = [_officer("a", "food"), _officer("b", "food"), _officer("c", "fire", days=(1,))]
    scenario = _scenario(officers, teams=(Team("t", ("a", "b", "c")),))
    formation = form_teams(scenario, MONDAY, [], params=FAST)
    assert [t.officer_ids for t in formation.teams] == [("a", "b")]
    assert any("c not available" in line for line in formation.log)


# ---------------------------------------------------------------- uncovered and split visits


def test_uncovered_visit_names_the_missing_certification() -> None:
    """Uncovered: nobody holds hygiene, so the visit is reported with it missing."""
    scenario = _scenario([_officer("m1", "food"), _officer("f1", "fire")])
    formation = form_teams(scenario, MONDAY, [_visit("B1", "food", "hygiene")], params=FAST)
    (uncovered,) = formation.uncovered
    assert uncovered.missing == ("hygiene",)
    assert uncovered.reason == "no team certified for hygiene"


def test_split_visit_keeps_the_coverable_part_and_leaves_the_rest() -> None:
    """Split visits: the food part is kept; hygiene is left unscheduled as a second visit."""
    scenario = _scenario([_officer("m1", "food"), _officer("f1", "fire")])
    visits = [_visit("B1", "food", "hygiene"), _visit("B2", "food")]
    teams = {MONDAY: (Team("a", ("m1", "f1")),), TUESDAY: (Team("a", ("m1", "f1")),)}
    assert [u.business_id for u in week_uncovered(scenario, visits, teams)] == ["B1"]
    kept, left, second = split_uncoverable(scenario, visits, teams)
    assert [o.item_id for o in kept[0].obligations] == ["food"] and kept[1] == visits[1]
    assert kept[0].service_seconds == (10 + 20) * 60
    assert [u.obligation.item_id for u in left] == ["hygiene"]
    assert left[0].reason == (
        "no team certified for hygiene together with the visit's other items on Mon–Tue: "
        "left for a second visit"
    )
    assert second == 1


# ---------------------------------------------------------------- formation ↔ routing rounds


def test_rounds_keep_the_best_plan_and_stop_on_the_budget() -> None:
    """Rounds: re-form while routing leaves visits out; keep the best score; stop on the budget."""
    scenario = _scenario([_officer("m1", "food"), _officer("f1", "fire"), _officer("g1", "gas")])
    visits = [_visit("B1", "food"), _visit("B2", "gas")]
    scores = iter([1.0, 3.0, 2.0])
    formed = []

    def route(teams_by_day):
        formed.append(teams_by_day)
        return next(scores), frozenset({"B2"}), len(formed)

    params = TeamParams(rounds=3, time_limit_seconds=0.5)
    best = improve_rounds(scenario, MONDAY, visits, route, params=params, days=1)
    assert (best.score, best.result, len(best.log)) == (3.0, 2, 3)
    assert best.formation.teams_by_day() == formed[1]
    ticks = iter([0.0, 999.0])
    short = improve_rounds(scenario, MONDAY, visits, lambda t: (0.0, frozenset({"B2"}), None),
                           params=params, days=1, clock=lambda: next(ticks))  # fmt: skip
    assert len(short.log) == 1  # the budget ran out after the first round


# ---------------------------------------------------------------- invariants


@st.composite
def _rosters(draw):
    certs = ("food", "fire", "gas", "hygiene")
    n = draw(st.integers(2, 7))
    officers = []
    for i in range(n):
        held = draw(st.lists(st.sampled_from(certs), min_size=1, max_size=2, unique=True))
        days = tuple(sorted(draw(st.sets(st.integers(0, 4), min_size=1))))
        start = draw(st.sampled_from([8, 9, 13]))
        officers.append(
            _officer(
                f"o{i}",
                ";".join(held),
                days=days,
                hours=(start, start + 4 + draw(st.integers(0, 5))),
            )
        )
    ids = [o.id for o in officers]
    recusals = []
    if draw(st.booleans()):
        recusals.append(Recusal(draw(st.sampled_from(ids)), "B1", "r"))
    if n >= 2 and draw(st.booleans()):
        a, b = draw(st.sampled_from(list(combinations(ids, 2))))
        recusals.append(Recusal(a, "", "pair", b))
    visits = [
        _visit(b, *draw(st.lists(st.sampled_from(certs), min_size=1, max_size=3, unique=True)))
        for b in ("B1", "B2", "B3")
    ]
    return _scenario(officers, recusals=tuple(recusals)), visits


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rosters(), st.integers(2, 3))
def test_every_formed_team_obeys_every_hard_rule(case, max_size) -> None:
    """Invariant: sizes, one team a day, working officers, overlapping hours, recusals, coverage."""
    scenario, visits = case
    params = TeamParams(max_size=max_size, time_limit_seconds=0.2)
    week = form_week(scenario, MONDAY, visits, params=params, days=2)
    pairs = {
        frozenset((r.inspector_id, r.other_inspector_id))
        for r in scenario.recusals
        if r.other_inspector_id
    }
    for formation in week.days:
        members = [o for t in formation.teams for o in t.officer_ids]
        assert len(members) == len(set(members))
        for team in formation.teams:
            assert 2 <= len(team.officer_ids) <= max_size
            officers = [scenario.inspector(o) for o in team.officer_ids]
            assert all(formation.day.weekday() in o.working_days for o in officers)
            start, end = team_shift(team, scenario)
            assert end - start >= 60 * params.min_overlap_minutes
            assert not any(p <= set(team.officer_ids) for p in pairs)
        teams = {t.id: t for t in formation.teams}
        for team_id, business in formation.assigned:
            visit = next(v for v in visits if v.business_id == business)
            assert eligible(teams[team_id], visit, scenario)


# ---------------------------------------------------------------- the scenario tables


def test_new_columns_round_trip_through_csv_and_validate(tmp_path: Path) -> None:
    """Tables: history officers, team kind and pair recusals are written and read back equal."""
    officers = [_officer("o1", "food"), _officer("o2", "fire"), _officer("o3", "gas")]
    scenario = _scenario(
        officers,
        teams=(Team("p", ("o1", "o2"), (0, 1), pairing=True),),
        recusals=(Recusal("o1", "B1", "cousin"), Recusal("o2", "", "married", "o3")),
        history=(
            HistoryRecord("B1", "food", MONDAY - dt.timedelta(days=9), Result.PASS, ("o1", "o3")),
        ),
    )
    for path in (tmp_path / "csv", tmp_path / "book.xlsx"):
        write_scenario(scenario, path)
        loaded = load_scenario(path)
        assert loaded.teams == scenario.teams
        assert loaded.recusals == scenario.recusals
        assert loaded.history == scenario.history


def _problems_after(tmp_path: Path, table: str, text: str):
    base = _scenario([_officer("o1", "food"), _officer("o2", "fire"), _officer("o3", "gas")])
    folder = write_scenario(base, tmp_path / "s")
    (folder / f"{table}.csv").write_text(text, encoding="utf-8")
    scenario, problems = check_scenario(folder)
    return scenario, [str(p) for p in problems]


def test_recusal_row_needs_exactly_one_of_business_and_other_inspector(tmp_path: Path) -> None:
    """Validation: a recusal row with both or neither target is an error with its place."""
    text = "inspector,business,reason,other_inspector\no1,B1,x,o2\no1,,y,\no2,,z,o2\n"
    scenario, problems = _problems_after(tmp_path, "recusals", text)
    assert scenario is None
    assert sum("either a business or an other_inspector" in p for p in problems) == 2
    assert any("row 4, column 'other_inspector'" in p and "themself" in p for p in problems)


def test_fixed_teams_must_not_hold_a_recused_pair_or_share_an_officer(tmp_path: Path) -> None:
    """Validation: a fixed team with a recused pair, an officer in two teams on one day."""
    folder = write_scenario(
        _scenario([_officer(f"o{i}", "food") for i in (1, 2, 3)]), tmp_path / "s"
    )
    (folder / "teams.csv").write_text(
        "id,officers,days,kind\nt1,o1;o2,Mon-Wed,team\nt2,o2;o3,Wed,pairing\n"
        "t3,o1;o3,Thu,\nt4,o2;o3,Fri,bogus\n"
    )
    (folder / "recusals.csv").write_text("inspector,business,reason,other_inspector\no3,,x,o1\n")
    scenario, problems = check_scenario(folder)
    text = [str(p) for p in problems]
    assert scenario is None
    assert any("row 3" in p and "o2 also in fixed team 't1'" in p for p in text)
    assert any("row 4" in p and "o1 and o3 must not work together" in p for p in text)
    assert any("row 5, column 'kind'" in p for p in text)


def test_unknown_officer_in_history_is_a_warning(tmp_path: Path) -> None:
    """Validation: a former officer in history's officers column warns but loads."""
    text = "business,item,date,result,officers\nB1,food,2026-01-05,pass,o1;gone\n"
    scenario, problems = _problems_after(tmp_path, "history", text)
    assert scenario is not None
    assert scenario.history[0].officer_ids == ("o1", "gone")
    assert any("WARNING" in p and "unknown inspector 'gone'" in p for p in problems)


def test_team_params_from_toml_lists_every_bad_value() -> None:
    """Params: the [teams] table is read; bad values are all reported."""
    assert TeamParams.from_toml({"teams": {"max_size": 4}}).max_size == 4
    with pytest.raises(InputError) as error:
        TeamParams.from_toml({"teams": {"min_size": 1, "workers": 0, "colour": "red"}})
    columns = {p.column for p in error.value.problems}
    assert {"colour"} <= columns or {"min_size", "workers"} <= columns


# ---------------------------------------------------------------- plans the pipeline produces


def _team_rule_breaks(scenario: Scenario, plan) -> list[str]:
    """Independent of planner.teams: every rule a routed team must keep, read from the scenario."""
    found = []
    barred = {(r.inspector_id, r.business_id) for r in scenario.recusals if r.business_id}
    apart = [
        {r.inspector_id, r.other_inspector_id} for r in scenario.recusals if r.other_inspector_id
    ]
    seen: dict[tuple[dt.date, str], str] = {}
    for route in plan.routes:
        where = f"{route.team_id} on {route.day}"
        if len(set(route.officer_ids)) < 2:
            found.append(f"{where}: fewer than two officers")
        held = set()
        for officer_id in route.officer_ids:
            officer = scenario.inspector(officer_id)
            held |= set(officer.certifications)
            if route.day.weekday() not in officer.working_days:
                found.append(f"{where}: {officer_id} does not work that day")
            if (route.day, officer_id) in seen and seen[route.day, officer_id] != route.team_id:
                found.append(f"{where}: {officer_id} also in {seen[route.day, officer_id]}")
            seen[route.day, officer_id] = route.team_id
        found += [
            f"{where}: {sorted(pair)} together" for pair in apart if pair <= set(route.officer_ids)
        ]
        for stop in route.stops:
            for o in stop.visit.obligations:
                if scenario.item(o.item_id).certification not in held:
                    found.append(f"{where}: nobody certified for {o.item_id} at {o.business_id}")
            found += [
                f"{where}: {i} recused from {stop.visit.business_id}"
                for i in route.officer_ids
                if (i, stop.visit.business_id) in barred
            ]
    return found


def _with_rules(scenario: Scenario) -> Scenario:
    """The scenario plus a fixed team, a pairing, officer recusals and a recused pair."""
    ids = [o.id for o in scenario.inspectors]
    busiest = [b.id for b in scenario.businesses[:12]]
    recusals = tuple(Recusal(ids[n % len(ids)], b, "relative") for n, b in enumerate(busiest))
    recusals += (Recusal(ids[0], "", "spouse", ids[1]),)
    teams = (
        Team("fixed", (ids[2], ids[3]), (0, 1)),
        Team("pair", (ids[4], ids[5]), (), pairing=True),
    )
    return replace(scenario, recusals=recusals, teams=teams)


@pytest.mark.parametrize("source", ["synthetic", "demo"])
def test_pipeline_plans_keep_every_team_rule(source: str) -> None:
    """Independent check: every route ≥ 2 working officers, once a day, certified, no recusal."""
    from planner.params import SolveParams
    from planner.pipeline import run_week
    from planner.synth import synthesize, synthesize_inspectors
    from planner.verify import verify_plan

    if source == "synthetic":
        small = synthesize(businesses=120, seed=5)
        office = small.settings.offices[0].id
        roster = synthesize_inspectors([(office, 8)], part_time={7: (0, 2, 4)})
        scenario = _with_rules(replace(small, inspectors=roster))
    else:
        demo = Path(__file__).resolve().parents[1] / "data" / "demo"
        if not demo.exists():
            pytest.skip(f"demo scenario not found: {demo}")
        scenario = _with_rules(load_scenario(demo))
    rounds = 2 if source == "synthetic" else 1  # the demo is larger: one round keeps it quick
    run = run_week(
        scenario,
        solve_params=SolveParams(time_limit_s=1.5),
        team_params=TeamParams(rounds=rounds, time_limit_seconds=0.3, rounds_budget_seconds=60),
    )
    assert run.plan.routes
    assert _team_rule_breaks(scenario, run.plan) == []
    assert verify_plan(scenario, run.plan, run.travel, run.travel_ids) == []
    monday = run.teams[MONDAY]
    assert any(t.officer_ids == scenario.teams[0].officer_ids for t in monday)
    assert any(set(scenario.teams[1].officer_ids) <= set(t.officer_ids) for t in monday)
    metrics = dict(run.plan.metrics)
    assert metrics["formation_rounds"] >= 1 and "second_visits" in metrics


# ---------------------------------------------------------------- no idle officer (issue 12)


def test_greedy_formation_leaves_no_pairable_officer_idle() -> None:
    """Completion: out of CP-SAT time, greedy pairs a+b (most certifications) and c, d (kept apart
    from each other and from a / b) stay idle; swapping gives a+c and b+d, nobody idle."""
    officers = [_officer("a", "food;fire"), _officer("b", "gas;hygiene"),
                _officer("c", "food"), _officer("d", "gas")]  # fmt: skip
    apart = tuple(Recusal(x, "", "conflict", y) for x, y in (("c", "d"), ("a", "d"), ("b", "c")))
    scenario = _scenario(officers, recusals=apart)
    visits = [_visit(f"B{i}", c, minutes=120) for i, c in ((1, "food"), (2, "gas"), (3, "fire"))]
    formation = form_teams(scenario, MONDAY, visits, params=TeamParams(time_limit_seconds=1e-9))
    assert formation.status.endswith("/greedy")
    assert not formation.idle
    assert _members(formation.teams) == {frozenset({"a", "c"}), frozenset({"b", "d"})}


def test_idle_officer_is_logged_with_the_true_reason() -> None:
    """Idle log: an officer alone at the north office is idle because nobody of that office works
    that day — said so, not "no team they may join"."""
    officers = [
        _officer("m1", "food"),
        _officer("m2", "fire"),
        _officer("n1", "food", base="north"),
    ]
    formation = form_teams(_scenario(officers), MONDAY, [_visit("B1", "food")], params=FAST)
    assert formation.idle == ("n1",)
    (line,) = [entry for entry in formation.log if entry.startswith("idle")]
    assert "no other officer of office north works on Mon" in line
    assert "no team they may join" not in line


def _two_towns(officers: list[Inspector], near_hq: int, near_north: int) -> Scenario:
    """The tiny township with businesses H* at the hq office and N* 11 km north, at north's."""
    scenario = _scenario(officers, businesses=())
    hours = parse_opening_hours("Mon-Sun 08:00-20:00")
    shops = tuple(
        Business(f"{p}{i}", f"{p}{i}", "shop", 120.1, lat, "", Risk.MEDIUM, hours)
        for p, lat, n in (("H", 30.2, near_hq), ("N", 30.3, near_north))
        for i in range(n)
    )
    return replace(scenario, businesses=shops)


def test_each_office_forms_its_teams_for_its_own_area() -> None:
    """Per office: north's pair is not given the hq area's surplus visits (11 km away) — each
    office's officers are formed for the visits nearest to them."""
    officers = [_officer("m1", "food"), _officer("m2", "food"),
                _officer("n1", "food", base="north"), _officer("n2", "food", base="north")]  # fmt: skip
    scenario = _two_towns(officers, near_hq=12, near_north=2)
    visits = [_visit(f"H{i}", "food", minutes=75) for i in range(12)]
    visits += [_visit(f"N{i}", "food", minutes=75) for i in range(2)]
    formation = form_teams(scenario, MONDAY, visits, params=FAST)
    office = {t.id: scenario.inspector(t.officer_ids[0]).base for t in formation.teams}
    assert {b for t, b in formation.assigned if office[t] == "north"} == {"N0", "N1"}
    assert len([b for t, b in formation.assigned if office[t] == "hq"]) >= 4


def test_a_visit_goes_to_the_nearest_office_able_to_make_it() -> None:
    """Per office: a gas visit next to the north office goes to hq's area when only hq has a gas
    officer; a food visit there stays north's."""
    officers = [_officer("g1", "gas"), _officer("m1", "food"),
                _officer("n1", "food", base="north"), _officer("n2", "food", base="north")]  # fmt: skip
    scenario = _two_towns(officers, near_hq=0, near_north=2)
    areas = office_of_visits(scenario, [_visit("N0", "gas"), _visit("N1", "food")], officers)
    assert areas == {"N0": "hq", "N1": "north"}


def test_large_formation_models_get_more_time_or_go_greedy() -> None:
    """Time limit: scaled with officers × visit classes, up to twice; beyond that, no CP-SAT;
    an office with a sixth of the day's officers gets a quarter (the floor) of it."""
    params = TeamParams(time_limit_seconds=1.0)
    assert formation_time_limit(params, 10, 50) == 1.0
    assert formation_time_limit(params, 25, 150) == 1.5
    assert formation_time_limit(params, 48, 143) is None
    assert formation_time_limit(params, 25, 100, share=1 / 6) == 0.25


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rosters(), st.sampled_from([1e-9, 0.2]))
def test_no_two_idle_officers_could_have_paired(case, limit) -> None:
    """Invariant: whatever CP-SAT's time, no two officers left idle on a day may pair."""
    scenario, visits = case
    params = TeamParams(time_limit_seconds=limit)
    pairs = {
        frozenset((r.inspector_id, r.other_inspector_id))
        for r in scenario.recusals
        if r.other_inspector_id
    }
    for formation in form_week(scenario, MONDAY, visits, params=params, days=2).days:
        idle = [scenario.inspector(o) for o in formation.idle]
        assert not [
            (a.id, b.id)
            for a, b in combinations(idle, 2)
            if may_pair(a, b, params, frozenset(pairs))
        ]


def test_idle_officer_days_counts_pairable_officers_without_visits_while_visits_wait() -> None:
    """Measure: m1+m2 visit B1 on Monday while B2 waits; f1, f2 idle Monday and all four
    Tuesday–Friday (18 officer-days); the lone north officer is never counted; nothing waiting,
    nothing counted."""
    officers = [_officer("m1", "food"), _officer("m2", "food"), _officer("f1", "fire"),
                _officer("f2", "fire"), _officer("n1", "food", base="north")]  # fmt: skip
    scenario = _scenario(officers)
    visit, waiting = _visit("B1", "food"), _visit("B2", "fire")
    route = Route("Mon-1", MONDAY, ("m1", "m2"), (Stop(visit, 9 * H, 9 * H, 9 * H + 1800),))
    left = tuple(Unscheduled(o, "capacity") for o in waiting.obligations)
    plan = Plan(MONDAY, (route,), left, (("obligations_unscheduled", 1.0),))
    idle = idle_officer_days(scenario, plan)
    assert len(idle) == 18
    assert (MONDAY, "f1") in idle and (MONDAY, "m1") not in idle
    assert not [o for _, o in idle if o == "n1"]
    done = Plan(MONDAY, (route,), left, (("obligations_unscheduled", 0.0),))
    assert idle_officer_days(scenario, done) == ()


def test_greedy_formation_pairs_by_what_the_day_needs() -> None:
    """Greedy formation: c1 (food, fire) and c2 (gas, hygiene) hold the most certifications
    together, but pairing them leaves h1 + h2 (hygiene only) with nothing to make; pairing each
    with a hygiene officer gives two teams that each fill a day."""
    officers = [_officer("c1", "food;fire"), _officer("c2", "gas;hygiene"),
                _officer("h1", "hygiene"), _officer("h2", "hygiene")]  # fmt: skip
    scenario = _scenario(officers, businesses=tuple(f"B{i}" for i in range(16)))
    visits = [_visit(f"B{i}", "food", "hygiene", minutes=60) for i in range(8)]
    visits += [_visit(f"B{i}", "gas", "hygiene", minutes=60) for i in range(8, 16)]
    formation = form_teams(scenario, MONDAY, visits, params=TeamParams(time_limit_seconds=1e-9))
    assert formation.status.endswith("/greedy")
    assert all(any(eligible(t, v, scenario) for v in visits) for t in formation.teams)
    assert frozenset({"h1", "h2"}) not in _members(formation.teams)


def test_a_pair_with_little_to_do_joins_the_teams_that_have_work() -> None:
    """Greedy formation: food + fire officers make the day's food-and-fire visits; the two
    hygiene officers could fill only 45 minutes of their day as a pair, so they join that team
    (max_size 4) instead of forming a team that would stand idle."""
    officers = [_officer("c1", "food"), _officer("c2", "fire"),
                _officer("h1", "hygiene"), _officer("h2", "hygiene")]  # fmt: skip
    scenario = _scenario(officers, businesses=tuple(f"B{i}" for i in range(11)))
    visits = [_visit(f"B{i}", "food", "fire", minutes=60) for i in range(10)]
    visits.append(_visit("B10", "hygiene", minutes=30))
    params = TeamParams(max_size=4, time_limit_seconds=1e-9)
    formation = form_teams(scenario, MONDAY, visits, params=params)
    assert _members(formation.teams) == {frozenset({"c1", "c2", "h1", "h2"})}
    assert any("could fill little" in line for line in formation.log)


def test_tier_two_gap_keeps_the_demo_mondays_teams(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tier 2 stopping within ``TIER2_GAP`` of its bound (where it has its best plan at once and
    would only prove it) forms the same teams, assignments and coverage on the demo's Monday as
    tier 2 run to proven optimality: the speed-up costs the formation nothing there."""
    import planner.teams
    from planner.merge import build_week_demand

    demo = load_scenario(Path(__file__).resolve().parents[1] / "data" / "demo")
    visits = build_week_demand(demo, MONDAY).visits
    fast = form_teams(demo, MONDAY, visits)
    monkeypatch.setattr(planner.teams, "TIER2_GAP", 0.0)
    proven = form_teams(demo, MONDAY, visits)
    assert fast.teams == proven.teams and fast.assigned == proven.assigned
    assert fast.covered_weight == proven.covered_weight and fast.idle == proven.idle


def test_a_week_without_idle_officers_does_not_import_networkx() -> None:
    """The greedy completion pairs idle officers by a NetworkX matching (~0.3 s to import, on
    the critical path of a plan): a formation that leaves nobody idle never loads it."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import planner

    root = Path(planner.__file__).resolve().parents[1]
    code = (
        "import sys; from planner import load_scenario; from planner.merge import "
        "build_week_demand; from planner.teams import form_week; "
        f"s = load_scenario({str(root / 'tests' / 'fixtures' / 'tiny')!r}); "
        "w = s.settings.week_start; "
        "f = form_week(s, w, build_week_demand(s, w).visits); "
        "print(sum(len(d.idle) for d in f.days), 'networkx' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.split() == ["0", "False"]
