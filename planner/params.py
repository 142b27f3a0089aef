"""Planning knobs as frozen dataclasses, loadable from a TOML file or a dictionary."""

from __future__ import annotations

import datetime as dt
import tomllib
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

from planner.errors import BadValue, InputError, Message, Problem

P = TypeVar("P")


def _read_section(source: Path | str | Mapping[str, Any], section: str) -> tuple[dict, str]:
    """The ``[section]`` table of a TOML file or mapping (or its top level when there is none)."""
    if isinstance(source, Mapping):
        data, file = dict(source), f"[{section}]"
    else:
        path = Path(source)
        file = path.name
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError([Problem.coded(file, 0, "", "file_not_found")]) from None
        except tomllib.TOMLDecodeError as exc:
            raise InputError([Problem.coded(file, 0, "", "not_toml", detail=exc)]) from None
    inner = data.get(section)
    if isinstance(inner, Mapping):
        return dict(inner), file
    # A flat file holds one section's keys; other sections' tables are not ours to judge.
    return {k: v for k, v in data.items() if not isinstance(v, Mapping)}, file


def _coerce(value: Any, kind: Any) -> Any:
    """``value`` as ``kind`` (bool, int, float, str, date, or ``X | None``); ``ValueError`` if not."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        return None if value is None else _coerce(value, args[0])
    if kind is bool:
        if isinstance(value, bool):
            return value
        raise BadValue.of("not_true_false", value=value)
    if kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise BadValue.of("not_whole_number", value=value)
    if kind is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise BadValue.of("not_number", value=value)
    if kind is dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise BadValue.of("not_date", value=value, example="2026-11-23")
    if kind is str:
        if isinstance(value, str):
            return value
        raise BadValue.of("not_text", value=value)
    raise TypeError(f"unsupported parameter type {kind!r}")  # a programming error, not input


def params_from_mapping(cls: type[P], data: Mapping[str, Any], file: str) -> P:
    """Build the params dataclass ``cls`` from ``data``, listing every unknown key and bad value.

    Missing keys keep their defaults. Raises ``InputError`` with one problem per bad key.
    """
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    problems = [
        Problem.coded(file, 0, key, "unknown_parameter", known=", ".join(sorted(known)))
        for key in sorted(set(data) - known)
    ]
    values: dict[str, Any] = {}
    for key in sorted(set(data) & known):
        try:
            values[key] = _coerce(data[key], hints[key])
        except BadValue as exc:
            problems.append(Problem.of(file, 0, key, exc.message))
    if problems:
        raise InputError(problems)
    try:
        return cls(**values)
    except InputError as exc:
        raise InputError([replace(p, file=file) for p in exc.problems]) from None


def _range_problems(checks: list[tuple[str, bool, Message]]) -> list[Problem]:
    return [Problem.of("params", 0, key, message) for key, ok, message in checks if not ok]


def _between(low: object, high: object, unit: str = "") -> Message:
    """``must be 0–365 days`` (``unit``: ``days``, ``s`` or none)."""
    return Message.of("must_be_between", low=low, high=high, unit=unit)


def _one_of(allowed: Iterable[str]) -> Message:
    return Message.of("must_be_one_of", allowed=", ".join(allowed))


AT_LEAST_0 = Message.of("must_be_at_least", low=0)
ABOVE_0 = Message.of("must_be_above", low=0)
AT_LEAST_10 = Message.of("must_be_at_least", low=10)
BELOW_1 = Message.of("must_be_below", low=0, high=1)
TIME_LIMIT = Message.of("must_be_above_at_most", low=0, high=86400, unit="s")


@dataclass(frozen=True, slots=True)
class PlanParams:
    """Knobs of obligations and merging (the ``[plan]`` table of a params TOML file).

    Attributes
    ----------
    pull_forward_days
        An obligation due after the planning week may join a visit that happens anyway if it is due
        at most this many days after the week's Monday (0 turns pull-forward off).
    pull_forward_share
        …and at most this share of the item's interval for the business's risk class
        (0.25: a 90-day item may be pulled forward by at most 22 days).
    desk_review
        Route desk-review-eligible items to the desk queue instead of the field.
    same_department_saving
        When several items of one department are checked at one visit, every item after the
        department's longest one costs ``1 - same_department_saving`` of its minutes (shared
        documents, licence check and walk-through).
    draw_seed
        Seed of random draws (双随机) whose rule gives none, and of every coordinated draw.
    coordinate_draws
        Draw every department's sample from one shared random number per business and period
        (跨部门联合抽查), so overlapping samples coincide as far as the ratios allow.
    draw_epoch
        Day the draw periods are counted from (period k starts ``draw_epoch + k * period_days``).
    overdue_cap_days
        Days overdue beyond which the priority stops rising.
    """

    pull_forward_days: int = 14
    pull_forward_share: float = 0.25
    desk_review: bool = False
    same_department_saving: float = 0.15
    draw_seed: int = 1
    coordinate_draws: bool = False
    draw_epoch: dt.date = dt.date(2024, 1, 1)
    overdue_cap_days: int = 28

    def __post_init__(self) -> None:
        problems = _range_problems(
            [
                ("pull_forward_days", 0 <= self.pull_forward_days <= 365, _between(0, 365, "days")),
                ("pull_forward_share", 0 <= self.pull_forward_share <= 1, _between(0, 1)),
                ("same_department_saving", 0 <= self.same_department_saving < 1, BELOW_1),
                ("overdue_cap_days", 0 <= self.overdue_cap_days <= 3650, _between(0, 3650, "days")),
            ]
        )
        if problems:
            raise InputError(problems)

    @classmethod
    def from_toml(cls, source: Path | str | Mapping[str, Any]) -> PlanParams:
        """Read a TOML file (its ``[plan]`` table, or its top level) or a dictionary.

        Parameters
        ----------
        source
            Path of a ``.toml`` file, or an already parsed mapping.

        Returns
        -------
        PlanParams
            Defaults for every key not given.

        Raises
        ------
        InputError
            Listing every unknown key and every bad value.
        """
        data, file = _read_section(source, "plan")
        return params_from_mapping(cls, data, file)


FIRST_SOLUTION_STRATEGIES = (
    "AUTOMATIC",
    "PATH_CHEAPEST_ARC",
    "PARALLEL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_INSERTION",
    "SAVINGS",
    "SWEEP",
    "ALL_UNPERFORMED",
)
DECOMPOSITIONS = ("auto", "week", "day")
PART_VISITS = ("auto", "always", "off")
ENGINE_NAMES = ("auto", "ortools", "pyvrp")


@dataclass(frozen=True, slots=True)
class SolveParams:
    """Knobs of the routing engine (the ``[solve]`` table of a params TOML file).

    Attributes
    ----------
    time_limit_s
        Wall-clock budget of the whole solve (all day models together), in seconds.
    seed
        0 keeps the visits in input order; any other value shuffles the order the routing models
        see them in (OR-Tools routing is deterministic and single-threaded, so this is how a seed
        gives different plans of the same quality; the same seed always gives the same plan).
    first_solution
        OR-Tools first-solution strategy. ``LOCAL_CHEAPEST_INSERTION`` (default) found a plan for
        every demo day in < 0.5 s; ``PATH_CHEAPEST_ARC`` found none in 5 s on days that must drop
        visits (lunch breaks make its greedy paths dead-end).
    use_guided_local_search
        Improve with guided local search until the time limit (otherwise stop at the first local
        optimum, which is fast and what the unit tests use).
    workload_balance
        Cost per second of the busiest team-day's work (service + travel): spreads visits evenly.
    duration_cost
        Cost per second of every route's duration (depart → back, waiting included).
    drop_penalty
        Cost of leaving out a visit of weight 1, in seconds of travel (weights grow with priority,
        risk, days overdue and hard deadlines).
    decomposition
        ``week``: one model for the whole week; ``day``: assign visits to days with an LP, then one
        model per day; ``auto``: ``week`` up to ``whole_week_max_visits`` visits (time allowing),
        else ``day``.
    whole_week_max_visits
        Largest number of visits solved as one whole-week model under ``auto``, when the time
        limit also allows a quarter second per visit (the week model's first solution took 1.5 s
        at 48 visits and 4–8 s at 112, the day models' 0.1–0.4 s; at 30 s the week model planned
        98 of 112 visits, day by day 94).
    area_split_visits
        A day with more visits than this is split into areas, one model each.
    carry_over_share
        Visits the LP left out or an earlier day dropped are offered to a later day's model, at most
        this share of that day's own visits (``planner.solve.carry_over_order`` says which).
    engine
        ``auto`` (``planner.engines.choose_engine``: PyVRP where it models the problem exactly and
        measurably plans better, OR-Tools otherwise — every week with lunch breaks), ``ortools``
        or ``pyvrp`` (refused with every reason when it cannot express the problem).
    part_visits
        Whether a visit of several departments may be made in part: routing is offered, besides
        the whole visit, each department's part (its items, its own duration and
        certifications) as an alternative — at most one of them is planned, so the business is
        still entered once; the part's unchecked items are reported unscheduled with the reason.
        ``auto`` (default): on a week where the teams able to make whole visits are short of time
        (``planner.problem.capacity_bound``) every such visit, else only visits with a part some
        team may make while it may not make the whole (``planner.problem.part_only_teams``) — on
        the demo that is every one (255 visits planned instead of 249, 468 due obligations
        instead of 457, in the same time), on the tiny fixture none. ``always``: every visit of
        several departments; ``off``: every visit all or nothing.
    """

    time_limit_s: float = 30.0
    seed: int = 0
    first_solution: str = "LOCAL_CHEAPEST_INSERTION"
    use_guided_local_search: bool = True
    workload_balance: int = 1
    duration_cost: int = 1
    drop_penalty: int = 36_000
    decomposition: str = "auto"
    whole_week_max_visits: int = 120
    area_split_visits: int = 200
    carry_over_share: float = 0.5
    engine: str = "auto"
    part_visits: str = "auto"

    def __post_init__(self) -> None:
        problems = _range_problems(
            [
                ("time_limit_s", 0 < self.time_limit_s <= 86_400, TIME_LIMIT),
                ("seed", self.seed >= 0, AT_LEAST_0),
                (
                    "first_solution",
                    self.first_solution in FIRST_SOLUTION_STRATEGIES,
                    _one_of(FIRST_SOLUTION_STRATEGIES),
                ),
                ("workload_balance", self.workload_balance >= 0, AT_LEAST_0),
                ("duration_cost", self.duration_cost >= 0, AT_LEAST_0),
                ("drop_penalty", self.drop_penalty > 0, ABOVE_0),
                (
                    "decomposition",
                    self.decomposition in DECOMPOSITIONS,
                    _one_of(DECOMPOSITIONS),
                ),
                ("whole_week_max_visits", self.whole_week_max_visits >= 0, AT_LEAST_0),
                ("area_split_visits", self.area_split_visits >= 10, AT_LEAST_10),
                ("carry_over_share", 0 <= self.carry_over_share <= 10, _between(0, 10)),
                (
                    "engine",
                    self.engine in ENGINE_NAMES,
                    _one_of(ENGINE_NAMES),
                ),
                (
                    "part_visits",
                    self.part_visits in PART_VISITS,
                    _one_of(PART_VISITS),
                ),
            ]
        )
        if problems:
            raise InputError(problems)

    @classmethod
    def from_toml(cls, source: Path | str | Mapping[str, Any]) -> SolveParams:
        """Read a TOML file (its ``[solve]`` table, or its top level) or a dictionary.

        Raises
        ------
        InputError
            Listing every unknown key and every bad value.
        """
        data, file = _read_section(source, "solve")
        return params_from_mapping(cls, data, file)


@dataclass(frozen=True, slots=True)
class TeamParams:
    """Knobs of joint team formation (the ``[teams]`` table of a params TOML file).

    Attributes
    ----------
    min_size, max_size
        Officers per formed team: at least ``min_size`` (never below two, by law) and at most
        ``max_size``.
    min_overlap_minutes
        Two officers share a team only if their daily hours overlap this long (part-day rosters).
    travel_minutes_per_visit
        Travel allowance per visit in formation's capacity estimate (routing computes the real one).
    rotation_weight
        Penalty per officer who would inspect a business they inspected last time (soft rule).
    idle_weight
        Reward per officer placed in a team (an available officer left idle wastes a day).
    extra_member_weight
        Penalty per officer beyond ``min_size`` in a team (prefer smaller teams).
    stability_weight
        Reward per pair of officers kept together from the previous day (fewer changes).
    random_draw, draw_seed
        Draw officers at random (双随机) among formations equal on every higher tier: pairs get
        seeded SHA-256 scores (0–9) that replace the stability reward; each day's draw is logged.
    time_limit_seconds
        CP-SAT deterministic time per objective tier and day (the wall-clock backstop is 10×).
    gap_limit
        The coverage tier stops once proven within this share of the best possible coverage.
    workers
        CP-SAT search workers; 1 keeps plans reproducible.
    rounds, rounds_budget_seconds, boost_factor
        Formation ↔ routing: at most ``rounds`` rounds (1: form once, route once — the fastest;
        3 scheduled ~3 % more obligations on the synthetic township at ~2.5× the time), a next
        round only when it is expected to end within the budget; each round multiplies the
        weight of the visits routing left unscheduled by ``boost_factor``.
    """

    min_size: int = 2
    max_size: int = 3
    min_overlap_minutes: int = 120
    travel_minutes_per_visit: int = 15
    rotation_weight: int = 1000
    idle_weight: int = 200
    extra_member_weight: int = 100
    stability_weight: int = 10
    random_draw: bool = False
    draw_seed: int = 1
    time_limit_seconds: float = 1.0
    gap_limit: float = 0.02
    workers: int = 1
    rounds: int = 1
    rounds_budget_seconds: float = 120.0
    boost_factor: int = 3

    def __post_init__(self) -> None:
        problems = _range_problems(
            [
                ("min_size", self.min_size >= 2, Message.of("team_needs_two")),
                (
                    "max_size",
                    self.min_size <= self.max_size <= 8,
                    Message.of("max_size_range", high=8),
                ),
                ("min_overlap_minutes", 0 <= self.min_overlap_minutes <= 1440, _between(0, 1440)),
                (
                    "travel_minutes_per_visit",
                    0 <= self.travel_minutes_per_visit <= 240,
                    _between(0, 240),
                ),
                ("rotation_weight", self.rotation_weight >= 0, AT_LEAST_0),
                ("idle_weight", self.idle_weight >= 0, AT_LEAST_0),
                ("extra_member_weight", self.extra_member_weight >= 0, AT_LEAST_0),
                ("stability_weight", self.stability_weight >= 0, AT_LEAST_0),
                ("time_limit_seconds", self.time_limit_seconds > 0, ABOVE_0),
                ("gap_limit", 0 <= self.gap_limit <= 0.5, _between(0, 0.5)),
                ("workers", 1 <= self.workers <= 64, _between(1, 64)),
                ("rounds", 1 <= self.rounds <= 20, _between(1, 20)),
                ("rounds_budget_seconds", self.rounds_budget_seconds > 0, ABOVE_0),
                ("boost_factor", 1 <= self.boost_factor <= 100, _between(1, 100)),
            ]
        )
        if problems:
            raise InputError(problems)

    @classmethod
    def from_toml(cls, source: Path | str | Mapping[str, Any]) -> TeamParams:
        """Read a TOML file (its ``[teams]`` table, or its top level) or a dictionary.

        Raises
        ------
        InputError
            Listing every unknown key and every bad value.
        """
        data, file = _read_section(source, "teams")
        return params_from_mapping(cls, data, file)


SECTIONS: dict[str, type] = {"plan": PlanParams, "solve": SolveParams, "teams": TeamParams}


@dataclass(frozen=True, slots=True)
class ParamsFile:
    """Every table of a params TOML file (``read_params``): defaults where a table is absent."""

    plan: PlanParams = field(default_factory=PlanParams)
    solve: SolveParams = field(default_factory=SolveParams)
    teams: TeamParams = field(default_factory=TeamParams)


def _parse(source: Path | str | Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    if isinstance(source, Mapping):
        return dict(source), "params"
    path = Path(source)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), path.name
    except FileNotFoundError:
        raise InputError([Problem.coded(path.name, 0, "", "file_not_found")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem.coded(path.name, 0, "", "not_toml", detail=exc)]) from None


def read_params(source: Path | str | Mapping[str, Any] | None) -> ParamsFile:
    """Read every table of a params TOML file: ``[plan]``, ``[solve]`` and ``[teams]``.

    A key outside every table goes to the one table whose dataclass has it (a flat file of one
    table's keys still works). Every unknown table, unknown key, key two tables share given
    outside them, and bad value is an error — listed all at once, with the file and the place
    (``[teams] max_size``) — so nothing in the file is silently ignored.

    Parameters
    ----------
    source
        Path of a ``.toml`` file, an already parsed mapping, or ``None`` (all defaults).

    Raises
    ------
    InputError
        Listing every problem of the file.
    """
    if source is None:
        return ParamsFile()
    data, file = _parse(source)
    known = ", ".join(f"[{name}]" for name in SECTIONS)
    problems: list[Problem] = []
    tables: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    for key, value in data.items():
        if isinstance(value, Mapping):
            if key in SECTIONS:
                tables[key].update(value)
            else:
                problems.append(Problem.coded(file, 0, f"[{key}]", "unknown_table", known=known))
            continue
        owners = [n for n, cls in SECTIONS.items() if key in {f.name for f in fields(cls)}]
        if len(owners) == 1:
            tables[owners[0]].setdefault(key, value)
        elif owners:
            where = ", ".join(f"[{n}]" for n in owners)
            problems.append(Problem.coded(file, 0, key, "parameter_in_two_tables", tables=where))
        else:
            problems.append(Problem.coded(file, 0, key, "unknown_parameter_anywhere", known=known))
    found: dict[str, Any] = {}
    for name, cls in SECTIONS.items():
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(tables[name]) - names)
        problems += [
            Problem.coded(
                file, 0, f"[{name}] {key}", "unknown_parameter", known=", ".join(sorted(names))
            )
            for key in unknown
        ]
        try:
            given = {k: v for k, v in tables[name].items() if k in names}
            found[name] = params_from_mapping(cls, given, file)
        except InputError as exc:
            problems += [
                replace(p, file=file, column=f"[{name}] {p.column}" if name in data else p.column)
                for p in exc.problems
            ]
    if problems:
        raise InputError(problems)
    return ParamsFile(**found)
