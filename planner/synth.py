"""Seeded synthetic scenarios of any size: townships, businesses, history, tasks and officers."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable, Mapping, Sequence

from planner.catalogue import CERTIFICATIONS, DEFAULT_HOURS, DEPARTMENTS, ITEMS, ROLES, Role
from planner.domain import (
    Business,
    HistoryRecord,
    Inspector,
    Item,
    Office,
    OpeningHours,
    Result,
    Risk,
    Scenario,
    Settings,
    Task,
    TaskKind,
)
from planner.hours import parse_opening_hours, parse_span

WEEK_START = dt.date(2026, 11, 23)
COUNTY_CENTRE = (119.97, 30.54)  # (lon, lat): a county seat in northern Zhejiang
KM_PER_DEGREE = 111.32

RISK_SHARES: dict[str, tuple[float, float, float]] = {
    # (low, medium, high); overall about 50 / 35 / 15
    **dict.fromkeys(("restaurant", "bar", "hotel", "entertainment", "car_service"), (0.3, 0.45, 0.25)),
    **dict.fromkeys(("cafe", "supermarket", "food_shop", "pharmacy", "beauty"), (0.45, 0.4, 0.15)),
    **dict.fromkeys(("retail", "office"), (0.65, 0.28, 0.07)),
}  # fmt: skip

# The "7+N" roster shape: comprehensive officers of the township team with delegated items (7),
# seconded specialists of the departments (N). Taken in this order, so a small roster is mixed.
ROLE_CYCLE: tuple[str, ...] = (
    "comprehensive_a", "market_food", "comprehensive_b", "fire", "comprehensive_c", "health",
    "market_drug", "emergency", "comprehensive_d", "ecology", "market", "culture",
    "comprehensive_e", "comprehensive_b",
)  # fmt: skip

SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭何沈钱俞"
SURNAMES_PINYIN = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Zhou", "Wu", "Xu", "Sun", "Zhu",
    "Ma", "Hu", "Guo", "He", "Shen", "Qian", "Yu",
)  # fmt: skip
GIVEN = "伟芳敏静磊强洋艳军杰娟涛明超霞平刚桂英华"
GIVEN_PINYIN = (
    "Wei", "Fang", "Min", "Jing", "Lei", "Qiang", "Yang", "Yan", "Jun", "Jie", "Juan", "Tao",
    "Ming", "Chao", "Xia", "Ping", "Gang", "Gui", "Ying", "Hua",
)  # fmt: skip

TOWNSHIPS: tuple[tuple[str, str], ...] = (
    ("Qingshan", "青山镇"), ("Baishui", "白水镇"), ("Taoyuan", "桃源镇"), ("Longtan", "龙潭镇"),
    ("Shiqiao", "石桥镇"), ("Liuxi", "柳溪镇"), ("Meilin", "梅林镇"), ("Zhuyuan", "竹园镇"),
    ("Xinghua", "杏花镇"), ("Shuangtang", "双塘镇"), ("Jinling", "金岭镇"), ("Fengming", "凤鸣镇"),
)  # fmt: skip
VILLAGES = (
    "东山", "南塘", "北岙", "上湾", "下庄", "前溪", "后陈", "新桥",
    "湖滨", "塘头", "沙埠", "大溪", "横街", "高桥", "庙前", "里仁",
)  # fmt: skip
ROADS = (
    "人民路", "解放路", "健康路", "建设路", "新华路", "文化路",
    "中山路", "青年路", "工业路", "河滨路", "兴业路", "长兴街",
)  # fmt: skip

NAME_TEMPLATES: dict[str, tuple[str, ...]] = {
    "restaurant": ("{s}记面馆", "{p}土菜馆", "{p}大酒店", "{s}家小炒", "{p}饭店", "老{s}馄饨店"),
    "cafe": ("{p}咖啡", "{s}记茶饮", "{p}奶茶店"),
    "bar": ("{p}酒吧", "{p}夜宵烧烤", "{s}记小酒馆"),
    "hotel": ("{p}宾馆", "{p}大酒店", "{s}家民宿", "{p}商务酒店"),
    "supermarket": ("{p}超市", "{p}联华超市", "{s}记便利店", "{p}购物中心"),
    "food_shop": ("{s}记糕点", "{p}熟食店", "{s}家水果店", "{p}烟酒店", "{s}记粮油店"),
    "retail": ("{p}五金店", "{s}记服装店", "{p}手机店", "{s}家鞋店", "{p}日用百货", "{p}家电"),
    "pharmacy": ("{p}大药房", "{s}记药店", "{p}医疗器械店"),
    "beauty": ("{s}记理发店", "{p}美容院", "{p}美发沙龙", "{s}家美甲"),
    "car_service": ("{p}汽修厂", "{s}记洗车", "{p}加油站", "{p}轮胎店"),
    "entertainment": ("{p}KTV", "{p}健身房", "{p}网吧", "{p}影城", "{p}洗浴中心"),
    "office": ("{p}物流公司", "{p}建筑公司", "{p}电子商务公司", "{p}会计事务所", "{p}科技公司"),
}
CATEGORY_SHARES: dict[str, float] = {
    "restaurant": 0.22, "cafe": 0.03, "bar": 0.02, "hotel": 0.04, "supermarket": 0.06,
    "food_shop": 0.12, "retail": 0.18, "pharmacy": 0.04, "beauty": 0.08, "car_service": 0.06,
    "entertainment": 0.03, "office": 0.12,
}  # fmt: skip

COMPLAINTS: tuple[tuple[str, str], ...] = (
    # (item, note shown to the planner)
    ("noise", "Residents report loud music after 23:00 夜间噪声扰民投诉"),
    ("fume_purifier", "Neighbours report cooking fumes 油烟扰民投诉"),
    ("food_safety", "Customer reports illness after a meal 消费者食品安全投诉"),
    ("pricing", "Customer charged above the price tag 价格投诉"),
    ("frontage", "Goods piled on the pavement 占道经营投诉"),
    ("fire_basic", "Blocked emergency exit reported 安全出口堵塞举报"),
    ("public_hygiene", "Towels reused without disinfection 公共场所卫生投诉"),
)
CAMPAIGNS: tuple[tuple[str, str], ...] = (
    ("gas_safety", "Winter gas safety campaign 城镇燃气安全专项整治"),
    ("fire_basic", "Winter fire prevention campaign 冬春火灾防控专项行动"),
)

# Named sizes (businesses, townships): ``python -m planner synth OUT --preset county``.
PRESETS: dict[str, tuple[int, int]] = {
    "township": (1_500, 1),  # one township of 1,500 businesses
    "county": (30_000, 20),  # a county (县): 20 townships × 1,500 businesses
}

NEW_BUSINESS_SHARE = 0.03
OVERDUE_SHARE = 0.01
TRAVEL_ALLOWANCE_MINUTES = 15
DEMAND_OVER_CAPACITY = 1.1


# ---------------------------------------------------------------- small draws


def draw_risk(category: str, rng: random.Random) -> Risk:
    """A risk class for a business of ``category``: restaurants and bars are riskier than offices."""
    shares = RISK_SHARES.get(category, (0.5, 0.35, 0.15))
    return rng.choices(tuple(Risk), weights=shares)[0]


def default_opening_hours(category: str, rng: random.Random) -> OpeningHours:
    """A realistic weekly opening pattern for ``category`` (weighted among typical ones)."""
    choices = DEFAULT_HOURS.get(category, (("Mo-Fr 09:00-17:00", 1),))
    text = rng.choices([c[0] for c in choices], weights=[c[1] for c in choices])[0]
    return parse_opening_hours(text)


def offset_km(lon: float, lat: float, east_km: float, north_km: float) -> tuple[float, float]:
    """The point ``east_km`` east and ``north_km`` north of ``(lon, lat)``, rounded to 6 decimals."""
    dlat = north_km / KM_PER_DEGREE
    dlon = east_km / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    return round(lon + dlon, 6), round(lat + dlat, 6)


# ---------------------------------------------------------------- history and tasks


def _result(days_ago: int, item: Item, rng: random.Random) -> Result:
    """Failures only recently (an old failure would have a later follow-up on record)."""
    draw = rng.random()
    if days_ago <= 2 * item.follow_up_days and draw < 0.08:
        return Result.FAIL
    return Result.FINDINGS if draw > 0.95 else Result.PASS


def synthesize_history(
    businesses: Iterable[Business],
    items: Sequence[Item],
    *,
    rng: random.Random,
    week_start: dt.date = WEEK_START,
    new_share: float = NEW_BUSINESS_SHARE,
    overdue_share: float = OVERDUE_SHARE,
) -> tuple[HistoryRecord, ...]:
    """The last inspection of every checklist item at every business, as the siloed regime left it.

    Before the reform each department visited on its own and checked all its items at once, so a
    department's items at one business share a date; its next visit falls due uniformly within its
    shortest interval after ``week_start`` (about ``7 / interval`` of the visits fall due in any one
    week), except a share ``overdue_share`` already overdue by up to 60 days. Unannounced items
    (sampling, covert price checks) were done separately and have their own dates. A share
    ``new_share`` of businesses are newly registered and have no history (everything is due).

    Parameters
    ----------
    businesses, items
        Who and what; only items on a business's checklist get a record.
    rng
        The seeded random source; the result depends only on its state and the inputs.
    week_start
        The planning week; every record is dated before it.
    new_share, overdue_share
        Shares of never-inspected businesses and of overdue department visits.
    """
    records: list[HistoryRecord] = []
    for business in businesses:
        if rng.random() < new_share:
            continue
        visits: dict[str, list[Item]] = {}
        for item in items:
            if item.applies_to_any(business.categories):
                key = item.id if item.unannounced else item.department_id
                visits.setdefault(key, []).append(item)
        for checked in visits.values():
            interval = min(i.interval_for(business.risk) for i in checked)
            if rng.random() < overdue_share:
                due_in = -rng.randint(1, 60)
            else:
                due_in = rng.randint(0, interval - 1)
            last = week_start + dt.timedelta(days=due_in - interval)
            days_ago = (week_start - last).days
            records.extend(
                HistoryRecord(business.id, i.id, last, _result(days_ago, i, rng)) for i in checked
            )
    return tuple(records)


def _open_in_office_hours(business: Business, hours: tuple[int, int] = (30_600, 63_000)) -> bool:
    """Open at least an hour within 08:30–17:30 on some weekday, so a team can act on a task."""
    return any(
        min(end, hours[1]) - max(start, hours[0]) >= 3600
        for day in range(5)
        for start, end in business.opening_hours.windows_on(day)
    )


def synthesize_tasks(
    businesses: Sequence[Business],
    items: Sequence[Item],
    *,
    count: int,
    rng: random.Random,
    week_start: dt.date = WEEK_START,
    prefix: str = "T",
) -> tuple[Task, ...]:
    """About ``count`` complaints and campaign tasks with deadlines in the week of ``week_start``.

    Each task names an item on the business's checklist at a business open in office hours on
    some weekday; complaints are urgent (priority 4–5, deadline Tue–Thu), campaigns ordinary
    (priority 3, deadline Friday). Fewer are returned when no business fits.
    """
    by_id = {i.id: i for i in items}
    tasks: list[Task] = []
    templates = [(TaskKind.COMPLAINT, *c) for c in COMPLAINTS] + [
        (TaskKind.CAMPAIGN, *c) for c in CAMPAIGNS
    ]
    used: set[tuple[str, str]] = set()
    for n in range(count):
        kind, item_id, note = templates[n] if n < len(templates) else rng.choice(templates)
        if item_id not in by_id:
            continue
        fits = [
            b
            for b in businesses
            if by_id[item_id].applies_to_any(b.categories)
            and (b.id, item_id) not in used
            and _open_in_office_hours(b)
        ]
        if not fits:
            continue
        business = rng.choice(fits)
        used.add((business.id, item_id))
        complaint = kind is TaskKind.COMPLAINT
        deadline = week_start + dt.timedelta(days=rng.randint(1, 3) if complaint else 4)
        tasks.append(
            Task(
                id=f"{prefix}{len(tasks) + 1:03d}",
                business_id=business.id,
                item_id=item_id,
                kind=kind,
                earliest=week_start,
                deadline=deadline,
                priority=rng.choice((4, 5)) if complaint else 3,
                note=note,
            )
        )
    return tuple(tasks)


# ---------------------------------------------------------------- officers


def name_officer(index: int) -> str:
    """A readable Chinese name with pinyin, distinct for the first 400 indices: ``Li Wei 李伟``."""
    s = index % len(SURNAMES)
    g = (index // len(SURNAMES) + 3 * s) % len(GIVEN)
    return f"{SURNAMES_PINYIN[s]} {GIVEN_PINYIN[g]} {SURNAMES[s]}{GIVEN[g]}"


def _cover_all(roles: Sequence[Role]) -> list[tuple[str, ...]]:
    """Each role's certifications, plus those no one at the office holds (a small office's
    officers carry more: a specialist its department's others, comprehensive officers the rest)."""
    held = [list(r.certifications) for r in roles]
    owner = {i.certification: i.department_id for i in ITEMS}
    comprehensive = [k for k, r in enumerate(roles) if r.department_id == "urban"] or [0]
    turn = 0
    for certification in CERTIFICATIONS:
        if not roles or any(certification in h for h in held):
            continue
        same = [k for k, r in enumerate(roles) if r.department_id == owner[certification]]
        if same:
            held[same[0]].append(certification)
        else:
            held[comprehensive[turn % len(comprehensive)]].append(certification)
            turn += 1
    return [tuple(h) for h in held]


def synthesize_inspectors(
    offices: Sequence[tuple[str, int]],
    *,
    id_prefix: str = "",
    certificate_prefix: str = "ZJ",
    part_time: Mapping[int, tuple[int, ...]] | None = None,
    shift: tuple[int, int] = (8 * 3600 + 1800, 17 * 3600 + 1800),
) -> tuple[Inspector, ...]:
    """A roster of officers in the township "7+N" shape, ``count`` per office.

    Roles follow ``ROLE_CYCLE`` at every office (comprehensive officers with delegated items
    alternate with specialists). At an office too small to hold every certification through its
    roles, the missing ones are added (see ``_cover_all``), so every item can be checked from
    every office.

    Parameters
    ----------
    offices
        ``(office id, number of officers)`` per township office; officers are based there.
    id_prefix
        Put before ``o01``, ``o02`` … (e.g. ``t2-`` for the second township).
    certificate_prefix
        Start of the law-enforcement certificate number (执法证号).
    part_time
        Working days by the officer's position in the whole roster (default Mon–Fri).
    shift
        Daily hours (seconds from midnight) of every officer.
    """
    inspectors: list[Inspector] = []
    part_time = part_time or {}
    for t, (office_id, count) in enumerate(offices):
        prefix = f"{id_prefix}t{t + 1}-" if len(offices) > 1 else id_prefix
        roles = [ROLES[ROLE_CYCLE[j % len(ROLE_CYCLE)]] for j in range(count)]
        for j, (role, certifications) in enumerate(zip(roles, _cover_all(roles), strict=True)):
            n = len(inspectors)
            inspectors.append(
                Inspector(
                    id=f"{prefix}o{j + 1:02d}",
                    name=name_officer(n),
                    department_id=role.department_id,
                    certifications=certifications,
                    working_days=part_time.get(n, (0, 1, 2, 3, 4)),
                    hours_start=shift[0],
                    hours_end=shift[1],
                    base=office_id,
                    certificate_no=f"{certificate_prefix}{t + 1:02d}{n + 1:05d}",
                )
            )
    return tuple(inspectors)


# ---------------------------------------------------------------- rough weekly demand


def estimate_due(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """A rough list of what is due per business in the week of ``settings.week_start``.

    An item is due when it was never inspected, when last date + interval ≤ the week's last day,
    when it failed and its follow-up days have run out by then, or when a task's deadline falls on or
    before that day. This is a sizing aid for generators and summaries, not the obligations engine.
    """
    week_end = scenario.settings.week_start + dt.timedelta(days=6)
    last = {(h.business_id, h.item_id): h for h in scenario.history}
    due: dict[str, list[str]] = {}
    for business in scenario.businesses:
        for item in scenario.items:
            if not item.applies_to_any(business.categories):
                continue
            record = last.get((business.id, item.id))
            days = item.interval_for(business.risk)
            if record is not None and record.result is Result.FAIL:
                days = min(days, item.follow_up_days)
            if record is None or record.date + dt.timedelta(days=days) <= week_end:
                due.setdefault(business.id, []).append(item.id)
    for task in scenario.tasks:
        if task.deadline <= week_end and task.item_id not in due.get(task.business_id, []):
            due.setdefault(task.business_id, []).append(task.item_id)
    return {b: tuple(i) for b, i in due.items()}


def estimate_minutes(scenario: Scenario, due: Mapping[str, Sequence[str]]) -> int:
    """Rough minutes of work for ``due``: setup + items + a travel allowance per business."""
    setup = scenario.settings.setup_minutes + TRAVEL_ALLOWANCE_MINUTES
    return sum(setup + sum(scenario.item(i).minutes for i in ids) for ids in due.values())


def count_team_minutes(settings: Settings, days: int = 5) -> int:
    """Minutes one team can work in a week: the shift less lunch, ``days`` days."""
    return days * ((settings.shift_end - settings.shift_start) // 60 - settings.lunch_minutes)


# ---------------------------------------------------------------- the generator


def preset_size(
    preset: str | None, businesses: int | None = None, townships: int | None = None
) -> tuple[int, int]:
    """(businesses, townships) of a named ``PRESETS`` size; given values win over the preset's.

    Raises
    ------
    ValueError
        For an unknown preset, or when neither a preset nor ``businesses`` is given.
    """
    if preset is not None and preset not in PRESETS:
        raise ValueError(f"unknown preset '{preset}' (known: {', '.join(PRESETS)})")
    size = PRESETS[preset] if preset is not None else (businesses, townships or 1)
    if size[0] is None:
        raise ValueError("give --businesses or --preset")
    return businesses or size[0], townships or size[1]


def _place_townships(count: int, rng: random.Random) -> list[tuple[str, str, float, float]]:
    """(name, name_zh, lon, lat) of each township seat: the county seat, then rings around it."""
    places = []
    for k in range(count):
        name, name_zh = (
            TOWNSHIPS[k] if k < len(TOWNSHIPS) else (f"Township {k + 1}", f"第{k + 1}镇")
        )
        if k == 0:
            lon, lat = COUNTY_CENTRE
        else:
            ring = 1 + (k - 1) // 6
            angle = 2 * math.pi * ((k - 1) % 6) / 6 + rng.uniform(-0.3, 0.3) + 0.5 * ring
            radius = 11.0 * ring + rng.uniform(-2.0, 2.0)
            lon, lat = offset_km(*COUNTY_CENTRE, radius * math.cos(angle), radius * math.sin(angle))
        places.append((name, name_zh, round(lon, 6), round(lat, 6)))
    return places


def _business(
    number: int, township: tuple[str, str, float, float], villages: list[tuple[str, float, float]],
    rng: random.Random,
) -> Business:  # fmt: skip
    name, name_zh, lon, lat = township
    category = rng.choices(list(CATEGORY_SHARES), weights=list(CATEGORY_SHARES.values()))[0]
    if rng.random() < 0.65 or not villages:
        place = name_zh.removesuffix("镇")
        east, north = rng.gauss(0, 0.6), rng.gauss(0, 0.6)
        address = f"{name_zh}{rng.choice(ROADS)}{rng.randint(1, 300)}号"
    else:
        village, vlon, vlat = rng.choice(villages)
        place, lon, lat = village, vlon, vlat
        east, north = rng.gauss(0, 0.25), rng.gauss(0, 0.25)
        address = f"{name_zh}{village}村{rng.randint(1, 120)}号"
    surname = rng.choice(SURNAMES)
    title = rng.choice(NAME_TEMPLATES[category]).format(s=surname, p=place)
    blon, blat = offset_km(lon, lat, east, north)
    return Business(
        id=f"B{number:05d}",
        name=title,
        category=category,
        lon=blon,
        lat=blat,
        address=address,
        risk=draw_risk(category, rng),
        opening_hours=default_opening_hours(category, rng),
        phone=f"0572-{rng.randint(8000000, 8999999)}",
    )


def _officers_per_township(
    scenario: Scenario, due: Mapping[str, Sequence[str]], office_of: Mapping[str, str]
) -> list[tuple[str, int]]:
    """Two officers per team, teams so that demand ≈ 1.1 × the teams' weekly capacity."""
    capacity = count_team_minutes(scenario.settings) * DEMAND_OVER_CAPACITY
    counts = []
    for office in scenario.settings.offices:
        mine = {b: ids for b, ids in due.items() if office_of[b] == office.id}
        teams = max(1, round(estimate_minutes(scenario, mine) / capacity))
        counts.append((office.id, 2 * teams))
    return counts


def synthesize(
    *,
    businesses: int,
    townships: int = 1,
    seed: int = 0,
    week_start: dt.date = WEEK_START,
) -> Scenario:
    """A valid synthetic scenario: ``townships`` townships around a Zhejiang county seat.

    Each township has an office at its seat; businesses cluster in the township's town (65 %) and
    in three to four villages 2–6 km out. Categories, checklists and legal bases come from
    ``planner.catalogue``; risk classes, opening hours, history and a few complaint/campaign tasks
    are drawn from a seeded generator; officers are sized so that the week's demand is about
    1.1 × the capacity of their two-person teams.

    Parameters
    ----------
    businesses
        Number of businesses (≥ 1), spread evenly over the townships.
    townships
        Number of townships (≥ 1), each with its own office and officers.
    seed
        Same seed, same scenario (equal ``Scenario`` objects).
    week_start
        The Monday of the planning week; history and task dates are relative to it.

    Raises
    ------
    ValueError
        If ``businesses`` or ``townships`` is below 1.
    """
    if businesses < 1 or townships < 1:
        raise ValueError("a synthetic scenario needs at least one business and one township")
    rng = random.Random(seed)
    places = _place_townships(townships, rng)
    offices = tuple(
        Office(f"t{k + 1}", f"{zh}综合行政执法队 {name} township office", lon, lat)
        for k, (name, zh, lon, lat) in enumerate(places)
    )
    villages = []
    for _, _, lon, lat in places:
        mine = []
        for v in rng.sample(VILLAGES, rng.randint(3, 4)):
            angle, radius = rng.uniform(0, 2 * math.pi), rng.uniform(2.0, 6.0)
            mine.append(
                (v, *offset_km(lon, lat, radius * math.cos(angle), radius * math.sin(angle)))
            )
        villages.append(mine)
    shift, lunch = parse_span("08:30-17:30"), parse_span("11:30-13:30")
    settings = Settings(
        township=f"Synthetic county, {townships} township{'s' if townships > 1 else ''}",
        township_zh=f"合成示范县（{townships}个乡镇）",
        timezone="Asia/Shanghai",
        week_start=week_start,
        offices=offices,
        shift_start=shift[0],
        shift_end=shift[1],
        lunch_start=lunch[0],
        lunch_end=lunch[1],
        lunch_minutes=60,
        setup_minutes=10,
    )
    rows, office_of = [], {}
    for n in range(businesses):
        k = n % townships
        business = _business(n + 1, places[k], villages[k], rng)
        rows.append(business)
        office_of[business.id] = offices[k].id
    history = synthesize_history(rows, ITEMS, rng=rng, week_start=week_start)
    tasks = synthesize_tasks(
        rows, ITEMS, count=max(1, businesses // 40), rng=rng, week_start=week_start
    )
    draft = Scenario(settings, DEPARTMENTS, ITEMS, tuple(rows), history, tasks)
    counts = _officers_per_township(draft, estimate_due(draft), office_of)
    inspectors = synthesize_inspectors(counts, shift=shift)
    return Scenario(settings, DEPARTMENTS, ITEMS, tuple(rows), history, tasks, inspectors)
