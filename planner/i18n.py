"""The app's words in English and 简体中文: one dict per language and ``t(key, lang)``.

Names that come from a scenario (departments, items) are not here: they come from the scenario's
two-language columns (``name_zh``, ``title_zh``) through ``department_name`` and ``item_title``.
Reasons an obligation was not scheduled are written by the planner in English and shown as they
are (they carry ids and times a translation would have to parse).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from planner.notices import department_name, item_title

LANGS = ("en", "zh")
LANGUAGE_NAMES = {"en": "English", "zh": "简体中文"}

# key: (English, 简体中文). ``{name}`` fields are filled by ``t(key, lang, name=...)``.
_PAIRS: dict[str, tuple[str, str]] = {
    # ---- app frame and navigation
    "app_title": ("Inspect Once", "综合查一次"),
    "language": ("Language", "语言"),
    "page_login": ("Sign in", "登录"),
    "page_data": ("Data", "数据"),
    "page_plan": ("Plan", "计划"),
    "page_map": ("Map", "地图"),
    "page_schedule": ("Schedule", "日程"),
    "page_changes": ("Change the week", "调整本周"),
    "page_business": ("Business", "企业查询"),
    "page_department": ("Department", "部门"),
    "page_settings": ("Settings", "设置"),
    "signed_in_as": ("Signed in as **{name}** ({role})", "当前用户 **{name}**（{role}）"),
    "role_planner": ("planner", "综合执法办"),
    "role_department": ("head of {department}", "{department}负责人"),
    "sign_out": ("Sign out", "退出登录"),
    "planner_only": (
        "Only a planner can open this page: sign in as a planner.",
        "仅综合执法办人员可打开此页面，请以规划人员身份登录。",
    ),
    # ---- sign in
    "login_title": ("Sign in · Inspect Once", "登录 · 综合查一次"),
    "login_intro": (
        "Township planners and department heads sign in with their user name and password. "
        "A business opens its visit on the **Business** page with its id and access code.",
        "综合执法办人员和部门负责人请用用户名和密码登录。企业请在“企业查询”页面用编号和访问码查看检查安排。",
    ),
    "username": ("User name", "用户名"),
    "password": ("Password", "密码"),
    "sign_in": ("Sign in", "登录"),
    "login_failed": ("User name or password is wrong.", "用户名或密码错误。"),
    "locked_out": (
        "Too many failed attempts. Try again after {time} UTC.",
        "失败次数过多，请于 {time}（UTC）之后再试。",
    ),
    "login_hint": (
        "Demo accounts and their passwords are printed in the terminal where the app started.",
        "示范账号和密码已打印在启动应用的终端中。",
    ),
    "open_business_page": ("I am a business: open my visit", "我是企业：查看检查安排"),
    # ---- data page
    "data_title": ("Scenario data", "检查对象与任务数据"),
    "scenario_source": ("Scenario", "数据来源"),
    "source_demo": ("Demo district", "示范街道"),
    "source_upload": ("Upload (.zip of CSV files or .xlsx)", "上传（CSV 文件的 .zip 或 .xlsx）"),
    "scenario_file": ("Scenario file", "数据文件"),
    "upload_hint": (
        "Upload a .zip of the CSV folder or one .xlsx workbook (see docs/data-format.md).",
        "请上传 CSV 文件夹的 .zip 压缩包或一个 .xlsx 工作簿（见 docs/data-format.md）。",
    ),
    "n_errors": (
        "{n} error(s): the scenario cannot be used until they are fixed.",
        "{n} 个错误：修正之前无法使用该数据。",
    ),
    "n_warnings": ("{n} warning(s).", "{n} 个警告。"),
    "metric_businesses": ("Businesses · 检查对象", "检查对象 · Businesses"),
    "metric_departments": ("Departments · 部门", "部门 · Departments"),
    "metric_items": ("Inspection items · 检查事项", "检查事项 · Inspection items"),
    "metric_officers": ("Officers · 执法人员", "执法人员 · Officers"),
    "metric_tasks": ("Open tasks · 专项任务", "专项任务 · Open tasks"),
    "colour_by": ("Colour by", "着色依据"),
    "colour_category": ("category", "行业类别"),
    "colour_risk": ("risk", "风险等级"),
    "tab_businesses": ("Businesses", "检查对象"),
    "tab_checklists": ("Checklists", "场景清单"),
    "tab_items": ("Items", "检查事项"),
    "tab_departments": ("Departments", "部门"),
    "tab_inspectors": ("Inspectors", "执法人员"),
    "tab_history": ("History", "检查记录"),
    "tab_tasks": ("Tasks", "专项任务"),
    "working_version": (
        "Plans are made from scenario version {id} ({township}), stored {when}.",
        "计划基于数据版本 {id}（{township}），保存于 {when}。",
    ),
    "same_as_working": (
        "This is the scenario plans are made from.",
        "这就是制定计划所用的数据。",
    ),
    "differs_from_working": (
        "This scenario differs from the one plans are made from.",
        "该数据与制定计划所用的数据不同。",
    ),
    "use_scenario": ("Use this scenario for planning", "用此数据制定计划"),
    "scenario_imported": ("Stored as scenario version {id}.", "已保存为数据版本 {id}。"),
    "no_working_scenario": (
        "No scenario is stored yet: open the Data page and choose one.",
        "尚未保存数据：请打开“数据”页面选择数据。",
    ),
    # ---- plan page
    "plan_title": ("Plan the week", "制定周计划"),
    "week": ("Week starting (Monday)", "周起始日（星期一）"),
    "not_monday": (
        "{day} is not a Monday: the week of Monday {monday} is planned.",
        "{day} 不是星期一：将计划 {monday}（星期一）开始的一周。",
    ),
    "time_limit": ("Solver time limit (s)", "求解时限（秒）"),
    "pull_forward": ("Pull-forward horizon (days)", "提前检查期限（天）"),
    "team_size": ("Largest team (officers)", "检查组最多人数"),
    "weights": ("Weights", "权重"),
    "w_workload": ("Balance workload between team-days", "均衡各组每日工作量"),
    "w_duration": ("Cost of route duration", "路线时长成本"),
    "w_drop": ("Penalty for leaving a visit out (s)", "遗漏一次检查的惩罚（秒）"),
    "w_idle": ("Reward for each officer in a team", "每名执法人员编组的奖励"),
    "w_rotation": ("Penalty for the same officer as last time", "与上次相同执法人员的惩罚"),
    "w_stability": ("Reward for keeping pairs together", "保持搭档稳定的奖励"),
    "baseline": (
        "Compare with the siloed baseline (each department alone)",
        "与各部门单独检查（基线）比较",
    ),
    "solve": ("Solve", "求解"),
    "solving_joint": ("Joint plan", "联合检查计划"),
    "solving_siloed": ("Siloed baseline", "各部门单独检查基线"),
    "progress_text": (
        "{phase} · {stage}: best plan so far makes {served} of {offered} visits ({share}) · {elapsed} s",
        "{phase} · {stage}：当前最优计划安排 {served}/{offered} 次检查（{share}）· {elapsed} 秒",
    ),
    "progress_start": (
        "{phase}: merging obligations and forming teams …",
        "{phase}：合并检查任务、组建检查组 …",
    ),
    "solved": (
        "Plan {id} saved as a draft ({visits} visits in {routes} routes).",
        "计划 {id} 已保存为草稿（{routes} 条路线，{visits} 次检查）。",
    ),
    "no_plan": (
        "No plan yet: choose the week and the knobs on the Plan page and press **Solve**.",
        "尚无计划：请在“计划”页面选择周次和参数，然后点击**求解**。",
    ),
    "plan_label": (
        "Plan {id} · week {week} · {status} · revision {revision}",
        "计划 {id} · {week} 周 · {status} · 第 {revision} 版",
    ),
    "status_draft": ("draft", "草稿"),
    "status_published": ("published", "已发布"),
    "status_closed": ("closed", "已关闭"),
    "choose_plan": ("Plan", "计划"),
    "card_visits": ("Visits (joint)", "检查次数（联合）"),
    "card_visits_help": (
        "Departments alone would need {same} visits for the same work (siloed plan: {siloed}).",
        "各部门单独完成同样工作需要 {same} 次检查（单独检查计划：{siloed} 次）。",
    ),
    "card_disruption": ("Disruption avoided (min)", "减少打扰（分钟）"),
    "card_disruption_help": (
        "Minutes with inspectors on the premises: {joint} joint, {same} for the same work alone.",
        "检查人员在场分钟数：联合 {joint}，单独完成同样工作 {same}。",
    ),
    "card_hours": ("Officer hours", "执法人员工时"),
    "card_hours_help": (
        "Travel and on-site hours of every officer; siloed plan: {siloed}.",
        "所有执法人员的路途和现场工时；单独检查计划：{siloed}。",
    ),
    "card_rate": ("Joint-inspection rate", "联合检查率"),
    "card_rate_help": (
        "Share of visits that check items of two departments or more.",
        "检查两个及以上部门事项的检查次数占比。",
    ),
    "card_coverage": ("Coverage of due obligations", "到期任务覆盖率"),
    "card_coverage_help": (
        "Due obligations scheduled: {joint} joint, {siloed} siloed.",
        "已安排的到期任务：联合 {joint}，单独 {siloed}。",
    ),
    "card_routes": ("Team-days", "检查组·天"),
    "card_unscheduled": ("Not scheduled", "未安排"),
    "no_baseline": (
        "This plan has no siloed baseline (or was re-planned since): the cards show the plan alone.",
        "该计划没有单独检查基线（或已重新计划）：仅显示本计划的数字。",
    ),
    "unscheduled_title": ("Not scheduled, with reasons", "未安排的任务及原因"),
    "nothing_unscheduled": (
        "Every obligation of the week is in a visit.",
        "本周所有检查任务均已安排。",
    ),
    "publish": ("Publish", "发布"),
    "published_ok": (
        "Plan {id} published: {n} businesses notified.",
        "计划 {id} 已发布：已通知 {n} 家企业。",
    ),
    "already_published": ("Published {when} by {who}.", "已于 {when} 由 {who} 发布。"),
    "downloads": ("Downloads", "下载"),
    "dl_roster": ("Roster (.xlsx)", "排班表（.xlsx）"),
    "dl_stops": ("Stops (.csv)", "检查点（.csv）"),
    "dl_items": ("Items per stop (.csv)", "检查事项明细（.csv）"),
    "dl_unscheduled": ("Not scheduled (.csv)", "未安排（.csv）"),
    "dl_geojson": ("Routes (.geojson)", "路线（.geojson）"),
    "dl_all": (
        "Everything (.zip: notices, route sheets, calendars)",
        "全部（.zip：告知书、路线单、日历）",
    ),
    "access_codes": (
        "Access codes of the businesses with an announced visit",
        "有告知检查的企业访问码",
    ),
    "burden_charts": ("Burden: joint vs departments alone", "减负：联合检查与各部门单独检查"),
    "workload": ("Workload per officer", "执法人员工作量"),
    # ---- map page
    "map_title": ("Routes on the map", "路线地图"),
    "days": ("Days", "日期"),
    "teams": ("Teams", "检查组"),
    "map_caption": (
        "Numbers give each team-day's order of visits; lines are straight between stops. "
        "Grey dots are the other businesses; ⚑ marks an unannounced item. No map tiles are needed.",
        "数字为各组当天的检查顺序；线条为检查点之间的直线。灰点为其他检查对象；⚑ 表示不预先告知的事项。无需在线底图。",
    ),
    "stops_table": ("Stops in order", "按顺序的检查点"),
    # ---- schedule page
    "schedule_title": ("Schedule: each team's day", "日程：各检查组每日安排"),
    "day": ("Day", "日期"),
    "all_days": ("All days", "全部日期"),
    "kind_travel": ("travel", "路途"),
    "kind_wait": ("waiting", "等候"),
    "kind_visit": ("visit", "检查"),
    "kind_lunch": ("lunch", "午餐"),
    "time_of_day": ("Time of day", "时间"),
    "team_day": ("Team", "检查组"),
    # ---- change the week
    "changes_title": ("Change the week", "调整本周计划"),
    "need_published": (
        "Publish a plan first: only a published week is re-planned and gets outcomes.",
        "请先发布计划：只有已发布的周计划才能重新计划和登记结果。",
    ),
    "officer_absent": ("Officer absent", "执法人员缺勤"),
    "business_closed": ("Business closed", "企业停业"),
    "urgent_complaint": ("Urgent complaint", "紧急投诉"),
    "officer": ("Officer", "执法人员"),
    "business": ("Business", "企业"),
    "item": ("Item", "检查事项"),
    "first_day": ("From", "起始日"),
    "last_day": ("Until", "截止日"),
    "note": ("Note", "备注"),
    "add_change": ("Add", "添加"),
    "changes_list": ("Changes to apply", "待应用的调整"),
    "no_changes": ("No change added yet.", "尚未添加调整。"),
    "clear_changes": ("Clear", "清空"),
    "replan_from": ("Re-plan from", "重新计划起始日"),
    "replan": ("Re-plan the rest of the week", "重新计划本周剩余日期"),
    "replanned": ("Re-planned: {summary}", "已重新计划：{summary}"),
    "diff_title": ("What changed", "变化"),
    "diff_change": ("change", "变化"),
    "diff_before": ("before", "调整前"),
    "diff_after": ("after", "调整后"),
    "diff_reason": ("why", "原因"),
    "diff_notified": ("business notified", "已通知企业"),
    "revisions": ("Revisions of this plan", "本计划的历次版本"),
    "outcomes_title": ("Record outcomes of done visits", "登记检查结果"),
    "visit": ("Visit", "检查"),
    "items": ("Items", "检查事项"),
    "status": ("Status", "状态"),
    "result": ("Result", "结果"),
    "date": ("Date", "日期"),
    "record": ("Record", "登记"),
    "recorded": ("{n} outcome(s) recorded.", "已登记 {n} 条结果。"),
    "outcomes_so_far": ("Outcomes recorded so far", "已登记的结果"),
    # ---- business page
    "business_title": ("Your joint inspection", "贵单位的联合检查"),
    "business_intro": (
        "Enter your business id and the access code printed on your notice.",
        "请输入企业编号和告知书上的访问码。",
    ),
    "business_id": ("Business id", "企业编号"),
    "access_code": ("Access code", "访问码"),
    "show_visit": ("Show my visit", "查看检查安排"),
    "wrong_code": (
        "No published visit matches this business id and access code.",
        "没有与该企业编号和访问码相符的已发布检查。",
    ),
    "business_closed_secret": (
        "Business pages are switched off on this installation: its access-code secret is not "
        "safe. Please contact the township office.",
        "本系统的访问码密钥不安全，企业查询已关闭。请联系乡镇（街道）综合执法办。",
    ),
    "demo_mode_warning": (
        "Demo mode: demo accounts and sample data. Do not use it for real businesses.",
        "演示模式：演示账号和示例数据，请勿用于真实企业。",
    ),
    "no_announced_visit": (
        "No visit is announced for your business this week.",
        "本周没有向贵单位告知的检查。",
    ),
    "visit_on": ("Visit on {date}", "{date}的检查"),
    "time_window": ("Time window", "时间段"),
    "team_members": ("Team (name, certificate no.)", "检查人员（姓名、执法证号）"),
    "certificate_no": ("certificate no.", "执法证号"),
    "no_routes": ("This plan has no routes.", "该计划没有路线。"),
    "what_checked": ("What will be checked", "检查事项"),
    "legal_basis": ("Legal basis", "法律依据"),
    "prepare": ("Please prepare", "请准备"),
    "dl_notice_pdf": ("Notice (.pdf)", "告知书（.pdf）"),
    "dl_notice_html": ("Notice (.html)", "告知书（.html）"),
    "business_other": ("Open another business", "查看其他企业"),
    # ---- department page
    "department_title": ("Department coverage", "部门任务覆盖"),
    "department": ("Department", "部门"),
    "due": ("Due this week", "本周到期"),
    "scheduled": ("Scheduled", "已安排"),
    "not_scheduled": ("Not scheduled", "未安排"),
    "pulled_forward": ("Pulled forward", "提前检查"),
    "overdue": ("Overdue", "已逾期"),
    "backlog": ("Overdue left out", "逾期未安排"),
    "share": ("share", "比例"),
    "siloed_share": ("Share if alone (siloed)", "单独检查覆盖率"),
    "share_scheduled": ("Share scheduled", "覆盖率"),
    "pulled_forward_note": (
        "Also {n} obligation(s) not yet due ride along in visits that happen anyway (pulled "
        "forward; not counted in the share).",
        "另有 {n} 项未到期任务随已安排的检查提前完成（提前检查，不计入覆盖率）。",
    ),
    "progress_done": (
        "{phase}: done — the plan makes {served} of {offered} visits ({share})",
        "{phase}：完成 — 计划安排 {served}/{offered} 次检查（{share}）",
    ),
    "by_risk": ("By risk class", "按风险等级"),
    "why_not": ("Why not scheduled", "未安排原因"),
    "reason": ("reason", "原因"),
    "count": ("obligations", "任务数"),
    "risk": ("risk", "风险"),
    "dept_unscheduled": ("Obligations not scheduled", "未安排的任务"),
    "funnel": ("Due → scheduled → not scheduled", "到期 → 已安排 → 未安排"),
    # ---- settings
    "settings_title": ("Settings", "设置"),
    "township_settings": ("Township: shifts, lunch, office", "乡镇：班次、午餐、办公地点"),
    "shift_start": ("Shift starts", "上班时间"),
    "shift_end": ("Shift ends", "下班时间"),
    "lunch_start": ("Lunch window opens", "午餐时段开始"),
    "lunch_end": ("Lunch window closes", "午餐时段结束"),
    "lunch_minutes": ("Lunch (minutes)", "午餐时长（分钟）"),
    "setup_minutes": ("Setup per visit (minutes)", "每次检查准备时间（分钟）"),
    "office": ("Office", "办公地点"),
    "office_name": ("Office name", "办公地点名称"),
    "longitude": ("Longitude", "经度"),
    "latitude": ("Latitude", "纬度"),
    "save_township": ("Save as a new scenario version", "保存为新数据版本"),
    "township_saved": (
        "Saved: plans are now made from scenario version {id}.",
        "已保存：计划将基于数据版本 {id}。",
    ),
    "planning_knobs": ("Planning: pull-forward and weights", "规划：提前检查与权重"),
    "pull_forward_share": ("Pull-forward share of the interval", "提前检查占周期比例"),
    "save_knobs": ("Save planning settings", "保存规划设置"),
    "knobs_saved": ("Planning settings saved.", "规划设置已保存。"),
    "settings_invalid": ("These settings are not valid:", "设置无效："),
    # ---- tables
    "col_team": ("team", "检查组"),
    "col_day": ("day", "日期"),
    "col_order": ("no.", "序号"),
    "col_business": ("business", "企业"),
    "col_time": ("time", "时间"),
    "col_items": ("items", "检查事项"),
    "col_item": ("item", "检查事项"),
    "col_department": ("department", "部门"),
    "col_due": ("due", "到期日"),
    "col_reason": ("why", "原因"),
    "col_code": ("access code", "访问码"),
    "col_address": ("address", "地址"),
    "col_status": ("status", "状态"),
    "col_result": ("result", "结果"),
    "col_date": ("date", "日期"),
    "col_officers": ("officers", "执法人员"),
}

EN: dict[str, str] = {key: pair[0] for key, pair in _PAIRS.items()}
ZH: dict[str, str] = {key: pair[1] for key, pair in _PAIRS.items()}
STRINGS: dict[str, dict[str, str]] = {"en": EN, "zh": ZH}

WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}
CHANGE_KINDS = {
    "en": {"moved": "moved", "added": "added", "dropped": "dropped", "changed": "changed"},
    "zh": {"moved": "改期", "added": "新增", "dropped": "取消", "changed": "事项变化"},
}
OUTCOME_STATUS = {
    "en": {"done": "done", "not_open": "not open", "refused": "refused", "postponed": "postponed"},
    "zh": {"done": "已完成", "not_open": "未营业", "refused": "拒绝检查", "postponed": "推迟"},
}
RESULTS = {
    "en": {"pass": "pass", "findings": "findings", "fail": "fail"},
    "zh": {"pass": "合格", "findings": "有问题", "fail": "不合格"},
}
RISKS = {
    "en": {"low": "low", "medium": "medium", "high": "high"},
    "zh": {"low": "低", "medium": "中", "high": "高"},
}


def t(key: str, lang: str = "en", **values: Any) -> str:
    """The text of ``key`` in ``lang`` with ``{fields}`` filled from ``values``.

    A key missing in ``lang`` falls back to English; an unknown key is returned as it is (so a
    typo shows on screen instead of failing the page).
    """
    text = STRINGS.get(lang, EN).get(key) or EN.get(key, key)
    return text.format(**values) if values else text


def weekday(day: dt.date, lang: str = "en") -> str:
    """Short weekday name of ``day``."""
    return WEEKDAYS.get(lang, WEEKDAYS["en"])[day.weekday()]


def day_label(day: dt.date, lang: str = "en") -> str:
    """``Mon 23 Nov`` or ``11月23日 周一``."""
    if lang == "zh":
        return f"{day.month}月{day.day}日 {weekday(day, lang)}"
    return f"{weekday(day, lang)} {day.day} {day:%b}"


def label(table: dict[str, dict[str, str]], value: str, lang: str = "en") -> str:
    """``value`` through one of the small label tables (``RISKS``, ``RESULTS`` …); else as it is."""
    return table.get(lang, table["en"]).get(value, value)


__all__ = [
    "CHANGE_KINDS",
    "EN",
    "LANGS",
    "LANGUAGE_NAMES",
    "OUTCOME_STATUS",
    "RESULTS",
    "RISKS",
    "STRINGS",
    "ZH",
    "day_label",
    "department_name",
    "item_title",
    "label",
    "t",
    "weekday",
]
