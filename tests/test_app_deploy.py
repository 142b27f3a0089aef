"""The app's accounts on the database a real installation uses (Streamlit AppTest): signing in,
the session id that survives a refresh, signing out, and the lockout after wrong passwords, on
SQLite and on PostgreSQL (``PLANNER_TEST_POSTGRES_URL``, as ``scripts/test.sh`` sets it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_store import POSTGRES_URL, _create_database

from planner.auth import PLANNER, Accounts
from planner.sessions import SESSION_PARAM

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "tiny"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with one planner account: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        found = f"sqlite:///{tmp_path / 'planner.db'}"
        yield from _with_planner(found)
        return
    if not POSTGRES_URL:
        pytest.skip("PLANNER_TEST_POSTGRES_URL is not set (scripts/test.sh starts PostgreSQL)")
    for found in _create_database():
        yield from _with_planner(found)


def _with_planner(url: str) -> Iterator[str]:
    with Accounts(url) as accounts:
        accounts.init()
        accounts.add_user("planner", "planner-pass-1", role=PLANNER)
    yield url


def _app(monkeypatch: pytest.MonkeyPatch, url: str, session: str = "") -> AppTest:
    monkeypatch.setenv("PLANNER_SCENARIO", str(TINY))
    monkeypatch.setenv("PLANNER_DATABASE_URL", url)
    monkeypatch.setenv("PLANNER_SECRET", "deploy-test-secret")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if session:
        app.query_params[SESSION_PARAM] = session
    return app.run()


def _sign_in(app: AppTest, password: str) -> None:
    app.text_input(key="login_username").input("planner")
    app.text_input(key="login_password").input(password)
    next(b for b in app.button if b.label == "Sign in").click().run()


def test_sign_in_refresh_and_sign_out(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """Signing in puts a session id in the URL; a new browser session (a refresh) with it is
    signed in; after signing out the same id signs nobody in."""
    app = _app(monkeypatch, url)
    _sign_in(app, "planner-pass-1")
    assert not app.exception
    session = app.query_params[SESSION_PARAM]
    session = session[0] if isinstance(session, list) else session
    refreshed = _app(monkeypatch, url, session)
    assert refreshed.session_state["user"].username == "planner"
    next(b for b in refreshed.button if b.key == "sign_out").click().run()
    again = _app(monkeypatch, url, session)
    assert "user" not in again.session_state
    assert [t.value for t in again.title] == ["Sign in · Inspect Once"]


def test_wrong_passwords_lock_the_account(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """Six wrong passwords lock the account (the first five are free); the right one is then
    refused with the time the lock ends."""
    app = _app(monkeypatch, url)
    for _ in range(6):
        _sign_in(app, "not-the-password")
    _sign_in(app, "planner-pass-1")
    assert "user" not in app.session_state
    assert "Too many failed attempts" in app.error[0].value
