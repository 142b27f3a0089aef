"""The app's accounts on the database a real installation uses (Streamlit AppTest): signing in,
the session id that survives a refresh, signing out, and the lockout after wrong passwords, on
SQLite and on PostgreSQL (``PLANNER_TEST_POSTGRES_URL``, as ``scripts/test.sh`` sets it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_sessions import Clock
from test_store import POSTGRES_URL, _create_database

from planner import sessions
from planner.auth import PLANNER, Accounts
from planner.sessions import IDLE_MINUTES, ROTATE_MINUTES, SESSION_HOURS, SESSION_PARAM

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


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The sessions' clock (``planner.sessions._now``), set by the test; the app shares it."""
    found = Clock()
    monkeypatch.setattr(sessions, "_now", found)
    return found


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


def _sid(app: AppTest) -> str:
    found = app.query_params.get(SESSION_PARAM, "")
    return str(found[0] if isinstance(found, list) else found)


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


def test_a_link_used_once_no_longer_signs_in(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """A refresh resumes the session with the id in the URL and puts a new one there; the id
    used (a link copied before the refresh) then signs nobody in, the new one does."""
    app = _app(monkeypatch, url)
    _sign_in(app, "planner-pass-1")
    copied = _sid(app)
    refreshed = _app(monkeypatch, url, copied)
    assert refreshed.session_state["user"].username == "planner"
    assert _sid(refreshed) not in ("", copied)
    stranger = _app(monkeypatch, url, copied)
    assert "user" not in stranger.session_state
    assert [t.value for t in stranger.title] == ["Sign in · Inspect Once"]
    assert _app(monkeypatch, url, _sid(refreshed)).session_state["user"].username == "planner"


def test_a_tab_in_use_swaps_its_id(monkeypatch: pytest.MonkeyPatch, url: str, clock: Clock) -> None:
    """A signed-in tab that runs again ``ROTATE_MINUTES`` later gets a new id in its URL; the
    id copied from its address bar before no longer signs anyone in."""
    app = _app(monkeypatch, url)
    _sign_in(app, "planner-pass-1")
    copied = _sid(app)
    clock.advance(minutes=ROTATE_MINUTES + 1)
    app.run()
    assert app.session_state["user"].username == "planner"
    assert _sid(app) not in ("", copied)
    assert "user" not in _app(monkeypatch, url, copied).session_state


def test_an_idle_tab_is_signed_out(monkeypatch: pytest.MonkeyPatch, url: str, clock: Clock) -> None:
    """A tab left unused for more than ``IDLE_MINUTES`` is signed out when it runs again, and a
    refresh with its id does not sign it back in."""
    app = _app(monkeypatch, url)
    _sign_in(app, "planner-pass-1")
    sid = _sid(app)
    clock.advance(minutes=IDLE_MINUTES + 1)
    app.run()
    assert "user" not in app.session_state
    assert [t.value for t in app.title] == ["Sign in · Inspect Once"]
    assert "user" not in _app(monkeypatch, url, sid).session_state


def test_ended_sessions_are_deleted_on_sign_in(
    monkeypatch: pytest.MonkeyPatch, url: str, clock: Clock
) -> None:
    """Signing in deletes the session rows that ended (here: one past ``SESSION_HOURS``, one
    signed out); only the new sign-in's row is left."""
    first = _app(monkeypatch, url)
    _sign_in(first, "planner-pass-1")
    second = _app(monkeypatch, url)
    _sign_in(second, "planner-pass-1")
    next(b for b in second.button if b.key == "sign_out").click().run()
    clock.advance(hours=SESSION_HOURS + 1)
    _sign_in(_app(monkeypatch, url), "planner-pass-1")
    with Accounts(url) as accounts:
        assert len(accounts.preferences("session:")) == 1
