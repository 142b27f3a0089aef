"""The inspection catalogue shared by the demo and the generator: departments, items, categories.

Eight departments of a Chinese township's joint enforcement ("综合查一次") owe 22 inspection items;
each item lists the business categories whose scenario checklist (场景清单) it belongs to. The
legal basis cites the real national law or regulation; intervals are typical of risk-graded
("分级分类") supervision: a low-risk business yearly or less, a high-risk one quarterly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from planner.domain import Department, Item, Risk

# ---------------------------------------------------------------- business categories

CATEGORIES: tuple[str, ...] = (
    "restaurant",
    "cafe",
    "bar",
    "hotel",
    "supermarket",
    "food_shop",
    "retail",
    "pharmacy",
    "beauty",
    "car_service",
    "entertainment",
    "office",
)

CATEGORY_NAMES: dict[str, tuple[str, str]] = {
    "restaurant": ("Restaurant", "餐馆"),
    "cafe": ("Cafe", "咖啡馆/茶饮店"),
    "bar": ("Bar or pub", "酒吧"),
    "hotel": ("Hotel", "宾馆酒店"),
    "supermarket": ("Supermarket or department store", "超市/商场"),
    "food_shop": ("Food shop", "食品店"),
    "retail": ("Shop", "零售商店"),
    "pharmacy": ("Pharmacy or medical supply", "药店/医疗器械店"),
    "beauty": ("Hairdresser or beauty salon", "美容美发店"),
    "car_service": ("Car service or fuel", "汽车维修/加油站"),
    "entertainment": ("Entertainment or sports venue", "娱乐/体育场所"),
    "office": ("Office", "写字楼办公场所"),
}

FOOD_SERVICE = ("restaurant", "cafe", "bar")
STREET_FRONT = (
    "restaurant", "cafe", "bar", "supermarket", "food_shop", "retail", "pharmacy", "beauty",
    "car_service",
)  # fmt: skip
PRICED = (*STREET_FRONT, "hotel", "entertainment")

# ---------------------------------------------------------------- departments

DEPARTMENTS: tuple[Department, ...] = (
    Department("market", "Market regulation", "市场监督管理局"),
    Department("fire", "Fire and rescue", "消防救援大队"),
    Department("ecology", "Ecology and environment", "生态环境分局"),
    Department(
        "urban", "Urban management / comprehensive law enforcement", "综合行政执法局（城市管理）"
    ),
    Department("emergency", "Emergency management", "应急管理局"),
    Department("health", "Health", "卫生健康局"),
    Department("water", "Water resources", "水务局"),
    Department("culture", "Culture, tourism and sports", "文化广电旅游体育局"),
)


# ---------------------------------------------------------------- items


def _item(
    id: str,
    department: str,
    title: str,
    title_zh: str,
    minutes: int,
    certification: str,
    intervals: tuple[int, int, int],
    categories: tuple[str, ...],
    legal_basis: str,
    *,
    follow_up_days: int = 14,
    unannounced: bool = False,
    desk_review: bool = False,
) -> Item:
    return Item(
        id=id,
        department_id=department,
        title=title,
        title_zh=title_zh,
        minutes=minutes,
        certification=certification,
        interval_days=tuple(zip(Risk, intervals, strict=True)),
        follow_up_days=follow_up_days,
        unannounced=unannounced,
        desk_review=desk_review,
        categories=categories,
        legal_basis=legal_basis,
    )


ITEMS: tuple[Item, ...] = (
    # 市场监督管理局
    _item(
        "food_safety", "market", "Food business safety", "食品经营安全", 30, "food",
        (365, 180, 90), ("restaurant", "cafe", "bar", "hotel", "supermarket", "food_shop"),
        "Food Safety Law art. 110; Measures for Supervision and Inspection of Food Production and "
        "Business 《食品安全法》第一百一十条；《食品生产经营监督检查管理办法》",
    ),
    _item(
        "food_sampling", "market", "Food sampling", "食品安全抽样检验", 20, "food",
        (730, 365, 180), ("restaurant", "cafe", "supermarket", "food_shop"),
        "Food Safety Law art. 87 《食品安全法》第八十七条；《食品安全抽样检验管理办法》",
        follow_up_days=30, unannounced=True,
    ),
    _item(
        "pricing", "market", "Clear pricing and price tags", "明码标价", 15, "price",
        (730, 365, 180), PRICED,
        "Price Law art. 13; Provisions on Clearly Marked Prices and Prohibition of Price Fraud "
        "《价格法》第十三条；《明码标价和禁止价格欺诈规定》",
        unannounced=True,
    ),
    _item(
        "product_quality", "market", "Product quality and labels", "产品质量与标识", 20, "product",
        (730, 365, 180), ("supermarket", "retail", "car_service"),
        "Product Quality Law arts. 15, 27 《产品质量法》第十五条、第二十七条",
        follow_up_days=30,
    ),
    _item(
        "special_equipment", "market", "Special equipment (lifts, boilers, pressure vessels)",
        "特种设备安全", 30, "special_equipment",
        (365, 365, 180), ("hotel", "supermarket", "entertainment"),
        "Special Equipment Safety Law art. 57 《特种设备安全法》第五十七条",
        follow_up_days=30,
    ),
    _item(
        "drug_retail", "market", "Drug and medical device retail (GSP)", "药品医疗器械经营质量", 35,
        "drug", (365, 180, 90), ("pharmacy",),
        "Drug Administration Law art. 99; Regulations on Supervision of Medical Devices "
        "《药品管理法》第九十九条；《医疗器械监督管理条例》",
    ),
    _item(
        "cosmetics", "market", "Cosmetics used and sold", "化妆品经营使用", 15, "product",
        (730, 365, 180), ("beauty",),
        "Regulations on Supervision and Administration of Cosmetics art. 46 "
        "《化妆品监督管理条例》第四十六条",
        follow_up_days=30,
    ),
    # 消防救援
    _item(
        "fire_basic", "fire", "Extinguishers, exits and evacuation routes",
        "灭火器材、安全出口与疏散通道", 20, "fire_basic", (365, 180, 90), ("*",),
        "Fire Protection Law arts. 16, 53 《消防法》第十六条、第五十三条",
        follow_up_days=7,
    ),
    _item(
        "fire_systems", "fire", "Fire alarm, sprinkler and smoke control systems",
        "火灾自动报警、喷淋与防排烟系统", 30, "fire_systems", (365, 365, 180),
        ("hotel", "supermarket", "entertainment"),
        "Fire Protection Law art. 16; Maintenance of Building Fire Protection Facilities GB 25201 "
        "《消防法》第十六条；《建筑消防设施的维护管理》GB 25201",
        desk_review=True,
    ),
    # 生态环境
    _item(
        "fume_purifier", "ecology", "Kitchen fume purifier", "餐饮油烟净化设施", 15, "fumes",
        (365, 180, 90), ("restaurant", "hotel"),
        "Air Pollution Prevention and Control Law art. 81 《大气污染防治法》第八十一条",
    ),
    _item(
        "hazardous_waste", "ecology", "Hazardous waste storage and transfer manifests",
        "危险废物贮存与转移联单", 25, "hazwaste", (365, 180, 90), ("car_service",),
        "Solid Waste Pollution Prevention and Control Law arts. 77, 81, 82 "
        "《固体废物污染环境防治法》第七十七条、第八十一条、第八十二条",
        follow_up_days=30, desk_review=True,
    ),
    # 综合行政执法（城市管理）
    _item(
        "garbage_sorting", "urban", "Garbage sorting", "生活垃圾分类", 10, "urban",
        (365, 180, 90), ("*",),
        "Solid Waste Pollution Prevention and Control Law art. 49; local household waste "
        "regulations 《固体废物污染环境防治法》第四十九条；地方生活垃圾管理条例",
    ),
    _item(
        "frontage", "urban", "Frontage duties (cleanliness, order, greening)",
        "门前三包（市容、环境卫生、秩序）", 10, "urban", (365, 180, 90), STREET_FRONT,
        "Regulations on City Appearance and Environmental Sanitation "
        "《城市市容和环境卫生管理条例》；地方门前三包责任制规定",
        follow_up_days=7,
    ),
    _item(
        "outdoor_signs", "urban", "Shop signs and outdoor advertising", "店招店牌与户外广告设施",
        10, "urban", (730, 365, 365), PRICED,
        "Regulations on City Appearance and Environmental Sanitation art. 11; Advertising Law "
        "art. 41 《城市市容和环境卫生管理条例》第十一条；《广告法》第四十一条",
        follow_up_days=30,
    ),
    _item(
        "noise", "urban", "Commercial and entertainment noise", "社会生活噪声", 15, "noise",
        (365, 180, 90), ("bar", "entertainment"),
        "Noise Pollution Prevention and Control Law art. 61 《噪声污染防治法》第六十一条",
    ),
    # 应急管理
    _item(
        "gas_safety", "emergency", "Gas safety (cylinders, hoses, leak alarms, shut-off valves)",
        "燃气安全", 20, "gas", (365, 180, 90), ("restaurant", "cafe", "bar", "hotel"),
        "Regulations on Urban Gas Administration art. 28; Work Safety Law "
        "《城镇燃气管理条例》第二十八条；《安全生产法》",
        follow_up_days=7,
    ),
    _item(
        "work_safety", "emergency", "Work safety responsibility and hazard checks",
        "安全生产主体责任与隐患排查", 25, "work_safety", (730, 365, 180),
        ("hotel", "supermarket", "car_service", "entertainment"),
        "Work Safety Law arts. 4, 41, 65 《安全生产法》第四条、第四十一条、第六十五条",
        desk_review=True,
    ),
    _item(
        "hazardous_chemicals", "emergency", "Hazardous chemicals and fuel storage",
        "危险化学品与油品储存安全", 30, "hazchem", (365, 180, 90), ("car_service",),
        "Regulations on Safety Management of Hazardous Chemicals; Work Safety Law "
        "《危险化学品安全管理条例》；《安全生产法》",
        follow_up_days=7,
    ),
    # 卫生健康
    _item(
        "public_hygiene", "health", "Public-place hygiene (licence, health certificates, disinfection)",
        "公共场所卫生", 25, "hygiene", (365, 180, 90), ("hotel", "beauty", "entertainment"),
        "Regulations on Hygiene Administration of Public Places arts. 3, 7, 8 "
        "《公共场所卫生管理条例》第三条、第七条、第八条",
    ),
    _item(
        "water_supply_hygiene", "health", "Secondary water supply hygiene", "二次供水卫生", 15,
        "hygiene", (730, 365, 365), ("hotel", "entertainment"),
        "Measures for Hygiene Supervision of Drinking Water 《生活饮用水卫生监督管理办法》",
        follow_up_days=30, desk_review=True,
    ),
    # 水务
    _item(
        "drainage_permit", "water", "Drainage permit and grease trap", "排水许可与隔油设施", 15,
        "drainage", (1095, 730, 365), ("restaurant", "hotel", "supermarket", "beauty", "car_service"),
        "Regulations on Urban Drainage and Sewage Treatment art. 21 "
        "《城镇排水与污水处理条例》第二十一条",
        follow_up_days=30, desk_review=True,
    ),
    # 文化广电旅游体育
    _item(
        "entertainment_licence", "culture", "Entertainment venue licence and operation",
        "娱乐场所经营许可与经营行为", 20, "culture", (365, 180, 90), ("entertainment",),
        "Regulations on the Administration of Entertainment Venues 《娱乐场所管理条例》",
    ),
)  # fmt: skip

CERTIFICATIONS: tuple[str, ...] = tuple(dict.fromkeys(i.certification for i in ITEMS))


def checklist_for(category: str, items: tuple[Item, ...] = ITEMS) -> tuple[str, ...]:
    """Ids of the items on the scenario checklist (场景清单) of ``category``."""
    return tuple(i.id for i in items if i.applies_to(category))


# ---------------------------------------------------------------- officers' certifications

COMPREHENSIVE_CORE = ("urban", "noise", "fumes", "fire_basic", "drainage")


@dataclass(frozen=True, slots=True)
class Role:
    """A kind of officer: home department and the certifications held (持证范围)."""

    name: str
    department_id: str
    certifications: tuple[str, ...]


ROLES: dict[str, Role] = {
    r.name: r
    for r in (
        # comprehensive officers (综合执法队员) hold the delegated items (赋权事项) in variants;
        # fire rescue sits under emergency management, so its officers may hold fire certificates
        Role("comprehensive_a", "urban", (*COMPREHENSIVE_CORE, "gas", "price")),
        Role("comprehensive_b", "urban", (*COMPREHENSIVE_CORE, "gas", "work_safety")),
        Role(
            "comprehensive_c", "urban", (*COMPREHENSIVE_CORE, "gas", "price", "culture", "hygiene")
        ),
        Role("comprehensive_d", "urban", (*COMPREHENSIVE_CORE, "gas", "hazwaste")),
        Role("comprehensive_e", "urban", (*COMPREHENSIVE_CORE, "price")),
        Role("market_food", "market", ("food", "price", "product", "special_equipment")),
        Role("market_drug", "market", ("food", "price", "product", "drug", "special_equipment")),
        Role("market", "market", ("food", "price", "product")),
        Role("fire", "fire", ("fire_basic", "fire_systems")),
        Role("ecology", "ecology", ("fumes", "hazwaste", "noise", "drainage")),
        Role(
            "emergency",
            "emergency",
            ("gas", "work_safety", "hazchem", "fire_basic", "fire_systems"),
        ),
        Role("health", "health", ("hygiene",)),
        Role("culture", "culture", ("culture", "noise")),
    )
}


# ---------------------------------------------------------------- OSM tags → category

_AMENITY = {
    **dict.fromkeys(("restaurant", "fast_food", "food_court", "bbq"), "restaurant"),
    **dict.fromkeys(("cafe", "ice_cream"), "cafe"),
    **dict.fromkeys(("bar", "pub", "biergarten"), "bar"),
    **dict.fromkeys(
        ("nightclub", "cinema", "theatre", "casino", "karaoke_box", "music_venue", "events_venue",
         "gambling", "stripclub", "public_bath"),
        "entertainment",
    ),
    **dict.fromkeys(("pharmacy",), "pharmacy"),
    **dict.fromkeys(("fuel", "car_wash"), "car_service"),
    **dict.fromkeys(("bank", "bureau_de_change", "coworking_space"), "office"),
}  # fmt: skip
_SHOP = {
    **dict.fromkeys(
        ("supermarket", "convenience", "department_store", "mall", "grocery", "general",
         "wholesale"),
        "supermarket",
    ),
    **dict.fromkeys(
        ("bakery", "pastry", "deli", "confectionery", "chocolate", "tea", "coffee", "alcohol",
         "wine", "beverages", "health_food", "butcher", "greengrocer", "seafood", "cheese",
         "dairy", "frozen_food", "spices", "nuts", "farm", "kiosk", "food"),
        "food_shop",
    ),
    **dict.fromkeys(("medical_supply", "hearing_aids", "herbalist"), "pharmacy"),
    **dict.fromkeys(
        ("hairdresser", "beauty", "beauty_salon", "nails", "nailstudio", "massage", "tattoo",
         "piercing", "hairdresser_supply_salon"),
        "beauty",
    ),
    **dict.fromkeys(
        ("car_repair", "car", "tyres", "car_parts", "motorcycle", "motorcycle_repair", "fuel"),
        "car_service",
    ),
    **dict.fromkeys(("vacant", "no", "disused"), ""),
}  # fmt: skip
_TOURISM = dict.fromkeys(("hotel", "hostel", "guest_house", "motel", "apartment"), "hotel")
_LEISURE = dict.fromkeys(
    ("fitness_centre", "sports_centre", "dance", "amusement_arcade", "adult_gaming_centre",
     "bowling_alley", "sauna", "water_park", "escape_game", "trampoline_park"),
    "entertainment",
)  # fmt: skip
_CRAFT = {
    **dict.fromkeys(("brewery", "winery", "distillery", "confectionery", "caterer"), "food_shop"),
    **dict.fromkeys(
        ("shoemaker", "jeweller", "clockmaker", "watchmaker", "tailor", "electronics_repair",
         "dressmaker", "optician", "key_cutter", "upholsterer", "photographer"),
        "retail",
    ),
    **dict.fromkeys(("cartographer", "architect", "graphic_design"), "office"),
}  # fmt: skip
_OFFICE_EXCLUDED = {
    "government", "administrative", "political_party", "diplomatic", "quango", "religion",
    "central_bank", "no", "vacant",
}  # fmt: skip


def _values(tags: Mapping[str, object], key: str) -> list[str]:
    """The values of one tag, split on ``;`` (OSM multi-values like ``nightclub;restaurant``)."""
    raw = tags.get(key)
    if not isinstance(raw, str):
        return []
    return [v.strip().lower() for v in raw.split(";") if v.strip()]


def category_from_tags(tags: Mapping[str, object]) -> str | None:
    """The business category of an OpenStreetMap feature, or ``None`` if it is not inspected.

    ``amenity`` decides first, then ``shop``, ``tourism``, ``leisure``, ``craft`` and ``office``.
    Any other ``shop=*`` value is a shop (``retail``); any company-like ``office=*`` an ``office``;
    public bodies (``office=government``), street furniture, parks and artworks give ``None``.

    Parameters
    ----------
    tags
        OSM tags of one feature; non-string values (``None``, NaN) count as absent.

    Examples
    --------
    >>> category_from_tags({"amenity": "fast_food"})
    'restaurant'
    >>> category_from_tags({"shop": "hairdresser"})
    'beauty'
    >>> category_from_tags({"amenity": "bench"}) is None
    True
    """
    for value in _values(tags, "amenity"):
        if value in _AMENITY:
            return _AMENITY[value]
    for value in _values(tags, "shop"):
        category = _SHOP.get(value, "retail")
        if category:
            return category
    for key, table in (("tourism", _TOURISM), ("leisure", _LEISURE), ("craft", _CRAFT)):
        for value in _values(tags, key):
            if value in table:
                return table[value]
    for value in _values(tags, "office"):
        if value not in _OFFICE_EXCLUDED:
            return "office"
    return None


def tags_from_row(row: Mapping[str, object]) -> dict[str, str]:
    """Flat OSM tags of one pyrosm row: its tag columns plus the JSON ``tags`` column."""
    tags: dict[str, str] = {}
    extra = row.get("tags")
    if isinstance(extra, str) and extra.startswith("{"):
        tags.update({k: str(v) for k, v in json.loads(extra).items()})
    tags.update({k: v for k, v in row.items() if isinstance(v, str) and k != "tags"})
    return tags


# ---------------------------------------------------------------- default opening hours

DEFAULT_HOURS: dict[str, tuple[tuple[str, int], ...]] = {
    # (opening hours, weight); split hours for restaurants, overnight for bars and clubs
    "restaurant": (
        ("Mo-Fr 10:30-14:00,17:00-22:00; Sa-Su 12:00-22:00", 4),
        ("Mo-Sa 11:00-22:00; Su 12:00-21:00", 3),
        ("Tu-Sa 11:00-14:30,17:30-23:00", 2),
        ("Mo-Su 10:00-21:00", 2),
    ),
    "cafe": (
        ("Mo-Fr 07:30-18:00; Sa-Su 09:00-17:00", 3),
        ("Mo-Fr 08:00-19:00; Sa 10:00-17:00", 2),
        ("Mo-Su 09:00-20:00", 1),
    ),
    "bar": (
        ("Mo-Th 15:00-24:00; Fr-Sa 15:00-02:00; Su 15:00-22:00", 3),
        ("Mo-Th 16:00-01:00; Fr-Sa 16:00-03:00", 2),
        ("We-Th 18:00-24:00; Fr-Sa 18:00-02:00", 1),
    ),
    "hotel": (("24/7", 1),),
    "supermarket": (
        ("Mo-Sa 08:00-21:00; Su 10:00-20:00", 3),
        ("Mo-Su 07:00-23:00", 2),
    ),
    "food_shop": (
        ("Mo-Fr 09:00-18:00; Sa 10:00-16:00", 3),
        ("Mo-Fr 07:00-19:00; Sa-Su 08:00-16:00", 2),
        ("Mo-Su 08:00-22:00", 1),
    ),
    "retail": (
        ("Mo-Fr 10:00-19:00; Sa 10:00-17:00; Su 12:00-17:00", 3),
        ("Mo-Fr 10:00-18:00; Sa 10:00-16:00", 3),
        ("Tu-Fr 11:00-18:00; Sa 11:00-15:00", 1),
    ),
    "pharmacy": (
        ("Mo-Fr 08:00-20:00; Sa 09:00-18:00; Su 11:00-17:00", 2),
        ("Mo-Fr 09:00-19:00; Sa 09:00-15:00", 1),
    ),
    "beauty": (
        ("Tu-Fr 10:00-19:00; Sa 09:00-16:00", 2),
        ("Mo-Fr 09:00-18:00; Sa 09:00-15:00", 2),
        ("Mo-Sa 10:00-20:00", 1),
    ),
    "car_service": (
        ("Mo-Fr 07:30-17:00", 2),
        ("Mo-Fr 06:00-22:00; Sa-Su 08:00-22:00", 1),
    ),
    "entertainment": (
        ("Mo-Fr 06:00-22:00; Sa-Su 08:00-20:00", 2),
        ("Mo-Su 12:00-23:00", 2),
        ("Tu-Sa 11:00-20:00", 1),
        ("Th 22:00-03:00; Fr-Sa 22:00-04:00", 1),
    ),
    "office": (
        ("Mo-Fr 08:00-16:00", 2),
        ("Mo-Fr 09:00-17:00", 3),
    ),
}
