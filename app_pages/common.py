"""What the pages share: the database, the signed-in user, the language, cached scenarios and plans.

Caching: a stored scenario version is immutable, so it is kept once per version with
``st.cache_resource`` (no copy per page); a stored plan is plain frozen data, kept with
``st.cache_data`` per (plan, optimistic-lock version), so a changed plan is read again. Solver
objects are never cached: ``solve_week`` returns a ``Plan`` and a metrics dictionary.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from planner import check_scenario
from planner.access import demo_mode, use_installation_secret
from planner.auth import Accounts, User, credential_lines, ensure_demo_accounts
from planner.domain import Plan, Scenario
from planner.errors import Problem
from planner.i18n import stage_text, t
from planner.jobs import Jobs
from planner.params import PlanParams, SolveParams, TeamParams
from planner.sessions import (
    SESSION_PARAM,
    client_tag,
    close_session,
    open_session,
    pending_changes,
    resume,
    rotation_due,
    save_pending_changes,
)
from planner.sessions import now as sessions_now
from planner.solve import ProgressEvent
from planner.store import (
    NotFoundError,
    PlanInfo,
    PlanStatus,
    ScenarioVersion,
    Store,
    default_url,
)
from planner.views import (
    ProgressTally,
    database_place,
    department_names,
    floor_line,
    formation_line,
    routing_line,
    township_name,
    township_time,
)

if TYPE_CHECKING:  # the pipeline (OR-Tools) is imported when a plan is solved
    from planner.pipeline import DepartmentDone

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
TIME_LIMIT_ENV = "PLANNER_TIME_LIMIT"  # default solver time limit (s), e.g. short for tests
NO_ACCOUNT_LINE = (
    "No account exists yet. Add a planner with: "
    "python -m planner.auth add NAME --role planner (the password is read from stdin)"
)
PLANNING_KEY = "planning"  # the saved planning knobs (Settings page)
DEFAULT_KNOBS: dict[str, Any] = {
    "time_limit_s": 20.0,
    "pull_forward_days": PlanParams().pull_forward_days,
    "pull_forward_share": PlanParams().pull_forward_share,
    "workload_balance": SolveParams().workload_balance,
    "duration_cost": SolveParams().duration_cost,
    "drop_penalty": SolveParams().drop_penalty,
    "max_size": TeamParams().max_size,
    "idle_weight": TeamParams().idle_weight,
    "rotation_weight": TeamParams().rotation_weight,
    "stability_weight": TeamParams().stability_weight,
    "county_workers": 2,  # worker processes of the County page's local cluster
    "siloed_floor": SolveParams().siloed_floor,  # planner.floor: never below departments alone
}


# ---------------------------------------------------------------- scenario files


def default_scenario_path() -> Path:
    """The demo, or the scenario named by PLANNER_SCENARIO."""
    return Path(os.environ.get("PLANNER_SCENARIO", DEMO))


@st.cache_data(show_spinner=False)  # open_scenario's spinner says it in the chosen language
def cached_check(path: str, _version: float) -> tuple[Scenario | None, tuple[Problem, ...]]:
    """Load and validate once per path and modification time (plain data, safe to cache)."""
    return check_scenario(path)


def open_scenario(path: Path) -> tuple[Scenario | None, tuple[Problem, ...]]:
    """Load ``path`` through the cache, keyed by its newest file's modification time."""
    files = list(path.iterdir()) if path.is_dir() else [path]
    version = max((f.stat().st_mtime for f in files), default=0.0) if path.exists() else 0.0
    with st.spinner(tr("loading_scenario")):
        return cached_check(str(path), version)


# ---------------------------------------------------------------- language and user


def lang() -> str:
    """The language chosen in the sidebar (``en`` or ``zh``)."""
    return str(st.session_state.get("lang") or "en")  # unselecting the language keeps English


def wkey(name: str) -> str:
    """A widget key per language: a widget whose options are worded in the language is made
    anew when the language changes (Streamlit would keep showing the old wording)."""
    return f"{name}.{lang()}"


def tr(key: str, **values: Any) -> str:
    """``planner.i18n.t`` in the chosen language."""
    return t(key, lang(), **values)


def current_user() -> User | None:
    """The signed-in planner or department head, if any.

    After a page refresh (a new Streamlit session) the session id in the URL (``?session=…``,
    ``planner.sessions``) signs the user back in once: it is swapped for a new id, as it is every
    ``ROTATE_MINUTES`` while the tab is used, so an id copied earlier no longer works. The id is
    put back in the URL on every run, since Streamlit clears query parameters when the user moves
    to another page. A session that ended (idle, expired, signed out elsewhere) signs the tab out.
    """
    user = st.session_state.get("user")
    if isinstance(user, User):
        sid = st.session_state.get("session_id")
        if sid and rotation_due(st.session_state.get("session_resumed_at")):
            resumed = resume(backend().accounts, sid, client=_client())
            if resumed is None:
                _forget_user()
                return None
            _keep_session(resumed.user, resumed.session_id)
        sid = st.session_state.get("session_id")
        if sid and st.query_params.get(SESSION_PARAM) != sid:
            st.query_params[SESSION_PARAM] = sid
        return user
    sid = st.query_params.get(SESSION_PARAM)
    if not sid:
        return None
    resumed = resume(backend().accounts, sid, client=_client())
    if resumed is None:
        del st.query_params[SESSION_PARAM]
        return None
    _keep_session(resumed.user, resumed.session_id)
    return resumed.user


def _client() -> str:
    """This browser as a session is bound to it (``planner.sessions.client_tag``)."""
    return client_tag(st.context.headers.get("User-Agent"))


def _keep_session(user: User, sid: str) -> None:
    st.session_state["user"] = user
    st.session_state["session_id"] = sid
    st.session_state["session_resumed_at"] = sessions_now()
    st.query_params[SESSION_PARAM] = sid


def _forget_user() -> None:
    for key in (
        "user",
        "session_id",
        "session_resumed_at",
        "plan_id",
        "business_access",
        "last_diff",
    ):
        st.session_state.pop(key, None)
    if SESSION_PARAM in st.query_params:
        del st.query_params[SESSION_PARAM]


def sign_in(user: User) -> None:
    """Sign ``user`` in for this browser tab: a session that survives a page refresh."""
    _keep_session(user, open_session(backend().accounts, user, client=_client()))


def sign_out() -> None:
    """Forget the signed-in user here and end the session in the URL."""
    close_session(backend().accounts, st.session_state.get("session_id"))
    _forget_user()


def load_pending(plan_id: int) -> list[Any]:
    """The signed-in planner's pending changes of plan ``plan_id`` (kept in the database)."""
    return pending_changes(backend().accounts, user_name(), plan_id)


def keep_pending(plan_id: int, changes: list[Any]) -> None:
    """Save the signed-in planner's pending changes of plan ``plan_id``."""
    save_pending_changes(backend().accounts, user_name(), plan_id, changes)


def user_name() -> str:
    """Who the store records as making a change."""
    user = current_user()
    return user.username if user else "app"


def require_planner() -> User:
    """The signed-in planner; otherwise a message and the page stops."""
    user = current_user()
    if user is None or not user.is_planner:
        st.warning(tr("planner_only"))
        st.stop()
    assert user is not None
    return user


# ---------------------------------------------------------------- database


@dataclass(frozen=True)
class Backend:
    """The store (scenarios, plans, outcomes, audit) and the app's accounts, one database."""

    store: Store
    accounts: Accounts
    secret: str = ""  # the installation's access-code secret (made on first start)


@st.cache_resource(show_spinner=False)  # backend() shows its spinner in the chosen language
def _backend(url: str, scenario_path: str) -> Backend:
    """Open (and create or upgrade) the database once per URL.

    On an empty database the default scenario (the demo, or ``PLANNER_SCENARIO``) is stored as
    the first version. Without any account, in demo mode (``PLANNER_DEMO=1``) the demo accounts
    are made and printed to the terminal (their passwords are not kept, only their hashes);
    outside demo mode none is made (a real installation adds its own with
    ``python -m planner.auth add``) and the log says how.
    """
    store = Store(url)
    store.init()
    accounts = Accounts(url)
    accounts.init()
    secret = accounts.installation_secret()
    if not store.scenario_versions():
        scenario, _ = check_scenario(scenario_path)
        if scenario is not None:
            store.import_scenario(scenario, by="app", why="first start", source=scenario_path)
    if not accounts.users() and demo_mode():
        try:
            departments = store.load_scenario().departments
        except NotFoundError:
            departments = ()
        made = ensure_demo_accounts(accounts, departments)
        print("\n".join(credential_lines(made)), flush=True)
    elif not accounts.users():  # a real installation: no account nobody asked for, no password
        print(NO_ACCOUNT_LINE, flush=True)  # in the server's log
    return Backend(store, accounts, secret)


@st.cache_resource
def export_jobs() -> Jobs:
    """The app's background exports (shared by every session: one build per plan version)."""
    return Jobs()


def backend() -> Backend:
    """The database of ``PLANNER_DATABASE_URL`` (or the default SQLite file), ready to use.

    Its installation secret becomes the default for access codes (``$PLANNER_SECRET`` wins).
    When the database cannot be opened (server down, wrong URL, missing driver) the page says
    so in the chosen language, with the URL's password hidden, and stops; the traceback goes to
    the app's log only.
    """
    url = default_url()
    try:
        with st.spinner(tr("opening_database")):
            found = _backend(url, str(default_scenario_path()))
    except (SQLAlchemyError, ValueError, ImportError):
        logging.getLogger(__name__).exception("cannot open the database %s", database_place(url))
        st.error(tr("database_unreachable", place=database_place(url)), icon=":material/error:")
        st.stop()
    use_installation_secret(found.secret)
    return found


@st.cache_resource(max_entries=8, show_spinner=False)  # stored_scenario shows it, translated
def _stored_scenario(url: str, version_id: int) -> Scenario:
    return _backend_for(url).store.load_scenario(version_id)


def _backend_for(url: str) -> Backend:
    return _backend(url, str(default_scenario_path()))


def working_version() -> ScenarioVersion | None:
    """The newest stored scenario version: the one plans are made from."""
    try:
        return backend().store.latest_scenario_version()
    except NotFoundError:
        return None


def stored_scenario(version_id: int) -> Scenario:
    """Scenario version ``version_id`` (immutable; loaded once)."""
    with st.spinner(tr("loading_scenario")):
        return _stored_scenario(default_url(), version_id)


def working_scenario() -> tuple[ScenarioVersion, Scenario] | None:
    """The version plans are made from and its scenario, or ``None`` before any is stored."""
    version = working_version()
    return None if version is None else (version, stored_scenario(version.id))


def version_text(version: ScenarioVersion) -> str:
    """One line about a scenario version (the township named in the chosen language, the time
    on the township's clock)."""
    settings = stored_scenario(version.id).settings
    return tr(
        "working_version",
        id=version.id,
        township=township_name(settings, lang()),
        when=township_time(version.created_at, settings.timezone),
    )


# ---------------------------------------------------------------- plans


@st.cache_data(max_entries=32, show_spinner=False)
def _stored_plan(url: str, plan_id: int, version: int) -> Plan:
    return _backend_for(url).store.load_plan(plan_id)


def plan_of(info: PlanInfo) -> Plan:
    """The stored plan of ``info`` as it stands (cached per plan and version)."""
    return _stored_plan(default_url(), info.id, info.version)


def plan_scenario(info: PlanInfo) -> Scenario:
    """The scenario version a plan was made from."""
    return stored_scenario(info.scenario_version_id)


def plans(*, published_only: bool = False) -> list[PlanInfo]:
    """Stored plans, newest first."""
    found = list(reversed(backend().store.plans()))
    if published_only:
        found = [p for p in found if p.status == PlanStatus.PUBLISHED]
    return found


def plan_label(info: PlanInfo, language: str = "en") -> str:
    """``Plan 3 · week 2026-11-23 · published · revision 2`` in ``language``."""
    return t(
        "plan_label",
        language,
        id=info.id,
        week=info.week_start.isoformat(),
        status=t(f"status_{info.status.value}", language),
        revision=info.revision,
    )


def open_plan_or_stop(*, published_only: bool = False) -> tuple[PlanInfo, Plan, Scenario]:
    """The plan picker; the chosen plan and its scenario, or a hint and a stop when none exists
    (a department head, who has no Plan page, is told who makes the plan)."""
    info = choose_plan(published_only=published_only)
    if info is None:
        user = current_user()
        st.info(tr("no_plan" if user is None or user.is_planner else "no_plan_head"))
        st.stop()
    return info, plan_of(info), plan_scenario(info)


def choose_plan(*, published_only: bool = False) -> PlanInfo | None:
    """A plan picker (the plan last chosen or solved is preselected); ``None`` when there is none."""
    found = plans(published_only=published_only)
    return pick_plan(found, tr("choose_plan"), "plan_id", f"plan_picker_{published_only}")


def pick_plan(found: Sequence[PlanInfo], label: str, remember: str, key: str) -> PlanInfo | None:
    """A picker over ``found`` labelled ``label``; the plan in ``st.session_state[remember]`` is
    preselected and the choice is kept there; ``None`` when ``found`` is empty."""
    if not found:
        return None
    ids = [p.id for p in found]
    wanted = st.session_state.get(remember)
    index = ids.index(wanted) if wanted in ids else 0
    by_id = {p.id: p for p in found}
    language = lang()  # bound now: Streamlit may format the options outside this run
    labels = {i: plan_label(by_id[i], language) for i in ids}
    # The labels are part of the key: after a publish or re-plan the picker is made anew and
    # shows the new status and revision (a kept widget would show the old label).
    stamp = hashlib.sha256("|".join(labels.values()).encode()).hexdigest()[:10]
    chosen = st.selectbox(
        label, ids, index=index, format_func=labels.__getitem__, key=wkey(f"{key}_{stamp}")
    )
    st.session_state[remember] = chosen
    return by_id[int(chosen)]


def plan_doc(info: PlanInfo) -> dict[str, Any] | None:
    """The burden metrics kept for a plan when they score its current revision."""
    kept = backend().accounts.plan_metrics(info.id)
    if kept is None or kept[0] != info.revision:
        return None
    return kept[1]


# ---------------------------------------------------------------- planning knobs and solving


def planning_knobs() -> dict[str, Any]:
    """The saved planning knobs over the defaults; ``PLANNER_TIME_LIMIT`` sets the time limit."""
    knobs = dict(DEFAULT_KNOBS)
    knobs.update(backend().accounts.preference(PLANNING_KEY) or {})
    if os.environ.get(TIME_LIMIT_ENV):
        knobs["time_limit_s"] = float(os.environ[TIME_LIMIT_ENV])
    return knobs


def params_from(knobs: Mapping[str, Any]) -> tuple[PlanParams, SolveParams, TeamParams]:
    """Planning, routing and team-formation parameters from the knobs.

    Team formation ↔ routing rounds get three time limits in all, so a solve takes roughly
    the time limit the planner chose (times rounds), not the library's two-minute budget.
    """
    limit = float(knobs["time_limit_s"])
    plan = replace(
        PlanParams(),
        pull_forward_days=int(knobs["pull_forward_days"]),
        pull_forward_share=float(knobs["pull_forward_share"]),
    )
    solve = replace(
        SolveParams(),
        time_limit_s=limit,
        workload_balance=int(knobs["workload_balance"]),
        duration_cost=int(knobs["duration_cost"]),
        drop_penalty=int(knobs["drop_penalty"]),
        siloed_floor=bool(knobs["siloed_floor"]),
    )
    teams = replace(
        TeamParams(),
        max_size=int(knobs["max_size"]),
        idle_weight=int(knobs["idle_weight"]),
        rotation_weight=int(knobs["rotation_weight"]),
        stability_weight=int(knobs["stability_weight"]),
        rounds_budget_seconds=max(3 * limit, 5.0),
    )
    return plan, solve, teams


def progress_reporter(bar: Any, phase: str, time_limit: float) -> Callable[[ProgressEvent], None]:
    """A ``plan_week`` progress callback that moves ``bar`` and shows the best plan's coverage.

    Counts add up over solver runs (``views.ProgressTally``): the siloed baseline runs once per
    department, and its text counts every department's visits (``time_limit`` is the whole
    budget of all runs)."""
    last = [0.0]
    tally = ProgressTally()

    def report(event: ProgressEvent) -> None:
        served, offered, elapsed = tally.add(event)
        values = _event_values(event.stage, served, offered, elapsed)
        report.last = values  # type: ignore[attr-defined]
        now = time.perf_counter()
        if now - last[0] < 0.25:
            return
        last[0] = now
        bar.progress(
            min(elapsed / max(time_limit, 0.1), 1.0),
            text=tr("progress_text", phase=phase, **values),
        )

    report.last = None  # type: ignore[attr-defined]
    return report


def _event_values(stage: str, served: int, offered: int, elapsed: float) -> dict[str, Any]:
    share = served / offered if offered else 0.0
    return {
        "stage": stage_text(stage, lang()),
        "served": served,
        "offered": offered,
        "share": f"{share:.0%}",
        "elapsed": f"{elapsed:.0f}",
    }


def finish_progress(bar: Any, phase: str, report: Callable[[ProgressEvent], None]) -> None:
    """Fill ``bar`` and leave the best plan's numbers on it."""
    values = getattr(report, "last", None)
    text = phase if values is None else tr("progress_done", phase=phase, **values)
    bar.progress(1.0, text=text)


class SolveLog:
    """Lines in a container (``st.status``) in the order they happen: a line per day as its
    teams are formed (the CLI's ``_show_teams``), one as routing starts on each stage."""

    def __init__(self, container: Any) -> None:
        self.container = container
        self.lang = lang()
        self.stage: str | None = None

    def teams(self, formation: Any) -> None:
        """A ``team_progress`` callback (``planner.teams.Formation``)."""
        self.container.write(formation_line(formation, self.lang))
        self.stage = None  # routing after a (new) formation round is logged again

    def routing(self, report: Callable[[ProgressEvent], None]) -> Callable[[ProgressEvent], None]:
        """``report`` that also writes a line when routing starts on a new stage."""

        def both(event: ProgressEvent) -> None:
            if event.stage != self.stage:
                self.stage = event.stage
                self.container.write(routing_line(event.stage, self.lang))
            report(event)

        return both

    def floor(self, plan: Plan) -> None:
        """A line when the siloed floor gave the departments' routes to the joint teams."""
        line = floor_line(plan, self.lang)
        if line is not None:
            self.container.write(line)


def solve_week(
    scenario: Scenario,
    week: dt.date,
    knobs: Mapping[str, Any],
    *,
    baseline: bool,
    joint_bar: Any,
    siloed_bar: Any | None,
    log: SolveLog | None = None,
) -> tuple[Plan, dict[str, Any] | None]:
    """Plan the week (and its siloed baseline) with progress bars; the plan and its metrics.

    The baseline's departments are routed in worker processes while the joint plan is made
    (``run_week_and_baseline``); its bar moves as each department is collected. ``log`` gets a
    line per day as its teams are formed and one as routing starts on each stage.
    Returns the joint plan and ``Metrics.to_dict()`` against the baseline (``None`` without it).
    """
    from planner.metrics import evaluate
    from planner.pipeline import run_week, run_week_and_baseline

    params, solve_params, team_params = params_from(knobs)
    limit = solve_params.time_limit_s
    joint_bar.progress(0.0, text=tr("progress_start", phase=tr("solving_joint")))
    report = progress_reporter(joint_bar, tr("solving_joint"), limit)
    routing = report if log is None else log.routing(report)
    teams = None if log is None else log.teams
    if not baseline or siloed_bar is None:
        plan = run_week(
            scenario, params, solve_params, week_start=week, team_params=team_params,
            progress=routing, team_progress=teams,
        ).plan  # fmt: skip
        finish_progress(joint_bar, tr("solving_joint"), report)
        return plan, None
    siloed_bar.progress(0.0, text=tr("progress_start", phase=tr("solving_siloed")))
    names = department_names(scenario, lang())
    siloed_report = department_reporter(siloed_bar, tr("solving_siloed"), names)
    joint, siloed = run_week_and_baseline(
        scenario, params, solve_params, week_start=week, team_params=team_params,
        progress=routing, baseline_progress=siloed_report, team_progress=teams,
    )  # fmt: skip
    finish_progress(joint_bar, tr("solving_joint"), report)
    finish_progress(siloed_bar, tr("solving_siloed"), siloed_report)
    if log is not None:
        log.floor(joint.plan)
    return joint.plan, evaluate(scenario, joint.plan, siloed.plan, params=params).to_dict()


def department_reporter(
    bar: Any, phase: str, names: Mapping[str, str]
) -> Callable[[DepartmentDone], None]:
    """A ``run_week_and_baseline`` baseline callback: ``bar`` moves a step per department
    collected and shows the visits planned so far over the departments in."""
    seen = [0, 0]

    def report(done: DepartmentDone) -> None:
        seen[0] += done.planned
        seen[1] += done.offered
        values = _event_values(
            names.get(done.department_id, done.department_id), seen[0], seen[1], done.elapsed_s
        )
        report.last = values  # type: ignore[attr-defined]
        bar.progress(
            done.done / max(done.total, 1), text=tr("progress_text", phase=phase, **values)
        )

    report.last = None  # type: ignore[attr-defined]
    return report


def monday_of(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def week_days(week_start: dt.date) -> list[dt.date]:
    """The seven days of a week."""
    return [week_start + dt.timedelta(days=n) for n in range(7)]
