"""Tables and maps for people: built once here, shown by the app, the notebook and reports."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk

from planner.access import access_code
from planner.domain import Obligation, Plan, Route, Scenario, Settings
from planner.errors import Problem
from planner.floor import FLOOR_ADOPTED, FLOOR_INFEASIBLE, FLOOR_NO_MAPPING, FLOOR_NOT_BETTER
from planner.i18n import (
    CHANGE_KINDS,
    PROBLEM_TEMPLATES,
    RESULTS,
    RISKS,
    TASK_KINDS,
    WEEKDAYS,
    YES_NO,
    category_name,
    day_label,
    label,
    problem_text,
    reason_category_name,
    reason_text,
    stage_text,
    t,
    weekday,
)
from planner.metrics import Coverage, department_coverage, plan_obligations
from planner.notices import (
    businesses_with_notices,
    department_name,
    is_unannounced,
    item_title,
    route_points,
    time_text,
    window_text,
)
from planner.obligations import is_due
from planner.replan import Change, OfficerAbsent, PlanDiff, UrgentTask
from planner.validate import MAX_MESSAGE_CHARS

RISK_COLOURS = {"low": (46, 160, 67), "medium": (240, 170, 20), "high": (214, 39, 40)}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>:$&=^])")


# ---------------------------------------------------------------- text for people


def database_place(url: str) -> str:
    """``url`` as it may be shown: its password replaced by ``***`` (also when the URL cannot be
    parsed), so a message about the database never reveals it."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL: hide whatever sits between : and @
        return re.sub(r"(//[^/:@]*:)[^@/]*@", r"\1***@", url)


def township_name(settings: Settings, lang: str = "en") -> str:
    """The township's name in ``lang`` (its Chinese name when it has one)."""
    return (settings.township_zh or settings.township) if lang == "zh" else settings.township


def store_error_text(error: Exception, lang: str = "en") -> str:
    """What the store refused, for the page: in English its own message (which names the plan,
    week and who changed it); in Chinese what happened and what to do, by the kind of refusal
    (the store's messages are English only)."""
    from planner.store import ConflictError, NotFoundError, StateError

    if lang != "zh":
        return str(error)
    kinds = ((ConflictError, "store_conflict"), (StateError, "store_state"),
             (NotFoundError, "store_not_found"))  # fmt: skip
    key = next((k for kind, k in kinds if isinstance(error, kind)), "store_refused")
    return t(key, lang)


def field_line(name: str, value: str, lang: str = "en") -> str:
    """``**Name:** value`` as markdown, with the colon of ``lang`` (``**时间段**：…`` in Chinese);
    ``value`` is shown as plain text."""
    return f"**{name}**{'：' if lang == 'zh' else ': '}{plain(value)}"


def officers_text(officers: Iterable[tuple[str, str]], lang: str = "en") -> str:
    """Officers with their certificate numbers: ``A (no. 1), B (no. 2)``; ``A（1）、B（2）`` in
    Chinese."""
    if lang == "zh":
        return "、".join(f"{name}（{cert or '—'}）" for name, cert in officers)
    return ", ".join(f"{name} ({cert or '—'})" for name, cert in officers)


def township_time(moment: dt.datetime, timezone: str) -> str:
    """A stored timestamp (UTC; naive ones are UTC) as the township's wall-clock time, e.g.
    ``2026-11-25 18:42``: the same clock as the plan's visit times, whatever zone the server runs
    in (``planner.store.local_time`` uses the server's)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    try:
        zone: dt.tzinfo = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return aware.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def plain(text: object) -> str:
    """``text`` escaped for ``st.markdown``: data (names, addresses, legal basis) shows as typed,
    never as a link, an image, a heading or a format (every markdown character is escaped)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


def headed(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """``frame`` with its column ids as headers people read in ``lang`` (``col_<id>`` words)."""
    return frame.rename(columns={c: t(f"col_{c}", lang) for c in frame.columns})


def team_name(team_id: str, lang: str = "en", scenario: Scenario | None = None) -> str:
    """``Mon-1`` → ``Team 1`` / ``第1组``; a siloed ``market:Mon-1`` names its department too."""
    department, _, team = team_id.rpartition(":")
    number = team.rpartition("-")[2]
    name = t("team_n", lang, n=number) if number.isdigit() else team
    if department and scenario is not None:
        known = {d.id for d in scenario.departments}
        if department in known:
            return f"{department_name(department, scenario, lang)} · {name}"
    return f"{department} · {name}" if department else name


def officer_names(officer_ids: Iterable[str], scenario: Scenario, lang: str = "en") -> str:
    """The officers' names (not their ids), joined for ``lang``."""
    names = {o.id: o.name for o in scenario.inspectors}
    return ("、" if lang == "zh" else ", ").join(names.get(i, i) for i in officer_ids)


def officer_name_map(scenario: Scenario) -> dict[str, str]:
    """Officer id → name (charts and tables show names, never ids like o04)."""
    return {o.id: o.name for o in scenario.inspectors}


def department_names(scenario: Scenario, lang: str = "en") -> dict[str, str]:
    """Department id → name in ``lang``."""
    return {d.id: department_name(d.id, scenario, lang) for d in scenario.departments}


def team_label(route: Route, scenario: Scenario, lang: str = "en") -> str:
    """``Team 1 (Li Wei, Wang Fang)``: the team of a route named by its officers."""
    return t(
        "team_of",
        lang,
        team=team_name(route.team_id, lang, scenario),
        officers=officer_names(route.officer_ids, scenario, lang),
    )


_VALUE_TABLES = {
    "risk": RISKS,
    "result": RESULTS,
    "kind": TASK_KINDS,
    "unannounced": YES_NO,
    "desk_review": YES_NO,
}


def localised_frame(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A scenario table (``tables.scenario_to_frames``) with its coded values in ``lang``: risk,
    result, task kind, yes/no and business categories; names and ids stay as the data has them."""
    out = frame.copy()
    for column, table in _VALUE_TABLES.items():
        if column in out.columns:
            out[column] = out[column].map(lambda v, tb=table: label(tb, str(v), lang))
    for column in ("category", "categories"):
        if column in out.columns:
            out[column] = out[column].map(
                lambda v: v if v == "*" else category_name(str(v).replace(",", ";"), lang)
            )
    if lang == "zh":  # officers' working days and fixed teams' days: Mon,Tue → 周一、周二
        names = dict(zip(WEEKDAYS["en"], WEEKDAYS["zh"], strict=True))
        for column in ("working_days", "days"):
            if column in out.columns:
                out[column] = out[column].map(
                    lambda v: (
                        "、".join(names.get(d.strip(), d.strip()) for d in str(v).split(","))
                        if str(v)
                        else v
                    )
                )
    return out


def problem_message(problem: Problem, lang: str = "en") -> str:
    """What ``problem`` says, in ``lang``: rendered from its code and parameters; a problem
    without a code (plain text from a library) is shown as its English message."""
    if lang == "en" or problem.code not in PROBLEM_TEMPLATES:
        return str(problem.message)
    text = problem_text(problem.code, problem.params, lang)
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def problems_frame(problems: Iterable[Problem], lang: str = "en") -> pd.DataFrame:
    """Validation problems as a table of text in ``lang`` (a row number or blank: never a mixed
    column, which Arrow cannot serialise)."""
    rows = [
        {
            "severity": t(f"severity_{p.severity}", lang),
            "file": str(p.file or ""),
            "row": str(p.row) if p.row else "",
            "column": str(p.column or ""),
            "problem": problem_message(p, lang),
        }
        for p in problems
    ]
    return pd.DataFrame(rows, columns=["severity", "file", "row", "column", "problem"], dtype=str)


def category_colour(category: str) -> tuple[int, int, int]:
    """A stable, distinct-enough colour for a business category."""
    digest = hashlib.sha256(category.encode()).digest()
    return (60 + digest[0] % 180, 60 + digest[1] % 180, 60 + digest[2] % 180)


def businesses_frame(scenario: Scenario, lang: str = "en") -> pd.DataFrame:
    """One row per business with its checklist size, for tables and maps (category and risk in
    ``lang``; ``risk_id`` keeps the risk class for colouring)."""
    return pd.DataFrame(
        [
            {
                "id": b.id,
                "name": b.name,
                "category": category_name(b.category, lang),
                "risk": label(RISKS, b.risk.value, lang),
                "risk_id": b.risk.value,
                "address": b.address,
                "opening_hours": b.opening_hours.text,
                "items": len(scenario.checklist_of(b)),
                "lon": b.lon,
                "lat": b.lat,
            }
            for b in scenario.businesses
        ]
    )


def business_map(scenario: Scenario, *, colour_by: str = "category", lang: str = "en") -> pdk.Deck:
    """A pydeck map of businesses and offices that needs no tile server (no base map style)."""
    frame = businesses_frame(scenario, lang)
    for column in ("name", "category", "opening_hours"):  # the tooltip is HTML: text stays text
        frame[column] = frame[column].map(html.escape)
    if colour_by == "risk":
        colours = frame["risk_id"].map(RISK_COLOURS)
    else:
        colours = frame["category"].map(category_colour)
    frame["colour"] = [list(c) for c in colours]
    offices = pd.DataFrame(
        [
            {
                "name": html.escape(o.name),
                "lon": o.lon,
                "lat": o.lat,
                "category": t("office", lang),
                "risk": "–",
                "opening_hours": "",
            }
            for o in scenario.settings.offices
        ]
    )
    layers = [
        pdk.Layer(
            "ScatterplotLayer",
            frame,
            get_position=["lon", "lat"],
            get_fill_color="colour",
            get_radius=25,
            radius_min_pixels=3,
            pickable=True,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            offices,
            get_position=["lon", "lat"],
            get_fill_color=[20, 20, 20],
            get_radius=60,
            radius_min_pixels=7,
            pickable=True,
        ),
    ]
    view = pdk.ViewState(
        longitude=float(frame["lon"].mean()) if len(frame) else offices["lon"].mean(),
        latitude=float(frame["lat"].mean()) if len(frame) else offices["lat"].mean(),
        zoom=13,
    )
    return pdk.Deck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,  # no base map: nothing is fetched from a tile server
        map_style=None,
        tooltip={
            "html": f"<b>{{name}}</b><br/>{{category}} · {t('col_risk', lang)} {{risk}}"
            "<br/>{opening_hours}"
        },
    )


OFFICE_PICK_LAYER = "office-pick"  # the pickable grid of the office picker


def office_picker_map(
    scenario: Scenario, lon: float, lat: float, *, cells: int = 70, lang: str = "en"
) -> pdk.Deck:
    """A map to place the office by clicking: a fine grid of invisible, pickable points over the
    township (and a margin), the businesses as grey dots and the office where it is now.

    A click picks the grid point under the pointer (``picked_point`` reads it from the chart's
    selection): about 1/``cells`` of the township's width, tens of metres in a town. No map
    tiles are fetched.
    """
    lons = [b.lon for b in scenario.businesses] + [lon]
    lats = [b.lat for b in scenario.businesses] + [lat]
    pad_lon = max((max(lons) - min(lons)) * 0.1, 0.005)
    pad_lat = max((max(lats) - min(lats)) * 0.1, 0.005)
    west, east = min(lons) - pad_lon, max(lons) + pad_lon
    south, north = min(lats) - pad_lat, max(lats) + pad_lat
    step = max(east - west, (north - south) / max(math.cos(math.radians(lat)), 0.1)) / cells
    step_lat = step * max(math.cos(math.radians(lat)), 0.1)
    grid = pd.DataFrame(
        [
            {"lon": round(west + i * step, 6), "lat": round(south + j * step_lat, 6)}
            for i in range(int((east - west) / step) + 1)
            for j in range(int((north - south) / step_lat) + 1)
        ]
    )
    grid["where"] = [f"{x:.5f}, {y:.5f}" for x, y in zip(grid["lon"], grid["lat"], strict=True)]
    cell_metres = step_lat * 111_320
    businesses = pd.DataFrame(
        [{"lon": b.lon, "lat": b.lat} for b in scenario.businesses], columns=["lon", "lat"]
    )
    office = pd.DataFrame([{"lon": lon, "lat": lat, "where": t("office", lang)}])
    layers = [
        pdk.Layer(
            "ScatterplotLayer",
            grid,
            id=OFFICE_PICK_LAYER,
            get_position=["lon", "lat"],
            get_fill_color=[0, 114, 178, 0],  # invisible until hovered
            get_radius=cell_metres * 0.75,
            pickable=True,
            auto_highlight=True,
            highlight_color=[0, 114, 178, 120],
        ),
        pdk.Layer(
            "ScatterplotLayer",
            businesses,
            get_position=["lon", "lat"],
            get_fill_color=[120, 120, 120, 160],
            get_radius=8,
            radius_min_pixels=2,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            office,
            get_position=["lon", "lat"],
            get_fill_color=[213, 94, 0],
            get_line_color=[255, 255, 255],
            stroked=True,
            line_width_min_pixels=2,
            get_radius=30,
            radius_min_pixels=8,
        ),
    ]
    return pdk.Deck(
        layers=layers,
        initial_view_state=fit_view(list(zip(lons, lats, strict=True)), height=420),
        map_provider=None,
        map_style=None,
        tooltip={"text": "{where}"},
    )


def picked_point(selection: Any) -> tuple[float, float] | None:
    """The (lon, lat) clicked on ``office_picker_map``, from ``st.pydeck_chart``'s selection."""
    try:
        objects = selection["selection"]["objects"].get(OFFICE_PICK_LAYER) or []
    except (KeyError, TypeError, AttributeError):
        return None
    if not objects:
        return None
    return float(objects[0]["lon"]), float(objects[0]["lat"])


# ---------------------------------------------------------------- plans: tables for people

# Okabe–Ito's colour-blind-safe colours (no yellow: unreadable on white), then darker
# Tableau colours; none is grey (the other businesses are grey dots).
TEAM_PALETTE = (
    (0, 114, 178), (213, 94, 0), (0, 158, 115), (204, 121, 167), (86, 180, 233),
    (230, 159, 0), (0, 0, 0), (148, 103, 189), (140, 86, 75), (31, 119, 180),
    (214, 39, 40), (44, 160, 44),
)  # fmt: skip
SCHEDULE_COLOURS = {
    "travel": "#9e9e9e",
    "wait": "#e0e0e0",
    "visit": "#1f77b4",
    "lunch": "#ff7f0e",
}
SCHEDULE_DAY = dt.date(2000, 1, 3)  # a Monday: every lane shares one clock axis


def team_colour(team_id: str, teams: Sequence[str]) -> tuple[int, int, int]:
    """The colour of ``team_id`` among ``teams`` (sorted): distinct for the first twelve teams."""
    ordered = sorted(set(teams))
    if team_id in ordered:
        return TEAM_PALETTE[ordered.index(team_id) % len(TEAM_PALETTE)]
    return category_colour(team_id)


def select_routes(
    plan: Plan, *, days: Iterable[dt.date] | None = None, teams: Iterable[str] | None = None
) -> list[Route]:
    """The plan's routes on ``days`` of ``teams`` (every one when ``None``), by day then team."""
    wanted_days = None if days is None else set(days)
    wanted_teams = None if teams is None else set(teams)
    return [
        r
        for r in sorted(plan.routes, key=lambda r: (r.day, r.team_id))
        if (wanted_days is None or r.day in wanted_days)
        and (wanted_teams is None or r.team_id in wanted_teams)
    ]


ITEMS_SEPARATOR = ("; ", "；")  # between a visit's items, in English and in Chinese


def items_text(obligations: Iterable[Obligation], scenario: Scenario, lang: str = "en") -> str:
    """The items of a visit as ``title (department)`` lines in ``lang``, each item once."""
    seen: dict[str, str] = {}
    for o in obligations:
        if o.item_id not in seen:
            mark = " ⚑" if is_unannounced(o, scenario) else ""
            title = item_title(o.item_id, scenario, lang)
            department = department_name(o.department_id, scenario, lang)
            seen[o.item_id] = (
                f"{title}（{department}）{mark}"
                if lang == "zh"
                else f"{title} ({department}){mark}"
            )
    return ITEMS_SEPARATOR[lang == "zh"].join(seen.values())


def route_stops_frame(
    plan: Plan,
    scenario: Scenario,
    *,
    days: Iterable[dt.date] | None = None,
    teams: Iterable[str] | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """One row per stop in route order: team, day, number, business, time window, items, place.

    Items list every item (unannounced ones marked ⚑): this is the planner's and team's view.
    """
    routes = select_routes(plan, days=days, teams=teams)
    all_teams = [r.team_id for r in plan.routes]
    rows = []
    for route in routes:
        colour = list(team_colour(route.team_id, all_teams))
        for order, stop in enumerate(route.stops, start=1):
            business = scenario.business(stop.visit.business_id)
            rows.append(
                {
                    "team_id": route.team_id,
                    "team": team_label(route, scenario, lang),
                    "day": route.day.isoformat(),
                    "weekday": weekday(route.day, lang),
                    "order": order,
                    "business_id": business.id,
                    "business": business.name,
                    "address": business.address,
                    "time": window_text(stop.start, stop.end, lang),
                    "arrival": time_text(stop.arrival, lang),
                    "items": items_text(stop.visit.obligations, scenario, lang),
                    "lon": business.lon,
                    "lat": business.lat,
                    "colour": colour,
                }
            )
    columns = ["team_id", "team", "day", "weekday", "order", "business_id", "business",
               "address", "time", "arrival", "items", "lon", "lat", "colour"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def route_paths_frame(
    plan: Plan,
    scenario: Scenario,
    *,
    days: Iterable[dt.date] | None = None,
    teams: Iterable[str] | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """One row per team-day: its path office → stops → office as ``[[lon, lat], …]``."""
    all_teams = [r.team_id for r in plan.routes]
    rows = []
    for route in select_routes(plan, days=days, teams=teams):
        points = route_points(route, scenario)
        if len(points) < 2:
            continue
        when = (
            window_text(route.depart, route.back, lang)
            if route.depart >= 0 and route.back >= 0
            else ""
        )
        rows.append(
            {
                "team_id": route.team_id,
                "day": route.day.isoformat(),
                "path": [[lon, lat] for lon, lat in points],
                "colour": list(team_colour(route.team_id, all_teams)),
                "business": f"{day_label(route.day, lang)} · {team_label(route, scenario, lang)}",
                "time": when,
                "items": f"{len(route.stops)} ×",
            }
        )
    return pd.DataFrame(
        rows, columns=["team_id", "day", "path", "colour", "business", "time", "items"]
    )


def route_map(
    plan: Plan,
    scenario: Scenario,
    *,
    days: Iterable[dt.date] | None = None,
    teams: Iterable[str] | None = None,
    lang: str = "en",
    context: bool = True,
) -> pdk.Deck:
    """Each team-day's route in order on a map that needs no tile server.

    Paths (straight lines office → stops → office) in the team's colour, numbered stops, the
    office, and with ``context`` every other business as a faint grey dot (the street pattern
    shows without map tiles). Hovering a stop shows business, time window and items.

    Parameters
    ----------
    plan, scenario
        The plan and its scenario.
    days, teams
        Show only these days and teams (``None``: all).
    lang
        ``"en"`` or ``"zh"`` for item and department names.
    context
        Draw the other businesses as grey dots.
    """
    days = None if days is None else list(days)
    teams = None if teams is None else list(teams)
    stops = route_stops_frame(plan, scenario, days=days, teams=teams, lang=lang)
    stops["label"] = stops["order"].astype(str)
    paths = route_paths_frame(plan, scenario, days=days, teams=teams, lang=lang)
    for frame in (stops, paths):  # the tooltip is HTML: names and items stay text
        for column in ("business", "time", "items"):
            frame[column] = frame[column].map(html.escape)
    stops["business"] = stops["business"] + " · " + stops["team"].map(html.escape)
    offices = pd.DataFrame(
        [
            {"business": html.escape(o.name), "time": "", "items": "", "lon": o.lon, "lat": o.lat}
            for o in scenario.settings.offices
        ],
        columns=["business", "time", "items", "lon", "lat"],
    )
    layers = []
    if context:
        others = pd.DataFrame(
            [{"lon": b.lon, "lat": b.lat} for b in scenario.businesses], columns=["lon", "lat"]
        )
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                others,
                get_position=["lon", "lat"],
                get_fill_color=[150, 150, 150, 80],
                get_radius=5,
                radius_min_pixels=1.5,
                radius_max_pixels=4,
            )
        )
    layers += [
        pdk.Layer(
            "PathLayer",
            paths,
            get_path="path",
            get_color="colour",
            get_width=4,
            width_min_pixels=2,
            width_units="'pixels'",
            pickable=True,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            offices,
            get_position=["lon", "lat"],
            get_fill_color=[20, 20, 20],
            get_radius=25,
            radius_min_pixels=7,
            radius_max_pixels=12,
            pickable=True,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            stops,
            get_position=["lon", "lat"],
            get_fill_color="colour",
            get_line_color=[255, 255, 255],
            line_width_min_pixels=1,
            stroked=True,
            get_radius=20,
            radius_min_pixels=9,
            pickable=True,
        ),
        pdk.Layer(
            "TextLayer",
            stop_labels(stops),
            get_position=["lon", "lat"],
            get_text="label",
            get_size=13,
            get_color=[20, 20, 20],
            get_text_anchor="'middle'",
            get_alignment_baseline="'bottom'",
            get_pixel_offset=[0, -10],  # above its dot, not on it
            font_weight=700,
        ),
    ]
    view = fit_view([p for path in paths["path"] for p in path] or offices[["lon", "lat"]].values)
    return pdk.Deck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,  # no base map: nothing is fetched from a tile server
        map_style=None,
        tooltip={"html": "<b>{business}</b><br/>{time}<br/>{items}"},
    )


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One team-day on the map: its label and colour (``#rrggbb``)."""

    label: str
    colour: str


def team_legend(
    plan: Plan,
    scenario: Scenario,
    *,
    days: Iterable[dt.date] | None = None,
    teams: Iterable[str] | None = None,
    lang: str = "en",
) -> list[LegendEntry]:
    """The map's legend: each shown team-day, named by its officers, in its route's colour."""
    all_teams = [r.team_id for r in plan.routes]
    return [
        LegendEntry(
            f"{day_label(r.day, lang)} · {team_label(r, scenario, lang)}",
            "#{:02x}{:02x}{:02x}".format(*team_colour(r.team_id, all_teams)),
        )
        for r in select_routes(plan, days=days, teams=teams)
    ]


def legend_html(entries: Iterable[LegendEntry]) -> str:
    """The legend as HTML swatches (labels escaped: officer names are data)."""
    items = "".join(
        f'<span style="display:inline-flex;align-items:center;margin:0 1.2em 0.3em 0">'
        f'<span style="width:1.6em;height:0.45em;border-radius:2px;background:{e.colour};'
        f'margin-right:0.4em"></span>{html.escape(e.label)}</span>'
        for e in entries
    )
    return f'<div style="display:flex;flex-wrap:wrap">{items}</div>'


def teams_on(plan: Plan, days: Iterable[dt.date]) -> list[str]:
    """The teams with a route on ``days`` (what a team filter offers once days are chosen)."""
    wanted = set(days)
    return sorted({r.team_id for r in plan.routes if r.day in wanted})


def stop_labels(stops: pd.DataFrame, *, metres: float = 40.0) -> pd.DataFrame:
    """One label per place: stops within about ``metres`` of each other (one business visited
    by two teams, neighbours in one building) share a label ``2 · 5`` instead of overlapping."""
    if stops.empty:
        return pd.DataFrame(columns=["lon", "lat", "label"])
    degrees = metres / 111_320
    cells = stops.assign(
        cell_x=(stops["lon"] / degrees).round().astype(int),
        cell_y=(stops["lat"] / degrees).round().astype(int),
    )
    grouped = cells.groupby(["cell_x", "cell_y"], sort=False).agg(
        lon=("lon", "mean"), lat=("lat", "mean"), label=("label", " · ".join)
    )
    return grouped.reset_index(drop=True)


def fit_view(
    points: Iterable[Sequence[float]], *, width: int = 900, height: int = 520
) -> pdk.ViewState:
    """A view that shows every (lon, lat) of ``points`` in a ``width`` × ``height`` px map."""
    pairs = [(float(p[0]), float(p[1])) for p in points]
    if not pairs:
        return pdk.ViewState(longitude=0.0, latitude=0.0, zoom=1)
    lons, lats = [p[0] for p in pairs], [p[1] for p in pairs]
    middle = (min(lats) + max(lats)) / 2
    # deck.gl's Web Mercator: the world is 512 · 2**zoom px wide; a latitude degree is 1/cos(lat) wider.
    lon_span = max(max(lons) - min(lons), 1e-4)
    lat_span = max(max(lats) - min(lats), 1e-4) / max(math.cos(math.radians(middle)), 0.1)
    zoom = min(
        math.log2(width * 360 / (512 * lon_span)), math.log2(height * 360 / (512 * lat_span))
    )
    return pdk.ViewState(
        longitude=(min(lons) + max(lons)) / 2,
        latitude=middle,
        zoom=max(1.0, min(16.0, zoom - 0.4)),
    )


def _without(start: int, end: int, cut: tuple[int, int] | None) -> list[tuple[int, int]]:
    """The span ``start``–``end`` without the span ``cut`` (0, 1 or 2 pieces)."""
    if end <= start:
        return []
    if cut is None or cut[1] <= start or cut[0] >= end:
        return [(start, end)]
    return [(a, b) for a, b in ((start, cut[0]), (cut[1], end)) if b > a]


def route_segments(route: Route, lunch_minutes: int) -> list[tuple[str, int, int, str]]:
    """A route's day as (kind, start, end, business id) spans: travel, wait, visit and lunch.

    Between two events the team travels (times come from the plan; the gap before an arrival
    is travel, between arrival and start it waits); a lunch break is cut out of what it overlaps.
    """
    lunch = (route.lunch_start, route.lunch_start + lunch_minutes * 60)
    cut = lunch if route.lunch_start >= 0 else None
    segments: list[tuple[str, int, int, str]] = []
    t = route.depart if route.depart >= 0 else (route.stops[0].arrival if route.stops else 0)
    for stop in route.stops:
        business = stop.visit.business_id
        segments += [("travel", a, b, business) for a, b in _without(t, stop.arrival, cut)]
        segments += [("wait", a, b, business) for a, b in _without(stop.arrival, stop.start, cut)]
        segments.append(("visit", stop.start, stop.end, business))
        t = stop.end
    if route.back > t:
        segments += [("travel", a, b, "") for a, b in _without(t, route.back, cut)]
    if cut is not None:
        segments.append(("lunch", cut[0], cut[1], ""))
    return sorted(segments, key=lambda s: (s[1], s[2]))


def schedule_frame(
    plan: Plan,
    scenario: Scenario,
    *,
    days: Iterable[dt.date] | None = None,
    teams: Iterable[str] | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """The Gantt rows of the plan: one per travel, wait, visit and lunch span of each team-day.

    ``start`` and ``finish`` are datetimes on one shared day (``SCHEDULE_DAY``) so every lane
    shares a clock axis; ``lane`` is ``weekday · team (officers)``; ``kind`` travel / wait /
    visit / lunch.
    """
    lunch = scenario.settings.lunch_minutes
    base = dt.datetime.combine(SCHEDULE_DAY, dt.time(0))
    rows = []
    for route in select_routes(plan, days=days, teams=teams):
        lane = f"{day_label(route.day, lang)} · {team_label(route, scenario, lang)}"
        items = {s.visit.business_id: s.visit.obligations for s in route.stops}
        for kind, start, end, business_id in route_segments(route, lunch):
            name = scenario.business(business_id).name if kind == "visit" else ""
            rows.append(
                {
                    "lane": lane,
                    "team_id": route.team_id,
                    "day": route.day.isoformat(),
                    "kind": kind,
                    "kind_label": t(f"kind_{kind}", lang),
                    "start": base + dt.timedelta(seconds=start),
                    "finish": base + dt.timedelta(seconds=end),
                    "time": window_text(start, end, lang),
                    "business": name,
                    "items": items_text(items[business_id], scenario, lang)
                    if kind == "visit"
                    else "",
                }
            )
    columns = ["lane", "team_id", "day", "kind", "kind_label", "start", "finish", "time",
               "business", "items"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def schedule_figure(frame: pd.DataFrame, lang: str = "en") -> go.Figure:
    """A Plotly timeline of ``schedule_frame``: a lane per team-day, coloured by kind."""
    import plotly.express as px

    colours = {t(f"kind_{k}", lang): c for k, c in SCHEDULE_COLOURS.items()}
    lanes = list(dict.fromkeys(frame.sort_values(["day", "team_id"])["lane"]))
    order = [t(f"kind_{k}", lang) for k in SCHEDULE_COLOURS]
    shown = frame.assign(  # Plotly's hover is HTML: data stays text, one item per line
        business=frame["business"].map(html.escape),
        items=frame["items"].map(
            lambda s: "<br>".join(html.escape(p) for p in re.split("; |；", s))
        ),
        lane_text=frame["lane"].map(html.escape),
    )
    fig = px.timeline(
        shown,
        x_start="start",
        x_end="finish",
        y="lane",
        color="kind_label",
        color_discrete_map=colours,
        category_orders={"kind_label": order, "lane": lanes},
        custom_data=["kind_label", "time", "business", "items", "lane_text"],
    )  # fmt: skip
    fig.update_traces(
        hovertemplate="<b>%{customdata[0]}</b> %{customdata[1]}<br>%{customdata[4]}"
        "<br><b>%{customdata[2]}</b><br>%{customdata[3]}<extra></extra>"
    )
    fig.update_yaxes(autorange="reversed", title=t("team_day", lang))  # first lane on top
    fig.update_xaxes(tickformat="%H:%M", title=t("time_of_day", lang))
    fig.update_layout(
        legend_title_text="",
        height=max(260, 36 * frame["lane"].nunique() + 120),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
    )
    return fig


def unscheduled_frame(
    plan: Plan,
    scenario: Scenario,
    *,
    department_id: str | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Every obligation of the plan not in a visit, with its reason in ``lang`` (one department's
    if given). The reason comes second so a narrow table still shows it."""
    rows = [
        {
            "business": scenario.business(o.business_id).name,
            "reason": reason_text(u.reason, lang, scenario),
            "item": item_title(o.item_id, scenario, lang),
            "department": department_name(o.department_id, scenario, lang),
            "due": o.due.isoformat(),
            "business_id": o.business_id,
        }
        for u in plan.unscheduled
        for o in (u.obligation,)
        if department_id is None or o.department_id == department_id
    ]
    return pd.DataFrame(
        rows, columns=["business", "reason", "item", "department", "due", "business_id"]
    )


def access_codes_frame(
    plan: Plan, scenario: Scenario, *, secret: str | bytes | None = None
) -> pd.DataFrame:
    """The access code of every business with an announced visit (what its notice prints)."""
    rows = [
        {
            "business_id": b,
            "business": scenario.business(b).name,
            "access_code": access_code(b, plan.week_start, secret),
        }
        for b in businesses_with_notices(plan, scenario)
    ]
    return pd.DataFrame(rows, columns=["business_id", "business", "access_code"])


def diff_frame(diff: PlanDiff, scenario: Scenario, lang: str = "en") -> pd.DataFrame:
    """A re-plan's diff as a table: change, business, before, after, why, business notified."""

    def slot(s: Any) -> str:
        if s is None:
            return ""
        when = f"{day_label(s.day, lang)} {window_text(s.start, s.end, lang)}"
        return f"{when} · {team_name(s.team_id, lang, scenario)}"

    rows = [
        {
            "change": label(CHANGE_KINDS, kind, lang),
            "business_id": c.business_id,
            "business": scenario.business(c.business_id).name,
            "before": slot(c.before),
            "after": slot(c.after),
            "reason": reason_text(c.reason, lang, scenario),
            "notified": t(f"bool_{str(c.announced).lower()}", lang),
        }
        for kind, changes in (
            ("moved", diff.moved),
            ("added", diff.added),
            ("dropped", diff.dropped),
            ("changed", diff.changed),
        )
        for c in changes
    ]
    columns = ["change", "business_id", "business", "before", "after", "reason", "notified"]
    return pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------- solver progress


@dataclass(slots=True)
class ProgressTally:
    """Visits planned out of offered over several solver runs (the siloed baseline solves each
    department on its own: every run counts from zero). A run ends when the next event's clock
    goes back or its ``offered`` changes; finished runs are added to the totals."""

    served_before: int = 0
    offered_before: int = 0
    elapsed_before: float = 0.0
    last: Any = None

    def add(self, event: Any) -> tuple[int, int, float]:
        """Take one ``ProgressEvent``; the (served, offered, elapsed seconds) over every run."""
        last = self.last
        if last is not None and (event.elapsed_s < last.elapsed_s or event.offered != last.offered):
            self.served_before += last.served
            self.offered_before += last.offered
            self.elapsed_before += last.elapsed_s
        self.last = event
        return (
            self.served_before + event.served,
            self.offered_before + event.offered,
            self.elapsed_before + event.elapsed_s,
        )


# ---------------------------------------------------------------- metric cards and coverage


@dataclass(frozen=True, slots=True)
class Card:
    """One metric card: label, value and an optional delta and help, already formatted."""

    label: str
    value: str
    delta: str | None = None
    help: str | None = None
    delta_color: str = "normal"


def _num(doc: Mapping[str, Any], key: str) -> float | None:
    value = doc.get(key)
    return float(value) if isinstance(value, int | float) else None


def plan_cards(plan: Plan, doc: Mapping[str, Any] | None, lang: str = "en") -> list[Card]:
    """The Plan page's cards: visits joint vs siloed, disruption avoided, officer hours,
    joint-inspection rate, coverage. ``doc`` is ``Metrics.to_dict()``; without it (no baseline)
    the plan's own numbers."""
    hours = t("unit_h", lang)
    if not doc or _num(doc, "visits_siloed") is None:
        m = dict(plan.metrics)
        stops = sum(len(r.stops) for r in plan.routes)
        multi = sum(1 for r in plan.routes for s in r.stops if len(s.visit.department_ids) >= 2)
        due = m.get("obligations_due", 0.0)
        done = m.get("obligations_due_scheduled", 0.0)
        return [
            Card(t("card_visits", lang), f"{stops:,}"),
            Card(t("card_routes", lang), f"{len(plan.routes):,}"),
            Card(
                t("card_hours", lang),
                f"{m.get('officer_hours', 0.0):,.1f} {hours}",
                help=t("card_hours_plain_help", lang),
            ),
            Card(
                t("card_rate", lang),
                f"{multi / stops:.0%}" if stops else "–",
                help=t("card_rate_help", lang),
            ),  # fmt: skip
            Card(t("card_coverage", lang), f"{done / due:.0%}" if due else "–"),
        ]
    joint = _num(doc, "visits_joint") or 0.0
    same = _num(doc, "visits_siloed_same_work") or 0.0
    siloed = _num(doc, "visits_siloed") or 0.0
    hours_j = _num(doc, "officer_hours_joint") or 0.0
    hours_s = _num(doc, "officer_hours_siloed") or 0.0
    hours_same = _num(doc, "officer_hours_siloed_same_work")
    per_j = _num(doc, "officer_hours_per_obligation_joint")
    per_s = _num(doc, "officer_hours_per_obligation_siloed")
    cov_j, cov_s = _num(doc, "coverage_joint"), _num(doc, "coverage_siloed")
    rate = _num(doc, "joint_inspection_rate")
    avoided = _num(doc, "disruption_minutes_avoided") or 0.0
    pct = lambda v: "–" if v is None else f"{v:.0%}"  # noqa: E731
    return [
        Card(
            t("card_visits", lang),
            f"{joint:,.0f}",
            f"{joint - same:+,.0f}",
            t("card_visits_help", lang, same=f"{same:,.0f}", siloed=f"{siloed:,.0f}"),
            "inverse",
        ),
        Card(
            t("card_disruption", lang),
            f"{avoided:,.0f}",
            help=t(
                "card_disruption_help",
                lang,
                joint=f"{_num(doc, 'disruption_minutes_joint') or 0:,.0f}",
                same=f"{_num(doc, 'disruption_minutes_siloed_same_work') or 0:,.0f}",
            ),
        ),
        Card(
            t("card_hours", lang),
            f"{hours_j:,.1f} {hours}",
            None if hours_same is None else f"{hours_j - hours_same:+,.1f} {hours}",
            t(
                "card_hours_help",
                lang,
                same="–" if hours_same is None else f"{hours_same:,.1f}",
                siloed=f"{hours_s:,.1f}",
                siloed_checks=f"{_num(doc, 'obligations_scheduled_siloed') or 0:,.0f}",
                joint_checks=f"{_num(doc, 'obligations_scheduled') or 0:,.0f}",
            ),
            "inverse",
        ),
        Card(
            t("card_per_check", lang),
            "–" if per_j is None else f"{per_j:,.2f} {hours}",
            None if per_j is None or per_s is None else f"{per_j - per_s:+,.2f} {hours}",
            t(
                "card_per_check_help",
                lang,
                joint="–" if per_j is None else f"{per_j:,.2f}",
                siloed="–" if per_s is None else f"{per_s:,.2f}",
            ),
            "inverse",
        ),
        Card(t("card_rate", lang), pct(rate), help=t("card_rate_help", lang)),
        Card(
            t("card_coverage", lang),
            pct(cov_j),
            None
            if cov_j is None or cov_s is None
            else f"{(cov_j - cov_s) * 100:+.0f} {t('unit_points', lang)}",
            t("card_coverage_help", lang, joint=pct(cov_j), siloed=pct(cov_s)),
        ),
    ]


@dataclass(frozen=True, slots=True)
class Note:
    """A message for the page: ``kind`` is ``info`` or ``warning`` (the box it is shown in)."""

    kind: str
    text: str


_FLOOR_KEYS = {  # i18n keys of planner.floor's codes (FLOOR_NOT_NEEDED says nothing)
    FLOOR_ADOPTED: "floor_adopted",
    FLOOR_NOT_BETTER: "floor_not_better",
    FLOOR_NO_MAPPING: "floor_no_mapping",
    FLOOR_INFEASIBLE: "floor_rejected",
}


def floor_note(
    doc: Mapping[str, Any] | None, lang: str = "en", *, planner: bool = True
) -> Note | None:
    """What the siloed floor (``planner.floor``) did to the plan and what it cost, in words; none
    when the plan has no floor entry (the knob off, no baseline) or it was not needed.

    ``doc`` is ``Metrics.to_dict()`` (its ``siloed_floor``: ``status`` and the due obligations
    ``due_joint``/``due_siloed``/``due_floor``, hard-deadline ones ``hard_joint``/``hard_floor``,
    ``routes_unmapped``). With ``planner``, an adopted floor also says where to turn it off (a
    department head cannot)."""
    floor = (doc or {}).get("siloed_floor")
    if not isinstance(floor, Mapping) or not isinstance(floor.get("status"), int | float):
        return None
    key = _FLOOR_KEYS.get(float(floor["status"]))
    if key is None:  # the joint plan covers at least as many as the departments alone
        return None
    count = lambda name: f"{float(floor.get(name) or 0):,.0f}"  # noqa: E731
    numbers = {n: count(f"due_{n}") for n in ("joint", "siloed", "floor")}
    numbers |= {n: count(n) for n in ("hard_joint", "hard_floor")}
    parts = [t(key, lang, **numbers)]
    if key != "floor_adopted":
        return Note("warning", parts[0])
    unmapped = int(floor.get("routes_unmapped") or 0)
    if unmapped:
        parts.append(t("floor_unmapped", lang, n=unmapped))
    if planner:
        knobs = {"knob": t("siloed_floor", lang), "knobs": t("planning_knobs", lang)}
        parts.append(t("floor_turn_off", lang, weights=t("weights", lang), **knobs))
    return Note("info", " ".join(parts) if lang != "zh" else "".join(parts))


def formation_line(formation: Any, lang: str = "en") -> str:
    """One day's teams as they are formed (``planner.teams.Formation``; the CLI's
    ``_show_teams`` line without the clock)."""
    return t(
        "formation_line",
        lang,
        day=day_label(formation.day, lang),
        teams=len(formation.teams),
        officers=sum(len(team.officer_ids) for team in formation.teams),
        idle=len(formation.idle),
    )


def floor_line(plan: Plan, lang: str = "en") -> str | None:
    """A line for Solve's log when the siloed floor was adopted (the routing progress above it
    counted the joint routes, not the plan's); none otherwise."""
    if dict(plan.metrics).get("siloed_floor") != FLOOR_ADOPTED:
        return None
    return t("floor_line", lang, visits=sum(len(r.stops) for r in plan.routes))


def routing_line(stage: str, lang: str = "en") -> str:
    """Routing has started on ``stage`` (a ``ProgressEvent.stage``: ``week``, a day, an area)."""
    return t("routing_line", lang, stage=stage_text(stage, lang))


def plan_due(plan: Plan) -> tuple[Obligation, ...]:
    """The obligations of the plan's week that are due (in a visit or not)."""
    return tuple(o for o in plan_obligations(plan) if is_due(o, plan.week_start))


def department_view(scenario: Scenario, plan: Plan, department_id: str) -> Coverage:
    """How ``plan`` covers one department's due obligations (``metrics.department_coverage``)."""
    return department_coverage(scenario, plan, plan_due(plan), department_id)


def risk_frame(coverage: Coverage, lang: str = "en") -> pd.DataFrame:
    """A department's due and scheduled obligations by risk class (high, medium, low, then any
    other), with the share."""
    order = {"high": 0, "medium": 1, "low": 2}
    rows = [
        {
            "risk": label(RISKS, risk, lang),
            "due": due,
            "scheduled": done,
            "share": done / due if due else None,
        }
        for risk, due, done in sorted(coverage.by_risk, key=lambda r: (order.get(r[0], 3), r[0]))
    ]
    return pd.DataFrame(rows, columns=["risk", "due", "scheduled", "share"])


def reasons_frame(coverage: Coverage, lang: str = "en") -> pd.DataFrame:
    """A department's due obligations left out, counted by reason category (named in ``lang``)."""
    return pd.DataFrame(
        [(reason_category_name(r, lang), n) for r, n in coverage.reasons],
        columns=["reason", "count"],
    )


def diff_summary(diff: PlanDiff, lang: str = "en") -> str:
    """``2 moved, 1 added, …`` of a re-plan in ``lang`` (the banner after a re-plan)."""
    return t(
        "replan_summary",
        lang,
        moved=len(diff.moved),
        added=len(diff.added),
        dropped=len(diff.dropped),
        changed=len(diff.changed),
        unchanged=diff.unchanged,
    )


def department_doc(doc: Mapping[str, Any], department_id: str) -> dict[str, Any]:
    """``doc`` (``Metrics.to_dict()``) narrowed to one department's coverage: township-wide
    burden numbers stay, every other department's coverage and the workload are left out."""
    kept = {k: v for k, v in doc.items() if k not in ("coverage", "workload")}
    for key in ("coverage_by_department", "coverage_by_department_siloed"):
        kept[key] = {d: v for d, v in (doc.get(key) or {}).items() if d == department_id}
    coverage = doc.get("coverage") or {}
    kept["coverage"] = {
        side: {d: v for d, v in (coverage.get(side) or {}).items() if d == department_id}
        for side in ("joint", "siloed")
    }
    return kept


def change_text(change: Change, scenario: Scenario, lang: str = "en") -> str:
    """One change of the week as a line a planner reads (names, not ids)."""
    if isinstance(change, UrgentTask):
        task = change.task
        business = scenario.business(task.business_id).name
        note = f" — {task.note}" if task.note else ""
        return (
            f"{t('urgent_complaint', lang)}: {business} · "
            f"{item_title(task.item_id, scenario, lang)}{note}"
        )
    last = change.last_day or change.first_day + dt.timedelta(days=6 - change.first_day.weekday())
    days = f"{day_label(change.first_day, lang)} – {day_label(last, lang)}"
    if isinstance(change, OfficerAbsent):
        return f"{t('officer_absent', lang)}: {scenario.inspector(change.officer_id).name} · {days}"
    return f"{t('business_closed', lang)}: {scenario.business(change.business_id).name} · {days}"


def coverage_funnel(coverage: Coverage, lang: str = "en") -> go.Figure:
    """Due → scheduled → not scheduled of one department, as a funnel."""
    fig = go.Figure(
        go.Funnel(
            y=[t("due", lang), t("scheduled", lang), t("not_scheduled", lang)],
            x=[coverage.due, coverage.scheduled, coverage.due - coverage.scheduled],
            textinfo="value+percent initial",
            marker={"color": ["#7f7f7f", "#1f77b4", "#d62728"]},
        )
    )
    fig.update_layout(title=t("funnel", lang), margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig
