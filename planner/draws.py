"""Random draws (双随机): seeded, logged, reproducible samples of businesses, optionally coordinated.

How a draw works (``docs/obligations.md`` explains it for auditors):

- Periods are counted from ``PlanParams.draw_epoch``: period *k* of a rule is the ``period_days``
  days starting ``draw_epoch + k * period_days``.
- The population is every business of the rule's category (``*`` = any) on which the department has
  at least one applicable item, sorted by id; ``ceil(ratio * N)`` of them are drawn.
- Each business gets a *permanent random number* u = SHA-256(seed | scope | period start | business
  id) read as a fraction in [0, 1); the businesses with the smallest u are drawn. Anyone holding the
  log can recompute it (``redraw``), on any machine and Python version.
- Independent draws put the department and category in the scope, so departments draw independently.
  A **coordinated draw** (跨部门联合抽查) uses one scope and the township's seed for every
  department: each department's sample is still a uniform random sample of its own population, but
  the samples are nested (the smaller ratio's sample lies inside the larger one's where the
  populations overlap), so a drawn business is visited once for all.
- A drawn business's due date is spread over the period by a second random number (shared by all
  departments when coordinated, so coordinated draws also fall due on the same day).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

from planner.domain import DrawLog, DrawRule, Scenario
from planner.params import PlanParams

METHOD = "sha256-prn"
_JOINT = "joint"


def period_bounds(day: dt.date, period_days: int, epoch: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the draw period (of ``period_days`` from ``epoch``) holding ``day``."""
    k = (day - epoch).days // period_days
    start = epoch + dt.timedelta(days=k * period_days)
    return start, start + dt.timedelta(days=period_days - 1)


def draw_population(scenario: Scenario, rule: DrawRule) -> tuple[str, ...]:
    """Ids of the businesses ``rule`` draws from, sorted: its category (or all) where the
    department has at least one applicable item."""
    categories = {c for b in scenario.businesses for c in b.categories}
    covered = {
        c
        for c in categories
        if any(i.department_id == rule.department_id and i.applies_to(c) for i in scenario.items)
    }
    return tuple(
        sorted(
            b.id
            for b in scenario.businesses
            if covered.intersection(b.categories)
            and (rule.category == "*" or rule.category in b.categories)
        )
    )


def sample_size(ratio: float, population: int) -> int:
    """How many of ``population`` businesses a draw of ``ratio`` selects: ``ceil(ratio * N)``."""
    return min(population, math.ceil(ratio * population - 1e-9))


def random_unit(*parts: object) -> float:
    """A reproducible number in [0, 1) from ``parts`` (SHA-256 of their ``|``-joined text)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _scope(rule: DrawRule, coordinated: bool) -> tuple[str, ...]:
    return (_JOINT,) if coordinated else (rule.department_id, rule.category)


def _select(
    population: Iterable[str],
    rule: DrawRule,
    seed: int,
    period_start: dt.date,
    coordinated: bool,
) -> tuple[str, ...]:
    scope = _scope(rule, coordinated)
    ranked = sorted(
        population,
        key=lambda b: (random_unit("draw", seed, *scope, period_start.isoformat(), b), b),
    )
    return tuple(ranked[: sample_size(rule.ratio, len(ranked))])


def draw_seed(rule: DrawRule, params: PlanParams) -> int:
    """The seed a draw uses: the township's for coordinated draws, else the rule's or the plan's."""
    if params.coordinate_draws or rule.seed is None:
        return params.draw_seed
    return rule.seed


def draw_businesses(
    scenario: Scenario, rule: DrawRule, day: dt.date, params: PlanParams | None = None
) -> DrawLog:
    """Draw the businesses of ``rule`` for the period holding ``day`` and log it.

    Parameters
    ----------
    scenario
        Gives the population (businesses and the department's items).
    rule
        Department, category, ratio, period, mode and optional seed.
    day
        Any day of the period to draw for.
    params
        ``draw_seed``, ``coordinate_draws`` and ``draw_epoch``.

    Returns
    -------
    DrawLog
        Seed, population, ratio (in the rule) and the drawn ids in draw order.
    """
    params = params or PlanParams()
    start, end = period_bounds(day, rule.period_days, params.draw_epoch)
    population = draw_population(scenario, rule)
    seed = draw_seed(rule, params)
    drawn = _select(population, rule, seed, start, params.coordinate_draws)
    return DrawLog(rule, start, end, seed, params.coordinate_draws, population, drawn, METHOD)


def redraw(log: DrawLog) -> tuple[str, ...]:
    """Recompute a draw from its log alone (for audit): equal to ``log.drawn`` unless tampered."""
    if log.method != METHOD:
        raise ValueError(f"unknown draw method '{log.method}'")
    return _select(log.population, log.rule, log.seed, log.period_start, log.coordinated)


def draw_due(log: DrawLog, business_id: str) -> dt.date:
    """Due date of a drawn business: spread over the period by its own random number."""
    period_days = (log.period_end - log.period_start).days + 1
    u = random_unit(
        "due", log.seed, *_scope(log.rule, log.coordinated), log.period_start, business_id
    )
    return log.period_start + dt.timedelta(days=int(u * period_days))


def draw_week(
    scenario: Scenario, week_start: dt.date, params: PlanParams | None = None
) -> tuple[DrawLog, ...]:
    """Every draw that can put an obligation into the week of ``week_start``.

    That is, for each rule, the periods from the one before the week (draws still not done are
    overdue) to the one holding the week's last day.
    """
    params = params or PlanParams()
    week_end = week_start + dt.timedelta(days=6)
    logs: list[DrawLog] = []
    for rule in scenario.draws:
        before = week_start - dt.timedelta(days=rule.period_days)
        day, _ = period_bounds(before, rule.period_days, params.draw_epoch)
        while day <= week_end:
            logs.append(draw_businesses(scenario, rule, day, params))
            day += dt.timedelta(days=rule.period_days)
    return tuple(logs)


@dataclass(frozen=True, slots=True)
class DrawComparison:
    """Visits the draws of one day's periods need: siloed, joint-independent, joint-coordinated."""

    day: dt.date
    siloed_visits: int
    independent_visits: int
    coordinated_visits: int
    independent: tuple[DrawLog, ...]
    coordinated: tuple[DrawLog, ...]

    @property
    def saved(self) -> int:
        """Visits a coordinated draw saves over independent draws merged into joint visits."""
        return self.independent_visits - self.coordinated_visits


def compare_draws(
    scenario: Scenario, day: dt.date, params: PlanParams | None = None
) -> DrawComparison:
    """Compare independent and coordinated draws for the periods holding ``day``.

    Counts are drawn businesses: siloed = one visit per (business, department) drawn; joint = one
    visit per drawn business (independent draws give departments different due dates, so this is
    the best case for them; coordinated draws also share the due date).
    """
    params = params or PlanParams()
    logs = {}
    for coordinated in (False, True):
        p = replace(params, coordinate_draws=coordinated)
        logs[coordinated] = tuple(draw_businesses(scenario, r, day, p) for r in scenario.draws)
    siloed = len({(b, g.rule.department_id) for g in logs[False] for b in g.drawn})
    return DrawComparison(
        day,
        siloed,
        len({b for g in logs[False] for b in g.drawn}),
        len({b for g in logs[True] for b in g.drawn}),
        logs[False],
        logs[True],
    )
