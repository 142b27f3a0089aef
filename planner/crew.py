"""Interim team assembly per day: the fixed ``teams`` table, or a simple deterministic pairing.

A placeholder until team formation with CP-SAT (which will also choose teams by what the week's
visits need). What it guarantees already: every team has at least two officers, all working that
day, no officer is in two teams on one day, and the team's hours (the intersection of its
members' hours) are not empty.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from planner.domain import Inspector, Scenario, Team

WEEK_DAYS = 7


def works_on(officer: Inspector, day: dt.date) -> bool:
    """Whether the officer is rostered on ``day``."""
    return day.weekday() in officer.working_days


def shared_hours(officers: Sequence[Inspector]) -> int:
    """Seconds all ``officers`` are on duty together (0 when their hours do not overlap)."""
    return max(0, min(o.hours_end for o in officers) - max(o.hours_start for o in officers))


def fixed_teams_on(scenario: Scenario, day: dt.date) -> tuple[Team, ...]:
    """The ``teams`` table's teams working on ``day``, each with its members who work that day.

    A team needs two working members whose hours overlap; an officer listed in two teams of the
    same day stays in the first one only.
    """
    used: set[str] = set()
    found = []
    for team in scenario.teams:
        if team.days and day.weekday() not in team.days:
            continue
        members = [
            scenario.inspector(i)
            for i in team.officer_ids
            if i not in used and works_on(scenario.inspector(i), day)
        ]
        if len(members) >= 2 and shared_hours(members) > 0:
            used.update(o.id for o in members)
            found.append(Team(team.id, tuple(o.id for o in members), (day.weekday(),)))
    return tuple(found)


def _pair_score(a: Inspector, b: Inspector) -> tuple[int, int]:
    """Larger is better: certifications covered, then hours together."""
    union = len(set(a.certifications) | set(b.certifications))
    return union, shared_hours([a, b])


def _kept_apart(scenario: Scenario) -> list[set[str]]:
    """Pairs of officers a recusal says must not work together."""
    return [
        {r.inspector_id, r.other_inspector_id}
        for r in scenario.recusals
        if getattr(r, "other_inspector_id", "")
    ]


def _held(team: Sequence[Inspector]) -> int:
    return len({c for o in team for c in o.certifications})


def pair_officers(officers: Sequence[Inspector], scenario: Scenario) -> list[list[Inspector]]:
    """Greedily pair ``officers``: the pair whose certifications cover most first.

    Only officers of the same office whose hours overlap and whom no recusal keeps apart are
    paired. Ties go to more hours together, then to the smallest ids, so the result is
    deterministic. An odd officer joins the team of its office it adds most certifications to
    (as its third member), among the teams whose hours together it does not cut by half or more;
    if there is none it stays out that day.
    """
    free = sorted(officers, key=lambda o: o.id)
    apart = _kept_apart(scenario)
    teams: list[list[Inspector]] = []
    while len(free) >= 2:
        best: tuple[tuple[int, int], int, int] | None = None
        for x in range(len(free)):
            for y in range(x + 1, len(free)):
                if (
                    shared_hours([free[x], free[y]]) <= 0
                    or free[x].base != free[y].base
                    or {free[x].id, free[y].id} in apart
                ):
                    continue
                score = _pair_score(free[x], free[y])
                if best is None or score > best[0]:
                    best = (score, x, y)
        if best is None:
            break
        _, x, y = best
        teams.append([free[x], free[y]])
        free = [o for n, o in enumerate(free) if n not in (x, y)]
    for odd in free:
        # Joining must not cost the team more than half its hours together (a short-hours officer
        # would otherwise shrink a full day's team to a morning); else the officer stays out.
        options = [
            t
            for t in teams
            if 2 * shared_hours([*t, odd]) > shared_hours(t)
            and t[0].base == odd.base
            and not any({o.id, odd.id} in apart for o in t)
        ]
        if options:
            best_team = max(
                options,
                key=lambda t: (_held([*t, odd]) - _held(t), shared_hours([*t, odd]), -len(t)),
            )
            best_team.append(odd)
    return teams


MAX_TEAM_ID_CHARS = 64  # a team id is a key in the store, like any other id (validate.MAX_ID_CHARS)


def pair_team_id(officer_ids: Sequence[str]) -> str:
    """The officers' ids joined with ``+``; when that is longer than ``MAX_TEAM_ID_CHARS`` (ids
    may be 64 characters each), ``pair-`` and the first 12 hex digits of its SHA-256 instead."""
    joined = "+".join(officer_ids)
    if len(joined) <= MAX_TEAM_ID_CHARS:
        return joined
    return "pair-" + hashlib.sha256(joined.encode("utf-8")).hexdigest()[:12]


def paired_teams_on(scenario: Scenario, day: dt.date) -> tuple[Team, ...]:
    """Pair the officers working on ``day`` (``pair_officers``); a team's id is ``pair_team_id``."""
    working = [o for o in scenario.inspectors if works_on(o, day)]
    return tuple(
        Team(pair_team_id([o.id for o in members]), tuple(o.id for o in members), (day.weekday(),))
        for members in pair_officers(working, scenario)
    )


def teams_for_week(scenario: Scenario, week_start: dt.date) -> dict[dt.date, tuple[Team, ...]]:
    """The teams working each day of the week of ``week_start`` (interim, see module docstring).

    Parameters
    ----------
    scenario
        Inspectors (working days, hours, certifications) and the optional ``teams`` table.
    week_start
        Monday of the week.

    Returns
    -------
    dict
        Every day of the week → its teams (possibly none). The ``teams`` table is used when the
        scenario has one, else officers are paired (``paired_teams_on``).
    """
    days = [week_start + dt.timedelta(days=d) for d in range(WEEK_DAYS)]
    assemble = fixed_teams_on if scenario.teams else paired_teams_on
    return {day: assemble(scenario, day) for day in days}
