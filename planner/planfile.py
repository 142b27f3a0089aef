"""``plan.json``: a plan as plain JSON (format in ``docs/plan-format.md``), written and read back."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner.domain import Obligation, Plan, Reason, Route, Scenario, Stop, Unscheduled, Visit
from planner.errors import PlannerError

PLAN_FILE = "plan.json"


def local_datetime(day: dt.date, seconds: int) -> str:
    """ISO local date-time of ``seconds`` after ``day``'s midnight (past 24:00 → the next date)."""
    moment = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=int(seconds))
    return moment.isoformat(timespec="minutes" if seconds % 60 == 0 else "seconds")


def _obligation(o: Obligation) -> dict[str, Any]:
    return {
        "item_id": o.item_id,
        "department_id": o.department_id,
        "reason": o.reason.value,
        "due": o.due.isoformat(),
    }


def _stop(day: dt.date, stop: Stop) -> dict[str, Any]:
    return {
        "business_id": stop.visit.business_id,
        "arrival": local_datetime(day, stop.arrival),
        "start": local_datetime(day, stop.start),
        "end": local_datetime(day, stop.end),
        "obligations": [_obligation(o) for o in stop.visit.obligations],
    }


def _route(route: Route, lunch_minutes: int) -> dict[str, Any]:
    lunch = None
    if route.lunch_start >= 0:
        lunch = {
            "start": local_datetime(route.day, route.lunch_start),
            "end": local_datetime(route.day, route.lunch_start + lunch_minutes * 60),
        }
    return {
        "team_id": route.team_id,
        "day": route.day.isoformat(),
        "officers": list(route.officer_ids),
        "stops": [_stop(route.day, s) for s in route.stops],
        "depart": local_datetime(route.day, route.depart) if route.depart >= 0 else None,
        "return": local_datetime(route.day, route.back) if route.back >= 0 else None,
        "lunch": lunch,
        "travel_seconds": route.travel_seconds,
        "distance_metres": route.distance_metres,
    }


def _number(value: float) -> int | float | None:
    if not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() else round(value, 4)


def plan_to_json(
    plan: Plan,
    scenario: Scenario,
    *,
    metrics: Mapping[str, Any] | None = None,
    scenario_path: Path | str | None = None,
    roads: Path | str | None = None,
) -> dict[str, Any]:
    """The JSON object of ``plan`` (see ``docs/plan-format.md``).

    Parameters
    ----------
    plan
        A plan from ``plan_week``.
    scenario
        The scenario it was made from (lunch length for the routes' lunch breaks).
    metrics
        More metrics to carry in ``metrics`` (e.g. ``planner.metrics.flat_metrics``: numbers or
        ``None``); they win over the plan's own of the same name.
    scenario_path, roads
        The scenario files and the OSM road file the plan was made from: recorded (absolute)
        under ``scenario`` and ``roads`` when given, so ``python -m planner export`` finds them.

    Returns
    -------
    dict
        ``week_start``, ``scenario`` and ``roads`` (when known), ``routes`` (with stops and their
        obligations), ``unscheduled`` and ``metrics``; times are ISO local date-times, a stop
        after midnight on the next date.
    """
    made_from: dict[str, Any] = {}
    if scenario_path is not None:
        made_from["scenario"] = str(Path(scenario_path).resolve())
        made_from["roads"] = str(Path(roads).resolve()) if roads is not None else None
    return {
        "week_start": plan.week_start.isoformat(),
        **made_from,
        "routes": [_route(r, scenario.settings.lunch_minutes) for r in plan.routes],
        "unscheduled": [
            {
                "business_id": u.obligation.business_id,
                "item_id": u.obligation.item_id,
                "reason": u.reason,
                "department_id": u.obligation.department_id,
                "due": u.obligation.due.isoformat(),
            }
            for u in plan.unscheduled
        ],
        "metrics": {name: _number(value) for name, value in plan.metrics} | dict(metrics or {}),
    }


def write_plan(
    plan: Plan,
    scenario: Scenario,
    out_dir: Path | str,
    *,
    metrics: Mapping[str, Any] | None = None,
    scenario_path: Path | str | None = None,
    roads: Path | str | None = None,
) -> Path:
    """Write ``out_dir/plan.json`` (UTF-8, indented; the keywords as in ``plan_to_json``)."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PLAN_FILE
    data = plan_to_json(plan, scenario, metrics=metrics, scenario_path=scenario_path, roads=roads)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def read_plan(path: Path | str) -> dict[str, Any]:
    """Read a ``plan.json`` (or the ``plan.json`` inside a folder) into its JSON object."""
    path = Path(path)
    if path.is_dir():
        path = path / PLAN_FILE
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _seconds_of_day(day: dt.date, text: str | None, missing: int = -1) -> int:
    """Seconds from ``day``'s midnight to the ISO local datetime ``text`` (``missing`` if none)."""
    if not text:
        return missing
    moment = dt.datetime.fromisoformat(text).replace(tzinfo=None)
    return round((moment - dt.datetime.combine(day, dt.time(0))).total_seconds())


def _obligation_from_json(
    row: dict[str, Any], business_id: str, week: dt.date, scenario: Scenario, reason: str = ""
) -> Obligation:
    item = scenario.item(row["item_id"])
    due = dt.date.fromisoformat(row["due"]) if row.get("due") else week + dt.timedelta(days=6)
    return Obligation(
        business_id=business_id,
        item_id=item.id,
        department_id=row.get("department_id") or item.department_id,
        earliest=dt.date.fromisoformat(row["earliest"]) if row.get("earliest") else week,
        due=due,
        reason=Reason(reason or row.get("reason") or "routine"),
        priority=int(row.get("priority", 1)),
        unannounced=bool(row.get("unannounced", item.unannounced)),
        task_id=row.get("task_id", ""),
    )


def plan_from_json(data: dict[str, Any], scenario: Scenario) -> Plan:
    """A ``Plan`` from the JSON object of ``plan.json`` (what ``plan_to_json`` writes).

    Fields the file does not carry come from the scenario or sensible defaults: an obligation's
    ``unannounced`` flag from its catalogue item, ``earliest`` the week start, ``priority`` 1;
    a visit's service time is its end minus its start.

    Raises
    ------
    PlannerError
        When the file names a business, item or department the scenario does not have.
    """
    week = dt.date.fromisoformat(data["week_start"])
    try:
        routes = tuple(_route_from_json(r, week, scenario) for r in data.get("routes", ()))
        unscheduled = tuple(
            Unscheduled(
                _obligation_from_json(u, u["business_id"], week, scenario, "routine"),
                str(u.get("reason", "")),
            )
            for u in data.get("unscheduled", ())
        )
    except (KeyError, ValueError) as exc:
        raise PlannerError(
            f"plan.json does not match the scenario or the plan format: {exc} "
            "(export with the scenario the plan was made from)"
        ) from exc
    metrics = tuple(
        (name, float("nan") if v is None else float(v))
        for name, v in _metric_numbers(dict(data.get("metrics", {})))
    )
    return Plan(week, routes, unscheduled, metrics)


def _metric_numbers(metrics: dict[str, Any]) -> list[tuple[str, Any]]:
    """plan.json metrics as (name, number); a map such as coverage_by_department gives ``key.sub``."""
    numbers: list[tuple[str, Any]] = []
    for key, value in metrics.items():
        if isinstance(value, dict):
            numbers += [(f"{key}.{sub}", v) for sub, v in value.items()]
        else:
            numbers.append((str(key), value))
    return numbers


def _route_from_json(row: dict[str, Any], week: dt.date, scenario: Scenario) -> Route:
    day = dt.date.fromisoformat(row["day"])
    stops = []
    for s in row.get("stops", ()):
        scenario.business(s["business_id"])  # KeyError for an unknown business
        start, end = _seconds_of_day(day, s["start"]), _seconds_of_day(day, s["end"])
        obligations = tuple(
            _obligation_from_json(o, s["business_id"], week, scenario)
            for o in s.get("obligations", ())
        )
        for o in obligations:
            scenario.department(o.department_id)
        visit = Visit(s["business_id"], obligations, end - start)
        stops.append(Stop(visit, _seconds_of_day(day, s.get("arrival"), start), start, end))
    lunch = row.get("lunch") or {}
    return Route(
        team_id=row["team_id"],
        day=day,
        officer_ids=tuple(row.get("officers", ())),
        stops=tuple(stops),
        lunch_start=_seconds_of_day(day, lunch.get("start")),
        travel_seconds=int(row.get("travel_seconds") or 0),
        distance_metres=int(row.get("distance_metres") or 0),
        depart=_seconds_of_day(day, row.get("depart")),
        back=_seconds_of_day(day, row.get("return")),
    )
