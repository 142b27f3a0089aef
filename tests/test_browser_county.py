"""The County page under ``streamlit run`` in a real browser (Playwright driving Chromium): the
app's script is ``__main__`` there, and the local cluster's spawned workers must not run it
again (``planner.cluster._plain_main``); the jobs end, the bar says so, the summary shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planner.auth import PLANNER, Accounts

ROOT = Path(__file__).resolve().parents[1]
COUNTY = ROOT / "tests" / "fixtures" / "county"  # two townships, north and south
SHOTS = ROOT / "test-output" / "browser"


def test_county_page_plans_on_a_local_cluster_under_streamlit_run(
    tmp_path: Path,
) -> None:
    """Sign in, open County, plan: "6 of 6 jobs done", the success line, both townships in the
    summary, and a server log without a traceback."""
    pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev extra)")
    from playwright.sync_api import expect
    from test_browser import _need_browser, chromium_page, running_app

    _need_browser()
    url = f"sqlite:///{tmp_path / 'planner.db'}"
    with Accounts(url) as accounts:
        accounts.init()
        accounts.add_user("planner", "planner-pass-1", role=PLANNER)
    env = {
        "PLANNER_DATABASE_URL": url,
        "PLANNER_SCENARIO": str(COUNTY),
        "PLANNER_TIME_LIMIT": "2",
        "PLANNER_SECRET": "browser-test-secret",
        "PLANNER_CLUSTER": "",
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_app(env, SHOTS / "server-county.log") as server, chromium_page(2600) as page:
        page.goto(server.url)
        page.get_by_label("User name").fill("planner")
        page.get_by_label("Password", exact=True).fill("planner-pass-1")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="County", exact=True).click()
        page.get_by_role("button", name="Plan the county").click()
        expect(page.get_by_text(re.compile(r"County planned: 2 of 2 townships"))).to_be_visible()
        expect(page.get_by_text(re.compile(r"6 of 6 jobs done"))).to_be_visible()
        expect(page.get_by_text("Coverage, joint").first).to_be_visible()
        expect(page.get_by_text(re.compile(r"North township 北镇: \d+ routes"))).to_be_visible()
        expect(page.get_by_role("button", name="Township roster (.xlsx)")).to_be_visible()
        page.wait_for_timeout(2000)  # let the tables draw before the screenshot
        page.screenshot(path=str(SHOTS / "county-planned.png"), full_page=True)
        log = "".join(server.log)
    assert "Traceback" not in log, log
