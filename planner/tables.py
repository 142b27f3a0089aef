"""The scenario's tables: their columns, and Scenario → tables → CSV folder or XLSX workbook."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.domain import WEEKDAY_NAMES, Risk, Scenario, Settings
from planner.hours import format_time

LIST_SEPARATOR = ";"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a scenario table."""

    name: str
    required: bool
    doc: str
    doc_zh: str  # the same in 简体中文 (a missing column's problem says it in the app's language)


def _req(name: str, doc: str, doc_zh: str) -> Column:
    return Column(name, True, doc, doc_zh)


def _opt(name: str, doc: str, doc_zh: str) -> Column:
    return Column(name, False, doc, doc_zh)


SCHEMA: dict[str, tuple[Column, ...]] = {
    "departments": (
        _req("id", "department id, unique", "部门编号，不可重复"),
        _req("name", "name in English", "英文名称"),
        _opt("name_zh", "name in Chinese", "中文名称"),
    ),
    "items": (
        _req("id", "item id, unique", "检查事项编号，不可重复"),
        _req("department", "id of the department that owes the item", "负责该事项的部门编号"),
        _req("title", "title in English", "英文标题"),
        _opt("title_zh", "title in Chinese", "中文标题"),
        _req(
            "minutes",
            "minutes on site to check the item (1–480)",
            "现场检查该事项所需分钟数（1–480）",
        ),
        _req(
            "certification",
            "certification an officer needs to check it",
            "检查该事项所需的执法资格",
        ),
        _req(
            "interval_low",
            "days between routine checks at a low-risk business (> 0)",
            "低风险对象两次日常检查的间隔天数（大于 0）",
        ),
        _req(
            "interval_medium",
            "days between routine checks at a medium-risk business (> 0)",
            "中风险对象两次日常检查的间隔天数（大于 0）",
        ),
        _req(
            "interval_high",
            "days between routine checks at a high-risk business (> 0)",
            "高风险对象两次日常检查的间隔天数（大于 0）",
        ),
        _opt(
            "follow_up_days",
            "days within which a failed check is followed up (default 14)",
            "检查不合格后须在多少天内复查（默认 14）",
        ),
        _opt(
            "unannounced",
            "yes if the item must not be announced to the business (default no)",
            "不得预先告知检查对象时填“yes”（默认“no”）",
        ),
        _opt(
            "desk_review",
            "yes if the item may be done as a desk review (default no)",
            "可以书面审查时填“yes”（默认“no”）",
        ),
        _req(
            "categories",
            "business categories it applies to, separated by ';', or *",
            "适用的行业类别，用“;”分隔，或填“*”表示全部",
        ),
        _opt(
            "legal_basis", "legal basis shown on the business's notice", "检查依据，显示在告知书上"
        ),
    ),
    "businesses": (
        _req("id", "business id, unique", "检查对象编号，不可重复"),
        _req("name", "name", "名称"),
        _req(
            "category",
            "business category, e.g. restaurant; one per licence held, separated by ';' (restaurant;shop)",
            "行业类别，例如“restaurant”；每个许可证一个类别，用“;”分隔（“restaurant;shop”）",
        ),
        _req("lon", "longitude, WGS84 degrees", "经度（度）"),
        _req("lat", "latitude, WGS84 degrees", "纬度（度）"),
        _opt("address", "street address", "街道地址"),
        _req("risk", "risk class: low, medium or high", "风险等级：“low”、“medium”或“high”"),
        _req(
            "opening_hours",
            "e.g. 'Mon-Fri 09:00-12:00,14:00-18:00; Sat 10:00-14:00'",
            "例如“Mon-Fri 09:00-12:00,14:00-18:00; Sat 10:00-14:00”",
        ),
        _opt("phone", "phone number", "电话号码"),
        _opt(
            "inspection_hours",
            "when inspectors may visit, if not the opening hours (same syntax; e.g. Mo-Fr 09:00-11:00)",
            "与营业时间不同时，可以上门检查的时间（写法相同，例如“Mo-Fr 09:00-11:00”）",
        ),
    ),
    "history": (
        _req("business", "business id", "检查对象编号"),
        _req("item", "item id", "检查事项编号"),
        _req("date", "date last inspected, YYYY-MM-DD", "上次检查日期，格式如 2026-11-23"),
        _req("result", "pass, findings or fail", "“pass”、“findings”或“fail”"),
        _opt(
            "officers",
            "inspector ids who inspected, separated by ';' (feeds officer rotation)",
            "执行检查的执法人员编号，用“;”分隔（用于人员轮换）",
        ),
    ),
    "tasks": (
        _req("id", "task id, unique", "任务编号，不可重复"),
        _req("business", "business id", "检查对象编号"),
        _req("item", "item id", "检查事项编号"),
        _req("kind", "complaint, follow_up or campaign", "“complaint”、“follow_up”或“campaign”"),
        _opt(
            "earliest",
            "earliest date, YYYY-MM-DD (default: no limit)",
            "最早检查日期，格式如 2026-11-23（默认不限）",
        ),
        _req("deadline", "deadline, YYYY-MM-DD", "截止日期，格式如 2026-11-23"),
        _opt("priority", "1 (low) to 5 (urgent), default 3", "1（低）到 5（紧急），默认 3"),
        _opt("note", "free text", "备注"),
    ),
    "inspectors": (
        _req("id", "inspector id, unique", "执法人员编号，不可重复"),
        _req("name", "name", "姓名"),
        _req("department", "home department id", "所属部门编号"),
        _req(
            "certifications", "certifications held, separated by ';'", "持有的执法资格，用“;”分隔"
        ),
        _req("working_days", "e.g. Mon-Fri or Mon,Tue,Thu", "例如“Mon-Fri”或“Mon,Tue,Thu”"),
        _opt(
            "hours",
            "daily hours, e.g. 08:30-17:30 (default: the township's shift)",
            "每日工作时间，例如 08:30-17:30（默认为乡镇的班次）",
        ),
        _req("base", "id of the office the officer starts from", "出发的办公地点编号"),
        _opt("certificate_no", "law-enforcement certificate number (执法证号)", "执法证号"),
        _opt(
            "lunch_window",
            "when this officer takes lunch, e.g. 12:00-13:00 (default: the township's lunch_window)",
            "该执法人员的午休时段，例如 12:00-13:00（默认为乡镇的午休时段）",
        ),
    ),
    "teams": (
        _req("id", "team id, unique", "检查组编号，不可重复"),
        _req(
            "officers",
            "inspector ids, separated by ';' (at least two)",
            "执法人员编号，用“;”分隔（至少两人）",
        ),
        _opt(
            "days",
            "days the team is fixed, e.g. Mon-Wed (default: every day)",
            "固定组队的日期，例如“Mon-Wed”（默认每天）",
        ),
        _opt(
            "kind",
            "team (exactly these officers; default) or pairing (kept together, may grow)",
            "“team”（正好这些人员；默认）或“pairing”（始终同组，可加人）",
        ),
    ),
    "recusals": (
        _req("inspector", "inspector id", "执法人员编号"),
        _req(
            "business",
            "business id (empty when the row names other_inspector)",
            "检查对象编号（填写“other_inspector”时留空）",
        ),
        _opt("reason", "why the officer must not inspect there", "需要回避的原因"),
        _opt(
            "other_inspector",
            "inspector id the officer must never work with (business empty)",
            "不得与其一起工作的执法人员编号（“business”留空）",
        ),
    ),
    "draws": (
        _req("department", "department id that draws (双随机)", "抽查的部门编号（双随机）"),
        _req(
            "category",
            "business category drawn from, or * for every category",
            "被抽取的行业类别，或填“*”表示全部类别",
        ),
        _req(
            "ratio",
            "share of the category's businesses drawn per period, e.g. 0.05 (0–1]",
            "每期抽取该类别检查对象的比例，例如 0.05（大于 0，至多 1）",
        ),
        _req(
            "period_days",
            "days per draw period, e.g. 91 for a quarter",
            "每期天数，例如一个季度填 91",
        ),
        _opt(
            "mode",
            "replace (instead of routine frequency) or add (on top; default)",
            "“replace”（取代日常检查频次）或“add”（在其之上增加；默认）",
        ),
        _opt(
            "seed",
            "whole-number seed of this draw (default: the plan's draw seed)",
            "本次抽取的整数随机种子（默认使用计划的抽取种子）",
        ),
    ),
}

#: The keys of ``settings.toml`` (or a workbook's settings sheet); others are warned about.
SETTINGS_KEYS = (
    "township", "township_zh", "timezone", "week_start", "shift", "lunch_window",
    "lunch_minutes", "setup_minutes", "holidays", "offices",
)  # fmt: skip
REQUIRED_TABLES = ("departments", "items", "businesses", "inspectors")
OPTIONAL_TABLES = ("history", "tasks", "teams", "recusals", "draws")
SETTINGS_FILE = "settings.toml"


def _days(days: tuple[int, ...]) -> str:
    return ",".join(WEEKDAY_NAMES[d] for d in days)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def scenario_to_frames(scenario: Scenario) -> dict[str, pd.DataFrame]:
    """Every table of ``scenario`` as a DataFrame of strings, with the columns of ``SCHEMA``."""
    rows: dict[str, list[dict[str, object]]] = {
        "departments": [
            {"id": d.id, "name": d.name, "name_zh": d.name_zh} for d in scenario.departments
        ],
        "items": [
            {
                "id": i.id,
                "department": i.department_id,
                "title": i.title,
                "title_zh": i.title_zh,
                "minutes": i.minutes,
                "certification": i.certification,
                **{f"interval_{r.value}": i.interval_for(r) for r in Risk},
                "follow_up_days": i.follow_up_days,
                "unannounced": _yes(i.unannounced),
                "desk_review": _yes(i.desk_review),
                "categories": LIST_SEPARATOR.join(i.categories),
                "legal_basis": i.legal_basis,
            }
            for i in scenario.items
        ],
        "businesses": [
            {
                "id": b.id,
                "name": b.name,
                "category": b.category,
                "lon": repr(b.lon),
                "lat": repr(b.lat),
                "address": b.address,
                "risk": b.risk.value,
                "opening_hours": b.opening_hours.text,
                "phone": b.phone,
                "inspection_hours": b.inspection_hours.text if b.inspection_hours else "",
            }
            for b in scenario.businesses
        ],
        "history": [
            {
                "business": h.business_id,
                "item": h.item_id,
                "date": h.date.isoformat(),
                "result": h.result.value,
                "officers": LIST_SEPARATOR.join(h.officer_ids),
            }
            for h in scenario.history
        ],
        "tasks": [
            {
                "id": t.id,
                "business": t.business_id,
                "item": t.item_id,
                "kind": t.kind.value,
                "earliest": t.earliest.isoformat() if t.earliest else "",
                "deadline": t.deadline.isoformat(),
                "priority": t.priority,
                "note": t.note,
            }
            for t in scenario.tasks
        ],
        "inspectors": [
            {
                "id": p.id,
                "name": p.name,
                "department": p.department_id,
                "certifications": LIST_SEPARATOR.join(p.certifications),
                "working_days": _days(p.working_days),
                "hours": f"{format_time(p.hours_start)}-{format_time(p.hours_end)}",
                "base": p.base,
                "certificate_no": p.certificate_no,
                "lunch_window": (
                    f"{format_time(p.lunch_start)}-{format_time(p.lunch_end)}"
                    if p.lunch_start >= 0
                    else ""
                ),
            }
            for p in scenario.inspectors
        ],
        "teams": [
            {
                "id": t.id,
                "officers": LIST_SEPARATOR.join(t.officer_ids),
                "days": _days(t.days),
                "kind": "pairing" if t.pairing else "team",
            }
            for t in scenario.teams
        ],
        "recusals": [
            {
                "inspector": r.inspector_id,
                "business": r.business_id,
                "reason": r.reason,
                "other_inspector": r.other_inspector_id,
            }
            for r in scenario.recusals
        ],
        "draws": [
            {
                "department": d.department_id,
                "category": d.category,
                "ratio": repr(d.ratio),
                "period_days": d.period_days,
                "mode": d.mode.value,
                "seed": "" if d.seed is None else d.seed,
            }
            for d in scenario.draws
        ],
    }
    return {
        name: pd.DataFrame(table, columns=[c.name for c in SCHEMA[name]]).astype(str)
        for name, table in rows.items()
    }


def settings_to_toml(settings: Settings) -> str:
    """``settings.toml`` text for ``settings``."""

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        f"township = {q(settings.township)}",
        f"township_zh = {q(settings.township_zh)}",
        f"timezone = {q(settings.timezone)}",
        f"week_start = {settings.week_start.isoformat()}",
        f'shift = "{format_time(settings.shift_start)}-{format_time(settings.shift_end)}"',
        f'lunch_window = "{format_time(settings.lunch_start)}-{format_time(settings.lunch_end)}"',
        f"lunch_minutes = {settings.lunch_minutes}",
        f"setup_minutes = {settings.setup_minutes}",
    ]
    if settings.holidays:
        lines.append(f"holidays = [{', '.join(d.isoformat() for d in settings.holidays)}]")
    for office in settings.offices:
        lines += [
            "",
            "[[offices]]",
            f"id = {q(office.id)}",
            f"name = {q(office.name)}",
            f"lon = {office.lon!r}",
            f"lat = {office.lat!r}",
        ]
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # what we write must read back
    return text


def _cell(value: object) -> str:
    """A setting as a workbook cell that reads back as TOML (a list of dates as ``[d1, d2]``)."""
    if isinstance(value, list):
        return "[" + ", ".join(_cell(v) for v in value) + "]"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def settings_to_frames(settings: Settings) -> dict[str, pd.DataFrame]:
    """The ``settings`` and ``offices`` sheets of a workbook: key/value rows and one row per office."""
    data = tomllib.loads(settings_to_toml(settings))
    offices = data.pop("offices")
    kv = pd.DataFrame({"key": list(data), "value": [_cell(v) for v in data.values()]})
    return {"settings": kv, "offices": pd.DataFrame(offices).astype(str)}


def write_scenario(scenario: Scenario, path: Path | str) -> Path:
    """Write ``scenario`` as a CSV folder, or as one workbook when ``path`` ends in ``.xlsx``.

    Empty optional tables are left out. Returns the path written.
    """
    path = Path(path)
    frames = {
        name: frame
        for name, frame in scenario_to_frames(scenario).items()
        if name in REQUIRED_TABLES or len(frame)
    }
    from planner.export import neutralise_frame, set_text_cell  # formula-safe spreadsheet cells

    if path.suffix.lower() == ".xlsx":
        path.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for name, frame in {**settings_to_frames(scenario.settings), **frames}.items():
                frame.to_excel(writer, sheet_name=name, index=False)
                for row in writer.sheets[name].iter_rows(min_row=2):
                    for cell in row:  # every value is text: "=…" must not become a formula
                        set_text_cell(cell, cell.value)
        return path
    path.mkdir(parents=True, exist_ok=True)
    (path / SETTINGS_FILE).write_text(settings_to_toml(scenario.settings), encoding="utf-8")
    for name, frame in frames.items():
        neutralise_frame(frame).to_csv(path / f"{name}.csv", index=False, encoding="utf-8")
    return path
