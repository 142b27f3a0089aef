"""The running app in a real browser (Playwright driving Debian's Chromium): plan, publish, roles,
and a planner's whole week in English and in 简体中文.

The app runs as ``streamlit run app.py`` on 127.0.0.1 with a temporary SQLite database, the tiny
scenario and a one-second solver time limit; its stdout and stderr are kept (``server.log``) and
must hold no traceback. Screenshots go to ``test-output/browser/``.
Needs ``/usr/bin/chromium`` (``apt-get install chromium``); without it the test skips, except in CI
(``CI=true``), where it fails.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from planner.access import access_code
from planner.auth import DEPARTMENT, PLANNER, Accounts

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "tiny"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = ROOT / "test-output" / "browser"
SECRET = "browser-test-secret"
PASSWORDS = {"planner": "planner-pass-1", "head-market": "market-pass-1"}
WEEK = dt.date(2026, 11, 23)  # the tiny scenario's week
TIMEOUT_MS = 180_000  # a solve on a busy two-core machine; never a bound the test asserts


def _need_browser() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} not found: apt-get install -y chromium (scripts/test.sh does)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running app: its address and everything it printed so far."""

    url: str
    log: list[str]


@pytest.fixture(scope="module")
def app_url(app_server: Server) -> str:
    """The shared app's address."""
    return app_server.url


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app served by ``streamlit run`` on a free port, with two known accounts."""
    yield from _serve(tmp_path_factory, "browser")


@pytest.fixture
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """An app of its own (its own database) for one test."""
    yield from _serve(tmp_path_factory, "walk")


def _serve(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Server]:
    _need_browser()
    pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev extra)")
    folder = tmp_path_factory.mktemp(name)
    url = f"sqlite:///{folder / 'planner.db'}"
    with Accounts(url) as accounts:
        accounts.init()
        accounts.add_user("planner", PASSWORDS["planner"], role=PLANNER)
        accounts.add_user(
            "head-market", PASSWORDS["head-market"], role=DEPARTMENT, department_id="market"
        )
    env = {
        "PLANNER_DATABASE_URL": url,
        "PLANNER_SCENARIO": str(TINY),
        "PLANNER_TIME_LIMIT": "1",
        "PLANNER_SECRET": SECRET,
    }
    with running_app(env, SHOTS / f"server-{folder.name}.log") as server:
        yield server


@contextmanager
def chromium_page(height: int = 1000) -> Iterator[Any]:
    """Debian's Chromium (headless, ``CHROMIUM_ARGS``) on a 1400 × ``height`` page with the
    suite's timeouts (``TIMEOUT_MS``), closed when the block ends; ``page.context.browser``
    opens more pages."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1400, "height": height})
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        try:
            yield page
        finally:
            browser.close()


@contextmanager
def running_app(env: dict[str, str], log_file: Path | None = None) -> Iterator[Server]:
    """``streamlit run app.py`` on a free port with ``env`` added to ours, until the block ends;
    everything it printed is in ``Server.log`` (and written to ``log_file`` afterwards)."""
    port = _free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.headless", "true", "--server.address", "127.0.0.1",
        "--server.port", str(port), "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []

    def read() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            log.append(line)
            lines.put(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        while True:  # Streamlit says when it listens; a dead server or 60 s of silence fails
            line = lines.get(timeout=60)
            if f":{port}" in line:
                break
        yield Server(f"http://127.0.0.1:{port}", log)
    except queue.Empty:
        pytest.fail("the app did not start:\n" + "".join(log))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        reader.join(timeout=20)  # the pipe ends with the process
        if server.stdout is not None:
            server.stdout.close()
        if log_file is not None:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            log_file.write_text("".join(log), encoding="utf-8")


def _sign_in(page: object, base: str, username: str) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(base)
    expect(page.get_by_role("heading", name="Sign in · Inspect Once")).to_be_visible()
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORDS[username])
    page.get_by_role("button", name="Sign in").click()


def test_plan_publish_business_notice_and_department_head(app_url: str) -> None:
    """Solve and publish the demo week, open a business's notice (no unannounced item), and
    check a department head cannot reach another department's data."""
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)

        # The planner opens the scenario, solves and publishes.
        _sign_in(page, app_url, "planner")
        expect(page.get_by_role("heading", name="Scenario data")).to_be_visible()
        expect(page.locator("canvas").first).to_be_visible()
        page.screenshot(path=str(SHOTS / "01-data.png"), full_page=True)
        # A table's own "Download as CSV" writes cells as they are (a name "=HYPERLINK(…)" would
        # be a formula in Excel): data export is off, the app's neutralised exports remain.
        table = page.locator("[data-testid='stDataFrame']").first
        table.hover()
        expect(page.locator("[data-testid='stElementToolbar']").first).to_be_attached()
        expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)
        page.get_by_role("link", name="Plan", exact=True).click()
        page.get_by_role("button", name="Solve").click()
        expect(page.get_by_text(re.compile(r"Plan \d+ saved as a draft"))).to_be_visible()
        expect(page.get_by_text("Joint-inspection rate")).to_be_visible()
        page.screenshot(path=str(SHOTS / "02-plan-solved.png"), full_page=True)
        page.get_by_role("button", name="Publish").click()
        expect(page.get_by_text(re.compile(r"Published .* by planner"))).to_be_visible()
        page.screenshot(path=str(SHOTS / "03-plan-published.png"), full_page=True)
        page.get_by_role("link", name="Map", exact=True).click()
        expect(page.get_by_role("heading", name="Routes on the map")).to_be_visible()
        expect(page.locator("canvas").first).to_be_visible()
        expect(page.get_by_role("heading", name="Stops in order")).to_be_visible()
        expect(page.get_by_text("Mon 23 Nov").first).to_be_visible()
        page.screenshot(path=str(SHOTS / "04-map.png"), full_page=True)
        page.get_by_role("link", name="Schedule", exact=True).click()
        expect(page.locator(".js-plotly-plot").first).to_be_visible()
        page.screenshot(path=str(SHOTS / "05-schedule.png"), full_page=True)
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in · Inspect Once")).to_be_visible()

        # A business opens its own visit: its announced items, never the unannounced one.
        page.get_by_role("link", name="Business", exact=True).click()
        page.get_by_label("Business id").fill("b2")
        page.get_by_label("Access code", exact=True).fill("WRONG-CODE1")
        page.get_by_role("button", name="Show my visit").click()
        expect(page.get_by_text("No published visit matches")).to_be_visible()
        page.get_by_label("Access code", exact=True).fill(access_code("b2", WEEK, SECRET))
        page.get_by_role("button", name="Show my visit").click()
        expect(page.get_by_text("What will be checked")).to_be_visible()
        expect(page.get_by_text("Fire extinguishers and exits").first).to_be_visible()
        text = page.inner_text("body")
        assert "Product labels" not in text  # the unannounced item of b2's visit
        assert "Noodle house" not in text and "Night bar" not in text  # other businesses
        page.screenshot(path=str(SHOTS / "06-business-notice.png"), full_page=True)

        # A department head sees their department only; other pages are not there.
        _sign_in(page, app_url, "head-market")
        expect(page.get_by_role("heading", name="Department coverage")).to_be_visible()
        expect(page.get_by_role("heading", name="Market regulation")).to_be_visible()
        expect(page.locator(".js-plotly-plot").first).to_be_visible()
        for name in ("Plan", "Map", "Schedule", "Data", "Change the week", "Settings"):
            expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
        text = page.inner_text("body")
        assert "Fire and rescue" not in text and "extinguisher" not in text.lower()
        page.screenshot(path=str(SHOTS / "07-department-head.png"), full_page=True)
        page.get_by_text("简体中文", exact=True).click()
        expect(page.get_by_role("heading", name="部门任务覆盖")).to_be_visible()
        expect(page.get_by_role("heading", name="市场监管")).to_be_visible()
        page.screenshot(path=str(SHOTS / "08-department-head-zh.png"), full_page=True)
        page.goto(f"{app_url}/plan")  # a new session: not signed in, the planner page is not there
        expect(page.get_by_role("heading", name="Sign in · Inspect Once")).to_be_visible()
        assert "Plan the week" not in page.inner_text("body")
        browser.close()


# ---------------------------------------------------------------- a whole week, in both languages

REPRS = ("<built-in", "object at 0x", "<bound method", "<function ")
EXTENSIONS = {"pdf", "html", "csv", "xlsx", "zip", "geojson", "ics"}
# What the page may show in English in the Chinese UI besides the scenario's data: the language
# switch names both languages (so anyone can switch back), and Streamlit's own input hints.
CHROME = (
    "Language",
    "English",
    "Press Enter to submit form",
    "Press Enter to apply",
    "Skip to main content",  # Streamlit's keyboard link, hidden until focused
)
# The page's text as a reader sees it: icons are ligatures (their text is the icon's name).
VISIBLE_TEXT = """() => {
    const copy = document.body.cloneNode(true);
    copy.querySelectorAll("[data-testid*='Icon'], .material-symbols-rounded")
        .forEach((e) => e.remove());
    document.body.appendChild(copy);
    copy.style.position = "absolute";
    const text = copy.innerText;
    copy.remove();
    return text;
}"""


def _data_words() -> set[str]:
    """English words that are data the user typed (names, addresses, opening hours, ids, legal
    basis, certificates…) in the tiny scenario; not titles and names that have a Chinese column,
    nor coded values (risk, result, kind, yes/no) the app translates."""
    import pandas as pd

    typed = {
        "businesses.csv": ("id", "name", "address", "opening_hours", "category", "phone"),
        "inspectors.csv": ("id", "name", "certifications", "working_days", "hours", "base",
                           "certificate_no"),
        "items.csv": ("id", "certification", "legal_basis", "categories"),
        "departments.csv": ("id",),
        "tasks.csv": ("id", "note", "business", "item"),
        "history.csv": ("business", "item"),
    }  # fmt: skip
    words: set[str] = {"planner", "Tiny", "Township", "office", "hq"}
    for name, columns in typed.items():
        frame = pd.read_csv(TINY / name, dtype=str, keep_default_na=False)
        for column in columns:
            for value in frame[column]:
                words |= set(re.findall(r"[A-Za-z]{2,}", value))
    return words


def _english_left(text: str, allowed: set[str]) -> list[str]:
    """ASCII words of ``text`` that are neither data nor allowed chrome nor a file extension."""
    for phrase in CHROME:
        text = text.replace(phrase, " ")
    text = re.sub(r"urgent-\\S+", " ", text)  # an urgent task's id, made from data
    words = re.findall(r"[A-Za-z]{2,}", text)
    return sorted({w for w in words if w not in allowed and w.lower() not in EXTENSIONS})


def _no_repr_in_zip(data: bytes) -> list[str]:
    """Members of an export zip (and of the xlsx inside) that hold a Python repr."""
    import io
    import zipfile

    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            content = archive.read(member)
            texts = [content]
            if member.endswith(".xlsx"):
                with zipfile.ZipFile(io.BytesIO(content)) as book:
                    texts = [book.read(n) for n in book.namelist()]
            if member.endswith(".pdf"):
                continue  # compressed streams; the notice HTML holds the same words
            for text in texts:
                decoded = text.decode("utf-8", "replace")
                if any(r in decoded for r in REPRS):
                    found.append(member)
    return found


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_planners_week_in_both_languages(fresh_server: Server, language: str) -> None:
    """A planner's whole week — sign in, data, plan → solve, publish, everything (.zip), map,
    schedule, change the week and re-plan, refresh, business page, department page, settings
    (office picked on the map) — in English and in 中文. Fails on an English word left in the
    Chinese UI (data values aside), an exception on a page, a traceback in the server log, a
    Python repr in an export, and a visible Deploy button."""
    from playwright.sync_api import Page, expect, sync_playwright

    from planner.i18n import t

    def tt(key: str, **values: object) -> str:
        return t(key, language, **values)

    allowed = _data_words()
    leaks: dict[str, list[str]] = {}
    shots = SHOTS / f"week-{language}"
    shots.mkdir(parents=True, exist_ok=True)

    def look(page: Page, name: str) -> None:
        """Wait for the page to settle; record English left (in 中文) and exceptions."""
        page.wait_for_timeout(600)
        expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0)
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        assert page.locator("[data-testid='stException']").count() == 0, name
        if language == "zh":
            left = _english_left(page.evaluate(VISIBLE_TEXT), allowed)
            if left:
                leaks[name] = left

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)

        page.goto(fresh_server.url)
        if language == "zh":
            page.get_by_text("简体中文", exact=True).click()
        expect(page.get_by_role("heading", name=tt("login_title"))).to_be_visible()
        assert page.get_by_role("button", name="Deploy").count() == 0
        look(page, "01-sign-in")
        page.get_by_label(tt("username")).fill("planner")
        page.get_by_label(tt("password"), exact=True).fill(PASSWORDS["planner"])
        page.get_by_role("button", name=tt("sign_in"), exact=True).click()
        expect(page.get_by_role("heading", name=tt("data_title"))).to_be_visible()
        look(page, "02-data")

        page.get_by_role("link", name=tt("page_plan"), exact=True).click()
        page.get_by_role("button", name=tt("solve"), exact=True).click()
        expect(page.get_by_text(tt("solved", id=1, visits=2, routes=2)[:6])).to_be_visible()
        expect(page.get_by_text(tt("card_per_check"))).to_be_visible()
        look(page, "03-plan-solved")
        page.get_by_role("button", name=tt("publish"), exact=True).click()
        # The page reruns after Publish and says who published when (the status in the plan
        # picker, "已发布", was not always on screen yet: the zh walk failed now and then).
        said = re.escape(tt("already_published", when="WHEN", who="planner"))
        expect(page.get_by_text(re.compile(said.replace("WHEN", ".+")))).to_be_visible()
        look(page, "04-plan-published")
        page.get_by_role("button", name=tt("dl_all_prepare"), exact=True).click()
        with page.expect_download() as download:
            page.get_by_role("button", name=tt("dl_all"), exact=True).click()
        data = Path(download.value.path()).read_bytes()
        assert _no_repr_in_zip(data) == []  # notices, calendars, CSVs, GeoJSON, roster.xlsx
        page.get_by_role("link", name=tt("page_map"), exact=True).click()
        expect(page.get_by_role("heading", name=tt("map_title"))).to_be_visible()
        expect(page.locator("canvas").first).to_be_visible()
        expect(page.get_by_text(tt("team_n", n=1)).first).to_be_visible()
        look(page, "05-map")

        page.get_by_role("link", name=tt("page_schedule"), exact=True).click()
        expect(page.locator(".js-plotly-plot").first).to_be_visible()
        look(page, "06-schedule")

        page.get_by_role("link", name=tt("page_changes"), exact=True).click()
        expect(page.get_by_role("heading", name=tt("changes_title"))).to_be_visible()
        page.get_by_role("tab", name=tt("business_closed")).click()
        page.locator("button:visible", has_text=tt("add_change")).click()
        expect(page.get_by_role("button", name=tt("clear_changes"), exact=True)).to_be_visible()
        page.reload()  # a refresh keeps the sign-in and the pending change
        expect(page.get_by_role("heading", name=tt("changes_title"))).to_be_visible()
        expect(page.get_by_role("button", name=tt("clear_changes"), exact=True)).to_be_visible()
        page.get_by_role("button", name=tt("replan"), exact=True).click()
        expect(page.get_by_role("heading", name=tt("diff_title"))).to_be_visible()
        look(page, "07-changes-replanned")

        page.get_by_role("link", name=tt("page_business"), exact=True).click()
        page.get_by_label(tt("business_id")).fill("b2")
        page.get_by_label(tt("access_code"), exact=True).fill(access_code("b2", WEEK, SECRET))
        page.get_by_role("button", name=tt("show_visit"), exact=True).click()
        expect(page.get_by_text(tt("what_checked"), exact=True)).to_be_visible()
        look(page, "08-business")

        page.get_by_role("link", name=tt("page_department"), exact=True).click()
        expect(page.get_by_role("heading", name=tt("department_title"))).to_be_visible()
        expect(page.locator(".js-plotly-plot").first).to_be_visible()
        look(page, "09-department")

        page.get_by_role("link", name=tt("page_settings"), exact=True).click()
        expect(page.get_by_role("heading", name=tt("settings_title"))).to_be_visible()
        longitude = page.get_by_label(tt("longitude"))
        before = longitude.input_value()
        canvas = page.locator("canvas").first
        expect(canvas).to_be_visible()
        page.wait_for_timeout(1000)
        box = canvas.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.4)
        expect(longitude).not_to_have_value(before)
        look(page, "10-settings-office-picked")
        browser.close()

    log = "".join(fresh_server.log)
    assert "Traceback" not in log and "ArrowInvalid" not in log, log[-3000:]
    assert leaks == {}, f"English left in the Chinese UI: {leaks}"
