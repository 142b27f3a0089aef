"""The running app in a real browser (Playwright driving Debian's Chromium): plan, publish, roles.

The app runs as ``streamlit run app.py`` on 127.0.0.1 with a temporary SQLite database, the tiny
scenario and a one-second solver time limit. Screenshots go to ``test-output/browser/``.
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
from pathlib import Path

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


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by ``streamlit run`` on a free port, with two known accounts."""
    _need_browser()
    pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev extra)")
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'planner.db'}"
    with Accounts(url) as accounts:
        accounts.init()
        accounts.add_user("planner", PASSWORDS["planner"], role=PLANNER)
        accounts.add_user(
            "head-market", PASSWORDS["head-market"], role=DEPARTMENT, department_id="market"
        )
    port = _free_port()
    env = {
        **os.environ,
        "PLANNER_DATABASE_URL": url,
        "PLANNER_SCENARIO": str(TINY),
        "PLANNER_TIME_LIMIT": "1",
        "PLANNER_SECRET": SECRET,
    }
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.headless", "true", "--server.address", "127.0.0.1",
        "--server.port", str(port), "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
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
        yield f"http://127.0.0.1:{port}"
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
        (SHOTS / "server.log").parent.mkdir(parents=True, exist_ok=True)
        (SHOTS / "server.log").write_text("".join(log), encoding="utf-8")


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

        # A business opens its own visit: its announced items, never the unannounced one.
        page.get_by_role("link", name="Business").click()
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
