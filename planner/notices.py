"""Documents for people: business notices (HTML, PDF) and route sheets (PDF), in English and Chinese.

A business notice is built once as a ``BusinessNotice`` (what the business may see) and then rendered
to HTML or PDF, and the business calendar in ``planner.export`` is made from the same object, so no
rendering can show more than the notice holds. What a business never sees: unannounced items
(不预先告知事项), and therefore also a department whose items at that visit are all unannounced; a
visit whose items are all unannounced is left out altogether. The team members are always shown
(name and enforcement certificate number, as the law requires) but not their departments.

Route sheets are for the team and show every item, unannounced ones marked.
"""

from __future__ import annotations

import datetime as dt
import glob
import logging
import math
import os
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from planner.access import access_code
from planner.domain import DAY, Obligation, Office, Plan, Reason, Route, Scenario, Stop
from planner.errors import PlannerError

LANGS = ("en", "zh")
FONT_ENV = "PLANNER_CJK_FONT"
#: Debian's CJK fonts, in order of preference: (path, face index in the collection).
#: Noto Sans CJK's face 2 is Simplified Chinese; the WenQuanYi faces are Chinese already.
CJK_FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)
_FONT_INSTALL_HINT = (
    "no CJK font found for PDF output: install Debian's fonts-wqy-zenhei (or fonts-noto-cjk), "
    f"or set {FONT_ENV} to a .ttf/.ttc/.otf file with Chinese glyphs"
)

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "notice_title": "Notice of a joint inspection",
        "intro": (
            "The joint enforcement team of {township} will visit your business once and check the "
            "items of several departments together (one visit instead of several)."
        ),
        "business": "Business",
        "address": "Address",
        "visit": "Visit",
        "date": "Date",
        "time": "Time window",
        "team": "Team members (name, certificate no.)",
        "items": "What will be checked",
        "department": "Department",
        "item": "Item",
        "legal_basis": "Legal basis",
        "prepare": "Please prepare",
        "access": "Access code for the Inspect Once app",
        "access_note": (
            "With this code you can see this visit in the app. It is valid for the week starting "
            "{week}. Keep it for yourself."
        ),
        "issued": "Issued by the joint enforcement office of {township}.",
        "next_day": "next day",
        "route_title": "Route sheet",
        "officers": "Officers",
        "office": "Office",
        "depart": "Leave office",
        "back": "Back at office",
        "lunch": "Lunch",
        "distance": "Distance",
        "travel": "Travel",
        "stops": "Stops",
        "no": "No.",
        "arrive": "Arrive",
        "window": "Visit",
        "place": "Business, address, phone",
        "checks": "Items (department)",
        "unannounced": "unannounced",
        "map_straight": "Map: straight lines between stops (not the roads driven).",
        "map_roads": "Map: along the road network used for planning.",
    },
    "zh": {
        "notice_title": "联合检查告知书",
        "intro": "{township}综合执法队将对贵单位开展一次联合检查，一次检查多个部门的事项（进一次门、查多项事）。",
        "business": "检查对象",
        "address": "地址",
        "visit": "检查",
        "date": "日期",
        "time": "时间段",
        "team": "检查人员（姓名、执法证号）",
        "items": "检查事项",
        "department": "部门",
        "item": "事项",
        "legal_basis": "法律依据",
        "prepare": "请准备",
        "access": "“综合查一次”应用访问码",
        "access_note": "凭此访问码可在应用中查看本次检查，自{week}起一周内有效，请妥善保管。",
        "issued": "{township}综合行政执法办公室。",
        "next_day": "次日",
        "route_title": "路线单",
        "officers": "执法人员",
        "office": "出发地",
        "depart": "出发",
        "back": "返回",
        "lunch": "午餐",
        "distance": "里程",
        "travel": "行车",
        "stops": "检查点",
        "no": "序号",
        "arrive": "到达",
        "window": "检查时间",
        "place": "检查对象、地址、电话",
        "checks": "检查事项（部门）",
        "unannounced": "不预先告知",
        "map_straight": "地图：检查点之间的直线（非实际道路）。",
        "map_roads": "地图：沿规划所用的道路网。",
    },
}
PREPARE: dict[str, tuple[str, ...]] = {
    "en": (
        "Business licence and the permits for the activities listed above.",
        "The person in charge, or someone who can answer for them, present during the visit.",
        "Records, certificates and ledgers for the items listed above.",
        "Access to the areas concerned (kitchen, storage, exits, equipment).",
    ),
    "zh": (
        "营业执照及上述经营活动的相关许可证。",
        "检查期间负责人或能代表其说明情况的人员在场。",
        "与上述检查事项有关的记录、证书和台账。",
        "开放相关区域（厨房、仓库、安全出口、设备）供检查。",
    ),
}
FOLLOW_UP_PREPARE = {
    "en": "Evidence that the findings of the previous inspection were corrected (rectification report).",
    "zh": "上次检查发现问题的整改材料（整改报告）。",
}
WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "zh": ("一", "二", "三", "四", "五", "六", "日"),
}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# --------------------------------------------------------------------------------------------
# Small shared helpers (times, obligations, offices, geometry)
# --------------------------------------------------------------------------------------------
def check_lang(lang: str) -> str:
    """``lang`` if it is one of ``LANGS``; otherwise a ``PlannerError`` naming the choices."""
    if lang not in LANGS:
        raise PlannerError(f"language {lang!r} is not available: use one of {', '.join(LANGS)}")
    return lang


def clock_text(seconds: int) -> str:
    """``HH:MM`` of a time of day in seconds (taken modulo one day; see ``window_text``)."""
    minutes = (seconds % DAY) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def time_text(seconds: int, lang: str = "en") -> str:
    """``HH:MM``, marked as the next day when ``seconds`` is past midnight of the route's day."""
    if seconds < DAY:
        return clock_text(seconds)
    if lang == "zh":
        return f"{LABELS['zh']['next_day']}{clock_text(seconds)}"
    return f"{clock_text(seconds)} ({LABELS['en']['next_day']})"


def window_text(start: int, end: int, lang: str = "en") -> str:
    """A time window ``09:00–09:40`` (the end marked as the next day when past midnight)."""
    return f"{time_text(start, lang)}–{time_text(end, lang)}"


def date_text(day: dt.date, lang: str = "en") -> str:
    """A date for people: ``Monday 23 November 2026`` or ``2026年11月23日（星期一）``."""
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS['zh'][day.weekday()]}）"
    return f"{WEEKDAYS['en'][day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def local_datetime(day: dt.date, seconds: int, timezone: str) -> dt.datetime:
    """The aware local datetime ``seconds`` after midnight of ``day`` in ``timezone``."""
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(timezone))
    return midnight + dt.timedelta(seconds=seconds)


def is_unannounced(obligation: Obligation, scenario: Scenario) -> bool:
    """Whether the business must not learn of this obligation before the visit.

    Either the obligation or its catalogue item saying so is enough (the safe side).
    """
    return obligation.unannounced or scenario.item(obligation.item_id).unannounced


def announced(obligations: Iterable[Obligation], scenario: Scenario) -> tuple[Obligation, ...]:
    """The obligations a business may be told about before the visit."""
    return tuple(o for o in obligations if not is_unannounced(o, scenario))


def item_title(item_id: str, scenario: Scenario, lang: str) -> str:
    """The item's title in ``lang`` (the English title where no Chinese one is given)."""
    item = scenario.item(item_id)
    return (item.title_zh or item.title) if lang == "zh" else item.title


def department_name(department_id: str, scenario: Scenario, lang: str) -> str:
    """The department's name in ``lang`` (the English name where no Chinese one is given)."""
    department = scenario.department(department_id)
    return (department.name_zh or department.name) if lang == "zh" else department.name


def route_office(route: Route, scenario: Scenario) -> Office | None:
    """Where the team starts and ends: its first officer's base, else the township's first office."""
    offices = {o.id: o for o in scenario.settings.offices}
    for officer_id in route.officer_ids:
        base = _inspector_base(officer_id, scenario)
        if base in offices:
            return offices[base]
    return scenario.settings.offices[0] if scenario.settings.offices else None


def _inspector_base(officer_id: str, scenario: Scenario) -> str:
    try:
        return scenario.inspector(officer_id).base
    except KeyError:
        return ""


def officer_label(officer_id: str, scenario: Scenario) -> tuple[str, str]:
    """(name, certificate number) of an officer; the id stands in for an unknown officer."""
    try:
        inspector = scenario.inspector(officer_id)
    except KeyError:
        return officer_id, ""
    return inspector.name, inspector.certificate_no


def route_points(route: Route, scenario: Scenario) -> list[tuple[float, float]]:
    """(lon, lat) of the route in order: office, each stop, office (no office: the stops only)."""
    stops = [_business_point(s, scenario) for s in route.stops]
    office = route_office(route, scenario)
    if office is None or not stops:
        return stops
    return [(office.lon, office.lat), *stops, (office.lon, office.lat)]


def _business_point(stop: Stop, scenario: Scenario) -> tuple[float, float]:
    business = scenario.business(stop.visit.business_id)
    return business.lon, business.lat


def route_legs(
    route: Route,
    scenario: Scenario,
    *,
    roads: Path | str | None = None,
    cache_dir: Path | None = None,
) -> tuple[tuple[tuple[float, float], ...], ...]:
    """The legs of a route as (lon, lat) lines: straight, or along roads when ``roads`` is given.

    Parameters
    ----------
    route, scenario
        The route and the scenario it was planned from.
    roads
        The OSM ``.pbf`` the plan's travel times came from; ``None`` draws straight segments.
    cache_dir
        Passed to ``planner.travel.road_path``.

    Returns
    -------
    tuple of lines
        One line per leg (office → first stop, …, last stop → office); empty for a route without stops.
    """
    points = route_points(route, scenario)
    pairs = list(zip(points[:-1], points[1:], strict=True))
    if roads is None:
        return tuple((a, b) for a, b in pairs)
    from planner.travel import road_path

    return tuple(tuple(road_path(roads, a, b, cache_dir=cache_dir)) for a, b in pairs)


# --------------------------------------------------------------------------------------------
# The business notice: what a business may see
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class NoticeItem:
    """One announced item as the business reads it."""

    item_id: str
    title: str
    legal_basis: str


@dataclass(frozen=True, slots=True)
class NoticeDepartment:
    """A department with its announced items at one visit."""

    department_id: str
    name: str
    items: tuple[NoticeItem, ...]


@dataclass(frozen=True, slots=True)
class NoticeVisit:
    """One announced visit: when, who, what (times in seconds of ``day``)."""

    day: dt.date
    start: int
    end: int
    officers: tuple[tuple[str, str], ...]  # (name, certificate number)
    departments: tuple[NoticeDepartment, ...]
    follow_up: bool

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Ids of every item checked at this visit, in notice order."""
        return tuple(i.item_id for d in self.departments for i in d.items)


@dataclass(frozen=True, slots=True)
class BusinessNotice:
    """Everything one business may see about its visits of the week, in one language."""

    lang: str
    township: str
    business_id: str
    business_name: str
    address: str
    week_start: dt.date
    visits: tuple[NoticeVisit, ...]
    access_code: str
    prepare: tuple[str, ...]


def announced_stops(plan: Plan, business_id: str, scenario: Scenario) -> list[tuple[Route, Stop]]:
    """The stops at ``business_id`` with at least one announced item, by day and time."""
    found = [
        (route, stop)
        for route in plan.routes
        for stop in route.stops
        if stop.visit.business_id == business_id and announced(stop.visit.obligations, scenario)
    ]
    return sorted(found, key=lambda rs: (rs[0].day, rs[1].start, rs[0].team_id))


def businesses_with_notices(plan: Plan, scenario: Scenario) -> tuple[str, ...]:
    """Ids of the businesses that have at least one announced visit in the plan, sorted."""
    ids = {s.visit.business_id for r in plan.routes for s in r.stops}
    return tuple(sorted(b for b in ids if announced_stops(plan, b, scenario)))


def business_notice(
    plan: Plan,
    scenario: Scenario,
    business_id: str,
    lang: str = "en",
    *,
    secret: str | bytes | None = None,
) -> BusinessNotice:
    """What ``business_id`` may see about its visits in ``plan``, in ``lang``.

    Parameters
    ----------
    plan, scenario
        The plan and the scenario it was made from.
    business_id
        The business the notice is for.
    lang
        ``"en"`` or ``"zh"``.
    secret
        Secret for the access code (``None``: ``$PLANNER_SECRET`` or the demo secret).

    Raises
    ------
    PlannerError
        When the business has no announced visit in the plan (an unannounced visit has no notice).
    """
    check_lang(lang)
    stops = announced_stops(plan, business_id, scenario)
    if not stops:
        raise PlannerError(f"business {business_id!r} has no announced visit in this plan")
    business = scenario.business(business_id)
    visits = tuple(_notice_visit(route, stop, scenario, lang) for route, stop in stops)
    prepare = PREPARE[lang]
    if any(v.follow_up for v in visits):
        prepare = (*prepare, FOLLOW_UP_PREPARE[lang])
    settings = scenario.settings
    return BusinessNotice(
        lang=lang,
        township=(settings.township_zh or settings.township) if lang == "zh" else settings.township,
        business_id=business_id,
        business_name=business.name,
        address=business.address,
        week_start=plan.week_start,
        visits=visits,
        access_code=access_code(business_id, plan.week_start, secret),
        prepare=prepare,
    )


def _notice_visit(route: Route, stop: Stop, scenario: Scenario, lang: str) -> NoticeVisit:
    shown = announced(stop.visit.obligations, scenario)
    by_department: dict[str, list[NoticeItem]] = {}
    for o in shown:
        items = by_department.setdefault(o.department_id, [])
        if all(i.item_id != o.item_id for i in items):
            basis = scenario.item(o.item_id).legal_basis
            items.append(NoticeItem(o.item_id, item_title(o.item_id, scenario, lang), basis))
    departments = tuple(
        NoticeDepartment(d, department_name(d, scenario, lang), tuple(items))
        for d, items in sorted(by_department.items())
    )
    return NoticeVisit(
        day=route.day,
        start=stop.start,
        end=stop.end,
        officers=tuple(officer_label(o, scenario) for o in route.officer_ids),
        departments=departments,
        follow_up=any(o.reason == Reason.FOLLOW_UP for o in shown),
    )


def notice_text(notice: BusinessNotice) -> dict[str, Any]:
    """The notice as the strings a template or a PDF prints (labels resolved, times formatted)."""
    labels = LABELS[notice.lang]
    return {
        "lang": notice.lang,
        "html_lang": "zh-CN" if notice.lang == "zh" else "en",
        "labels": labels,
        "title": labels["notice_title"],
        "intro": labels["intro"].format(township=notice.township),
        "issued": labels["issued"].format(township=notice.township),
        "access_note": labels["access_note"].format(week=date_text(notice.week_start, notice.lang)),
        "notice": notice,
        "visits": [
            {
                "date": date_text(v.day, notice.lang),
                "window": window_text(v.start, v.end, notice.lang),
                "officers": [(name, cert or "—") for name, cert in v.officers],
                "departments": v.departments,
            }
            for v in notice.visits
        ],
    }


@lru_cache(maxsize=1)
def _jinja_env() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("planner", "templates"),
        autoescape=select_autoescape(("html", "j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def notice_html(notice: BusinessNotice) -> str:
    """A ``BusinessNotice`` as a standalone, printable HTML page (A4)."""
    return str(_jinja_env().get_template("notice.html.j2").render(**notice_text(notice)))


def business_notice_html(
    plan: Plan,
    scenario: Scenario,
    business_id: str,
    lang: str = "en",
    *,
    secret: str | bytes | None = None,
) -> str:
    """The notice of ``business_id`` as an HTML page (see ``business_notice`` for the parameters)."""
    return notice_html(business_notice(plan, scenario, business_id, lang, secret=secret))


def business_notice_pdf(
    plan: Plan,
    scenario: Scenario,
    business_id: str,
    lang: str = "en",
    *,
    secret: str | bytes | None = None,
    font: PdfFont | None = None,
) -> bytes:
    """The notice of ``business_id`` as an A4 PDF with embedded CJK font (see ``business_notice``).

    ``font`` defaults to ``find_cjk_font()``; ``PlannerError`` when no CJK font is installed.
    """
    return notice_pdf(business_notice(plan, scenario, business_id, lang, secret=secret), font=font)


# --------------------------------------------------------------------------------------------
# PDF: fonts
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PdfFont:
    """A font file to embed and, for a collection (``.ttc``), the face to use."""

    path: Path
    index: int = 0


def find_cjk_font() -> PdfFont:
    """The CJK font PDFs embed: ``$PLANNER_CJK_FONT``, else the first of Debian's CJK fonts found.

    Raises
    ------
    PlannerError
        When none is installed (the message says which package to install).
    """
    chosen = os.environ.get(FONT_ENV, "")
    if chosen:
        if not Path(chosen).is_file():
            raise PlannerError(f"{FONT_ENV}={chosen!r} is not a font file")
        return PdfFont(Path(chosen))
    for path, index in CJK_FONT_CANDIDATES:
        if Path(path).is_file():
            return PdfFont(Path(path), index)
    patterns = ("wqy*.tt?", "*CJK*SC*.otf", "*CJKsc*.otf", "*SourceHanSans*")
    for pattern in patterns:
        found = sorted(glob.glob(f"/usr/share/fonts/**/{pattern}", recursive=True))
        if found:
            return PdfFont(Path(found[0]))
    raise PlannerError(_FONT_INSTALL_HINT)


def label_characters() -> str:
    """Every character the fixed texts of notices and route sheets use (for font subsets)."""
    parts: list[str] = [string.printable, "–—·→↑（）：、。，“”●■№×", "".join(MONTHS)]
    for lang in LANGS:
        parts += LABELS[lang].values()
        parts += PREPARE[lang]
        parts += [FOLLOW_UP_PREPARE[lang], *WEEKDAYS[lang], "年月日星期"]
    return "".join(parts)


def scenario_characters(scenario: Scenario) -> str:
    """Every character of the scenario's names, addresses and titles (for font subsets)."""
    s = scenario.settings
    parts = [s.township, s.township_zh, *(o.name for o in s.offices)]
    for b in scenario.businesses:
        parts += [b.id, b.name, b.address, b.phone]
    for i in scenario.items:
        parts += [i.id, i.title, i.title_zh, i.legal_basis]
    for d in scenario.departments:
        parts += [d.id, d.name, d.name_zh]
    for p in scenario.inspectors:
        parts += [p.id, p.name, p.certificate_no]
    parts += [t.id for t in scenario.teams]
    return "".join(parts)


def subset_font(font: PdfFont, characters: str, folder: Path) -> PdfFont:
    """A copy of ``font`` holding only ``characters``, written in ``folder``.

    Loading the full CJK font costs ~0.2 s per document (40,000 glyphs parsed); a subset made once
    per export makes each PDF of a many-document export fast. Glyphs outside ``characters`` would
    print as empty boxes, so pass every character the documents may contain.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.notdef_outline = True
    options.recommended_glyphs = True
    options.layout_features = []
    options.name_IDs = ["*"]
    options.drop_tables += ["BDF", "FFTM", "EBDT", "EBLC", "EBSC"]
    with TTFont(str(font.path), fontNumber=font.index, lazy=True) as source:
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(unicodes={ord(c) for c in characters})
        subsetter.subset(source)
        out = folder / ("cjk-subset.otf" if "CFF " in source else "cjk-subset.ttf")
        source.save(str(out))
    return PdfFont(out)


def _new_pdf(font: PdfFont | None, orientation: str, title: str) -> Any:
    from fpdf import FPDF

    chosen = font or find_cjk_font()
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_creator("Inspect Once (planner)")
    pdf.set_title(title)
    pdf.set_creation_date(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))  # reproducible bytes
    pdf.add_font("cjk", fname=str(chosen.path), collection_font_number=chosen.index)
    pdf.set_font("cjk", size=10)
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    return pdf


def _output(pdf: Any) -> bytes:
    """The PDF's bytes; fontTools' note that it drops a bitmap table it cannot subset is muted."""
    logger = logging.getLogger("fontTools.subset")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return bytes(pdf.output())
    finally:
        logger.setLevel(level)


def _line(pdf: Any, text: str, size: float = 10, height: float = 5.5) -> None:
    pdf.set_font("cjk", size=size)
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT", align="L")


# --------------------------------------------------------------------------------------------
# PDF: the business notice
# --------------------------------------------------------------------------------------------
def notice_pdf(notice: BusinessNotice, *, font: PdfFont | None = None) -> bytes:
    """A ``BusinessNotice`` as an A4 portrait PDF (CJK font embedded, text extractable)."""
    text = notice_text(notice)
    labels = text["labels"]
    pdf = _new_pdf(font, "P", text["title"])
    _line(pdf, text["title"], size=18, height=10)
    _line(pdf, text["intro"])
    pdf.ln(2)
    _line(pdf, f"{labels['business']}: {notice.business_name}", size=12, height=7)
    _line(pdf, f"{labels['address']}: {notice.address}")
    for number, visit in enumerate(text["visits"], start=1):
        pdf.ln(3)
        heading = labels["visit"] if len(text["visits"]) == 1 else f"{labels['visit']} {number}"
        _line(pdf, heading, size=13, height=8)
        _line(pdf, f"{labels['date']}: {visit['date']}")
        _line(pdf, f"{labels['time']}: {visit['window']}")
        officers = "; ".join(f"{name} ({cert})" for name, cert in visit["officers"])
        _line(pdf, f"{labels['team']}: {officers}")
        pdf.ln(1)
        _line(pdf, labels["items"], size=11, height=6)
        rows = [
            (d.name, i.title, i.legal_basis or "—") for d in visit["departments"] for i in d.items
        ]
        _table(
            pdf, (labels["department"], labels["item"], labels["legal_basis"]), rows, (45, 60, 75)
        )
    pdf.ln(3)
    _line(pdf, labels["prepare"], size=11, height=6)
    for line in notice.prepare:
        _line(pdf, f"· {line}")
    pdf.ln(3)
    _line(pdf, f"{labels['access']}: {notice.access_code}", size=12, height=7)
    _line(pdf, text["access_note"], size=9, height=5)
    pdf.ln(3)
    _line(pdf, text["issued"], size=9, height=5)
    return _output(pdf)


def _table(
    pdf: Any,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    size: float = 9,
) -> None:
    pdf.set_font("cjk", size=size)
    with pdf.table(
        col_widths=tuple(widths),
        width=sum(widths),
        align="LEFT",
        text_align="LEFT",
        line_height=size * 0.5,
        first_row_as_headings=True,
        headings_style=_heading_style(),
        repeat_headings=1,
    ) as table:
        for values in (header, *rows):
            row = table.row()
            for value in values:
                row.cell(value)


def _heading_style() -> Any:
    from fpdf.fonts import FontFace

    return FontFace(emphasis=None, fill_color=(225, 232, 240))


# --------------------------------------------------------------------------------------------
# PDF: the route sheet of one team-day
# --------------------------------------------------------------------------------------------
def find_route(plan: Plan, team_id: str, day: dt.date) -> Route:
    """The route of ``team_id`` on ``day``; ``PlannerError`` when the plan has none."""
    for route in plan.routes:
        if route.team_id == team_id and route.day == day:
            return route
    raise PlannerError(f"the plan has no route for team {team_id!r} on {day.isoformat()}")


def route_sheet_pdf(
    plan: Plan,
    scenario: Scenario,
    team_id: str,
    day: dt.date,
    *,
    lang: str = "en",
    roads: Path | str | None = None,
    cache_dir: Path | None = None,
    font: PdfFont | None = None,
) -> bytes:
    """The route sheet of one team-day: ordered stops with times and items, and a static map.

    Parameters
    ----------
    plan, scenario
        The plan and its scenario.
    team_id, day
        Which route.
    lang
        ``"en"`` or ``"zh"`` (labels, item and department names).
    roads, cache_dir
        Draw legs along this OSM ``.pbf`` (the network the plan used) instead of straight lines.
    font
        Font to embed (default ``find_cjk_font()``).

    Returns
    -------
    bytes
        An A4 landscape PDF; every item is listed, unannounced ones marked (this sheet is for the team).
    """
    check_lang(lang)
    route = find_route(plan, team_id, day)
    labels = LABELS[lang]
    township = scenario.settings.township_zh if lang == "zh" else scenario.settings.township
    title = f"{labels['route_title']} · {township} · {team_id} · {date_text(day, lang)}"
    pdf = _new_pdf(font, "L", title)
    _line(pdf, title, size=15, height=8)
    for line in _route_facts(route, scenario, lang):
        _line(pdf, line, size=9, height=5)
    top = pdf.get_y() + 2
    map_size = 100.0
    map_x = pdf.w - pdf.r_margin - map_size
    legs = route_legs(route, scenario, roads=roads, cache_dir=cache_dir)
    _draw_map(pdf, route, scenario, legs, (map_x, top, map_size, map_size))
    pdf.set_xy(map_x, top + map_size + 1)
    pdf.set_font("cjk", size=7)
    caption = labels["map_roads"] if roads is not None else labels["map_straight"]
    pdf.multi_cell(map_size, 3.5, caption, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_xy(pdf.l_margin, top)
    header = (labels["no"], labels["arrive"], labels["window"], labels["place"], labels["checks"])
    rows = [_stop_row(n, stop, scenario, lang) for n, stop in enumerate(route.stops, start=1)]
    _table(pdf, header, rows, (10, 18, 30, 55, 52), size=8)
    return _output(pdf)


def _route_facts(route: Route, scenario: Scenario, lang: str) -> list[str]:
    labels = LABELS[lang]
    officers = "; ".join(
        f"{name} ({cert})" if cert else name
        for name, cert in (officer_label(o, scenario) for o in route.officer_ids)
    )
    lines = [f"{labels['officers']}: {officers}"]
    office = route_office(route, scenario)
    times = []
    if office is not None:
        times.append(f"{labels['office']}: {office.name}")
    if route.depart >= 0:
        times.append(f"{labels['depart']} {time_text(route.depart, lang)}")
    if route.back >= 0:
        times.append(f"{labels['back']} {time_text(route.back, lang)}")
    if route.lunch_start >= 0:
        lunch_end = route.lunch_start + scenario.settings.lunch_minutes * 60
        times.append(f"{labels['lunch']} {window_text(route.lunch_start, lunch_end, lang)}")
    if route.distance_metres:
        times.append(f"{labels['distance']} {route.distance_metres / 1000:.1f} km")
    if route.travel_seconds:
        times.append(f"{labels['travel']} {round(route.travel_seconds / 60)} min")
    times.append(f"{labels['stops']} {len(route.stops)}")
    lines.append(" · ".join(times))
    return lines


def _stop_row(number: int, stop: Stop, scenario: Scenario, lang: str) -> tuple[str, ...]:
    business = scenario.business(stop.visit.business_id)
    place = "\n".join(x for x in (business.name, business.address, business.phone) if x)
    mark = LABELS[lang]["unannounced"]
    items = "\n".join(
        f"{item_title(o.item_id, scenario, lang)} ({department_name(o.department_id, scenario, lang)})"
        + (f" [{mark}]" if is_unannounced(o, scenario) else "")
        for o in stop.visit.obligations
    )
    return (
        str(number),
        time_text(stop.arrival, lang),
        window_text(stop.start, stop.end, lang),
        place,
        items,
    )


def _draw_map(
    pdf: Any,
    route: Route,
    scenario: Scenario,
    legs: Sequence[Sequence[tuple[float, float]]],
    box: tuple[float, float, float, float],
) -> None:
    """Route, numbered stops, office, scale bar and north mark, projected into ``box`` (mm)."""
    x0, y0, width, height = box
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.2)
    pdf.rect(x0, y0, width, height)
    stops = [_business_point(s, scenario) for s in route.stops]
    office = route_office(route, scenario)
    everything = [p for leg in legs for p in leg] + stops
    if office is not None:
        everything.append((office.lon, office.lat))
    if not everything:
        return
    project, metres_per_mm = _projection(everything, box, margin=8.0)
    pdf.set_draw_color(30, 90, 180)
    pdf.set_line_width(0.6)
    for leg in legs:
        if len(leg) >= 2:
            pdf.polyline([project(p) for p in leg])
    if office is not None:
        ox, oy = project((office.lon, office.lat))
        pdf.set_fill_color(60, 60, 60)
        pdf.rect(ox - 2, oy - 2, 4, 4, style="F")
    pdf.set_font("cjk", size=7)
    for number, point in enumerate(stops, start=1):
        sx, sy = project(point)
        pdf.set_fill_color(200, 40, 40)
        pdf.set_draw_color(255, 255, 255)
        pdf.circle(sx, sy, 2.6, style="DF")
        pdf.set_text_color(255, 255, 255)
        pdf.set_xy(sx - 2.6, sy - 1.6)
        pdf.cell(5.2, 3.2, str(number), align="C")
    pdf.set_text_color(0, 0, 0)
    _draw_scale(pdf, box, metres_per_mm)
    _draw_north(pdf, box)


def _projection(
    points: Sequence[tuple[float, float]], box: tuple[float, float, float, float], margin: float
) -> tuple[Any, float]:
    """A (lon, lat) → (x, y) mm mapping that fits ``points`` in ``box``; also metres per mm."""
    x0, y0, width, height = box
    lat0 = sum(p[1] for p in points) / len(points)
    kx = 111_320.0 * math.cos(math.radians(lat0))
    ky = 110_540.0
    xs = [p[0] * kx for p in points]
    ys = [p[1] * ky for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 200.0)  # at least 200 m across
    metres_per_mm = span / (min(width, height) - 2 * margin)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def project(p: tuple[float, float]) -> tuple[float, float]:
        return (
            x0 + width / 2 + (p[0] * kx - cx) / metres_per_mm,
            y0 + height / 2 - (p[1] * ky - cy) / metres_per_mm,
        )

    return project, metres_per_mm


def _draw_scale(pdf: Any, box: tuple[float, float, float, float], metres_per_mm: float) -> None:
    x0, y0, width, height = box
    target = metres_per_mm * width / 4
    length = max((n for n in _NICE_LENGTHS if n <= target), default=_NICE_LENGTHS[0])
    mm = length / metres_per_mm
    x, y = x0 + 4, y0 + height - 5
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.5)
    pdf.line(x, y, x + mm, y)
    pdf.line(x, y - 1, x, y + 1)
    pdf.line(x + mm, y - 1, x + mm, y + 1)
    pdf.set_font("cjk", size=7)
    pdf.set_xy(x, y - 4.5)
    pdf.cell(mm, 3, f"{length / 1000:g} km" if length >= 1000 else f"{length} m", align="C")


_NICE_LENGTHS = (50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)


def _draw_north(pdf: Any, box: tuple[float, float, float, float]) -> None:
    x0, y0, width, _ = box
    x, y = x0 + width - 7, y0 + 4
    pdf.set_fill_color(0, 0, 0)
    pdf.polygon([(x, y), (x - 2, y + 5), (x + 2, y + 5)], style="F")
    pdf.set_font("cjk", size=7)
    pdf.set_xy(x - 3, y + 5.5)
    pdf.cell(6, 3, "N", align="C")
