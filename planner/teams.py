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

import numpy as np
from ortools.sat.python import cp_model

from planner.crew import shared_hours, works_on
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
# Model size (officers × visit classes) CP-SAT forms in ``time_limit_seconds``; larger models get
# proportionally more time, up to ``_MAX_SCALE`` times; models over twice that go greedy.
# Measured on synthetic townships (2 loaded cores): 26 officers × 95 classes (2,000 businesses)
# found a formation in 0.25 s and its best in 1 s; 48 officers × 143 classes (3,800 businesses)
# found none in 8 s — so such models go straight to the greedy formation.
_SIZE_PER_SECOND = 2500
_MAX_SCALE = 2.0
_MIN_SHARE = 0.25

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


# Tier 2 (rotation, idle officers, team size, stability) starts from tier 1's solution as a hint
# and often has its best plan at once, then spends its time proving it (a weak LP bound): it
# stops once within this share of the bound. On the demo week this stops Monday's tier 2 at
# once with the plan it ends with anyway (4.07 → 3.50 deterministic seconds for the week, the
# same teams every day; benchmarks/demo_speed.py --formation). Not with a random draw (its
# scores must be maximised exactly).
TIER2_GAP = 0.05
# The coverage tier presolves once, not CP-SAT's default of three or more rounds: presolve is
# not counted in deterministic time and was ~20 % of formation's CPU. Tier 2 keeps the default:
# with one round it stopped within TIER2_GAP before keeping yesterday's pair together (the
# stability reward is smaller than the gap on a small day).
TIER1_PRESOLVE_ROUNDS = 1


def _solve(
    model: cp_model.CpModel,
    params: TeamParams,
    gap: float = 0.0,
    presolve_rounds: int | None = None,
) -> tuple[cp_model.CpSolver, object]:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = params.workers
    # Deterministic time and a relative gap keep a plan reproducible; the wall-clock limit is
    # only a backstop for a badly overloaded machine.
    solver.parameters.max_deterministic_time = params.time_limit_seconds
    solver.parameters.max_time_in_seconds = 10 * params.time_limit_seconds
    solver.parameters.relative_gap_limit = gap
    solver.parameters.random_seed = params.draw_seed
    if presolve_rounds is not None:
        solver.parameters.max_presolve_iterations = presolve_rounds
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


def _formed_team_id(day: dt.date, taken: set[str]) -> str:
    """The first of ``Mon-1``, ``Mon-2``, … not in ``taken``."""
    n = 1
    while f"{WEEKDAY_NAMES[day.weekday()]}-{n}" in taken:
        n += 1
    return f"{WEEKDAY_NAMES[day.weekday()]}-{n}"


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

    Each office's officers are formed on their own, for the visits of that office's area
    (``office_of_visits``): teams never mix offices, so the day's model splits into one small
    model per office. After CP-SAT, a greedy completion (``complete_teams``) places every officer
    it left idle who can still be paired or join a team; whoever stays idle is logged with the
    reason.

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
    offices = sorted({o.base for o in available.values()})
    area = office_of_visits(scenario, visits, list(available.values()))
    taken = {t.id for t in (*fixed, *pairings)}
    teams: list[Team] = []
    assigned: list[tuple[str, str]] = []
    idle: list[str] = []
    statuses: list[str] = []
    for office in offices:
        part = _form_office(
            scenario,
            day,
            [v for v in visits if area[v.business_id] == office],
            [t for t in fixed if _base(t, available) == office],
            [t for t in pairings if _base(t, available) == office],
            [o for o in pool if o.base == office],
            previous=previous,
            params=params,
            boost=boost or {},
            taken=taken,
            share=sum(o.base == office for o in pool) / max(len(pool), 1),
        )
        teams += part.teams
        assigned += part.assigned
        idle += part.idle
        log += part.log
        statuses.append(part.status if len(offices) == 1 else f"{office} {part.status}")
    draw = None
    if params.random_draw:
        population = tuple(o.id for o in pool)
        formed = tuple(t.officer_ids for t in teams if t.id not in {f.id for f in fixed})
        draw = TeamDraw(day, params.draw_seed, population, formed)
    weight_of = {v.business_id: visit_weight(v) for v in visits}
    return Formation(
        day=day,
        teams=tuple(teams),
        assigned=tuple(sorted(assigned)),
        uncovered=_uncovered(visits, teams, scenario),
        idle=tuple(idle),
        log=tuple(log),
        draw=draw,
        covered_weight=sum(weight_of[b] for _, b in assigned),
        demand_weight=sum(weight_of.values()),
        status=", ".join(statuses) if statuses else "no officers",
    )


def _base(team: Team, available: Mapping[str, Inspector]) -> str:
    """The office of a fixed team or pairing: its first working member's."""
    return available[team.officer_ids[0]].base


def office_of_visits(
    scenario: Scenario, visits: Sequence[Visit], officers: Sequence[Inspector]
) -> dict[str, str]:
    """Business id → the office whose officers form the teams for its visit: the nearest office
    (straight line) whose ``officers`` together hold every certification the visit needs, else
    the nearest office with officers at all.

    Offices are the ``base`` of the given officers; a base the settings do not locate counts as
    farther than any located one.
    """
    from planner.travel import haversine_metres

    bases = sorted({o.base for o in officers})
    if not visits or not bases:
        return {}
    if len(bases) == 1:
        return {v.business_id: bases[0] for v in visits}
    held = {
        b: frozenset(c for o in officers if o.base == b for c in o.certifications) for b in bases
    }
    where = {o.id: (o.lon, o.lat) for o in scenario.settings.offices}
    shops = [scenario.business(v.business_id) for v in visits]
    lon = np.array([b.lon for b in shops])
    lat = np.array([b.lat for b in shops])
    far = np.full(len(shops), np.inf)
    distance = {
        b: haversine_metres(where[b][0], where[b][1], lon, lat) if b in where else far
        for b in bases
    }
    found = {}
    for n, visit in enumerate(visits):
        need = needed_certifications(visit, scenario)
        order = sorted(bases, key=lambda b: (float(distance[b][n]), b))
        able = [b for b in order if need <= held[b]]
        found[visit.business_id] = (able or order)[0]
    return found


def formation_time_limit(
    params: TeamParams, officers: int, classes: int, share: float = 1.0
) -> float | None:
    """CP-SAT's deterministic seconds per tier for one office's day, scaled to the model's size
    (officers × visit classes); ``None`` when the model is too large to find a formation in
    any time worth spending (then ``complete_teams`` forms the teams greedily).

    ``params.time_limit_seconds`` is the limit of a model up to ``_SIZE_PER_SECOND``; larger
    models get proportionally more, up to ``_MAX_SCALE`` times; beyond that, ``None``. An office
    holding ``share`` of the day's officers gets that share of it (at least ``_MIN_SHARE``), so
    a county of many small offices costs about what one township does.
    """
    size = officers * max(classes, 1)
    if size > _SIZE_PER_SECOND * _MAX_SCALE:
        return None
    scale = min(_MAX_SCALE, max(1.0, size / _SIZE_PER_SECOND))
    return params.time_limit_seconds * scale * max(_MIN_SHARE, min(share, 1.0))


@dataclass(frozen=True, slots=True)
class _Formed:
    """One office's part of a day's formation."""

    teams: tuple[Team, ...]
    assigned: tuple[tuple[str, str], ...]
    idle: tuple[str, ...]
    log: tuple[str, ...]
    status: str


def _form_office(
    scenario: Scenario,
    day: dt.date,
    visits: Sequence[Visit],
    fixed: Sequence[Team],
    pairings: Sequence[Team],
    pool: Sequence[Inspector],
    *,
    previous: Sequence[Team],
    params: TeamParams,
    boost: Mapping[str, int],
    taken: set[str],
    share: float = 1.0,
) -> _Formed:
    """CP-SAT formation of one office's officers for its visits, then the greedy completion;
    ``share`` is the office's share of the day's officers (of the time limit)."""
    officers = {o.id: o for o in pool} | {
        o: scenario.inspector(o) for t in fixed for o in t.officer_ids
    }
    weights = [visit_weight(v) * boost.get(v.business_id, 1) for v in visits]
    loads = [-(-v.service_seconds // 60) + params.travel_minutes_per_visit for v in visits]
    classes = _group_visits(visits, weights, loads, scenario, previous_officers(scenario))
    limit = formation_time_limit(params, len(pool), len(classes), share)
    if limit is None:
        return _greedy_formation(
            day, scenario, fixed, pairings, pool, visits, params, taken, "too large for CP-SAT"
        )
    tuned = replace(params, time_limit_seconds=limit)
    m = cp_model.CpModel()
    slots = _add_slots(m, pool, fixed, pairings, params)
    _rule_one_team_a_day(m, slots, pool)
    _rule_team_size(m, slots, params)
    _rule_may_pair(m, slots, officers, params, recused_pairs(scenario))
    take = _rule_coverage(m, slots, classes, officers, scenario.settings.lunch_minutes)
    _rule_capacity(m, slots, take, officers, scenario.settings.lunch_minutes)
    coverage = sum(_class_values(m, classes, take))
    repeats = _rule_rotation(m, slots, classes, take)
    members, extra = _team_terms(slots, params)
    together = _pair_rewards(m, slots, _rewards(day, pool, previous, params))
    m.maximize(coverage)
    solver, status = _solve(m, tuned, params.gap_limit, TIER1_PRESOLVE_ROUNDS)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _greedy_formation(
            day, scenario, fixed, pairings, pool, visits, params, taken, solver.status_name(status)
        )
    first_status = solver.status_name(status)
    # Tier 2: keep the coverage, then rotation, idle officers, team size, stability / draw.
    m.add(coverage >= int(round(solver.objective_value)))
    hint = _solution(slots, take, solver)
    for var, value in hint:
        m.add_hint(var, value)
    m.minimize(
        params.rotation_weight * sum(repeats)
        - params.idle_weight * members
        + params.extra_member_weight * extra
        - together
    )
    # A random draw's scores are the last tier: the drawn pairing must be the best scored one.
    second, status = _solve(m, tuned, 0.0 if params.random_draw else TIER2_GAP)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solver = second
    # else: tier 2 ran out of time even with tier 1's solution as a hint; keep tier 1's.
    teams, team_of_slot = _read_teams(day, solver, slots, taken)
    assigned = _read_assignment(solver, classes, take, team_of_slot, visits)
    done = complete_teams(day, teams, assigned, visits, pool, scenario, params, taken)
    return _Formed(
        done.teams,
        assigned,
        done.idle,
        done.log,
        f"{first_status}/{second.status_name(status)}" + ("+greedy" if done.added else ""),
    )


def _greedy_formation(
    day: dt.date,
    scenario: Scenario,
    fixed: Sequence[Team],
    pairings: Sequence[Team],
    pool: Sequence[Inspector],
    visits: Sequence[Visit],
    params: TeamParams,
    taken: set[str],
    status: str,
) -> _Formed:
    """When CP-SAT finds no formation in its time (or the model is too large to try), form the
    teams greedily: ``complete_teams`` from no formed team at all — a maximum matching of the
    free officers weighted by the visits each pair could make, then joins — so that a plan can
    always be made and no pair is two specialists of the same trade while visits need others."""
    paired = {o for t in pairings for o in t.officer_ids}
    free = [o for o in pool if o.id not in paired]
    done = complete_teams(day, (*fixed, *pairings), (), visits, pool, scenario, params, taken)
    formed = len(done.teams) - len(fixed) - len(pairings)
    note = (
        f"team model: {status}; the {len(free)} free officers of {day} at office "
        f"{pool[0].base if pool else '-'} were paired greedily instead ({formed} teams)"
    )
    log = (note, *(x for x in done.log if not x.endswith("(two idle officers)")))
    return _Formed(done.teams, (), done.idle, log, f"{status}/greedy")


# ---------------------------------------------------------------- greedy completion


@dataclass(frozen=True, slots=True)
class Completion:
    """``complete_teams``' result: the teams, the officers still idle, and what it did and why."""

    teams: tuple[Team, ...]
    idle: tuple[str, ...]
    log: tuple[str, ...]
    added: int  # officers the completion placed


class _Demand:
    """The unplanned demand of a day, grouped by what a team needs to make it: priority weight
    and minutes (service + travel allowance) by (certifications needed, officers recused)."""

    def __init__(self, visits: Sequence[Visit], scenario: Scenario, params: TeamParams) -> None:
        barred = business_recusals(scenario)
        self.lunch = scenario.settings.lunch_minutes
        self.weight: dict[tuple[frozenset[str], frozenset[str]], int] = defaultdict(int)
        self.minutes: dict[tuple[frozenset[str], frozenset[str]], int] = defaultdict(int)
        for v in visits:
            key = (
                needed_certifications(v, scenario),
                barred.get(v.business_id, frozenset()),
            )
            self.weight[key] += visit_weight(v)
            self.minutes[key] += -(-v.service_seconds // 60) + params.travel_minutes_per_visit

    def minutes_for(self, members: Sequence[Inspector]) -> int:
        """Minutes of the unplanned visits a team of ``members`` may make."""
        certs = {c for o in members for c in o.certifications}
        ids = {o.id for o in members}
        return sum(m for k, m in self.minutes.items() if k[0] <= certs and not k[1] & ids)

    def value(self, members: Sequence[Inspector]) -> int:
        """What a team of ``members`` could make of the unplanned visits in one day: the weight
        of those it may make, scaled down to the share of their minutes its day holds (a pair
        that could make only a handful of visits is worth that handful, however busy the day)."""
        certs = {c for o in members for c in o.certifications}
        ids = {o.id for o in members}
        keys = [k for k in self.weight if k[0] <= certs and not k[1] & ids]
        weight = sum(self.weight[k] for k in keys)
        minutes = sum(self.minutes[k] for k in keys)
        day = max(shared_hours(members) // 60 - self.lunch, 0)
        return weight if minutes <= day else weight * day // minutes


def complete_teams(
    day: dt.date,
    teams: Sequence[Team],
    assigned: Sequence[tuple[str, str]],
    visits: Sequence[Visit],
    pool: Sequence[Inspector],
    scenario: Scenario,
    params: TeamParams,
    taken: set[str] | None = None,
) -> Completion:
    """Place the officers of ``pool`` that no team holds, greedily, where they add capacity or
    coverage of the visits not yet assigned; log why each one still idle stays idle.

    In this order, each move only when the teams' rules (``may_pair``, sizes) allow it:

    1. pair idle officers with each other — a maximum matching, heaviest (most unassigned visit
       weight the pair could make) among the largest;
    2. swap: two idle officers ``x``, ``y`` and a formed pair ``{a, b}`` become ``{a, x}`` and
       ``{b, y}`` when ``{a, x}`` can still make every visit assigned to ``{a, b}``;
    3. split: an idle officer takes a member from a formed team larger than ``min_size`` that can
       still make every visit assigned to it;
    4. join: an idle officer joins a team below ``max_size`` (not a fixed team) when it adds
       coverage of unassigned visits or does not shorten the team's hours, and never cuts them
       by half or more.

    Fixed teams are never changed; a pairing's core members stay in it.

    Returns
    -------
    Completion
        The teams (same order, new teams appended), the officers still idle and the log.
    """
    taken = set(taken or ()) | {t.id for t in teams}
    officer = {o.id: o for o in pool} | {
        o: scenario.inspector(o) for t in teams for o in t.officer_ids
    }
    pairs = recused_pairs(scenario)
    fixed_ids = {t.id for t in scenario.teams if not t.pairing}
    core = {t.id: set(t.officer_ids) for t in scenario.teams if t.pairing}
    draft = {t.id: list(t.officer_ids) for t in teams}
    order = [t.id for t in teams]
    busy = {o for t in teams for o in t.officer_ids}
    idle = [o.id for o in pool if o.id not in busy]
    mine = {b for _, b in assigned}
    demand = _Demand([v for v in visits if v.business_id not in mine], scenario, params)
    need_of: dict[str, list[tuple[frozenset[str], str]]] = defaultdict(list)
    visit_of = {v.business_id: v for v in visits}
    for team_id, business in assigned:
        if business in visit_of:
            need_of[team_id].append((needed_certifications(visit_of[business], scenario), business))
    barred = business_recusals(scenario)
    log: list[str] = []
    added = 0

    def ok(a: str, b: str) -> bool:
        return may_pair(officer[a], officer[b], params, pairs)

    def keeps(team_id: str, members: Sequence[str]) -> bool:
        """Whether ``members`` can still make every visit assigned to ``team_id``."""
        certs = {c for o in members for c in officer[o].certifications}
        return all(
            need <= certs and not barred.get(b, frozenset()) & set(members)
            for need, b in need_of[team_id]
        )

    def new_team(members: Sequence[str], why: str) -> str:
        team_id = _formed_team_id(day, taken)
        taken.add(team_id)
        draft[team_id] = list(members)
        order.append(team_id)
        log.append(f"completion on {day}: formed {team_id} = {'+'.join(members)} ({why})")
        return team_id

    def best_join(x: str, exclude: Sequence[str]) -> str | None:
        """The team ``x`` best joins: room below ``max_size``, may pair with every member,
        adds coverage or keeps the team's hours (never cuts them by half or more)."""
        options = []
        for team_id in order:
            members = draft[team_id]
            if team_id in exclude or team_id in fixed_ids or len(members) >= params.max_size:
                continue
            if not all(ok(x, o) for o in members):
                continue
            now = shared_hours([officer[o] for o in members])
            after = shared_hours([officer[o] for o in (*members, x)])
            gain = demand.value([officer[o] for o in (*members, x)]) - demand.value(
                [officer[o] for o in members]
            )
            if (
                2 * after > now
                and after >= 60 * params.min_overlap_minutes
                and (gain > 0 or after == now)
                and keeps(team_id, (*members, x))
            ):
                options.append((gain, after, -len(members), team_id))
        return max(options)[3] if options else None

    # 1. pair idle officers: a maximum matching, the heaviest among the largest.
    matching: list[tuple[str, str]] = []
    if len(idle) >= 2:  # (fewer: nothing to match, and NetworkX takes ~0.3 s to import)
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(idle)
        for a, b in combinations(idle, 2):
            if ok(a, b):
                graph.add_edge(a, b, weight=1 + demand.value([officer[a], officer[b]]))
        matches = nx.max_weight_matching(graph, maxcardinality=True)
        matching = sorted((min(a, b), max(a, b)) for a, b in matches)
    matched = []
    for a, b in matching:
        matched.append(new_team((a, b), "two idle officers"))
        idle.remove(a)
        idle.remove(b)
        added += 2
    # 1b. a matched pair that could fill less than a quarter of its day (two specialists of a
    # rare trade) is worth more as the third members of other teams, when both can join one.
    for team_id in matched:
        if len(draft[team_id]) != 2:
            continue  # someone joined it already: it is not weak
        a, b = draft[team_id]
        pair = [officer[a], officer[b]]
        if 4 * demand.minutes_for(pair) >= max(shared_hours(pair) // 60 - demand.lunch, 0):
            continue
        first = best_join(a, (team_id,))
        if first is None:
            continue
        draft[first].append(a)
        second = best_join(b, (team_id,))
        if second is None:
            draft[first].remove(a)
            continue
        draft[second].append(b)
        order.remove(team_id)
        del draft[team_id]
        log.append(
            f"completion on {day}: {a}+{b} could fill little of their day; "
            f"{a} joined {first}, {b} joined {second}"
        )
    # 2. swap two idle officers into a formed pair.
    for team_id in [t for t in order if t not in fixed_ids and t not in core]:
        members = draft[team_id]
        if len(members) != 2 or len(idle) < 2:
            continue
        done = False
        for x, y in ((x, y) for x in idle for y in idle if x != y):
            for a, b in (members, members[::-1]):
                if ok(a, x) and ok(b, y) and keeps(team_id, (a, x)):
                    draft[team_id] = [a, x]
                    new_team((b, y), f"{b} left {team_id} for {x} so that {y} could work")
                    idle.remove(x)
                    idle.remove(y)
                    added += 2
                    done = True
                    break
            if done:
                break
    # 3. split: an idle officer takes a member from a team larger than min_size.
    for x in list(idle):
        best: tuple[int, str, str] | None = None
        for team_id in order:
            members = draft[team_id]
            if team_id in fixed_ids or len(members) <= params.min_size:
                continue
            for y in members:
                rest = [o for o in members if o != y]
                if y in core.get(team_id, ()) or not ok(x, y) or not keeps(team_id, rest):
                    continue
                gain = demand.value([officer[x], officer[y]])
                if best is None or gain > best[0]:
                    best = (gain, team_id, y)
        if best is not None:
            _, team_id, y = best
            draft[team_id].remove(y)
            new_team((y, x), f"{y} left {team_id} to pair with idle {x}")
            idle.remove(x)
            added += 1
    # 4. join a team with room.
    for x in list(idle):
        joined = best_join(x, ())
        if joined is not None:
            draft[joined].append(x)
            idle.remove(x)
            added += 1
            log.append(f"completion on {day}: {x} joined {joined}")
    by_id = {t.id: t for t in teams}
    out = []
    for team_id in order:
        final = tuple(draft[team_id])
        if team_id in by_id:
            old = by_id[team_id]
            out.append(old if old.officer_ids == final else replace(old, officer_ids=final))
        else:
            out.append(Team(team_id, final, (day.weekday(),)))
    if idle:
        reasons = [
            f"{o} ({idle_reason(officer[o], day, pool, out, scenario, params)})" for o in idle
        ]
        log.append(f"idle on {day}: " + "; ".join(reasons))
    return Completion(tuple(out), tuple(idle), tuple(log), added)


def idle_reason(
    officer: Inspector,
    day: dt.date,
    pool: Sequence[Inspector],
    teams: Sequence[Team],
    scenario: Scenario,
    params: TeamParams,
) -> str:
    """Why ``officer`` is in no team on ``day``, as a planner reads it."""
    others = [o for o in scenario.inspectors if o.id != officer.id and works_on(o, day)]
    office = [o for o in others if o.base == officer.base]
    if not office:
        return f"no other officer of office {officer.base} works on {WEEKDAY_NAMES[day.weekday()]}"
    overlap = [o for o in office if shared_hours([o, officer]) >= 60 * params.min_overlap_minutes]
    if not overlap:
        return (
            f"no officer of office {officer.base} shares {params.min_overlap_minutes} min of "
            "duty hours with them"
        )
    pairs = recused_pairs(scenario)
    partners = [o for o in overlap if frozenset((o.id, officer.id)) not in pairs]
    if not partners:
        return "recused from working with every officer of their office on duty with them"
    team_of = {o: t for t in teams for o in t.officer_ids}
    fixed = {t.id for t in scenario.teams if not t.pairing}
    full = sorted({team_of[o.id].id for o in partners if o.id in team_of})
    if full and all(team_of[o.id].id in fixed for o in partners if o.id in team_of):
        return f"their possible partners are all in fixed teams ({', '.join(full)})"
    return (
        f"their possible partners are in teams they cannot join ({', '.join(full)}: full at "
        f"{params.max_size}, a recused member, or their hours would cut the team's by half or "
        "more) and none can leave them"
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
    day: dt.date, solver: cp_model.CpSolver, slots: Sequence[_Slot], taken: set[str]
) -> tuple[tuple[Team, ...], dict[int, str]]:
    """The teams of the solution and the team id of each used slot (formed teams get the first
    free ids ``Mon-1``, ``Mon-2``, … not in ``taken``, which grows)."""
    teams: list[Team] = []
    team_of_slot: dict[int, str] = {}
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
            team = Team(_formed_team_id(day, taken), members, weekday)
            taken.add(team.id)
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
    on_day: Callable[[Formation], None] | None = None,
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
    on_day
        Called with each day's ``Formation`` as soon as it is made (progress for a user who
        waits: formation takes seconds before routing can start).

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
        if on_day is not None:
            on_day(formation)
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
    on_day: Callable[[Formation], None] | None = None,
) -> Rounds[R]:
    """Alternate formation and routing; keep the best; stop after ``params.rounds`` or the budget.

    Teams shape routing and routing reveals unmet demand: ``route(teams_by_day)`` routes the week
    and returns (score, businesses left unscheduled, whatever it made — e.g. the plan); higher
    scores are better. Each next round multiplies the weight of the businesses left unscheduled
    by ``params.boost_factor``, so formation re-forms teams towards the certifications and
    capacity they lacked. A next round starts only when, at the mean pace of the rounds so far,
    it would end within the budget (``params.rounds_budget_seconds`` unless given).
    ``on_day`` is called with each day's ``Formation`` of every round (``form_week``).

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
        formation = form_week(
            scenario, week_start, visits, params=params, boost=boost, days=days, on_day=on_day
        )
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


# ---------------------------------------------------------------- measuring idle officers


def idle_officer_days(
    scenario: Scenario, plan: Plan, params: TeamParams | None = None
) -> tuple[tuple[dt.date, str], ...]:
    """(day, officer id) of every rostered officer without a single visit that day, on the days
    of a plan that leaves visits unscheduled, counting only officers who could have been paired
    (``may_pair`` with another officer working that day).

    "Unscheduled" means the plan's ``obligations_unscheduled`` metric when it has one (deferred
    obligations are not the teams' to do), else any entry of ``plan.unscheduled``. The count,
    ``len(idle_officer_days(...))``, is the issue's *idle officer-days* (target 0).
    """
    params = params or TeamParams()
    metrics = dict(plan.metrics)
    left = metrics.get("obligations_unscheduled", float(len(plan.unscheduled)))
    if left <= 0:
        return ()
    pairs = recused_pairs(scenario)
    busy = {(r.day, o) for r in plan.routes if r.stops for o in r.officer_ids}
    found = []
    for day in (plan.week_start + dt.timedelta(days=d) for d in range(7)):
        rostered = [o for o in scenario.inspectors if works_on(o, day)]
        for o in rostered:
            if (day, o.id) in busy:
                continue
            if any(p.id != o.id and may_pair(o, p, params, pairs) for p in rostered):
                found.append((day, o.id))
    return tuple(found)


def idle_officer_days_with_work(
    scenario: Scenario,
    plan: Plan,
    params: TeamParams | None = None,
    visits: Sequence[Visit] = (),
) -> tuple[tuple[dt.date, str], ...]:
    """The ``idle_officer_days`` on which a visit due this week and left unscheduled would have
    fitted the officer's own empty day: open long enough inside their hours, lunch break and
    travel from and to the office (straight line) included, on a day its dates allow —
    certifications aside, since re-forming teams changes them. What is left is idleness no team
    could have filled. ``visits``: the week's candidate visits, whose lengths are used (else a
    waiting visit's length is the merge's duration model of its obligations, default knobs).
    """
    from planner.problem import build_problem, find_insertion, problem_points
    from planner.travel import travel_matrix

    idle = idle_officer_days(scenario, plan, params)
    if not idle:
        return ()
    from planner.obligations import is_due

    planned = {s.visit.business_id for r in plan.routes for s in r.stops}
    waiting: dict[str, list[Obligation]] = defaultdict(list)
    for u in plan.unscheduled:  # due this week (not deferred to a later one), not visited
        if u.obligation.business_id not in planned and is_due(u.obligation, plan.week_start):
            waiting[u.obligation.business_id].append(u.obligation)
    length = {v.business_id: v.service_seconds for v in visits}
    visits = [
        Visit(b, tuple(obs), length.get(b) or _seconds(scenario, obs))
        for b, obs in sorted(waiting.items())
    ]
    if not visits:
        return ()
    solo = {
        day: tuple(Team(o, (o,)) for o in sorted({o for d, o in idle if d == day}))
        for day in {d for d, _ in idle}
    }
    points = problem_points(scenario, visits)
    ids = [o.id for o in scenario.settings.offices] + [v.business_id for v in visits]
    problem = build_problem(scenario, visits, solo, plan.week_start, travel_matrix(points, ids=ids))
    found = set()
    for k in range(problem.n_vehicles):
        d = int(problem.vehicle_day[k])
        for i in range(problem.n_visits):
            dated = problem.first_day[i] <= d <= problem.last_day[i]
            if dated and find_insertion(problem, k, None, i) is not None:
                found.add((problem.days[d], problem.vehicle_teams[k]))
                break
    return tuple(x for x in idle if x in found)


def _seconds(scenario: Scenario, obligations: Sequence[Obligation]) -> int:
    """Seconds on site of a waiting visit: the merge's duration model, default knobs."""
    from planner.merge import visit_seconds

    items = [scenario.item(o.item_id) for o in obligations]
    return visit_seconds(items, scenario.settings.setup_minutes, PlanParams())
