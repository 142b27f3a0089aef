"""The app's words in English and 简体中文: one dict per language and ``t(key, lang)``.

Names that come from a scenario (departments, items) are not here: they come from the scenario's
two-language columns (``name_zh``, ``title_zh``) through ``department_name`` and ``item_title``.

Reasons (why an obligation was not scheduled, why a re-plan moved a visit) are structured: each has
a code and parameters (``REASONS``: the code, the English sentence the planner writes, the Chinese
one). ``reason_parts`` reads a stored reason into (code, parameters); ``reason_text`` renders it in
either language, with item titles, department names and weekdays in that language.

Problems in the input (``planner.errors.Problem``) carry a code and parameters too:
``PROBLEM_TEMPLATES`` holds each code's English template (the one source of its English text) and
its Chinese one; ``problem_text`` renders either.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from planner.catalogue import CATEGORY_NAMES
from planner.notices import department_name, item_title

if TYPE_CHECKING:
    from planner.domain import Scenario

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
    "metric_businesses": ("Businesses", "检查对象"),
    "metric_departments": ("Departments", "部门"),
    "metric_items": ("Inspection items", "检查事项"),
    "metric_officers": ("Officers", "执法人员"),
    "metric_tasks": ("Open tasks", "专项任务"),
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
    "w_workload": ("Workload balance (per s)", "均衡工作量（每秒）"),
    "w_duration": ("Route duration (per s)", "路线时长（每秒）"),
    "w_drop": ("Leaving a visit out (s)", "遗漏一次检查（秒）"),
    "w_idle": ("Officer in a team (points)", "执法人员编组（分）"),
    "w_rotation": ("Same officer as last time (points)", "与上次相同人员（分）"),
    "w_stability": ("Pair kept together (points)", "保持搭档（分）"),
    "weights_help": (
        "Routing weights are costs in seconds of travel: the solver trades them against each "
        "other. Team-formation weights are points in the team model, compared with each other.",
        "路线权重以路途秒数计，求解器在它们之间权衡；编组权重为编组模型中的分值，相互比较。",
    ),
    "w_workload_help": (
        "Cost per second of the busiest team-day's work (travel + on site). Higher spreads visits "
        "more evenly over the team-days; 0 ignores balance.",
        "最忙的检查组·天每秒工作（路途 + 现场）的成本。越高，检查越均匀地分配到各组各天；0 表示不考虑均衡。",
    ),
    "w_duration_help": (
        "Cost per second of every route from leaving the office to coming back (waiting "
        "included). Higher makes shorter days.",
        "每条路线从离开办公地点到返回（含等候）每秒的成本。越高，每天的路线越短。",
    ),
    "w_drop_help": (
        "What leaving out a visit of weight 1 costs, in seconds of travel (36,000 s = 10 h). A "
        "visit's weight grows with priority, risk, days overdue and hard deadlines. Higher: the "
        "solver drives further before it leaves a visit out.",
        "遗漏一次权重为 1 的检查的代价，以路途秒数计（36,000 秒 = 10 小时）。权重随优先级、风险、逾期天数和硬性截止日期增加。越高，求解器越宁愿多走路也不遗漏检查。",
    ),
    "w_idle_help": (
        "Points for each available officer placed in a team (an idle officer wastes a day).",
        "每名可用执法人员被编入检查组得到的分值（闲置人员浪费一天）。",
    ),
    "w_rotation_help": (
        "Points taken off per officer who would inspect a business they inspected last time "
        "(rotation rule).",
        "执法人员检查上次由其检查过的企业时扣除的分值（轮换规则）。",
    ),
    "w_stability_help": (
        "Points per pair of officers kept together from the previous day (fewer changes).",
        "与前一天保持同组的每对执法人员得到的分值（减少变动）。",
    ),
    "time_limit_help": (
        "Seconds the routing solver searches for a better plan (team formation gets up to three "
        "times this).",
        "路线求解器寻找更优计划的秒数（编组最多用三倍时间）。",
    ),
    "pull_forward_help": (
        "An obligation due after this week may join a visit that happens anyway if it is due at "
        "most this many days after Monday (0 turns pull-forward off).",
        "本周之后到期的任务，若在周一后这么多天内到期，可随本就要进行的检查提前完成（0 表示不提前）。",
    ),
    "pull_forward_share_help": (
        "…and at most this share of the item's interval (0.25: a 90-day item moves up to 22 days).",
        "……且不超过该事项检查周期的这一比例（0.25：90 天周期的事项最多提前 22 天）。",
    ),
    "team_size_help": (
        "A team has at least two officers (the law) and at most this many.",
        "每组至少两名执法人员（法定），至多此人数。",
    ),
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
    "card_hours_plain_help": (
        "Travel and on-site hours of every officer this week (each officer of a team counted).",
        "本周所有执法人员的路途和现场工时（检查组每名成员分别计算）。",
    ),
    "card_hours_help": (
        "Travel and on-site hours of every officer (each officer of a team counted). The change is "
        "against the same checks done by departments alone (estimate: two officers per visit): "
        "{same} h. The siloed plan itself took {siloed} h but checked only {siloed_checks} "
        "obligations against {joint_checks} here, so it is not compared directly.",
        "所有执法人员的路途和现场工时（检查组每名成员分别计算）。变化量与各部门单独完成同样检查"
        "（估算：每次检查两人）的 {same} 小时相比。单独检查计划本身用了 {siloed} 小时，但只检查了 "
        "{siloed_checks} 项任务（本计划 {joint_checks} 项），因此不直接比较。",
    ),
    "card_per_check": ("Officer hours per check", "每项检查工时"),
    "card_per_check_help": (
        "Officer hours divided by obligations checked — the same-work comparison: joint {joint} h "
        "per check, departments alone (siloed plan) {siloed} h per check.",
        "执法人员工时除以完成的检查任务数，即同等工作量下的比较：联合 每项 {joint} 小时，各部门单独"
        "（单独检查计划）每项 {siloed} 小时。",
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
    "dl_all_prepare": ("Prepare everything (.zip)", "准备全部文件（.zip）"),
    "dl_all_progress": (
        "Writing notices and route sheets: {done} of {total} PDFs …",
        "正在生成告知书和路线单：{done}/{total} 个 PDF …",
    ),
    "dl_all_failed": ("The export failed: {error}", "导出失败：{error}"),
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
    "replan_is_draft": (
        "This re-plan is a draft: businesses still see the published plan. Re-publishing "
        "notifies the {n} business(es) whose visit changed.",
        "此重新计划为草稿：企业看到的仍是已发布的计划。重新发布将通知 {n} 家检查安排有变化的企业。",
    ),
    "republish": ("Re-publish and notify {n}", "重新发布并通知 {n} 家"),
    "discard_replan": ("Discard the re-plan", "放弃此重新计划"),
    "diff_title": ("What changed", "变化"),
    "diff_change": ("change", "变化"),
    "diff_before": ("before", "调整前"),
    "diff_after": ("after", "调整后"),
    "diff_reason": ("why", "原因"),
    "diff_notified": ("business notified", "已通知企业"),
    "revisions": ("Revisions of this plan", "本计划的历次版本"),
    "revision_saved": ("saved", "保存"),
    "revision_replan": ("re-planned", "重新计划"),
    "revision_replanned": ("re-planned", "重新计划"),
    "revision_edited": ("edited", "编辑"),
    "revision_outcomes": ("outcomes recorded", "登记结果"),
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
    "office_pick": ("Click the map where the office is", "在地图上点击办公地点的位置"),
    "office_pick_help": (
        "The orange dot is the office; grey dots are businesses. A click moves the office there "
        "(the coordinates below follow; you may also type them). Save to store it.",
        "橙色圆点为办公地点，灰点为企业。点击地图即可将办公地点移到该处（下方坐标随之更新，也可手动输入）。保存后生效。",
    ),
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
    "col_business_id": ("business id", "企业编号"),
    "col_weekday": ("weekday", "星期"),
    "col_arrival": ("arrival", "到达"),
    "col_change": ("change", "变化"),
    "col_before": ("before", "调整前"),
    "col_after": ("after", "调整后"),
    "col_notified": ("business notified", "已通知企业"),
    "col_access_code": ("access code", "访问码"),
    "col_id": ("id", "编号"),
    "col_name": ("name", "名称"),
    "col_category": ("category", "行业类别"),
    "col_risk": ("risk", "风险等级"),
    "col_opening_hours": ("opening hours", "营业时间"),
    "col_lon": ("longitude", "经度"),
    "col_lat": ("latitude", "纬度"),
    "col_businesses": ("businesses", "企业数"),
    "col_severity": ("severity", "级别"),
    "col_file": ("file", "文件"),
    "col_row": ("row", "行"),
    "col_column": ("column", "列"),
    "col_problem": ("problem", "问题"),
    "col_note": ("note", "备注"),
    "col_count": ("obligations", "任务数"),
    "col_scheduled": ("scheduled", "已安排"),
    "col_share": ("share", "比例"),
    "col_kind": ("kind", "类型"),
    "col_title": ("title", "标题"),
    "col_title_zh": ("title (Chinese)", "中文标题"),
    "col_name_zh": ("name (Chinese)", "中文名称"),
    "col_minutes": ("minutes", "分钟"),
    "col_certification": ("certification", "执法资格"),
    "col_certifications": ("certifications", "执法资格"),
    "col_interval_low": ("interval, low risk (days)", "低风险检查周期（天）"),
    "col_interval_medium": ("interval, medium risk (days)", "中风险检查周期（天）"),
    "col_interval_high": ("interval, high risk (days)", "高风险检查周期（天）"),
    "col_follow_up_days": ("follow-up (days)", "复查期限（天）"),
    "col_unannounced": ("unannounced", "不预先告知"),
    "col_desk_review": ("desk review", "书面审查"),
    "col_categories": ("categories", "适用行业"),
    "col_legal_basis": ("legal basis", "法律依据"),
    "col_phone": ("phone", "电话"),
    "col_working_days": ("working days", "工作日"),
    "col_hours": ("hours", "工作时间"),
    "col_base": ("base office", "所属办公地点"),
    "col_certificate_no": ("certificate no.", "执法证号"),
    "col_earliest": ("earliest", "最早日期"),
    "col_deadline": ("deadline", "截止日期"),
    "col_priority": ("priority", "优先级"),
    "col_task": ("task", "任务"),
    "col_department_id": ("department id", "部门编号"),
    "col_item_id": ("item id", "事项编号"),
    "col_inspection_window": ("inspection window", "检查时段"),
    "col_inspection_hours": ("inspection hours", "检查时段"),
    "col_lunch_window": ("lunch window", "午餐时段"),
    "col_lunch": ("lunch", "午餐"),
    "col_holidays": ("holidays", "节假日"),
    "col_closed": ("closed", "停业"),
    "col_absent": ("absent", "缺勤"),
    "col_lunch_start": ("lunch starts", "午餐开始"),
    "col_lunch_minutes": ("lunch (minutes)", "午餐时长（分钟）"),
    "col_inspector": ("officer", "执法人员"),
    "col_other_inspector": ("other officer", "另一执法人员"),
    "col_ratio": ("share drawn", "抽取比例"),
    "col_period_days": ("period (days)", "周期（天）"),
    "col_mode": ("mode", "方式"),
    "col_seed": ("seed", "随机种子"),
    "col_days": ("days", "日期"),
    "team_n": ("Team {n}", "第{n}组"),
    "chart_visits": (
        "Visits this week: joint vs departments alone",
        "本周检查次数：联合与各部门单独",
    ),
    "chart_disruption": (
        "Business disruption: minutes with inspectors on the premises",
        "对企业的打扰：检查人员在场分钟数",
    ),
    "chart_coverage": (
        "Coverage: share of each department's due obligations scheduled",
        "覆盖率：各部门到期任务已安排的比例",
    ),
    "chart_vpb": ("Visits per business this week", "本周每家企业的检查次数"),
    "chart_workload_officers": (
        "Workload per officer: hours travelling and on site this week",
        "每名执法人员工作量：本周路途和现场工时",
    ),
    "chart_workload_teams": (
        "Workload per team: hours travelling and on site this week",
        "每个检查组工作量：本周路途和现场工时",
    ),
    "bar_joint": ("joint plan", "联合检查计划"),
    "bar_same_work": ("same work, departments alone", "同样工作由各部门单独完成"),
    "bar_siloed": ("siloed plan", "各部门单独检查计划"),
    "side_joint": ("joint", "联合"),
    "side_siloed": ("siloed", "单独"),
    "unit_visits": ("visits", "检查次数"),
    "unit_minutes": ("minutes", "分钟"),
    "unit_hours": ("hours", "小时"),
    "unit_points": ("pt", "个百分点"),
    "axis_visits_to_business": ("visits to the business", "对该企业的检查次数"),
    "axis_businesses": ("businesses", "企业数"),
    "axis_share_scheduled": ("share scheduled", "已安排比例"),
    "team_of": ("{team} ({officers})", "{team}（{officers}）"),
    "bool_true": ("yes", "是"),
    "bool_false": ("no", "否"),
    "replan_summary": (
        "{moved} moved, {added} added, {dropped} dropped, {changed} changed, {unchanged} unchanged",
        "改期 {moved}、新增 {added}、取消 {dropped}、事项变化 {changed}、未变 {unchanged}",
    ),
    "stage_week": ("whole week", "整周"),
    "stage_area": ("area {n}", "片区 {n}"),
    "severity_error": ("error", "错误"),
    "severity_warning": ("warning", "警告"),
    # ---- loading and checking a scenario (s5-messages; the problems are PROBLEM_TEMPLATES)
    "loading_scenario": ("Loading scenario …", "正在读取数据……"),
    # ---- county: every township as jobs on a cluster (app_pages/county.py)
    "page_county": ("County", "全县"),
    "county_title": ("County: every township planned as jobs", "全县：各乡镇作为任务并行规划"),
    "county_intro": (
        "Each township (one office of this scenario) plans its week alone: its officers, its "
        "businesses. Its joint plan and each department's siloed baseline run as jobs on a "
        "cluster; the county's week is stored as one plan (publish it on the **Plan** page).",
        "每个乡镇（本情景中的一个执法办公点）单独规划本周：用本乡镇的执法人员检查本乡镇的企业。"
        "各乡镇的联合计划和各部门单独检查基准作为任务在集群上运行；全县本周计划保存为一份计划"
        "（在“计划”页面发布）。",
    ),
    "county_one_township": (
        "This scenario has one township office: plan it on the **Plan** page.",
        "本情景只有一个乡镇执法办公点，请在“计划”页面规划。",
    ),
    "county_hint": (
        "This scenario has {n} township offices: the **County** page plans each township as "
        "jobs on a cluster, with a progress bar over the jobs.",
        "本情景有 {n} 个乡镇执法办公点：“全县”页面将各乡镇作为任务在集群上并行规划，并显示任务进度。",
    ),
    "county_where_local": (
        "Jobs run on a local cluster of worker processes on this machine (the number of "
        "workers is a setting).",
        "任务在本机的本地集群上运行（工作进程数可在设置中调整）。",
    ),
    "county_where_remote": (
        "Jobs run on the cluster at {address} (PLANNER_CLUSTER).",
        "任务在 {address} 的集群上运行（PLANNER_CLUSTER）。",
    ),
    "county_workers": ("Workers of the local cluster", "本地集群工作进程数"),
    "county_workers_help": (
        "Worker processes started for the county's jobs (one job at a time each). Ignored when "
        "PLANNER_CLUSTER names a running cluster.",
        "为全县任务启动的工作进程数（每个进程一次运行一个任务）。设置了 PLANNER_CLUSTER 时不使用。",
    ),
    "county_solve": ("Plan the county", "规划全县"),
    "county_starting": ("Starting the cluster …", "正在启动集群…"),
    "county_progress": (
        "{done} of {total} jobs done · {township}: {job} {state}",
        "已完成 {done}/{total} 项任务 · {township}：{job} {state}",
    ),
    "job_done": ("done", "完成"),
    "job_retry": ("failed, trying again", "失败，正在重试"),
    "job_failed": ("failed twice", "两次失败"),
    "county_done": (
        "County planned: {planned} of {total} townships on {workers} worker(s) in {seconds} s; "
        "stored as plan {id}.",
        "全县规划完成：{total} 个乡镇中 {planned} 个已规划，{workers} 个工作进程，用时 {seconds} 秒；"
        "已保存为计划 {id}。",
    ),
    "county_error": ("The county could not be planned: {error}", "无法规划全县：{error}"),
    "county_failed_title": (
        "Jobs that failed twice (the other townships are planned)",
        "两次失败的任务（其他乡镇已规划）",
    ),
    "county_summary_title": ("County summary", "全县汇总"),
    "county_choose": ("County plan", "全县计划"),
    "county_none": (
        "No county plan yet: plan the county above.",
        "尚无全县计划，请先在上方规划全县。",
    ),
    "county_townships_planned": ("Townships planned", "已规划乡镇"),
    "county_coverage_joint": ("Coverage, joint", "覆盖率（联合）"),
    "county_coverage_siloed": ("Coverage, siloed", "覆盖率（各部门单独）"),
    "county_wall": ("Time", "用时"),
    "county_seconds": ("{seconds} s", "{seconds} 秒"),
    "county_departments_title": (
        "Coverage by department, joint and siloed",
        "各部门覆盖率（联合与各部门单独）",
    ),
    "county_township_title": ("A township's plan", "乡镇计划"),
    "county_pick_township": ("Township", "乡镇"),
    "county_township_caption": (
        "{name}: {routes} routes, {visits} visits, {unscheduled} obligations not scheduled.",
        "{name}：{routes} 条路线，{visits} 次检查，{unscheduled} 项任务未安排。",
    ),
    "county_open_plan": ("Open the county plan on the Plan page", "在“计划”页面打开全县计划"),
    "county_dl_roster": ("Township roster (.xlsx)", "乡镇排班表（.xlsx）"),
    "county_dl_stops": ("Township stops (.csv)", "乡镇检查点（.csv）"),
    "township_planned": ("planned", "已规划"),
    "township_partial": ("planned, baseline incomplete", "已规划，基准不完整"),
    "township_failed": ("failed", "失败"),
    "col_obligations_due": ("obligations due", "到期任务数"),
    "col_office_id": ("office", "办公点"),
    "col_township_status": ("status", "状态"),
    "col_coverage_joint": ("coverage, joint", "覆盖率（联合）"),
    "col_coverage_siloed": ("coverage, siloed", "覆盖率（单独）"),
    "col_visits_joint": ("visits, joint", "检查次数（联合）"),
    "col_visits_siloed": ("visits, siloed", "检查次数（单独）"),
    "col_job_seconds": ("job seconds", "任务用时（秒）"),
    "col_retried": ("jobs retried", "重试任务数"),
    "col_job": ("job", "任务"),
    "col_error": ("error", "错误"),
    "col_attempts": ("tries", "尝试次数"),
    # ---- u4-app: deployment (the database), language
    "unit_h": ("h", "小时"),
    "login_no_account": (
        "No account exists yet. Whoever runs this installation adds one on the server: "
        "`python -m planner.auth add NAME --role planner` (see docs/security.md).",
        "尚未创建任何账号。请由本系统的管理员在服务器上添加："
        "`python -m planner.auth add 用户名 --role planner`（见 docs/security.md）。",
    ),
    "store_conflict": (
        "Someone else changed this plan, or published another plan of its week, meanwhile: "
        "reload the page and try again.",
        "在此期间，有人修改了此计划，或发布了同一周的另一份计划：请刷新页面后重试。",
    ),
    "store_state": (
        "The plan's status does not allow this (for example, outcomes of a draft): reload the "
        "page to see its status.",
        "计划当前的状态不允许此操作（例如为草稿计划登记结果）：请刷新页面查看其状态。",
    ),
    "store_not_found": (
        "What this refers to is no longer in the database: reload the page.",
        "所涉及的记录已不在数据库中：请刷新页面。",
    ),
    "store_refused": (
        "The database refused the change: reload the page and try again.",
        "数据库拒绝了此次修改：请刷新页面后重试。",
    ),
    "no_plan_head": (
        "No plan published yet: the township planner makes and publishes the week's plan; "
        "your department's coverage shows here then.",
        "尚无已发布的计划：周计划由乡镇综合执法办制定并发布，发布后这里会显示本部门的任务覆盖情况。",
    ),
    "opening_database": ("Opening the database …", "正在打开数据库……"),
    "database_unreachable": (
        "The database cannot be opened ({place}). Ask whoever runs this installation to check "
        "that the database server is up and that PLANNER_DATABASE_URL is right; the details are "
        "in the app's log.",
        "无法打开数据库（{place}）。请联系本系统的管理员，检查数据库服务器是否运行、"
        "PLANNER_DATABASE_URL 设置是否正确；详细信息见应用日志。",
    ),
    # ---- the siloed floor (planner.floor) and team formation progress (v1-app)
    "siloed_floor": ("Never below the departments alone", "不低于各部门单独检查"),
    "siloed_floor_help": (
        "When the joint plan covers fewer due obligations than the departments would alone (the "
        "siloed baseline), give the departments' routes to the joint teams holding their officers "
        "and use that plan; it may meet fewer complaints and follow-ups. Untick to keep the joint "
        "plan as routed: complaints and follow-ups first. Only with the baseline comparison.",
        "当联合计划完成的到期任务少于各部门单独检查（基线）时，将各部门的路线交给包含其人员的联合"
        "检查组并采用该计划；这可能减少完成的投诉和复查。取消勾选则保留联合排线的结果：优先处理投诉"
        "和复查。仅在与基线比较时生效。",
    ),
    "floor_adopted": (
        "The departments alone would have covered more due obligations ({siloed} vs {joint}), so "
        "this plan uses their routes with the joint teams: {floor} covered. Its price: "
        "hard-deadline obligations (complaints, follow-ups, tasks) met {hard_floor} (joint "
        "routing alone: {hard_joint}).",
        "各部门单独检查可完成的到期任务更多（{siloed} 项，联合排线 {joint} 项），因此本计划改用各"
        "部门的路线，由联合检查组执行：完成 {floor} 项到期任务。代价：有硬性期限的任务（投诉、复查、"
        "专项任务）完成 {hard_floor} 项（仅联合排线：{hard_joint} 项）。",
    ),
    "floor_unmapped": (
        "{n} of the departments' routes had no joint team holding all their officers and were "
        "not used.",
        "另有 {n} 条部门路线因其人员不在同一联合检查组而未能采用。",
    ),
    "floor_no_mapping": (
        "The departments alone would cover more due obligations ({siloed} vs {joint}), but no "
        "department's team has all its officers in one joint team of its day, so their routes "
        "cannot be given to the joint teams: this plan stays below the departments alone.",
        "各部门单独检查可完成的到期任务更多（{siloed} 项，联合排线 {joint} 项），但没有一个部门"
        "检查组的全部人员在当天属于同一联合检查组，无法将其路线交给联合检查组：本计划完成的到期任务"
        "仍少于各部门单独检查。",
    ),
    "floor_not_better": (
        "The departments alone would cover more due obligations ({siloed} vs {joint}); their "
        "routes given to the joint teams would cover only {floor}, so this plan keeps its own "
        "routes and stays below the departments alone.",
        "各部门单独检查可完成的到期任务更多（{siloed} 项，联合排线 {joint} 项）；将其路线交给联合"
        "检查组只能完成 {floor} 项，因此本计划保留自身路线，仍少于各部门单独检查。",
    ),
    "floor_rejected": (
        "The departments alone would cover more due obligations ({siloed} vs {joint}); the plan "
        "built from their routes failed the routing model's check (a fault: please report it), "
        "so this plan keeps its own routes and stays below the departments alone.",
        "各部门单独检查可完成的到期任务更多（{siloed} 项，联合排线 {joint} 项）；由其路线生成的"
        "计划未通过排线模型校验（属程序故障，请报告），因此本计划保留自身路线，仍少于各部门单独检查。",
    ),
    "floor_turn_off": (
        "To put complaints and follow-ups first instead, untick “{knob}” under Settings → "
        "{knobs} (or under {weights} on the Plan page) and solve again.",
        "如需优先处理投诉和复查，请在“设置 → {knobs}”（或“计划”页面的“{weights}”）中取消勾选"
        "“{knob}”，然后重新求解。",
    ),
    "solve_status": ("Solving the week …", "正在求解本周计划……"),
    "solve_status_done": ("Solved: how the plan was made", "求解完成：计划的生成过程"),
    "formation_line": (
        "Teams {day}: {teams} team(s) of {officers} officers, {idle} idle",
        "{day}：组建 {teams} 个检查组，共 {officers} 名执法人员，{idle} 人空闲",
    ),
    "routing_line": ("Routing {stage} …", "排线：{stage}……"),
    "floor_line": (
        "The departments alone covered more due obligations: their routes are given to the joint "
        "teams (the plan makes {visits} visits; see the note below)",
        "各部门单独检查完成的到期任务更多：改由联合检查组执行各部门的路线（计划安排 {visits} 次检查，"
        "详见下方说明）",
    ),
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
TASK_KINDS = {
    "en": {"complaint": "complaint", "follow_up": "follow-up", "campaign": "campaign",
           "referral": "referral", "routine": "routine"},
    "zh": {"complaint": "投诉", "follow_up": "复查", "campaign": "专项检查", "referral": "移送",
           "routine": "日常检查"},
}  # fmt: skip
YES_NO = {"en": {"yes": "yes", "no": "no"}, "zh": {"yes": "是", "no": "否"}}
RISKS = {
    "en": {"low": "low", "medium": "medium", "high": "high"},
    "zh": {"low": "低", "medium": "中", "high": "高"},
}


# ---------------------------------------------------------------- problems: code, English, 简体中文
# Every problem that loading and validating a scenario reports (planner.errors.Problem) has a code
# and parameters; the English template below is the only place its English text is written
# (``Problem.message`` is rendered from it) and the Chinese one says the same in 简体中文. Values
# from the data (ids, cells, file and column names) are quoted “…” in Chinese and stay as they are.

PROBLEM_TEMPLATES: dict[str, tuple[str, str]] = {
    # ---- a cell (planner.validate)
    "empty": ("is empty", "单元格为空"),
    "not_number": ("'{value}' is not a number", "“{value}”不是数字"),
    "not_whole_number": ("'{value}' is not a whole number", "“{value}”不是整数"),
    "outside_range": ("{value} is outside {low}–{high}", "“{value}”超出允许范围（{low}–{high}）"),
    "outside_range_to": (
        "{value} is outside {low} to {high}",
        "“{value}”超出允许范围（{low} 至 {high}）",
    ),
    "not_date": ("'{value}' is not a date like {example}", "“{value}”不是日期（格式如 {example}）"),
    "not_yes_no": ("'{value}' is not yes or no", "“{value}”不是“yes”或“no”（也可写“是”或“否”）"),
    "not_one_of": ("'{value}' is not one of: {allowed}", "“{value}”不是以下值之一：{allowed}"),
    "lists_nothing": (
        "'{value}' lists nothing: give entries separated by ';'",
        "“{value}”没有列出任何内容：请用“;”分隔各项",
    ),
    "lists_no_categories": (
        "'{value}' lists nothing: give categories separated by ';'",
        "“{value}”没有列出任何行业类别：请用“;”分隔多个类别",
    ),
    "duplicate_id": (
        "duplicate id '{id}' (first on row {first})",
        "编号“{id}”重复（首次出现在第 {first} 行）",
    ),
    "unknown_reference": ("unknown {what} '{value}'", "未知的{what}“{value}”"),
    "control_character": (
        "contains the control character U+{codepoint}: remove it",
        "包含控制字符“U+{codepoint}”：请删除",
    ),
    "id_too_long": (
        "an id of {length} characters: at most {limit}",
        "编号长 {length} 个字符：最多 {limit} 个",
    ),
    "text_too_long": (
        "{length} characters: at most {limit}",
        "长 {length} 个字符：最多 {limit} 个",
    ),
    # ---- a table's columns and rows
    "column_no_name": ("a column has no name", "有一列没有列名"),
    "column_repeated": ("column appears {count} times", "该列出现了 {count} 次"),
    "unknown_column": ("unknown column; ignored", "未知的列，已忽略"),
    "missing_column": ("missing column{doc}", "缺少此列{doc_zh}"),
    "table_no_rows": (
        "has no rows: at least one {what} is needed",
        "没有数据行：至少需要一个{what}",
    ),
    # ---- businesses, history, tasks, inspectors, teams, recusals, draws
    "zero_coordinates": (
        "coordinates are (0, 0): the location is missing",
        "坐标为 (0, 0)：缺少位置",
    ),
    "far_from_office": (
        "{km} km from the nearest office: swapped lon/lat or a typo?",
        "距最近的办公地点 {km} 公里：经度和纬度是否填反，或有笔误？",
    ),
    "never_open": (
        "'{hours}' is never open: no visit can be planned",
        "“{hours}”从不开放：无法安排检查",
    ),
    "unknown_officer_rotation": (
        "unknown inspector '{value}'; ignored for rotation",
        "未知的执法人员“{value}”，轮换时忽略",
    ),
    "history_in_future": (
        "{date} is after the planned week ({start}–{end})",
        "{date} 晚于计划周（{start}–{end}）",
    ),
    "deadline_before_earliest": (
        "{deadline} is before the earliest date {earliest}",
        "截止日期 {deadline} 早于最早检查日期 {earliest}",
    ),
    "no_room_for_lunch": (
        "{hours} leaves no time to work around the {minutes}-minute lunch break ({window})",
        "{hours} 扣除 {minutes} 分钟午休（{window}）后没有工作时间",
    ),
    "no_lunch_room": (
        "hours and lunch window share {shared}: no room for {minutes} minutes of lunch, so no "
        "lunch break is planned",
        "工作时间与午休时段只重叠 {shared}：放不下 {minutes} 分钟午休，因此不安排午休",
    ),
    "no_lunch_overlap": (
        "hours and lunch window share nothing: no room for {minutes} minutes of lunch, so no "
        "lunch break is planned",
        "工作时间与午休时段没有重叠：放不下 {minutes} 分钟午休，因此不安排午休",
    ),
    "team_too_small": (
        "a team needs at least two different officers",
        "一个检查组至少需要两名不同的执法人员",
    ),
    "officer_in_two_teams": (
        "{officers} also in fixed team '{team}' on the same day",
        "{officers}在同一天也属于固定检查组“{team}”",
    ),
    "recused_pair_in_team": (
        "{first} and {second} must not work together (recusals)",
        "“{first}”和“{second}”不得一起工作（见回避表）",
    ),
    "recusal_business_or_officer": (
        "give either a business or an other_inspector, not both",
        "“business”和“other_inspector”两列须填写且只填写一列",
    ),
    "recused_from_self": ("an officer cannot be recused from themself", "执法人员不能回避自己"),
    "draw_ratio_zero": (
        "0 draws nobody: give a share above 0, e.g. 0.05",
        "比例为 0 不会抽中任何对象：请填写大于 0 的比例，例如 0.05",
    ),
    "draw_twice": (
        "{department} already draws from it (row {first})",
        "部门“{department}”已从该类别抽取（第 {first} 行）",
    ),
    "draw_no_business": (
        "no business of category '{category}': the draw is empty",
        "没有行业类别为“{category}”的检查对象：抽取结果为空",
    ),
    "draw_no_item": (
        "{department} has no item for it: the draw is empty",
        "部门“{department}”没有适用于该类别的检查事项：抽取结果为空",
    ),
    "certification_uncovered": (
        "no inspector holds '{certification}': item {item} cannot be checked",
        "没有执法人员持有“{certification}”资格：检查事项“{item}”无法检查",
    ),
    "category_uncovered": (
        "no item applies to category '{category}'",
        "没有适用于行业类别“{category}”的检查事项",
    ),
    # ---- settings
    "no_settings": ("no settings found", "没有找到设置"),
    "missing_setting": ("missing setting", "缺少此设置项"),
    "unknown_setting": ("unknown setting; ignored", "未知的设置项，已忽略"),
    "not_minutes": (
        "'{value}' is not a whole number of minutes from 0 to {high}",
        "“{value}”不是 0 到 {high} 之间的整数分钟数",
    ),
    "not_timezone": (
        "'{value}' is not a time zone like Asia/Shanghai",
        "“{value}”不是时区（格式如“Asia/Shanghai”）",
    ),
    "not_monday": ("{date} is not a Monday", "{date} 不是星期一"),
    "lunch_outside_shift": ("lies outside the shift", "不在班次时间内"),
    "lunch_does_not_fit": (
        "{minutes} minutes do not fit in the lunch window",
        "午休时段放不下 {minutes} 分钟",
    ),
    "no_office": (
        "at least one office is needed (id, name, lon, lat)",
        "至少需要一个办公地点（“id”、“name”、“lon”、“lat”）",
    ),
    "not_date_list": (
        "'{value}' is not a list of dates like [2026-10-01, 2026-10-02]",
        "“{value}”不是日期列表（格式如 [2026-10-01, 2026-10-02]）",
    ),
    # ---- times, days and opening hours (planner.hours)
    "not_time": ("'{value}' is not a time of day like 09:30", "“{value}”不是时刻（格式如 09:30）"),
    "invalid_time": ("'{value}' is not a valid time of day", "“{value}”不是有效的时刻"),
    "not_time_range": (
        "'{value}' is not a time range like 09:00-17:00",
        "“{value}”不是时间段（格式如 09:00-17:00）",
    ),
    "empty_span": (
        "'{value}' is empty: it starts and ends at the same time",
        "“{value}”为空：开始和结束时间相同",
    ),
    "not_weekday": (
        "'{value}' is not a weekday (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
        "“{value}”不是星期几（请写“Mon”至“Sun”，或“周一”至“周日”）",
    ),
    "hours_empty": ("opening hours are empty", "营业时间为空"),
    "hours_syntax": (
        "cannot read '{token}' at character {at}: expected {expected}{read_as}",
        "无法识别第 {at} 个字符处的“{token}”：此处应为{expected}{read_as}",
    ),
    "hours_seasonal": (
        "'{token}' at character {at}: month, date and week rules are not a weekly pattern; give "
        "the hours of a normal week (holidays go in settings){read_as}",
        "第 {at} 个字符处的“{token}”：按月份、日期或周次的规则不是每周固定的时间；请填写普通一周的"
        "时间（节假日在设置中填写）{read_as}",
    ),
    "hours_sun": (
        "'{token}' at character {at}: times relative to the sun are not supported; give clock "
        "times like 07:00-19:00{read_as}",
        "第 {at} 个字符处的“{token}”：不支持按日出日落计的时间；请填写钟点时间，如 07:00-19:00"
        "{read_as}",
    ),
    "hours_no_times": (
        "'{token}' at character {at} gives days but no times, like 'Mo-Fr 09:00-17:00'{read_as}",
        "第 {at} 个字符处的“{token}”只有星期没有时间，应写成“Mo-Fr 09:00-17:00”这样{read_as}",
    ),
    "hours_empty_span": (
        "'{token}' at character {at} is empty: it starts and ends at the same time{read_as}",
        "第 {at} 个字符处的“{token}”为空：开始和结束时间相同{read_as}",
    ),
    # ---- files, uploads and archives (planner.load)
    "not_upload": (
        "not a scenario upload: give one of {kinds}",
        "不是可上传的数据文件：请上传 {kinds} 之一",
    ),
    "upload_too_large": (
        "is {size} MiB; an upload may be at most {limit} MiB",
        "大小为 {size} 兆字节；上传文件最大 {limit} 兆字节",
    ),
    "scenario_not_found": (
        "not found: give a folder of CSV files, a .zip of one, or an .xlsx workbook",
        "未找到：请提供 CSV 文件夹、其 .zip 压缩包或 .xlsx 工作簿",
    ),
    "undecodable": (
        "cannot be read: save it as UTF-8 (or GBK) text",
        "无法读取：请另存为 UTF-8（或 GBK）编码的文本",
    ),
    "read_as_gbk": (
        "read as GBK (Chinese Excel export); UTF-8 is preferred",
        "已按 GBK 编码读取（中文 Excel 导出）；建议使用 UTF-8",
    ),
    "too_many_rows": (
        "has more than {limit} rows: split the scenario",
        "超过 {limit} 行：请拆分数据",
    ),
    "ragged_row": (
        "has {values} values but the header has {columns} columns (a stray comma or an unquoted "
        "value?)",
        "有 {values} 个值，但表头有 {columns} 列（是否多了逗号，或某个值未加引号？）",
    ),
    "not_csv": ("not valid CSV: {detail}", "不是有效的 CSV：“{detail}”"),
    "no_header": ("is empty: it needs a header row", "文件为空：需要表头行"),
    "too_many_lines": (
        "has more than {limit} lines: not a scenario table",
        "超过 {limit} 行：不是数据表",
    ),
    "line_too_long": (
        "a line longer than {limit} characters: not a scenario table",
        "有一行超过 {limit} 个字符：不是数据表",
    ),
    "table_twice": (
        "{n} files hold this table in {where} ({files}): keep one",
        "“{where}”中有 {n} 个文件都是这张表（{files}）：只保留一个",
    ),
    "missing_file": ("missing: this file is required", "缺少此文件：该文件为必需"),
    "missing_table": ("missing: this table is required", "缺少此表：该表为必需"),
    "not_zip": ("not a readable zip file: {detail}", "不是可读取的 .zip 压缩文件：“{detail}”"),
    "too_many_members": (
        "holds {n} members; a scenario has at most {limit} (a zip bomb?)",
        "包含 {n} 个文件；数据最多 {limit} 个（是否为压缩炸弹？）",
    ),
    "too_large": (
        "would take {size} MiB uncompressed; a scenario may take at most {limit} MiB (a zip bomb?)",
        "解压后将占 {size} 兆字节；数据最多 {limit} 兆字节（是否为压缩炸弹？）",
    ),
    "too_large_more": (
        "would take more uncompressed; a scenario may take at most {limit} MiB (a zip bomb?)",
        "解压后将超过 {limit} 兆字节的上限（是否为压缩炸弹？）",
    ),
    "zip_member_unreadable": (
        "cannot be read from the zip file: {detail}",
        "无法从 .zip 压缩文件中读取：“{detail}”",
    ),
    "not_xlsx": (
        "not a readable .xlsx workbook: {detail}",
        "不是可读取的 .xlsx 工作簿：“{detail}”",
    ),
    "unknown_file": (
        "not a scenario table; ignored (in {where})",
        "不是数据表，已忽略（位于“{where}”）",
    ),
    "not_toml": ("not valid TOML: {detail}", "不是有效的 TOML：“{detail}”"),
    "toml_too_deep": ("not valid TOML: nested too deeply", "不是有效的 TOML：嵌套层数过多"),
    "sheet_twice": (
        "{n} sheets hold this table ({titles}): keep one",
        "有 {n} 张工作表都是这张表（{titles}）：只保留一张",
    ),
    "values_right_of_header": (
        "has values right of the last column: {values}",
        "最后一列右侧还有值：“{values}”",
    ),
    "missing_settings_sheet": (
        "missing: the settings sheet is required",
        "缺少“settings”工作表：该工作表为必需",
    ),
    "missing_sheet": ("missing: this sheet is required", "缺少此工作表：该工作表为必需"),
    "unknown_sheet": ("not a scenario sheet; ignored", "不是数据工作表，已忽略"),
    "empty_key": ("empty key", "“key”列为空"),
    # ---- planning parameters: the app's Settings and a params TOML file (planner.params)
    "file_not_found": ("not found", "未找到此文件"),
    "not_true_false": ("'{value}' is not true or false", "“{value}”不是“true”或“false”"),
    "not_text": ("'{value}' is not text", "“{value}”不是文本"),
    "unknown_parameter": (
        "unknown parameter (known: {known})",
        "未知的参数（可用的参数：{known}）",
    ),
    "unknown_parameter_anywhere": (
        "unknown parameter (in none of {known})",
        "未知的参数（不属于{known}中的任何一个表）",
    ),
    "unknown_table": ("unknown table (known: {known})", "未知的表（可用的表：{known}）"),
    "parameter_in_two_tables": (
        "belongs to {tables}: put it under one",
        "同时属于{tables}：请放在其中一个表下",
    ),
    "must_be_between": ("must be {low}–{high}{unit}", "须在 {low}–{high}{unit} 之间"),
    "must_be_below": ("must be {low}–<{high}", "须不小于 {low} 且小于 {high}"),
    "must_be_at_least": ("must be ≥ {low}", "须不小于 {low}"),
    "must_be_above": ("must be > {low}", "须大于 {low}"),
    "must_be_above_at_most": (
        "must be > {low} and ≤ {high}{unit}",
        "须大于 {low} 且不超过 {high}{unit}",
    ),
    "must_be_one_of": ("must be one of {allowed}", "须为以下值之一：{allowed}"),
    "team_needs_two": (
        "must be at least 2 (two officers by law)",
        "至少为 2（依法每组至少两名执法人员）",
    ),
    "max_size_range": ("must be min_size–{high}", "须在“min_size”与 {high} 之间"),
    # ---- road networks (planner.travel; `planner validate --roads`, `plan --roads`)
    "road_off_network": (
        "{id}: {metres} m from the nearest road of the network; {trips} trips to and from it are "
        "estimated by straight line (check its coordinates or use a road file that covers it)",
        "“{id}”距路网最近的道路 {metres} 米；往返它的 {trips} 段行程按直线估算"
        "（请检查其坐标，或使用覆盖它的路网文件）",
    ),
    "road_disconnected": (
        "{id}: on a piece of road not connected to the rest ({metres} m to it); {trips} trips to "
        "and from it are estimated by straight line (check its coordinates or use a road file "
        "that covers it)",
        "“{id}”位于与路网其余部分不相连的路段上（距该路段 {metres} 米）；往返它的 {trips} 段行程"
        "按直线估算（请检查其坐标，或使用覆盖它的路网文件）",
    ),
    "road_file_not_found": ("road network file not found: {path}", "未找到路网文件：“{path}”"),
    "not_a_file": ("not a file: {path}", "不是文件：“{path}”"),
    "not_pbf": (
        "cannot read as an OSM PBF file: {detail}",
        "无法作为“OSM PBF”路网文件读取：“{detail}”",
    ),
    "no_drivable_roads": ("the file has no drivable roads", "文件中没有机动车可通行的道路"),
    "road_speed": (
        "speed {value} km/h must be a number > 0",
        "车速“{value}”公里/小时须为大于 0 的数字",
    ),
    "speed_not_positive": ("speed {value} km/h must be > 0", "车速 {value} 公里/小时须大于 0"),
    "circuity_below_one": ("circuity {value} must be ≥ 1", "绕行系数 {value} 须不小于 1"),
    "longitude_outside": (
        "point {i}: longitude {value} is outside {low}…{high}",
        "第 {i} 个点：经度 {value} 超出 {low}…{high}",
    ),
    "latitude_outside": (
        "point {i}: latitude {value} is outside {low}…{high}",
        "第 {i} 个点：纬度 {value} 超出 {low}…{high}",
    ),
    # ---- outcomes recorded from a CSV (`planner db record`)
    "outcomes_not_found": (
        "not found: give the outcomes CSV file",
        "未找到：请提供检查结果 CSV 文件",
    ),
}

#: The OSM opening-hours grammar's rule names (what the parser expected) in words a planner reads.
HOURS_RULES: dict[str, tuple[str, str]] = {
    "extended_time": ("a time like 09:30", "时刻（如 09:30）"),
    "EOI": ("the end", "结尾"),
    "any_rule_separator": ("';'", "“;”"),
    "rules_modifier": ("open/off/closed", "“open”/“off”/“closed”"),
    "small_range_selectors": ("days like Mo-Fr", "星期（如“Mo-Fr”）"),
    "timespan": ("a time range like 09:00-17:00", "时间段（如 09:00-17:00）"),
    "always_open": ("always open", "“24/7”"),
    "week_selector": ("week selector", "周次"),
    "monthday_range": ("monthday range", "月日范围"),
    "year": ("year", "年份"),
    "comment": ("comment", "注释"),
    "holiday": ("holiday", "节假日（“PH”）"),
    "minute": ("minute", "分钟数（00–59）"),
    "hour": ("hour", "小时数"),
    "time": ("time", "时刻"),
    "wday": ("wday", "星期"),
}
#: Singular nouns of the things a problem may name (``unknown {what}``, ``at least one {what}``).
PROBLEM_NOUNS = {
    "department": "部门",
    "item": "检查事项",
    "business": "检查对象",
    "inspector": "执法人员",
    "office": "办公地点",
}


def _quoted_list(text: str) -> str:
    """``a, b`` → ``“a”、“b”``: each value of a listed parameter quoted, as Chinese lists them."""
    return "、".join(f"“{part}”" for part in text.split(", ") if part)


def _hours_rules(text: str, lang: str) -> str:
    """``EOI, any_rule_separator, or rules_modifier`` in words (``the end, ';', or …``)."""
    names = [n for n in re.split(r",? or |, ", text.strip()) if n]
    words = [
        HOURS_RULES[n][lang == "zh"]
        if n in HOURS_RULES
        else (f"“{n}”" if lang == "zh" else n.replace("_", " "))
        for n in names
    ]
    if lang == "zh":
        return "、".join(words[:-1]) + ("或" if len(words) > 1 else "") + words[-1]
    if len(words) > 2:
        return ", ".join(words[:-1]) + ", or " + words[-1]
    return " or ".join(words)


# How a parameter is shown when it is not shown as it is: optional parts (empty when the value
# is empty), lists, words. Every other parameter is a value from the data or a number.
_PROBLEM_PARAMS: dict[str, dict[str, Any]] = {
    "en": {
        "doc": lambda v: f" ({v})" if v else "",
        "read_as": lambda v: f" (read as '{v}')" if v else "",
        "expected": lambda v: _hours_rules(v, "en"),
        "titles": lambda v: ", ".join(repr(title) for title in v.split(", ")),
        "tables": lambda v: " or ".join(v.split(", ")),
        "unit": lambda v: f" {v}" if v else "",
    },
    "zh": {
        "doc_zh": lambda v: f"：{v}" if v else "",
        "read_as": lambda v: f"（按“{v}”识别）" if v else "",
        "expected": lambda v: _hours_rules(v, "zh"),
        "what": lambda v: PROBLEM_NOUNS.get(v, f"“{v}”"),
        "allowed": _quoted_list,
        "kinds": _quoted_list,
        "files": _quoted_list,
        "officers": _quoted_list,
        "titles": _quoted_list,
        "known": _quoted_list,
        "tables": _quoted_list,
        "unit": lambda v: {"days": " 天", "s": " 秒"}.get(v, f" {v}" if v else ""),
    },
}


def problem_fields(code: str, lang: str = "en") -> set[str]:
    """The parameters the ``lang`` template of problem ``code`` fills."""
    template = PROBLEM_TEMPLATES[code][lang == "zh"]
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def problem_text(
    code: str, params: Mapping[str, str] | Iterable[tuple[str, str]], lang: str = "en"
) -> str:
    """Problem ``code`` with its ``params`` in ``lang`` (``planner.errors.Problem.message`` is the
    English). A parameter a template does not use is ignored; one it uses must be given."""
    values = dict(params)
    shown = _PROBLEM_PARAMS.get(lang, _PROBLEM_PARAMS["en"])
    template = PROBLEM_TEMPLATES[code][lang == "zh"]
    return template.format_map({k: shown[k](v) if k in shown else v for k, v in values.items()})


# ---------------------------------------------------------------- reasons: code, English, 简体中文

_DATE = r"\d{4}-\d{2}-\d{2}"
_DAYNAME = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"


@dataclass(frozen=True, slots=True)
class ReasonForm:
    """One kind of reason: its code, the English sentence (a regular expression whose named
    groups are the parameters) and the Chinese template over the same parameters."""

    code: str
    en: str
    zh: str

    def match(self, text: str) -> dict[str, str] | None:
        """The parameters of ``text`` when it is this kind of reason."""
        found = re.fullmatch(self.en, text)
        return None if found is None else {k: v or "" for k, v in found.groupdict().items()}


REASONS: tuple[ReasonForm, ...] = (
    # not scheduled: why a visit could not be placed (planner.problem, teams, pipeline, merge)
    ReasonForm("no_team", r"no team works this week", "本周没有检查组上班"),
    ReasonForm(
        "no_single_team_items",
        r"no single team certified for all (?P<n>\d+) items on any day "
        r"\(certifications (?P<certs>.+)\)",
        "没有任何一个检查组具备全部 {n} 项事项的执法资格（所需资格：{certs}）",
    ),
    ReasonForm(
        "no_single_team",
        r"no single team certified for all of (?P<titles>.+) on any day",
        "没有任何一个检查组同时具备{titles}的执法资格",
    ),
    ReasonForm(
        "recused",
        r"every team certified for it has an officer recused from this business",
        "每个具备资格的检查组都有需回避该企业的执法人员",
    ),
    ReasonForm(
        "hours_outside_shift",
        r"opening hours \((?P<hours>.*)\) outside every shift",
        "营业时间（{hours}）不在任何班次内",
    ),
    ReasonForm(
        "hours_no_slot",
        r"opening hours \((?P<hours>.*)\) leave no (?P<minutes>\d+)-minute slot inside any "
        r"shift \(travel from and to the office included\)",
        "营业时间（{hours}）在班次内没有 {minutes} 分钟的空档（含往返办公地点的路程）",
    ),
    ReasonForm(
        "inspection_hours_outside_shift",
        r"inspection hours \((?P<hours>.*)\) outside every shift",
        "检查时段（{hours}）不在任何班次内",
    ),
    ReasonForm(
        "inspection_hours_no_slot",
        r"inspection hours \((?P<hours>.*)\) leave no (?P<minutes>\d+)-minute slot inside any "
        r"shift \(travel from and to the office included\)",
        "检查时段（{hours}）在班次内没有 {minutes} 分钟的空档（含往返办公地点的路程）",
    ),
    ReasonForm(
        "hours_lunch",
        r"opening hours \((?P<hours>.*)\) and the lunch break \((?P<lunch>[^)]*)\) leave no "
        r"(?P<minutes>\d+)-minute slot in any shift: the break never falls inside a visit",
        "营业时间（{hours}）与午休（{lunch}）之间没有 {minutes} 分钟的空档：午休不能打断检查",
    ),
    ReasonForm(
        "inspection_hours_lunch",
        r"inspection hours \((?P<hours>.*)\) and the lunch break \((?P<lunch>[^)]*)\) leave no "
        r"(?P<minutes>\d+)-minute slot in any shift: the break never falls inside a visit",
        "检查时段（{hours}）与午休（{lunch}）之间没有 {minutes} 分钟的空档：午休不能打断检查",
    ),
    ReasonForm("holidays", r"public holidays: (?P<days>.+)", "法定节假日：{days}"),
    ReasonForm(
        "deadline",
        rf"deadline (?P<date>{_DATE}) before any feasible day \((?P<days>.+)\)",
        "截止日期 {date} 早于所有可行日期（{days}）",
    ),
    ReasonForm(
        "earliest",
        rf"earliest date (?P<date>{_DATE}) after every feasible day \((?P<days>.+)\)",
        "最早检查日期 {date} 晚于所有可行日期（{days}）",
    ),
    ReasonForm(
        "pinned",
        rf"pinned to team (?P<team>\S+) on (?P<date>{_DATE}), which cannot make this visit",
        "已指定由 {team} 于 {date} 检查，但该组无法完成",
    ),
    ReasonForm(
        "capacity",
        r"capacity: (?P<visit_h>[\d,.]+) h of visits, (?P<team_h>[\d,.]+) h of team time "
        r"this week",
        "人力不足：本周可安排的检查共需 {visit_h} 小时，检查组可用 {team_h} 小时",
    ),
    ReasonForm(  # planner.problem.full_text (issue 12, h2-routing)
        "capacity_full",
        r"capacity: all (?P<n>\d+) team-day\(s\) that could make it \((?P<days>.+)\) are full "
        r"\(at most (?P<free>\d+) min free, the visit takes (?P<minutes>\d+) min\), "
        r"(?P<visit_h>[\d,.]+) h of visits, (?P<team_h>[\d,.]+) h of team time this week",
        "人力不足：可完成该检查的 {n} 个组日（{days}）均已排满（最多空闲 {free} 分钟，该检查需 "
        "{minutes} 分钟），本周可安排的检查共需 {visit_h} 小时，检查组可用 {team_h} 小时",
    ),
    ReasonForm(  # planner.problem.room_text (issue 12, h2-routing)
        "hours_gaps",
        r"no team-day with room within its opening hours \((?P<hours>.*)\): (?P<n>\d+) "
        r"team-day\(s\) that could make it have time left \((?P<days>.+)\), but only while it "
        r"is closed or in gaps between planned visits too short for it",
        "营业时间（{hours}）内没有检查组有空：可完成该检查的 {n} 个组日（{days}）尚有空闲，"
        "但只在其停业时段或已排检查之间过短的空档",
    ),
    ReasonForm(  # planner.problem.room_text (issue 12, h2-routing)
        "search_left",
        rf"left out by the search although team (?P<team>\S+) has room for it on "
        rf"(?P<days>{_DAYNAME} {_DATE}) \(a longer time limit may place it\)",
        "求解未安排，但检查组 {team} 在 {days} 仍有空闲（延长求解时间可能安排上）",
    ),
    ReasonForm(
        "split",
        r"no team certified for (?P<titles>.+) together with the visit's other items"
        r"(?: on (?P<days>.+))?: left for a second visit",
        "没有检查组能将{titles}与该次检查的其他事项一并检查{days}：留待第二次检查",
    ),
    ReasonForm(  # planner.problem.part_visit_text (issue 12, s3-split)
        "part_visit",
        rf"visited(?: on (?P<days>{_DAYNAME} {_DATE}))? for (?P<department>.+) only "
        r"\(a part visit: the whole visit was not made\)",
        "{days}仅检查{department}的事项（部分检查：未能完成整次联合检查）",
    ),
    ReasonForm(
        "no_certified_team",
        r"no team certified for (?P<titles>.+?)(?: on any day)?",
        "本周没有检查组具备{titles}的执法资格",
    ),
    ReasonForm(
        "department_no_officer",
        r"(?P<department>.+) has no officer of its own: alone it cannot field a two-officer team",
        "{department}没有本部门的执法人员：单独无法组成两人检查组",
    ),
    ReasonForm(
        "department_one_officer",
        r"(?P<department>.+) has only (?P<n>\d+) officers? of its own: alone it cannot field a "
        r"two-officer team",
        "{department}仅有 {n} 名本部门执法人员：单独无法组成两人检查组",
    ),
    ReasonForm(
        "desk_review",
        r"desk review: sent to the desk queue instead of a visit",
        "书面审查：转入书面审查队列，不安排现场检查",
    ),
    ReasonForm(
        "beyond_horizon",
        rf"due (?P<due>{_DATE}): after this week and beyond the pull-forward horizon "
        rf"\((?P<cap>\d+) days from (?P<start>{_DATE})\)",
        "到期日 {due}：不在本周，且超出提前检查期限（自 {start} 起 {cap} 天）",
    ),
    ReasonForm(
        "not_before",
        rf"due (?P<due>{_DATE}): may not be done before (?P<earliest>{_DATE})",
        "到期日 {due}：{earliest} 之前不得检查",
    ),
    ReasonForm(
        "desk_when_due",
        rf"due (?P<due>{_DATE}): desk-review item, goes to the desk queue when due",
        "到期日 {due}：书面审查事项，到期时转入书面审查队列",
    ),
    ReasonForm(
        "no_visit_to_join",
        rf"due (?P<due>{_DATE}): no (?:(?P<department>.+?) )?visit to (?P<business>.+) this "
        r"week to join \(pull-forward never creates a visit\)",
        "到期日 {due}：本周没有对{business}的{department}检查可以合并（提前检查不会新增检查）",
    ),
    # re-plan: why a visit moved, was added, dropped or changed (planner.replan)
    ReasonForm(
        "officer_away",
        rf"officer (?P<officer>\S+) (?P<why>.+?) (?P<span>(?:from )?{_DAYNAME} {_DATE}"
        rf"(?:–{_DAYNAME} {_DATE})?)",
        "执法人员 {officer} {why}（{span}）",
    ),
    ReasonForm(
        "business_away",
        rf"business (?P<why>.+?) (?P<span>(?:from )?{_DAYNAME} {_DATE}(?:–{_DAYNAME} {_DATE})?)",
        "企业{why}（{span}）",
    ),
    ReasonForm(
        "retimed",
        r"retimed (?P<before>\d\d:\d\d) → (?P<after>\d\d:\d\d) to fit the changes",
        "为适应调整改时 {before} → {after}",
    ),
    ReasonForm("resolved", r"re-solved to fit the changes", "为适应调整重新安排"),
    ReasonForm("not_placed", r"not placed in the re-plan", "重新计划中未能安排"),
    ReasonForm(
        "placed",
        r"placed in the re-plan \(capacity freed or newly due\)",
        "重新计划中新安排（腾出人力或新到期）",
    ),
    ReasonForm(
        "urgent",
        r"urgent (?P<kind>[a-z-]+) (?P<task>\S+?)(?:: (?P<note>.*))?",
        "紧急{kind} {task}{note}",
    ),
    ReasonForm("items_changed", r"items changed: (?P<parts>.+)", "检查事项变化：{parts}"),
)
_REASON_CODES = {form.code: form for form in REASONS}
OTHER = "other"

_WHY = {  # what the app records for an absence or closure, and the planner's defaults
    "absent": "缺勤",
    "off sick": "病假",
    "closed": "停业",
}
_TASK_KINDS = {
    "complaint": "投诉",
    "follow-up": "复查",
    "campaign": "专项检查",
    "referral": "移送",
    "routine": "日常检查",
}


def _split_reasons(text: str) -> list[str]:
    """``a; b`` → ``[a, b]``, but never at a ``; `` inside parentheses: opening hours of several
    rules (``(Mo-Fr 09:00-17:00; Sa 10:00-14:00)``) are one value of one reason."""
    pieces, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth <= 0 and text.startswith("; ", i):
            pieces.append(text[start:i])
            start, depth = i + 2, 0
    return [*pieces, text[start:]]


def reason_parts(text: str) -> list[tuple[str, dict[str, str]]]:
    """A stored reason as (code, parameters) pieces: several reasons joined by ``; `` are several
    pieces; a reason of no known form is ``("other", {"text": …})``."""
    out: list[tuple[str, dict[str, str]]] = []
    for piece in (p.strip() for p in _split_reasons(str(text))):
        if not piece:
            continue
        found = next(
            ((form.code, m) for form in REASONS if (m := form.match(piece)) is not None), None
        )
        out.append(found or (OTHER, {"text": piece}))
    return out


def _days_zh(text: str) -> str:
    """``Mon, Tue`` or ``Mon 2026-11-23`` with the weekday names in Chinese."""
    names = dict(zip(WEEKDAYS["en"], WEEKDAYS["zh"], strict=True))
    return re.sub(_DAYNAME, lambda m: names[m.group(0)], text).replace(", ", "、")


def _titles_zh(text: str, scenario: Scenario | None) -> str:
    """Item titles joined by ``, `` or `` + `` in Chinese (through the scenario's ``title_zh``)."""
    if scenario is None:
        return text
    by_title = {i.title: (i.title_zh or i.title) for i in scenario.items}
    parts = re.split(r"( \+ |, )", text)
    return "".join("、" if p in (" + ", ", ") else by_title.get(p, p) for p in parts)


def _department_zh(text: str, scenario: Scenario | None) -> str:
    if scenario is None:
        return text
    return next((d.name_zh or d.name for d in scenario.departments if d.name == text), text)


def _officer_name(officer_id: str, scenario: Scenario | None) -> str:
    if scenario is None:
        return officer_id
    return next((o.name for o in scenario.inspectors if o.id == officer_id), officer_id)


def _items_changed_zh(text: str, scenario: Scenario | None) -> str:
    """``+food (task t1), -label`` → ``新增 食品安全（任务 t1）、减少 产品标签``."""
    titles = {i.id: (i.title_zh or i.title) for i in scenario.items} if scenario else {}
    out = []
    for part in re.split(r", (?=[+-])", text):
        sign, rest = part[:1], part[1:]
        item, _, extra = rest.partition(" (")
        extra = extra.removesuffix(")")
        note = ""
        if extra.startswith("task "):
            note = f"（任务 {extra.removeprefix('task ')}）"
        elif extra:
            note = f"（{reason_text(extra, 'zh', scenario)}）"
        out.append(f"{'新增' if sign == '+' else '减少'} {titles.get(item, item)}{note}")
    return "、".join(out)


def _zh_values(code: str, values: Mapping[str, str], scenario: Scenario | None) -> dict[str, str]:
    """The parameters of one reason as the Chinese template wants them."""
    v = dict(values)
    if "titles" in v:
        v["titles"] = _titles_zh(v["titles"], scenario)
    if "days" in v:
        v["days"] = (
            f"（{_days_zh(v['days'])}）" if code == "split" and v["days"] else (_days_zh(v["days"]))
        )
    if code == "part_visit":  # the day is optional: "已于周五 2026-11-27 仅检查…" or "仅检查…"
        v["days"] = f"已于{v['days']} " if v["days"] else ""
    if "span" in v:
        v["span"] = _days_zh(v["span"].replace("from ", "自 ").replace("–", " 至 "))
    if "department" in v:
        v["department"] = _department_zh(v["department"], scenario)
    if "officer" in v:
        v["officer"] = _officer_name(v["officer"], scenario)
    if "why" in v:
        v["why"] = _WHY.get(v["why"], v["why"])
    if "kind" in v:
        v["kind"] = _TASK_KINDS.get(v["kind"], v["kind"])
    if "note" in v:
        v["note"] = f"：{v['note']}" if v["note"] else ""
    if code == "items_changed":
        v["parts"] = _items_changed_zh(v["parts"], scenario)
    return v


def reason_text(text: str, lang: str = "en", scenario: Scenario | None = None) -> str:
    """A stored reason in ``lang``: English as the planner wrote it, Chinese from its code and
    parameters (item titles and department names through ``scenario`` when given). A reason of
    no known form shows as it is."""
    if lang != "zh":
        return str(text)
    pieces = []
    for code, values in reason_parts(text):
        if code == OTHER:
            pieces.append(values["text"])
            continue
        pieces.append(_REASON_CODES[code].zh.format(**_zh_values(code, values, scenario)))
    return "；".join(pieces)


REASON_CATEGORY_NAMES = {  # planner.metrics.REASON_CATEGORIES
    "desk review": "书面审查",
    "split: second visit": "拆分：第二次检查",
    "part visit: rest waits": "部分检查：其余事项待查",
    "department alone: < 2 officers": "部门单独：不足两名执法人员",
    "recusal": "回避",
    "no certified team": "无具备资格的检查组",
    "opening hours": "营业时间",
    "deadline": "截止日期",
    "earliest date": "最早检查日期",
    "pinned": "指定检查组",
    "no team": "无检查组",
    "capacity": "人力不足",
    "other": "其他",
}


def reason_category_name(category: str, lang: str = "en") -> str:
    """A reason category (``planner.metrics.REASON_CATEGORIES``) in ``lang``."""
    return REASON_CATEGORY_NAMES.get(category, category) if lang == "zh" else category


def category_name(category: str, lang: str = "en") -> str:
    """A business category in ``lang`` (the catalogue's names; several, ``;``-separated, each
    named; a category the catalogue does not know is shown as the data has it)."""
    parts = [c.strip() for c in str(category).split(";") if c.strip()]
    index = 1 if lang == "zh" else 0
    sep = "、" if lang == "zh" else "; "
    return sep.join(CATEGORY_NAMES[c][index] if c in CATEGORY_NAMES else c for c in parts)


def stage_text(stage: str, lang: str = "en") -> str:
    """A solver stage (``week``, ``Mon 2026-11-23``, ``… area 2/3``) in ``lang``."""
    if stage == "week":
        return t("stage_week", lang)
    if lang != "zh":
        return stage
    return _days_zh(re.sub(r" area (\S+)", lambda m: " " + t("stage_area", lang, n=m[1]), stage))


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
    "PROBLEM_TEMPLATES",
    "problem_text",
    "REASONS",
    "category_name",
    "reason_category_name",
    "reason_parts",
    "reason_text",
    "stage_text",
    "EN",
    "LANGS",
    "LANGUAGE_NAMES",
    "OUTCOME_STATUS",
    "RESULTS",
    "RISKS",
    "STRINGS",
    "TASK_KINDS",
    "YES_NO",
    "ZH",
    "day_label",
    "department_name",
    "item_title",
    "label",
    "t",
    "weekday",
]
