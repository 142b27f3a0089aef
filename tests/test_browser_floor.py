"""The siloed floor's message and Solve's formation lines in a real browser (Playwright driving
Debian's Chromium), on ``tests/test_floor.py``'s trio week where the floor is adopted."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from planner.auth import PLANNER, Accounts
from planner.domain import Team
from planner.tables import write_scenario

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_browser import (  # noqa: E402
    PASSWORDS,
    SHOTS,
    _need_browser,
    _sign_in,
    chromium_page,
    running_app,
)
from test_floor import TRIO, _scenario  # noqa: E402


def test_solve_shows_teams_then_the_adopted_floor(tmp_path: Path) -> None:
    """A planner solves the trio week: Solve's status lists Monday's team as it is formed, and
    the Plan page then says the plan uses the departments' routes and what that cost; the
    server prints no traceback."""
    _need_browser()
    pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev extra)")
    from playwright.sync_api import expect

    folder = write_scenario(_scenario(TRIO, [Team("T", ("u1", "u2", "m1"))]), tmp_path / "trio")
    url = f"sqlite:///{tmp_path / 'planner.db'}"
    with Accounts(url) as accounts:
        accounts.init()
        accounts.add_user("planner", PASSWORDS["planner"], role=PLANNER)
    env = {
        "PLANNER_DATABASE_URL": url,
        "PLANNER_SCENARIO": str(folder),
        "PLANNER_TIME_LIMIT": "1",
        "PLANNER_SECRET": "browser-floor-secret",
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_app(env, SHOTS / "server-floor.log") as server, chromium_page() as page:
        _sign_in(page, server.url, "planner")
        page.get_by_role("link", name="Plan", exact=True).click()
        page.get_by_role("button", name="Solve").click()
        expect(page.get_by_text(re.compile(r"Plan \d+ saved as a draft"))).to_be_visible()
        expect(
            page.get_by_text(re.compile(r"^The departments alone would have covered more"))
        ).to_be_visible()
        page.get_by_text("Solved: how the plan was made").click()  # open the status
        expect(
            page.get_by_text("Teams Mon 23 Nov: 1 team(s) of 3 officers, 0 idle")
        ).to_be_visible()
        page.screenshot(path=str(SHOTS / "floor-plan.png"), full_page=True)
        assert not [line for line in server.log if "Traceback" in line]
