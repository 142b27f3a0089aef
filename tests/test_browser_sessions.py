"""What only a browser shows of sign-in sessions (Playwright driving Chromium, ``streamlit run
app.py``): after a refresh the address bar carries a new session id, so the next refresh still
signs in, while the id copied before signs nobody in; an id opened in a browser with another
User-Agent signs nobody in and leaves its owner signed in."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from planner.auth import PLANNER, Accounts

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "tiny"
SHOTS = ROOT / "test-output" / "browser"
OTHER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari"


def _sid(url: str) -> str:
    return parse_qs(urlparse(url).query).get("session", [""])[0]


def test_a_refresh_moves_the_id_and_a_copied_link_is_dead(tmp_path: Path) -> None:
    """Sign in, refresh twice: both refreshes keep the planner signed in and each puts a new id
    in the address bar. The link copied before the first refresh opens the sign-in page; the
    current link opened with another User-Agent too, and the owner stays signed in."""
    pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev extra)")
    from playwright.sync_api import Page, expect
    from test_browser import _need_browser, chromium_page, running_app

    _need_browser()
    url = f"sqlite:///{tmp_path / 'planner.db'}"
    with Accounts(url) as accounts:
        accounts.init()
        accounts.add_user("planner", "planner-pass-1", role=PLANNER)
    env = {
        "PLANNER_DATABASE_URL": url,
        "PLANNER_SCENARIO": str(TINY),
        "PLANNER_SECRET": "browser-test-secret",
    }
    SHOTS.mkdir(parents=True, exist_ok=True)

    def signed_in(page: Page) -> None:
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    def new_id(page: Page, old: str) -> str:
        expect(page).to_have_url(re.compile(r"[?&]session=(?!" + re.escape(old) + r"\b)[\w-]+"))
        return _sid(page.url)

    with running_app(env, SHOTS / "server-sessions.log") as server, chromium_page() as page:
        page.goto(server.url)
        page.get_by_label("User name").fill("planner")
        page.get_by_label("Password", exact=True).fill("planner-pass-1")
        page.get_by_role("button", name="Sign in").click()
        signed_in(page)
        copied = new_id(page, "none")
        page.reload()
        signed_in(page)
        second = new_id(page, copied)
        page.reload()
        signed_in(page)
        third = new_id(page, second)

        stranger = page.context.browser.new_page()
        stranger.goto(f"{server.url}/?session={copied}")
        expect(stranger.get_by_role("heading", name="Sign in · Inspect Once")).to_be_visible()
        stranger.screenshot(path=str(SHOTS / "session-copied-link.png"), full_page=True)
        other = page.context.browser.new_context(user_agent=OTHER_AGENT).new_page()
        other.goto(f"{server.url}/?session={third}")
        expect(other.get_by_role("heading", name="Sign in · Inspect Once")).to_be_visible()
        page.reload()
        signed_in(page)
        assert _sid(page.url) not in ("", copied, second, third)
        log = "".join(server.log)
    assert "Traceback" not in log
