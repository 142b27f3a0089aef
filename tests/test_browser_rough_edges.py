"""What only a browser shows (Playwright driving Chromium, ``streamlit run app.py``): the app on a
database it cannot open, and the language switch."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "tiny"
SHOTS = ROOT / "test-output" / "browser"


def test_database_down_page_in_both_languages_and_a_language_that_stays_chosen() -> None:
    """PostgreSQL down: the page showed a ``sqlalchemy.exc.OperationalError`` traceback (file
    paths and code) without the language switch. Now it shows the language switch and a message
    in the chosen language naming the server without its password; the traceback is in the
    server's log only. Clicking the chosen language again keeps it (it unselected both
    buttons), and a link with ``?lang=zh`` opens in Chinese."""
    pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev extra)")
    from playwright.sync_api import expect
    from test_browser import _need_browser, chromium_page, running_app

    _need_browser()
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        "PLANNER_DATABASE_URL": f"postgresql://planner:Sup3rSecretPw@127.0.0.1:{port}/planner",
        "PLANNER_SCENARIO": str(TINY),
        "PLANNER_SECRET": "browser-test-secret",
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_app(env, SHOTS / "server-database-down.log") as server, chromium_page() as page:
        page.goto(server.url)
        expect(page.get_by_text("The database cannot be opened")).to_be_visible()
        page.screenshot(path=str(SHOTS / "database-down-en.png"), full_page=True)
        text = page.inner_text("body")
        assert "Traceback" not in text and "sqlalchemy" not in text
        assert f"127.0.0.1:{port}" in text and "Sup3rSecretPw" not in text
        chosen = page.locator("button[aria-checked='true']")  # the chosen language's button
        for _ in range(2):  # the second click on the chosen language keeps it
            page.get_by_text("简体中文", exact=True).click()
            expect(chosen).to_have_text("简体中文")
            expect(page.get_by_text("无法打开数据库")).to_be_visible()
        page.screenshot(path=str(SHOTS / "database-down-zh.png"), full_page=True)
        page.goto(f"{server.url}/?lang=zh")
        expect(page.get_by_text("无法打开数据库")).to_be_visible()
        log = "".join(server.log)
    assert "OperationalError" in log and "Sup3rSecretPw" not in log
