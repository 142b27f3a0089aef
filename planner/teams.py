"""Joint team formation (联合检查组): available officers → teams per day, by CP-SAT.

The model, its rules and objective tiers are explained in ``docs/teams.md``. This module is the
only one that imports CP-SAT for teams. Routing uses the small helpers at the top (``eligible``,
``team_shift``, ``team_certifications``, ``repeat_officers``) so both sides apply the same rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Generic, TypeVar

from ortools.sat.python import cp_model

from planner.crew import pair_officers, shared_hours, works_on
from planner.domain import (
    WEEKDAY_NAMES,
    Inspector,
    Obligation,
    Plan,
    Scenario,
    Team,
    Unscheduled,
    Visit,
)
from planner.params import PlanParams, TeamParams
from planner.problem import team_shift as officers_shift

DRAW_METHOD = "sha256-pair-scores"
R = TypeVar("R")
_SCORE_SCALE = 10  # random pair scores are whole numbers 0..9 (the lowest objective tier)

# ---------------------------------------------------------------- rules shared with routing


def team_officers(team: Team, scenario: Scenario) -> tuple[Inspector, ...]:
    """The team's members as ``Inspector`` objects, in the team's order."""
    return tuple(scenario.inspector(i) for i in team.officer_ids)


def team_certifications(team: Team, scenario: Scenario) -> frozenset[str]:
    """What a team can check: the union of its members' certifications (综合执法 included)."""
    return frozenset(c for o in team_officers(team, scenario) for c in o.certifications)


def needed_certifications(visit: Visit, scenario: Scenario) -> frozenset[str]:
    """Certifications a team needs to check every item of ``visit``."""
    return frozenset(scenario.item(o.item_id).certification for o in visit.obligations)


def team_shift(team: Team, scenario: Scenario) -> tuple[int, int]:
    """The team's hours on a day: the intersection of its members' hours (start ≥ end: none)."""
    return officers_shift(team_officers(team, scenario))


def recused_officers(team: Team, business_id: str, scenario: Scenario) -> tuple[str, ...]:
    """Members of ``team`` who must not inspect ``business_id`` (回避)."""
    barred = business_recusals(scenario).get(business_id, frozenset())
    return tuple(o for o in team.officer_ids if o in barred)


def eligible(team: Team, visit: Visit, scenario: Scenario) -> bool:
    """Whether ``team`` may make ``visit``: its certifications cover every item and no member is
    recused from the business. (Hours and dates are routing's part.)"""
    return needed_certifications(visit, scenario) <= team_certifications(
        team, scenario
    ) and not recused_officers(team, visit.business_id, scenario)


def business_recusals(scenario: Scenario) -> dict[str, frozenset[str]]:
    """Business id → officers recused from it."""
    found: dict[str, set[str]] = defaultdict(set)
    for r in scenario.recusals:
        if r.business_id:
            found[r.business_id].add(r.inspector_id)
    return {b: frozenset(o) for b, o in found.items()}


def recused_pairs(scenario: Scenario) -> frozenset[frozenset[str]]:
    """Pairs of officers who must never be in one team."""
    return frozenset(
        frozenset((r.inspector_id, r.other_inspector_id))
        for r in scenario.recusals
        if r.other_inspector_id
    )


def previous_officers(scenario: Scenario) -> dict[str, frozenset[str]]:
    """Business id → officers of its latest recorded inspection (history ``officers``)."""
    latest: dict[str, dt.date] = {}
    officers: dict[str, set[str]] = defaultdict(set)
    for h in scenario.history:
        if not h.officer_ids:
            continue
        if h.business_id not in latest or h.date > latest[h.business_id]:
            latest[h.business_id] = h.date
            officers[h.business_id] = set(h.officer_ids)
        elif h.date == latest[h.business_id]:
            officers[h.business_id] |= set(h.officer_ids)
    return {b: frozenset(o) for b, o in officers.items()}


def repeat_officers(
    team: Team, business_id: str, previous: Mapping[str, frozenset[str]]
) -> tuple[str, ...]:
    """Members of ``team`` who also made the business's previous inspection (soft rotation rule)."""
    before = previous.get(business_id, frozenset())
    return tuple(o for o in team.officer_ids if o in before)


def may_pair(
    a: Inspector, b: Inspector, params: TeamParams, pairs: frozenset[frozenset[str]]
) -> bool:
    """Whether two officers may share a team: not a recused pair, one office, enough common hours."""
    return (
        frozenset((a.id, b.id)) not in pairs
        and a.base == b.base
        and shared_hours([a, b]) >= 60 * params.min_overlap_minutes
    )


def fixed_teams_on(scenario: Scenario, day: dt.date) -> tuple[Team, ...]:
    """The scenario's fixed teams and pairings whose days include ``day`` (empty = every day)."""
    return tuple(t for t in scenario.teams if not t.days or day.weekday() in t.days)


def visit_weight(visit: Visit) -> int:
    """Priority weight of a visit: the sum of its obligations' priorities (at least 1 each)."""
    return sum(max(o.priority, 1) for o in visit.obligations)


def open_on(visit: Visit, day: dt.date, scenario: Scenario, hours: tuple[int, int]) -> bool:
    """Whether the visit may happen on ``day``: no obligation starts later, and the business is
    open long enough for it inside ``hours`` (the day's earliest start and latest end of duty)."""
    if any(o.earliest > day for o in visit.obligations):
        return False
    windows = scenario.business(visit.business_id).visit_hours.windows_on(day.weekday())
    return any(min(e, hours[1]) - max(s, hours[0]) >= visit.service_seconds for s, e in windows)


def draw_score(seed: int, day: dt.date, a: str, b: str) -> int:
    """The random score (0–9) of officers ``a`` and ``b`` working together on ``day`` (双随机).

    SHA-256 of ``seed|day|a|b`` (ids sorted), so anyone holding the log can recompute it.
    """
    x, y = sorted((a, b))
    digest = hashlib.sha256(f"{seed}|{day.isoformat()}|{x}|{y}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % _SCORE_SCALE


# ---------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Uncovered:
    """A visit of the day that no team formed that day may make in full."""

    business_id: str
    missing: tuple[str, ...]  # certifications the closest team lacks (empty: recusal only)
    recused: bool = False  # every team holding the certifications has a recused member

    @property
    def reason(self) -> str:
        """The reason as a planner reads it."""
        if self.missing:
            return f"no team certified for {', '.join(self.missing)}"
        return "every certified team has an officer recused from the business"


@dataclass(frozen=True, slots=True)
class TeamDraw:
    """Audit record of a random officer draw (双随机): enough to recompute it with ``draw_score``."""

    day: dt.date
    seed: int
    population: tuple[str, ...]
    teams: tuple[tuple[str, ...], ...]
    method: str = DRAW_METHOD


@dataclass(frozen=True, slots=True)
class Formation:
    """The teams of one day and what they leave uncovered.

    ``assigned`` pairs each team id with the businesses the formation tentatively gave it (a hint:
    routing decides); ``idle`` are available officers in no team; ``log`` says why, in words.
    """

    day: dt.date
    teams: tuple[Team, ...]
    assigned: tuple[tuple[str, str], ...] = ()
    uncovered: tuple[Uncovered, ...] = ()
    idle: tuple[str, ...] = ()
    log: tuple[str, ...] = ()
    draw: TeamDraw | None = None
    covered_weight: int = 0
    demand_weight: int = 0
    status: str = ""


@dataclass(frozen=True, slots=True)
class WeekFormation:
    """The formations of the days of one week."""

    week_start: dt.date
    days: tuple[Formation, ...]

    def teams_by_day(self) -> dict[dt.date, tuple[Team, ...]]:
        """Day → its teams (what routing takes)."""
        return {f.day: f.teams for f in self.days}

    @property
    def draws(self) -> tuple[TeamDraw, ...]:
        """The random draws of the week, one per day formed with ``random_draw``."""
        return tuple(f.draw for f in self.days if f.draw is not None)


# ---------------------------------------------------------------- the model


@dataclass(slots=True)
class _Slot:
    """A team position in the model: a fixed team, a pairing, or a free slot."""

    kind: str  # "fixed", "pairing" or "free"
    team: Team | None = None
    x: dict[str, cp_model.IntVar | int] = field(default_factory=dict)
    used: cp_model.IntVar | int = 1


def _add_slots(
    m: cp_model.CpModel,
    pool: Sequence[Inspector],
    fixed: Sequence[Team],
    pairings: Sequence[Team],
    params: TeamParams,
) -> list[_Slot]:
    """Fixed teams as constants, one slot per pairing (its members in), and free slots.

    Free slot ``j`` may only hold the free officers ``j, j+1, …`` (by position): any partition
    can be relabelled this way (order teams by their first member), which removes symmetric copies.
    """
    slots = [_Slot("fixed", t, {o: 1 for o in t.officer_ids}) for t in fixed]
    paired = {o for t in pairings for o in t.officer_ids}
    free = [o for o in pool if o.id not in paired]
    for t in pairings:
        x: dict[str, cp_model.IntVar | int] = {o: 1 for o in t.officer_ids}
        for o in free:
            x[o.id] = m.new_bool_var(f"x[{o.id},{t.id}]")
        slots.append(_Slot("pairing", t, x))
    for j in range(len(free) // params.min_size):
        x = {o.id: m.new_bool_var(f"x[{o.id},{j}]") for o in free[j:]}
        slots.append(_Slot("free", None, x, m.new_bool_var(f"used[{j}]")))
    return slots


def _rule_one_team_a_day(
    m: cp_model.CpModel, slots: Sequence[_Slot], pool: Sequence[Inspector]
) -> None:
    """An officer is in at most one team per day."""
    for o in pool:
        terms = [s.x[o.id] for s in slots if s.kind != "fixed" and o.id in s.x]
        if len(terms) > 1:
            m.add(sum(terms) <= 1)


def _rule_team_size(m: cp_model.CpModel, slots: Sequence[_Slot], params: TeamParams) -> None:
    """A used team has ``min_size`` (≥ 2) to ``max_size`` officers; a pairing may exceed the
    maximum only by its own locked members."""
    for s in slots:
        if s.kind == "fixed":
            continue
        size = sum(s.x.values())
        top = max(params.max_size, sum(1 for v in s.x.values() if isinstance(v, int)))
        m.add(size >= params.min_size * s.used)
        m.add(size <= top * s.used)
    free = [s for s in slots if s.kind == "free"]
    for a, b in zip(free, free[1:], strict=False):
        m.add_implication(b.used, a.used)


def _rule_may_pair(
    m: cp_model.CpModel,
    slots: Sequence[_Slot],
    officers: Mapping[str, Inspector],
    params: TeamParams,
    pairs: frozenset[frozenset[str]],
) -> None:
    """Recused pairs never work together; members share an office and enough common hours.

    A pairing's own locked members are the planner's choice and are not checked against each other.
    """
    for s in slots:
        if s.kind == "fixed":
            continue
        for a, b in combinations(sorted(s.x), 2):
            if isinstance(s.x[a], int) and isinstance(s.x[b], int):
                continue
            if not may_pair(officers[a], officers[b], params, pairs):
                m.add(s.x[a] + s.x[b] <= 1)


def _slot_certifications(slot: _Slot, officers: Mapping[str, Inspector]) -> frozenset[str]:
    """Everything the slot could hold (all its possible members)."""
    return frozenset(c for o in slot.x for c in officers[o].certifications)


@dataclass(frozen=True, slots=True)
class _Class:
    """Visits a team treats alike: same certifications needed, same recused and previous officers.

    ``members`` are positions in the day's visit list, best priority per minute first.
    """

    need: frozenset[str]
    recused: frozenset[str]
    previous: frozenset[str]
    members: tuple[int, ...]
    loads: tuple[int, ...]
    weights: tuple[int, ...]


def _group_visits(
    visits: Sequence[Visit],
    weights: Sequence[int],
    loads: Sequence[int],
    scenario: Scenario,
    previous: Mapping[str, frozenset[str]],
) -> list[_Class]:
    """Visit classes (formation only needs how many minutes of each class a team takes)."""
    barred = business_recusals(scenario)
    groups: dict[tuple[frozenset[str], frozenset[str], frozenset[str]], list[int]] = defaultdict(
        list
    )
    for v, visit in enumerate(visits):
        key = (
            needed_certifications(visit, scenario),
            barred.get(visit.business_id, frozenset()),
            previous.get(visit.business_id, frozenset()),
        )
        groups[key].append(v)
    classes = []
    for (need, recused, before), members in sorted(groups.items(), key=lambda g: g[1][0]):
        members.sort(key=lambda v: (-weights[v] / loads[v], v))
        classes.append(
            _Class(
                need,
                recused,
                before,
                tuple(members),
                tuple(loads[v] for v in members),
                tuple(weights[v] for v in members),
            )
        )
    return classes


def _longest_day(slot: _Slot, officers: Mapping[str, Inspector], lunch_minutes: int) -> int:
    """Most minutes of visits a slot's team could take: its longest-serving member's day."""
    return max(
        0,
        max((officers[o].hours_end - officers[o].hours_start) // 60 for o in slot.x)
        - lunch_minutes,
    )


def _rule_coverage(
    m: cp_model.CpModel,
    slots: Sequence[_Slot],
    classes: Sequence[_Class],
    officers: Mapping[str, Inspector],
    lunch_minutes: int,
) -> dict[tuple[int, int], tuple[cp_model.IntVar, cp_model.IntVar]]:
    """``cov[c, k]``: team ``k`` may take visits of class ``c`` — one of its members holds each
    needed certification and none is recused from the business; ``a[c, k]`` the minutes it takes."""
    holders: dict[tuple[int, str], cp_model.IntVar] = {}
    found: dict[tuple[int, int], tuple[cp_model.IntVar, cp_model.IntVar]] = {}
    for c, cls in enumerate(classes):
        for k, s in enumerate(slots):
            if not cls.need <= _slot_certifications(s, officers):
                continue
            if any(isinstance(s.x.get(o), int) for o in cls.recused):
                continue  # a locked member is recused
            cov = m.new_bool_var(f"cov[{c},{k}]")
            for cert in sorted(cls.need):
                key = (k, cert)
                if key not in holders:
                    holders[key] = m.new_bool_var(f"has[{k},{cert}]")
                    held = [x for o, x in s.x.items() if cert in officers[o].certifications]
                    m.add(holders[key] <= sum(held))
                m.add_implication(cov, holders[key])
            for o in sorted(cls.recused):
                x = s.x.get(o)
                if x is not None and not isinstance(x, int):
                    m.add_implication(cov, x.negated())
            # The tightest bound that is still valid keeps the LP relaxation strong.
            top = min(sum(cls.loads), _longest_day(s, officers, lunch_minutes))
            minutes = m.new_int_var(0, top, f"a[{c},{k}]")
            m.add(minutes <= top * cov)
            found[c, k] = (cov, minutes)
    return found


def _class_values(
    m: cp_model.CpModel,
    classes: Sequence[_Class],
    take: Mapping[tuple[int, int], tuple[cp_model.IntVar, cp_model.IntVar]],
) -> list[cp_model.IntVar]:
    """Value of the minutes taken of each class: its visits best-first (a concave piecewise-linear
    function of the total minutes, one constraint per visit), so the model is a strong LP."""
    values = []
    for c, cls in enumerate(classes):
        minutes = [a for (cc, _), (_, a) in take.items() if cc == c]
        value = m.new_int_var(0, sum(cls.weights), f"value[{c}]")
        values.append(value)
        if not minutes:
            m.add(value == 0)
            continue
        total = sum(minutes)
        m.add(total <= sum(cls.loads))
        done_load = done_weight = 0
        for load, weight in zip(cls.loads, cls.weights, strict=True):
            # value ≤ W_before + weight × (total − L_before) / load, scaled by load
            m.add(load * value <= load * done_weight + weight * (total - done_load))
            done_load += load
            done_weight += weight
    return values


def _rule_capacity(
    m: cp_model.CpModel,
    slots: Sequence[_Slot],
    take: Mapping[tuple[int, int], tuple[cp_model.IntVar, cp_model.IntVar]],
    officers: Mapping[str, Inspector],
    lunch_minutes: int,
) -> None:
    """A team's minutes of visits (service + travel allowance) fit its day: shift − lunch, where
    the shift is the intersection of its members' hours (a constant when they all agree)."""
    for k, s in enumerate(slots):
        mine = [a for (_, kk), (_, a) in take.items() if kk == k]
        if not mine:
            continue
        starts = {o: officers[o].hours_start // 60 for o in s.x}
        ends = {o: -(-officers[o].hours_end // 60) for o in s.x}
        if len(set(starts.values())) == 1 and len(set(ends.values())) == 1:
            top = next(iter(ends.values())) - next(iter(starts.values())) - lunch_minutes
            m.add(sum(mine) <= max(top, 0))
            continue
        horizon = max(ends.values())
        start = m.new_int_var(0, horizon, f"start[{k}]")
        end = m.new_int_var(0, horizon, f"end[{k}]")
        for o, x in s.x.items():
            m.add(start >= starts[o] * x)
            m.add(end <= ends[o] + horizon * (1 - x))
        m.add(sum(mine) <= end - start - lunch_minutes)


def _rule_rotation(
    m: cp_model.CpModel,
    slots: Sequence[_Slot],
    classes: Sequence[_Class],
    take: Mapping[tuple[int, int], tuple[cp_model.IntVar, cp_model.IntVar]],
) -> list[cp_model.IntVar]:
    """Soft: an officer should not inspect a business they inspected last time. One penalty
    variable per (class, team, repeated officer), set when the team takes any of the class."""
    repeats = []
    for (c, k), (_, minutes) in take.items():
        if not classes[c].previous:
            continue
        busy = m.new_bool_var(f"busy[{c},{k}]")
        m.add(minutes <= sum(classes[c].loads) * busy)
        for o in sorted(classes[c].previous):
            x = slots[k].x.get(o)
            if x is None:
                continue
            r = m.new_bool_var(f"repeat[{c},{k},{o}]")
            m.add(r >= busy + x - 1)
            repeats.append(r)
    return repeats


def _pair_rewards(
    m: cp_model.CpModel,
    slots: Sequence[_Slot],
    rewards: Mapping[frozenset[str], int],
) -> cp_model.LinearExpr | int:
    """Σ reward × [a and b in one team] over pairs with a reward (stability, random draw)."""
    terms: list[cp_model.LinearExpr] = []
    for k, s in enumerate(slots):
        if s.kind == "fixed":
            continue
        for a, b in combinations(sorted(s.x), 2):
            weight = rewards.get(frozenset((a, b)), 0)
            if weight <= 0:
                continue
            p = m.new_bool_var(f"pair[{a},{b},{k}]")
            for x in (s.x[a], s.x[b]):
                if not isinstance(x, int):
                    m.add_implication(p, x)
            terms.append(weight * p)
    return sum(terms)


def _team_terms(
    slots: Sequence[_Slot], params: TeamParams
) -> tuple[cp_model.LinearExpr | int, cp_model.LinearExpr | int]:
    """(officers in teams, officers beyond ``min_size``) over the slots formation decides."""
    members: list[cp_model.LinearExpr | int] = []
    extra: list[cp_model.LinearExpr | int] = []
    for s in slots:
        if s.kind == "fixed":
            continue
        size = sum(s.x.values())
        members.append(size)
        extra.append(size - params.min_size * s.used)
    return sum(members), sum(extra)


def _solve(
    model: cp_model.CpModel, params: TeamParams, gap: float = 0.0
) -> tuple[cp_model.CpSolver, object]:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = params.workers
    # Deterministic time and a relative gap keep a plan reproducible; the wall-clock limit is
    # only a backstop for a badly overloaded machine.
    solver.parameters.max_deterministic_time = params.time_limit_seconds
    solver.parameters.max_time_in_seconds = 10 * params.time_limit_seconds
    solver.parameters.relative_gap_limit = gap
    solver.parameters.random_seed = params.draw_seed
    return solver, solver.solve(model)


# ---------------------------------------------------------------- formation of one day


def _present(team: Team, available: Mapping[str, Inspector]) -> tuple[str, ...]:
    return tuple(o for o in team.officer_ids if o in available)


def _locked(
    day: dt.date, scenario: Scenario, available: Mapping[str, Inspector], log: list[str]
) -> tuple[list[Team], list[Team]]:
    """The fixed teams and pairings of the day, with members who do not work that day removed."""
    fixed: list[Team] = []
    pairings: list[Team] = []
    taken: set[str] = set()
    for team in fixed_teams_on(scenario, day):
        members = tuple(o for o in _present(team, available) if o not in taken)
        absent = sorted(set(team.officer_ids) - set(members))
        if len(members) < 2:
            if team.officer_ids:
                log.append(
                    f"fixed {team.id}: fewer than two of its officers work on {day}; not used"
                )
            continue
        if absent:
            log.append(f"fixed {team.id}: {', '.join(absent)} not available on {day}")
        taken.update(members)
        (pairings if team.pairing else fixed).append(replace(team, officer_ids=members))
    return fixed, pairings


def _formed_team_id(day: dt.date, n: int, taken: set[str]) -> str:
    base = f"{WEEKDAY_NAMES[day.weekday()]}-{n}"
    name = base
    while name in taken:
        name = "F" + name
    return name


def _uncovered(
    visits: Sequence[Visit], teams: Sequence[Team], scenario: Scenario
) -> tuple[Uncovered, ...]:
    """Visits no team of ``teams`` may make, with what the closest team lacks."""
    certs = [team_certifications(t, scenario) for t in teams]
    barred = business_recusals(scenario)
    found = []
    for visit in visits:
        need = needed_certifications(visit, scenario)
        recused = barred.get(visit.business_id, frozenset())
        ok = [not (set(t.officer_ids) & recused) for t in teams]
        covering = [need <= c for c in certs]
        if any(cover and fine for cover, fine in zip(covering, ok, strict=True)):
            continue
        if any(covering):
            found.append(Uncovered(visit.business_id, (), True))
            continue
        missing = min((need - c for c in certs), key=lambda g: (len(g), sorted(g)), default=need)
        found.append(Uncovered(visit.business_id, tuple(sorted(missing))))
    return tuple(found)


def form_teams(
    scenario: Scenario,
    day: dt.date,
    demand: Sequence[Visit],
    *,
    previous: Sequence[Team] = (),
    params: TeamParams | None = None,
    boost: Mapping[str, int] | None = None,
) -> Formation:
    """Form the joint teams of ``day`` from the officers working that day.

    Parameters
    ----------
    scenario
        Inspectors (roster, certifications, hours, base), fixed teams, recusals, history officers.
    day
        The date formed; officers whose ``working_days`` exclude its weekday are not used.
    demand
        Candidate visits; those the business's hours or the obligations' earliest dates rule out on
        ``day`` are ignored.
    previous
        The teams of the day before: keeping their pairs together is the last objective tier.
    params
        Sizes, weights, random draw and time limit (``TeamParams``).
    boost
        Business id → weight multiplier (formation↔routing rounds raise unscheduled visits).

    Returns
    -------
    Formation
        Fixed teams, pairings grown as needed and formed teams; tentative visit assignment; the
        visits no team may make with the certifications missing; idle officers; a log.
    """
    params = params or TeamParams()
    boost = boost or {}
    log: list[str] = []
    available = {
        o.id: o for o in sorted(scenario.inspectors, key=lambda o: o.id) if works_on(o, day)
    }
    fixed, pairings = _locked(day, scenario, available, log)
    in_fixed = {o for t in fixed for o in t.officer_ids}
    pool = [o for o in available.values() if o.id not in in_fixed]
    if available:
        duty = (
            min(o.hours_start for o in available.values()),
            max(o.hours_end for o in available.values()),
        )
        visits = [v for v in demand if open_on(v, day, scenario, duty)]
    else:
        visits = []
    m = cp_model.CpModel()
    slots = _add_slots(m, pool, fixed, pairings, params)
    _rule_one_team_a_day(m, slots, pool)
    _rule_team_size(m, slots, params)
    _rule_may_pair(m, slots, available, params, recused_pairs(scenario))
    weights = [visit_weight(v) * boost.get(v.business_id, 1) for v in visits]
    loads = [-(-v.service_seconds // 60) + params.travel_minutes_per_visit for v in visits]
    classes = _group_visits(visits, weights, loads, scenario, previous_officers(scenario))
    take = _rule_coverage(m, slots, classes, available, scenario.settings.lunch_minutes)
    _rule_capacity(m, slots, take, available, scenario.settings.lunch_minutes)
    coverage = sum(_class_values(m, classes, take))
    repeats = _rule_rotation(m, slots, classes, take)
    members, extra = _team_terms(slots, params)
    together = _pair_rewards(m, slots, _rewards(day, pool, previous, params))
    m.maximize(coverage)
    solver, status = _solve(m, params, params.gap_limit)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _fallback_formation(day, scenario, fixed, pool, visits, solver.status_name(status))
    first_status = solver.status_name(status)
    # Tier 2: keep the coverage, then rotation, idle officers, team size, stability / draw.
    m.add(coverage >= int(round(solver.objective_value)))
    for var, value in _solution(slots, take, solver):
        m.add_hint(var, value)
    m.minimize(
        params.rotation_weight * sum(repeats)
        - params.idle_weight * members
        + params.extra_member_weight * extra
        - together
    )
    solver, status = _solve(m, params)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # pragma: no cover - tier 1 is a hint
        log.append(f"team model, second tier: {solver.status_name(status)}")
        return Formation(day, tuple(fixed), log=tuple(log), status=solver.status_name(status))
    teams, team_of_slot = _read_teams(day, solver, slots)
    assigned = _read_assignment(solver, classes, take, team_of_slot, visits)
    busy = {o for t in teams for o in t.officer_ids}
    idle = tuple(o.id for o in pool if o.id not in busy)
    if idle:
        log.append(f"idle on {day}: {', '.join(idle)} (no team they may join)")
    draw = None
    if params.random_draw:
        population = tuple(o.id for o in pool)
        draw = TeamDraw(day, params.draw_seed, population, tuple(t.officer_ids for t in teams))
    weight_of = {v.business_id: visit_weight(v) for v in visits}
    return Formation(
        day=day,
        teams=teams,
        assigned=assigned,
        uncovered=_uncovered(visits, teams, scenario),
        idle=idle,
        log=tuple(log),
        draw=draw,
        covered_weight=sum(weight_of[b] for _, b in assigned),
        demand_weight=sum(weight_of.values()),
        status=f"{first_status}/{solver.status_name(status)}",
    )


def _fallback_formation(
    day: dt.date,
    scenario: Scenario,
    fixed: Sequence[Team],
    pool: Sequence[Inspector],
    visits: Sequence[Visit],
    status: str,
) -> Formation:
    """When CP-SAT finds no formation in its time (very large days), pair the free officers
    greedily (``crew.pair_officers``) so that a plan can always be made."""
    taken = {t.id for t in fixed}
    formed = [
        Team(_formed_team_id(day, n, taken), tuple(sorted(o.id for o in members)), (day.weekday(),))
        for n, members in enumerate(pair_officers(pool, scenario), start=1)
    ]
    teams = (*fixed, *formed)
    busy = {o for t in teams for o in t.officer_ids}
    note = (
        f"team model: {status} in its time limit; the {len(pool)} free officers of {day} were "
        f"paired greedily instead ({len(formed)} teams)"
    )
    return Formation(
        day,
        teams,
        uncovered=_uncovered(visits, teams, scenario),
        idle=tuple(o.id for o in pool if o.id not in busy),
        log=(note,),
        status=f"{status}/greedy",
    )


def _rewards(
    day: dt.date, pool: Sequence[Inspector], previous: Sequence[Team], params: TeamParams
) -> dict[frozenset[str], int]:
    """Pair rewards of the last tier: seeded random scores (双随机), else yesterday's pairs."""
    rewards: dict[frozenset[str], int] = {}
    if params.random_draw:
        for a, b in combinations(sorted(o.id for o in pool), 2):
            rewards[frozenset((a, b))] = draw_score(params.draw_seed, day, a, b)
    else:
        for t in previous:
            for a, b in combinations(t.officer_ids, 2):
                rewards[frozenset((a, b))] = params.stability_weight
    return rewards


def _solution(
    slots: Sequence[_Slot],
    take: Mapping[tuple[int, int], tuple[cp_model.IntVar, cp_model.IntVar]],
    solver: cp_model.CpSolver,
) -> list[tuple[cp_model.IntVar, int]]:
    """Membership, use, coverage and minutes of tier 1's solution (the hint of tier 2)."""
    found = [x for s in slots for x in s.x.values() if not isinstance(x, int)]
    found += [s.used for s in slots if not isinstance(s.used, int)]
    found += [v for pair in take.values() for v in pair]
    return [(v, solver.value(v)) for v in found]


def _read_teams(
    day: dt.date, solver: cp_model.CpSolver, slots: Sequence[_Slot]
) -> tuple[tuple[Team, ...], dict[int, str]]:
    """The teams of the solution and the team id of each used slot."""
    teams: list[Team] = []
    team_of_slot: dict[int, str] = {}
    taken = {s.team.id for s in slots if s.team is not None}
    weekday = (day.weekday(),)
    for k, s in enumerate(slots):
        members = tuple(
            sorted(o for o, x in s.x.items() if (x if isinstance(x, int) else solver.value(x)))
        )
        if s.kind == "fixed" and s.team is not None:
            team = s.team
        elif s.kind == "pairing" and s.team is not None:
            locked = s.team.officer_ids
            team = Team(s.team.id, locked + tuple(o for o in members if o not in locked), weekday)
        elif len(members) >= 2:
            n = sum(1 for t in teams if t.id not in taken) + 1
            team = Team(_formed_team_id(day, n, taken), members, weekday)
        else:
            continue
        teams.append(team)
        team_of_slot[k] = team.id
    return tuple(teams), team_of_slot


def _read_assignment(
    solver: cp_model.CpSolver,
    classes: Sequence[_Class],
    take: Mapping[tuple[int, int], tuple[cp_model.IntVar, cp_model.IntVar]],
    team_of_slot: Mapping[int, str],
    visits: Sequence[Visit],
) -> tuple[tuple[str, str], ...]:
    """(team id, business id) pairs: each team's minutes of a class filled with its visits,
    best first; a visit counts when at least half of it fits."""
    found = []
    for c, cls in enumerate(classes):
        queue = list(zip(cls.members, cls.loads, strict=True))
        for k in sorted(k for (cc, k) in take if cc == c):
            left = solver.value(take[c, k][1])
            while queue and left * 2 >= queue[0][1] and k in team_of_slot:
                v, load = queue.pop(0)
                found.append((team_of_slot[k], visits[v].business_id))
                left -= load
    return tuple(sorted(found))


# ---------------------------------------------------------------- the week


def form_week(
    scenario: Scenario,
    week_start: dt.date,
    demand: Sequence[Visit] | Mapping[dt.date, Sequence[Visit]],
    *,
    params: TeamParams | None = None,
    previous: Sequence[Team] = (),
    boost: Mapping[str, int] | None = None,
    days: int = 7,
) -> WeekFormation:
    """Form the teams of every day of the week, day after day.

    With one list of visits for the whole week, each day is formed for the visits the earlier
    days did not take (tentatively, within the teams' capacity), so teams for rare certifications
    appear on as many days as their demand needs. With visits per day, each day gets its own.

    Parameters
    ----------
    scenario, params, boost
        As in ``form_teams``.
    week_start
        The Monday of the week.
    demand
        The week's candidate visits, or day → that day's visits.
    previous
        The teams of the day before ``week_start`` (stability of the first day).
    days
        How many days from ``week_start`` (7: the whole week; days nobody works get no teams).

    Returns
    -------
    WeekFormation
        One ``Formation`` per day on which at least one officer works.
    """
    params = params or TeamParams()
    formations = []
    left = list(demand) if not isinstance(demand, Mapping) else []
    before = tuple(previous)
    for offset in range(days):
        day = week_start + dt.timedelta(days=offset)
        if not scenario.settings.is_working_day(day) or not any(
            works_on(o, day) for o in scenario.inspectors
        ):
            continue  # a public holiday or nobody rostered: no teams
        todays = demand.get(day, ()) if isinstance(demand, Mapping) else left
        formation = form_teams(scenario, day, todays, previous=before, params=params, boost=boost)
        formations.append(formation)
        before = formation.teams
        if not isinstance(demand, Mapping):
            taken = {b for _, b in formation.assigned}
            left = [v for v in left if v.business_id not in taken]
    return WeekFormation(week_start, tuple(formations))


# ---------------------------------------------------------------- split visits (last resort)


def week_uncovered(
    scenario: Scenario,
    visits: Sequence[Visit],
    teams_by_day: Mapping[dt.date, Sequence[Team]],
) -> tuple[Uncovered, ...]:
    """Visits that no team of any day may make in full (certifications or recusal), whatever
    the day; what the closest team of the week lacks."""
    teams = [t for day_teams in teams_by_day.values() for t in day_teams]
    return _uncovered(visits, teams, scenario)


@dataclass(frozen=True, slots=True)
class Split:
    """The coverable part of a visit no team can make in full, and the obligations left over."""

    visit: Visit
    left: tuple[Unscheduled, ...]


def split_visit(
    visit: Visit,
    teams: Sequence[Team],
    scenario: Scenario,
    plan_params: PlanParams | None = None,
    days: str = "",
) -> Split | None:
    """Keep the part of ``visit`` that one of ``teams`` can make (the most priority of it), and
    leave the rest unscheduled with "no team certified for …".

    Returns ``None`` when no team may make any of it (recusal, or no certification at all).
    The left-over obligations mean a second visit for the business: count them as such.
    """
    from planner.merge import visit_seconds

    plan_params = plan_params or PlanParams()
    barred = business_recusals(scenario).get(visit.business_id, frozenset())
    best: tuple[int, tuple[Obligation, ...]] = (0, ())
    for team in teams:
        if set(team.officer_ids) & barred:
            continue
        certs = team_certifications(team, scenario)
        part = tuple(
            o for o in visit.obligations if scenario.item(o.item_id).certification in certs
        )
        weight = sum(max(o.priority, 1) for o in part)
        if weight > best[0]:
            best = (weight, part)
    part = best[1]
    if not part or len(part) == len(visit.obligations):
        return None
    rest = tuple(o for o in visit.obligations if o not in part)
    titles = ", ".join(dict.fromkeys(scenario.item(o.item_id).title for o in rest))
    when = f" on {days}" if days else ""
    reason = (
        f"no team certified for {titles} together with the visit's other items{when}: "
        "left for a second visit"
    )
    items = [scenario.item(o.item_id) for o in part]
    seconds = visit_seconds(items, scenario.settings.setup_minutes, plan_params)
    return Split(
        Visit(visit.business_id, part, seconds),
        tuple(Unscheduled(o, reason) for o in rest),
    )


def split_uncoverable(
    scenario: Scenario,
    visits: Sequence[Visit],
    teams_by_day: Mapping[dt.date, Sequence[Team]],
    plan_params: PlanParams | None = None,
) -> tuple[tuple[Visit, ...], tuple[Unscheduled, ...], int]:
    """Replace every visit no team of the week can make in full by its coverable part.

    Returns the new visits (same order), the obligations left over with their reason, and how
    many businesses will need a second visit.
    """
    teams = [t for day_teams in teams_by_day.values() for t in day_teams]
    names = [WEEKDAY_NAMES[d.weekday()] for d, ts in sorted(teams_by_day.items()) if ts]
    days = f"{names[0]}–{names[-1]}" if len(names) > 1 else "".join(names)
    blocked = {u.business_id for u in _uncovered(visits, teams, scenario) if u.missing}
    out: list[Visit] = []
    left: list[Unscheduled] = []
    seconds = 0
    for visit in visits:
        split = (
            split_visit(visit, teams, scenario, plan_params, days)
            if visit.business_id in blocked
            else None
        )
        if split is None:
            out.append(visit)
            continue
        out.append(split.visit)
        left.extend(split.left)
        seconds += 1
    return tuple(out), tuple(left), seconds


# ---------------------------------------------------------------- formation ↔ routing rounds


def improve_rounds(
    scenario: Scenario,
    week_start: dt.date,
    visits: Sequence[Visit],
    route: Callable[[dict[dt.date, tuple[Team, ...]]], tuple[float, frozenset[str], R]],
    *,
    params: TeamParams | None = None,
    budget_seconds: float | None = None,
    clock: Callable[[], float] | None = None,
    days: int = 7,
) -> Rounds[R]:
    """Alternate formation and routing; keep the best; stop after ``params.rounds`` or the budget.

    Teams shape routing and routing reveals unmet demand: ``route(teams_by_day)`` routes the week
    and returns (score, businesses left unscheduled, whatever it made — e.g. the plan); higher
    scores are better. Each next round multiplies the weight of the businesses left unscheduled
    by ``params.boost_factor``, so formation re-forms teams towards the certifications and
    capacity they lacked. A next round starts only when, at the mean pace of the rounds so far,
    it would end within the budget (``params.rounds_budget_seconds`` unless given).

    Returns
    -------
    Rounds
        The best round's formation, score and routing result, and one log line per round.
    """
    import time

    params = params or TeamParams()
    clock = clock or time.monotonic
    budget = params.rounds_budget_seconds if budget_seconds is None else budget_seconds
    start = clock()
    boost: dict[str, int] = {}
    best: Rounds[R] | None = None
    log: list[str] = []
    for n in range(params.rounds):
        formation = form_week(scenario, week_start, visits, params=params, boost=boost, days=days)
        score, unscheduled, made = route(formation.teams_by_day())
        log.append(f"round {n + 1}: score {score:.1f}, {len(unscheduled)} businesses unscheduled")
        if best is None or score > best.score:
            best = Rounds(formation, score, made, ())
        spent = clock() - start
        if not unscheduled or spent + spent / (n + 1) > budget:
            break  # a next round would likely end past the budget
        for b in unscheduled:
            boost[b] = boost.get(b, 1) * params.boost_factor
    assert best is not None  # rounds ≥ 1
    return replace(best, log=tuple(log))


@dataclass(frozen=True, slots=True)
class Rounds(Generic[R]):
    """The best round of formation ↔ routing (``improve_rounds``)."""

    formation: WeekFormation
    score: float
    result: R
    log: tuple[str, ...]


def plan_score(plan: Plan) -> float:
    """A plan's worth for the rounds: the priorities of the obligations its routes discharge."""
    return float(
        sum(max(o.priority, 1) for r in plan.routes for s in r.stops for o in s.visit.obligations)
    )


def unscheduled_businesses(plan: Plan, visits: Sequence[Visit]) -> frozenset[str]:
    """Businesses of ``visits`` that no route of ``plan`` visits."""
    visited = {s.visit.business_id for r in plan.routes for s in r.stops}
    return frozenset(v.business_id for v in visits) - visited
