"""Post-routing team re-formation: idle officers take work over so that waiting visits get made.

Formation decides teams before routing knows what fits; routing can then leave a formed team
without a single stop (its certifications match no visit still open) while visits that only other
teams are certified for wait, all those team-days being full. ``reform_week`` repairs that, day by
day, with a small ejection chain over team membership and routes:

* a *pool* is one idle unit (a team with no stop, or an officer rostered in no team) with one
  routed team that is not fixed; its officers are split again into two valid teams
  (``planner.teams`` rules: sizes, ``may_pair``; a pairing's core kept together, a fixed idle
  team kept as it is) — the unchanged split included;
* the *keeper* takes the routed team's id and route, every stop at its time, except the stops it
  is no longer certified for, which the other team takes; then waiting visits are inserted
  (``insert_left_out``) into either route;
* when insertion gains nothing in the whole week, the most promising splits are improved by the
  routing engine's local search from their current routes (``descend_from``), which moves
  stops in time;
* a change is kept only when it schedules more priority-weighted value; both routes are checked
  by the routing model (``routes_feasible``) on a problem built for the two new teams
  (``build_problem``); the week is swept again until nothing gains.

``docs/teams.md`` explains the pass and its measured effect.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np

from planner.crew import works_on
from planner.domain import WEEKDAY_NAMES, Inspector, Plan, Scenario, Team, Visit, WeekDemand
from planner.params import SolveParams, TeamParams
from planner.problem import (
    DATES_OK,
    RouteSolution,
    RoutingProblem,
    Solution,
    build_problem,
    find_insertion,
    solution_to_routes,
    unplanned_obligations,
)
from planner.solve import descend_from, insert_left_out, routes_feasible
from planner.teams import may_pair, needed_certifications, recused_pairs, team_officers
from planner.travel import TravelMatrix

MAX_TRIES = 1000  # candidate evaluations and pool builds of a week (~1–20 ms each)
MAX_SOLVES = 8  # two-team local searches of a week (each ~20–300 ms)
RESOLVES = 3  # of the week's most promising splits routed again when insertion finds no gain
RESOLVE_STEPS = 40  # improving moves of one two-team local search (a limit of work, not time)
RESOLVE_LIMIT_S = 30.0  # a backstop only: the searches stop on their own long before
MAX_WAITING = 40  # waiting visits offered to one pool (the most valuable)
BUDGET_S = 5.0  # a backstop for very large weeks: the pass stops sweeping after this long


@dataclass(frozen=True, slots=True)
class Move:
    """One accepted re-formation of a day: teams before and after, what moved and what it gained.

    ``handed`` are the businesses the keeper handed to the other team, ``added`` the waiting
    businesses now scheduled, ``lost`` the keeper's businesses no longer scheduled (worth less
    than what was added), ``gain`` the net routing penalty (priority weight × drop penalty).
    """

    day: dt.date
    before: tuple[Team, ...]
    after: tuple[Team, ...]
    handed: tuple[str, ...]
    added: tuple[str, ...]
    gain: int
    lost: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The move as a planner reads it."""

        def show(teams: Sequence[Team]) -> str:
            return ", ".join(f"{t.id} = {'+'.join(t.officer_ids)}" for t in teams)

        handed = f"; {len(self.handed)} stop(s) handed over" if self.handed else ""
        handed += f"; left out: {', '.join(self.lost)}" if self.lost else ""
        return (
            f"{WEEKDAY_NAMES[self.day.weekday()]} {self.day}: {show(self.before)} → "
            f"{show(self.after)}{handed}; now scheduled: {', '.join(self.added)}"
        )


@dataclass(frozen=True, slots=True)
class Reformed:
    """``reform_week``'s result: the week's teams, the problem rebuilt for them, the solution in
    its indices (unchanged when no move was made), the moves and the evaluations spent."""

    teams: dict[dt.date, tuple[Team, ...]]
    problem: RoutingProblem
    solution: Solution
    moves: tuple[Move, ...]
    tries: int


@dataclass(frozen=True, slots=True)
class _Travel:
    """Travel matrices cut to a few nodes (what ``build_problem`` takes)."""

    seconds: np.ndarray
    metres: np.ndarray


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A re-split worth applying: the two new teams and their routes (full visit indices)."""

    gain: int
    old: tuple[Team, ...]
    keeper: Team | None
    other: Team
    routes: dict[str, RouteSolution]
    handed: tuple[int, ...]
    added: tuple[int, ...]
    lost: tuple[int, ...]


class _Week:
    """The mutable state of the pass: teams per day, routes by (day, team id), served visits."""

    def __init__(
        self,
        scenario: Scenario,
        visits: Sequence[Visit],
        teams_by_day: Mapping[dt.date, Sequence[Team]],
        problem: RoutingProblem,
        solution: Solution,
        params: TeamParams,
        drop_penalty: int,
    ) -> None:
        self.scenario, self.visits, self.problem = scenario, visits, problem
        self.params, self.drop_penalty = params, drop_penalty
        self.teams = {day: list(ts) for day, ts in teams_by_day.items()}
        self.routes: dict[tuple[dt.date, str], RouteSolution] = {}
        for r in solution.routes:
            day = problem.days[int(problem.vehicle_day[r.vehicle])]
            self.routes[day, problem.vehicle_teams[r.vehicle]] = r
        self.served = {i for r in solution.routes for i in r.visits}
        self.need = [needed_certifications(v, scenario) for v in visits]
        self.barred: dict[str, frozenset[str]] = {}
        for rec in scenario.recusals:
            if rec.business_id:
                self.barred[rec.business_id] = self.barred.get(rec.business_id, frozenset()) | {
                    rec.inspector_id
                }
        self.pairs = recused_pairs(scenario)
        self.fixed = {t.id for t in scenario.teams if not t.pairing}
        self.pinned: set[tuple[dt.date, str]] = set()  # (day, team id) a visit is pinned to
        self.core = {t.id: frozenset(t.officer_ids) for t in scenario.teams if t.pairing}
        self.tries = 0
        self.max_tries = MAX_TRIES
        self.deadline = float("inf")  # time.perf_counter() value the pass stops sweeping at
        self.solves = 0
        self.max_solves = MAX_SOLVES
        self.resolved: set[tuple[object, ...]] = set()
        self.fruitless: set[tuple[object, ...]] = set()  # day states where nothing gained
        self._fits: dict[tuple[int, int], bool] = {}
        self.pools: dict[dt.date, list[_Pool]] = {}  # each day's pools as last built
        self.solve_params = SolveParams(drop_penalty=drop_penalty)

    def spent(self) -> bool:
        """Whether the pass has used its evaluations (``max_tries``) or its wall-clock budget."""
        return self.tries >= self.max_tries or time.perf_counter() > self.deadline

    def waiting(self, d: int) -> list[int]:
        """Visits left out that may happen on day index ``d``: its dates, no pin, and an empty
        day of some team-day of ``d`` would hold it (hours, lunch, travel; ``fits``)."""
        p = self.problem
        visited = p.served_groups(self.served)  # a business with a visit (whole or part) waits not
        return [
            i
            for i in range(p.n_visits)
            if int(p.group[i]) not in visited
            and p.day_checks[i, d] & DATES_OK
            and p.pinned[i] < 0
            and self.fits(i, d)
        ]

    def fits(self, i: int, d: int) -> bool:
        """Whether visit ``i`` fits an empty day of one of day ``d``'s team-days, certifications
        aside (re-formed teams are made of the same officers, so of the same hours)."""
        key = (i, d)
        if key not in self._fits:
            p = self.problem
            shapes = {
                (tuple(p.vehicle_shift[k]), tuple(p.vehicle_lunch[k]), int(p.vehicle_depot[k])): k
                for k in np.flatnonzero(p.vehicle_day == d).tolist()
            }
            self._fits[key] = any(
                find_insertion(p, k, None, i) is not None for k in shapes.values()
            )
        return self._fits[key]

    def certified(self, members: Sequence[Inspector], i: int) -> bool:
        """Whether officers ``members`` may make visit ``i`` (certifications, recusals)."""
        certs = {c for o in members for c in o.certifications}
        barred = self.barred.get(self.visits[i].business_id, frozenset())
        return self.need[i] <= certs and not barred & {o.id for o in members}


def _splits(
    week: _Week,
    pool: Sequence[Inspector],
    keeper: Team | None,
    other: Team | None,
    day: dt.date,
) -> Iterator[tuple[tuple[Inspector, ...], tuple[Inspector, ...]]]:
    """(keeper members, other members) of every valid split of ``pool``.

    With a ``keeper`` team, both parts are teams (``min_size``…``max_size``, ``may_pair``); the
    keeper keeps its pairing core, the other team the core of ``other`` (a fixed ``other``, and a
    team a visit is pinned to that day, stay as they are). Without one, the other part is any
    valid team of ``pool``'s officers.
    """
    params = week.params
    together = {
        frozenset(pair)
        for team in (keeper, other)
        if team is not None
        for pair in combinations(team.officer_ids, 2)
    }

    def valid(members: Sequence[Inspector], core: frozenset[str]) -> bool:
        top = max(params.max_size, len(core))
        if not params.min_size <= len(members) <= top:
            return False
        if not core <= {o.id for o in members}:
            return False
        return all(
            frozenset((a.id, b.id)) in together or may_pair(a, b, params, week.pairs)
            for a, b in combinations(members, 2)
        )

    def as_is(team: Team | None, part: Sequence[Inspector]) -> bool:
        """A fixed team, or one a visit is pinned to that day, keeps exactly its members."""
        if team is None or (team.id not in week.fixed and (day, team.id) not in week.pinned):
            return True
        return {o.id for o in part} == set(team.officer_ids)

    keep_core = week.core.get(keeper.id, frozenset()) if keeper is not None else frozenset()
    other_core = week.core.get(other.id, frozenset()) if other is not None else frozenset()
    for size in range(params.min_size, len(pool) + 1):
        for chosen in combinations(pool, size):
            rest = tuple(o for o in pool if o not in chosen)
            if not (as_is(other, chosen) and (keeper is None or as_is(keeper, rest))):
                continue
            if keeper is None:  # officers in no team: a new team of the unit's first officer
                if pool[0] in chosen and valid(chosen, other_core):
                    yield (), chosen
            elif valid(chosen, other_core) and valid(rest, keep_core):
                yield rest, chosen


@dataclass(frozen=True, slots=True)
class _Pool:
    """One idle unit with one routed team (the keeper): every split of their officers as two
    vehicles of one problem (built once: ``build_problem`` is most of an evaluation's cost)."""

    problem: RoutingProblem  # vehicles 2s (keeper) and 2s+1 (other) of split s; others 1 each
    sub: tuple[int, ...]  # week visit index of each visit of ``problem``: the route, then waiting
    route: RouteSolution | None  # the keeper's route (week visit indices)
    keeper: Team | None
    unit_team: Team | None
    splits: tuple[tuple[Team | None, Team], ...]  # (new keeper, other team) per split


def _pool(
    week: _Week,
    day: dt.date,
    keeper: Team | None,
    unit_team: Team | None,
    splits: Sequence[tuple[Team | None, Team]],
    waiting: Sequence[int],
) -> _Pool | None:
    """The problem of every split's two teams over the keeper's stops and the waiting visits
    some of them may make; ``None`` when no waiting visit is theirs to make."""
    s, p = week.scenario, week.problem
    route = week.routes.get((day, keeper.id)) if keeper is not None else None
    stops = list(route.visits) if route is not None else []
    teams = [t for pair in splits for t in pair if t is not None]
    members = [team_officers(t, s) for t in teams]
    able = [i for i in waiting if any(week.certified(m, i) for m in members)]
    if not able:
        return None
    # The most valuable waiting visits only: a pool's problem grows with them, and two teams'
    # day holds few of them.
    able = sorted(able, key=lambda i: (-int(p.penalty[i]), i))[:MAX_WAITING]
    week.tries += 1
    sub = stops + able
    nodes = np.array(list(range(p.n_depots)) + [p.n_depots + i for i in sub])
    problem = build_problem(
        s,
        [week.visits[i] for i in sub],
        {day: teams},
        p.days[0],
        _Travel(p.travel_seconds[np.ix_(nodes, nodes)], p.travel_metres[np.ix_(nodes, nodes)]),
        drop_penalty=week.drop_penalty,
        alternative=None if p.alternative is None else p.group[sub].tolist(),  # part visits
    )
    if problem.n_vehicles != len(teams):
        return None  # a team without common hours (may_pair prevents it)
    return _Pool(problem, tuple(sub), route, keeper, unit_team, tuple(splits))


def _evaluate(week: _Week, pool: _Pool, n: int, resolve: bool) -> _Candidate | None:
    """The gain of split ``n`` of ``pool``: the new keeper keeps its route but for the stops it
    hands over, the other team takes those and waiting visits; ``None`` when nothing gains.

    First by insertion (``_keep_route``); with ``resolve``, by routing the two teams' visits
    again (``_resolve``).
    """
    p = week.problem
    new_keeper, other = pool.splits[n]
    week.tries += 1
    mini = pool.problem.restrict(range(pool.problem.n_visits), _vehicles(pool, n))
    route, sub = pool.route, pool.sub
    local, left, width = _parts(pool)
    o = width - 1  # the other team's vehicle
    pinned = [j for j in local if p.pinned[sub[j]] >= 0]
    if any(not mini.eligible[j, 0] for j in pinned):
        return None  # a pinned stop stays with its team
    value = p.penalty[np.array(sub, dtype=np.int64)]
    before = int(value[local].sum()) if local else 0
    tries: list[list[RouteSolution] | None]
    if resolve:
        week.solves += 1
        tries = [_resolve(week, mini, local, left, pinned)]
    else:
        tries = [_keep_route(mini, route, local, left, o)]
    best: tuple[int, list[RouteSolution]] | None = None
    for routes in tries:
        if not routes:
            continue
        served = [j for r in routes for j in r.visits]
        gain = int(value[served].sum()) - before
        better = gain > 0 and (best is None or gain > best[0])
        if better and routes_feasible(mini, routes):
            best = (gain, routes)
    if best is None:
        return None
    gain, routes = best
    served_now = {j for r in routes for j in r.visits}
    kept = {j for r in routes if new_keeper is not None and r.vehicle == 0 for j in r.visits}
    names = [t.id for t in (new_keeper, other) if t is not None]
    return _Candidate(
        gain,
        tuple(t for t in (pool.keeper, pool.unit_team) if t is not None),
        new_keeper,
        other,
        {names[r.vehicle]: _full(r, sub) for r in routes},
        tuple(sub[j] for j in local if j in served_now and j not in kept),
        tuple(sub[j] for j in left if j in served_now),
        tuple(sub[j] for j in local if j not in served_now),
    )


def _free_seconds(mini: RoutingProblem, k: int, stops: Sequence[int]) -> int:
    """Seconds of vehicle ``k``'s shift left by ``stops`` and lunch (travel not deducted)."""
    shift = int(mini.vehicle_shift[k, 1] - mini.vehicle_shift[k, 0])
    return shift - int(mini.vehicle_lunch[k, 2]) - int(sum(int(mini.service[j]) for j in stops))


def _promising(mini: RoutingProblem, local: Sequence[int], left: Sequence[int]) -> int | None:
    """Whether routing the two teams again might make a waiting visit, by a necessary condition:
    some team may make it on an empty day, and its free time plus the seconds of its stops the
    other team could take over is at least the visit's length. The largest such room beyond
    the visit's length (seconds), or ``None``."""
    n = mini.n_vehicles
    stops = {k: [j for j in local if (k == 0) == bool(mini.eligible[j, 0])] for k in range(n)}
    best: int | None = None
    for j in left:
        for k in range(n):
            if not mini.eligible[j, k] or find_insertion(mini, k, None, j) is None:
                continue
            other = n - 1 - k
            movable = sum(
                int(mini.service[i]) for i in stops[k] if n > 1 and mini.eligible[i, other]
            )
            room = _free_seconds(mini, k, stops[k]) + movable - int(mini.service[j])
            if room >= 0 and (best is None or room > best):
                best = room
    return best


def _resolve(
    week: _Week,
    mini: RoutingProblem,
    local: Sequence[int],
    left: Sequence[int],
    pinned: Sequence[int],
) -> list[RouteSolution] | None:
    """The two teams' visits improved by the routing engine's local search (``descend_from``),
    starting from the keeper's stops it may still make on the keeper and the others on the
    other team: each run stops at the first plan that makes one more waiting visit (or at a
    local optimum: it does not depend on the clock), and the next starts from it. A stop
    pinned to the keeper stays the keeper's."""
    if pinned:
        mini = replace(
            mini, pinned=np.where(np.isin(np.arange(mini.n_visits), pinned), 0, mini.pinned)
        )
    start: list[list[int]] = [[] for _ in range(mini.n_vehicles)]
    for j in local:
        start[0 if mini.eligible[j, 0] else mini.n_vehicles - 1].append(j)
    routes: list[RouteSolution] | None = None
    wanted = list(left)
    while wanted:  # each run stops at the first plan making one more: go on while one does
        found = descend_from(
            mini,
            start,
            week.solve_params,
            RESOLVE_LIMIT_S,
            until_served=wanted,
            max_steps=RESOLVE_STEPS,
        )
        if found is None:
            break
        served = {j for r in found for j in r.visits}
        if not served & set(wanted):
            routes = routes or found
            break
        routes = found
        wanted = [j for j in wanted if j not in served]
        start = [[] for _ in range(mini.n_vehicles)]
        for r in found:
            start[r.vehicle] = list(r.visits)
    return routes


def _keep_route(
    mini: RoutingProblem,
    route: RouteSolution | None,
    local: Sequence[int],
    left: Sequence[int],
    other: int,
) -> list[RouteSolution] | None:
    """The keeper's stops at their times, but those it may no longer make, which go to the other
    team (``None`` when one does not fit); then the waiting visits inserted where they fit."""
    routes: list[RouteSolution] = []
    handed = [j for j in local if not mini.eligible[j, 0]]
    if route is not None:
        kept = [(j, t) for j, t in zip(local, route.starts, strict=True) if j not in handed]
        if kept:
            visits, starts = zip(*kept, strict=True)
            routes.append(
                RouteSolution(0, visits, starts, route.depart, route.back, route.lunch_start)
            )
    moved: RouteSolution | None = None
    for j in handed:
        found = find_insertion(mini, other, moved, j) if mini.eligible[j, other] else None
        if found is None:
            return None
        moved = found.apply(moved, j)
    if moved is not None:
        routes.append(moved)
    return insert_left_out(mini, routes, left)


def _full(route: RouteSolution, sub: Sequence[int]) -> RouteSolution:
    """A route of a two-team problem in the week problem's visit indices (vehicle left at 0)."""
    return replace(route, vehicle=0, visits=tuple(sub[j] for j in route.visits))


def _day_pools(week: _Week, day: dt.date, d: int) -> Iterator[_Pool]:
    """The pools of ``day``: each idle unit (a team without stops, an officer in no team) with
    each routed team not fixed, and officers in no team alone, in a fixed order."""
    s = week.scenario
    waiting = week.waiting(d)
    if not waiting:
        return
    teams = week.teams.get(day, [])
    busy = {o for t in teams for o in t.officer_ids}
    routed = [t for t in teams if (day, t.id) in week.routes and t.id not in week.fixed]
    idle_teams = [t for t in teams if (day, t.id) not in week.routes]
    free = sorted(
        (o for o in s.inspectors if works_on(o, day) and o.id not in busy), key=lambda o: o.id
    )
    units: list[tuple[Team | None, tuple[Inspector, ...]]] = [
        (t, team_officers(t, s)) for t in idle_teams
    ]
    units += [(None, (o,)) for o in free]
    for unit_team, unit in units:
        for keeper in [None, *routed] if unit_team is None else routed:
            if week.spent():
                return
            pool = unit + (team_officers(keeper, s) if keeper is not None else ())
            if keeper is None:  # officers in no team: a new team of them alone
                pool = unit + tuple(o for o in free if o.id > unit[0].id)
            splits: list[tuple[Team | None, Team]] = []
            for keep, members in _splits(week, pool, keeper, unit_team, day):
                same = keeper is not None and {o.id for o in keep} == set(keeper.officer_ids)
                if not same and not any(week.certified(members, i) for i in waiting):
                    continue  # the other team can make nothing waiting, nor take stops over
                ids = tuple(o.id for o in members)
                other = (
                    replace(unit_team, officer_ids=ids)
                    if unit_team is not None
                    else Team(_free_id(week, day), ids, (day.weekday(),))
                )
                new_keeper = (
                    replace(keeper, officer_ids=tuple(o.id for o in keep))
                    if keeper is not None
                    else None
                )
                splits.append((new_keeper, other))
            found = _pool(week, day, keeper, unit_team, splits, waiting) if splits else None
            if found is not None:
                yield found


def _day_candidates(week: _Week, day: dt.date, d: int) -> list[_Candidate]:
    """The best gaining re-formation of ``day`` found by insertion (routed again when that may
    fit more), or none; the day's pools are kept for ``_ranked``."""
    pools = list(_day_pools(week, day, d))
    week.pools[day] = pools
    found: list[tuple[_Candidate, _Pool, int]] = []
    for pool in pools:
        for n in range(len(pool.splits)):
            if week.spent():
                break
            candidate = _evaluate(week, pool, n, resolve=False)
            if candidate is not None:
                found.append((candidate, pool, n))
    if not found:
        return []
    best, pool, n = max(found, key=lambda f: f[0].gain)
    waiting = len(pool.sub) - len(_parts(pool)[0])
    if len(best.added) < waiting and week.solves < week.max_solves:
        # Insertion keeps stops at their times (a lunch break never moves to make room), so
        # routing the two teams again may fit what it traded away or left waiting.
        week.resolved.add(_memo_key(pool, n))
        routed = _evaluate(week, pool, n, resolve=True)
        if routed is not None and routed.gain > best.gain:
            return [routed]
    return [best]


def _ranked(week: _Week) -> list[tuple[dt.date, _Pool, int]]:
    """Every split of the week's pools not yet routed again, most room first (``_promising``)."""
    ranked: list[tuple[int, int, dt.date, _Pool, int]] = []
    for day, pools in sorted(week.pools.items()):
        for pool in pools:
            local, left, _ = _parts(pool)
            for n in range(len(pool.splits)):
                if _memo_key(pool, n) in week.resolved:
                    continue
                mini = pool.problem.restrict(range(pool.problem.n_visits), _vehicles(pool, n))
                room = _promising(mini, local, left)
                if room is not None:
                    ranked.append((-room, len(ranked), day, pool, n))
    return [(day, pool, n) for _, _, day, pool, n in sorted(ranked, key=lambda r: r[:2])]


def _day_state(week: _Week, day: dt.date, d: int) -> tuple[object, ...]:
    """What a day's candidates depend on: its teams, their routes, the visits waiting."""
    teams = tuple((t.id, t.officer_ids) for t in week.teams.get(day, ()))
    routes = tuple(week.routes[day, t].visits for t, _ in teams if (day, t) in week.routes)
    return (day, teams, routes, tuple(week.waiting(d)))


def _memo_key(pool: _Pool, n: int) -> tuple[object, ...]:
    """What a two-team routing run depends on: the teams, the keeper's stops, the waiting visits
    (a run that gained nothing is not repeated on the same state)."""
    teams = tuple(t.officer_ids if t is not None else () for t in pool.splits[n])
    return (pool.route.visits if pool.route is not None else (), pool.sub, teams)


def _parts(pool: _Pool) -> tuple[list[int], list[int], int]:
    """Positions of the keeper's stops and of the waiting visits in ``pool.problem``, and how
    many vehicles a split has."""
    local = list(range(len(pool.route.visits) if pool.route is not None else 0))
    return local, list(range(len(local), len(pool.sub))), 2 if pool.keeper is not None else 1


def _vehicles(pool: _Pool, n: int) -> list[int]:
    """The vehicles of split ``n`` in ``pool.problem``: the keeper's (if any), then the other's."""
    width = 2 if pool.keeper is not None else 1
    return list(range(width * n, width * n + width))


def _free_id(week: _Week, day: dt.date) -> str:
    """The first ``Mon-1``, ``Mon-2``, … no team of the week holds."""
    taken = {t.id for ts in week.teams.values() for t in ts}
    n = 1
    while f"{WEEKDAY_NAMES[day.weekday()]}-{n}" in taken:
        n += 1
    return f"{WEEKDAY_NAMES[day.weekday()]}-{n}"


def _apply(week: _Week, day: dt.date, best: _Candidate) -> Move:
    """Replace the old teams of ``best`` by the new ones, with their routes."""
    olds = [t for t in best.old if t is not None]
    news = [t for t in (best.keeper, best.other) if t is not None]
    teams = week.teams[day]
    for old in olds:
        week.routes.pop((day, old.id), None)
    by_id = {t.id: t for t in news}
    kept_ids = {t.id for t in teams}
    week.teams[day] = [by_id.get(t.id, t) for t in teams] + [
        t for t in news if t.id not in kept_ids
    ]
    for team_id, route in best.routes.items():
        week.routes[day, team_id] = route
    week.served = (week.served | set(best.added)) - set(best.lost)
    ids = week.problem.visit_ids
    return Move(
        day,
        tuple(olds),
        tuple(news),
        tuple(ids[i] for i in best.handed),
        tuple(ids[i] for i in best.added),
        best.gain,
        tuple(ids[i] for i in best.lost),
    )


def reform_week(
    scenario: Scenario,
    visits: Sequence[Visit],
    teams_by_day: Mapping[dt.date, Sequence[Team]],
    problem: RoutingProblem,
    solution: Solution,
    *,
    params: TeamParams | None = None,
    drop_penalty: int = 36_000,
    pins: Mapping[str, tuple[str, dt.date]] | None = None,
    max_tries: int = MAX_TRIES,
    max_solves: int = MAX_SOLVES,
    solve_params: SolveParams | None = None,
    budget_s: float = BUDGET_S,
) -> Reformed:
    """Re-form teams after routing wherever an idle officer or team could get a waiting visit made.

    Parameters
    ----------
    scenario
        Officers, fixed teams and pairings, recusals.
    visits
        The visits ``problem`` was built from, in node order.
    teams_by_day, problem, solution
        The routed week: its teams, problem and solution.
    params
        Team rules (sizes, ``min_overlap_minutes``).
    drop_penalty, pins
        As given to ``build_problem`` for the week (the rebuilt problem gets them too).
    max_tries
        Most candidate evaluations of the week (deterministic work limit).
    max_solves
        Most two-team routing runs of the week (0: insertion only).
    solve_params
        Routing weights of the two-team runs (``_resolve``; guided local search is switched off).
    budget_s
        Wall seconds after which no new candidate is evaluated (a backstop for very large
        weeks; the demo's pass takes well under a second).

    Returns
    -------
    Reformed
        Teams, problem and solution after every accepted move; the input's when none gains.
    """
    params = params or TeamParams()
    week = _Week(scenario, visits, teams_by_day, problem, solution, params, drop_penalty)
    week.max_tries, week.max_solves = max_tries, max_solves
    week.pinned = {(day, team_id) for team_id, day in (pins or {}).values()}
    if solve_params is not None:
        week.solve_params = replace(solve_params, drop_penalty=drop_penalty)
    moves: list[Move] = []
    week.deadline = time.perf_counter() + budget_s
    while not week.spent():
        before = len(moves)
        for d, day in enumerate(problem.days):
            while day in week.teams and not week.spent():
                state = _day_state(week, day, d)
                found = [] if state in week.fruitless else _day_candidates(week, day, d)
                if not found:
                    week.fruitless.add(state)
                    break
                moves.append(_apply(week, day, found[0]))
        if len(moves) > before:
            continue  # sweep again: a stop a later day left out may fit an earlier one
        # Insertion found nothing anywhere: route the week's most promising splits again.
        for day, pool, n in _ranked(week)[:RESOLVES]:
            if week.solves >= week.max_solves:
                break
            week.resolved.add(_memo_key(pool, n))
            candidate = _evaluate(week, pool, n, resolve=True)
            if candidate is not None:
                moves.append(_apply(week, day, candidate))
                week.pools.clear()
                break
        if len(moves) == before:
            break
    if not moves:
        same = {day: tuple(ts) for day, ts in teams_by_day.items()}
        return Reformed(same, problem, solution, (), week.tries)
    teams = {day: tuple(ts) for day, ts in week.teams.items()}
    rebuilt = build_problem(
        scenario,
        visits,
        teams,
        problem.days[0],
        _Travel(problem.travel_seconds, problem.travel_metres),
        drop_penalty=drop_penalty,
        pins=pins,
        alternative=None if problem.alternative is None else problem.alternative.tolist(),
    )
    index = {
        (rebuilt.days[int(rebuilt.vehicle_day[k])], rebuilt.vehicle_teams[k]): k
        for k in range(rebuilt.n_vehicles)
    }
    routes = tuple(
        sorted(
            (replace(r, vehicle=index[key]) for key, r in week.routes.items() if r.visits),
            key=lambda r: r.vehicle,
        )
    )
    served = {i for r in routes for i in r.visits}
    total = rebuilt.total_penalty  # whole visits only: parts are alternatives (s3-split)
    covered = float(rebuilt.penalty[sorted(served)].sum()) if served else 0.0
    stats = dict(solution.stats) | {
        "visits_served": float(len(served)),
        "weighted_coverage": covered / total if total else 1.0,
        "reform_moves": float(len(moves)),
        "reform_visits": float(sum(len(m.added) for m in moves)),
    }
    dropped = tuple(i for i in range(rebuilt.n_visits) if i not in served)
    return Reformed(
        teams, rebuilt, Solution(routes, dropped, tuple(stats.items())), tuple(moves), week.tries
    )


Made = tuple[Plan, RoutingProblem, TravelMatrix, Solution, tuple[Visit, ...]]


def reform_made(
    scenario: Scenario,
    demand: WeekDemand,
    teams: Mapping[dt.date, Sequence[Team]],
    made: Made,
    *,
    solve_params: SolveParams | None = None,
    team_params: TeamParams | None = None,
    pins: Mapping[str, tuple[str, dt.date]] | None = None,
) -> tuple[dict[dt.date, tuple[Team, ...]], Made]:
    """``reform_week`` on a routed week (``planner.pipeline.plan_visits``' result), and the plan
    made again from its result: routes, unscheduled reasons judged on the final routes, metrics.

    Returns the week's teams and the made tuple (plan, problem, travel, solution, visits) — the
    given ones when no move gains. ``Plan.metrics`` gain ``reform_moves``, ``reform_seconds``
    and, after a move, ``reform_visits``; ``total_seconds`` then includes the pass.
    """
    from planner.pipeline import plan_metrics

    started = time.perf_counter()
    solve_params = solve_params or SolveParams()
    plan, problem, travel, solution, routed = made
    reformed = reform_week(
        scenario,
        routed,
        teams,
        problem,
        solution,
        params=team_params,
        drop_penalty=solve_params.drop_penalty,
        pins=pins,
        solve_params=solve_params,
    )
    if not reformed.moves:
        spent = (("reform_moves", 0.0), ("reform_seconds", time.perf_counter() - started))
        kept_plan = replace(plan, metrics=plan.metrics + spent)
        return {day: tuple(ts) for day, ts in teams.items()}, (kept_plan, *made[1:])
    new_problem, new_solution = reformed.problem, reformed.solution
    in_routing = {o for v in routed for o in v.obligations}
    deferred = {d.obligation for d in demand.deferred}
    kept = [u for u in plan.unscheduled if u.obligation not in in_routing]
    unscheduled = (
        tuple(u for u in kept if u.obligation not in deferred)
        + unplanned_obligations(
            new_problem, new_solution.dropped, scenario, routed, new_solution.routes
        )
        + tuple(u for u in kept if u.obligation in deferred)
    )
    routes = solution_to_routes(new_problem, new_solution, routed)
    new_plan = Plan(plan.week_start, routes, unscheduled)
    metrics = plan_metrics(new_plan, demand.visits, demand.deferred, new_solution, plan.week_start)
    seconds = time.perf_counter() - started
    for name, value in plan.metrics:
        metrics.setdefault(name, value)
    metrics["total_seconds"] = metrics.get("total_seconds", 0.0) + seconds
    metrics["reform_moves"] = float(len(reformed.moves))
    metrics["reform_visits"] = new_solution.stat("visits_served") - solution.stat("visits_served")
    metrics["reform_seconds"] = seconds
    new_plan = replace(new_plan, metrics=tuple(metrics.items()))
    return reformed.teams, (new_plan, new_problem, travel, new_solution, routed)
